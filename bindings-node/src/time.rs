//! JavaScript `Date` in and out, as `DateTime<Utc>` inside.
//!
//! napi's own chrono conversion goes through `toISOString`, which throws a `RangeError` on an
//! invalid date and costs a string round trip; this one reads the epoch milliseconds, and
//! refuses `new Date(NaN)` (and non-Date values) with an `ERR_VALIDATION` error.

use chrono::{DateTime, TimeZone, Utc};
use napi::bindgen_prelude::{FromNapiValue, ToNapiValue, TypeName, ValidateNapiValue};
use napi::{ValueType, sys};

use crate::error::{invalid, to_napi_raw};

/// An instant, seen from JavaScript as a `Date` (millisecond precision).
///
/// The name matters: the type generator writes the TypeScript type `Date` for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub DateTime<Utc>);

impl Date {
    /// The instant as epoch milliseconds.
    pub fn millis(self) -> f64 {
        self.0.timestamp_millis() as f64
    }

    /// An instant from epoch milliseconds, if finite and in chrono's range.
    pub fn from_millis(ms: f64) -> Option<Self> {
        if !ms.is_finite() {
            return None;
        }
        Utc.timestamp_millis_opt(ms.trunc() as i64)
            .single()
            .map(Date)
    }
}

impl From<DateTime<Utc>> for Date {
    fn from(at: DateTime<Utc>) -> Self {
        Date(at)
    }
}

impl TypeName for Date {
    fn type_name() -> &'static str {
        "Date"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ValidateNapiValue for Date {}

impl FromNapiValue for Date {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        let mut is_date = false;
        // SAFETY: env and value come from napi for the duration of this call.
        let status = unsafe { sys::napi_is_date(env, value, &mut is_date) };
        if status != sys::Status::napi_ok || !is_date {
            return Err(to_napi_raw(env, invalid("date", "expected a Date object")));
        }
        let mut ms = 0.0;
        // SAFETY: as above; `value` is a Date.
        unsafe { sys::napi_get_date_value(env, value, &mut ms) };
        Date::from_millis(ms).ok_or_else(|| to_napi_raw(env, invalid("date", "invalid Date")))
    }
}

impl ToNapiValue for Date {
    unsafe fn to_napi_value(env: sys::napi_env, value: Self) -> napi::Result<sys::napi_value> {
        let mut out = std::ptr::null_mut();
        // SAFETY: env comes from napi for the duration of this call.
        let status = unsafe { sys::napi_create_date(env, value.millis(), &mut out) };
        if status != sys::Status::napi_ok {
            return Err(napi::Error::new(
                napi::Status::GenericFailure,
                "cannot create a Date",
            ));
        }
        Ok(out)
    }
}
