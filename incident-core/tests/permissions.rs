//! The persona rules as one table: every action against every persona, on an incident
//! reported by ann and owned by the service desk (alice is a member, mary its manager;
//! bob and nick belong to the network group).

mod common;

use common::*;
use incident_core::*;

/// Columns: ann (caller), zoe (another end user), alice (member analyst), bob (analyst of
/// another group), mary (managing manager), nick (manager of another group), automation,
/// administrator. `y` = permitted.
const TABLE: &str = "
open               y y y y y y y y
open_from_trigger  . . . . . . y y
view               y . y . y y y y
comment            y . y . y . y y
update_details     . . y . y . y y
reprioritise       . . y . y . y y
override_priority  . . . . y . . y
set_major          . . . . y . . y
assign_to_self     . . y . y . . y
assign_analyst     . . . . y . . y
reassign           . . y . y . . y
work               . . y . y . . y
hold               . . y . y . . y
resolve            . . y . y . . y
confirm            y . . . . . . y
give_feedback      y . . . . . . y
reopen             y . y . y . . y
auto_close         . . . . . . y y
cancel             . . y . y . . y
create_work_order  . . y . y . . y
work_task          . . y . y . . y
cancel_work_order  . . y . y . . y
configure          . . . . . . . y
";

fn personas() -> Vec<Actor> {
    vec![
        ann(),
        Actor::new("zoe", Role::EndUser),
        alice(),
        bob(),
        mary(),
        nick(),
        bot(),
        admin(),
    ]
}

#[test]
fn every_persona_may_do_exactly_what_its_role_allows() {
    let desk = desk();
    let incident = report(&desk);
    let config = desk.config();
    let mut seen = Vec::new();
    for line in TABLE.lines().filter(|l| !l.trim().is_empty()) {
        let mut cells = line.split_whitespace();
        let name = cells.next().unwrap();
        let action = Action::ALL
            .into_iter()
            .find(|a| a.as_str() == name)
            .unwrap();
        seen.push(action);
        let expected: Vec<bool> = cells.map(|c| c == "y").collect();
        let incident =
            (action != Action::Open && action != Action::OpenFromTrigger).then_some(&incident);
        for (actor, want) in personas().iter().zip(expected) {
            let got = config
                .permissions
                .permits(&config.directory, actor, action, incident);
            assert_eq!(got, want, "{} ({}) {action}", actor.id, actor.role);
        }
    }
    assert_eq!(
        seen,
        Action::ALL.to_vec(),
        "the table lists every action once, in order"
    );
}

#[test]
fn permission_is_checked_before_anything_else() {
    let desk = desk();
    let incident = report(&desk);
    // Even an invalid command is refused for permission first, naming the action.
    let err = desk
        .execute(
            &ann(),
            incident.id,
            Command::Resolve {
                code: "".into(),
                notes: "".into(),
            },
            at(1),
        )
        .unwrap_err();
    let denied = Error::PermissionDenied {
        actor: "ann".into(),
        role: Role::EndUser,
        action: Action::Resolve,
    };
    assert_eq!(err, denied);
    assert_eq!(err.code(), "ERR_PERMISSION_DENIED");
    assert_eq!(desk.incident(incident.id).unwrap().version, 1);
}

#[test]
fn analysts_work_tasks_of_their_work_order_group() {
    let desk = desk();
    let incident = in_progress(&desk);
    let order = Command::CreateWorkOrder {
        title: "Cabling".into(),
        tasks: vec![NewTask {
            title: "Patch port 12".into(),
            workgroup: "onsite".into(),
            assignee: None,
        }],
    };
    let incident = desk.execute(&alice(), incident.id, order, at(3)).unwrap();
    let start = Command::UpdateTask {
        work_order: 1,
        task: 1,
        state: Some(WorkState::InProgress),
        assignee: None,
    };
    assert_eq!(
        desk.execute(&bob(), incident.id, start.clone(), at(4))
            .unwrap_err()
            .kind(),
        ErrorKind::PermissionDenied
    );
    let after = desk.execute(&carl(), incident.id, start, at(4)).unwrap();
    assert_eq!(after.work_orders[0].tasks[0].state, WorkState::InProgress);
    // carl may work the task but not the incident itself.
    let err = desk
        .execute(&carl(), incident.id, resolve_cmd(), at(5))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
}

#[test]
fn assignment_actions_depend_on_what_changes() {
    let desk = desk();
    let incident = report(&desk);
    let take = Command::Assign {
        workgroup: None,
        assignee: Some("alice".into()),
    };
    assert_eq!(
        decide::action_of(&take, &alice(), Some(&incident)),
        Action::AssignToSelf
    );
    let give = Command::Assign {
        workgroup: None,
        assignee: Some("alice".into()),
    };
    assert_eq!(
        decide::action_of(&give, &mary(), Some(&incident)),
        Action::AssignAnalyst
    );
    let move_on = Command::Assign {
        workgroup: Some("network".into()),
        assignee: None,
    };
    assert_eq!(
        decide::action_of(&move_on, &alice(), Some(&incident)),
        Action::Reassign
    );
    // An analyst may not hand an incident to a colleague; the manager may.
    let err = desk.execute(
        &alice(),
        incident.id,
        Command::Assign {
            workgroup: None,
            assignee: Some("mary".into()),
        },
        at(1),
    );
    assert_eq!(err.unwrap_err().kind(), ErrorKind::PermissionDenied);
    let ok = desk.execute(&mary(), incident.id, give, at(1)).unwrap();
    assert_eq!(
        (ok.assignee, ok.state),
        (Some("alice".into()), State::Assigned)
    );
}

#[test]
fn permissions_are_data_a_host_can_replace() {
    let mut config = config();
    let kept = config.permissions.grants().iter().copied();
    let grants = kept.filter(|g| !(g.role == Role::EndUser && g.action == Action::Reopen));
    config.permissions = PermissionTable::new(grants.collect());
    let json = serde_json::to_string(&config).unwrap();
    let config: DeskConfig = serde_json::from_str(&json).unwrap();
    let desk = Desk::in_memory(config);
    let incident = resolved(&desk);
    let err = desk
        .execute(
            &ann(),
            incident.id,
            Command::Reopen {
                reason: "no".into(),
            },
            at(20),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    let actions = desk.permitted_actions(&ann(), Some(&incident));
    assert!(actions.contains(&Action::Confirm) && !actions.contains(&Action::Reopen));
}
