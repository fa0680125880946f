//! The PostgreSQL store of incident-core, for deployments that outgrow one machine: many
//! application servers against one database, read replicas for reports.
//!
//! The layout follows the SQLite store: a snapshot per incident (JSON) beside the columns
//! the queries filter on, an append-only event log, the idempotency keys, and a sequence
//! for incident numbers. Versions are checked optimistically, in the `UPDATE`'s `WHERE`
//! clause, so no row is locked while a command is decided; a lost race is
//! [`Error::Conflict`]. A lost connection is [`Error::Unavailable`]: the transaction is
//! rolled back by the server, and the next call gets a fresh connection from the pool.
//!
//! ```no_run
//! use incident_core::{Desk, DeskConfig};
//! use incident_store_postgres::PostgresRepository;
//!
//! let url = std::env::var("INCIDENT_PG_URL").unwrap();
//! let desk = Desk::new(PostgresRepository::open(&url)?, DeskConfig::default());
//! # Ok::<(), incident_core::Error>(())
//! ```
//!
//! To keep the tables in their own schema, add `options=-csearch_path%3Dname` to the URL or
//! set [`PostgresOptions::schema`].
#![deny(missing_docs)]

mod codec;
mod error;
mod schema;

use std::collections::HashMap;
use std::time::Duration;

use incident_core::decide::parse_incident_number;
use incident_core::{
    Commit, Error, Event, IdempotencyRecord, Incident, IncidentId, IncidentQuery, Repository,
    Result, State,
};
use postgres::types::ToSql;
use postgres::{Client, NoTls, Statement, Transaction};
use uuid::Uuid;

use crate::codec::{from_json, key_reused, nanos, to_json, version};
use crate::error::{is_unique_violation, map};
pub use crate::schema::{APPLICATION, SCHEMA_VERSION};
use incident_core::repo::{BatchWrite as Write, plan_batch};

/// Options for [`PostgresRepository::open_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostgresOptions {
    /// Most connections open at once. Default 8.
    pub pool_size: u32,
    /// How long to wait for a connection (new or from the pool) before a call fails with
    /// [`Error::Unavailable`]. Default 5 s.
    pub connect_timeout: Duration,
    /// A schema to keep the tables in (created if missing); `None` uses the connection's
    /// `search_path`. Letters, digits and `_` only.
    pub schema: Option<String>,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        PostgresOptions {
            pool_size: 8,
            connect_timeout: Duration::from_secs(5),
            schema: None,
        }
    }
}

/// A [`Repository`] in a PostgreSQL database, over a pool of connections.
///
/// Share one value between threads (it is `Sync`); each call borrows a pooled connection,
/// checked with a round trip first so that connections the server dropped are replaced
/// rather than failing the call.
///
/// Stricter than the in-memory store in two ways: an incident number belongs to one
/// incident (saving another incident under it is [`Error::Validation`] on `number`), and a
/// batch that uses one idempotency key twice is refused whole.
pub struct PostgresRepository {
    pool: r2d2::Pool<Manager>,
}

impl std::fmt::Debug for PostgresRepository {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresRepository")
            .field("state", &self.pool.state())
            .finish()
    }
}

/// A pooled connection with the statements it has prepared.
struct Session {
    client: Client,
    statements: HashMap<String, Statement>,
}

impl Session {
    /// The prepared statement for `sql`, prepared on first use on this connection.
    fn prepared(&mut self, sql: &str) -> Result<Statement> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(sql).map_err(map)?;
        if self.statements.len() >= 64 {
            self.statements.clear();
        }
        self.statements.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }
}

struct Manager {
    config: postgres::Config,
}

impl r2d2::ManageConnection for Manager {
    type Connection = Session;
    type Error = postgres::Error;

    fn connect(&self) -> std::result::Result<Session, postgres::Error> {
        Ok(Session {
            client: self.config.connect(NoTls)?,
            statements: HashMap::new(),
        })
    }

    /// A round trip before each use, so that connections the server dropped (restart,
    /// `pg_terminate_backend`) are replaced before a call, not failed by it.
    fn is_valid(&self, session: &mut Session) -> std::result::Result<(), postgres::Error> {
        session.client.simple_query("").map(drop)
    }

