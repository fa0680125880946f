use chrono::{DateTime, TimeDelta, Utc, Weekday::*};

use super::*;
use crate::calendar::Calendar;
use crate::command::{Command, NewIncident};
use crate::decide;
use crate::directory::{Directory, Workgroup, WorkgroupKind};
use crate::event::Event;
use crate::model::{Channel, HoldReason, Incident, IncidentId, State};
use crate::persona::{Actor, Role};
use crate::policy::DeskConfig;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("test instant")
        .with_timezone(&Utc)
}

/// An incident driven through the core's decisions, keeping its event log.
struct Run {
    config: DeskConfig,
    admin: Actor,
    incident: Incident,
    events: Vec<Event>,
}

impl Run {
    fn open(config: DeskConfig, impact: u8, urgency: u8, now: &str) -> Run {
        let admin = Actor::new("root", Role::Administrator);
        let now = at(now);
        let report = Command::Open(NewIncident::new("Broken", Channel::Phone, impact, urgency));
        let id = IncidentId::new(now);
        let opened = decide::open(&config, id, "INC0000001".into(), &admin, &report, now).unwrap();
        Run {
            config,
            admin,
            incident: opened.incident,
            events: opened.events,
        }
    }

    fn with(mut self, command: Command, now: &str) -> Run {
        let events = decide::execute_in_place(
            &self.config,
            &mut self.incident,
            &self.admin,
            &command,
            at(now),
        )
        .unwrap();
        self.events.extend(events);
        self
    }
}

fn engine(calendar: Calendar, definitions: Vec<SlaDefinition>) -> SlaEngine {
    let mut config = SlaConfig::default();
    config.calendars.insert("cal".into(), calendar);
    config.definitions = definitions;
    SlaEngine::new(config).unwrap()
}

fn hold() -> Command {
    Command::Hold {
        reason: HoldReason::AwaitingCaller,
    }
}

fn resolve() -> Command {
    Command::Resolve {
        code: "fixed".into(),
        notes: "done".into(),
    }
}

fn groups(names: &[&str]) -> DeskConfig {
    let workgroups = names
        .iter()
        .map(|n| Workgroup::new(*n, *n, WorkgroupKind::Incident))
        .collect();
    let directory = Directory::new(workgroups, vec![], vec![], names[0].into()).unwrap();
    DeskConfig::with_directory(directory)
}

#[test]
fn engines_and_calendars_are_shared_across_threads() {
    fn shareable<T: Send + Sync + Clone + 'static>() {}
    shareable::<SlaEngine>();
    shareable::<Calendar>();
    shareable::<IncidentClocks>();
    shareable::<ClockStatus>();
}

#[test]
fn case_2_a_pause_credits_business_hours_not_real_hours() {
    let paris = Calendar::weekly("Europe/Paris", &[Mon, Tue, Wed, Thu, Fri], &["09:00-17:00"]);
    let fix = SlaDefinition::new("fix", ClockKind::Resolution, 8 * 3600, "cal");
    let engine = engine(paris.unwrap(), vec![fix]);
    let run = Run::open(DeskConfig::default(), 3, 3, "2026-03-06T10:00:00+01:00")
        .with(Command::StartWork, "2026-03-06T10:00:00+01:00")
        .with(hold(), "2026-03-06T16:00:00+01:00")
        .with(Command::Resume, "2026-03-09T10:00:00+01:00");

    let clocks = engine.replay(&run.events).unwrap();
    let status = engine
        .status(&clocks, at("2026-03-09T10:00:00+01:00"))
        .unwrap();
    assert_eq!(status[0].due_at, Some(at("2026-03-09T12:00:00+01:00")));
    assert_eq!(status[0].elapsed_seconds, 6 * 3600);
    assert_eq!(status[0].stage, ClockStage::Running);

    let why = engine
        .explain(&run.events, 0, at("2026-03-09T10:00:00+01:00"))
        .unwrap();
    assert_eq!(why.pauses.len(), 1);
    assert_eq!(why.pauses[0].business_seconds_credited, 2 * 3600);
    assert_eq!(why.pauses[0].to - why.pauses[0].from, TimeDelta::hours(66));
    assert_eq!(why.matched, "fix matched: no conditions (fallback)");
    let counted: i64 = why.days.iter().map(|d| d.seconds).sum();
    assert_eq!(counted, 7 * 3600 + 3 * 3600); // Friday 10-17 and Monday 9-12 in the span
}

