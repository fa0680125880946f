//! incident-core: the rules of IT incident management, with no I/O and no global clock.
#![deny(missing_docs)]

pub mod calendar;
pub mod sla;
