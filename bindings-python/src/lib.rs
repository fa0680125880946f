//! Python binding of incident-core: the private native module `incident_core._native`.
//!
//! The binding is thin on purpose: it converts values and maps errors, and every rule stays
//! in the core. The typed public API (enums, value objects, timezone-aware datetimes, the
//! exception hierarchy) is the pure-Python package in `python/incident_core`, which talks to
//! this module in the core's own serde (JSON) form. Store, decision and replay work runs with
//! the GIL released.

mod convert;
mod desk;
mod error;
mod import;
mod script;
mod sla;

use pyo3::prelude::*;

/// The native module; its Python-facing contract is `python/incident_core/_native.pyi`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<desk::PyDesk>()?;
    m.add_class::<sla::PyCalendar>()?;
    m.add_class::<sla::PySlaEngine>()?;
    m.add_function(wrap_pyfunction!(desk::normalize_command, m)?)?;
    m.add_function(wrap_pyfunction!(desk::normalize_event, m)?)?;
    m.add_function(wrap_pyfunction!(desk::normalize_config, m)?)?;
    Ok(())
}
