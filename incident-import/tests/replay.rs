//! Replay of small hand-written exports: each test shows one mapping rule or check.

use incident_core::{Event, HoldReason, InMemoryRepository, Incident, Repository, State};
use incident_import::instance::{learn_priority_matrix, uci_instance_matrix};
use incident_import::{Error, Export, ExportReader, Mode, ReplayOptions, ReplayReport, replay};

const HEADER: &str = "number,incident_state,reopen_count,reassignment_count,sys_updated_at,\
                      impact,urgency,priority,assignment_group,assigned_to,closed_code\n";

/// One row: number, state, reopen count, time (day of March 2016 and hour), group, analyst.
fn row(number: &str, state: &str, reopens: u32, at: (u32, u32), group: &str, who: &str) -> String {
    let (day, hour) = at;
    format!(
        "{number},{state},{reopens},0,{day}/3/2016 {hour:02}:00,2 - Medium,2 - Medium,\
         3 - Moderate,{group},{who},code 6\n"
    )
}

fn export(rows: &[String]) -> Export {
    let csv = format!("{HEADER}{}", rows.concat());
    let reader = ExportReader::from_reader(std::io::Cursor::new(csv.into_bytes())).unwrap();
    Export::read(reader, Mode::Lenient).unwrap()
}

fn lenient(export: &Export) -> (ReplayReport, InMemoryRepository) {
    let store = InMemoryRepository::new();
    let options = ReplayOptions {
        priority_matrix: Some(uci_instance_matrix()),
        ..ReplayOptions::default()
    };
    let report = replay(export, &store, &options).unwrap();
    (report, store)
}

fn strict(export: &Export) -> Result<ReplayReport, Error> {
    let options = ReplayOptions {
        mode: Mode::Strict,
        priority_matrix: Some(uci_instance_matrix()),
        ..ReplayOptions::default()
    };
    replay(export, &InMemoryRepository::new(), &options)
}

fn stored(store: &InMemoryRepository, number: &str) -> Incident {
    store
        .load_by_number(number)
        .unwrap()
        .expect("the incident was saved")
}

#[test]
fn a_plain_lifecycle_replays_without_anomalies_and_its_events_rebuild_it() {
    let export = export(&[
        row("INC1", "New", 0, (1, 9), "Group 1", "?"),
        row("INC1", "Active", 0, (1, 10), "Group 1", "Ann"),
        row("INC1", "Resolved", 0, (1, 12), "Group 1", "Ann"),
        row("INC1", "Closed", 0, (7, 12), "Group 1", "Ann"),
    ]);
    let (report, store) = lenient(&export);

    assert_eq!(
        (report.incidents, report.rows, report.anomaly_count()),
        (1, 4, 0)
    );
    let incident = stored(&store, "INC1");
    assert_eq!(incident.state, State::Closed);
    assert_eq!(incident.assignee.as_ref().map(|a| a.as_str()), Some("Ann"));
    assert_eq!(
        incident.resolution.as_ref().map(|r| r.code.as_str()),
        Some("code 6")
    );

    let events = store.events(incident.id).unwrap();
    assert_eq!(events.len() as u64, report.events);
    assert_eq!(Incident::replay(&events).unwrap(), incident);
    assert!(strict(&export).is_ok());
}

#[test]
fn a_close_after_the_auto_close_delay_is_an_auto_close_and_an_earlier_one_a_confirmation() {
    let export = export(&[
        row("INC1", "Resolved", 0, (1, 12), "Group 1", "?"),
        row("INC1", "Closed", 0, (6, 12), "Group 1", "?"),
        row("INC2", "Resolved", 0, (1, 12), "Group 1", "?"),
        row("INC2", "Closed", 0, (2, 12), "Group 1", "?"),
    ]);
    let (report, store) = lenient(&export);

    assert_eq!(report.anomaly_count(), 0);
    assert!(!stored(&store, "INC1").confirmed);
    assert!(stored(&store, "INC2").confirmed);
}

#[test]
fn awaiting_states_become_holds_with_their_reason() {
    let export = export(&[
        row("INC1", "Active", 0, (1, 9), "Group 1", "?"),
        row("INC1", "Awaiting User Info", 0, (1, 10), "Group 1", "?"),
        row("INC2", "Active", 0, (1, 9), "Group 1", "?"),
        row("INC2", "Awaiting Vendor", 0, (1, 10), "Group 1", "?"),
        row("INC3", "Active", 0, (1, 9), "Group 1", "?"),
        row("INC3", "Awaiting Problem", 0, (1, 10), "Group 1", "?"),
        row("INC3", "Awaiting Evidence", 0, (1, 11), "Group 1", "?"),
    ]);
    let (report, store) = lenient(&export);

    assert_eq!(report.anomaly_count(), 0);
    let reason = |number| stored(&store, number).hold_reason;
    assert_eq!(reason("INC1"), Some(HoldReason::AwaitingCaller));
    assert_eq!(reason("INC2"), Some(HoldReason::AwaitingVendor));
    assert_eq!(
        reason("INC3"),
        Some(HoldReason::Custom("Awaiting Evidence".into()))
    );
}