    fn has_broken(&self, session: &mut Session) -> bool {
        session.client.is_closed()
    }
}

impl PostgresRepository {
    /// Connects to the database at `url` (`postgres://user@host:port/db`), checks that it
    /// is ours and migrates it, with the default options.
    ///
    /// # Errors
    /// [`Error::Validation`] for a malformed URL, [`Error::Unavailable`] when the server
    /// cannot be reached, [`Error::Corrupt`] when tables of the same names belong to another
    /// application, [`Error::IncompatibleSchema`] for a newer schema; [`Error::Storage`].
    pub fn open(url: &str) -> Result<Self> {
        Self::open_with(url, PostgresOptions::default())
    }

    /// Connects with options.
    ///
    /// # Errors
    /// As [`PostgresRepository::open`].
    pub fn open_with(url: &str, options: PostgresOptions) -> Result<Self> {
        let mut config: postgres::Config = url.parse().map_err(|e| Error::Validation {
            field: "url".into(),
            reason: format!("not a PostgreSQL URL: {e}"),
        })?;
        config.connect_timeout(options.connect_timeout);
        if let Some(schema) = &options.schema {
            if schema.is_empty()
                || !schema
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                return Err(Error::Validation {
                    field: "schema".into(),
                    reason: format!("{schema:?}: letters, digits and _ only"),
                });
            }
            config.options(&format!("-c search_path={schema}"));
        }

        let pool = r2d2::Pool::builder()
            .max_size(options.pool_size.max(1))
            .min_idle(Some(0))
            .connection_timeout(options.connect_timeout)
            .error_handler(Box::new(r2d2::NopErrorHandler))
            .build_unchecked(Manager { config });
        let repository = PostgresRepository { pool };

        let mut session = repository.session()?;
        if let Some(schema) = &options.schema {
            // Two servers starting together may both create it: the loser's duplicate is fine.
            let sql = format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\"");
            match session.client.batch_execute(&sql) {
                Ok(()) => {}
                Err(e) if is_unique_violation(&e) => {}
                Err(e) => return Err(map(e)),
            }
        }
        schema::prepare(&mut session.client)?;
        tracing::debug!("postgres store opened");
        drop(session);
        Ok(repository)
    }

    fn session(&self) -> Result<r2d2::PooledConnection<Manager>> {
        self.pool.get().map_err(error::pool)
    }

    /// Checks that every incident's event count matches its log.
    ///
    /// # Errors
    /// [`Error::Corrupt`] naming the first incident whose snapshot and log disagree;
    /// store failures.
    pub fn integrity_check(&self) -> Result<()> {
        let mut session = self.session()?;
        let row = session
            .client
            .query_opt(
                "SELECT i.number FROM incidents i LEFT JOIN \
                 (SELECT incident_id, count(*) AS n FROM incident_events GROUP BY incident_id) e \
                 ON e.incident_id = i.id WHERE i.event_count IS DISTINCT FROM coalesce(e.n, 0) \
                 LIMIT 1",
                &[],
            )
            .map_err(map)?;
        match row {
            Some(row) => Err(Error::Corrupt {
                detail: format!(
                    "incident {}: snapshot and event log disagree",
                    row.get::<_, String>(0)
                ),
            }),
            None => Ok(()),
        }
    }

    fn snapshot(&self, sql: &str, key: &(dyn ToSql + Sync)) -> Result<Option<Incident>> {
        let mut session = self.session()?;
        let statement = session.prepared(sql)?;
        let row = session.client.query_opt(&statement, &[key]).map_err(map)?;
        row.map(|row| {
            let number: String = row.get(0);
            from_json(&format!("snapshot of {number}"), row.get::<_, &str>(1))
        })
        .transpose()
    }
}

const INSERT_NEW: &str = "INSERT INTO incidents (id, number, version, state, workgroup, \
    assignee, caller, major, auto_close_at, event_count, snapshot) \
    SELECT id, number, version, state, workgroup, assignee, caller, major, auto_close_at, \
    event_count, snapshot::json FROM unnest($1::uuid[], $2::text[], $3::int8[], $4::text[], \
    $5::text[], $6::text[], $7::text[], $8::bool[], $9::int8[], $10::int8[], $11::text[]) \
    AS u(id, number, version, state, workgroup, assignee, caller, major, auto_close_at, \
    event_count, snapshot) \
    ON CONFLICT (id) DO NOTHING RETURNING id";

