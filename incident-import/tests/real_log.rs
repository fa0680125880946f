//! Reads and replays the published ServiceNow log when it is present at
//! `../shared/data/incident_event_log.csv.gz` (relative to the workspace root), and skips with a
//! message otherwise.

use std::path::PathBuf;

use incident_import::{Error, ExportReader, ExportState, UnreadableReason};

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
                if matches!(row.state, ExportState::OnHold(incident_import::ExportHoldReason::Other(ref r)) if r == "Awaiting Evidence")
                {
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
    let Some(path) = real_log() else { return };

    let export = incident_import::Export::open(&path, incident_import::Mode::Lenient).unwrap();
    let store = incident_core::InMemoryRepository::new();
    let options = incident_import::ReplayOptions {
        priority_matrix: Some(incident_import::instance::uci_instance_matrix()),
        ..Default::default()
    };
    let report = incident_import::replay(&export, &store, &options).unwrap();
    eprintln!("{report}");
    for m in &report.reopen_mismatch_details {
        eprintln!("{m:?}");
    }
    for a in report.anomaly_details.iter().take(40) {
        eprintln!("{a}");
    }
    assert_eq!(report.incidents, 24_918);
    assert_eq!(report.priority_mismatches, 0);
}
