//! Replay of the published ServiceNow log (`../shared/data/incident_event_log.csv.gz`), in
//! events per second: reading (parsing decompressed CSV held in memory) and replaying the rows
//! through the core into an in-memory repository. Freeing the results is left out of both
//! measurements. Skips with a message when the log is absent.

use std::io::Read;
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use incident_core::InMemoryRepository;
use incident_import::instance::uci_instance_matrix;
use incident_import::{Export, ExportReader, Mode, ReplayOptions, replay};

fn real_log() -> Option<Vec<u8>> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/incident_event_log.csv.gz");
    let Ok(file) = std::fs::File::open(&path) else {
        println!("skipped: {} not found", path.display());
        return None;
    };
    let mut csv = Vec::new();
    decompress(file, &mut csv)?;
    Some(csv)
}

/// Decompresses through the importer's own gzip detection, so the bench needs no extra crate.
fn decompress(file: std::fs::File, out: &mut Vec<u8>) -> Option<()> {
    let mut reader = incident_import::reader::decompressed(file).ok()?;
    reader.read_to_end(out).ok()?;
    Some(())
}

fn bench_replay(c: &mut Criterion) {
    let Some(csv) = real_log() else { return };
    let export = Export::read(ExportReader::from_reader(&csv[..]).unwrap(), Mode::Lenient).unwrap();
    let options = ReplayOptions {
        priority_matrix: Some(uci_instance_matrix()),
        ..ReplayOptions::default()
    };
    let events = replay(&export, &InMemoryRepository::new(), &options)
        .unwrap()
        .events;

    let mut group = c.benchmark_group("real_log");
    group.sample_size(10);

    group.throughput(Throughput::Elements(export.rows.len() as u64));
    group.bench_function("read_rows", |b| {
        b.iter_with_large_drop(|| {
            let reader = ExportReader::from_reader(&csv[..]).unwrap();
            Export::read(reader, Mode::Lenient).unwrap()
        })
    });

    group.throughput(Throughput::Elements(events));
    // The filled repository is returned so that freeing it stays out of the measurement: the
    // figure is the replay (decide, apply, save), not the allocator tearing 200k events down.
    group.bench_function("replay_events", |b| {
        b.iter_with_large_drop(|| {
            let store = InMemoryRepository::new();
            let report = replay(&export, &store, &options).unwrap();
            (report, store)
        })
    });
    group.finish();
}

criterion_group!(benches, bench_replay);
criterion_main!(benches);
