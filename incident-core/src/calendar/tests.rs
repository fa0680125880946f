use chrono::{
    DateTime, Datelike, NaiveDate, TimeDelta, TimeZone, Timelike, Utc, Weekday, Weekday::*,
};
use proptest::prelude::*;

use super::*;

const WORK_WEEK: [Weekday; 5] = [Mon, Tue, Wed, Thu, Fri];

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("test instant")
        .with_timezone(&Utc)
}

fn date(s: &str) -> NaiveDate {
    s.parse().expect("test date")
}

/// Business seconds of one whole local date.
fn day_seconds(calendar: &Calendar, day: &str) -> i64 {
    let tz = calendar.time_zone();
    let d = date(day);
    let start = tz
        .from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap())
        .earliest()
        .unwrap();
    let next = d.succ_opt().unwrap().and_hms_opt(0, 0, 0).unwrap();
    let end = tz.from_local_datetime(&next).earliest().unwrap();
    let (start, end) = (start.with_timezone(&Utc), end.with_timezone(&Utc));
    calendar.business_time(start, end).unwrap().num_seconds()
}

#[test]
fn case_7_windows_follow_local_time_across_the_dst_end() {
    let london = Calendar::weekly("Europe/London", &WORK_WEEK, &["08:30-17:30"]).unwrap();
    let seconds = london
        .business_time(at("2026-10-23T07:00:00Z"), at("2026-10-26T10:00:00Z"))
        .unwrap()
        .num_seconds();
    assert_eq!(seconds, 37_800);
}

#[test]
fn case_8_one_business_hour_over_the_repeated_hour() {
    let always = Calendar::always_on("Europe/Amsterdam").unwrap();
    let due = always
        .add_business(at("2026-10-25T02:00:00+02:00"), TimeDelta::hours(1))
        .unwrap();
    assert_eq!(due, at("2026-10-25T02:00:00+01:00"));

    let days = [Mon, Tue, Wed, Thu, Fri, Sat, Sun];
    let night = Calendar::weekly("Europe/Amsterdam", &days, &["00:00-10:00"]).unwrap();
    assert_eq!(day_seconds(&night, "2026-10-25"), 39_600);
    assert_eq!(day_seconds(&night, "2026-03-29"), 32_400);
    assert_eq!(day_seconds(&night, "2026-03-30"), 36_000);
}

#[test]
fn case_9_a_date_override_shortens_christmas_eve() {
    let office = Calendar::weekly("Europe/Paris", &WORK_WEEK, &["08:00-18:00"]).unwrap();
    let short_day = DateOverride {
        date: date("2026-12-24"),
        windows: vec!["08:00-13:00".parse().unwrap()],
        name: "Christmas Eve".into(),
    };
    let office = office.with_overrides([short_day]).unwrap();
    assert_eq!(day_seconds(&office, "2026-12-24"), 5 * 3600);
    assert_eq!(day_seconds(&office, "2026-12-23"), 10 * 3600);

    let days = office
        .explain(at("2026-12-24T00:00:00Z"), at("2026-12-25T00:00:00Z"))
        .unwrap();
    let eve = days.iter().find(|d| d.date == date("2026-12-24")).unwrap();
    assert_eq!(
        (eve.kind, eve.label.as_str(), eve.seconds),
        (DayKind::Override, "Christmas Eve", 18_000)
    );
}

#[test]
fn nonexistent_start_begins_after_the_gap_and_ambiguous_end_at_first_pass() {
    let days = [Sun];
    let spring = Calendar::weekly("Europe/Amsterdam", &days, &["02:30-04:00"]).unwrap();
    // 2026-03-29: 02:00 CET jumps to 03:00 CEST, so the window is 03:00-04:00 CEST.
    assert_eq!(day_seconds(&spring, "2026-03-29"), 3600);
    assert!(spring.is_working(at("2026-03-29T01:00:00Z")).unwrap());
    assert!(!spring.is_working(at("2026-03-29T00:59:59Z")).unwrap());

    let autumn = Calendar::weekly("Europe/Amsterdam", &days, &["01:00-02:30"]).unwrap();
    // 2026-10-25: 01:00 CEST to the first 02:30 (CEST) is 90 minutes.
    assert_eq!(day_seconds(&autumn, "2026-10-25"), 5400);
    let late = Calendar::weekly("Europe/Amsterdam", &days, &["02:30-05:00"]).unwrap();
    // From the first 02:30 (CEST) to 05:00 CET: 3.5 real hours.
    assert_eq!(day_seconds(&late, "2026-10-25"), 12_600);
}