#[test]
fn case_3_escalation_one_business_hour_before_the_deadline() {
    let office = Calendar::weekly("Europe/Paris", &[Mon, Tue, Wed, Thu, Fri], &["08:00-18:00"]);
    let mut respond = SlaDefinition::new("respond", ClockKind::Response, 4 * 3600, "cal");
    respond.warnings = vec![Threshold::BeforeDueSeconds(3600), Threshold::Percent(75)];
    let engine = engine(office.unwrap(), vec![respond]);
    // Monday 2026-03-02 17:00 Paris.
    let run = Run::open(DeskConfig::default(), 3, 3, "2026-03-02T17:00:00+01:00");

    let clocks = engine.replay(&run.events).unwrap();
    let status = &engine
        .status(&clocks, at("2026-03-02T17:30:00+01:00"))
        .unwrap()[0];
    assert_eq!(status.due_at, Some(at("2026-03-03T11:00:00+01:00")));
    assert_eq!(status.warnings[0].at, Some(at("2026-03-03T10:00:00+01:00")));
    assert_eq!(status.warnings[1].at, Some(at("2026-03-03T10:00:00+01:00")));
    assert_eq!(status.breached_at, Some(at("2026-03-03T11:00:01+01:00")));
    let next = engine
        .next_due_instant([&clocks], at("2026-03-02T17:30:00+01:00"))
        .unwrap();
    assert_eq!(next, Some(at("2026-03-03T10:00:00+01:00")));
    let next = engine
        .next_due_instant([&clocks], at("2026-03-03T10:00:00+01:00"))
        .unwrap();
    assert_eq!(next, Some(at("2026-03-03T11:00:00+01:00")));
}

#[test]
fn case_4_an_ola_runs_from_assignment_while_the_sla_runs_from_opening() {
    let sla = SlaDefinition::new("sla", ClockKind::Resolution, 2 * 3600, "cal");
    let ola = SlaDefinition::new("g2-ola", ClockKind::Resolution, 3600, "cal").for_workgroup("G2");
    let engine = engine(Calendar::always_on("UTC").unwrap(), vec![sla, ola]);
    let run = Run::open(groups(&["G1", "G2"]), 3, 3, "2026-03-02T09:00:00Z")
        .with(
            Command::Assign {
                workgroup: Some("G1".into()),
                assignee: None,
            },
            "2026-03-02T09:00:00Z",
        )
        .with(
            Command::Assign {
                workgroup: Some("G2".into()),
                assignee: None,
            },
            "2026-03-02T10:30:00Z",
        );

    let clocks = engine.replay(&run.events).unwrap();
    let status = engine.status(&clocks, at("2026-03-02T10:45:00Z")).unwrap();
    let by_id = |id: &str| status.iter().find(|s| s.definition == id).unwrap();
    assert_eq!(by_id("g2-ola").due_at, Some(at("2026-03-02T11:30:00Z")));
    assert_eq!(by_id("g2-ola").started_at, at("2026-03-02T10:30:00Z"));
    assert_eq!(by_id("sla").due_at, Some(at("2026-03-02T11:00:00Z")));
    assert_eq!(status.len(), 2);
}

fn case_5(policy: OnPriorityChange) -> DateTime<Utc> {
    let p3 = SlaDefinition::new("p3", ClockKind::Resolution, 8 * 3600, "cal").for_priorities(&[3]);
    let mut p2 =
        SlaDefinition::new("p2", ClockKind::Resolution, 4 * 3600, "cal").for_priorities(&[2]);
    p2.on_priority_change = policy;
    let engine = engine(Calendar::always_on("UTC").unwrap(), vec![p3, p2]);
    let urgent = Command::SetImpactUrgency {
        impact: None,
        urgency: Some(1),
    };
    let run = Run::open(DeskConfig::default(), 2, 2, "2026-03-02T09:00:00Z")
        .with(Command::StartWork, "2026-03-02T09:05:00Z")
        .with(hold(), "2026-03-02T09:10:00Z")
        .with(urgent, "2026-03-02T09:15:00Z")
        .with(Command::Resume, "2026-03-02T09:20:00Z");
    assert_eq!(run.incident.priority, 2);

    let clocks = engine.replay(&run.events).unwrap();
    let status = engine.status(&clocks, at("2026-03-02T09:30:00Z")).unwrap();
    let live = status
        .iter()
        .find(|s| s.stage == ClockStage::Running)
        .unwrap();
    assert_eq!(live.definition, "p2");
    live.due_at.unwrap()
}

