//! Importer rows: any bytes, read as the data rows of a ServiceNow export (under the published
//! log's header) and as a whole export (with their own header), either fail with a typed error
//! or read into rows that replay through the core in lenient mode without a panic.
#![cfg_attr(fuzzing, no_main)]

use incident_core::InMemoryRepository;
use incident_import::{Error, Export, ExportReader, Mode, ReplayOptions, replay};

include!("shim.rs");

/// The header of the published UCI log.
const HEADER: &str = "number,incident_state,active,reassignment_count,reopen_count,\
sys_mod_count,made_sla,caller_id,opened_by,opened_at,sys_created_by,sys_created_at,\
sys_updated_by,sys_updated_at,contact_type,location,category,subcategory,u_symptom,cmdb_ci,\
impact,urgency,priority,assignment_group,assigned_to,knowledge,u_priority_confirmation,notify,\
problem_id,rfc,vendor,caused_by,closed_code,resolved_by,resolved_at,closed_at\n";

fn check(data: &[u8]) {
    let mut under_header = HEADER.as_bytes().to_vec();
    under_header.extend_from_slice(data);
    read_and_replay(&under_header);
    read_and_replay(data);
}

fn read_and_replay(source: &[u8]) {
    let reader = match ExportReader::from_reader(source) {
        Ok(reader) => reader,
        Err(Error::Header { .. } | Error::Io { .. }) => return,
        Err(other) => panic!("unexpected error before the first row: {other}"),
    };
    let export = match Export::read(reader, Mode::Lenient) {
        Ok(export) => export,
        Err(Error::Io { .. }) => return,
        Err(other) => panic!("lenient reading returned {other}"),
    };
    for row in &export.rows {
        assert!(!row.number.is_empty(), "a row always has a number");
    }

    let store = InMemoryRepository::new();
    let report = replay(&export, &store, &ReplayOptions::default()).expect("lenient replay");
    assert_eq!(report.rows_unreadable, export.unreadable.len() as u64);
    assert!(report.incidents <= export.rows.len() as u64);

    let strict = ReplayOptions { mode: Mode::Strict, ..ReplayOptions::default() };
    match replay(&export, &InMemoryRepository::new(), &strict) {
        Ok(_) | Err(Error::Refused(_) | Error::Unreadable(_)) => {}
        Err(other) => panic!("strict replay returned {other}"),
    }
}

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| check(data));