#[test]
fn holidays_versions_and_year_boundaries() {
    let office = Calendar::weekly("Europe/Amsterdam", &WORK_WEEK, &["08:00-18:00"])
        .unwrap()
        .with_holidays([
            Holiday::once(date("2026-12-25"), "Christmas"),
            Holiday::yearly(1, 1, "New year").unwrap(),
        ])
        .unwrap();
    // Thu 2026-12-24 17:00 CET to Mon 2027-01-04 09:00: Christmas and New Year skipped.
    let span = office
        .business_time(at("2026-12-24T16:00:00Z"), at("2027-01-04T08:00:00Z"))
        .unwrap()
        .num_seconds();
    // Dec 24 1 h, Dec 28-31 4 days, Jan 4 1 h.
    assert_eq!(span, 3600 + 4 * 36_000 + 3600);
    let due = office
        .add_business(at("2026-12-24T16:00:00Z"), TimeDelta::seconds(span))
        .unwrap();
    assert_eq!(due, at("2027-01-04T08:00:00Z"));
    let back = office
        .sub_business(at("2027-01-04T08:00:00Z"), TimeDelta::seconds(span))
        .unwrap();
    assert_eq!(back, at("2026-12-24T16:00:00Z"));

    let days = office
        .explain(at("2026-12-24T16:00:00Z"), at("2027-01-04T08:00:00Z"))
        .unwrap();
    let skipped: Vec<_> = days
        .iter()
        .filter(|d| d.kind == DayKind::Holiday)
        .map(|d| d.label.as_str())
        .collect();
    assert_eq!(skipped, ["Christmas", "New year"]);
    assert_eq!(days.iter().map(|d| d.seconds).sum::<i64>(), span);

    let shorter = CalendarVersion {
        effective_from: Some(date("2027-01-01")),
        week: WeeklySchedule::on_days(&WORK_WEEK, &["09:00-17:00".parse().unwrap()]),
        ..Default::default()
    };
    let edited = office.with_version(shorter).unwrap();
    assert_eq!(day_seconds(&edited, "2026-12-31"), 36_000);
    assert_eq!(day_seconds(&edited, "2027-01-01"), 28_800); // the new version has no holidays
    assert_eq!(day_seconds(&edited, "2027-01-04"), 28_800);
}

#[test]
fn end_of_window_and_next_working_instant() {
    let office = Calendar::weekly("UTC", &WORK_WEEK, &["08:00-12:00", "13:00-18:00"]).unwrap();
    // Mon 2026-03-02 11:00 + 1 h ends exactly at the window's end, not after lunch.
    let due = office
        .add_business(at("2026-03-02T11:00:00Z"), TimeDelta::hours(1))
        .unwrap();
    assert_eq!(due, at("2026-03-02T12:00:00Z"));
    let due = office
        .add_business(at("2026-03-02T11:00:00Z"), TimeDelta::minutes(61))
        .unwrap();
    assert_eq!(due, at("2026-03-02T13:01:00Z"));
    assert_eq!(
        office.next_working(at("2026-03-02T12:30:00Z")).unwrap(),
        at("2026-03-02T13:00:00Z")
    );
    assert_eq!(
        office.next_working(at("2026-03-06T18:00:00Z")).unwrap(),
        at("2026-03-09T08:00:00Z")
    );
    assert_eq!(
        office.next_working(at("2026-03-02T09:00:00Z")).unwrap(),
        at("2026-03-02T09:00:00Z")
    );
    assert!(!office.is_working(at("2026-03-02T12:00:00Z")).unwrap());
    assert!(office.is_working(at("2026-03-02T13:00:00Z")).unwrap());
    assert_eq!(
        office
            .business_time(at("2026-03-03T00:00:00Z"), at("2026-03-02T00:00:00Z"))
            .unwrap(),
        TimeDelta::hours(-9)
    );
}

