//! One test per lifecycle rule: each refusal is a typed error and changes nothing.

mod common;

use chrono::Duration;
use common::*;
use incident_core::*;

/// Runs a command that must be refused and checks the incident did not change.
fn refused(desk: &Desk, actor: &Actor, incident: &Incident, command: Command) -> Error {
    let before = desk.incident(incident.id).unwrap();
    let events_before = desk.events(incident.id).unwrap().len();
    let err = desk
        .execute(actor, incident.id, command, at(500))
        .unwrap_err();
    assert_eq!(
        desk.incident(incident.id).unwrap(),
        before,
        "a refused command changed the incident"
    );
    assert_eq!(desk.events(incident.id).unwrap().len(), events_before);
    err
}

#[test]
fn opening_derives_priority_routes_and_numbers() {
    let desk = desk();
    let first = report(&desk);
    assert_eq!(first.number, "INC0000001");
    assert_eq!(
        (first.state, first.priority, first.version),
        (State::New, 3, 1)
    );
    assert_eq!(first.assignment_group, Some("service-desk".into()));
    assert_eq!(first.caller, "ann".into());
    let later = NewIncident::new("Mail is slow", Channel::Email, 3, 3);
    let second = desk.open(&ann(), Command::Open(later), at(1)).unwrap();
    assert_eq!((second.number.as_str(), second.priority), ("INC0000002", 5));
    assert!(second.id > first.id, "UUID v7 ids sort by creation");
}

#[test]
fn opening_validates_its_input() {
    let desk = desk();
    let blank = NewIncident::new("  ", Channel::Portal, 2, 2);
    let err = desk.open(&ann(), Command::Open(blank), t0()).unwrap_err();
    assert!(matches!(err, Error::Validation { ref field, .. } if field == "short_description"));
    let off_matrix = NewIncident::new("x", Channel::Portal, 4, 2);
    let err = desk
        .open(&ann(), Command::Open(off_matrix), t0())
        .unwrap_err();
    assert!(matches!(err, Error::Validation { ref field, .. } if field == "impact"));
    let mut unknown_group = NewIncident::new("x", Channel::Phone, 2, 2);
    unknown_group.workgroup = Some("nowhere".into());
    let err = desk
        .open(&alice(), Command::Open(unknown_group), t0())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(desk.query(&IncidentQuery::default()).unwrap().is_empty());
}

#[test]
fn hold_needs_a_reason() {
    let desk = desk();
    let incident = in_progress(&desk);
    let blank = Command::Hold {
        reason: HoldReason::Custom(" ".into()),
    };
    let err = refused(&desk, &alice(), &incident, blank);
    assert!(matches!(err, Error::Validation { ref field, .. } if field == "hold_reason"));
    let hold = Command::Hold {
        reason: HoldReason::Custom("awaiting evidence".into()),
    };
    let held = desk.execute(&alice(), incident.id, hold, at(3)).unwrap();
    assert_eq!(held.state, State::OnHold);
    assert_eq!(
        held.hold_reason,
        Some(HoldReason::Custom("awaiting evidence".into()))
    );
    let resumed = desk
        .execute(&alice(), incident.id, Command::Resume, at(4))
        .unwrap();
    assert_eq!(
        (resumed.state, resumed.hold_reason),
        (State::InProgress, None)
    );
}

#[test]
fn a_callers_update_resumes_an_incident_awaiting_the_caller() {
    let desk = desk();
    let incident = in_progress(&desk);
    let hold = Command::Hold {
        reason: HoldReason::AwaitingCaller,
    };
    desk.execute(&alice(), incident.id, hold, at(3)).unwrap();

    let note = Command::Comment {
        text: "I will check tomorrow".into(),
    };
    let still = desk.execute(&alice(), incident.id, note, at(4)).unwrap();
    assert_eq!(
        still.state,
        State::OnHold,
        "an analyst's comment does not resume"
    );

    let answer = Command::Comment {
        text: "It happens on wifi only".into(),
    };
    let back = desk.execute(&ann(), incident.id, answer, at(5)).unwrap();
    assert_eq!(
        (back.state, back.hold_reason.clone()),
        (State::InProgress, None)
    );
    assert_eq!(back.comments.len(), 2);
    assert_eq!(back.comments[1].author, "ann".into());
}

