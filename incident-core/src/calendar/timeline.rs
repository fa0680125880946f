//! The compiled form of a calendar and its arithmetic on whole UTC seconds.
//!
//! Working time is materialised one UTC year at a time as a sorted list of disjoint real
//! intervals with running totals ("chunks"). A chunk is built on first use from the local
//! days that touch the year (one time-zone conversion per window edge) and cached for the
//! years [`CACHE_FIRST_YEAR`]..[`CACHE_LAST_YEAR`]; years outside are built on the fly.
//! Each chunk indexes its intervals by UTC day, so finding the interval at an instant is a
//! division and a look at the few intervals of that day. Queries cost that per chunk
//! touched, plus one step per year crossed; a span inside one cached year (the SLA clocks'
//! usual case) finds its chunk from a table of year starts, without calendar arithmetic.

use std::borrow::Cow;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

use super::spec::{CalendarSpec, HolidayDate, WorkWindow};
use crate::error::{Error, Result};

/// First UTC year whose chunk is cached.
pub(crate) const CACHE_FIRST_YEAR: i32 = 1970;
/// Last UTC year whose chunk is cached.
pub(crate) const CACHE_LAST_YEAR: i32 = 2199;
/// First supported instant: 0001-01-01T00:00:00Z.
pub(crate) const MIN_INSTANT: i64 = -62_135_596_800;
/// First unsupported instant: 9999-01-01T00:00:00Z.
pub(crate) const MAX_INSTANT: i64 = 253_370_764_800;

/// Where the working windows of a local date come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DaySource {
    /// The weekly schedule of the effective version.
    Weekly,
    /// A holiday (index into the version's holidays).
    Holiday(usize),
    /// A date override (index into the version's overrides).
    Override(usize),
}

/// Windows of one day as seconds after local midnight, touching windows merged.
type DayWindows = Vec<(u32, u32)>;

/// One version with its lookups sorted for binary search.
#[derive(Debug, Clone)]
struct CompiledVersion {
    from: Option<NaiveDate>,
    /// Seconds-of-day windows per weekday (Monday first), touching windows merged.
    week: [DayWindows; 7],
    /// `(date, index into spec holidays)`, sorted.
    once: Vec<(NaiveDate, usize)>,
    /// `((month, day), index)`, sorted.
    yearly: Vec<((u32, u32), usize)>,
    /// `(date, merged windows, index into spec overrides)`, sorted by date.
    overrides: Vec<(NaiveDate, DayWindows, usize)>,
}

/// A working interval `[start, end)` of a chunk, with the chunk's working seconds before it.
#[derive(Debug, Clone, Copy, Default)]
struct Interval {
    start: i64,
    end: i64,
    before: i64,
}

impl Interval {
    /// Working seconds of the chunk up to the end of this interval.
    fn after(&self) -> i64 {
        self.before + (self.end - self.start)
    }
}

/// Days whose intervals are scanned one by one; longer days are searched by halves.
const LINEAR_SCAN: usize = 8;

/// Working time inside one UTC year: disjoint, sorted intervals.
#[derive(Debug, Clone, Default)]
pub(crate) struct Chunk {
    /// The year's first instant (January 1st, 00:00 UTC).
    lo: i64,
    /// The next year's first instant.
    hi: i64,
    intervals: Vec<Interval>,
    /// For each UTC day of the year, and one past the last, the index of the first
    /// interval ending after the day's first instant: the interval holding an instant of
    /// day `d` lies between `day_first[d]` and `day_first[d + 1]`.
    day_first: Vec<u32>,
    total: i64,
}

impl Chunk {
    fn push(&mut self, start: i64, end: i64) {
        let start = match self.intervals.last() {
            Some(last) if start < last.end => last.end,
            _ => start,
        };
        if end <= start {
            return;
        }
        match self.intervals.last_mut() {
            // Touching the previous interval: extend it (24x7 becomes one interval a year).
            Some(last) if last.end == start => last.end = end,
            _ => self.intervals.push(Interval {
                start,
                end,
                before: self.total,
            }),
        }
        self.total += end - start;
    }

