//! The one place where core errors become Python exceptions.
//!
//! The exception classes are written in Python (`incident_core/errors.py`) so that they can
//! inherit from both `IncidentError` and a built-in such as `ValueError` or `LookupError`;
//! this module only picks the class for an [`Error`] variant and passes the variant's fields
//! as keyword arguments, which the class keeps as attributes.

use std::panic::{AssertUnwindSafe, catch_unwind};

use incident_core::Error;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

/// The module holding the exception hierarchy, imported once per interpreter.
static ERRORS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// The Python module that defines the exception classes.
const ERRORS_MODULE: &str = "incident_core.errors";

/// Runs store, decision or replay work with the GIL released, so other Python threads run
/// meanwhile, and turns its error (or a panic) into the matching Python exception.
///
/// # Errors
/// The mapped exception of whatever `work` returned, or `IncidentError` with code
/// `ERR_INTERNAL` for a panic, which thus never reaches Python as a `PanicException`.
pub(crate) fn detached<T, F>(py: Python<'_>, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> Result<T, Error> + Send,
{
    let outcome = py.detach(move || catch_unwind(AssertUnwindSafe(work)));
    match outcome {
        Ok(result) => result.map_err(|e| to_py(py, &e)),
        Err(panic) => Err(internal(py, &panic_message(panic.as_ref()))),
    }
}

/// As [`detached`], for short work that does not need the GIL released.
///
/// # Errors
/// As [`detached`].
pub(crate) fn attached<T, F>(py: Python<'_>, work: F) -> PyResult<T>
where
    F: FnOnce() -> Result<T, Error>,
{
    match catch_unwind(AssertUnwindSafe(work)) {
        Ok(result) => result.map_err(|e| to_py(py, &e)),
        Err(panic) => Err(internal(py, &panic_message(panic.as_ref()))),
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    format!("internal error in incident-core: {text}")
}

/// The Python exception for a core error.
pub(crate) fn to_py(py: Python<'_>, error: &Error) -> PyErr {
    build(py, error).unwrap_or_else(|failure| failure)
}

/// A bug, not a refusal: the base class with code `ERR_INTERNAL`.
fn internal(py: Python<'_>, message: &str) -> PyErr {
    let raise = || -> PyResult<PyErr> {
        let kwargs = PyDict::new(py);
        kwargs.set_item("code", "ERR_INTERNAL")?;
        let class = errors_module(py)?.getattr("IncidentError")?;
        Ok(PyErr::from_value(class.call((message,), Some(&kwargs))?))
    };
    raise().unwrap_or_else(|failure| failure)
}

fn errors_module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    let module = ERRORS.get_or_try_init(py, || py.import(ERRORS_MODULE).map(Bound::unbind))?;
    Ok(module.bind(py))
}

fn build(py: Python<'_>, error: &Error) -> PyResult<PyErr> {
    let kwargs = PyDict::new(py);
    let class = match error {
        Error::Validation { field, reason } => {
            kwargs.set_item("field", field)?;
            kwargs.set_item("reason", reason)?;
            "ValidationError"
        }
        Error::InvalidTransition { from, to } => {
            kwargs.set_item("from_state", from.as_str())?;
            kwargs.set_item("to_state", to.as_str())?;
            "InvalidTransitionError"
        }
        Error::RuleViolation { rule, detail } => {
            kwargs.set_item("rule", serde_name(rule))?;
            kwargs.set_item("detail", detail)?;
            "RuleViolationError"
        }
        Error::PermissionDenied {
            actor,
            role,
            action,
        } => {
            kwargs.set_item("actor", actor.as_str())?;
            kwargs.set_item("role", role.as_str())?;
            kwargs.set_item("action", action.as_str())?;
            "PermissionDeniedError"
        }
        Error::Conflict {
            incident,
            expected,
            actual,
        } => {
            kwargs.set_item("incident_id", incident.to_string())?;
            kwargs.set_item("expected", expected)?;
            kwargs.set_item("actual", actual)?;
            "ConflictError"
        }
        Error::NotFound { entity, id } => {
            kwargs.set_item("entity", entity)?;
            kwargs.set_item("id", id)?;
            "NotFoundError"
        }
        Error::Configuration { reason } => {
            kwargs.set_item("reason", reason)?;
            "ConfigurationError"
        }
        Error::Storage { message } => {
            kwargs.set_item("detail", message)?;
            "StorageError"
        }
        Error::Unavailable { message } => {
            kwargs.set_item("detail", message)?;
            "UnavailableError"
        }
        Error::Corrupt { detail } => {
            kwargs.set_item("detail", detail)?;
            "CorruptError"
        }
        Error::IncompatibleSchema { found, supported } => {
            kwargs.set_item("found", found)?;
            kwargs.set_item("supported", supported)?;
            "IncompatibleSchemaError"
        }
        // A kind added to the core later still reaches Python, as the base class.
        _ => "IncidentError",
    };
    kwargs.set_item("code", error.code())?;

    let class = errors_module(py)?.getattr(class)?;
    let exception = class.call((error.to_string(),), Some(&kwargs))?;
    Ok(PyErr::from_value(exception))
}

/// The snake_case name serde gives a unit enum variant (`open_work_orders`).
fn serde_name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => String::new(),
    }
}
