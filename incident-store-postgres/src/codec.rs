//! Rows to and from the core's values: JSON for snapshots and events, plain columns for
//! what the queries filter on, and the grouping of a batch's commits per incident.

use chrono::{DateTime, Utc};
use incident_core::{Commit, Error, Event, IdempotencyRecord, Incident, IncidentId, Result};
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
        tracing::warn!(what, error = %e, "corrupt row in postgres store");
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

/// The commits of a batch that touch one incident, merged into one write.
#[derive(Debug)]
pub(crate) struct Write<'a> {
    /// The incident after the last of its commits.
    pub(crate) incident: &'a Incident,
    /// The version the first of its commits expects in the store.
    pub(crate) expected_version: u64,
    /// Every event of its commits, in order.
    pub(crate) events: Vec<&'a Event>,
    /// The idempotency keys of its commits.
    pub(crate) keys: Vec<&'a IdempotencyRecord>,
}

/// Groups a batch per incident, in order of first appearance. Commits of one incident must
/// chain (each expects the version the previous one produced), which is checked here; the
/// first expected version of each incident is checked against the store by the caller.
///
/// # Errors
/// [`Error::Conflict`] when commits of one incident do not chain.
pub(crate) fn plan<'a>(commits: &[Commit<'a>]) -> Result<Vec<Write<'a>>> {
    let mut writes: Vec<Write<'a>> = Vec::with_capacity(commits.len());
    let mut slots: std::collections::HashMap<IncidentId, usize> =
        std::collections::HashMap::with_capacity(commits.len());
    for commit in commits {
        let id = commit.incident.id;
        match slots.get(&id) {
            Some(&slot) => {
                let write = &mut writes[slot];
                if commit.expected_version != write.incident.version {
                    return Err(Error::Conflict {
                        incident: id,
                        expected: commit.expected_version,
                        actual: write.incident.version,
                    });
                }
                write.incident = commit.incident;
                write.events.extend(commit.events);
                write.keys.extend(commit.idempotency);
            }
            None => {
                slots.insert(id, writes.len());
                writes.push(Write {
                    incident: commit.incident,
                    expected_version: commit.expected_version,
                    events: commit.events.iter().collect(),
                    keys: commit.idempotency.into_iter().collect(),
                });
            }
        }
    }
    Ok(writes)
}
