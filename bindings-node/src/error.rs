//! The one place where core errors become JavaScript `Error` objects.
//!
//! Every error thrown by the binding is an `Error` instance with a stable `code`
//! (`ERR_CONFLICT`, `ERR_PERMISSION_DENIED`, ... from [`incident_core::Error::code`]) and the
//! variant's structured fields as properties, so callers branch on `err.code` and read
//! `err.expected` / `err.actual` instead of parsing messages.

use incident_core::Error as CoreError;
use napi::bindgen_prelude::Object;
use napi::{Env, JsValue, Status, sys};

/// A core error in transit to JavaScript: the [`CoreError`], or a panic caught on the way.
#[derive(Debug)]
pub enum Failure {
    /// A refusal or failure of the core or a store.
    Core(CoreError),
    /// A panic inside the binding or the core, caught before it reached Node.
    Panic(String),
    /// A failure outside the core's error kinds (the importer's), with its own code.
    Other {
        /// Stable code such as `ERR_IMPORT_HEADER`.
        code: &'static str,
        /// Human-readable explanation.
        message: String,
    },
    /// A refusal at one row of a batch; nothing of the batch was stored.
    Row {
        /// The 0-based row.
        row: u32,
        /// Why it was refused.
        error: CoreError,
    },
}

impl From<CoreError> for Failure {
    fn from(error: CoreError) -> Self {
        Failure::Core(error)
    }
}

/// Result type of the binding's internals before conversion to JavaScript.
pub type Fallible<T> = std::result::Result<T, Failure>;

/// Shorthand for an `ERR_VALIDATION` failure on a binding argument.
pub fn invalid(field: &str, reason: impl Into<String>) -> Failure {
    Failure::Core(CoreError::Validation {
        field: field.to_owned(),
        reason: reason.into(),
    })
}

/// Runs `f`, turning a panic into [`Failure::Panic`] so that the process lives.
pub fn guard<T>(f: impl FnOnce() -> Fallible<T>) -> Fallible<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            Err(Failure::Panic(message))
        }
    }
}

/// Converts a failure into a thrown JavaScript `Error` with `code` and fields.
pub fn to_napi(env: &Env, failure: Failure) -> napi::Error {
    match build(env, failure) {
        Ok(object) => napi::Error::from(object.to_unknown()),
        Err(e) => e,
    }
}

/// As [`to_napi`], from a raw environment (used inside value conversions).
pub fn to_napi_raw(env: sys::napi_env, failure: Failure) -> napi::Error {
    to_napi(&Env::from_raw(env), failure)
}

/// Runs `f` under [`guard`] and converts its failure: the shape of every exported function.
pub fn run<T>(env: &Env, f: impl FnOnce() -> Fallible<T>) -> napi::Result<T> {
    guard(f).map_err(|failure| to_napi(env, failure))
}