#[test]
fn a_callers_update_does_not_resume_other_holds() {
    let desk = desk();
    let incident = in_progress(&desk);
    let hold = Command::Hold {
        reason: HoldReason::AwaitingVendor,
    };
    desk.execute(&alice(), incident.id, hold, at(3)).unwrap();
    let answer = Command::Comment {
        text: "any news?".into(),
    };
    let after = desk.execute(&ann(), incident.id, answer, at(5)).unwrap();
    assert_eq!(after.state, State::OnHold);
}

#[test]
fn resolve_needs_code_and_notes() {
    let desk = desk();
    let incident = in_progress(&desk);
    let no_code = Command::Resolve {
        code: "".into(),
        notes: "done".into(),
    };
    assert_eq!(
        refused(&desk, &alice(), &incident, no_code).kind(),
        ErrorKind::Validation
    );
    let no_notes = Command::Resolve {
        code: "fixed".into(),
        notes: " ".into(),
    };
    assert_eq!(
        refused(&desk, &alice(), &incident, no_notes).kind(),
        ErrorKind::Validation
    );
}

fn with_work_order(desk: &Desk) -> Incident {
    let incident = in_progress(desk);
    let order = Command::CreateWorkOrder {
        title: "Replace the access point".into(),
        tasks: vec![NewTask {
            title: "Swap hardware".into(),
            workgroup: "onsite".into(),
            assignee: None,
        }],
    };
    desk.execute(&alice(), incident.id, order, at(3)).unwrap()
}

#[test]
fn resolve_waits_for_open_work_orders_by_default() {
    let desk = desk();
    let incident = with_work_order(&desk);
    let err = refused(&desk, &alice(), &incident, resolve_cmd());
    assert!(matches!(
        err,
        Error::RuleViolation {
            rule: Rule::OpenWorkOrders,
            ..
        }
    ));

    let start = Command::UpdateTask {
        work_order: 1,
        task: 1,
        state: Some(WorkState::InProgress),
        assignee: Some("carl".into()),
    };
    let started = desk.execute(&carl(), incident.id, start, at(4)).unwrap();
    assert_eq!(started.work_orders[0].state, WorkState::InProgress);
    let finish = Command::UpdateTask {
        work_order: 1,
        task: 1,
        state: Some(WorkState::Done),
        assignee: None,
    };
    let done = desk.execute(&carl(), incident.id, finish, at(5)).unwrap();
    assert_eq!(done.work_orders[0].state, WorkState::Done);
    assert_eq!(done.work_orders[0].tasks[0].assignee, Some("carl".into()));
    let resolved = desk
        .execute(&alice(), incident.id, resolve_cmd(), at(6))
        .unwrap();
    assert_eq!(resolved.state, State::Resolved);
}

#[test]
fn the_work_order_rule_is_a_policy() {
    let mut config = config();
    config.policy.resolve_requires_finished_work_orders = false;
    let desk = Desk::in_memory(config);
    let incident = with_work_order(&desk);
    let resolved = desk
        .execute(&alice(), incident.id, resolve_cmd(), at(6))
        .unwrap();
    assert_eq!(resolved.state, State::Resolved);
}

#[test]
fn work_order_tasks_go_to_work_order_workgroups_and_their_members() {
    let desk = desk();
    let incident = in_progress(&desk);
    let wrong_kind = Command::CreateWorkOrder {
        title: "x".into(),
        tasks: vec![NewTask {
            title: "y".into(),
            workgroup: "network".into(),
            assignee: None,
        }],
    };
    let err = refused(&desk, &alice(), &incident, wrong_kind);
    assert!(matches!(
        err,
        Error::RuleViolation {
            rule: Rule::WrongWorkgroupKind,
            ..
        }
    ));
    let stranger = Command::CreateWorkOrder {
        title: "x".into(),
        tasks: vec![NewTask {
            title: "y".into(),
            workgroup: "onsite".into(),
            assignee: Some("bob".into()),
        }],
    };
    let err = refused(&desk, &alice(), &incident, stranger);
    assert!(matches!(
        err,
        Error::RuleViolation {
            rule: Rule::NotAMember,
            ..
        }
    ));
    let empty = Command::CreateWorkOrder {
        title: "x".into(),
        tasks: vec![],
    };
    assert_eq!(
        refused(&desk, &alice(), &incident, empty).kind(),
        ErrorKind::Validation
    );
}