#[test]
fn case_5_priority_change_carries_or_restarts_the_clock() {
    assert_eq!(
        case_5(OnPriorityChange::CarryElapsed),
        at("2026-03-02T13:10:00Z")
    );
    assert_eq!(
        case_5(OnPriorityChange::Restart),
        at("2026-03-02T13:20:00Z")
    );
    assert_eq!(
        case_5(OnPriorityChange::Retroactive),
        at("2026-03-02T13:10:00Z")
    );
}

/// P3 counts office hours, P2 round the clock: the policies now differ.
fn calendar_switch(policy: OnPriorityChange) -> DateTime<Utc> {
    let mut config = SlaConfig::default();
    let office = Calendar::weekly("UTC", &[Mon, Tue, Wed, Thu, Fri], &["09:00-17:00"]).unwrap();
    config.calendars.insert("office".into(), office);
    config
        .calendars
        .insert("24x7".into(), Calendar::always_on("UTC").unwrap());
    let p3 = SlaDefinition::new("p3", ClockKind::Resolution, 8 * 3600, "office");
    let mut p2 = SlaDefinition::new("p2", ClockKind::Resolution, 4 * 3600, "24x7");
    p2.on_priority_change = policy;
    config.definitions = vec![p3.for_priorities(&[3]), p2.for_priorities(&[2])];
    let engine = SlaEngine::new(config).unwrap();
    let urgent = Command::SetImpactUrgency {
        impact: None,
        urgency: Some(1),
    };
    let run = Run::open(DeskConfig::default(), 2, 2, "2026-03-02T16:00:00Z")
        .with(urgent, "2026-03-02T18:00:00Z");
    let clocks = engine.replay(&run.events).unwrap();
    let status = engine.status(&clocks, at("2026-03-02T18:30:00Z")).unwrap();
    let live = status
        .iter()
        .find(|s| s.stage == ClockStage::Running)
        .unwrap();
    live.due_at.unwrap()
}

#[test]
fn retroactive_recounts_the_past_with_the_new_calendar() {
    // Carried: 1 office hour (16-17) counted, 3 more round the clock from 18:00.
    assert_eq!(
        calendar_switch(OnPriorityChange::CarryElapsed),
        at("2026-03-02T21:00:00Z")
    );
    // Retroactive: round the clock from 16:00.
    assert_eq!(
        calendar_switch(OnPriorityChange::Retroactive),
        at("2026-03-02T20:00:00Z")
    );
    assert_eq!(
        calendar_switch(OnPriorityChange::Restart),
        at("2026-03-02T22:00:00Z")
    );
}

fn reopened(policy: OnReopen) -> (SlaEngine, IncidentClocks) {
    let mut fix = SlaDefinition::new("fix", ClockKind::Resolution, 300, "cal");
    fix.on_reopen = policy;
    let engine = engine(Calendar::always_on("UTC").unwrap(), vec![fix]);
    let mut config = DeskConfig::default();
    config.policy.reopen_closed_within_days = Some(7);
    let run = Run::open(config, 3, 3, "2026-03-02T10:00:00Z")
        .with(Command::StartWork, "2026-03-02T10:00:00Z")
        .with(resolve(), "2026-03-02T10:02:00Z")
        .with(Command::Confirm { feedback: None }, "2026-03-02T10:02:00Z")
        .with(
            Command::Reopen {
                reason: "again".into(),
            },
            "2026-03-02T10:12:00Z",
        )
        .with(Command::StartWork, "2026-03-02T10:12:00Z")
        .with(resolve(), "2026-03-02T10:14:00Z");
    assert_eq!(run.incident.state, State::Resolved);
    let clocks = engine.replay(&run.events).unwrap();
    (engine, clocks)
}

#[test]
fn case_6_time_resolved_and_closed_is_not_counted_after_a_reopen() {
    let (engine, clocks) = reopened(OnReopen::Resume);
    let status = engine.status(&clocks, at("2026-03-02T11:00:00Z")).unwrap();
    assert_eq!(status.len(), 1);
    assert_eq!(status[0].elapsed_seconds, 240);
    assert_eq!(status[0].stage, ClockStage::Met);

    let (engine, clocks) = reopened(OnReopen::Restart);
    let status = engine.status(&clocks, at("2026-03-02T11:00:00Z")).unwrap();
    let elapsed: Vec<i64> = status.iter().map(|s| s.elapsed_seconds).collect();
    assert_eq!(elapsed, [120, 120]);

    let (engine, clocks) = reopened(OnReopen::FirstResolveOnly);
    let status = engine.status(&clocks, at("2026-03-02T11:00:00Z")).unwrap();
    assert_eq!((status.len(), status[0].elapsed_seconds), (1, 120));
}