#[test]
fn holding_an_unassigned_new_incident_is_an_anomaly_that_lenient_mode_repairs() {
    let rows = [
        row("INC1", "New", 0, (1, 9), "?", "?"),
        row("INC1", "Awaiting User Info", 0, (1, 10), "?", "?"),
    ];
    let (report, store) = lenient(&export(&rows));

    assert_eq!(report.anomalies.get("hold/new->on_hold"), Some(&1));
    assert_eq!(report.anomaly_details[0].line, 3);
    assert_eq!(report.repairs.get("hold_from_new"), Some(&1));
    assert_eq!(stored(&store, "INC1").state, State::OnHold);
}

#[test]
fn a_reopen_from_resolved_counts_and_agrees_with_the_log() {
    let export = export(&[
        row("INC1", "Active", 0, (1, 9), "Group 1", "?"),
        row("INC1", "Resolved", 0, (1, 10), "Group 1", "?"),
        row("INC1", "Active", 1, (1, 11), "Group 1", "?"),
        row("INC1", "Resolved", 1, (1, 12), "Group 1", "?"),
    ]);
    let (report, store) = lenient(&export);

    assert_eq!(
        (report.anomaly_count(), report.reopen_count_mismatches),
        (0, 0)
    );
    assert_eq!(stored(&store, "INC1").reopen_count, 1);
}

