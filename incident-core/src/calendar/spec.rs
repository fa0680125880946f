//! The plain-data description of a business calendar, as written in configuration files.
//!
//! Every type here is owned, `Clone`, `Send + Sync` and (de)serialisable with serde, so that
//! hosts and bindings can build calendars from JSON or dictionaries. Nothing here is checked
//! until the description is turned into a [`Calendar`](super::Calendar), which validates it
//! once and reports the first problem as a typed [`Error`].

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

/// Seconds in one civil day.
pub(crate) const DAY_SECONDS: u32 = 86_400;

/// A wall-clock time of day, from `00:00` to `24:00` inclusive, to the second.
///
/// `24:00` exists so that a working window can run to the end of the local day; it is the
/// same wall time as `00:00` of the next day. Written as `HH:MM` or `HH:MM:SS`.
///
/// # Example
/// ```
/// use incident_core::calendar::TimeOfDay;
/// let t: TimeOfDay = "17:30".parse().unwrap();
/// assert_eq!(t.seconds(), 17 * 3600 + 30 * 60);
/// assert_eq!(t.to_string(), "17:30");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeOfDay(u32);

impl TimeOfDay {
    /// Local midnight at the start of the day.
    pub const MIDNIGHT: TimeOfDay = TimeOfDay(0);
    /// Local midnight at the end of the day (`24:00`).
    pub const END_OF_DAY: TimeOfDay = TimeOfDay(DAY_SECONDS);

    /// A time of day from hours, minutes and seconds.
    ///
    /// # Errors
    /// [`Error::Validation`] when a field is out of range or the time is after `24:00`.
    pub fn new(hour: u32, minute: u32, second: u32) -> Result<Self> {
        if minute > 59 || second > 59 || hour > 24 {
            return Err(Error::validation(
                "time_of_day",
                format!("{hour:02}:{minute:02}:{second:02} is not a time of day"),
            ));
        }
        TimeOfDay::from_seconds(hour * 3600 + minute * 60 + second)
    }

    /// A time of day from seconds after local midnight (`0..=86400`).
    ///
    /// # Errors
    /// [`Error::Validation`] when `seconds` is greater than 86,400.
    pub fn from_seconds(seconds: u32) -> Result<Self> {
        if seconds > DAY_SECONDS {
            return Err(Error::validation(
                "time_of_day",
                format!("{seconds} s is after 24:00"),
            ));
        }
        Ok(TimeOfDay(seconds))
    }

    /// Seconds after local midnight.
    pub fn seconds(self) -> u32 {
        self.0
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, m, s) = (self.0 / 3600, self.0 / 60 % 60, self.0 % 60);
        if s == 0 {
            write!(f, "{h:02}:{m:02}")
        } else {
            write!(f, "{h:02}:{m:02}:{s:02}")
        }
    }
}

impl FromStr for TimeOfDay {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let bad = || Error::validation("time_of_day", format!("{s:?} is not HH:MM or HH:MM:SS"));
        let parts: Vec<&str> = s.trim().split(':').collect();
        if !(2..=3).contains(&parts.len()) {
            return Err(bad());
        }
        let mut fields = [0u32; 3];
        for (slot, part) in fields.iter_mut().zip(&parts) {
            if part.len() != 2 || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            *slot = part.parse().map_err(|_| bad())?;
        }
        TimeOfDay::new(fields[0], fields[1], fields[2])
    }
}

/// One working window of a day, `[start, end)` in local wall time.
///
/// Written as `"09:00-17:00"`. `start` must be before `end`; `end` may be `24:00`. How a
/// window maps onto real instants when the day has a DST change is described in the
/// [module documentation](super#daylight-saving-time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WorkWindow {
    /// First working wall time of the window.
    pub start: TimeOfDay,
    /// First wall time after the window.
    pub end: TimeOfDay,
}

impl WorkWindow {
    /// A window from `start` to `end`.
    ///
    /// # Errors
    /// [`Error::Validation`] when `start` is not before `end`.
    pub fn new(start: TimeOfDay, end: TimeOfDay) -> Result<Self> {
        if start >= end {
            return Err(Error::validation(
                "window",
                format!("{start}-{end}: the start must be before the end"),
            ));
        }
        Ok(WorkWindow { start, end })
    }