#[test]
fn breach_is_strictly_greater_and_disabling_cancels_open_clocks() {
    let mut respond = SlaDefinition::new("respond", ClockKind::Response, 600, "cal");
    let run = Run::open(DeskConfig::default(), 3, 3, "2026-03-02T09:00:00Z");
    let engine1 = engine(Calendar::always_on("UTC").unwrap(), vec![respond.clone()]);
    let clocks = engine1.replay(&run.events).unwrap();
    let outcome = |e: &SlaEngine, now: &str| e.outcome(&clocks.clocks()[0], at(now)).unwrap();
    assert_eq!(
        outcome(&engine1, "2026-03-02T09:10:00Z").stage,
        ClockStage::Running
    );
    assert_eq!(
        outcome(&engine1, "2026-03-02T09:10:01Z").stage,
        ClockStage::Breached
    );

    respond.disabled_from = Some(at("2026-03-02T09:20:00Z"));
    let engine2 = engine(Calendar::always_on("UTC").unwrap(), vec![respond]);
    assert_eq!(
        outcome(&engine2, "2026-03-02T09:15:00Z").stage,
        ClockStage::Breached
    );
    let later = outcome(&engine2, "2026-03-02T10:00:00Z");
    assert_eq!(
        (later.stage, later.elapsed_seconds),
        (ClockStage::Cancelled, 1200)
    );
    let status = engine2.status(&clocks, at("2026-03-02T10:00:00Z")).unwrap();
    assert_eq!(status[0].breached_at, Some(at("2026-03-02T09:10:01Z")));
    assert_eq!(
        engine2
            .next_due_instant([&clocks], at("2026-03-02T10:00:00Z"))
            .unwrap(),
        None
    );
}

#[test]
fn first_match_in_order_with_a_fallback_and_a_met_response() {
    let mut vip = SlaDefinition::new("vip", ClockKind::Response, 900, "cal");
    vip.applies_to.organisations = vec!["ACME".into()];
    let p1 = SlaDefinition::new("p1", ClockKind::Response, 1800, "cal").for_priorities(&[1]);
    let rest = SlaDefinition::new("rest", ClockKind::Response, 7200, "cal");
    let engine = engine(Calendar::always_on("UTC").unwrap(), vec![vip, p1, rest]);
    let run = Run::open(DeskConfig::default(), 1, 1, "2026-03-02T09:00:00Z")
        .with(Command::StartWork, "2026-03-02T09:20:00Z");
    let clocks = engine.replay(&run.events).unwrap();
    let status = engine.status(&clocks, at("2026-03-02T12:00:00Z")).unwrap();
    assert_eq!(
        (status[0].definition.as_str(), status[0].stage),
        ("p1", ClockStage::Met)
    );
    assert_eq!(status[0].elapsed_seconds, 1200);
    let why = engine
        .explain(&run.events, 0, at("2026-03-02T12:00:00Z"))
        .unwrap();
    assert_eq!(why.skipped_definitions, ["vip"]);
    assert_eq!(why.matched, "p1 matched: priority 1 in [1]");
}

#[test]
fn definitions_round_trip_through_json_and_bad_ones_are_refused() {
    let json = r#"{
        "calendars": {"office": {"time_zone": "Europe/Paris",
            "versions": [{"week": {"mon": ["09:00-17:00"]}}]}},
        "definitions": [{"id": "p1", "kind": "resolution", "target_seconds": 14400,
            "calendar": "office", "applies_to": {"priorities": [1]},
            "scope": {"level": "ola", "workgroup": "network"},
            "warnings": [{"percent": 80}, {"before_due_seconds": 600}],
            "time_zone": "workgroup", "on_reopen": "restart",
            "on_priority_change": "retroactive", "pause_states": ["on_hold"]}],
        "workgroup_time_zones": {"network": "America/New_York"}
    }"#;
    let config: SlaConfig = serde_json::from_str(json).unwrap();
    let again: SlaConfig = serde_json::from_str(&serde_json::to_string(&config).unwrap()).unwrap();
    assert_eq!(config, again);
    let engine = SlaEngine::new(config.clone()).unwrap();
    assert_eq!(engine.calendars.len(), 2);

    let mut bad = config.clone();
    bad.definitions[0].calendar = "nowhere".into();
    assert_eq!(SlaEngine::new(bad).unwrap_err().code(), "ERR_NOT_FOUND");
    let mut bad = config.clone();
    bad.definitions[0].target_seconds = 0;
    assert_eq!(SlaEngine::new(bad).unwrap_err().code(), "ERR_VALIDATION");
    let mut bad = config;
    bad.workgroup_time_zones
        .insert("x".into(), "Nowhere/Land".into());
    assert_eq!(SlaEngine::new(bad).unwrap_err().code(), "ERR_VALIDATION");
}

