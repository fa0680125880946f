//! The lifecycle workload of `../shared/peers/workload.md`, run through incident-core.
//!
//! `cargo run --release --example workload -- N [--threads T] [--arithmetic]` prints the
//! same line as `oracle.py N` on stdout, and the run time on stderr. By default every
//! incident goes through the core's lifecycle (commands decided, events applied to SLA
//! clocks) on all cores; `--arithmetic` measures calendar arithmetic alone.

use std::process::ExitCode;
use std::time::Instant;

use incident_suite::workload::{Workload, arithmetic_only};

fn main() -> ExitCode {
    let mut n_given: Option<u64> = None;
    let mut threads = std::thread::available_parallelism().map_or(1, |p| p.get());
    let mut arithmetic = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--arithmetic" => arithmetic = true,
            "--threads" => match args.next().and_then(|t| t.parse().ok()) {
                Some(t) if t > 0 => threads = t,
                _ => return usage("--threads needs a number of at least 1"),
            },
            other => match other.parse() {
                Ok(value) if n_given.is_none() => n_given = Some(value),
                _ => return usage(&format!("unexpected argument {other:?}")),
            },
        }
    }

    let n = n_given.unwrap_or(80_000);

    let started = Instant::now();
    let totals = if arithmetic {
        arithmetic_only(n)
    } else {
        Workload::new().and_then(|w| w.run_parallel(n, threads))
    };
    let seconds = started.elapsed().as_secs_f64();
    match totals {
        Ok(totals) => {
            println!("{totals}");
            let mode = if arithmetic {
                "arithmetic".to_owned()
            } else {
                format!("core, {threads} threads")
            };
            eprintln!(
                "seconds={seconds:.4} incidents_per_s={:.0} ({mode})",
                n as f64 / seconds.max(1e-9)
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("workload failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("{problem}\nusage: workload [N] [--threads T] [--arithmetic]");
    ExitCode::from(2)
}