    /// Index the intervals by day, once all are pushed.
    fn index_days(&mut self) {
        let days = (self.hi - self.lo) / 86_400;
        let mut i = 0;
        self.day_first = (0..=days)
            .map(|d| {
                let day_start = self.lo + d * 86_400;
                while i < self.intervals.len() && self.intervals[i].end <= day_start {
                    i += 1;
                }
                u32::try_from(i).unwrap_or(u32::MAX)
            })
            .collect();
    }

    /// Index of the first interval ending after `t`: the one holding `t`, or the next.
    #[inline]
    fn locate(&self, t: i64) -> usize {
        let day = u64::try_from(t - self.lo).map(|offset| (offset / 86_400) as usize);
        let bounds = day
            .ok()
            .and_then(|d| Some((*self.day_first.get(d)?, *self.day_first.get(d + 1)?)));
        let Some((first, last)) = bounds else {
            return self.intervals.partition_point(|iv| iv.end <= t);
        };
        let (first, last) = (first as usize, last as usize);
        let day = self.intervals.get(first..last).unwrap_or_default();
        if day.len() <= LINEAR_SCAN {
            first + day.iter().take_while(|iv| iv.end <= t).count()
        } else {
            first + day.partition_point(|iv| iv.end <= t)
        }
    }

    /// Working seconds of the chunk before instant `t`.
    #[inline]
    fn cumulative(&self, t: i64) -> i64 {
        self.cumulative_from(self.locate(t), t)
    }

    /// [`Chunk::cumulative`] with `i = self.locate(t)` already known.
    #[inline]
    fn cumulative_from(&self, i: usize, t: i64) -> i64 {
        match self.intervals.get(i) {
            None => self.total,
            Some(iv) if iv.start <= t => iv.before + (t - iv.start),
            Some(iv) => iv.before,
        }
    }

    /// Working seconds in `[a, b)`, for `a <= b` both in the chunk's year.
    #[inline]
    fn between(&self, a: i64, b: i64) -> i64 {
        let i = self.locate(a);
        match self.intervals.get(i) {
            // Both ends before the end of the interval at (or after) `a`: no other
            // interval meets `[a, b)`, so one subtraction answers (short SLA spans).
            Some(iv) if b <= iv.end => (b - a.max(iv.start)).max(0),
            _ => self.cumulative(b) - self.cumulative_from(i, a),
        }
    }

    /// Earliest instant whose cumulative value is `target`, for `0 < target <= total`.
    fn earliest_at(&self, target: i64) -> i64 {
        // First interval whose running total at its end reaches the target.
        let i = self.intervals.partition_point(|iv| iv.after() < target);
        let iv = self.intervals.get(i).copied().unwrap_or_default();
        iv.start + (target - iv.before)
    }

    /// Latest instant whose cumulative value is `target`, for `0 <= target < total`.
    fn latest_at(&self, target: i64) -> i64 {
        let i = self.intervals.partition_point(|iv| iv.before <= target);
        let iv = self
            .intervals
            .get(i.saturating_sub(1))
            .copied()
            .unwrap_or_default();
        iv.start + (target - iv.before)
    }

    /// Whether `t` lies inside a working interval.
    fn contains(&self, t: i64) -> bool {
        self.intervals
            .get(self.locate(t))
            .is_some_and(|iv| iv.start <= t)
    }

    /// First working instant at or after `t` in this chunk.
    fn next_working(&self, t: i64) -> Option<i64> {
        self.intervals.get(self.locate(t)).map(|iv| iv.start.max(t))
    }
}

