//! PostgreSQL store speed: one command's round trip through a desk (load, decide, save),
//! batched saves, and the replay of the published ServiceNow log. Needs `INCIDENT_PG_URL`
//! (e.g. `source .ci/postgres.sh start`); skipped without it, and the replay is skipped
//! when the log is absent.
//!
//! `cargo bench -p incident-store-postgres`; `-- --test` runs each once.

use std::path::PathBuf;

use chrono::Duration;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use incident_core::{Command, Commit, Desk, DeskConfig, Event, InMemoryRepository, Incident};
use incident_import::{Export, Mode, ReplayOptions, replay};
use incident_store_contract::{admin, opened, t0};
use incident_store_postgres::{PostgresOptions, PostgresRepository};

fn url() -> Option<String> {
    let url = std::env::var("INCIDENT_PG_URL")
        .ok()
        .filter(|u| !u.is_empty());
    if url.is_none() {
        println!("skipped: INCIDENT_PG_URL is not set");
    }
    url
}

/// A repository in a new schema of its own.
fn store(url: &str) -> PostgresRepository {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let schema = format!(
        "bench_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let options = PostgresOptions {
        schema: Some(schema),
        ..PostgresOptions::default()
    };
    PostgresRepository::open_with(url, options).expect("the bench server is reachable")
}

/// One command on one incident per iteration, through a desk: load, decide, save.
fn bench_round_trip(c: &mut Criterion) {
    let Some(url) = url() else { return };
    let desk = Desk::new(store(&url), DeskConfig::default());
    let (incident, events) = opened(1, t0());
    let commit = Commit::new_incident(&incident, &events);
    incident_core::Repository::save(desk.repository(), commit).unwrap();
    let at = t0() + Duration::days(1);
    // Alternate the impact, so the snapshot keeps its size however long the bench runs.
    let mut impact = 2;
    c.bench_function("round_trip/postgres", |b| {
        b.iter(|| {
            impact = 5 - impact;
            let command = Command::SetImpactUrgency {
                impact: Some(impact),
                urgency: None,
            };
            desk.execute(&admin(), incident.id, command, at).unwrap()
        })
    });
}

/// Saves 100 new incidents in one `save_batch` per iteration.
fn bench_batch(c: &mut Criterion) {
    const BATCH: u64 = 100;
    let Some(url) = url() else { return };
    let repository = store(&url);
    let mut group = c.benchmark_group("save_batch");
    group.throughput(Throughput::Elements(BATCH));
    let mut next = 0u64;
    group.bench_function("postgres_100_new_incidents", |b| {
        b.iter_batched(
            || -> Vec<(Incident, Vec<Event>)> {
                let numbers = next..next + BATCH;
                next += BATCH;
                numbers.map(|n| opened(n + 1, t0())).collect()
            },
            |tracks| {
                let commits: Vec<Commit<'_>> = tracks
                    .iter()
                    .map(|(incident, events)| Commit::new_incident(incident, events))
                    .collect();
                incident_core::Repository::save_batch(&repository, &commits).unwrap()
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

/// The whole published log replayed into a new schema per iteration.
fn bench_replay(c: &mut Criterion) {
    let Some(url) = url() else { return };
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/incident_event_log.csv.gz");
    if !path.exists() {
        println!("skipped: {} not found", path.display());
        return;
    }
    let export = Export::open(&path, Mode::Lenient).expect("the published log reads");
    let options = ReplayOptions::default();
    let events = replay(&export, &InMemoryRepository::new(), &options)
        .unwrap()
        .events;
    let mut group = c.benchmark_group("real_log_replay");
    group.sample_size(10);
    group.throughput(Throughput::Elements(events));
    group.bench_function("postgres", |b| {
        b.iter_batched(
            || store(&url),
            |repository| replay(&export, &repository, &options).unwrap(),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, bench_round_trip, bench_batch, bench_replay);
criterion_main!(benches);
