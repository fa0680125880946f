//! The SQLite store of incident-core: the embedded default.
//!
//! One file holds every incident: its current snapshot (JSON) beside the columns the
//! queries filter on, its append-only event log, the idempotency keys, and the counter that
//! hands out incident numbers. The file is in WAL mode, so readers never wait for the
//! writer; writers queue with `BEGIN IMMEDIATE` and a busy timeout, which makes the store
//! safe for several threads and several processes on the same file.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use incident_core::{Actor, Channel, Command, Desk, DeskConfig, NewIncident, Role};
//! use incident_store_sqlite::SqliteRepository;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("incidents.db");
//! let now = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
//! let ann = Actor::new("ann", Role::EndUser);
//!
//! let desk = Desk::new(SqliteRepository::open(&path).unwrap(), DeskConfig::default());
//! let report = NewIncident::new("Mail is down", Channel::Portal, 1, 2);
//! let opened = desk.open(&ann, Command::Open(report), now).unwrap();
//! drop(desk);
//!
//! // A second process (or run) sees the first one's incidents.
//! let again = Desk::new(SqliteRepository::open(&path).unwrap(), DeskConfig::default());
//! assert_eq!(again.incident_by_number("INC0000001").unwrap(), opened);
//! ```
//!
//! Opening checks that the file is an incident store (`PRAGMA application_id`) of a schema
//! this library knows (`PRAGMA user_version`) before writing anything: another
//! application's database is [`Error::Corrupt`], a newer schema
//! [`Error::IncompatibleSchema`], and neither is modified. Older schemas are migrated.
#![deny(missing_docs)]

mod codec;
mod error;
mod pool;
mod schema;

use std::path::{Path, PathBuf};
use std::time::Duration;

use incident_core::{
    Commit, Error, Event, IdempotencyRecord, Incident, IncidentId, IncidentQuery, Repository,
    Result, State,
};
use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior};

use crate::codec::{from_json, key_reused, nanos, to_json, version};
use crate::error::{is_unique_violation, map};
use crate::pool::Pool;
pub use crate::schema::{APPLICATION_ID, SCHEMA_VERSION};
use incident_core::repo::{BatchWrite as Write, plan_batch};

/// How hard a commit is pushed to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// `synchronous = FULL`: a commit survives a power loss once `save` returns. The default.
    #[default]
    Full,
    /// `synchronous = NORMAL`: a commit survives a crash of the process, but the last ones
    /// may be lost on power loss; several times faster for many small commits.
    Normal,
}

/// Options for [`SqliteRepository::open_with`].
///
/// Every connection also gets a 64 MiB page cache, a 256 MiB memory map of the file and a
/// WAL checkpoint every 8192 pages: together they took the replay of the published log
/// (25 000 incidents, 200 000 events) from 11 s to under 4 s. The memory map means an I/O
/// error while reading the file ends the process with SIGBUS instead of returning
/// [`Error::Storage`], the usual trade-off of memory-mapped SQLite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteOptions {
    /// How long a writer waits for another writer (thread or process) before the call
    /// fails with [`Error::Unavailable`]. Default 5 s.
    pub busy_timeout: Duration,
    /// Most connections open at once, i.e. how many threads read in parallel. Default 8.
    pub max_connections: usize,
    /// Commit durability. Default [`Durability::Full`].
    pub durability: Durability,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            busy_timeout: Duration::from_secs(5),
            max_connections: 8,
            durability: Durability::Full,
        }
    }
}

/// A [`Repository`] in one SQLite file (or in memory).
///
/// Cheap to share: wrap it in an `Arc` and hand it to every thread; each call borrows one
/// of a few pooled connections (a SQLite connection cannot be used by two threads at once).
/// Reads run in parallel beside the writer (WAL); writes take SQLite's write lock with
/// `BEGIN IMMEDIATE` and wait up to the busy timeout for it, whether the other writer is a
/// thread of this process or another process, so both cases go through the same path.
/// The version check and the write happen inside that one transaction.
///
/// Stricter than the in-memory store in two ways: an incident number belongs to one
/// incident (saving another incident under it is [`Error::Validation`] on `number`), and a
/// batch that uses one idempotency key twice is refused whole.
#[derive(Debug)]
pub struct SqliteRepository {
    pool: Pool,
    path: Option<PathBuf>,
}