/// A validated calendar, compiled for arithmetic.
#[derive(Debug)]
pub(crate) struct Timeline {
    pub(crate) tz: Tz,
    versions: Vec<CompiledVersion>,
    /// Whether any version or override has a window at all.
    any_work: bool,
    /// UTC years outside which there is surely no working time (a first or last version
    /// with an empty week), so searches stop early instead of walking to year 9998.
    work_years: (i32, i32),
    cache: Box<[OnceLock<Box<Chunk>>]>,
}

impl Clone for Timeline {
    fn clone(&self) -> Self {
        Timeline {
            tz: self.tz,
            versions: self.versions.clone(),
            any_work: self.any_work,
            work_years: self.work_years,
            cache: self.cache.clone(),
        }
    }
}

fn merged(windows: &[WorkWindow]) -> DayWindows {
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(windows.len());
    for w in windows {
        match out.last_mut() {
            Some(last) if last.1 == w.start.seconds() => last.1 = w.end.seconds(),
            _ => out.push((w.start.seconds(), w.end.seconds())),
        }
    }
    out
}

impl Timeline {
    /// Compile a validated spec.
    pub(crate) fn compile(spec: &CalendarSpec, tz: Tz) -> Timeline {
        let versions: Vec<CompiledVersion> = spec
            .versions
            .iter()
            .map(|v| {
                let week = super::spec::ALL_WEEKDAYS.map(|d| merged(v.week.day(d)));
                let mut once = Vec::new();
                let mut yearly = Vec::new();
                for (i, h) in v.holidays.iter().enumerate() {
                    match h.date {
                        HolidayDate::Once(d) => once.push((d, i)),
                        HolidayDate::Yearly { month, day } => yearly.push(((month, day), i)),
                    }
                }
                once.sort_unstable();
                yearly.sort_unstable();
                let mut overrides: Vec<_> = v
                    .overrides
                    .iter()
                    .enumerate()
                    .map(|(i, o)| (o.date, merged(&o.windows), i))
                    .collect();
                overrides.sort_unstable_by_key(|o| o.0);
                CompiledVersion {
                    from: v.effective_from,
                    week,
                    once,
                    yearly,
                    overrides,
                }
            })
            .collect();
        let any_work = versions.iter().any(|v| {
            v.week.iter().any(|d| !d.is_empty()) || v.overrides.iter().any(|o| !o.1.is_empty())
        });
        let work_years = work_years(&versions);
        let slots = (CACHE_LAST_YEAR - CACHE_FIRST_YEAR + 1) as usize;
        let cache = (0..slots).map(|_| OnceLock::new()).collect();
        Timeline {
            tz,
            versions,
            any_work,
            work_years,
            cache,
        }
    }

    /// Index of the version governing `date`.
    pub(crate) fn version_index(&self, date: NaiveDate) -> usize {
        let n = self
            .versions
            .partition_point(|v| v.from.is_none_or(|f| f <= date));
        n.saturating_sub(1)
    }

    /// The merged windows of a local date (seconds of day) and where they come from.
    pub(crate) fn day(&self, date: NaiveDate) -> (&[(u32, u32)], DaySource) {
        let v = &self.versions[self.version_index(date)];
        if let Ok(i) = v.overrides.binary_search_by_key(&date, |o| o.0) {
            return (&v.overrides[i].1, DaySource::Override(v.overrides[i].2));
        }
        if let Ok(i) = v.once.binary_search_by_key(&date, |h| h.0) {
            return (&[], DaySource::Holiday(v.once[i].1));
        }
        if let Ok(i) = v
            .yearly
            .binary_search_by_key(&(date.month(), date.day()), |h| h.0)
        {
            return (&[], DaySource::Holiday(v.yearly[i].1));
        }
        let weekday = date.weekday().num_days_from_monday() as usize;
        (&v.week[weekday], DaySource::Weekly)
    }

