//! What a replay found: counts, anomalies, agreement checks and per-workgroup figures.
//!
//! Every type here is owned and serde-serialisable, so that bindings can hand a report to
//! Python or JavaScript as it is, and the `replay` example can print it as one JSON object.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Mode;
use crate::row::Unreadable;

/// How many details of one kind a report keeps; the counts are always complete.
pub const DETAIL_LIMIT: usize = 200;

/// A transition or update the strict lifecycle refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anomaly {
    /// Line of the export row that asked for it.
    pub line: u64,
    /// The incident's number in the export.
    pub number: String,
    /// What was refused, as `command/reason`, e.g. `reopen/reopen_window` or
    /// `assign/resolved->assigned`: the key of [`ReplayReport::anomalies`].
    pub kind: String,
    /// The core's explanation.
    pub detail: String,
}

impl fmt::Display for Anomaly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {} ({}): {}: {}",
            self.line, self.number, self.kind, self.detail
        )
    }
}

/// A row whose recorded priority differs from the one the core derives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityMismatch {
    /// Line of the row.
    pub line: u64,
    /// The incident's number.
    pub number: String,
    /// Impact and urgency the core holds after the row.
    pub impact: u8,
    /// See `impact`.
    pub urgency: u8,
    /// The priority the export records.
    pub recorded: u8,
    /// The priority the core derived.
    pub derived: u8,
}

/// An incident whose reopen count in the core differs from the export's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReopenMismatch {
    /// The incident's number.
    pub number: String,
    /// The first row where the counts differ.
    pub line: u64,
    /// The export's `reopen_count` on that row.
    pub recorded: u32,
    /// The core's reopen count after that row.
    pub replayed: u32,
    /// Why they differ: the refused transition behind it, when there is one.
    pub reason: String,
}

/// Figures for one assignment group, computed from the replayed incidents' workgroup visits.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GroupReport {
    /// Incidents that stayed with the group at least once.
    pub incidents: u64,
    /// Moves of an incident into the group from another group.
    pub reassignments_in: u64,
    /// Moves of an incident from the group to another group.
    pub reassignments_out: u64,
    /// Returns of an incident to the group after it had left it.
    pub ping_pong: u64,
    /// Incidents whose last resolution was recorded while the group held them.
    pub resolved: u64,
    /// Median hours from opening to that resolution.
    pub median_hours_to_resolve: Option<f64>,
    /// 90th percentile (nearest rank) of the same.
    pub p90_hours_to_resolve: Option<f64>,
}

/// The outcome of replaying an export through the core.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ReplayReport {
    /// Lenient or strict.
    pub mode: Mode,
    /// Rows read (readable ones).
    pub rows: u64,
    /// Rows left out: those of incidents the repository already held, or that could not be
    /// opened at all.
    pub rows_skipped: u64,
    /// Rows that could not be read.
    pub rows_unreadable: u64,
    /// Incidents replayed.
    pub incidents: u64,
    /// Incidents left out because the repository already held their number.
    pub incidents_already_present: u64,
    /// Commands the core accepted.
    pub commands: u64,
    /// Events the core produced (the audit trail written to the repository).
    pub events: u64,
    /// Rows whose recorded priority differs from the derived one.
    pub priority_mismatches: u64,
    /// Incidents whose reopen count differs from the export's on some row.
    pub reopen_count_mismatches: u64,
    /// Incidents whose final reassignment count differs from the export's. ServiceNow also
    /// counts clearing the group, which the core cannot do, so this is informational.
    pub reassignment_count_mismatches: u64,
    /// Refused transitions by kind.
    pub anomalies: BTreeMap<String, u64>,
    /// Lenient repairs by kind: the legal steps taken after a refusal to reach the export's
    /// state (e.g. resolving an incident the export closes without a resolution).
    pub repairs: BTreeMap<String, u64>,
    /// Rows whose timestamp was earlier than the incident's previous update, replayed at the
    /// previous update's time instead.
    pub rows_out_of_order: u64,
    /// Figures per assignment group.
    pub groups: BTreeMap<String, GroupReport>,
    /// The priority matrix used, impact rows x urgency columns.
    pub priority_matrix: Vec<Vec<u8>>,
    /// The unreadable rows (at most [`DETAIL_LIMIT`]).
    pub unreadable: Vec<Unreadable>,
    /// The refused transitions (at most [`DETAIL_LIMIT`]).
    pub anomaly_details: Vec<Anomaly>,
    /// The priority mismatches (at most [`DETAIL_LIMIT`]).
    pub priority_mismatch_details: Vec<PriorityMismatch>,
    /// The reopen-count mismatches, one per incident (at most [`DETAIL_LIMIT`]).
    pub reopen_mismatch_details: Vec<ReopenMismatch>,
}

impl ReplayReport {
    /// Total refused transitions.
    pub fn anomaly_count(&self) -> u64 {
        self.anomalies.values().sum()
    }

    pub(crate) fn record_unreadable(&mut self, unreadable: Unreadable) {
        self.rows_unreadable += 1;
        push_capped(&mut self.unreadable, unreadable);
    }

