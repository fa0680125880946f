//! Parsing of single ServiceNow export values: states, `"2 - Medium"` levels, day-first dates,
//! booleans, and `?` as a missing value.
//!
//! Every parser here is total: it returns `None` (or a typed reason) instead of panicking, so a
//! malformed export can never bring the importer down.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The text ServiceNow writes for a missing value.
pub const MISSING: &str = "?";

/// Why an incident waits, as the export names it.
///
/// The export has no separate "on hold reason" column: the waiting reason is folded into the
/// state (`Awaiting User Info`, `Awaiting Vendor`, ...). Reasons the core does not know by name
/// (such as `Awaiting Evidence`) are kept verbatim so that they become a named custom reason.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportHoldReason {
    /// `Awaiting User Info`: the caller owes an answer.
    AwaitingCaller,
    /// `Awaiting Change`: a change must be implemented first.
    AwaitingChange,
    /// `Awaiting Problem`: the root cause is worked on in a problem record.
    AwaitingProblem,
    /// `Awaiting Vendor`: a third party owes a fix or an answer.
    AwaitingVendor,
    /// Any other `Awaiting ...` state, kept by its full name (e.g. `Awaiting Evidence`).
    Other(String),
}

/// The state column of an export row, mapped onto the lifecycle's vocabulary.
///
/// ServiceNow's `Active` is the lifecycle's In Progress, and its `Awaiting ...` states are
/// On Hold with a reason.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportState {
    /// `New`: logged, nobody works on it yet.
    New,
    /// `Active` (older instances) or `In Progress`: being worked.
    InProgress,
    /// `Awaiting ...` or `On Hold`: waiting, with the reason the export gives.
    OnHold(ExportHoldReason),
    /// `Resolved`: a fix was given, the caller may still object.
    Resolved,
    /// `Closed`: final.
    Closed,
    /// `Canceled` / `Cancelled`: withdrawn.
    Canceled,
}

impl ExportState {
    /// Reads the state text of an export, or `None` for a value the importer cannot place (such
    /// as the `-100` some published rows carry).
    ///
    /// ```
    /// use incident_import::value::{ExportHoldReason, ExportState};
    /// assert_eq!(ExportState::parse("Active"), Some(ExportState::InProgress));
    /// assert_eq!(
    ///     ExportState::parse("Awaiting Evidence"),
    ///     Some(ExportState::OnHold(ExportHoldReason::Other("Awaiting Evidence".into())))
    /// );
    /// assert_eq!(ExportState::parse("-100"), None);
    /// ```
    pub fn parse(text: &str) -> Option<Self> {
        let state = match text.trim() {
            "New" => Self::New,
            "Active" | "In Progress" | "Work in Progress" => Self::InProgress,
            "On Hold" => Self::OnHold(ExportHoldReason::Other("On Hold".to_owned())),
            "Awaiting User Info" | "Awaiting Caller" => {
                Self::OnHold(ExportHoldReason::AwaitingCaller)
            }
            "Awaiting Change" => Self::OnHold(ExportHoldReason::AwaitingChange),
            "Awaiting Problem" => Self::OnHold(ExportHoldReason::AwaitingProblem),
            "Awaiting Vendor" => Self::OnHold(ExportHoldReason::AwaitingVendor),
            "Resolved" => Self::Resolved,
            "Closed" => Self::Closed,
            "Canceled" | "Cancelled" => Self::Canceled,
            other if other.starts_with("Awaiting ") && other.len() > "Awaiting ".len() => {
                Self::OnHold(ExportHoldReason::Other(other.to_owned()))
            }
            _ => return None,
        };
        Some(state)
    }

    /// Whether the incident is over (resolved, closed or canceled) in this state.
    pub fn is_resolved_or_later(&self) -> bool {
        matches!(self, Self::Resolved | Self::Closed | Self::Canceled)
    }
}

/// Returns `None` for the export's missing marker (`?`) or an empty field, else the trimmed text.
pub fn present(text: &str) -> Option<&str> {
    let text = text.trim();
    if text.is_empty() || text == MISSING {
        None
    } else {
        Some(text)
    }
}

/// Reads a ranked value such as `"2 - Medium"`, `"1 - Critical"` or a bare `"3"` as its rank.
///
/// ```
/// use incident_import::value::parse_level;
/// assert_eq!(parse_level("2 - Medium"), Some(2));
/// assert_eq!(parse_level("4"), Some(4));
/// assert_eq!(parse_level("High"), None);
/// ```
pub fn parse_level(text: &str) -> Option<u8> {
    let text = text.trim();
    let digits = text.split(" - ").next()?.trim();
    let level: u8 = digits.parse().ok()?;
    (level > 0).then_some(level)
}

/// Reads a boolean column (`true`/`false`, as ServiceNow writes them; `1`/`0` also accepted).
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.trim() {
        "true" | "TRUE" | "True" | "1" => Some(true),
        "false" | "FALSE" | "False" | "0" => Some(false),
        _ => None,
    }
}

