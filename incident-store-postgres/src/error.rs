//! Mapping PostgreSQL's errors onto the core's error kinds, once.

use incident_core::Error;
use postgres::error::SqlState;

/// Maps a PostgreSQL error: a lost or refused connection, a server shutting down, and the
/// transient serialisation failures are [`Error::Unavailable`] (the same call may work
/// later); everything else is [`Error::Storage`].
pub(crate) fn map(error: postgres::Error) -> Error {
    if is_unavailable(&error) {
        tracing::warn!(%error, "postgres store unavailable");
        return Error::Unavailable {
            message: describe(&error),
        };
    }
    Error::Storage {
        message: describe(&error),
    }
}

fn describe(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => error.to_string(),
    }
}

fn is_unavailable(error: &postgres::Error) -> bool {
    if let Some(db) = error.as_db_error() {
        let code = db.code();
        return code.code().starts_with("08")
            || [
                SqlState::ADMIN_SHUTDOWN,
                SqlState::CRASH_SHUTDOWN,
                SqlState::CANNOT_CONNECT_NOW,
                SqlState::TOO_MANY_CONNECTIONS,
                SqlState::T_R_SERIALIZATION_FAILURE,
                SqlState::T_R_DEADLOCK_DETECTED,
            ]
            .contains(code);
    }
    // No server answer at all: the socket broke, or the connection could not be made.
    error.is_closed()
        || error.code().is_none() && {
            let mut source = std::error::Error::source(error);
            let mut io = false;
            while let Some(cause) = source {
                io |= cause.is::<std::io::Error>();
                source = cause.source();
            }
            io || error.to_string().contains("connect")
        }
}

/// Whether the error is a UNIQUE violation (a taken number).
pub(crate) fn is_unique_violation(error: &postgres::Error) -> bool {
    error.code() == Some(&SqlState::UNIQUE_VIOLATION)
}

/// The pool could not hand out a connection in time: the server is down or saturated.
pub(crate) fn pool(error: r2d2::Error) -> Error {
    tracing::warn!(%error, "postgres store: no connection");
    Error::Unavailable {
        message: format!("no connection to PostgreSQL: {error}"),
    }
}
