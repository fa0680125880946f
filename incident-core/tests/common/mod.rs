//! A small service desk shared by the integration tests.
#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use incident_core::*;

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

pub fn at(minutes: i64) -> DateTime<Utc> {
    t0() + Duration::minutes(minutes)
}

pub fn directory() -> Directory {
    let desk = Workgroup::new("service-desk", "Service desk", WorkgroupKind::Incident)
        .with_members(["alice"])
        .with_managers(["mary"]);
    let mut network = Workgroup::new("network", "Network", WorkgroupKind::Incident)
        .with_members(["bob", "dave"])
        .with_managers(["nick"]);
    network.skills = vec!["bgp".into()];
    let onsite = Workgroup::new("onsite", "On-site support", WorkgroupKind::WorkOrder)
        .with_members(["carl"]);
    let analysts = vec![Analyst {
        id: "dave".into(),
        name: "Dave".into(),
        skills: vec!["bgp".into()],
    }];
    let rules = vec![
        RoutingRule {
            name: "routing by skill".into(),
            skill: Some("bgp".into()),
            workgroup: "network".into(),
            ..RoutingRule::default()
        },
        RoutingRule {
            name: "network category".into(),
            category: Some("network".into()),
            workgroup: "network".into(),
            ..RoutingRule::default()
        },
    ];
    Directory::new(
        vec![desk, network, onsite],
        analysts,
        rules,
        "service-desk".into(),
    )
    .unwrap()
}

pub fn config() -> DeskConfig {
    DeskConfig::with_directory(directory())
}

pub fn desk() -> Desk {
    Desk::in_memory(config())
}

pub fn ann() -> Actor {
    Actor::new("ann", Role::EndUser)
}
pub fn alice() -> Actor {
    Actor::new("alice", Role::Analyst)
}
pub fn bob() -> Actor {
    Actor::new("bob", Role::Analyst)
}
pub fn mary() -> Actor {
    Actor::new("mary", Role::Manager)
}
pub fn nick() -> Actor {
    Actor::new("nick", Role::Manager)
}
pub fn carl() -> Actor {
    Actor::new("carl", Role::Analyst)
}
pub fn bot() -> Actor {
    Actor::new("monitoring", Role::Automation)
}
pub fn admin() -> Actor {
    Actor::new("root", Role::Administrator)
}

/// Ann reports an incident on the portal; it lands with the service desk, New.
pub fn report(desk: &Desk) -> Incident {
    let report = NewIncident::new("VPN drops every hour", Channel::Portal, 2, 2);
    desk.open(&ann(), Command::Open(report), t0()).unwrap()
}

/// Reported, then taken and started by Alice.
pub fn in_progress(desk: &Desk) -> Incident {
    let incident = report(desk);
    let assign = Command::Assign {
        workgroup: None,
        assignee: Some("alice".into()),
    };
    desk.execute(&alice(), incident.id, assign, at(1)).unwrap();
    desk.execute(&alice(), incident.id, Command::StartWork, at(2))
        .unwrap()
}

pub fn resolve_cmd() -> Command {
    Command::Resolve {
        code: "fixed".into(),
        notes: "replaced the router".into(),
    }
}

/// In progress, then resolved by Alice at minute 10.
pub fn resolved(desk: &Desk) -> Incident {
    let incident = in_progress(desk);
    desk.execute(&alice(), incident.id, resolve_cmd(), at(10))
        .unwrap()
}