    /// The instant a local wall time maps to (see the module docs on DST): the first
    /// occurrence of an ambiguous time, the end of the gap for a nonexistent one.
    pub(crate) fn wall_to_instant(&self, date: NaiveDate, seconds: u32) -> i64 {
        let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
        let wall = midnight + chrono::TimeDelta::seconds(i64::from(seconds));
        match self.tz.from_local_datetime(&wall) {
            chrono::LocalResult::Single(t) => t.timestamp(),
            chrono::LocalResult::Ambiguous(first, _) => first.timestamp(),
            chrono::LocalResult::None => self.gap_end(wall),
        }
    }

    /// First existing wall time after `wall`, which falls in a DST gap, as an instant.
    fn gap_end(&self, wall: NaiveDateTime) -> i64 {
        // Gaps last at most a day, and wall times exist again from the gap's end on.
        let (mut lo, mut hi) = (0i64, 26 * 3600);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            let probe = wall + chrono::TimeDelta::seconds(mid);
            if matches!(
                self.tz.from_local_datetime(&probe),
                chrono::LocalResult::None
            ) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let end = wall + chrono::TimeDelta::seconds(hi);
        match self.tz.from_local_datetime(&end) {
            chrono::LocalResult::Single(t) => t.timestamp(),
            chrono::LocalResult::Ambiguous(first, _) => first.timestamp(),
            // Unreachable for real zones; fall back to reading the wall time as UTC.
            chrono::LocalResult::None => end.and_utc().timestamp(),
        }
    }

    fn build_chunk(&self, year: i32) -> Chunk {
        let lo = year_start(year);
        let hi = year_start(year + 1);
        let mut chunk = Chunk {
            lo,
            hi,
            ..Chunk::default()
        };
        if !self.any_work {
            chunk.index_days();
            return chunk;
        }

        // Local dates of any zone (offsets within a day) that can touch the UTC year.
        let mut date = NaiveDate::from_ymd_opt(year - 1, 12, 30).expect("supported year");
        let last = NaiveDate::from_ymd_opt(year + 1, 1, 2).expect("supported year");
        while date <= last {
            let (windows, _) = self.day(date);
            for &(s, e) in windows {
                let start = self.wall_to_instant(date, s).max(lo);
                let end = self.wall_to_instant(date, e).min(hi);
                chunk.push(start, end);
            }
            date = date.succ_opt().expect("supported year");
        }
        chunk.index_days();
        chunk
    }