#[test]
fn an_ola_can_follow_its_workgroups_zone() {
    let days = [Mon, Tue, Wed, Thu, Fri];
    let office = Calendar::weekly("UTC", &days, &["09:00-17:00"]).unwrap();
    let mut ola =
        SlaDefinition::new("net", ClockKind::Resolution, 3600, "cal").for_workgroup("net");
    ola.time_zone = TimeZoneSource::Workgroup;
    let mut config = SlaConfig::default();
    config.calendars.insert("cal".into(), office);
    config.definitions = vec![ola];
    config
        .workgroup_time_zones
        .insert("net".into(), "America/New_York".into());
    let engine = SlaEngine::new(config).unwrap();

    // Monday 2026-03-02 13:00Z is 08:00 in New York: the day there starts at 14:00Z.
    let net = Command::Assign {
        workgroup: Some("net".into()),
        assignee: None,
    };
    let run = Run::open(groups(&["desk", "net"]), 3, 3, "2026-03-02T12:00:00Z")
        .with(net, "2026-03-02T13:00:00Z");
    let clocks = engine.replay(&run.events).unwrap();
    let status = engine.status(&clocks, at("2026-03-02T13:30:00Z")).unwrap();
    assert_eq!(status[0].due_at, Some(at("2026-03-02T15:00:00Z")));
    assert_eq!(status[0].calendar, "cal (America/New_York)");
    assert_eq!(
        (status[0].stage, status[0].elapsed_seconds),
        (ClockStage::Running, 0)
    );
}

mod model {
    use proptest::prelude::*;

    use super::*;