#[test]
fn serde_round_trip_and_typed_errors() {
    let json = r#"{"name":"desk","time_zone":"Europe/Paris","versions":[{
        "week":{"mon":["08:00-12:00","13:00-17:30:30"],"sat":["10:00-24:00"]},
        "holidays":[{"date":"12-25","name":"Christmas"},{"date":"2026-05-14"}],
        "overrides":[{"date":"2026-12-24","windows":["08:00-13:00"]}]}]}"#;
    let calendar: Calendar = serde_json::from_str(json).unwrap();
    let again: Calendar = serde_json::from_str(&serde_json::to_string(&calendar).unwrap()).unwrap();
    assert_eq!(calendar, again);
    assert_eq!(
        calendar.spec().versions[0].week.mon[1].end.seconds(),
        17 * 3600 + 1830
    );

    let field_of = |json: &str| -> String {
        let spec: CalendarSpec = serde_json::from_str(json).unwrap();
        match Calendar::new(spec).unwrap_err() {
            Error::Validation { field, .. } => field,
            other => panic!("unexpected {other:?}"),
        }
    };
    assert_eq!(
        field_of(r#"{"time_zone":"Mars/Olympus","versions":[{}]}"#),
        "time_zone"
    );
    assert_eq!(field_of(r#"{"time_zone":"UTC","versions":[]}"#), "versions");
    assert_eq!(
        field_of(
            r#"{"time_zone":"UTC","versions":[{"week":{"tue":["09:00-12:00","11:00-13:00"]}}]}"#
        ),
        "versions[0].week.tue"
    );
    assert_eq!(
        field_of(
            r#"{"time_zone":"UTC","versions":[{"effective_from":"2026-02-01"},
            {"effective_from":"2026-01-01"}]}"#
        ),
        "versions"
    );
    for bad in [
        r#"{"time_zone":"UTC","versions":[{"week":{"mon":["12:00-09:00"]}}]}"#,
        r#"{"time_zone":"UTC","versions":[{"week":{"mon":["09:00-24:01"]}}]}"#,
        r#"{"time_zone":"UTC","versions":[{"holidays":[{"date":"02-30"}]}]}"#,
        r#"{"time_zone":"UTC","versions":[{"week":{"funday":[]}}]}"#,
    ] {
        assert!(serde_json::from_str::<Calendar>(bad).is_err(), "{bad}");
    }
}

#[test]
fn far_instants_and_empty_calendars_give_typed_errors() {
    let always = Calendar::always_on("UTC").unwrap();
    let far = DateTime::<Utc>::MAX_UTC;
    assert!(matches!(
        always.is_working(far),
        Err(Error::Validation { .. })
    ));
    assert!(matches!(
        always.add_business(at("2026-01-01T00:00:00Z"), TimeDelta::MAX),
        Err(Error::Validation { .. })
    ));
    assert!(matches!(
        always.sub_business(at("2026-01-01T00:00:00Z"), TimeDelta::MAX),
        Err(Error::Validation { .. })
    ));
    let closed = Calendar::weekly("UTC", &[], &[]).unwrap();
    assert!(matches!(
        closed.add_business(at("2026-01-01T00:00:00Z"), TimeDelta::seconds(1)),
        Err(Error::Configuration { .. })
    ));
    assert_eq!(
        closed
            .business_time(at("2026-01-01T00:00:00Z"), at("2030-01-01T00:00:00Z"))
            .unwrap(),
        TimeDelta::zero()
    );
    // Working time only on one overridden date: searches past it stop at once.
    let once = closed
        .with_overrides([DateOverride {
            date: date("2026-12-24"),
            windows: vec!["08:00-10:00".parse().unwrap()],
            name: String::new(),
        }])
        .unwrap();
    let due = once
        .add_business(at("2026-01-01T00:00:00Z"), TimeDelta::hours(1))
        .unwrap();
    assert_eq!(due, at("2026-12-24T09:00:00Z"));
    let after = once.add_business(at("2026-12-25T00:00:00Z"), TimeDelta::hours(1));
    assert!(matches!(after, Err(Error::Configuration { .. })));
    let before = once.sub_business(at("2026-12-23T00:00:00Z"), TimeDelta::hours(1));
    assert!(matches!(before, Err(Error::Configuration { .. })));
    let all = once.business_time(at("0001-01-01T00:00:00Z"), at("9998-12-31T00:00:00Z"));
    assert_eq!(all.unwrap(), TimeDelta::hours(2));
    // Years outside the cache are computed on the fly, the same way.
    let office = Calendar::weekly("Europe/Paris", &WORK_WEEK, &["09:00-17:00"]).unwrap();
    let old = office
        .business_time(at("1900-01-01T00:00:00Z"), at("1900-01-08T00:00:00Z"))
        .unwrap();
    assert_eq!(old, TimeDelta::hours(40));
}

