#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the store tests and benchmarks.
#
#   source .ci/postgres.sh start   # installs PostgreSQL if missing, starts a cluster in a
#                                  # temporary folder on 127.0.0.1:$INCIDENT_PG_PORT and
#                                  # exports INCIDENT_PG_URL
#   .ci/postgres.sh stop           # stops the cluster and removes its folder
#   .ci/postgres.sh url            # prints the URL of the running cluster
#
# Run without `source`, `start` prints the URL on its last line instead of exporting it:
#   export INCIDENT_PG_URL=$(.ci/postgres.sh start | tail -n 1)
#
# PostgreSQL refuses to run as root, so when run as root the cluster belongs to the system
# user `postgres` (created when missing). Settings: INCIDENT_PG_PORT (default 54329).

_incident_pg_main() {
    local port="${INCIDENT_PG_PORT:-54329}"
    local state="${TMPDIR:-/tmp}/incident-pg-${port}.dir"

    _incident_pg_bin() {
        local dir
        for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
            if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
                echo "$dir"
                return 0
            fi
        done
        if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
            dirname "$(command -v initdb)"
            return 0
        fi
        return 1
    }

    _incident_pg_install() {
        echo "postgres.sh: installing PostgreSQL from Debian packages" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
    }

    # Runs a command as the cluster's owner.
    _incident_pg_as_owner() {
        if [ "$(id -u)" -eq 0 ]; then
            su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
        else
            "$@"
        fi
    }

    case "${1:-}" in
    start)
        local bin
        if ! bin="$(_incident_pg_bin)"; then
            _incident_pg_install || return 1
            bin="$(_incident_pg_bin)" || {
                echo "postgres.sh: no initdb/pg_ctl after installing" >&2
                return 1
            }
        fi
        if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
            useradd --system --no-create-home --shell /usr/sbin/nologin postgres || return 1
        fi
        if [ -f "$state" ] && [ -d "$(cat "$state")/data" ]; then
            local previous
            previous="$(cat "$state")"
            if _incident_pg_as_owner "$bin/pg_ctl" -D "$previous/data" status >/dev/null 2>&1; then
                # Already running (another shell on this machine started it): share it.
                export INCIDENT_PG_URL="postgres://postgres@127.0.0.1:$port/incident_test"
                echo "postgres.sh: reusing the running cluster at $INCIDENT_PG_URL" >&2
                echo "$INCIDENT_PG_URL"
                return 0
            fi
            echo "postgres.sh: removing the stale cluster folder $previous" >&2
            _incident_pg_main stop
        fi

        local dir
        dir="$(mktemp -d "${TMPDIR:-/tmp}/incident-pg.XXXXXX")" || return 1
        chmod 755 "$dir"
        [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
        echo "$dir" >"$state"
        _incident_pg_as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust \
            -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 || {
            cat "$dir/initdb.log" >&2
            return 1
        }
        _incident_pg_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200" \
            start >&2 || {
            cat "$dir/server.log" >&2
            return 1
        }
        "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres incident_test >&2 2>/dev/null ||
            "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -c "CREATE DATABASE incident_test" >&2 ||
            return 1

        export INCIDENT_PG_URL="postgres://postgres@127.0.0.1:$port/incident_test"
        echo "postgres.sh: PostgreSQL ($("$bin/postgres" --version)) at $INCIDENT_PG_URL" >&2
        echo "$INCIDENT_PG_URL"
        ;;
    stop)
        if [ ! -f "$state" ]; then
            echo "postgres.sh: no cluster on port $port" >&2
            return 0
        fi
        local dir bin
        dir="$(cat "$state")"
        bin="$(_incident_pg_bin)" || bin=""
        if [ -n "$bin" ] && [ -d "$dir/data" ]; then
            _incident_pg_as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
        fi
        case "$dir" in
        "${TMPDIR:-/tmp}"/incident-pg.*) rm -rf "$dir" ;;
        esac
        rm -f "$state"
        unset INCIDENT_PG_URL 2>/dev/null || true
        echo "postgres.sh: stopped" >&2
        ;;
    url)
        [ -f "$state" ] && echo "postgres://postgres@127.0.0.1:$port/incident_test"
        ;;
    *)
        echo "usage: [source] .ci/postgres.sh start|stop|url" >&2
        return 2
        ;;
    esac
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
    # Sourced: export into the caller's shell; never exit it.
    _incident_pg_main "$@" >/dev/null
else
    _incident_pg_main "$@"
    exit $?
fi
