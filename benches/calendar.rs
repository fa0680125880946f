//! Calendar arithmetic over a one-year span with holidays (the workload's calendar:
//! Mon-Fri 08:00-18:00 Europe/Amsterdam, eight holidays, two DST changes).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use incident_suite::workload::calendar;

/// 2026-01-01T00:00:00Z and 2027-01-01T00:00:00Z.
const YEAR_START: i64 = 1_767_225_600;
const YEAR_END: i64 = 1_798_761_600;

fn calendar_year(c: &mut Criterion) {
    let office = calendar().expect("workload calendar");
    let total = office
        .business_seconds(YEAR_START, YEAR_END)
        .expect("in range");
    let mut group = c.benchmark_group("calendar_one_year");

    group.bench_function("between_whole_year", |b| {
        b.iter(|| office.business_seconds(black_box(YEAR_START), black_box(YEAR_END)))
    });
    group.bench_function("add_whole_year", |b| {
        b.iter(|| office.add_business_seconds(black_box(YEAR_START), black_box(total)))
    });
    group.bench_function("sub_whole_year", |b| {
        b.iter(|| office.add_business_seconds(black_box(YEAR_END), black_box(-total)))
    });
    // 1,000 spans of 0 to 3 days spread over the year, as SLA clocks see them.
    let spans: Vec<(i64, i64)> = (0..1000i64)
        .map(|i| {
            let from = YEAR_START + i * 31_536;
            (from, from + (i * 7_919) % 259_200)
        })
        .collect();
    group.bench_function("between_1000_short_spans", |b| {
        b.iter(|| {
            spans
                .iter()
                .map(|&(f, t)| office.business_seconds(f, t).unwrap_or(0))
                .sum::<i64>()
        })
    });
    group.bench_function("is_working_1000", |b| {
        b.iter(|| {
            spans
                .iter()
                .filter(|&&(f, _)| {
                    office
                        .is_working(chrono::DateTime::from_timestamp(f, 0).unwrap_or_default())
                        .unwrap_or(false)
                })
                .count()
        })
    });
    group.bench_function("compile_and_first_query", |b| {
        b.iter(|| calendar().and_then(|c| c.business_seconds(YEAR_START, YEAR_END)))
    });
    group.finish();
}

criterion_group!(benches, calendar_year);
criterion_main!(benches);