impl SqliteRepository {
    /// Opens (or creates) the store in a file, with the default options.
    ///
    /// # Errors
    /// [`Error::Corrupt`] for a file that is not SQLite or is another application's
    /// database, [`Error::IncompatibleSchema`] for a schema newer than this library,
    /// [`Error::Storage`] when the file cannot be opened or created,
    /// [`Error::Unavailable`] when another process holds the write lock too long.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_with(path, SqliteOptions::default())
    }

    /// Opens (or creates) the store in a file.
    ///
    /// # Errors
    /// As [`SqliteRepository::open`].
    pub fn open_with(path: impl AsRef<Path>, options: SqliteOptions) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let opener = {
            let path = path.clone();
            let options = options.clone();
            move || connect(&path, &options)
        };
        let mut first = opener()?;
        schema::prepare(&mut first, true)?;
        tracing::debug!(path = %path.display(), "sqlite store opened");

        Ok(SqliteRepository {
            pool: Pool::new(first, options.max_connections, Box::new(opener)),
            path: Some(path),
        })
    }

    /// A store in memory, private to this value: for tests and tools. Calls are served one
    /// at a time by its single connection.
    ///
    /// # Errors
    /// [`Error::Storage`] if SQLite cannot allocate the database.
    pub fn open_in_memory() -> Result<Self> {
        let mut conn = Connection::open_in_memory().map_err(map)?;
        schema::prepare(&mut conn, false)?;
        let refuse = || {
            Err(Error::Storage {
                message: "an in-memory store has a single connection".into(),
            })
        };
        Ok(SqliteRepository {
            pool: Pool::new(conn, 1, Box::new(refuse)),
            path: None,
        })
    }

    /// The file, or `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Checks the file: SQLite's own `integrity_check` (pages, indexes), then that every
    /// incident's event count matches its log.
    ///
    /// # Errors
    /// [`Error::Corrupt`] with the first problems found; store failures.
    pub fn integrity_check(&self) -> Result<()> {
        let conn = self.pool.get()?;
        let mut statement = conn.prepare("PRAGMA integrity_check").map_err(map)?;
        let problems: Vec<String> = statement
            .query_map([], |r| r.get(0))
            .map_err(map)?
            .collect::<rusqlite::Result<_>>()
            .map_err(map)?;
        if problems != ["ok"] {
            return Err(Error::Corrupt {
                detail: format!("integrity check: {}", problems.join("; ")),
            });
        }

        let mismatch: Option<String> = conn
            .query_row(
                "SELECT number FROM incidents i WHERE event_count != \
                 (SELECT count(*) FROM incident_events e WHERE e.incident_id = i.id) LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(map)?;
        match mismatch {
            Some(number) => Err(Error::Corrupt {
                detail: format!("incident {number}: snapshot and event log disagree"),
            }),
            None => Ok(()),
        }
    }

    fn write<T>(&self, body: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.pool.get()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(map)?;
        let value = body(&tx)?;
        tx.commit().map_err(map)?;
        Ok(value)
    }

    fn snapshot(&self, sql: &str, key: Value) -> Result<Option<Incident>> {
        let conn = self.pool.get()?;
        let mut statement = conn.prepare_cached(sql).map_err(map)?;
        let row: Option<(String, String)> = statement
            .query_row([key], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .map_err(map)?;
        row.map(|(number, text)| from_json(&format!("snapshot of {number}"), &text))
            .transpose()
    }
}

fn connect(path: &Path, options: &SqliteOptions) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| Error::Storage {
        message: format!("cannot open {}: {e}", path.display()),
    })?;
    conn.busy_timeout(options.busy_timeout).map_err(map)?;
    let synchronous = match options.durability {
        Durability::Full => "FULL",
        Durability::Normal => "NORMAL",
    };
    conn.execute_batch(&format!(
        "PRAGMA synchronous = {synchronous}; PRAGMA cache_size = -65536; \
         PRAGMA wal_autocheckpoint = 8192; PRAGMA mmap_size = 268435456;"
    ))
    .map_err(map)?;
    conn.set_prepared_statement_cache_capacity(32);
    Ok(conn)
}

fn id_bytes(id: IncidentId) -> Vec<u8> {
    id.0.as_bytes().to_vec()
}

