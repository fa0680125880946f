//! SQLite store speed: one command's round trip through a desk (load, decide, save),
//! batched saves, and the replay of the published ServiceNow log (skipped when absent).
//!
//! `cargo bench -p incident-store-sqlite`; `-- --test` runs each once.

use std::path::PathBuf;

use chrono::Duration;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use incident_core::{
    Command, Commit, Desk, DeskConfig, Event, InMemoryRepository, Incident, Repository,
};
use incident_import::{Export, Mode, ReplayOptions, replay};
use incident_store_contract::{admin, opened, t0};
use incident_store_sqlite::{Durability, SqliteOptions, SqliteRepository};

fn store(dir: &tempfile::TempDir, name: &str, durability: Durability) -> SqliteRepository {
    let options = SqliteOptions {
        durability,
        ..SqliteOptions::default()
    };
    SqliteRepository::open_with(dir.path().join(name), options).expect("opens")
}

/// One command on one incident per iteration, through a desk: load, decide, save.
fn round_trip<R: Repository>(c: &mut Criterion, name: &str, repository: R) {
    let desk = Desk::new(repository, DeskConfig::default());
    let (incident, events) = opened(1, t0());
    let commit = Commit::new_incident(&incident, &events);
    desk.repository().save(commit).unwrap();
    let at = t0() + Duration::days(1);
    // Alternate the impact, so the snapshot keeps its size however long the bench runs.
    let mut impact = 2;
    c.bench_function(name, |b| {
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

fn bench_round_trip(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    round_trip(c, "round_trip/memory", InMemoryRepository::new());
    round_trip(
        c,
        "round_trip/sqlite_full",
        store(&dir, "full.db", Durability::Full),
    );
    round_trip(
        c,
        "round_trip/sqlite_normal",
        store(&dir, "normal.db", Durability::Normal),
    );
}

/// Saves 100 new incidents in one `save_batch` per iteration.
fn bench_batch(c: &mut Criterion) {
    const BATCH: usize = 100;
    let dir = tempfile::tempdir().unwrap();
    let repository = store(&dir, "batch.db", Durability::Full);
    let mut group = c.benchmark_group("save_batch");
    group.throughput(Throughput::Elements(BATCH as u64));
    let mut next = 0u64;
    group.bench_function("sqlite_100_new_incidents", |b| {
        b.iter_batched(
            || -> Vec<(Incident, Vec<Event>)> {
                let numbers = next..next + BATCH as u64;
                next += BATCH as u64;
                numbers.map(|n| opened(n + 1, t0())).collect()
            },
            |tracks| {
                let commits: Vec<Commit<'_>> = tracks
                    .iter()
                    .map(|(incident, events)| Commit::new_incident(incident, events))
                    .collect();
                repository.save_batch(&commits).unwrap()
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

fn real_log() -> Option<Export> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/incident_event_log.csv.gz");
    if !path.exists() {
        println!("skipped: {} not found", path.display());
        return None;
    }
    Some(Export::open(&path, Mode::Lenient).expect("the published log reads"))
}

/// The whole published log replayed into a new SQLite file per iteration.
fn bench_replay(c: &mut Criterion) {
    let Some(export) = real_log() else { return };
    let options = ReplayOptions::default();
    let events = replay(&export, &InMemoryRepository::new(), &options)
        .unwrap()
        .events;
    let mut group = c.benchmark_group("real_log_replay");
    group.sample_size(10);
    group.throughput(Throughput::Elements(events));
    group.bench_function("memory", |b| {
        b.iter(|| replay(&export, &InMemoryRepository::new(), &options).unwrap())
    });
    // The default durability: the replay saves in batches, so it syncs once per batch.
    {
        let durability = Durability::Full;
        group.bench_function("sqlite", |b| {
            b.iter_batched(
                || {
                    let dir = tempfile::tempdir().unwrap();
                    let repository = store(&dir, "replay.db", durability);
                    (dir, repository)
                },
                |(dir, repository)| {
                    let report = replay(&export, &repository, &options).unwrap();
                    drop(repository);
                    drop(dir);
                    report
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, bench_round_trip, bench_batch, bench_replay);
criterion_main!(benches);
