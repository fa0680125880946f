//! Mapping SQLite's errors onto the core's error kinds, once.

use incident_core::Error;
use rusqlite::ErrorCode;

/// Maps a SQLite error onto the core's kinds: a lock held longer than the busy timeout is
/// [`Error::Unavailable`] (retryable), a damaged or foreign file is [`Error::Corrupt`], the
/// rest is [`Error::Storage`].
pub(crate) fn map(error: rusqlite::Error) -> Error {
    let code = match &error {
        rusqlite::Error::SqliteFailure(failure, _) => Some(failure.code),
        _ => None,
    };
    match code {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            tracing::warn!(%error, "sqlite store busy");
            Error::Unavailable {
                message: format!("the database is locked by another writer: {error}"),
            }
        }
        Some(ErrorCode::NotADatabase) => Error::Corrupt {
            detail: format!("not a SQLite database: {error}"),
        },
        Some(ErrorCode::DatabaseCorrupt) => Error::Corrupt {
            detail: format!("the SQLite file is damaged: {error}"),
        },
        _ => Error::Storage {
            message: error.to_string(),
        },
    }
}

/// Whether the error is a UNIQUE constraint failure (a taken number).
pub(crate) fn is_unique_violation(error: &rusqlite::Error) -> bool {
    matches!(
        error,
        rusqlite::Error::SqliteFailure(failure, _)
            if failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
    )
}