fn build(env: &Env, failure: Failure) -> napi::Result<Object<'_>> {
    let (code, message) = match &failure {
        Failure::Core(e) => (e.code(), e.to_string()),
        Failure::Row { row, error } => (error.code(), format!("row {row}: {error}")),
        Failure::Panic(m) => ("ERR_PANIC", format!("internal error (panic): {m}")),
        Failure::Other { code, message } => (*code, message.clone()),
    };
    let mut error = env.create_error(napi::Error::new(Status::GenericFailure, message))?;
    error.set("code", code)?;
    let core = match failure {
        Failure::Core(core) => core,
        Failure::Row { row, error: core } => {
            error.set("row", row)?;
            core
        }
        Failure::Panic(_) | Failure::Other { .. } => return Ok(error),
    };
    error.set("retryable", core.is_retryable())?;
    match core {
        CoreError::Validation { field, reason } => {
            error.set("field", field)?;
            error.set("reason", reason)?;
        }
        CoreError::InvalidTransition { from, to } => {
            error.set("from", from.as_str())?;
            error.set("to", to.as_str())?;
        }
        CoreError::RuleViolation { rule, detail } => {
            error.set("rule", rule_name(rule))?;
            error.set("detail", detail)?;
        }
        CoreError::PermissionDenied {
            actor,
            role,
            action,
        } => {
            error.set("actor", actor.into_string())?;
            error.set("role", role.as_str())?;
            error.set("action", action.as_str())?;
        }
        CoreError::Conflict {
            incident,
            expected,
            actual,
        } => {
            error.set("incident", incident.to_string())?;
            error.set("expected", expected as f64)?;
            error.set("actual", actual as f64)?;
        }
        CoreError::NotFound { entity, id } => {
            error.set("entity", entity)?;
            error.set("id", id)?;
        }
        CoreError::Configuration { reason } => error.set("reason", reason)?,
        CoreError::Storage { message } | CoreError::Unavailable { message } => {
            error.set("detail", message)?;
        }
        CoreError::Corrupt { detail } => error.set("detail", detail)?,
        CoreError::IncompatibleSchema { found, supported } => {
            error.set("found", found as f64)?;
            error.set("supported", supported as f64)?;
        }
        _ => {}
    }
    Ok(error)
}

/// The rule's snake_case name, as the core serialises it.
fn rule_name(rule: incident_core::Rule) -> String {
    serde_json_name(&rule).unwrap_or_else(|| rule.to_string())
}

fn serde_json_name<T: serde::Serialize>(value: &T) -> Option<String> {
    match serde_json::to_value(value).ok()? {
        serde_json::Value::String(s) => Some(s),
        _ => None,
    }
}

/// An integer type of the core that JavaScript numbers are converted to, with its range.
pub trait Whole: TryFrom<i64> {
    /// Smallest accepted value.
    const LOW: i64;
    /// Largest accepted value.
    const HIGH: i64;
}

/// The largest integer a JavaScript number holds exactly (`Number.MAX_SAFE_INTEGER`).
const SAFE: i64 = (1 << 53) - 1;

impl Whole for u8 {
    const LOW: i64 = 0;
    const HIGH: i64 = u8::MAX as i64;
}

impl Whole for u32 {
    const LOW: i64 = 0;
    const HIGH: i64 = u32::MAX as i64;
}

impl Whole for u64 {
    const LOW: i64 = 0;
    const HIGH: i64 = SAFE;
}

impl Whole for i64 {
    const LOW: i64 = -SAFE;
    const HIGH: i64 = SAFE;
}

/// Converts a JavaScript number to the core's integer type `T`.
///
/// The one conversion of numeric input: JavaScript has only doubles, and narrowing or
/// truncating them silently (2**32 + 2 read as 2, 2.9 as 2, NaN as 0) would change what the
/// caller asked for.
///
/// # Errors
/// `ERR_VALIDATION` on `field` when `value` is not a finite integer within `T`'s range.
pub fn whole<T: Whole>(field: &str, value: f64) -> Fallible<T> {
    let refused = || {
        let shown = if value.is_nan() {
            "NaN".to_owned()
        } else if value.is_infinite() {
            if value > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
        } else {
            value.to_string()
        };
        invalid(
            field,
            format!("{shown} is not an integer within {}..={}", T::LOW, T::HIGH),
        )
    };
    let fits = value.is_finite()
        && value.fract() == 0.0
        && value >= T::LOW as f64
        && value <= T::HIGH as f64;
    if !fits {
        return Err(refused());
    }
    // Exact: `value` is an integer within ±2^53 or within u32, both held by i64.
    T::try_from(value as i64).map_err(|_| refused())
}

/// As [`whole`], for an optional number.
///
/// # Errors
/// As [`whole`].
pub fn whole_opt<T: Whole>(field: &str, value: Option<f64>) -> Fallible<Option<T>> {
    value.map(|v| whole(field, v)).transpose()
}