// ---- property tests -------------------------------------------------------------------

const ZONES: [&str; 6] = [
    "Europe/Amsterdam",
    "Europe/London",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "UTC",
];

/// Days around DST changes (and a year end) where small cases start.
const BASES: [&str; 5] = [
    "2026-03-27T00:00:00Z",
    "2026-10-23T00:00:00Z",
    "2026-10-30T00:00:00Z",
    "2026-04-03T00:00:00Z",
    "2026-12-29T00:00:00Z",
];

fn base(i: usize) -> i64 {
    at(BASES[i]).timestamp()
}

/// Windows whose edges avoid 01:00-04:00 local, where DST changes happen in these zones, so
/// that the plain wall-clock reading of an instant is an obviously right model.
fn day_windows() -> impl Strategy<Value = Vec<WorkWindow>> {
    let edges = prop::collection::btree_set(
        prop::sample::select(vec![0u32, 4, 5, 7, 8, 9, 12, 13, 17, 18, 20, 23, 24]),
        0..=4,
    );
    edges.prop_map(|set| {
        let v: Vec<u32> = set.into_iter().collect();
        v.chunks_exact(2)
            .map(|p| WorkWindow {
                start: TimeOfDay::from_seconds(p[0] * 3600).unwrap(),
                end: TimeOfDay::from_seconds(p[1] * 3600).unwrap(),
            })
            .collect()
    })
}

fn calendar_strategy() -> impl Strategy<Value = Calendar> {
    (
        prop::sample::select(ZONES.to_vec()),
        prop::collection::vec(day_windows(), 7),
        prop::collection::vec((0usize..5, 0i64..6), 0..3),
        prop::option::of((0usize..5, 0i64..6, day_windows())),
    )
        .prop_map(|(zone, days, holidays, over)| {
            let mut week = WeeklySchedule::default();
            for (day, windows) in spec::ALL_WEEKDAYS.iter().zip(days) {
                *week.day_mut(*day) = windows;
            }
            let day_of = |b: usize, k: i64| to_datetime(base(b) + k * 86_400).date_naive();
            let mut holidays: Vec<Holiday> = holidays
                .into_iter()
                .map(|(b, k)| Holiday::once(day_of(b, k), ""))
                .collect();
            holidays.dedup();
            let overrides = over
                .map(|(b, k, windows)| DateOverride {
                    date: day_of(b, k),
                    windows,
                    name: String::new(),
                })
                .into_iter()
                .collect();
            let version = CalendarVersion {
                effective_from: None,
                week,
                holidays,
                overrides,
            };
            let spec = CalendarSpec {
                name: String::new(),
                time_zone: zone.into(),
                versions: vec![version],
            };
            Calendar::new(spec).unwrap()
        })
}

