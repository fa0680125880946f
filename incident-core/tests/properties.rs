//! Property tests: any sequence of commands, by any persona, keeps an incident valid; a
//! refused command changes nothing; each accepted command adds one version; the events
//! replay to the same incident.

mod common;

use chrono::Duration;
use common::*;
use incident_core::*;
use proptest::prelude::*;

fn actor() -> impl Strategy<Value = Actor> {
    prop_oneof![
        Just(ann()),
        Just(alice()),
        Just(bob()),
        Just(mary()),
        Just(nick()),
        Just(carl()),
        Just(bot()),
        Just(admin()),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("because".to_owned()),
        "[a-z ]{0,8}"
    ]
}

fn command() -> impl Strategy<Value = Command> {
    let group = prop_oneof![
        Just(None),
        Just(Some(WorkgroupId::from("service-desk"))),
        Just(Some(WorkgroupId::from("network"))),
        Just(Some(WorkgroupId::from("onsite"))),
    ];
    let user = prop_oneof![
        Just(None),
        Just(Some(UserId::from("alice"))),
        Just(Some(UserId::from("bob"))),
        Just(Some(UserId::from("carl"))),
    ];
    let reason = prop_oneof![
        Just(HoldReason::AwaitingCaller),
        Just(HoldReason::AwaitingVendor),
        text().prop_map(HoldReason::Custom),
    ];
    let work = prop_oneof![
        Just(None),
        Just(Some(WorkState::Open)),
        Just(Some(WorkState::InProgress)),
        Just(Some(WorkState::Done)),
        Just(Some(WorkState::Cancelled)),
    ];
    prop_oneof![
        text().prop_map(|text| Command::Comment { text }),
        (group.clone(), user.clone()).prop_map(|(workgroup, assignee)| Command::Assign {
            workgroup,
            assignee
        }),
        Just(Command::Route {
            skill: Some("bgp".into())
        }),
        Just(Command::StartWork),
        reason.prop_map(|reason| Command::Hold { reason }),
        Just(Command::Resume),
        (text(), text()).prop_map(|(code, notes)| Command::Resolve { code, notes }),
        (0u8..7).prop_map(|rating| Command::Confirm {
            feedback: Some(Feedback {
                rating,
                comment: None
            })
        }),
        text().prop_map(|reason| Command::Reopen { reason }),
        Just(Command::AutoClose),
        text().prop_map(|reason| Command::Cancel { reason }),
        (0u8..5, 0u8..5).prop_map(|(i, u)| Command::SetImpactUrgency {
            impact: Some(i),
            urgency: Some(u)
        }),
        (0u8..7).prop_map(|p| Command::OverridePriority {
            priority: (p > 0).then_some(p)
        }),
        any::<bool>().prop_map(|major| Command::SetMajor { major }),
        (group, user.clone()).prop_map(|(g, assignee)| Command::CreateWorkOrder {
            title: "wo".into(),
            tasks: vec![NewTask {
                title: "t".into(),
                workgroup: g.unwrap_or_else(|| "onsite".into()),
                assignee
            }],
        }),
        (1u32..3, 1u32..3, work, user).prop_map(|(work_order, task, state, assignee)| {
            Command::UpdateTask {
                work_order,
                task,
                state,
                assignee,
            }
        }),
        (1u32..3).prop_map(|work_order| Command::CancelWorkOrder {
            work_order,
            reason: "x".into()
        }),
    ]
}

fn assert_valid(incident: &Incident, config: &DeskConfig) {
    assert_eq!(
        incident.hold_reason.is_some(),
        incident.state == State::OnHold
    );
    match incident.state {
        State::Resolved => {
            assert!(incident.resolution.is_some() && incident.resolved_at.is_some());
        }
        State::Closed => assert!(incident.closed_at.is_some()),
        State::Canceled => {
            assert!(incident.cancel_reason.is_some());
            assert!(incident.open_work_orders().next().is_none());
        }
        _ => assert!(incident.resolution.is_none()),
    }
    if !incident.priority_overridden {
        let derived = config
            .priority_matrix
            .priority(incident.impact, incident.urgency)
            .unwrap();
        assert_eq!(incident.priority, derived);
    }
    if let (Some(group), Some(analyst)) = (&incident.assignment_group, &incident.assignee) {
        assert!(
            config.directory.is_member(group, analyst),
            "{analyst} outside {group}"
        );
    }
    assert!(
        incident.major || incident.state != State::Resolved || incident.auto_close_at.is_some()
    );
    let open_visits = incident.visits.iter().filter(|v| v.until.is_none()).count();
    assert_eq!(
        open_visits,
        usize::from(incident.assignment_group.is_some())
    );
    for order in &incident.work_orders {
        for task in &order.tasks {
            assert_eq!(
                config.directory.workgroup(&task.workgroup).unwrap().kind,
                WorkgroupKind::WorkOrder
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_command_sequence_keeps_the_incident_valid(
        steps in prop::collection::vec((actor(), command(), 0i64..20_000), 1..40)
    ) {
        let config = config();
        let opening = Command::Open(NewIncident::new("prop", Channel::Portal, 2, 2));
        let id = IncidentId::new(t0());
        let opened = decide::open(&config, id, "INC0000001".into(), &ann(), &opening, t0()).unwrap();
        let mut incident = opened.incident;
        let mut log = opened.events;
        let mut now = t0();
        let mut accepted = 0u64;

        for (actor, command, minutes) in steps {
            now += Duration::minutes(minutes);
            let before = incident.clone();
            match execute(&config, &incident, &actor, &command, now) {
                Ok(decision) => {
                    prop_assert_eq!(decision.incident.version, before.version + 1);
                    prop_assert!(!decision.events.is_empty());
                    prop_assert!(decision.events.iter().all(|e| e.version == decision.incident.version));
                    accepted += 1;
                    log.extend(decision.events);
                    incident = decision.incident;
                }
                Err(_) => {
                    // Decisions never touch their input; in-place execution must not either.
                    let mut copy = before.clone();
                    prop_assert!(execute_in_place(&config, &mut copy, &actor, &command, now).is_err());
                    prop_assert_eq!(&copy, &before);
                }
            }
            assert_valid(&incident, &config);
        }

        prop_assert_eq!(incident.version, 1 + accepted);
        prop_assert_eq!(Incident::replay(&log).unwrap(), incident);
    }

    #[test]
    fn commands_round_trip_through_json(command in command()) {
        prop_assert_eq!(Command::from_json(&command.to_json()).unwrap(), command);
    }
}