    /// The chunk of a UTC year, cached when the year is in the cached range.
    pub(crate) fn chunk(&self, year: i32) -> Cow<'_, Chunk> {
        if (CACHE_FIRST_YEAR..=CACHE_LAST_YEAR).contains(&year) {
            let slot = &self.cache[(year - CACHE_FIRST_YEAR) as usize];
            Cow::Borrowed(slot.get_or_init(|| Box::new(self.build_chunk(year))))
        } else {
            Cow::Owned(self.build_chunk(year))
        }
    }

    /// The cached chunk holding `t`, when `t` lies in the cached years.
    fn cached_chunk_of(&self, t: i64) -> Option<&Chunk> {
        let index = cached_year_index(t)?;
        let slot = self.cache.get(index)?;
        let year = CACHE_FIRST_YEAR + index as i32;
        Some(slot.get_or_init(|| Box::new(self.build_chunk(year))))
    }

    /// Business seconds in `[a, b)`, negative when `b < a`.
    pub(crate) fn between(&self, a: i64, b: i64) -> Result<i64> {
        // Fast path: both instants in one cached year (no range checks needed there).
        if a <= b
            && let Some(c) = self.cached_chunk_of(a)
            && b < c.hi
        {
            return Ok(c.between(a, b));
        }
        self.between_years(a, b)
    }

    /// [`Timeline::between`] in general: any order, any years.
    fn between_years(&self, a: i64, b: i64) -> Result<i64> {
        check(a)?;
        check(b)?;
        if b < a {
            return self.between_years(b, a).map(|s| -s);
        }
        let (ya, yb) = (year_of(a), year_of(b));
        if ya == yb {
            let c = self.chunk(ya);
            return Ok(c.between(a, b));
        }

        let first = self.chunk(ya);
        let mut total = first.total - first.cumulative(a);
        let (lo, hi) = self.work_years;
        for y in (ya + 1).max(lo)..yb.min(hi.saturating_add(1)) {
            total += self.chunk(y).total;
        }
        Ok(total + self.chunk(yb).cumulative(b))
    }

    /// Earliest instant `x >= t` with `between(t, x) == d`, for `d >= 0`; latest `x <= t`
    /// with `between(x, t) == -d` for `d < 0`.
    pub(crate) fn add(&self, t: i64, d: i64) -> Result<i64> {
        check(t)?;
        if d == 0 {
            return Ok(t);
        }
        if d < 0 {
            return self.subtract(t, d.checked_neg().ok_or_else(|| out_of_range(i64::MIN))?);
        }
        // Business time never outruns real time: reject hopeless requests at once.
        if d > MAX_INSTANT - t {
            return Err(beyond(t, d));
        }
        if !self.any_work {
            return Err(no_work());
        }

        let mut year = year_of(t);
        let mut need = d;
        let mut chunk = self.chunk(year);
        let mut from = chunk.cumulative(t);
        loop {
            let left = chunk.total - from;
            if need <= left {
                return Ok(chunk.earliest_at(from + need));
            }
            need -= left;
            year += 1;
            if year_start(year) >= MAX_INSTANT {
                return Err(beyond(t, d));
            }
            if year > self.work_years.1 {
                return Err(no_work());
            }
            chunk = self.chunk(year);
            from = 0;
        }
    }

    fn subtract(&self, t: i64, d: i64) -> Result<i64> {
        if d > t - MIN_INSTANT {
            return Err(beyond(t, -d));
        }
        if !self.any_work {
            return Err(no_work());
        }

        let mut year = year_of(t);
        let mut need = d;
        let mut chunk = self.chunk(year);
        let mut from = chunk.cumulative(t);
        loop {
            if need <= from {
                return Ok(chunk.latest_at(from - need));
            }
            need -= from;
            year -= 1;
            if year_start(year) < MIN_INSTANT {
                return Err(beyond(t, -d));
            }
            if year < self.work_years.0 {
                return Err(no_work());
            }
            chunk = self.chunk(year);
            from = chunk.total;
        }
    }

    /// Whether `t` is inside working time.
    pub(crate) fn is_working(&self, t: i64) -> Result<bool> {
        check(t)?;
        Ok(self.chunk(year_of(t)).contains(t))
    }

    /// First working instant at or after `t`.
    pub(crate) fn next_working(&self, t: i64) -> Result<i64> {
        check(t)?;
        if !self.any_work {
            return Err(no_work());
        }
        let mut year = year_of(t);
        loop {
            if let Some(x) = self.chunk(year).next_working(t) {
                return Ok(x);
            }
            year += 1;
            if year_start(year) >= MAX_INSTANT || year > self.work_years.1 {
                return Err(no_work());
            }
        }
    }
}

/// The UTC years that may hold working time: all, unless the first (last) version has an
/// empty week, in which case nothing is worked before (after) its dated overrides and the
/// neighbouring version. One year of margin covers any zone offset.
fn work_years(versions: &[CompiledVersion]) -> (i32, i32) {
    let empty_week = |v: &CompiledVersion| v.week.iter().all(Vec::is_empty);
    let override_years = |v: &CompiledVersion| {
        v.overrides
            .iter()
            .filter(|o| !o.1.is_empty())
            .map(|o| o.0.year())
            .collect::<Vec<_>>()
    };
    let mut lo = i32::MIN;
    let mut hi = i32::MAX;
    if let Some(last) = versions.last().filter(|v| empty_week(v)) {
        let from = last.from.map_or(i32::MIN, |d| d.year());
        hi = override_years(last)
            .into_iter()
            .fold(from, i32::max)
            .saturating_add(1);
    }
    if let Some(first) = versions.first().filter(|v| empty_week(v)) {
        let until = versions
            .get(1)
            .and_then(|v| v.from)
            .map_or(i32::MAX, |d| d.year());
        lo = override_years(first)
            .into_iter()
            .fold(until, i32::min)
            .saturating_sub(1);
    }
    (lo, hi)
}

