//! Bad data and lost connections on PostgreSQL. Every test but the first needs a server
//! (`INCIDENT_PG_URL`) and prints a skip line without one.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use chrono::Duration as Span;
use incident_core::{
    Channel, Command, Commit, Desk, DeskConfig, Error, IncidentId, IncidentQuery, NewIncident,
    Repository, Submission,
};
use incident_store_contract::{admin, assert_log_holds_exactly, commented, opened, t0};
use incident_store_postgres::{PostgresOptions, PostgresRepository, SCHEMA_VERSION};
use postgres::{Client, NoTls};

/// A plain client in `schema`, to look at or damage the store behind its back.
fn admin_client(url: &str, schema: &str) -> Client {
    let mut client = Client::connect(url, NoTls).expect("the test server is reachable");
    client
        .batch_execute(&format!(
            "CREATE SCHEMA IF NOT EXISTS {schema}; SET search_path = {schema}"
        ))
        .unwrap();
    client
}

fn save_opened(repo: &PostgresRepository, n: u64) -> incident_core::Incident {
    let (incident, events) = opened(n, t0());
    let commit = Commit::new_incident(&incident, &events);
    repo.save(commit).unwrap();
    incident
}

#[test]
fn an_unreachable_server_is_unavailable() {
    let options = PostgresOptions {
        connect_timeout: Duration::from_secs(2),
        ..PostgresOptions::default()
    };
    // Port 1 on the loopback: nothing listens there, the connection is refused at once.
    let result = PostgresRepository::open_with("postgres://nobody@127.0.0.1:1/none", options);
    assert!(
        matches!(result, Err(Error::Unavailable { .. })),
        "{result:?}"
    );
    assert!(matches!(
        PostgresRepository::open("no url at all"),
        Err(Error::Validation { .. })
    ));
}

#[test]
fn another_applications_tables_are_corrupt_and_untouched() {
    let Some(url) = common::url() else { return };
    let schema = common::fresh_schema();
    let mut client = admin_client(&url, &schema);
    client
        .batch_execute("CREATE TABLE incidents (ticket int); INSERT INTO incidents VALUES (7)")
        .unwrap();

    let options = PostgresOptions {
        schema: Some(schema.clone()),
        ..PostgresOptions::default()
    };
    match PostgresRepository::open_with(&url, options) {
        Err(Error::Corrupt { detail }) => assert!(detail.contains("another application")),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    let rows = client.query("SELECT ticket FROM incidents", &[]).unwrap();
    assert_eq!(rows.len(), 1);
    let tables = client
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = $1",
            &[&schema],
        )
        .unwrap();
    assert_eq!(tables.get::<_, i64>(0), 1, "nothing created beside it");
}

#[test]
fn a_newer_schema_is_incompatible_and_untouched() {
    let Some(url) = common::url() else { return };
    let schema = common::fresh_schema();
    drop(common::open_in(&url, &schema));
    let mut client = admin_client(&url, &schema);
    let newer = (SCHEMA_VERSION + 1).to_string();
    client
        .execute(
            "UPDATE incident_store_meta SET value = $1 WHERE key = 'schema_version'",
            &[&newer],
        )
        .unwrap();

    let options = PostgresOptions {
        schema: Some(schema),
        ..PostgresOptions::default()
    };
    match PostgresRepository::open_with(&url, options) {
        Err(Error::IncompatibleSchema { found, supported }) => {
            assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
        }
        other => panic!("expected IncompatibleSchema, got {other:?}"),
    }
    let row = client
        .query_one(
            "SELECT value FROM incident_store_meta WHERE key = 'schema_version'",
            &[],
        )
        .unwrap();
    assert_eq!(row.get::<_, String>(0), newer);
}

#[test]
fn corrupt_rows_are_typed_errors() {
    let Some(url) = common::url() else { return };
    let schema = common::fresh_schema();
    let repo = common::open_in(&url, &schema);
    let damaged = save_opened(&repo, 1);
    let healthy = save_opened(&repo, 2);
    let mut client = admin_client(&url, &schema);
    client
        .execute(
            "UPDATE incidents SET snapshot = '{\"id\": 42}' WHERE id = $1",
            &[&damaged.id.0],
        )
        .unwrap();
    client
        .execute(
            "INSERT INTO incident_events (incident_id, seq, version, body) \
             VALUES ($1, 99, 2, '\"not an event\"')",
            &[&damaged.id.0],
        )
        .unwrap();

    let is_corrupt = |r: Result<(), Error>| matches!(r, Err(Error::Corrupt { .. }));
    assert!(is_corrupt(repo.load(damaged.id).map(drop)));
    assert!(is_corrupt(repo.load_by_number(&damaged.number).map(drop)));
    assert!(is_corrupt(repo.query(&IncidentQuery::default()).map(drop)));
    assert!(is_corrupt(repo.events(damaged.id).map(drop)));
    assert!(is_corrupt(repo.integrity_check()));
    assert_eq!(repo.load(healthy.id).unwrap(), Some(healthy));
}

