//! The schema, its versioned migrations, and the check that a file is ours before anything
//! is written to it.
//!
//! A store file carries `PRAGMA application_id` = [`APPLICATION_ID`] and
//! `PRAGMA user_version` = its schema version. Opening checks both first, read-only: a file
//! that is not SQLite, a SQLite database of another application, or a schema newer than
//! this library are refused with a typed error and left untouched.

use incident_core::{Error, Result};
use rusqlite::{Connection, TransactionBehavior};

use crate::error::map;

/// `PRAGMA application_id` of an incident store: "INCD" in ASCII.
pub const APPLICATION_ID: i32 = 0x494E_4344;

/// Migrations, in order; migration `i` takes the schema from version `i` to `i + 1`.
/// Never edit one that was released: append a new one.
const MIGRATIONS: &[&str] = &[
    // 1: snapshot with indexed columns, append-only event log, idempotency keys, counters.
    r#"
    CREATE TABLE incidents (
        id            BLOB PRIMARY KEY,
        number        TEXT NOT NULL UNIQUE,
        version       INTEGER NOT NULL,
        state         TEXT NOT NULL,
        workgroup     TEXT,
        assignee      TEXT,
        caller        TEXT NOT NULL,
        major         INTEGER NOT NULL,
        auto_close_at INTEGER,
        event_count   INTEGER NOT NULL,
        snapshot      TEXT NOT NULL
    );
    CREATE INDEX incidents_by_state ON incidents (state, number);
    CREATE INDEX incidents_by_workgroup ON incidents (workgroup, number)
        WHERE workgroup IS NOT NULL;
    CREATE INDEX incidents_by_assignee ON incidents (assignee, number)
        WHERE assignee IS NOT NULL;
    CREATE INDEX incidents_by_caller ON incidents (caller, number);
    CREATE INDEX incidents_major ON incidents (number) WHERE major = 1;
    CREATE INDEX incidents_auto_close_due ON incidents (auto_close_at)
        WHERE state = 'resolved' AND auto_close_at IS NOT NULL;

    -- Rows go in append order (rowid), which keeps writes at the table's tail; the small
    -- unique index gives each incident's log in order.
    CREATE TABLE incident_events (
        position    INTEGER PRIMARY KEY,
        incident_id BLOB NOT NULL,
        seq         INTEGER NOT NULL,
        version     INTEGER NOT NULL,
        body        TEXT NOT NULL
    );
    CREATE UNIQUE INDEX incident_events_by_incident ON incident_events (incident_id, seq);
    CREATE TRIGGER incident_events_no_update BEFORE UPDATE ON incident_events
    BEGIN SELECT RAISE(ABORT, 'the incident event log is append-only'); END;
    CREATE TRIGGER incident_events_no_delete BEFORE DELETE ON incident_events
    BEGIN SELECT RAISE(ABORT, 'the incident event log is append-only'); END;

    CREATE TABLE idempotency_keys (
        key         TEXT PRIMARY KEY,
        incident_id BLOB NOT NULL,
        version     INTEGER NOT NULL,
        digest      TEXT NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE counters (
        name  TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO counters (name, value) VALUES ('incident_number', 0);
    "#,
];

/// The newest schema version this library writes and reads.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// What a file holds, read without writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    /// A new or empty database: ours to initialise.
    Empty,
    /// An incident store at this schema version.
    Ours(i64),
}

fn probe(conn: &Connection) -> Result<Found> {
    let application_id: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(map)?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(map)?;
    let objects: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(map)?;

    if application_id == 0 && version == 0 && objects == 0 {
        return Ok(Found::Empty);
    }
    if application_id != APPLICATION_ID {
        return Err(Error::Corrupt {
            detail: format!(
                "a SQLite database of another application (application_id {application_id:#x}, \
                 {objects} schema objects); refusing to touch it"
            ),
        });
    }
    if version > SCHEMA_VERSION {
        return Err(Error::IncompatibleSchema {
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(Found::Ours(version))
}

/// Checks that the database is ours (or empty), then brings it to [`SCHEMA_VERSION`].
///
/// The first look is read-only, so a foreign file is refused before anything is written.
/// Migrating happens under `BEGIN IMMEDIATE` and looks again inside the transaction, so
/// several processes opening a new file at once migrate it exactly once.
pub(crate) fn prepare(conn: &mut Connection, wal: bool) -> Result<()> {
    let found = probe(conn)?;
    if wal {
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(map)?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "sqlite store could not switch to WAL");
        }
    }
    if found == Found::Ours(SCHEMA_VERSION) {
        return Ok(());
    }

    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(map)?;
    let from = match probe(&tx)? {
        Found::Empty => 0,
        Found::Ours(version) => version,
    };
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(from as usize) {
        let to = index as i64 + 1;
        tracing::debug!(to, "sqlite store migrating");
        tx.execute_batch(migration).map_err(map)?;
        tx.execute_batch(&format!(
            "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {to};"
        ))
        .map_err(map)?;
    }
    tx.commit().map_err(map)
}