    /// The window's length in wall-clock seconds (the real length differs on DST days).
    pub fn wall_seconds(self) -> u32 {
        self.end.0.saturating_sub(self.start.0)
    }
}

impl fmt::Display for WorkWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.start, self.end)
    }
}

impl FromStr for WorkWindow {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let (start, end) = s.split_once('-').ok_or_else(|| {
            Error::validation("window", format!("{s:?} is not written HH:MM-HH:MM"))
        })?;
        WorkWindow::new(start.parse()?, end.parse()?)
    }
}

/// The working windows of each day of a normal week.
///
/// Days left out (or empty) are not worked. Each day's windows must be ordered and must not
/// overlap; touching windows (`08:00-12:00`, `12:00-18:00`) are allowed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeeklySchedule {
    /// Monday's windows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mon: Vec<WorkWindow>,
    /// Tuesday's windows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tue: Vec<WorkWindow>,
    /// Wednesday's windows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wed: Vec<WorkWindow>,
    /// Thursday's windows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thu: Vec<WorkWindow>,
    /// Friday's windows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fri: Vec<WorkWindow>,
    /// Saturday's windows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sat: Vec<WorkWindow>,
    /// Sunday's windows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sun: Vec<WorkWindow>,
}

impl WeeklySchedule {
    /// The same windows on each of `days`, nothing on the other days.
    pub fn on_days(days: &[Weekday], windows: &[WorkWindow]) -> Self {
        let mut week = WeeklySchedule::default();
        for &day in days {
            *week.day_mut(day) = windows.to_vec();
        }
        week
    }

    /// Every day from `00:00` to `24:00`: round-the-clock working time.
    pub fn always() -> Self {
        let all_day = WorkWindow {
            start: TimeOfDay::MIDNIGHT,
            end: TimeOfDay::END_OF_DAY,
        };
        WeeklySchedule::on_days(&ALL_WEEKDAYS, &[all_day])
    }

    /// The windows of one day of the week.
    pub fn day(&self, day: Weekday) -> &[WorkWindow] {
        match day {
            Weekday::Mon => &self.mon,
            Weekday::Tue => &self.tue,
            Weekday::Wed => &self.wed,
            Weekday::Thu => &self.thu,
            Weekday::Fri => &self.fri,
            Weekday::Sat => &self.sat,
            Weekday::Sun => &self.sun,
        }
    }

    /// The windows of one day of the week, for editing.
    pub fn day_mut(&mut self, day: Weekday) -> &mut Vec<WorkWindow> {
        match day {
            Weekday::Mon => &mut self.mon,
            Weekday::Tue => &mut self.tue,
            Weekday::Wed => &mut self.wed,
            Weekday::Thu => &mut self.thu,
            Weekday::Fri => &mut self.fri,
            Weekday::Sat => &mut self.sat,
            Weekday::Sun => &mut self.sun,
        }
    }
}

/// Monday first, as ISO 8601 counts.
pub(crate) const ALL_WEEKDAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// When a holiday falls: once on a date, or every year on a month and day.
///
/// Written as `"2026-12-25"` (one-off) or `"12-25"` (yearly). A yearly `02-29` only falls in
/// leap years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HolidayDate {
    /// A single local date.
    Once(NaiveDate),
    /// The same month and day every year.
    Yearly {
        /// Month, 1 to 12.
        month: u32,
        /// Day of the month, 1 to 31 (valid for the month).
        day: u32,
    },
}

impl HolidayDate {
    /// Whether the holiday falls on `date`.
    pub fn falls_on(self, date: NaiveDate) -> bool {
        match self {
            HolidayDate::Once(d) => d == date,
            HolidayDate::Yearly { month, day } => date.month() == month && date.day() == day,
        }
    }
}

impl fmt::Display for HolidayDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HolidayDate::Once(d) => write!(f, "{d}"),
            HolidayDate::Yearly { month, day } => write!(f, "{month:02}-{day:02}"),
        }
    }
}

