//! The bare lifecycle: deciding and applying commands in memory (each command returning its
//! events, or appending them to a buffer kept across incidents), and the same through a
//! `Desk` over the in-memory repository (load, decide, save).

use chrono::{Duration, TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use incident_core::*;

fn config() -> DeskConfig {
    let desk = Workgroup::new("service-desk", "Service desk", WorkgroupKind::Incident)
        .with_members(["alice"]);
    let network =
        Workgroup::new("network", "Network", WorkgroupKind::Incident).with_members(["bob"]);
    let directory = Directory::new(vec![desk, network], vec![], vec![], "service-desk".into());
    DeskConfig::with_directory(directory.expect("valid directory"))
}

/// The seven commands of the workload's lifecycle after opening.
fn lifecycle() -> Vec<(Actor, Command)> {
    let alice = Actor::new("alice", Role::Analyst);
    let bob = Actor::new("bob", Role::Analyst);
    let caller = Actor::new("ann", Role::EndUser);
    vec![
        (
            alice.clone(),
            Command::Assign {
                workgroup: None,
                assignee: Some("alice".into()),
            },
        ),
        (
            alice,
            Command::Assign {
                workgroup: Some("network".into()),
                assignee: None,
            },
        ),
        (bob.clone(), Command::StartWork),
        (
            bob.clone(),
            Command::Hold {
                reason: HoldReason::AwaitingCaller,
            },
        ),
        (bob.clone(), Command::Resume),
        (
            bob,
            Command::Resolve {
                code: "fixed".into(),
                notes: "done".into(),
            },
        ),
        (caller, Command::Confirm { feedback: None }),
    ]
}

fn bench(c: &mut Criterion) {
    let config = config();
    let steps = lifecycle();
    let ann = Actor::new("ann", Role::EndUser);
    let t0 = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
    let open = Command::Open(NewIncident::new("bench", Channel::Portal, 2, 3));

    let mut group = c.benchmark_group("lifecycle");
    group.throughput(Throughput::Elements(1));
    group.bench_function("decide_and_apply_one_incident", |b| {
        b.iter(|| {
            let id = IncidentId::new(t0);
            let opened = decide::open(&config, id, "INC0000001".into(), &ann, &open, t0).unwrap();
            let mut incident = opened.incident;
            for (n, (actor, command)) in steps.iter().enumerate() {
                let now = t0 + Duration::minutes(n as i64 + 1);
                execute_in_place(&config, &mut incident, actor, command, now).unwrap();
            }
            incident
        })
    });

    let mut events = Vec::new();
    group.bench_function("decide_into_a_kept_buffer_one_incident", |b| {
        b.iter(|| {
            events.clear();
            let id = IncidentId::new(t0);
            let number = "INC0000001".into();
            let mut incident =
                decide::open_into(&config, id, number, &ann, &open, t0, &mut events).unwrap();
            for (n, (actor, command)) in steps.iter().enumerate() {
                let now = t0 + Duration::minutes(n as i64 + 1);
                execute_into(&config, &mut incident, actor, command, now, &mut events).unwrap();
            }
            incident
        })
    });

    let desk = Desk::in_memory(config.clone());
    group.bench_function("desk_in_memory_one_incident", |b| {
        b.iter(|| {
            let incident = desk.open(&ann, open.clone(), t0).unwrap();
            for (n, (actor, command)) in steps.iter().enumerate() {
                let now = t0 + Duration::minutes(n as i64 + 1);
                desk.execute(actor, incident.id, command.clone(), now)
                    .unwrap();
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