    /// Lifecycle steps a random walk may try; refused ones are skipped.
    fn step(i: u8) -> Command {
        match i % 5 {
            0 => Command::StartWork,
            1 => hold(),
            2 => Command::Resume,
            3 => resolve(),
            _ => Command::Reopen {
                reason: "again".into(),
            },
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The resolution clock (resume policy) equals the business time spent in states
        /// that do not pause it; the response clock the business time until work started.
        #[test]
        fn clocks_equal_business_time_in_counted_states(
            start in 0i64..(365 * 86_400),
            walk in prop::collection::vec((any::<u8>(), 0i64..(3 * 86_400)), 1..12),
        ) {
            let days = [Mon, Tue, Wed, Thu, Fri];
            let office = Calendar::weekly("Europe/Amsterdam", &days, &["08:00-18:00"]).unwrap();
            let fix = SlaDefinition::new("fix", ClockKind::Resolution, 8 * 3600, "cal");
            let respond = SlaDefinition::new("respond", ClockKind::Response, 3600, "cal");
            let engine = engine(office.clone(), vec![fix, respond]);

            let t0 = DateTime::from_timestamp(1_767_225_600 + start, 0).unwrap();
            let mut run = Run::open(DeskConfig::default(), 2, 2, &t0.to_rfc3339());
            let mut now = t0;
            let mut states = vec![(now, State::New)];
            for (kind, gap) in walk {
                now += TimeDelta::seconds(gap);
                let command = step(kind);
                let admin = run.admin.clone();
                let incident = &mut run.incident;
                let config = &run.config;
                let decided = decide::execute_in_place(config, incident, &admin, &command, now);
                if let Ok(events) = decided {
                    run.events.extend(events);
                    states.push((now, run.incident.state));
                }
            }
            let end = now + TimeDelta::hours(1);

            let mut resolution = 0;
            let mut response = None;
            for (i, &(from, state)) in states.iter().enumerate() {
                let to = states.get(i + 1).map_or(end, |s| s.0);
                if !matches!(state, State::OnHold | State::Resolved | State::Closed) {
                    resolution += office.business_time(from, to).unwrap().num_seconds();
                }
                if response.is_none() && matches!(state, State::InProgress | State::Resolved) {
                    response = Some(office.business_time(t0, from).unwrap().num_seconds());
                }
            }

            let clocks = engine.replay(&run.events).unwrap();
            let status = engine.status(&clocks, end).unwrap();
            let fix = status.iter().find(|s| s.definition == "fix").unwrap();
            prop_assert_eq!(fix.elapsed_seconds, resolution);
            let resolved = run.incident.state == State::Resolved;
            prop_assert_eq!(fix.stopped_at.is_some(), resolved);
            let respond = status.iter().find(|s| s.definition == "respond").unwrap();
            match response {
                Some(seconds) => prop_assert_eq!(respond.elapsed_seconds, seconds),
                None => prop_assert_eq!(
                    respond.elapsed_seconds,
                    office.business_time(t0, end).unwrap().num_seconds()
                ),
            }
            // The due instant is exactly where the clock reaches its target.
            if let Some(due) = fix.due_at {
                let index = status.iter().position(|s| s.definition == "fix").unwrap();
                let clock = &clocks.clocks()[index];
                prop_assert_eq!(engine.elapsed_until(clock, due.timestamp()).unwrap(), 8 * 3600);
            }
        }
    }
}

#[test]
fn sub_second_instants_count_as_their_whole_second() {
    let run = Run::open(DeskConfig::default(), 3, 3, "2026-03-02T09:00:00.900Z")
        .with(Command::StartWork, "2026-03-02T09:05:00.250Z")
        .with(hold(), "2026-03-02T09:06:00.999Z")
        .with(Command::Resume, "2026-03-02T09:16:00.001Z")
        .with(resolve(), "2026-03-02T09:20:00.500Z");
    let definitions = vec![
        SlaDefinition::new("respond", ClockKind::Response, 3600, "cal"),
        SlaDefinition::new("fix", ClockKind::Resolution, 3600, "cal"),
    ];
    let engine = engine(Calendar::always_on("UTC").unwrap(), definitions);
    let clocks = engine.replay(&run.events).unwrap();
    let now = at("2026-03-02T10:00:00.700Z");
    let respond = engine.outcome(&clocks.clocks()[0], now).unwrap();
    let fix = engine.outcome(&clocks.clocks()[1], now).unwrap();
    assert_eq!(respond.elapsed_seconds, 300);
    assert_eq!(respond.stopped_at, Some(at("2026-03-02T09:05:00Z")));
    assert_eq!(fix.elapsed_seconds, 20 * 60 - 10 * 60);
    assert_eq!(fix.stopped_at, Some(at("2026-03-02T09:20:00Z")));

    // Within one second the order of fractions does not matter; an earlier second does.
    let mut late = run.events[run.events.len() - 1].clone();
    let mut replayed = engine.replay(&run.events).unwrap();
    late.at = at("2026-03-02T09:20:00.100Z");
    assert!(engine.apply(&mut replayed, &late).is_ok());
    late.at = at("2026-03-02T09:19:59.999Z");
    assert!(matches!(
        engine.apply(&mut replayed, &late),
        Err(crate::Error::Validation { .. })
    ));
}

#[test]
fn more_clocks_than_kept_inline_stay_in_order() {
    let definitions = vec![
        SlaDefinition::new("respond", ClockKind::Response, 3600, "cal"),
        SlaDefinition::new("fix", ClockKind::Resolution, 4 * 3600, "cal"),
        SlaDefinition::new("g1-respond", ClockKind::Response, 600, "cal").for_workgroup("G1"),
        SlaDefinition::new("g1-fix", ClockKind::Resolution, 1800, "cal").for_workgroup("G1"),
    ];
    let engine = engine(Calendar::always_on("UTC").unwrap(), definitions);
    let run = Run::open(groups(&["G0", "G1"]), 3, 3, "2026-03-02T09:00:00Z").with(
        Command::Assign {
            workgroup: Some("G1".into()),
            assignee: None,
        },
        "2026-03-02T09:10:00Z",
    );

    // Applied one by one, the clocks equal the replay, and the third and fourth clocks
    // (the OLA's) follow the SLA's.
    let mut clocks = IncidentClocks::new();
    for event in &run.events {
        engine.apply(&mut clocks, event).unwrap();
    }
    assert_eq!(clocks, engine.replay(&run.events).unwrap());
    let status = engine.status(&clocks, at("2026-03-02T09:30:00Z")).unwrap();
    let ids: Vec<&str> = status.iter().map(|s| s.definition.as_str()).collect();
    assert_eq!(ids, ["respond", "fix", "g1-respond", "g1-fix"]);
    assert_eq!(status[3].started_at, at("2026-03-02T09:10:00Z"));
}