    pub(crate) fn record_anomaly(&mut self, anomaly: Anomaly) {
        *self.anomalies.entry(anomaly.kind.clone()).or_default() += 1;
        push_capped(&mut self.anomaly_details, anomaly);
    }

    pub(crate) fn record_repair(&mut self, kind: &str) {
        *self.repairs.entry(kind.to_owned()).or_default() += 1;
    }

    pub(crate) fn record_priority_mismatch(&mut self, mismatch: PriorityMismatch) {
        self.priority_mismatches += 1;
        push_capped(&mut self.priority_mismatch_details, mismatch);
    }

    pub(crate) fn record_reopen_mismatch(&mut self, mismatch: ReopenMismatch) {
        self.reopen_count_mismatches += 1;
        push_capped(&mut self.reopen_mismatch_details, mismatch);
    }
}

fn push_capped<T>(list: &mut Vec<T>, item: T) {
    if list.len() < DETAIL_LIMIT {
        list.push(item);
    }
}

/// The value at quantile `q` (0..=1) of sorted values, by nearest rank.
pub(crate) fn nearest_rank(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

impl fmt::Display for ReplayReport {
    /// A readable summary: totals, checks, anomalies, and the busiest workgroups.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "mode               {:?}", self.mode)?;
        writeln!(f, "rows read          {}", self.rows)?;
        writeln!(f, "rows skipped       {}", self.rows_skipped)?;
        writeln!(f, "rows unreadable    {}", self.rows_unreadable)?;
        writeln!(f, "incidents          {}", self.incidents)?;
        if self.incidents_already_present > 0 {
            let present = self.incidents_already_present;
            writeln!(f, "  already in the store, left as they are: {present}")?;
        }
        writeln!(f, "commands           {}", self.commands)?;
        writeln!(f, "events             {}", self.events)?;
        writeln!(f, "priority mismatch  {} rows", self.priority_mismatches)?;
        writeln!(
            f,
            "reopen mismatch    {} incidents",
            self.reopen_count_mismatches
        )?;
        writeln!(
            f,
            "reassignment count {} incidents differ (the log counts clearing a group)",
            self.reassignment_count_mismatches
        )?;
        writeln!(f, "rows out of order  {}", self.rows_out_of_order)?;
        for u in self.unreadable.iter().take(10) {
            writeln!(f, "  unreadable {u}")?;
        }
        for m in self.reopen_mismatch_details.iter().take(20) {
            let (number, line, reason) = (&m.number, m.line, &m.reason);
            let counts = format!("log {} vs core {}", m.recorded, m.replayed);
            writeln!(
                f,
                "  reopen mismatch {number} from line {line} ({counts}): {reason}"
            )?;
        }

        writeln!(f, "\nanomalies          {}", self.anomaly_count())?;
        for (kind, count) in &self.anomalies {
            writeln!(f, "  {count:>7}  {kind}")?;
        }
        if !self.repairs.is_empty() {
            writeln!(f, "repairs (lenient)")?;
            for (kind, count) in &self.repairs {
                writeln!(f, "  {count:>7}  {kind}")?;
            }
        }

        let mut groups: Vec<(&String, &GroupReport)> = self.groups.iter().collect();
        groups.sort_by(|a, b| b.1.incidents.cmp(&a.1.incidents).then(a.0.cmp(b.0)));
        writeln!(f, "\nworkgroups         {} (busiest 25)", groups.len())?;
        writeln!(
            f,
            "  {:<12} {:>9} {:>7} {:>7} {:>9} {:>9} {:>9}",
            "group", "incidents", "in", "out", "ping-pong", "median h", "p90 h"
        )?;
        let hours = |h: Option<f64>| h.map_or_else(|| "-".to_owned(), |h| format!("{h:.1}"));
        for (name, g) in groups.iter().take(25) {
            writeln!(
                f,
                "  {:<12} {:>9} {:>7} {:>7} {:>9} {:>9} {:>9}",
                name,
                g.incidents,
                g.reassignments_in,
                g.reassignments_out,
                g.ping_pong,
                hours(g.median_hours_to_resolve),
                hours(g.p90_hours_to_resolve)
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_quantiles() {
        let values = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        assert_eq!(nearest_rank(&values, 0.5), Some(5.0));
        assert_eq!(nearest_rank(&values, 0.9), Some(9.0));
        assert_eq!(nearest_rank(&[4.0], 0.9), Some(4.0));
        assert_eq!(nearest_rank(&[], 0.5), None);
    }

    #[test]
    fn details_are_capped_but_counts_are_not() {
        let mut report = ReplayReport::default();
        for line in 0..(DETAIL_LIMIT as u64 + 5) {
            report.record_anomaly(Anomaly {
                line,
                number: "INC1".into(),
                kind: "hold/new->on_hold".into(),
                detail: String::new(),
            });
        }
        assert_eq!(report.anomaly_count(), DETAIL_LIMIT as u64 + 5);
        assert_eq!(report.anomaly_details.len(), DETAIL_LIMIT);
    }
}