/// The slow model: an instant is working when its local wall time is in a window of its
/// local date.
fn slow_is_working(calendar: &Calendar, t: i64) -> bool {
    let local = calendar
        .time_zone()
        .from_utc_datetime(&to_datetime(t).naive_utc());
    let (date, secs) = (local.date_naive(), local.num_seconds_from_midnight());
    let version = &calendar.spec().versions[0];
    let windows: &[WorkWindow] = match version.overrides.iter().find(|o| o.date == date) {
        Some(o) => &o.windows,
        None if version.holidays.iter().any(|h| h.date.falls_on(date)) => &[],
        None => version.week.day(date.weekday()),
    };
    windows
        .iter()
        .any(|w| w.start.seconds() <= secs && secs < w.end.seconds())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn year_of_matches_chrono(t in timeline::MIN_INSTANT..timeline::MAX_INSTANT) {
        prop_assert_eq!(timeline::year_of(t), to_datetime(t).year());
        prop_assert_eq!(timeline::civil_year_of(t), to_datetime(t).year());
        let start = timeline::year_start(timeline::year_of(t));
        prop_assert!(start <= t && t < timeline::year_start(timeline::year_of(t) + 1));
    }

    #[test]
    fn cached_year_index_matches_year_of(
        t in (timeline::year_start(timeline::CACHE_FIRST_YEAR) - 86_400 * 3)
            ..(timeline::year_start(timeline::CACHE_LAST_YEAR + 1) + 86_400 * 3),
    ) {
        let year = timeline::civil_year_of(t);
        let expected = (timeline::CACHE_FIRST_YEAR..=timeline::CACHE_LAST_YEAR)
            .contains(&year)
            .then(|| (year - timeline::CACHE_FIRST_YEAR) as usize);
        prop_assert_eq!(timeline::cached_year_index(t), expected);
    }

    #[test]
    fn equals_minute_stepping_model(
        calendar in calendar_strategy(),
        b in 0usize..5,
        start in 0i64..(4 * 1440),
        minutes in 0i64..(3 * 1440),
    ) {
        let a = base(b) + start * 60;
        let mut slow = 0;
        for m in 0..minutes {
            let t = a + m * 60;
            let working = slow_is_working(&calendar, t);
            prop_assert_eq!(calendar.is_working(to_datetime(t)).unwrap(), working, "at {}", t);
            slow += if working { 60 } else { 0 };
        }
        prop_assert_eq!(calendar.business_seconds(a, a + minutes * 60).unwrap(), slow);
    }

    #[test]
    fn add_inverts_between(
        calendar in calendar_strategy(),
        b in 0usize..5,
        start in 0i64..(6 * 86_400),
        span in 0i64..(20 * 86_400),
    ) {
        let t = base(b) + start;
        let u = t + span;
        let d = calendar.business_seconds(t, u).unwrap();
        if d > 0 {
            let x = calendar.add_business_seconds(t, d).unwrap();
            prop_assert_eq!(calendar.business_seconds(t, x).unwrap(), d);
            prop_assert!(x <= u);
            let working = |s: i64| calendar.is_working(to_datetime(s)).unwrap();
            if working(u) && working(u - 1) {
                prop_assert_eq!(x, u);
            }
            let y = calendar.add_business_seconds(u, -d).unwrap();
            prop_assert_eq!(calendar.business_seconds(y, u).unwrap(), d);
            if working(t) {
                prop_assert_eq!(y, t);
            }
        }
    }

    #[test]
    fn between_is_additive_over_splits(
        calendar in calendar_strategy(),
        b in 0usize..5,
        points in prop::collection::vec(-(800i64 * 86_400)..(800 * 86_400), 3),
    ) {
        let [p, q, r] = [base(b) + points[0], base(b) + points[1], base(b) + points[2]];
        let whole = calendar.business_seconds(p, r).unwrap();
        let left = calendar.business_seconds(p, q).unwrap();
        prop_assert_eq!(whole, left + calendar.business_seconds(q, r).unwrap());
    }
}

#[test]
fn cached_year_index_is_exact_at_every_year_boundary() {
    for year in timeline::CACHE_FIRST_YEAR - 1..=timeline::CACHE_LAST_YEAR + 1 {
        let start = timeline::year_start(year);
        for t in [start - 1, start, start + 1] {
            let y = timeline::civil_year_of(t);
            let expected = (timeline::CACHE_FIRST_YEAR..=timeline::CACHE_LAST_YEAR)
                .contains(&y)
                .then(|| (y - timeline::CACHE_FIRST_YEAR) as usize);
            assert_eq!(timeline::cached_year_index(t), expected, "{t}");
            assert_eq!(timeline::year_of(t), y, "{t}");
        }
    }
}