/// The store's connection is killed while its transaction waits on a lock, after the
/// snapshot was updated and before the events were appended: a typed error, nothing of the
/// commit kept, and the next call works.
#[test]
fn a_connection_killed_mid_commit_leaves_nothing_half_written() {
    let Some(url) = common::url() else { return };
    let schema = common::fresh_schema();
    let options = PostgresOptions {
        schema: Some(schema.clone()),
        pool_size: 1,
        ..PostgresOptions::default()
    };
    let repo = Arc::new(PostgresRepository::open_with(&url, options).unwrap());
    let incident = save_opened(&repo, 1);
    // Warm up: the one pooled connection prepares every statement of a save.
    let (warm, warm_events) = commented(&incident, "warm", t0() + Span::minutes(1));
    let commit = Commit {
        incident: &warm,
        expected_version: 1,
        events: &warm_events,
        idempotency: None,
    };
    repo.save(commit).unwrap();

    let mut blocker = admin_client(&url, &schema);
    let mut lock = blocker.transaction().unwrap();
    lock.batch_execute("LOCK TABLE incident_events IN ACCESS EXCLUSIVE MODE")
        .unwrap();

    let writer = {
        let repo = Arc::clone(&repo);
        let warm = warm.clone();
        thread::spawn(move || {
            let (next, events) = commented(&warm, "lost", t0() + Span::minutes(2));
            let commit = Commit {
                incident: &next,
                expected_version: 2,
                events: &events,
                idempotency: None,
            };
            repo.save(commit)
        })
    };

    // Find the writer's backend waiting for the lock, and kill it.
    let mut watcher = admin_client(&url, &schema);
    let mut killed = false;
    for _ in 0..1_500 {
        let rows = watcher
            .query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO incident_events%'",
                &[],
            )
            .unwrap();
        if !rows.is_empty() {
            killed = true;
            break;
        }
        thread::sleep(Duration::from_millis(20));
    }
    assert!(killed, "the writer never waited on the lock");
    let result = writer.join().unwrap();
    assert!(
        matches!(result, Err(Error::Unavailable { .. })),
        "{result:?}"
    );
    lock.rollback().unwrap();

    // Nothing of the killed commit, and the store works again.
    assert_eq!(repo.load(incident.id).unwrap().as_ref(), Some(&warm));
    assert_eq!(repo.events(incident.id).unwrap().len(), 2);
    let (next, events) = commented(&warm, "after", t0() + Span::minutes(3));
    let commit = Commit {
        incident: &next,
        expected_version: 2,
        events: &events,
        idempotency: None,
    };
    repo.save(commit).unwrap();
    assert_eq!(repo.load(incident.id).unwrap(), Some(next));
    repo.integrity_check().unwrap();
}

