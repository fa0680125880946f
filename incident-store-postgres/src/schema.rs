//! The schema, its versioned migrations, and the check that the database is ours.
//!
//! The table `incident_store_meta` names the application and the schema version. Opening
//! reads it first: tables of the same names without it belong to someone else
//! ([`Error::Corrupt`]), a newer version is [`Error::IncompatibleSchema`]; neither is
//! modified. Migrating runs in one transaction under an advisory lock, so application
//! servers starting together migrate once.

use incident_core::{Error, Result};
use postgres::Client;

use crate::error::map;

/// The application name recorded in `incident_store_meta`.
pub const APPLICATION: &str = "incident-core";

/// The advisory lock taken while migrating ("INCD").
const MIGRATION_LOCK: i64 = 0x494E_4344;

/// Migrations, in order; migration `i` takes the schema from version `i` to `i + 1`.
/// Never edit one that was released: append a new one.
const MIGRATIONS: &[&str] = &[
    // 1: snapshot with indexed columns, append-only event log, idempotency keys, numbers.
    r#"
    CREATE TABLE incident_store_meta (
        key   text PRIMARY KEY,
        value text NOT NULL
    );
    INSERT INTO incident_store_meta (key, value) VALUES ('application', 'incident-core');

    CREATE TABLE incidents (
        id            uuid PRIMARY KEY,
        number        text COLLATE "C" NOT NULL UNIQUE,
        version       bigint NOT NULL,
        state         text NOT NULL,
        workgroup     text,
        assignee      text,
        caller        text NOT NULL,
        major         boolean NOT NULL,
        auto_close_at bigint,
        event_count   bigint NOT NULL,
        snapshot      json NOT NULL
    );
    CREATE INDEX incidents_by_state ON incidents (state, number);
    CREATE INDEX incidents_by_workgroup ON incidents (workgroup, number)
        WHERE workgroup IS NOT NULL;
    CREATE INDEX incidents_by_assignee ON incidents (assignee, number)
        WHERE assignee IS NOT NULL;
    CREATE INDEX incidents_by_caller ON incidents (caller, number);
    CREATE INDEX incidents_major ON incidents (number) WHERE major;
    CREATE INDEX incidents_auto_close_due ON incidents (auto_close_at)
        WHERE state = 'resolved' AND auto_close_at IS NOT NULL;

    CREATE TABLE incident_events (
        incident_id uuid NOT NULL,
        seq         bigint NOT NULL,
        version     bigint NOT NULL,
        body        json NOT NULL,
        PRIMARY KEY (incident_id, seq)
    );
    CREATE FUNCTION incident_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the incident event log is append-only';
    END
    $$;
    CREATE TRIGGER incident_events_append_only BEFORE UPDATE OR DELETE ON incident_events
        FOR EACH ROW EXECUTE FUNCTION incident_events_append_only();

    CREATE TABLE idempotency_keys (
        key         text PRIMARY KEY,
        incident_id uuid NOT NULL,
        version     bigint NOT NULL,
        digest      text NOT NULL
    );

    CREATE SEQUENCE incident_numbers;
    "#,
];

/// The newest schema version this library writes and reads.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Reads what the database holds: `None` when empty of our tables, else the version.
fn probe(client: &mut impl postgres::GenericClient) -> Result<Option<i64>> {
    let row = client
        .query_one(
            "SELECT to_regclass('incident_store_meta') IS NOT NULL, \
                    to_regclass('incidents') IS NOT NULL",
            &[],
        )
        .map_err(map)?;
    let (meta, incidents): (bool, bool) = (row.get(0), row.get(1));
    if !meta {
        if incidents {
            return Err(Error::Corrupt {
                detail: "a table `incidents` exists without incident_store_meta: the database \
                         belongs to another application; refusing to touch it"
                    .into(),
            });
        }
        return Ok(None);
    }

    let rows = client
        .query("SELECT key, value FROM incident_store_meta", &[])
        .map_err(map)?;
    let value = |key: &str| {
        rows.iter()
            .find(|r| r.get::<_, &str>(0) == key)
            .map(|r| r.get::<_, String>(1))
    };
    if value("application").as_deref() != Some(APPLICATION) {
        return Err(Error::Corrupt {
            detail: format!(
                "incident_store_meta names application {:?}, not {APPLICATION:?}",
                value("application")
            ),
        });
    }
    let version = value("schema_version")
        .and_then(|v| v.parse::<i64>().ok())
        .ok_or_else(|| Error::Corrupt {
            detail: "incident_store_meta has no readable schema_version".into(),
        })?;
    if version > SCHEMA_VERSION {
        return Err(Error::IncompatibleSchema {
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(Some(version))
}

/// Checks that the database is ours (or has none of our tables), then migrates it to
/// [`SCHEMA_VERSION`].
///
/// The advisory lock is a session lock taken before the transaction begins: a transaction
/// that starts after the previous migrator committed sees its tables (catalog caches are
/// refreshed at transaction start, not when an advisory lock is granted).
pub(crate) fn prepare(client: &mut Client) -> Result<()> {
    if probe(client)? == Some(SCHEMA_VERSION) {
        return Ok(());
    }

    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .map_err(map)?;
    let migrated = migrate(client);
    let unlocked = client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK]);
    migrated?;
    unlocked.map(drop).map_err(map)
}

fn migrate(client: &mut Client) -> Result<()> {
    let mut tx = client.transaction().map_err(map)?;
    let from = probe(&mut tx)?.unwrap_or(0);
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(from as usize) {
        let to = index as i64 + 1;
        tracing::debug!(to, "postgres store migrating");
        tx.batch_execute(migration).map_err(map)?;
        tx.execute(
            "INSERT INTO incident_store_meta (key, value) VALUES ('schema_version', $1) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&to.to_string()],
        )
        .map_err(map)?;
    }
    tx.commit().map_err(map)
}