/// Stores one incident's merged commits inside an open transaction.
fn apply(tx: &Transaction<'_>, write: &Write<'_>) -> Result<()> {
    let incident = write.incident;
    let id = id_bytes(incident.id);
    let added = write.events.len() as i64;
    let snapshot = to_json(incident)?;
    let columns = (
        incident.number.as_str(),
        version(incident.version)?,
        incident.state.as_str(),
        incident.assignment_group.as_ref().map(|g| g.as_str()),
        incident.assignee.as_ref().map(|a| a.as_str()),
        incident.caller.as_str(),
        incident.major,
        incident.auto_close_at.map(nanos),
    );

    let written = if write.expected_version == 0 {
        let mut insert = tx
            .prepare_cached(
                "INSERT INTO incidents (id, number, version, state, workgroup, assignee, \
                 caller, major, auto_close_at, event_count, snapshot) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .map_err(map)?;
        let (number, ver, state, group, assignee, caller, major, due) = columns;
        let params = rusqlite::params![
            id, number, ver, state, group, assignee, caller, major, due, added, snapshot
        ];
        let inserted = match insert.execute(params) {
            Ok(rows) => rows == 1,
            Err(e) if is_unique_violation(&e) => return Err(number_taken(number)),
            Err(e) => return Err(map(e)),
        };
        // A number from elsewhere (an import) moves the counter past it.
        if let Some(n) = incident_core::decide::parse_incident_number(number).filter(|_| inserted) {
            let n = i64::try_from(n).unwrap_or(i64::MAX);
            tx.prepare_cached(
                "UPDATE counters SET value = max(value, ?1) WHERE name = 'incident_number'",
            )
            .map_err(map)?
            .execute([n])
            .map_err(map)?;
        }
        inserted.then_some(0)
    } else {
        let mut update = tx
            .prepare_cached(
                "UPDATE incidents SET number = ?2, version = ?3, state = ?4, workgroup = ?5, \
                 assignee = ?6, caller = ?7, major = ?8, auto_close_at = ?9, \
                 event_count = event_count + ?10, snapshot = ?11 \
                 WHERE id = ?1 AND version = ?12 RETURNING event_count - ?10",
            )
            .map_err(map)?;
        let (number, ver, state, group, assignee, caller, major, due) = columns;
        let expected = version(write.expected_version)?;
        let params = rusqlite::params![
            id, number, ver, state, group, assignee, caller, major, due, added, snapshot, expected
        ];
        match update.query_row(params, |r| r.get::<_, i64>(0)).optional() {
            Ok(before) => before,
            Err(e) if is_unique_violation(&e) => return Err(number_taken(number)),
            Err(e) => return Err(map(e)),
        }
    };
    let Some(before) = written else {
        return Err(conflict(tx, incident.id, write.expected_version));
    };

    let mut append = tx
        .prepare_cached(
            "INSERT INTO incident_events (incident_id, seq, version, body) \
             VALUES (?1, ?2, ?3, ?4)",
        )
        .map_err(map)?;
    for (offset, event) in write.events.iter().enumerate() {
        let seq = before + offset as i64 + 1;
        let params = rusqlite::params![id, seq, version(event.version)?, to_json(event)?];
        append.execute(params).map_err(map)?;
    }

    let mut remember = tx
        .prepare_cached(
            "INSERT INTO idempotency_keys (key, incident_id, version, digest) \
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT (key) DO NOTHING",
        )
        .map_err(map)?;
    for record in &write.keys {
        let params = rusqlite::params![
            record.key,
            id_bytes(record.incident),
            version(record.version)?,
            record.digest
        ];
        if remember.execute(params).map_err(map)? == 0 {
            return Err(key_reused(&record.key));
        }
    }
    Ok(())
}

/// The conflict for a write that found another version (or no incident, version 0).
fn conflict(tx: &Transaction<'_>, id: IncidentId, expected: u64) -> Error {
    let actual: Result<Option<i64>> = tx
        .query_row(
            "SELECT version FROM incidents WHERE id = ?1",
            [id_bytes(id)],
            |r| r.get(0),
        )
        .optional()
        .map_err(map);
    match actual {
        Ok(actual) => {
            let actual = actual.unwrap_or(0) as u64;
            tracing::debug!(%id, expected, actual, "sqlite store version conflict");
            Error::Conflict {
                incident: id,
                expected,
                actual,
            }
        }
        Err(e) => e,
    }
}

fn number_taken(number: &str) -> Error {
    Error::Validation {
        field: "number".into(),
        reason: format!("{number} belongs to another incident"),
    }
}

impl Repository for SqliteRepository {
    fn load(&self, id: IncidentId) -> Result<Option<Incident>> {
        self.snapshot(
            "SELECT number, snapshot FROM incidents WHERE id = ?1",
            Value::Blob(id_bytes(id)),
        )
    }

    fn load_by_number(&self, number: &str) -> Result<Option<Incident>> {
        self.snapshot(
            "SELECT number, snapshot FROM incidents WHERE number = ?1",
            Value::Text(number.to_owned()),
        )
    }

    fn save(&self, commit: Commit<'_>) -> Result<()> {
        self.save_batch(std::slice::from_ref(&commit))
    }

    fn save_batch(&self, commits: &[Commit<'_>]) -> Result<()> {
        let writes = plan_batch(commits)?;
        if writes.is_empty() {
            return Ok(());
        }
        self.write(|tx| writes.iter().try_for_each(|w| apply(tx, w)))
    }

    fn events(&self, id: IncidentId) -> Result<Vec<Event>> {
        let conn = self.pool.get()?;
        let mut statement = conn
            .prepare_cached(
                "SELECT seq, body FROM incident_events WHERE incident_id = ?1 ORDER BY seq",
            )
            .map_err(map)?;
        let rows = statement
            .query_map([id_bytes(id)], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(map)?;
        rows.map(|row| {
            let (seq, body) = row.map_err(map)?;
            from_json(&format!("event {seq} of incident {id}"), &body)
        })
        .collect()
    }

    fn next_number(&self) -> Result<u64> {
        let number: i64 = self.write(|tx| {
            tx.query_row(
                "UPDATE counters SET value = value + 1 WHERE name = 'incident_number' \
                 RETURNING value",
                [],
                |r| r.get(0),
            )
            .map_err(map)
        })?;
        Ok(number as u64)
    }

    fn idempotency(&self, key: &str) -> Result<Option<IdempotencyRecord>> {
        let conn = self.pool.get()?;
        let mut statement = conn
            .prepare_cached(
                "SELECT incident_id, version, digest FROM idempotency_keys WHERE key = ?1",
            )
            .map_err(map)?;
        let row: Option<(Vec<u8>, i64, String)> = statement
            .query_row([key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()
            .map_err(map)?;
        row.map(|(id, version, digest)| {
            let id = uuid::Uuid::from_slice(&id).map_err(|e| Error::Corrupt {
                detail: format!("idempotency key {key:?}: bad incident id: {e}"),
            })?;
            Ok(IdempotencyRecord {
                key: key.to_owned(),
                incident: IncidentId(id),
                version: version as u64,
                digest,
            })
        })
        .transpose()
    }

    fn query(&self, query: &IncidentQuery) -> Result<Vec<Incident>> {
        let mut sql = String::from("SELECT number, snapshot FROM incidents WHERE 1 = 1");
        let mut params: Vec<Value> = Vec::new();
        let mut bind = |sql: &mut String, clause: &str, value: Value| {
            params.push(value);
            sql.push_str(&clause.replace('?', &format!("?{}", params.len())));
        };
        if !query.states.is_empty() {
            sql.push_str(" AND state IN (");
            for (i, state) in query.states.iter().enumerate() {
                let clause = if i == 0 { "?" } else { ", ?" };
                bind(&mut sql, clause, Value::Text(state.as_str().to_owned()));
            }
            sql.push(')');
        }
        if let Some(group) = &query.workgroup {
            bind(
                &mut sql,
                " AND workgroup = ?",
                Value::Text(group.to_string()),
            );
        }
        if let Some(assignee) = &query.assignee {
            bind(
                &mut sql,
                " AND assignee = ?",
                Value::Text(assignee.to_string()),
            );
        }
        if let Some(caller) = &query.caller {
            bind(&mut sql, " AND caller = ?", Value::Text(caller.to_string()));
        }
        if let Some(major) = query.major {
            bind(&mut sql, " AND major = ?", Value::Integer(i64::from(major)));
        }
        if let Some(by) = query.auto_close_due_by {
            let resolved = State::Resolved.as_str();
            sql.push_str(&format!(
                " AND state = '{resolved}' AND auto_close_at IS NOT NULL"
            ));
            bind(
                &mut sql,
                " AND auto_close_at <= ?",
                Value::Integer(nanos(by)),
            );
        }
        sql.push_str(" ORDER BY number");
        if let Some(limit) = query.limit {
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            bind(&mut sql, " LIMIT ?", Value::Integer(limit));
        }

        let conn = self.pool.get()?;
        let mut statement = conn.prepare_cached(&sql).map_err(map)?;
        let rows = statement
            .query_map(rusqlite::params_from_iter(params), |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(map)?;
        let mut found = Vec::new();
        for row in rows {
            let (number, text) = row.map_err(map)?;
            let incident: Incident = from_json(&format!("snapshot of {number}"), &text)?;
            // The columns mirror the snapshot; re-checking keeps the core's semantics the
            // reference even for criteria added to the query later.
            if query.matches(&incident) {
                found.push(incident);
            }
        }
        Ok(found)
    }
}