#[test]
fn cancelling_a_work_order_cancels_its_open_tasks() {
    let desk = desk();
    let incident = with_work_order(&desk);
    let cancel = Command::CancelWorkOrder {
        work_order: 1,
        reason: "not needed".into(),
    };
    let after = desk
        .execute(&alice(), incident.id, cancel.clone(), at(4))
        .unwrap();
    assert_eq!(after.work_orders[0].state, WorkState::Cancelled);
    assert_eq!(after.work_orders[0].tasks[0].state, WorkState::Cancelled);
    let err = refused(&desk, &alice(), &after, cancel);
    assert!(matches!(
        err,
        Error::RuleViolation {
            rule: Rule::WorkOrderFinished,
            ..
        }
    ));
}

#[test]
fn close_only_from_resolved_by_confirmation() {
    let desk = desk();
    let incident = in_progress(&desk);
    let confirm = Command::Confirm { feedback: None };
    let err = refused(&desk, &ann(), &incident, confirm);
    assert!(matches!(
        err,
        Error::PermissionDenied { .. } | Error::InvalidTransition { .. }
    ));

    let incident = resolved(&desk);
    let feedback = Feedback {
        rating: 6,
        comment: None,
    };
    let bad = Command::Confirm {
        feedback: Some(feedback),
    };
    assert_eq!(
        refused(&desk, &ann(), &incident, bad).kind(),
        ErrorKind::Validation
    );
    let feedback = Feedback {
        rating: 5,
        comment: Some("quick".into()),
    };
    let closed = desk
        .execute(
            &ann(),
            incident.id,
            Command::Confirm {
                feedback: Some(feedback.clone()),
            },
            at(20),
        )
        .unwrap();
    assert_eq!(closed.state, State::Closed);
    assert!(closed.confirmed);
    assert_eq!(closed.feedback, Some(feedback));
    assert_eq!(closed.closed_at, Some(at(20)));
}

#[test]
fn confirm_from_an_open_state_is_an_invalid_transition() {
    let desk = desk();
    let incident = in_progress(&desk);
    let err = desk
        .execute(
            &admin(),
            incident.id,
            Command::Confirm { feedback: None },
            at(3),
        )
        .unwrap_err();
    assert_eq!(
        err,
        Error::InvalidTransition {
            from: State::InProgress,
            to: State::Closed
        }
    );
}

#[test]
fn auto_close_after_the_policy_days_and_never_for_major_incidents() {
    let desk = desk();
    let incident = resolved(&desk);
    assert_eq!(incident.auto_close_at, Some(at(10) + Duration::days(7)));
    let early = desk
        .execute(&bot(), incident.id, Command::AutoClose, at(11))
        .unwrap_err();
    assert!(matches!(
        early,
        Error::RuleViolation {
            rule: Rule::CloseNotDue,
            ..
        }
    ));
    assert!(desk.close_due(&bot(), at(11)).unwrap().is_empty());

    let later = at(10) + Duration::days(7);
    let closed = desk.close_due(&bot(), later).unwrap();
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0].state, State::Closed);
    assert!(!closed[0].confirmed);

    let major = in_progress(&desk);
    desk.execute(&mary(), major.id, Command::SetMajor { major: true }, at(3))
        .unwrap();
    let major = desk
        .execute(&alice(), major.id, resolve_cmd(), at(10))
        .unwrap();
    assert_eq!(major.auto_close_at, None);
    let err = desk
        .execute(&bot(), major.id, Command::AutoClose, at(99_999))
        .unwrap_err();
    assert!(matches!(
        err,
        Error::RuleViolation {
            rule: Rule::MajorIncident,
            ..
        }
    ));
}

#[test]
fn reopen_from_resolved_goes_back_to_the_resolving_workgroup() {
    let desk = desk();
    let incident = resolved(&desk);
    let err = refused(
        &desk,
        &ann(),
        &incident,
        Command::Reopen { reason: "".into() },
    );
    assert_eq!(err.kind(), ErrorKind::Validation);

    let reopened = desk
        .execute(
            &ann(),
            incident.id,
            Command::Reopen {
                reason: "still drops".into(),
            },
            at(30),
        )
        .unwrap();
    assert_eq!(reopened.state, State::Assigned);
    assert_eq!(reopened.reopen_count, 1);
    assert_eq!(reopened.resolution, None);
    assert_eq!(reopened.auto_close_at, None);
    assert_eq!(reopened.assignment_group, Some("service-desk".into()));
    assert_eq!(reopened.assignee, Some("alice".into()));
}

