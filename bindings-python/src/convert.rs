//! Value conversions at the boundary: instants and JSON documents.
//!
//! The Python package hands the native module instants as RFC 3339 text in UTC (it refuses
//! naive datetimes before they get here) and documents as JSON in the core's serde form;
//! anything malformed becomes [`Error::Validation`] naming the argument.

use chrono::{DateTime, Utc};
use incident_core::Error;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Parses an instant given as RFC 3339 text with an offset.
///
/// # Errors
/// [`Error::Validation`] for `field` when the text is not RFC 3339 or has no offset.
pub(crate) fn instant(field: &str, text: &str) -> Result<DateTime<Utc>, Error> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Error::Validation {
            field: field.to_owned(),
            reason: format!("{text:?} is not an RFC 3339 instant with an offset: {e}"),
        })
}

/// Decodes a JSON document into a core type.
///
/// # Errors
/// [`Error::Validation`] for `field` with serde's explanation.
pub(crate) fn from_json<T: DeserializeOwned>(field: &str, json: &str) -> Result<T, Error> {
    serde_json::from_str(json).map_err(|e| Error::Validation {
        field: field.to_owned(),
        reason: e.to_string(),
    })
}

/// Encodes a core value as JSON.
///
/// # Errors
/// [`Error::Validation`] in the (unexpected) case serde refuses the value.
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    serde_json::to_string(value).map_err(|e| Error::Validation {
        field: "result".to_owned(),
        reason: e.to_string(),
    })
}