/// Reads a day-first timestamp `d/m/yyyy HH:MM[:SS]` (this export's format) or an ISO-like
/// `yyyy-mm-dd HH:MM[:SS]` (ServiceNow's default display format), as UTC.
///
/// The export carries no zone; the importer takes the instance's wall clock as UTC, which keeps
/// every duration right as long as the instance did not cross a daylight-saving change.
///
/// ```
/// use incident_import::value::parse_timestamp;
/// let at = parse_timestamp("29/2/2016 01:16").unwrap();
/// assert_eq!(at.to_rfc3339(), "2016-02-29T01:16:00+00:00");
/// assert!(parse_timestamp("31/2/2016 01:16").is_none());
/// ```
pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    let (date, time) = text.split_once(' ')?;

    let (year, month, day) = if date.contains('/') {
        let mut parts = date.split('/');
        let day = parts.next()?;
        let month = parts.next()?;
        let year = parts.next()?;
        (year, month, day)
    } else {
        let mut parts = date.split('-');
        let year = parts.next()?;
        let month = parts.next()?;
        let day = parts.next()?;
        (year, month, day)
    };
    let mut clock = time.trim().split(':');
    let hour = clock.next()?;
    let minute = clock.next()?;
    let second = clock.next().unwrap_or("0");
    if clock.next().is_some() {
        return None;
    }

    let date = NaiveDate::from_ymd_opt(
        small_number(year)? as i32,
        small_number(month)?,
        small_number(day)?,
    )?;
    let at = date.and_hms_opt(
        small_number(hour)?,
        small_number(minute)?,
        small_number(second)?,
    )?;
    Some(at.and_utc())
}

/// Parses 1 to 4 ASCII digits; anything else (signs, spaces, longer runs) is refused.
fn small_number(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_of_the_published_log_but_minus_100_is_known() {
        let known = [
            ("New", ExportState::New),
            ("Active", ExportState::InProgress),
            (
                "Awaiting User Info",
                ExportState::OnHold(ExportHoldReason::AwaitingCaller),
            ),
            (
                "Awaiting Vendor",
                ExportState::OnHold(ExportHoldReason::AwaitingVendor),
            ),
            (
                "Awaiting Problem",
                ExportState::OnHold(ExportHoldReason::AwaitingProblem),
            ),
            (
                "Awaiting Evidence",
                ExportState::OnHold(ExportHoldReason::Other("Awaiting Evidence".into())),
            ),
            ("Resolved", ExportState::Resolved),
            ("Closed", ExportState::Closed),
        ];
        for (text, state) in known {
            assert_eq!(ExportState::parse(text), Some(state), "{text}");
        }
        assert_eq!(ExportState::parse("-100"), None);
        assert_eq!(ExportState::parse("Awaiting "), None);
        assert_eq!(ExportState::parse(""), None);
    }

    #[test]
    fn levels_read_their_rank() {
        assert_eq!(parse_level("1 - Critical"), Some(1));
        assert_eq!(parse_level("3 - Moderate"), Some(3));
        assert_eq!(parse_level("0 - Nothing"), None);
        assert_eq!(parse_level("?"), None);
        assert_eq!(parse_level("300 - Huge"), None);
    }

    #[test]
    fn missing_marker_and_blank_are_absent() {
        assert_eq!(present("?"), None);
        assert_eq!(present("  "), None);
        assert_eq!(present(" Group 56 "), Some("Group 56"));
    }

    #[test]
    fn timestamps_are_day_first_and_checked() {
        let at = parse_timestamp("5/3/2016 12:00").unwrap();
        assert_eq!(at.to_rfc3339(), "2016-03-05T12:00:00+00:00");
        let iso = parse_timestamp("2016-03-05 12:00:07").unwrap();
        assert_eq!(iso.to_rfc3339(), "2016-03-05T12:00:07+00:00");
        for bad in [
            "",
            "5/3/2016",
            "5/13/2016 12:00",
            "5/3/2016 25:00",
            "a/3/2016 1:00",
            "?",
        ] {
            assert!(parse_timestamp(bad).is_none(), "{bad}");
        }
        assert!(parse_timestamp("5/3/2016 12:00:00:00").is_none());
        assert!(parse_timestamp("5/3/+2016 12:00").is_none());
    }

    #[test]
    fn booleans() {
        assert_eq!(parse_bool("true"), Some(true));
        assert_eq!(parse_bool("false"), Some(false));
        assert_eq!(parse_bool("?"), None);
    }

    proptest::proptest! {
        #[test]
        fn parsers_never_panic(text in ".{0,40}") {
            let _ = ExportState::parse(&text);
            let _ = parse_level(&text);
            let _ = parse_bool(&text);
            let _ = parse_timestamp(&text);
            let _ = present(&text);
        }

        #[test]
        fn day_first_timestamps_round_trip(
            year in 1970i32..2100,
            month in 1u32..=12,
            day in 1u32..=28,
            hour in 0u32..24,
            minute in 0u32..60,
        ) {
            let text = format!("{day}/{month}/{year} {hour:02}:{minute:02}");
            let at = parse_timestamp(&text).unwrap();
            proptest::prop_assert_eq!(at.format("%-d/%-m/%Y %H:%M").to_string(), text);
        }
    }
}