impl FromStr for HolidayDate {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let bad = || Error::validation("holiday", format!("{s:?} is not YYYY-MM-DD or MM-DD"));
        let s = s.trim();
        if s.len() == 5 {
            let (m, d) = s.split_once('-').ok_or_else(bad)?;
            let month: u32 = m.parse().map_err(|_| bad())?;
            let day: u32 = d.parse().map_err(|_| bad())?;
            // 2024 is a leap year, so 02-29 is accepted as a yearly holiday.
            NaiveDate::from_ymd_opt(2024, month, day).ok_or_else(bad)?;
            return Ok(HolidayDate::Yearly { month, day });
        }
        s.parse::<NaiveDate>()
            .map(HolidayDate::Once)
            .map_err(|_| bad())
    }
}

/// A day off: no working time on that local date (unless a [`DateOverride`] says otherwise).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    /// When it falls.
    pub date: HolidayDate,
    /// A label shown in deadline explanations, such as `"Christmas"`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
}

impl Holiday {
    /// A one-off holiday on `date`.
    pub fn once(date: NaiveDate, name: impl Into<String>) -> Self {
        Holiday {
            date: HolidayDate::Once(date),
            name: name.into(),
        }
    }

    /// A holiday on the same month and day every year.
    ///
    /// # Errors
    /// [`Error::Validation`] when the month and day never exist together.
    pub fn yearly(month: u32, day: u32, name: impl Into<String>) -> Result<Self> {
        if NaiveDate::from_ymd_opt(2024, month, day).is_none() {
            return Err(Error::validation(
                "holiday",
                format!("{month:02}-{day:02} never exists"),
            ));
        }
        Ok(Holiday {
            date: HolidayDate::Yearly { month, day },
            name: name.into(),
        })
    }
}

/// Working windows that replace the weekly ones on one local date.
///
/// Use it for a short day before a holiday, or a Saturday worked once. An empty window list
/// closes the day. An override wins over a holiday on the same date.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateOverride {
    /// The local date replaced.
    pub date: NaiveDate,
    /// Its working windows, ordered and non-overlapping.
    #[serde(default)]
    pub windows: Vec<WorkWindow>,
    /// A label shown in deadline explanations.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
}

/// The rules of a calendar from one local date on, until the next version starts.
///
/// Editing a calendar means adding a version: clocks computed for earlier dates keep their
/// values, because those dates still read the earlier version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarVersion {
    /// First local date this version governs; `None` (only allowed on the first version)
    /// means "since always". Later versions must start on strictly later dates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_from: Option<NaiveDate>,
    /// The normal week.
    #[serde(default)]
    pub week: WeeklySchedule,
    /// Days off.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holidays: Vec<Holiday>,
    /// Date-specific windows, at most one per date.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<DateOverride>,
}

/// The full, serialisable description of a business calendar.
///
/// ```
/// use incident_core::calendar::{Calendar, CalendarSpec};
/// let spec: CalendarSpec = serde_json::from_str(r#"{
///     "name": "Paris office",
///     "time_zone": "Europe/Paris",
///     "versions": [{
///         "week": { "mon": ["09:00-12:00", "13:00-17:00"], "fri": ["09:00-16:00"] },
///         "holidays": [{ "date": "05-01", "name": "Labour day" }, { "date": "2026-05-14" }],
///         "overrides": [{ "date": "2026-12-24", "windows": ["09:00-12:00"] }]
///     }]
/// }"#).unwrap();
/// let calendar = Calendar::new(spec).unwrap();
/// assert_eq!(calendar.time_zone().name(), "Europe/Paris");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarSpec {
    /// A label for explanations and configuration screens.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// IANA time zone name whose wall clock the windows follow, such as `"Europe/Paris"`.
    pub time_zone: String,
    /// The calendar's versions, in increasing `effective_from` order; at least one.
    pub versions: Vec<CalendarVersion>,
}

