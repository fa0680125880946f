//! Calendar and SLA-definition decoding, and calendar arithmetic on arbitrary instants.
//!
//! Input: a first line of whitespace-separated integers (Unix seconds and business
//! seconds; missing ones default), then a JSON document decoded both as a calendar and as an
//! SLA configuration. Any input must either fail with a typed error or give results that
//! satisfy the calendar's laws; nothing may panic or overflow.
#![cfg_attr(fuzzing, no_main)]

use chrono::{DateTime, TimeZone, Utc};
use incident_core::calendar::Calendar;
use incident_core::sla::{SlaConfig, SlaEngine};
use incident_core::{Actor, Channel, Command, DeskConfig, HoldReason, NewIncident, Role, decide};

include!("shim.rs");

/// 2026-03-02T09:00:00Z, the anchor of "near" instants.
const ANCHOR: i64 = 1_772_442_000;

fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (numbers, json) = text.split_once('\n').unwrap_or(("", text));
    let raw: Vec<i64> = numbers
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    let number = |i: usize, default: i64| raw.get(i).copied().unwrap_or(default);
    // Odd selectors keep instants near the anchor, even ones use them raw (far away too).
    let instant = |i: usize| {
        let v = number(i, 0);
        if number(5, 1) % 2 != 0 {
            ANCHOR.saturating_add(v % (3 * 366 * 86_400))
        } else {
            v
        }
    };
    let (a, b, d) = (instant(0), instant(1), number(2, 3600));

    if let Ok(calendar) = serde_json::from_str::<Calendar>(json) {
        let again: Calendar =
            serde_json::from_str(&serde_json::to_string(&calendar).expect("serialises"))
                .expect("a calendar round-trips");
        assert_eq!(again, calendar);
        arithmetic(&calendar, a, b, d);
    }
    if let Ok(config) = serde_json::from_str::<SlaConfig>(json) {
        let text = serde_json::to_string(&config).expect("serialises");
        let again: SlaConfig = serde_json::from_str(&text).expect("a configuration round-trips");
        assert_eq!(again, config);
        if let Ok(engine) = SlaEngine::new(config) {
            for calendar in engine.config().calendars.values() {
                arithmetic(calendar, a, b, d);
            }
            lifecycle(&engine, &raw);
        }
    }
}

fn arithmetic(calendar: &Calendar, a: i64, b: i64, d: i64) {
    let between = calendar.business_seconds(a, b);
    if let Ok(s) = between {
        assert!(
            s.abs() <= (b as i128 - a as i128).unsigned_abs() as i64,
            "more than real time"
        );
        if let Ok(m) = calendar.business_seconds(a, a.midpoint(b)) {
            let rest = calendar
                .business_seconds(a.midpoint(b), b)
                .expect("inside the range");
            assert_eq!(m + rest, s, "between is additive");
        }
    }

    // Durations up to ten years are checked against their inverse.
    if let Ok(x) = calendar.add_business_seconds(a, d) {
        if d.unsigned_abs() < 10 * 366 * 86_400 {
            let back = calendar
                .business_seconds(a.min(x), a.max(x))
                .expect("result in range");
            assert_eq!(back, d.abs(), "add inverts between");
        }
    }
    if let Some(t) = DateTime::from_timestamp(a, 0) {
        let working = calendar.is_working(t);
        if let Ok(next) = calendar.next_working(t) {
            assert!(next >= t);
            assert_eq!(working.ok(), Some(next == t));
        }
        if let Some(u) = DateTime::from_timestamp(b, 0)
            && (b - a).abs() < 400 * 86_400
            && let Ok(days) = calendar.explain(t, u)
        {
            let counted: i64 = days.iter().map(|d| d.seconds).sum();
            assert_eq!(Some(counted), between.ok().map(i64::abs));
        }
    }
}

/// One incident through the core with gaps from the input, then every query on its clocks.
fn lifecycle(engine: &SlaEngine, raw: &[i64]) {
    let config = DeskConfig::default();
    let admin = Actor::new("root", Role::Administrator);
    let mut now = Utc.timestamp_opt(ANCHOR, 0).single().expect("anchor");
    let report = Command::Open(NewIncident::new("fuzz", Channel::Phone, 2, 2));
    let id = incident_core::IncidentId::new(now);
    let Ok(opened) = decide::open(&config, id, "INC0000001".into(), &admin, &report, now) else {
        return;
    };
    let mut incident = opened.incident;
    let mut events = opened.events;
    let steps = [
        Command::StartWork,
        Command::Hold {
            reason: HoldReason::AwaitingCaller,
        },
        Command::SetImpactUrgency {
            impact: Some(1),
            urgency: Some(1),
        },
        Command::Resume,
        Command::Resolve {
            code: "fixed".into(),
            notes: "done".into(),
        },
    ];
    for (i, step) in steps.iter().enumerate() {
        let gap = raw
            .get(6 + i)
            .copied()
            .unwrap_or(600)
            .rem_euclid(30 * 86_400);
        now += chrono::TimeDelta::seconds(gap);
        if let Ok(new) = decide::execute_in_place(&config, &mut incident, &admin, step, now) {
            events.extend(new);
        }
    }

    let Ok(clocks) = engine.replay(&events) else {
        return;
    };
    let later = now + chrono::TimeDelta::days(1);
    let _ = engine.status(&clocks, later);
    let _ = engine.next_due_instant([&clocks], later);
    for i in 0..clocks.clocks().len() {
        let _ = engine.explain(&events, i, later);
    }
}

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| check(data));
