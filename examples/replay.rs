//! Replays a ServiceNow incident export through incident-core and reports what it found.
//!
//! ```text
//! cargo run --release --example replay -- [FILE] [--json] [--strict] [--matrix ROWS]
//!                                         [--store memory|sqlite:PATH|postgres:URL]
//! ```
//!
//! FILE defaults to the published UCI log at `../shared/data/incident_event_log.csv.gz`; when
//! it is absent the example says it skipped and exits successfully. `--matrix 1,2,3/2,3,4/3,4,4`
//! gives the instance's priority matrix (impact rows, urgency columns); without it the matrix
//! is derived from the export. `--json` prints the whole report as one JSON object.

use std::fs::File;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use incident_core::{InMemoryRepository, PriorityMatrix, Repository};
use incident_import::instance::learn_priority_matrix;
use incident_import::{Export, ExportReader, Mode, ReplayOptions, replay};
use incident_store_postgres::PostgresRepository;
use incident_store_sqlite::SqliteRepository;
use indicatif::{ProgressBar, ProgressStyle};

/// Prints a line; a closed stdout (`| head`) ends the program quietly instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if writeln!(std::io::stdout(), $($arg)*).is_err() {
            std::process::exit(0);
        }
    }};
}

/// The published log, relative to the repository root.
const DEFAULT_LOG: &str = "../shared/data/incident_event_log.csv.gz";

struct Args {
    file: PathBuf,
    explicit_file: bool,
    json: bool,
    mode: Mode,
    matrix: Option<PriorityMatrix>,
    store: String,
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            eprintln!(
                "usage: replay [FILE] [--json] [--strict] [--matrix 1,2,3/2,3,4/3,4,4] \
                 [--store memory|sqlite:PATH|postgres:URL]"
            );
            return ExitCode::from(2);
        }
    };
    if !args.file.exists() && !args.explicit_file {
        say!("skipped: {} not found", args.file.display());
        return ExitCode::SUCCESS;
    }
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("replay failed: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    let store = open_store(&args.store)?;

    let started = Instant::now();
    let export = read_with_progress(args)?;
    let read_time = started.elapsed();

    let learned = learn_priority_matrix(&export.rows);
    let matrix = args
        .matrix
        .clone()
        .or_else(|| learned.as_ref().map(|l| l.matrix.clone()));
    let options = ReplayOptions {
        mode: args.mode,
        priority_matrix: matrix,
        ..Default::default()
    };

    let started = Instant::now();
    let report = replay(&export, store.as_ref(), &options).map_err(|e| e.to_string())?;
    let replay_time = started.elapsed();

    if args.json {
        let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        say!("{json}");
        return Ok(());
    }

    say!("{report}");
    say!(
        "priority matrix    {:?} (impact rows x urgency columns)",
        report.priority_matrix
    );
    if let Some(learned) = learned.filter(|_| args.matrix.is_none()) {
        say!(
            "  derived from the export; cells no row shows: {:?}",
            learned.unobserved
        );
        say!("  cells whose rows disagree: {}", learned.conflicts.len());
    }
    let rows_per_second = report.rows as f64 / replay_time.as_secs_f64().max(1e-9);
    say!(
        "read {:.2} s, replay {:.2} s ({:.0} rows/s, {:.0} events/s) into the {} store",
        read_time.as_secs_f64(),
        replay_time.as_secs_f64(),
        rows_per_second,
        report.events as f64 / replay_time.as_secs_f64().max(1e-9),
        args.store
    );
    Ok(())
}

/// Reads the export, with a progress bar over the file's bytes when stderr is a terminal.
fn read_with_progress(args: &Args) -> Result<Export, String> {
    let file = File::open(&args.file).map_err(|e| format!("{}: {e}", args.file.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(size);
        let style = ProgressStyle::with_template(
            "reading {bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
        )
        .map_err(|e| e.to_string())?;
        bar.set_style(style);
        bar
    } else {
        ProgressBar::hidden()
    };

    let reader = ExportReader::from_reader(bar.wrap_read(file)).map_err(|e| e.to_string())?;
    let export = Export::read(reader, args.mode).map_err(|e| e.to_string());
    bar.finish_and_clear();
    export
}

/// The repository the replay writes to: `memory`, `sqlite:PATH` (a file, created if
/// missing) or `postgres:URL` (a `postgres://` URL).
fn open_store(spec: &str) -> Result<Box<dyn Repository>, String> {
    match spec
        .split_once(':')
        .map_or((spec, ""), |(kind, rest)| (kind, rest))
    {
        ("memory", _) => Ok(Box::new(InMemoryRepository::new())),
        ("sqlite", path) if !path.is_empty() => SqliteRepository::open(path)
            .map(|store| Box::new(store) as Box<dyn Repository>)
            .map_err(|e| format!("{spec}: {e}")),
        ("postgres", url) if !url.is_empty() => PostgresRepository::open(url)
            .map(|store| Box::new(store) as Box<dyn Repository>)
            .map_err(|e| format!("{spec}: {e}")),
        _ => Err(format!(
            "unknown store {spec:?}: use memory, sqlite:PATH or postgres:URL"
        )),
    }
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        file: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_LOG),
        explicit_file: false,
        json: false,
        mode: Mode::Lenient,
        matrix: None,
        store: "memory".to_owned(),
    };
    let mut words = std::env::args().skip(1);
    while let Some(word) = words.next() {
        match word.as_str() {
            "--json" => args.json = true,
            "--strict" => args.mode = Mode::Strict,
            "--matrix" => {
                let text = words.next().ok_or("--matrix needs a value")?;
                args.matrix = Some(parse_matrix(&text)?);
            }
            "--store" => args.store = words.next().ok_or("--store needs a value")?,
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            file => {
                args.file = PathBuf::from(file);
                args.explicit_file = true;
            }
        }
    }
    Ok(args)
}

/// Parses `1,2,3/2,3,4/3,4,4`: impact rows separated by `/`, priorities by `,`.
fn parse_matrix(text: &str) -> Result<PriorityMatrix, String> {
    let rows = text
        .split('/')
        .map(|row| {
            row.split(',')
                .map(|cell| cell.trim().parse::<u8>())
                .collect()
        })
        .collect::<Result<Vec<Vec<u8>>, _>>()
        .map_err(|e| format!("--matrix {text:?}: {e}"))?;
    PriorityMatrix::new(rows).map_err(|e| format!("--matrix {text:?}: {e}"))
}