#[test]
fn reopen_from_closed_is_refused_by_default_and_allowed_inside_the_window() {
    let desk = desk();
    let incident = resolved(&desk);
    desk.execute(
        &ann(),
        incident.id,
        Command::Confirm { feedback: None },
        at(20),
    )
    .unwrap();
    let closed = desk.incident(incident.id).unwrap();
    let err = refused(
        &desk,
        &ann(),
        &closed,
        Command::Reopen {
            reason: "again".into(),
        },
    );
    assert!(matches!(
        err,
        Error::RuleViolation {
            rule: Rule::ReopenWindow,
            ..
        }
    ));

    let mut config = config();
    config.policy.reopen_closed_within_days = Some(2);
    let desk = Desk::in_memory(config);
    let incident = resolved(&desk);
    desk.execute(
        &ann(),
        incident.id,
        Command::Confirm { feedback: None },
        at(20),
    )
    .unwrap();
    let late = at(20) + Duration::days(3);
    let err = desk.execute(
        &ann(),
        incident.id,
        Command::Reopen {
            reason: "again".into(),
        },
        late,
    );
    assert!(matches!(
        err,
        Err(Error::RuleViolation {
            rule: Rule::ReopenWindow,
            ..
        })
    ));
    let reopened = desk
        .execute(
            &ann(),
            incident.id,
            Command::Reopen {
                reason: "again".into(),
            },
            at(60),
        )
        .unwrap();
    assert_eq!(
        (reopened.state, reopened.reopen_count, reopened.closed_at),
        (State::Assigned, 1, None)
    );
    assert!(!reopened.confirmed);
}

#[test]
fn cancel_needs_a_reason_and_an_open_incident_and_cancels_work_orders() {
    let desk = desk();
    let incident = with_work_order(&desk);
    let err = refused(
        &desk,
        &alice(),
        &incident,
        Command::Cancel { reason: " ".into() },
    );
    assert_eq!(err.kind(), ErrorKind::Validation);
    let canceled = desk
        .execute(
            &alice(),
            incident.id,
            Command::Cancel {
                reason: "duplicate".into(),
            },
            at(5),
        )
        .unwrap();
    assert_eq!(canceled.state, State::Canceled);
    assert_eq!(canceled.work_orders[0].state, WorkState::Cancelled);
    assert_eq!(canceled.cancel_reason.as_deref(), Some("duplicate"));

    let done = resolved(&desk);
    let err = refused(
        &desk,
        &alice(),
        &done,
        Command::Cancel {
            reason: "late".into(),
        },
    );
    assert_eq!(
        err,
        Error::InvalidTransition {
            from: State::Resolved,
            to: State::Canceled
        }
    );
}

#[test]
fn a_host_can_tighten_the_transition_table() {
    use State::*;
    let mut config = config();
    config.transitions = TransitionTable::new(
        [
            (New, Assigned),
            (Assigned, InProgress),
            (InProgress, Resolved),
            (Resolved, Closed),
            (Resolved, Assigned),
            (New, Canceled),
            (Assigned, Canceled),
            (InProgress, Canceled),
        ],
        [Canceled, Closed],
    )
    .unwrap();
    let desk = Desk::in_memory(config);
    let incident = in_progress(&desk);
    let hold = Command::Hold {
        reason: HoldReason::AwaitingVendor,
    };
    let err = refused(&desk, &alice(), &incident, hold);
    assert_eq!(
        err,
        Error::InvalidTransition {
            from: InProgress,
            to: OnHold
        }
    );
}