/// Threads comment through desks while their backends are terminated again and again; with
/// idempotency keys, a retry after a lost connection never applies a command twice.
#[test]
fn backends_terminated_under_load_lose_and_duplicate_nothing() {
    let Some(url) = common::url() else { return };
    let app = common::fresh_schema();
    let separator = if url.contains('?') { '&' } else { '?' };
    let tagged = format!("{url}{separator}application_name={app}");
    let repo = common::open_in(&tagged, &app);
    let desk = Arc::new(Desk::new(repo, DeskConfig::default()));
    let ids: Vec<IncidentId> = (0..3)
        .map(|n| {
            let report = NewIncident::new(format!("Shared {n}"), Channel::Phone, 3, 3);
            desk.open(&admin(), Command::Open(report), t0()).unwrap().id
        })
        .collect();

    let done = Arc::new(AtomicBool::new(false));
    let lost = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..4)
        .map(|worker| {
            let (desk, ids, lost) = (Arc::clone(&desk), ids.clone(), Arc::clone(&lost));
            thread::spawn(move || {
                let mut accepted = Vec::new();
                for i in 0..30 {
                    let id = ids[i % ids.len()];
                    let text = format!("worker {worker} comment {i}");
                    let mut submission =
                        Submission::new(Some(id), Command::Comment { text: text.clone() });
                    submission.idempotency_key = Some(text.clone());
                    loop {
                        match desk.submit(&admin(), submission.clone(), t0() + Span::days(1)) {
                            Ok(_) => break,
                            Err(Error::Unavailable { .. }) => {
                                lost.fetch_add(1, Ordering::Relaxed);
                            }
                            Err(Error::Conflict { .. }) => thread::yield_now(),
                            Err(e) => panic!("refused: {e}"),
                        }
                    }
                    accepted.push((id, text));
                }
                accepted
            })
        })
        .collect();

    let killer = {
        let done = Arc::clone(&done);
        thread::spawn(move || {
            let mut client = Client::connect(&url, NoTls).unwrap();
            let mut rounds = 0;
            while !done.load(Ordering::Relaxed) && rounds < 200 {
                client
                    .execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                         WHERE application_name = $1 AND pid <> pg_backend_pid()",
                        &[&app],
                    )
                    .unwrap();
                rounds += 1;
                thread::sleep(Duration::from_millis(15));
            }
        })
    };

    let mut accepted: HashMap<IncidentId, Vec<String>> = HashMap::new();
    for worker in workers {
        for (id, text) in worker.join().unwrap() {
            accepted.entry(id).or_default().push(text);
        }
    }
    done.store(true, Ordering::Relaxed);
    killer.join().unwrap();

    eprintln!(
        "terminated backends: {} calls failed with Unavailable and were retried",
        lost.load(Ordering::Relaxed)
    );
    assert_log_holds_exactly(desk.repository(), &accepted);
    desk.repository().integrity_check().unwrap();
}

/// Two repositories on one database, as two application servers would be: commands race
/// through both, and no update is lost.
#[test]
fn two_application_servers_lose_no_update() {
    let Some(url) = common::url() else { return };
    let schema = common::fresh_schema();
    let servers = [
        Arc::new(Desk::new(
            common::open_in(&url, &schema),
            DeskConfig::default(),
        )),
        Arc::new(Desk::new(
            common::open_in(&url, &schema),
            DeskConfig::default(),
        )),
    ];
    let ids: Vec<IncidentId> = (0..2)
        .map(|n| {
            let report = NewIncident::new(format!("Shared {n}"), Channel::Phone, 3, 3);
            servers[n]
                .open(&admin(), Command::Open(report), t0())
                .unwrap()
                .id
        })
        .collect();
    let numbers: Vec<_> = ids
        .iter()
        .map(|id| servers[0].incident(*id).unwrap().number)
        .collect();
    assert_ne!(numbers[0], numbers[1], "one sequence for both servers");

    let workers: Vec<_> = (0..4)
        .map(|worker| {
            let desk = Arc::clone(&servers[worker % 2]);
            let ids = ids.clone();
            thread::spawn(move || incident_store_contract::comment_in_loop(&desk, &ids, worker, 20))
        })
        .collect();
    let mut accepted: HashMap<IncidentId, Vec<String>> = HashMap::new();
    for worker in workers {
        for (id, text) in worker.join().unwrap() {
            accepted.entry(id).or_default().push(text);
        }
    }
    assert_log_holds_exactly(servers[1].repository(), &accepted);
    servers[0].repository().integrity_check().unwrap();
}

/// Servers starting together on an empty database migrate it once, and all open.
#[test]
fn servers_starting_together_migrate_once() {
    let Some(url) = common::url() else { return };
    let schema = common::fresh_schema();
    let starters: Vec<_> = (0..4)
        .map(|_| {
            let (url, schema) = (url.clone(), schema.clone());
            thread::spawn(move || {
                let options = PostgresOptions {
                    schema: Some(schema),
                    pool_size: 1,
                    ..PostgresOptions::default()
                };
                PostgresRepository::open_with(&url, options).map(drop)
            })
        })
        .collect();
    for starter in starters {
        starter.join().unwrap().unwrap();
    }
    let mut client = admin_client(&url, &schema);
    let row = client
        .query_one(
            "SELECT value FROM incident_store_meta WHERE key = 'schema_version'",
            &[],
        )
        .unwrap();
    assert_eq!(row.get::<_, String>(0), SCHEMA_VERSION.to_string());
}
