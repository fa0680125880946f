//! Replay of ServiceNow exports into a desk's store.

use incident_import::{Export, ExportReader, Mode, ReplayOptions, replay};

use crate::desk::Store;

/// The importer's errors, as the core's kinds, so that the one mapping in `error.rs` covers
/// them: unreadable files are storage failures, malformed exports validation errors.
pub(crate) fn core_error(error: incident_import::Error) -> incident_core::Error {
    use incident_import::Error as E;
    match error {
        E::Store(inner) => inner,
        E::Io { message } => incident_core::Error::Storage { message },
        other => incident_core::Error::Validation {
            field: "export".into(),
            reason: other.to_string(),
        },
    }
}

/// Reads an export file (CSV or gzip) and replays it into `store`; the report as JSON.
///
/// # Errors
/// As [`core_error`] of the importer's errors.
pub(crate) fn replay_file(
    store: &Store,
    path: &str,
    options_json: Option<&str>,
) -> Result<String, incident_core::Error> {
    let options: ReplayOptions = match options_json {
        Some(json) => crate::convert::from_json("options", json)?,
        None => ReplayOptions::default(),
    };
    let mode: Mode = options.mode;
    let reader = ExportReader::open(path).map_err(core_error)?;
    let export = Export::read(reader, mode).map_err(core_error)?;
    let report = replay(&export, store, &options).map_err(core_error)?;
    crate::convert::to_json(&report)
}