#[test]
fn priority_follows_impact_and_urgency_unless_overridden() {
    let desk = desk();
    let incident = in_progress(&desk);
    let raise = Command::SetImpactUrgency {
        impact: None,
        urgency: Some(1),
    };
    let raised = desk.execute(&alice(), incident.id, raise, at(3)).unwrap();
    assert_eq!((raised.urgency, raised.priority), (1, 2));

    let err = refused(
        &desk,
        &alice(),
        &raised,
        Command::OverridePriority { priority: Some(1) },
    );
    assert_eq!(
        err.kind(),
        ErrorKind::PermissionDenied,
        "analysts do not override priority"
    );
    let over = desk
        .execute(
            &mary(),
            incident.id,
            Command::OverridePriority { priority: Some(5) },
            at(4),
        )
        .unwrap();
    assert_eq!((over.priority, over.priority_overridden), (5, true));
    let lower = Command::SetImpactUrgency {
        impact: Some(1),
        urgency: None,
    };
    let still = desk.execute(&alice(), incident.id, lower, at(5)).unwrap();
    assert_eq!(
        (still.impact, still.priority),
        (1, 5),
        "an override is never recomputed"
    );
    let clear = desk
        .execute(
            &mary(),
            incident.id,
            Command::OverridePriority { priority: None },
            at(6),
        )
        .unwrap();
    assert_eq!((clear.priority, clear.priority_overridden), (1, false));
    let err = refused(
        &desk,
        &mary(),
        &clear,
        Command::OverridePriority { priority: Some(6) },
    );
    assert_eq!(err.kind(), ErrorKind::Validation);
}

#[test]
fn only_managers_set_the_major_flag() {
    let desk = desk();
    let incident = in_progress(&desk);
    let err = refused(
        &desk,
        &alice(),
        &incident,
        Command::SetMajor { major: true },
    );
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    let major = desk
        .execute(
            &mary(),
            incident.id,
            Command::SetMajor { major: true },
            at(3),
        )
        .unwrap();
    assert!(major.major);
    let err = refused(&desk, &mary(), &major, Command::SetMajor { major: true });
    assert!(matches!(
        err,
        Error::RuleViolation {
            rule: Rule::NoChange,
            ..
        }
    ));
    let query = IncidentQuery {
        major: Some(true),
        ..IncidentQuery::default()
    };
    assert_eq!(desk.query(&query).unwrap().len(), 1);
}

#[test]
fn routing_takes_the_first_matching_rule_or_the_default_group() {
    let desk = desk();
    let mut by_category = NewIncident::new("Switch down", Channel::Phone, 1, 1);
    by_category.category = Some("network".into());
    let routed = desk
        .open(&alice(), Command::Open(by_category), t0())
        .unwrap();
    assert_eq!(routed.assignment_group, Some("network".into()));

    let by_skill = desk
        .execute(
            &alice(),
            report(&desk).id,
            Command::Route {
                skill: Some("bgp".into()),
            },
            at(1),
        )
        .unwrap();
    assert_eq!(by_skill.assignment_group, Some("network".into()));
    assert_eq!(
        by_skill.assignee,
        Some("dave".into()),
        "skill routing picks a skilled member"
    );
    assert_eq!(by_skill.state, State::Assigned);
}

#[test]
fn reassignment_counts_detects_ping_pong_and_clears_strangers() {
    let desk = desk();
    let incident = in_progress(&desk);
    let to_network = Command::Assign {
        workgroup: Some("network".into()),
        assignee: None,
    };
    let moved = desk
        .execute(&alice(), incident.id, to_network, at(10))
        .unwrap();
    assert_eq!(moved.reassignment_count, 1);
    assert_eq!(moved.assignee, None, "alice is not in network");

    let back = Command::Assign {
        workgroup: Some("service-desk".into()),
        assignee: None,
    };
    let back = desk.execute(&bob(), incident.id, back, at(40)).unwrap();
    assert_eq!(back.reassignment_count, 2);
    assert_eq!(back.ping_pong_count(), 1);
    let times = back.time_per_workgroup(at(100));
    assert_eq!(
        times,
        vec![
            ("service-desk".into(), 600 + 3600),
            ("network".into(), 1800)
        ]
    );

    let stranger = Command::Assign {
        workgroup: None,
        assignee: Some("bob".into()),
    };
    let err = refused(&desk, &mary(), &back, stranger);
    assert!(matches!(
        err,
        Error::RuleViolation {
            rule: Rule::NotAMember,
            ..
        }
    ));
}

