//! SLA clocks through the desk: status from the stored events, and one timer for all.

mod common;

use chrono::Duration;
use common::*;
use incident_core::calendar::Calendar;
use incident_core::sla::{ClockKind, ClockStage, SlaConfig, SlaDefinition, SlaEngine};
use incident_core::*;

fn desk_with_sla() -> Desk {
    let mut sla = SlaConfig::default();
    sla.calendars
        .insert("24x7".into(), Calendar::always_on("UTC").unwrap());
    let fix = SlaDefinition::new("fix-in-2h", ClockKind::Resolution, 2 * 3600, "24x7");
    let answer = SlaDefinition::new("answer-in-30m", ClockKind::Response, 1800, "24x7");
    sla.definitions = vec![fix, answer];
    desk().with_sla(SlaEngine::new(sla).unwrap())
}

#[test]
fn the_desk_reports_clocks_and_the_next_instant_to_wake_up() {
    let desk = desk_with_sla();
    let incident = report(&desk);
    let clocks = desk.sla_status(incident.id, at(10)).unwrap();
    let fix = clocks.iter().find(|c| c.definition == "fix-in-2h").unwrap();
    assert_eq!(fix.stage, ClockStage::Running);
    assert_eq!((fix.elapsed_seconds, fix.remaining_seconds), (600, 6600));
    assert_eq!(fix.due_at, Some(t0() + Duration::hours(2)));

    // The response clock's first warning (50 % of 30 min) is the first thing due.
    assert_eq!(desk.next_sla_due(at(10)).unwrap(), Some(at(15)));

    let hold = Command::Hold {
        reason: HoldReason::AwaitingVendor,
    };
    desk.execute(&alice(), incident.id, Command::StartWork, at(20))
        .unwrap();
    desk.execute(&alice(), incident.id, hold, at(30)).unwrap();
    let paused = desk.sla_status(incident.id, at(90)).unwrap();
    let fix = paused.iter().find(|c| c.definition == "fix-in-2h").unwrap();
    assert_eq!((fix.stage, fix.elapsed_seconds), (ClockStage::Paused, 1800));
    let answer = paused
        .iter()
        .find(|c| c.definition == "answer-in-30m")
        .unwrap();
    assert_eq!(
        (answer.stage, answer.elapsed_seconds),
        (ClockStage::Met, 1200)
    );
    assert_eq!(
        desk.next_sla_due(at(90)).unwrap(),
        None,
        "nothing runs while on hold"
    );

    let explained = desk.explain_deadline(incident.id, 0, at(90)).unwrap();
    assert!(!format!("{explained:?}").is_empty());
}

#[test]
fn a_desk_without_definitions_says_so() {
    let desk = desk();
    let incident = report(&desk);
    let err = desk.sla_status(incident.id, at(1)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Configuration);
}
