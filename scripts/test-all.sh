#!/usr/bin/env bash
# Every test suite of the project, from a fresh machine: installs what it needs (Python
# venv with pinned tools, npm packages, PostgreSQL and Chromium from Debian), starts a
# throwaway PostgreSQL on loopback, runs Rust, Python and Node suites, and stops it again.
# `.ci/run` calls exactly this script; the README gives it as the test command.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export CARGO_TERM_COLOR=never
target="${CARGO_TARGET_DIR:-$root/target}"
step() { printf '\n==> %s\n' "$*"; }

# --- Machine set-up -----------------------------------------------------------------
apt_updated=no
apt_install() {
    if [ "$apt_updated" = no ]; then
        apt-get update -qq
        apt_updated=yes
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
command -v chromium >/dev/null || { step "installing Chromium"; apt_install chromium; }

step "starting a throwaway PostgreSQL on loopback"
# shellcheck source=../.ci/postgres.sh
source .ci/postgres.sh start
trap '.ci/postgres.sh stop || true' EXIT

# --- Rust ---------------------------------------------------------------------------
step "formatting and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings

step "Rust tests (core, importer, stores against SQLite and PostgreSQL)"
cargo test --workspace

step "documentation, warnings denied"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --exclude bindings-python \
    --exclude bindings-node

step "examples"
scratch=$(mktemp -d)
cargo build --release --examples
(cd "$scratch" && "$target/release/examples/walkthrough" >walkthrough-1.txt \
    && "$target/release/examples/walkthrough" >walkthrough-2.txt)
grep -q "holds 2 incident" "$scratch/walkthrough-2.txt" \
    || { echo "a second walkthrough run did not see the first run's incidents"; exit 1; }
"$target"/release/examples/walkthrough --store memory | tail -n 5
expected="incidents=80000 response_breaches=17011 resolution_breaches=11728 response_business_s=277198320 resolution_business_s=1727661180"
got=$("$target"/release/examples/workload 80000)
[ "$got" = "$expected" ] || { echo "workload: got '$got', want '$expected'"; exit 1; }
echo "workload 80000: $got"
log=../shared/data/incident_event_log.csv.gz
if [ -f "$log" ]; then
    "$target"/release/examples/replay "$log" --json >"$scratch/replay.json"
    "$target"/release/examples/replay "$log" --store "sqlite:$scratch/replay.db" --json \
        >"$scratch/replay-sqlite.json"
    cmp "$scratch/replay.json" "$scratch/replay-sqlite.json"
    echo "replay: in-memory and SQLite reports are identical"
else
    echo "skipped: the real log replay, $log not found"
fi

step "benchmarks, each run once"
cargo bench --workspace -- --test

step "fuzz corpus replay"
fuzz_target="$target/fuzz"
(cd fuzz && CARGO_TARGET_DIR="$fuzz_target" cargo build --quiet)
for corpus in fuzz/corpus/*/; do
    name=$(basename "$corpus")
    "$fuzz_target/debug/$name" "$corpus"
done

# --- Python -------------------------------------------------------------------------
step "Python binding"
python3 -m venv "$root/.venv"
# shellcheck disable=SC1091
source "$root/.venv/bin/activate"
pip install --quiet --disable-pip-version-check -r bindings-python/requirements-dev.txt
(cd bindings-python && maturin develop --release --quiet)
set +e
python -m pytest bindings-python/tests -q
status=$?
set -e
[ "$status" -eq 0 ] || { echo "pytest failed (exit $status; 5 means no test ran)"; exit 1; }
python -m mypy.stubtest incident_core._native \
    --allowlist bindings-python/stubtest-allowlist.txt
python -m mypy bindings-python/python/incident_core examples/python/failed_change.py \
    bindings-python/bench/workload.py
python examples/python/failed_change.py
python bindings-python/bench/workload.py 20000
deactivate

# --- Node ---------------------------------------------------------------------------
step "Node binding"
(
    cd bindings-node
    npm ci --no-audit --no-fund
    npm run build
    git diff --exit-code -- index.d.ts index.js \
        || { echo "index.d.ts / index.js are stale: commit the regenerated files"; exit 1; }
    node --test __test__/
)
(cd examples/apex-portal && npm ci --no-audit --no-fund && node --test test/)

echo
echo "All suites passed."
