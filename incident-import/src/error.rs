//! The importer's error type.

use crate::report::Anomaly;
use crate::row::Unreadable;

/// Everything that can stop or interrupt an import.
///
/// In lenient mode only [`Error::Io`] and [`Error::Header`] end an import; unreadable rows and
/// refused transitions are counted in the report instead.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The export could not be read at all (missing file, truncated gzip stream, ...).
    #[error("cannot read the export: {message}")]
    Io {
        /// The underlying I/O error, as text (kept owned so the error is `Clone`).
        message: String,
    },
    /// The export's header lacks a column the replay cannot do without.
    #[error("the export's header has no column {missing:?}")]
    Header {
        /// The ServiceNow name of the missing column.
        missing: String,
    },
    /// A row could not be read; in strict mode this ends the import.
    #[error("unreadable row at {0}")]
    Unreadable(Unreadable),
    /// Strict mode: the lifecycle refused a transition the export records.
    #[error("refused at {0}")]
    Refused(Anomaly),
    /// The repository failed while saving or loading an incident.
    #[error("repository: {0}")]
    Store(incident_core::Error),
}

impl Error {
    /// A stable code per variant, for bindings that expose errors by code (as the core's
    /// [`incident_core::Error::code`] does); a repository failure keeps the core's code.
    ///
    /// ```
    /// let error = incident_import::Error::Header { missing: "number".into() };
    /// assert_eq!(error.code(), "ERR_IMPORT_HEADER");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Error::Io { .. } => "ERR_IMPORT_IO",
            Error::Header { .. } => "ERR_IMPORT_HEADER",
            Error::Unreadable(_) => "ERR_IMPORT_UNREADABLE",
            Error::Refused(_) => "ERR_IMPORT_REFUSED",
            Error::Store(error) => error.code(),
        }
    }
}