impl CalendarSpec {
    /// Check every rule of the description, reporting the first broken one.
    ///
    /// # Errors
    /// [`Error::Validation`] naming the field: unknown time zone, no version, versions out
    /// of order, windows unordered or overlapping, two overrides for one date.
    pub fn validate(&self) -> Result<()> {
        parse_time_zone(&self.time_zone)?;
        if self.versions.is_empty() {
            return Err(Error::validation(
                "versions",
                "a calendar needs at least one version",
            ));
        }

        let mut previous: Option<NaiveDate> = None;
        for (i, version) in self.versions.iter().enumerate() {
            match (i, version.effective_from) {
                (0, _) => {}
                (_, None) => {
                    return Err(Error::validation(
                        "versions",
                        format!("version {i} needs an effective_from date"),
                    ));
                }
                (_, Some(from)) if previous.is_some_and(|p| from <= p) => {
                    return Err(Error::validation(
                        "versions",
                        format!("version {i} starts on {from}, not after the previous version"),
                    ));
                }
                _ => {}
            }
            if version.effective_from.is_some() {
                previous = version.effective_from;
            }
            version.validate(i)?;
        }
        Ok(())
    }
}

impl CalendarVersion {
    fn validate(&self, index: usize) -> Result<()> {
        for day in ALL_WEEKDAYS {
            check_windows(
                &format!("versions[{index}].week.{}", day_key(day)),
                self.week.day(day),
            )?;
        }

        let mut dates: Vec<NaiveDate> = self.overrides.iter().map(|o| o.date).collect();
        dates.sort_unstable();
        if let Some(pair) = dates.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(Error::validation(
                format!("versions[{index}].overrides"),
                format!("two overrides for {}", pair[0]),
            ));
        }
        for o in &self.overrides {
            check_windows(
                &format!("versions[{index}].overrides[{}]", o.date),
                &o.windows,
            )?;
        }

        for h in &self.holidays {
            if let HolidayDate::Yearly { month, day } = h.date
                && NaiveDate::from_ymd_opt(2024, month, day).is_none()
            {
                return Err(Error::validation(
                    format!("versions[{index}].holidays"),
                    format!("{month:02}-{day:02} never exists"),
                ));
            }
        }
        Ok(())
    }
}

/// The serde key of a weekday in [`WeeklySchedule`].
fn day_key(day: Weekday) -> &'static str {
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][day.num_days_from_monday() as usize]
}

fn check_windows(field: &str, windows: &[WorkWindow]) -> Result<()> {
    for w in windows {
        if w.start >= w.end || w.end > TimeOfDay::END_OF_DAY {
            return Err(Error::validation(
                field,
                format!("{w}: the start must be before the end"),
            ));
        }
    }
    for pair in windows.windows(2) {
        if pair[1].start < pair[0].end {
            return Err(Error::validation(
                field,
                format!("{} and {} are out of order or overlap", pair[0], pair[1]),
            ));
        }
    }
    Ok(())
}

/// Parse an IANA zone name.
///
/// # Errors
/// [`Error::Validation`] on `time_zone` when the name is not in the IANA database.
pub fn parse_time_zone(name: &str) -> Result<chrono_tz::Tz> {
    name.parse::<chrono_tz::Tz>()
        .map_err(|_| Error::validation("time_zone", format!("{name:?} is not an IANA time zone")))
}

// String forms for the small value types, so configuration files stay readable.
macro_rules! serde_via_string {
    ($ty:ty, $what:literal) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(
                &self,
                serializer: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(
                deserializer: D,
            ) -> std::result::Result<Self, D::Error> {
                struct Visit;
                impl serde::de::Visitor<'_> for Visit {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($what)
                    }
                    fn visit_str<E: serde::de::Error>(
                        self,
                        v: &str,
                    ) -> std::result::Result<$ty, E> {
                        v.parse().map_err(E::custom)
                    }
                }
                deserializer.deserialize_str(Visit)
            }
        }
    };
}

serde_via_string!(TimeOfDay, "a time of day such as \"17:30\"");
serde_via_string!(WorkWindow, "a working window such as \"09:00-17:00\"");
serde_via_string!(HolidayDate, "a date such as \"2026-12-25\" or \"12-25\"");
