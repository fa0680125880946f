//! Files that are not ours, schemas from the future, corrupt rows: each a typed error, and
//! nothing overwritten.

use chrono::Duration;
use incident_core::{Commit, Error, IncidentQuery, Repository};
use incident_store_contract::{commented, opened, t0};
use incident_store_sqlite::{SCHEMA_VERSION, SqliteRepository};

fn temp_file(dir: &tempfile::TempDir, name: &str) -> std::path::PathBuf {
    dir.path().join(name)
}

fn files_in(dir: &tempfile::TempDir) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_file_that_is_not_sqlite_is_corrupt_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = temp_file(&dir, "notes.db");
    let text = "These are my notes, not a database. ".repeat(100);
    std::fs::write(&path, &text).unwrap();

    match SqliteRepository::open(&path) {
        Err(Error::Corrupt { detail }) => assert!(detail.contains("not a SQLite database")),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    assert_eq!(files_in(&dir), ["notes.db"]);
}

#[test]
fn another_applications_database_is_corrupt_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = temp_file(&dir, "shop.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);
             INSERT INTO customers (name) VALUES ('Ada');",
        )
        .unwrap();
    }
    let before = std::fs::read(&path).unwrap();

    match SqliteRepository::open(&path) {
        Err(Error::Corrupt { detail }) => assert!(detail.contains("another application")),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(files_in(&dir), ["shop.db"]);
}

#[test]
fn a_newer_schema_is_incompatible_and_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = temp_file(&dir, "incidents.db");
    drop(SqliteRepository::open(&path).unwrap());
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        // Leave WAL so the file alone holds everything, and compare it byte for byte.
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    }
    let before = std::fs::read(&path).unwrap();

    match SqliteRepository::open(&path) {
        Err(Error::IncompatibleSchema { found, supported }) => {
            assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
        }
        other => panic!("expected IncompatibleSchema, got {other:?}"),
    }
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn reopening_keeps_everything_and_migrates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = temp_file(&dir, "incidents.db");
    let (incident, events) = opened(1, t0());
    {
        let repo = SqliteRepository::open(&path).unwrap();
        let commit = Commit::new_incident(&incident, &events);
        repo.save(commit).unwrap();
        assert_eq!(repo.next_number().unwrap(), 2, "INC0000001 is taken");
    }
    let repo = SqliteRepository::open(&path).unwrap();
    assert_eq!(repo.load(incident.id).unwrap(), Some(incident));
    assert_eq!(repo.next_number().unwrap(), 3);
    repo.integrity_check().unwrap();
}

#[test]
fn a_folder_that_does_not_exist_is_a_storage_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing").join("incidents.db");
    assert!(matches!(
        SqliteRepository::open(path),
        Err(Error::Storage { .. })
    ));
}

#[test]
fn corrupt_rows_are_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = temp_file(&dir, "incidents.db");
    let repo = SqliteRepository::open(&path).unwrap();
    let (incident, events) = opened(1, t0());
    let commit = Commit::new_incident(&incident, &events);
    repo.save(commit).unwrap();
    let (healthy, healthy_events) = opened(2, t0());
    let commit = Commit::new_incident(&healthy, &healthy_events);
    repo.save(commit).unwrap();

    // Damage the snapshot and append an unreadable event behind the store's back.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute(
            "UPDATE incidents SET snapshot = '{\"id\": 42' WHERE number = ?1",
            [incident.number.as_str()],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO incident_events (incident_id, seq, version, body) \
             VALUES (?1, 99, 2, 'not json')",
            [incident.id.0.as_bytes().to_vec()],
        )
        .unwrap();
    }

    let is_corrupt = |r: Result<_, Error>| matches!(r, Err(Error::Corrupt { .. }));
    assert!(is_corrupt(repo.load(incident.id).map(drop)));
    assert!(is_corrupt(repo.load_by_number(&incident.number).map(drop)));
    assert!(is_corrupt(repo.query(&IncidentQuery::default()).map(drop)));
    assert!(is_corrupt(repo.events(incident.id).map(drop)));
    match repo.integrity_check() {
        Err(Error::Corrupt { detail }) => assert!(detail.contains(incident.number.as_str())),
        other => panic!("expected Corrupt, got {other:?}"),
    }

    // The damage stays where it is: the other incident still works, fully.
    assert_eq!(repo.load(healthy.id).unwrap().as_ref(), Some(&healthy));
    let (next, next_events) = commented(&healthy, "still fine", t0() + Duration::minutes(1));
    let commit = Commit {
        incident: &next,
        expected_version: 1,
        events: &next_events,
        idempotency: None,
    };
    repo.save(commit).unwrap();
    assert_eq!(repo.load(healthy.id).unwrap(), Some(next));
}

#[test]
fn the_event_log_is_append_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = temp_file(&dir, "incidents.db");
    let repo = SqliteRepository::open(&path).unwrap();
    let (incident, events) = opened(1, t0());
    let commit = Commit::new_incident(&incident, &events);
    repo.save(commit).unwrap();

    let conn = rusqlite::Connection::open(&path).unwrap();
    assert!(conn.execute("DELETE FROM incident_events", []).is_err());
    assert!(
        conn.execute("UPDATE incident_events SET body = '{}'", [])
            .is_err()
    );
    assert_eq!(repo.events(incident.id).unwrap(), events);
}

#[test]
fn stores_opening_a_new_file_together_migrate_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = temp_file(&dir, "incidents.db");
    let openers: Vec<_> = (0..6)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || SqliteRepository::open(path).map(drop))
        })
        .collect();
    for opener in openers {
        opener.join().unwrap().unwrap();
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    SqliteRepository::open(&path)
        .unwrap()
        .integrity_check()
        .unwrap();
}
