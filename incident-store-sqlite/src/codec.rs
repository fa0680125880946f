//! Rows to and from the core's values, in the stored form every store shares
//! ([`incident_core::repo::stored`]); this store only adds its log line for corrupt rows.

use incident_core::Result;
use serde::de::DeserializeOwned;

pub(crate) use incident_core::repo::stored::{key_reused, nanos, to_json, version};

/// Decodes a stored snapshot or event; a row that does not decode is
/// [`incident_core::Error::Corrupt`], and is logged.
pub(crate) fn from_json<T: DeserializeOwned>(what: &str, text: &str) -> Result<T> {
    incident_core::repo::stored::from_json(what, text).inspect_err(|e| {
        tracing::warn!(what, error = %e, "corrupt row in sqlite store");
    })
}
