//! The lifecycle workload through the core (one thread), and its calendar arithmetic alone.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use incident_suite::workload::{Workload, arithmetic_only};

const INCIDENTS: u64 = 10_000;

fn workload(c: &mut Criterion) {
    let workload = Workload::new().expect("workload configuration");
    let mut group = c.benchmark_group("workload");
    group.throughput(Throughput::Elements(INCIDENTS));
    group.bench_function("core_lifecycle_10k", |b| {
        b.iter(|| workload.run(INCIDENTS).expect("workload runs"))
    });
    group.bench_function("calendar_arithmetic_10k", |b| {
        b.iter(|| arithmetic_only(INCIDENTS).expect("workload runs"))
    });
    group.finish();
}

criterion_group!(benches, workload);
criterion_main!(benches);