#[test]
fn opening_from_a_failed_change_records_the_link() {
    let desk = desk();
    let triggered = TriggeredIncident {
        trigger: Trigger::FailedChange {
            change_id: "CHG0001234".into(),
            failure: ChangeFailure::CausedServiceInterruption,
            service: Some("email".into()),
            configuration_item: Some("mx-01".into()),
            impact: Some(1),
            urgency: None,
        },
        short_description: "Mail outage after change".into(),
        description: String::new(),
        caller: None,
        category: None,
    };
    let err = desk
        .open(&ann(), Command::OpenFromTrigger(triggered.clone()), t0())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    let incident = desk
        .open(&bot(), Command::OpenFromTrigger(triggered), t0())
        .unwrap();
    assert_eq!(
        incident.origin,
        Origin::FailedChange {
            change_id: "CHG0001234".into(),
            failure: ChangeFailure::CausedServiceInterruption
        }
    );
    assert_eq!(incident.service.as_deref(), Some("email"));
    assert_eq!(incident.configuration_item.as_deref(), Some("mx-01"));
    assert_eq!(
        (incident.impact, incident.urgency, incident.priority),
        (1, 2, 2)
    );
    assert_eq!(incident.channel, Channel::Automation);

    let request = TriggeredIncident {
        trigger: Trigger::FailedServiceRequest {
            request_id: "REQ42".into(),
            service: Some("laptops".into()),
            configuration_item: None,
            impact: None,
            urgency: None,
        },
        short_description: "Laptop order failed".into(),
        description: String::new(),
        caller: Some("ann".into()),
        category: None,
    };
    let incident = desk
        .open(&bot(), Command::OpenFromTrigger(request), t0())
        .unwrap();
    assert_eq!(
        incident.origin,
        Origin::FailedServiceRequest {
            request_id: "REQ42".into()
        }
    );
    assert_eq!(incident.caller, "ann".into());
}

#[test]
fn an_idempotency_key_has_effect_once() {
    let desk = desk();
    let incident = in_progress(&desk);
    let mut submission = Submission::new(
        Some(incident.id),
        Command::Comment {
            text: "ping".into(),
        },
    );
    submission.idempotency_key = Some("retry-1".into());
    let first = desk.submit(&alice(), submission.clone(), at(3)).unwrap();
    let second = desk.submit(&alice(), submission.clone(), at(4)).unwrap();
    assert!(!first.replayed && second.replayed);
    assert_eq!(second.incident.version, first.incident.version);
    assert_eq!(second.events, first.events);
    assert_eq!(desk.incident(incident.id).unwrap().comments.len(), 1);

    submission.command = Command::Comment {
        text: "other".into(),
    };
    let err = desk.submit(&alice(), submission, at(5)).unwrap_err();
    assert!(matches!(
        err,
        Error::RuleViolation {
            rule: Rule::IdempotencyKeyReused,
            ..
        }
    ));

    let mut open = Submission::new(
        None,
        Command::Open(NewIncident::new("x", Channel::Email, 3, 3)),
    );
    open.idempotency_key = Some("mail-77".into());
    let a = desk.submit(&ann(), open.clone(), at(6)).unwrap();
    let b = desk.submit(&ann(), open, at(7)).unwrap();
    assert_eq!(
        a.incident.id, b.incident.id,
        "a retried open creates one incident"
    );
}

#[test]
fn a_stale_expected_version_is_a_conflict() {
    let desk = desk();
    let incident = in_progress(&desk);
    let mut submission = Submission::new(Some(incident.id), Command::Comment { text: "x".into() });
    submission.expected_version = Some(incident.version - 1);
    let err = desk.submit(&alice(), submission, at(3)).unwrap_err();
    assert_eq!(
        err,
        Error::Conflict {
            incident: incident.id,
            expected: incident.version - 1,
            actual: incident.version
        }
    );
    assert!(err.is_retryable());
}

#[test]
fn the_repository_refuses_a_lost_update() {
    let desk = desk();
    let incident = in_progress(&desk);
    let config = config();
    let a = execute(
        &config,
        &incident,
        &alice(),
        &Command::Comment { text: "a".into() },
        at(3),
    )
    .unwrap();
    let b = execute(
        &config,
        &incident,
        &alice(),
        &Command::Comment { text: "b".into() },
        at(3),
    )
    .unwrap();
    fn commit(d: &Decision, expected_version: u64) -> Commit<'_> {
        Commit {
            incident: &d.incident,
            expected_version,
            events: &d.events,
            idempotency: None,
        }
    }
    desk.repository()
        .save(commit(&a, incident.version))
        .unwrap();
    let err = desk
        .repository()
        .save(commit(&b, incident.version))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(desk.incident(incident.id).unwrap().comments[0].text, "a");
}

#[test]
fn time_never_runs_backwards() {
    let desk = desk();
    let incident = in_progress(&desk);
    let err = desk
        .execute(
            &alice(),
            incident.id,
            Command::Comment { text: "x".into() },
            at(1),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Validation { ref field, .. } if field == "now"));
}

