//! SLA definitions and clocks (being written).