/// UTC instant of January 1st, 00:00, of `year`.
pub(crate) fn year_start(year: i32) -> i64 {
    NaiveDate::from_ymd_opt(year, 1, 1)
        .map(|d| {
            d.and_hms_opt(0, 0, 0)
                .expect("midnight")
                .and_utc()
                .timestamp()
        })
        .unwrap_or(if year < 0 { i64::MIN } else { i64::MAX })
}

/// Number of cached years.
const CACHED_YEARS: usize = (CACHE_LAST_YEAR - CACHE_FIRST_YEAR + 1) as usize;

/// Average Gregorian year in seconds, for a first guess of an instant's year.
const MEAN_YEAR: i64 = 31_556_952;

/// January 1st, 00:00 UTC, of each cached year and of the year after the last.
static CACHED_YEAR_STARTS: [i64; CACHED_YEARS + 1] = {
    let mut starts = [0; CACHED_YEARS + 1];
    let mut i = 0;
    while i <= CACHED_YEARS {
        starts[i] = days_from_civil(CACHE_FIRST_YEAR as i64 + i as i64) * 86_400;
        i += 1;
    }
    starts
};

/// Days from 1970-01-01 to January 1st of `year` (H. Hinnant's days-from-civil).
const fn days_from_civil(year: i64) -> i64 {
    // January counts as month 10 of the previous March-based year.
    let y = year - 1;
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = 306;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Position of `t`'s year among the cached years, without calendar arithmetic: a guess
/// from the mean year length, corrected by at most one year against the table.
pub(crate) fn cached_year_index(t: i64) -> Option<usize> {
    let offset = t.checked_sub(CACHED_YEAR_STARTS[0])?;
    if offset < 0 || t >= CACHED_YEAR_STARTS[CACHED_YEARS] {
        return None;
    }
    let mut i = usize::try_from(offset / MEAN_YEAR)
        .ok()?
        .min(CACHED_YEARS - 1);
    if t < CACHED_YEAR_STARTS[i] {
        i -= 1;
    } else if t >= CACHED_YEAR_STARTS[i + 1] {
        i += 1;
    }
    Some(i)
}

/// UTC year of an instant: from the table of year starts in the cached years, else by
/// [`civil_year_of`].
pub(crate) fn year_of(t: i64) -> i32 {
    match cached_year_index(t) {
        Some(i) => CACHE_FIRST_YEAR + i as i32,
        None => civil_year_of(t),
    }
}

/// UTC year of an instant (proleptic Gregorian; H. Hinnant's civil-from-days).
pub(crate) fn civil_year_of(t: i64) -> i32 {
    let z = t.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let march_based_month = (5 * doy + 2) / 153;
    let year = yoe + era * 400 + i64::from(march_based_month >= 10);
    i32::try_from(year).unwrap_or(if year < 0 { i32::MIN } else { i32::MAX })
}

fn check(t: i64) -> Result<()> {
    if (MIN_INSTANT..MAX_INSTANT).contains(&t) {
        Ok(())
    } else {
        Err(out_of_range(t))
    }
}

fn out_of_range(t: i64) -> Error {
    Error::validation(
        "instant",
        format!("{t} s since 1970 is outside the supported years 0001 to 9998"),
    )
}

fn beyond(t: i64, d: i64) -> Error {
    Error::validation(
        "business_duration",
        format!("{d} business seconds from {t} s since 1970 leave the years 0001 to 9998"),
    )
}

fn no_work() -> Error {
    Error::config("the calendar has no working time in the direction asked")
}
