//! Test helpers: a fresh schema per repository on the server named by `INCIDENT_PG_URL`.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

use incident_store_postgres::{PostgresOptions, PostgresRepository};

/// The server's URL, or `None` (with a skip line) when `INCIDENT_PG_URL` is unset.
pub fn url() -> Option<String> {
    match std::env::var("INCIDENT_PG_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            eprintln!(
                "skipped: INCIDENT_PG_URL is not set (start a server with \
                 `source .ci/postgres.sh start`)"
            );
            None
        }
    }
}

/// A schema name no other test (or earlier run) uses.
pub fn fresh_schema() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "t_{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

/// A repository in a schema of its own.
pub fn fresh_repository() -> Option<PostgresRepository> {
    let url = url()?;
    Some(open_in(&url, &fresh_schema()))
}

/// A repository in `schema` (created if missing).
pub fn open_in(url: &str, schema: &str) -> PostgresRepository {
    let options = PostgresOptions {
        schema: Some(schema.to_owned()),
        pool_size: 4,
        ..PostgresOptions::default()
    };
    PostgresRepository::open_with(url, options).expect("the test server is reachable")
}
