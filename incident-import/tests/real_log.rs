//! Reads and replays the published ServiceNow log when it is present at
//! `../shared/data/incident_event_log.csv.gz` (relative to the workspace root), and skips with a
//! message otherwise.

use std::path::PathBuf;
use std::sync::OnceLock;

use incident_core::{InMemoryRepository, Repository};
use incident_import::instance::{learn_priority_matrix, uci_instance_matrix};
use incident_import::{
    Error, Export, ExportHoldReason, ExportReader, ExportState, Mode, ReplayOptions,
    UnreadableReason, replay,
};

/// The real log, or `None` (after saying so) when this checkout has no data beside it.
fn real_log() -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/incident_event_log.csv.gz");
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipped: {} not found", path.display());
        None
    }
}

/// The real log read once for the tests that replay it (reading it takes a while in debug).
fn real_export() -> Option<&'static Export> {
    static EXPORT: OnceLock<Option<Export>> = OnceLock::new();
    EXPORT
        .get_or_init(|| real_log().map(|path| Export::open(path, Mode::Lenient).unwrap()))
        .as_ref()
}

#[test]
fn every_row_of_the_real_log_reads_except_the_minus_100_states() {
    let Some(path) = real_log() else { return };

    let mut rows = 0;
    let mut unreadable = Vec::new();
    let mut awaiting_evidence = 0;
    for item in ExportReader::open(&path).unwrap() {
        match item {
            Ok(row) => {
                rows += 1;
                let evidence = ExportHoldReason::Other("Awaiting Evidence".into());
                if row.state == ExportState::OnHold(evidence) {
                    awaiting_evidence += 1;
                }
            }
            Err(Error::Unreadable(u)) => unreadable.push(u),
            Err(other) => panic!("{other}"),
        }
    }

    assert_eq!(rows + unreadable.len(), 141_712);
    assert_eq!(unreadable.len(), 5);
    assert_eq!(awaiting_evidence, 38);
    for u in &unreadable {
        assert!(
            matches!(&u.reason, UnreadableReason::BadValue { column, value, .. }
                if column == "incident_state" && value == "-100"),
            "{u}"
        );
    }
    assert_eq!(unreadable[0].line, 115_643);
}

#[test]
fn the_real_log_replays_with_priority_and_reopen_agreement() {
    let Some(export) = real_export() else { return };

    let learned = learn_priority_matrix(&export.rows).unwrap();
    assert_eq!(learned.matrix, uci_instance_matrix());
    assert!(learned.conflicts.is_empty(), "{:?}", learned.conflicts);

    let store = InMemoryRepository::new();
    let options = ReplayOptions {
        priority_matrix: Some(uci_instance_matrix()),
        ..Default::default()
    };
    let report = replay(export, &store, &options).unwrap();
    eprintln!("{report}");

    assert_eq!(
        (report.incidents, report.rows, report.rows_unreadable),
        (24_918, 141_707, 5)
    );
    assert_eq!(
        report.priority_mismatches, 0,
        "{:?}",
        report.priority_mismatch_details
    );
    assert_eq!(
        report.reopen_count_mismatches, 0,
        "{:?}",
        report.reopen_mismatch_details
    );
    assert_eq!(store.len(), 24_918);

    // The log reopens 12 closed incidents, which the default lifecycle refuses.
    assert_eq!(report.anomalies.get("reopen/reopen_window"), Some(&12));
    assert!(
        report
            .anomaly_details
            .iter()
            .all(|a| a.line > 1 && a.number.starts_with("INC"))
    );

    let reopened = store
        .load_by_number("INC0000519")
        .unwrap()
        .expect("replayed");
    let events = store.events(reopened.id).unwrap();
    assert_eq!(incident_core::Incident::replay(&events).unwrap(), reopened);
}

#[test]
fn a_strict_replay_of_the_real_log_stops_at_its_first_unreadable_row() {
    let Some(export) = real_export() else { return };

    let strict = ReplayOptions {
        mode: Mode::Strict,
        ..ReplayOptions::default()
    };
    let error = replay(export, &InMemoryRepository::new(), &strict).unwrap_err();
    assert!(matches!(error, Error::Unreadable(u) if u.line == 115_643));

    let readable = Export {
        rows: export.rows.clone(),
        unreadable: Vec::new(),
    };
    let error = replay(&readable, &InMemoryRepository::new(), &strict).unwrap_err();
    assert!(matches!(&error, Error::Refused(a) if a.line > 1), "{error}");
}