#[test]
fn events_are_the_audit_trail_and_replay_the_incident() {
    let desk = desk();
    let incident = resolved(&desk);
    let events = desk.events(incident.id).unwrap();
    assert!(matches!(events[0].change, Change::Opened { .. }));
    assert!(events.iter().all(|e| e.incident_id == incident.id));
    let versions: Vec<u64> = events.iter().map(|e| e.version).collect();
    assert!(
        versions
            .windows(2)
            .all(|w| w[1] == w[0] || w[1] == w[0] + 1)
    );
    assert_eq!(events.last().unwrap().actor, alice());
    assert_eq!(Incident::replay(&events).unwrap(), incident);
    let json = serde_json::to_string(&events).unwrap();
    let back: Vec<Event> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, events);
    assert!(Incident::replay(&events[1..]).is_err());
}

#[test]
fn views_are_limited_to_what_the_persona_may_see() {
    let desk = desk();
    let incident = report(&desk);
    assert!(desk.view(&ann(), incident.id).is_ok());
    let other = Actor::new("zoe", Role::EndUser);
    assert_eq!(
        desk.view(&other, incident.id).unwrap_err().kind(),
        ErrorKind::PermissionDenied
    );
    assert!(desk.view(&alice(), incident.id).is_ok());
    assert_eq!(
        desk.view(&bob(), incident.id).unwrap_err().kind(),
        ErrorKind::PermissionDenied
    );
}

#[test]
fn an_auto_close_policy_beyond_the_calendar_is_a_typed_error() {
    let mut config = config();
    config.policy.auto_close_after_days = Some(u32::MAX);
    let desk = Desk::in_memory(config);
    let incident = in_progress(&desk);
    let err = refused(&desk, &alice(), &incident, resolve_cmd());
    assert!(matches!(err, Error::Validation { ref field, .. } if field == "auto_close_after_days"));
}

#[test]
fn a_refused_opening_does_not_use_up_a_number() {
    let desk = desk();
    let blank = NewIncident::new(" ", Channel::Portal, 2, 2);
    assert!(desk.open(&ann(), Command::Open(blank), t0()).is_err());
    let off_matrix = NewIncident::new("x", Channel::Portal, 9, 2);
    assert!(desk.open(&ann(), Command::Open(off_matrix), t0()).is_err());
    assert_eq!(report(&desk).number, "INC0000001");
    let events = desk
        .events(desk.incident_by_number("INC0000001").unwrap().id)
        .unwrap();
    let Change::Opened { incident } = &events[0].change else {
        panic!("not an opening")
    };
    assert_eq!(
        incident.number, "INC0000001",
        "the opening event carries the number too"
    );
}

#[test]
fn end_users_report_for_themselves() {
    let desk = desk();
    let mut for_zoe = NewIncident::new("Zoe's laptop", Channel::Portal, 2, 2);
    for_zoe.caller = Some("zoe".into());
    let err = desk
        .open(&ann(), Command::Open(for_zoe.clone()), t0())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    let mut own_pick = NewIncident::new("x", Channel::Portal, 2, 2);
    own_pick.workgroup = Some("network".into());
    let err = desk
        .open(&ann(), Command::Open(own_pick), t0())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    // The service desk logs calls on behalf of callers.
    let logged = desk.open(&alice(), Command::Open(for_zoe), t0()).unwrap();
    assert_eq!(
        (logged.caller.as_str(), logged.opened_by.as_str()),
        ("zoe", "alice")
    );
}

#[test]
fn work_in_progress_moved_to_another_workgroup_waits_to_be_started_there() {
    let desk = desk();
    let incident = in_progress(&desk);
    let to_network = Command::Assign {
        workgroup: Some("network".into()),
        assignee: Some("bob".into()),
    };
    let moved = desk
        .execute(&alice(), incident.id, to_network, at(10))
        .unwrap();
    assert_eq!(
        (moved.state, moved.assignee.clone()),
        (State::Assigned, Some("bob".into()))
    );
    let started = desk
        .execute(&bob(), incident.id, Command::StartWork, at(11))
        .unwrap();
    assert_eq!(started.state, State::InProgress);
}

