//! Rows to and from the core's values: JSON for snapshots and events, plain columns for
//! what the queries filter on.

use chrono::{DateTime, Utc};
use incident_core::{Error, Result};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Encodes a snapshot or an event.
pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Storage {
        message: format!("cannot encode as JSON: {e}"),
    })
}

/// Decodes a stored snapshot or event; a row that does not decode is [`Error::Corrupt`].
pub(crate) fn from_json<T: DeserializeOwned>(what: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| {
        tracing::warn!(what, error = %e, "corrupt row in sqlite store");
        Error::Corrupt {
            detail: format!("{what} is not valid: {e}"),
        }
    })
}

/// An instant as nanoseconds since the epoch, for indexed comparisons; instants outside
/// 1677..2262 are clamped (their order is kept, and the query re-checks in Rust).
pub(crate) fn nanos(at: DateTime<Utc>) -> i64 {
    at.timestamp_nanos_opt().unwrap_or(if at.timestamp() < 0 {
        i64::MIN
    } else {
        i64::MAX
    })
}

/// A stored version as a column value; versions beyond `i64::MAX` cannot be stored.
pub(crate) fn version(value: u64) -> Result<i64> {
    i64::try_from(value).map_err(|_| Error::Storage {
        message: format!("version {value} is too large to store"),
    })
}

/// The refusal of a key that is already recorded.
pub(crate) fn key_reused(key: &str) -> Error {
    Error::RuleViolation {
        rule: incident_core::Rule::IdempotencyKeyReused,
        detail: format!("key {key:?} was used before"),
    }
}