const UPDATE: &str = "UPDATE incidents SET number = $2, version = $3, state = $4, \
    workgroup = $5, assignee = $6, caller = $7, major = $8, auto_close_at = $9, \
    event_count = event_count + $10, snapshot = $11::text::json \
    WHERE id = $1 AND version = $12 RETURNING event_count - $10";

const APPEND: &str = "INSERT INTO incident_events (incident_id, seq, version, body) \
    SELECT i, s, v, b::json FROM unnest($1::uuid[], $2::int8[], $3::int8[], $4::text[]) \
    AS u(i, s, v, b)";

const REMEMBER: &str = "INSERT INTO idempotency_keys (key, incident_id, version, digest) \
    SELECT * FROM unnest($1::text[], $2::uuid[], $3::int8[], $4::text[]) \
    ON CONFLICT (key) DO NOTHING RETURNING key";

/// The rows of the incidents table for a group of writes, column by column.
#[derive(Default)]
struct Columns {
    id: Vec<Uuid>,
    number: Vec<String>,
    version: Vec<i64>,
    state: Vec<&'static str>,
    workgroup: Vec<Option<String>>,
    assignee: Vec<Option<String>>,
    caller: Vec<String>,
    major: Vec<bool>,
    auto_close_at: Vec<Option<i64>>,
    event_count: Vec<i64>,
    snapshot: Vec<String>,
}

impl Columns {
    fn push(&mut self, incident: &Incident, events: usize) -> Result<()> {
        self.id.push(incident.id.0);
        self.number.push(incident.number.to_string());
        self.version.push(version(incident.version)?);
        self.state.push(incident.state.as_str());
        self.workgroup
            .push(incident.assignment_group.as_ref().map(|g| g.to_string()));
        self.assignee
            .push(incident.assignee.as_ref().map(|a| a.to_string()));
        self.caller.push(incident.caller.to_string());
        self.major.push(incident.major);
        self.auto_close_at.push(incident.auto_close_at.map(nanos));
        self.event_count.push(events as i64);
        self.snapshot.push(to_json(incident)?);
        Ok(())
    }
}

/// The conflict for a write that found another version (or no incident, version 0).
fn conflict(tx: &mut Transaction<'_>, id: IncidentId, expected: u64) -> Error {
    let found = tx.query_opt("SELECT version FROM incidents WHERE id = $1", &[&id.0]);
    match found {
        Ok(row) => {
            let actual = row.map_or(0, |r| r.get::<_, i64>(0)) as u64;
            tracing::debug!(%id, expected, actual, "postgres store version conflict");
            Error::Conflict {
                incident: id,
                expected,
                actual,
            }
        }
        Err(e) => map(e),
    }
}

fn number_taken(error: postgres::Error) -> Error {
    if is_unique_violation(&error) {
        let detail = error.as_db_error().and_then(|db| db.detail()).unwrap_or("");
        return Error::Validation {
            field: "number".into(),
            reason: format!("the number belongs to another incident {detail}")
                .trim_end()
                .to_owned(),
        };
    }
    map(error)
}