#[test]
fn a_reopen_from_closed_is_refused_by_the_strict_lifecycle_and_repaired_when_lenient() {
    let export = export(&[
        row("INC1", "Resolved", 0, (1, 10), "Group 1", "?"),
        row("INC1", "Closed", 0, (6, 10), "Group 1", "?"),
        row("INC1", "Active", 1, (8, 10), "Group 2", "?"),
    ]);
    let (report, store) = lenient(&export);

    assert_eq!(report.anomalies.get("reopen/reopen_window"), Some(&1));
    assert_eq!(report.repairs.get("reopen_closed"), Some(&1));
    assert_eq!(report.reopen_count_mismatches, 0);
    let incident = stored(&store, "INC1");
    assert_eq!(
        (incident.state, incident.reopen_count),
        (State::InProgress, 1)
    );
    assert_eq!(
        incident.assignment_group.as_ref().map(|g| g.as_str()),
        Some("Group 2")
    );

    match strict(&export) {
        Err(Error::Refused(anomaly)) => {
            assert_eq!(
                (anomaly.line, anomaly.kind.as_str()),
                (4, "reopen/reopen_window")
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn a_reopen_count_the_core_cannot_reproduce_is_reported_with_its_incident() {
    let export = export(&[
        row("INC1", "Active", 0, (1, 9), "Group 1", "?"),
        row("INC1", "Active", 2, (1, 10), "Group 1", "?"),
    ]);
    let (report, _) = lenient(&export);

    assert_eq!(report.reopen_count_mismatches, 1);
    let mismatch = &report.reopen_mismatch_details[0];
    assert_eq!((mismatch.number.as_str(), mismatch.line), ("INC1", 3));
    assert_eq!((mismatch.recorded, mismatch.replayed), (2, 0));
    assert!(
        mismatch.reason.contains("without a reopen"),
        "{}",
        mismatch.reason
    );
}

#[test]
fn closing_an_unresolved_incident_is_repaired_by_resolving_it_first() {
    let mut closed = row("INC1", "Closed", 0, (2, 9), "Group 1", "?");
    closed = closed.replace("code 6", "?");
    let export = export(&[row("INC1", "New", 0, (1, 9), "Group 1", "?"), closed]);
    let (report, store) = lenient(&export);

    assert_eq!(report.anomalies.get("close/assigned->closed"), Some(&1));
    assert_eq!(report.repairs.get("closed_without_resolution"), Some(&1));
    let incident = stored(&store, "INC1");
    assert_eq!(incident.state, State::Closed);
    let code = incident.resolution.map(|r| r.code);
    assert_eq!(code.as_deref(), Some(incident_import::replay::MISSING_CODE));
}

#[test]
fn the_derived_priority_is_checked_on_every_row() {
    let low = |state, hour| {
        row("INC1", state, 0, (1, hour), "Group 1", "?").replace(
            "2 - Medium,2 - Medium,3 - Moderate",
            "3 - Low,3 - Low,4 - Low",
        )
    };
    let export = export(&[low("New", 9), low("Active", 10)]);

    let (report, _) = lenient(&export);
    assert_eq!(report.priority_mismatches, 0);

    let itil = ReplayOptions {
        priority_matrix: None,
        ..ReplayOptions::default()
    };
    let mut default_matrix = itil.clone();
    default_matrix.priority_matrix = Some(incident_core::PriorityMatrix::default());
    let report = replay(&export, &InMemoryRepository::new(), &default_matrix).unwrap();
    assert_eq!(report.priority_mismatches, 2);
    let mismatch = &report.priority_mismatch_details[0];
    assert_eq!((mismatch.recorded, mismatch.derived), (4, 5));

    // Without a configured matrix the export's own is derived, and agrees.
    let report = replay(&export, &InMemoryRepository::new(), &itil).unwrap();
    assert_eq!(report.priority_mismatches, 0);
}

#[test]
fn a_priority_matrix_is_learned_with_its_gaps_and_conflicts() {
    let export = export(&[
        row("INC1", "New", 0, (1, 9), "Group 1", "?"),
        row("INC2", "New", 0, (1, 9), "Group 1", "?").replace("3 - Moderate", "2 - High"),
        row("INC3", "New", 0, (1, 9), "Group 1", "?"),
    ]);
    let learned = learn_priority_matrix(&export.rows).unwrap();

    assert_eq!(learned.matrix.rows(), vec![vec![1, 2], vec![2, 3]]);
    assert_eq!(learned.unobserved, vec![(1, 1), (1, 2), (2, 1)]);
    assert_eq!(learned.conflicts.len(), 1);
    assert_eq!(learned.conflicts[0].priorities.values().sum::<u64>(), 3);
}

#[test]
fn unreadable_rows_are_counted_and_stop_a_strict_replay() {
    let export = export(&[
        row("INC1", "New", 0, (1, 9), "Group 1", "?"),
        row("INC1", "-100", 0, (1, 10), "Group 1", "?"),
        row("INC1", "Active", 0, (1, 11), "Group 1", "?"),
    ]);
    let (report, _) = lenient(&export);

    assert_eq!((report.rows, report.rows_unreadable), (2, 1));
    assert_eq!(report.unreadable[0].line, 3);
    assert!(matches!(strict(&export), Err(Error::Unreadable(u)) if u.line == 3));
}

#[test]
fn workgroup_figures_count_moves_ping_pong_and_time_to_resolve() {
    let export = export(&[
        row("INC1", "New", 0, (1, 9), "Group A", "?"),
        row("INC1", "Active", 0, (1, 10), "Group B", "?"),
        row("INC1", "Active", 0, (1, 11), "Group A", "?"),
        row("INC1", "Resolved", 0, (1, 13), "Group A", "?"),
        row("INC2", "Resolved", 0, (2, 9), "Group A", "?"),
    ]);
    let (report, _) = lenient(&export);

    let a = &report.groups["Group A"];
    let b = &report.groups["Group B"];
    assert_eq!(
        (
            a.incidents,
            a.reassignments_in,
            a.reassignments_out,
            a.ping_pong
        ),
        (2, 1, 1, 1)
    );
    assert_eq!(
        (
            b.incidents,
            b.reassignments_in,
            b.reassignments_out,
            b.ping_pong
        ),
        (1, 1, 1, 0)
    );
    assert_eq!(a.resolved, 2);
    assert_eq!(a.median_hours_to_resolve, Some(0.0));
    assert_eq!(a.p90_hours_to_resolve, Some(4.0));
    assert!(
        !report
            .groups
            .contains_key(incident_import::instance::UNROUTED_WORKGROUP)
    );
}

#[test]
fn a_second_replay_into_the_same_store_leaves_known_incidents_alone() {
    let export = export(&[row("INC1", "New", 0, (1, 9), "Group 1", "?")]);
    let (_, store) = lenient(&export);
    let again = replay(&export, &store, &ReplayOptions::default()).unwrap();

    assert_eq!((again.incidents, again.incidents_already_present), (0, 1));
    assert_eq!(store.len(), 1);
}

#[test]
fn the_report_serialises_with_the_keys_bindings_read() {
    let (report, _) = lenient(&export(&[row("INC1", "New", 0, (1, 9), "Group 1", "?")]));
    let json = serde_json::to_value(&report).unwrap();
    for key in [
        "incidents",
        "events",
        "rows_unreadable",
        "priority_mismatches",
        "reopen_count_mismatches",
        "anomalies",
        "groups",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    let back: ReplayReport = serde_json::from_value(json).unwrap();
    assert_eq!(back, report);
}

#[test]
fn interleaved_rows_of_several_incidents_are_replayed_per_incident() {
    let export = export(&[
        row("INC1", "Active", 0, (1, 9), "Group 1", "?"),
        row("INC2", "Active", 0, (1, 9), "Group 1", "?"),
        row("INC1", "Resolved", 0, (1, 10), "Group 1", "?"),
        row("INC2", "Awaiting Vendor", 0, (1, 11), "Group 1", "?"),
    ]);
    let (report, store) = lenient(&export);

    assert_eq!((report.incidents, report.anomaly_count()), (2, 0));
    assert_eq!(stored(&store, "INC1").state, State::Resolved);
    assert_eq!(stored(&store, "INC2").state, State::OnHold);
}

/// A store that keeps the trait's default `save_batch`, which refuses batches.
struct OneByOne(InMemoryRepository);

impl Repository for OneByOne {
    fn load(&self, id: incident_core::IncidentId) -> incident_core::Result<Option<Incident>> {
        self.0.load(id)
    }
    fn load_by_number(&self, number: &str) -> incident_core::Result<Option<Incident>> {
        self.0.load_by_number(number)
    }
    fn save(&self, commit: incident_core::Commit<'_>) -> incident_core::Result<()> {
        self.0.save(commit)
    }
    fn events(&self, id: incident_core::IncidentId) -> incident_core::Result<Vec<Event>> {
        self.0.events(id)
    }
    fn next_number(&self) -> incident_core::Result<u64> {
        self.0.next_number()
    }
    fn idempotency(
        &self,
        key: &str,
    ) -> incident_core::Result<Option<incident_core::IdempotencyRecord>> {
        self.0.idempotency(key)
    }
    fn query(&self, query: &incident_core::IncidentQuery) -> incident_core::Result<Vec<Incident>> {
        self.0.query(query)
    }
}

#[test]
fn a_store_without_batches_gets_the_incidents_one_by_one() {
    let export = export(&[
        row("INC1", "Active", 0, (1, 9), "Group 1", "?"),
        row("INC2", "Active", 0, (1, 9), "Group 1", "?"),
        row("INC3", "Resolved", 0, (1, 9), "Group 1", "?"),
    ]);
    let store = OneByOne(InMemoryRepository::new());
    let report = replay(&export, &store, &ReplayOptions::default()).unwrap();

    assert_eq!((report.incidents, store.0.len()), (3, 3));
    let as_dyn: &dyn Repository = &store;
    let again = replay(&export, as_dyn, &ReplayOptions::default()).unwrap();
    assert_eq!(again.incidents_already_present, 3);
}

mod any_export {
    use proptest::prelude::*;

    use super::*;

    const STATES: &[&str] = &[
        "New",
        "Active",
        "Awaiting User Info",
        "Awaiting Vendor",
        "Awaiting Evidence",
        "Resolved",
        "Closed",
        "Canceled",
        "-100",
    ];
    const LEVELS: &[&str] = &["1 - High", "2 - Medium", "3 - Low", "?", "7 - Odd"];
    const GROUPS: &[&str] = &["Group 1", "Group 2", "?"];
    const PEOPLE: &[&str] = &["Ann", "Bob", "?"];

    fn any_row() -> impl Strategy<Value = String> {
        let pick = |list: &'static [&'static str]| proptest::sample::select(list.to_vec());
        (
            (0u8..3, pick(STATES), 0u32..4, 1u32..20, 0u32..24),
            (
                pick(LEVELS),
                pick(LEVELS),
                1u8..6,
                pick(GROUPS),
                pick(PEOPLE),
            ),
            proptest::bool::ANY,
        )
            .prop_map(
                |((n, state, reopens, day, hour), (i, u, p, group, who), code)| {
                    let code = if code { "code 6" } else { "?" };
                    format!(
                        "INC{n},{state},{reopens},0,{day}/3/2016 {hour:02}:00,{i},{u},{p} - P,\
                     {group},{who},{code}\n"
                    )
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Whatever the rows say, a lenient replay finishes, every stored incident is rebuilt
        /// exactly by its events, and a strict replay either agrees or names its refusal.
        #[test]
        fn any_export_replays_without_panics(rows in proptest::collection::vec(any_row(), 1..25)) {
            let export = export(&rows);
            let (report, store) = lenient(&export);

            prop_assert_eq!(report.rows + report.rows_unreadable, rows.len() as u64);
            prop_assert_eq!(store.len() as u64, report.incidents);
            for number in ["INC0", "INC1", "INC2"] {
                if let Some(incident) = store.load_by_number(number).unwrap() {
                    let events = store.events(incident.id).unwrap();
                    prop_assert_eq!(Incident::replay(&events).unwrap(), incident);
                }
            }

            match strict(&export) {
                Ok(strict) => prop_assert_eq!(strict.anomaly_count(), 0),
                Err(Error::Refused(_) | Error::Unreadable(_)) => {}
                Err(other) => prop_assert!(false, "strict replay failed with {other}"),
            }
        }
    }
}