#[test]
fn a_mistyped_hold_reason_is_refused_not_made_custom() {
    let err = HoldReason::parse("awaiting_calller").unwrap_err();
    assert!(matches!(err, Error::Validation { ref field, .. } if field == "hold_reason"));
    assert_eq!(
        HoldReason::parse("awaiting_caller").unwrap(),
        HoldReason::AwaitingCaller
    );
    assert_eq!(
        HoldReason::parse("lunch break").unwrap(),
        HoldReason::Custom("lunch break".into())
    );
    assert_eq!(
        HoldReason::parse("Awaiting evidence").unwrap(),
        HoldReason::Custom("Awaiting evidence".into())
    );
    for spelling in [
        "Awaiting_Caller",
        "awaiting-caller",
        "AWAITING CALLER",
        "awaitingcaller",
    ] {
        assert_eq!(
            HoldReason::parse(spelling).unwrap(),
            HoldReason::AwaitingCaller
        );
    }
    for near_miss in [
        "Awaiting-Calller",
        "awaitingcaler",
        "awaiting vendr",
        "awaiting_x",
    ] {
        assert!(HoldReason::parse(near_miss).is_err(), "{near_miss}");
    }
}

#[test]
fn a_built_in_hold_reason_sent_as_custom_text_is_that_reason() {
    // The caller's answer must resume the work whatever spelling put it on hold.
    let desk = desk();
    let incident = in_progress(&desk);
    let hold = Command::Hold {
        reason: HoldReason::Custom("Awaiting Caller".into()),
    };
    let held = desk.execute(&alice(), incident.id, hold, at(20)).unwrap();
    assert_eq!(held.hold_reason, Some(HoldReason::AwaitingCaller));

    let answer = Command::Comment {
        text: "It is the printer on the third floor".into(),
    };
    let answered = desk.execute(&ann(), incident.id, answer, at(21)).unwrap();
    assert_eq!(answered.state, State::InProgress);

    let typo = Command::Hold {
        reason: HoldReason::Custom("Awaiting-Calller".into()),
    };
    let refused = desk
        .execute(&alice(), incident.id, typo, at(22))
        .unwrap_err();
    assert!(matches!(refused, Error::Validation { ref field, .. } if field == "hold_reason"));
}

#[test]
fn runaway_texts_are_refused() {
    let desk = desk();
    let long_summary = NewIncident::new("x".repeat(241), Channel::Portal, 2, 2);
    let err = desk
        .open(&ann(), Command::Open(long_summary), t0())
        .unwrap_err();
    assert!(matches!(err, Error::Validation { ref field, .. } if field == "short_description"));
    let incident = report(&desk);
    let huge = Command::Comment {
        text: "y".repeat(decide::MAX_TEXT_BYTES + 1),
    };
    assert_eq!(
        refused(&desk, &ann(), &incident, huge).kind(),
        ErrorKind::Validation
    );
}

#[test]
fn a_clock_a_moment_behind_counts_as_the_last_change() {
    let desk = desk();
    let incident = in_progress(&desk);
    let behind = at(2) - chrono::Duration::seconds(3);
    let commented = desk
        .execute(
            &alice(),
            incident.id,
            Command::Comment { text: "x".into() },
            behind,
        )
        .unwrap();
    assert_eq!(commented.updated_at, at(2));
    assert_eq!(desk.events(incident.id).unwrap().last().unwrap().at, at(2));
    let far_behind = at(2) - chrono::Duration::seconds(6);
    let err = desk.execute(
        &alice(),
        incident.id,
        Command::Comment { text: "y".into() },
        far_behind,
    );
    assert!(matches!(err, Err(Error::Validation { ref field, .. }) if field == "now"));
}

#[test]
fn idempotency_keys_belong_to_their_actor() {
    let desk = desk();
    let incident = report(&desk);
    let mut mine = Submission::new(
        Some(incident.id),
        Command::Comment {
            text: "ann's".into(),
        },
    );
    mine.idempotency_key = Some("k".into());
    desk.submit(&ann(), mine, at(1)).unwrap();
    let mut theirs = Submission::new(
        Some(incident.id),
        Command::Comment {
            text: "alice's".into(),
        },
    );
    theirs.idempotency_key = Some("k".into());
    let outcome = desk.submit(&alice(), theirs, at(2)).unwrap();
    assert!(!outcome.replayed);
    assert_eq!(desk.incident(incident.id).unwrap().comments.len(), 2);
}