fn save_writes(session: &mut Session, writes: &mut [Write<'_>]) -> Result<()> {
    let insert_new = session.prepared(INSERT_NEW)?;
    let update = session.prepared(UPDATE)?;
    let append = session.prepared(APPEND)?;
    let remember = session.prepared(REMEMBER)?;
    // Updates lock rows in id order, so concurrent batches cannot deadlock on each other.
    writes.sort_by_key(|w| (w.expected_version != 0, w.incident.id));
    let mut tx = session.client.transaction().map_err(map)?;

    // New incidents: one statement for all of them.
    let mut fresh = Columns::default();
    let mut event_rows: (Vec<Uuid>, Vec<i64>, Vec<i64>, Vec<String>) = Default::default();
    let mut first_seq: Vec<i64> = Vec::with_capacity(writes.len());
    for write in writes.iter().filter(|w| w.expected_version == 0) {
        fresh.push(write.incident, write.events.len())?;
    }
    if !fresh.id.is_empty() {
        let c = &fresh;
        let params: [&(dyn ToSql + Sync); 11] = [
            &c.id,
            &c.number,
            &c.version,
            &c.state,
            &c.workgroup,
            &c.assignee,
            &c.caller,
            &c.major,
            &c.auto_close_at,
            &c.event_count,
            &c.snapshot,
        ];
        let inserted = tx.query(&insert_new, &params).map_err(number_taken)?;
        if inserted.len() < c.id.len() {
            let done: std::collections::HashSet<Uuid> = inserted.iter().map(|r| r.get(0)).collect();
            let taken = c.id.iter().find(|id| !done.contains(id)).copied();
            let id = IncidentId(taken.unwrap_or_default());
            return Err(conflict(&mut tx, id, 0));
        }

        // Numbers from elsewhere (an import) move the sequence past them. A number handed
        // out concurrently below them can still collide; the desk then opens again.
        let imported = c
            .number
            .iter()
            .filter_map(|n| parse_incident_number(n))
            .max();
        if let Some(highest) = imported.and_then(|n| i64::try_from(n).ok()) {
            tx.execute(
                "SELECT setval('incident_numbers', $1) \
                 WHERE $1 > (SELECT last_value FROM incident_numbers)",
                &[&highest],
            )
            .map_err(map)?;
        }
    }

    // Updates: the version check is in the WHERE clause; no row is read first.
    for write in writes.iter() {
        if write.expected_version == 0 {
            first_seq.push(1);
            continue;
        }
        let mut row = Columns::default();
        row.push(write.incident, write.events.len())?;
        let expected = version(write.expected_version)?;
        let params: [&(dyn ToSql + Sync); 12] = [
            &row.id[0],
            &row.number[0],
            &row.version[0],
            &row.state[0],
            &row.workgroup[0],
            &row.assignee[0],
            &row.caller[0],
            &row.major[0],
            &row.auto_close_at[0],
            &row.event_count[0],
            &row.snapshot[0],
            &expected,
        ];
        match tx.query_opt(&update, &params).map_err(number_taken)? {
            Some(before) => first_seq.push(before.get::<_, i64>(0) + 1),
            None => return Err(conflict(&mut tx, write.incident.id, write.expected_version)),
        }
    }

    // Events and keys: one statement each.
    let mut keys: (Vec<&str>, Vec<Uuid>, Vec<i64>, Vec<&str>) = Default::default();
    for (write, first) in writes.iter().zip(first_seq) {
        for (offset, event) in write.events.iter().enumerate() {
            event_rows.0.push(write.incident.id.0);
            event_rows.1.push(first + offset as i64);
            event_rows.2.push(version(event.version)?);
            event_rows.3.push(to_json(event)?);
        }
        for record in &write.keys {
            keys.0.push(&record.key);
            keys.1.push(record.incident.0);
            keys.2.push(version(record.version)?);
            keys.3.push(&record.digest);
        }
    }
    if !event_rows.0.is_empty() {
        let (i, s, v, b) = &event_rows;
        tx.execute(&append, &[i, s, v, b]).map_err(map)?;
    }
    if !keys.0.is_empty() {
        let (k, i, v, d) = &keys;
        let stored = tx.query(&remember, &[k, i, v, d]).map_err(map)?;
        if stored.len() < k.len() {
            let done: Vec<String> = stored.iter().map(|r| r.get(0)).collect();
            let reused = k.iter().find(|key| !done.iter().any(|d| d == *key));
            return Err(key_reused(reused.copied().unwrap_or_default()));
        }
    }
    tx.commit().map_err(map)
}

impl Repository for PostgresRepository {
    fn load(&self, id: IncidentId) -> Result<Option<Incident>> {
        self.snapshot(
            "SELECT number, snapshot::text FROM incidents WHERE id = $1",
            &id.0,
        )
    }

    fn load_by_number(&self, number: &str) -> Result<Option<Incident>> {
        self.snapshot(
            "SELECT number, snapshot::text FROM incidents WHERE number = $1",
            &number,
        )
    }

    fn save(&self, commit: Commit<'_>) -> Result<()> {
        self.save_batch(std::slice::from_ref(&commit))
    }

    fn save_batch(&self, commits: &[Commit<'_>]) -> Result<()> {
        let mut writes = plan_batch(commits)?;
        if writes.is_empty() {
            return Ok(());
        }
        let mut session = self.session()?;
        save_writes(&mut session, &mut writes)
    }

    fn events(&self, id: IncidentId) -> Result<Vec<Event>> {
        let mut session = self.session()?;
        let statement = session.prepared(
            "SELECT seq, body::text FROM incident_events WHERE incident_id = $1 ORDER BY seq",
        )?;
        let rows = session.client.query(&statement, &[&id.0]).map_err(map)?;
        rows.iter()
            .map(|row| {
                let seq: i64 = row.get(0);
                from_json(
                    &format!("event {seq} of incident {id}"),
                    row.get::<_, &str>(1),
                )
            })
            .collect()
    }

    fn next_number(&self) -> Result<u64> {
        let mut session = self.session()?;
        let statement = session.prepared("SELECT nextval('incident_numbers')")?;
        let row = session.client.query_one(&statement, &[]).map_err(map)?;
        Ok(row.get::<_, i64>(0) as u64)
    }

    fn idempotency(&self, key: &str) -> Result<Option<IdempotencyRecord>> {
        let mut session = self.session()?;
        let statement = session
            .prepared("SELECT incident_id, version, digest FROM idempotency_keys WHERE key = $1")?;
        let row = session.client.query_opt(&statement, &[&key]).map_err(map)?;
        Ok(row.map(|row| IdempotencyRecord {
            key: key.to_owned(),
            incident: IncidentId(row.get(0)),
            version: row.get::<_, i64>(1) as u64,
            digest: row.get(2),
        }))
    }

    fn query(&self, query: &IncidentQuery) -> Result<Vec<Incident>> {
        let mut sql = String::from("SELECT number, snapshot::text FROM incidents WHERE true");
        let mut params: Vec<Box<dyn ToSql + Sync>> = Vec::new();
        let mut bind = |sql: &mut String, clause: &str, value: Box<dyn ToSql + Sync>| {
            params.push(value);
            sql.push_str(&clause.replace('?', &format!("${}", params.len())));
        };
        if !query.states.is_empty() {
            let states: Vec<&'static str> = query.states.iter().map(|s| s.as_str()).collect();
            bind(&mut sql, " AND state = ANY(?)", Box::new(states));
        }
        if let Some(group) = &query.workgroup {
            bind(&mut sql, " AND workgroup = ?", Box::new(group.to_string()));
        }
        if let Some(assignee) = &query.assignee {
            bind(
                &mut sql,
                " AND assignee = ?",
                Box::new(assignee.to_string()),
            );
        }
        if let Some(caller) = &query.caller {
            bind(&mut sql, " AND caller = ?", Box::new(caller.to_string()));
        }
        if let Some(major) = query.major {
            bind(&mut sql, " AND major = ?", Box::new(major));
        }
        if let Some(by) = query.auto_close_due_by {
            let resolved = State::Resolved.as_str();
            sql.push_str(&format!(
                " AND state = '{resolved}' AND auto_close_at IS NOT NULL"
            ));
            bind(&mut sql, " AND auto_close_at <= ?", Box::new(nanos(by)));
        }
        sql.push_str(" ORDER BY number");
        if let Some(limit) = query.limit {
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            bind(&mut sql, " LIMIT ?", Box::new(limit));
        }

        let mut session = self.session()?;
        let statement = session.prepared(&sql)?;
        let params: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p.as_ref()).collect();
        let rows = session.client.query(&statement, &params).map_err(map)?;
        let mut found = Vec::with_capacity(rows.len());
        for row in rows {
            let number: String = row.get(0);
            let incident: Incident = from_json(&format!("snapshot of {number}"), row.get(1))?;
            // The columns mirror the snapshot; re-checking keeps the core's semantics the
            // reference even for criteria added to the query later.
            if query.matches(&incident) {
                found.push(incident);
            }
        }
        Ok(found)
    }
}
