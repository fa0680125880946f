//! The repository contract of incident-core, written once and run against every store.
//!
//! Each public function takes a fresh, empty repository (or a shared one, for the
//! concurrency checks) and panics when the store breaks the contract. The reference is the
//! core itself: [`IncidentQuery::matches`] for queries, [`Incident::replay`] for the event
//! log, and [`InMemoryRepository`](incident_core::InMemoryRepository) for everything else
//! (the suite runs against it too).
//!
//! A store crate runs the whole suite with [`contract_tests!`]:
//!
//! ```ignore
//! incident_store_contract::contract_tests!(|| MyRepository::open_in_memory().unwrap());
//! ```
#![deny(missing_docs)]

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::thread;

use chrono::{DateTime, Duration, TimeZone, Utc};
use incident_core::decide::incident_number;
use incident_core::{
    Actor, Change, Channel, Command, Commit, Desk, DeskConfig, Error, Event, IdempotencyRecord,
    Incident, IncidentId, IncidentQuery, NewIncident, Repository, Role, Rule, State, Submission,
    UserId, WorkgroupId, decide,
};

/// Generates one `#[test]` per contract check, each on a repository made by `$factory`
/// (an expression callable as `Fn() -> R`). With `optional:`, the factory returns
/// `Option<R>` and each test prints a skip line when it gives `None` (no server configured).
#[macro_export]
macro_rules! contract_tests {
    (optional: $factory:expr) => {
        $crate::contract_tests!(@list [optional] $factory);
    };
    ($factory:expr) => {
        $crate::contract_tests!(@list [] $factory);
    };
    (@list [$($mode:ident)?] $factory:expr) => {
        $crate::contract_tests!(@each [$($mode)?] $factory;
            load_of_unknown_incident_is_none,
            save_then_load_by_id_and_number,
            updates_chain_versions_and_append_events,
            stale_version_is_a_conflict_and_changes_nothing,
            new_incident_with_existing_id_is_a_conflict,
            update_of_unknown_incident_is_a_conflict,
            idempotency_keys_are_recorded_once,
            numbers_are_never_handed_out_twice,
            queries_match_the_reference,
            batch_is_all_or_none,
            batch_chains_commits_of_one_incident,
            events_read_back_in_order,
            desk_round_trip,
            concurrent_desk_commands_lose_nothing,
            imported_numbers_move_the_counter_on,
        );
    };
    (@each [] $factory:expr; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let factory = $factory;
                $crate::$name(factory());
            }
        )*
    };
    (@each [optional] $factory:expr; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let factory = $factory;
                match factory() {
                    Some(repository) => $crate::$name(repository),
                    None => eprintln!("skipped: {} (no store configured)", stringify!($name)),
                }
            }
        )*
    };
}

/// The instant every check starts at.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("valid instant")
}

/// An administrator, allowed every command.
pub fn admin() -> Actor {
    Actor::new("root", Role::Administrator)
}

/// A freshly opened incident numbered `n` (not stored), with its opening events.
pub fn opened(n: u64, at: DateTime<Utc>) -> (Incident, Vec<Event>) {
    let config = DeskConfig::default();
    let report = NewIncident::new(format!("Incident {n}"), Channel::Phone, 2, 2);
    let decision = decide::open(
        &config,
        IncidentId::new(at),
        incident_number(n),
        &admin(),
        &Command::Open(report),
        at,
    )
    .expect("a valid report opens");
    (decision.incident, decision.events)
}

/// The incident after one more comment, with that comment's events.
pub fn commented(incident: &Incident, text: &str, at: DateTime<Utc>) -> (Incident, Vec<Event>) {
    let command = Command::Comment { text: text.into() };
    let decision = decide::execute(&DeskConfig::default(), incident, &admin(), &command, at)
        .expect("an administrator may comment");
    (decision.incident, decision.events)
}

fn commit<'a>(incident: &'a Incident, events: &'a [Event], expected: u64) -> Commit<'a> {
    Commit {
        incident,
        expected_version: expected,
        events,
        idempotency: None,
    }
}

fn save_new<R: Repository + ?Sized>(repo: &R, n: u64) -> (Incident, Vec<Event>) {
    let (incident, events) = opened(n, t0() + Duration::seconds(n as i64));
    repo.save(commit(&incident, &events, 0))
        .expect("a new incident saves");
    (incident, events)
}

fn assert_conflict(result: incident_core::Result<()>, id: IncidentId, expected: u64, actual: u64) {
    match result {
        Err(Error::Conflict {
            incident,
            expected: e,
            actual: a,
        }) => assert_eq!((incident, e, a), (id, expected, actual), "conflict values"),
        other => panic!("expected a conflict, got {other:?}"),
    }
}

/// Loading an id or a number that was never saved finds nothing, and has no events.
pub fn load_of_unknown_incident_is_none<R: Repository>(repo: R) {
    let (incident, _) = opened(1, t0());
    assert_eq!(repo.load(incident.id).unwrap(), None);
    assert_eq!(repo.load_by_number("INC0000001").unwrap(), None);
    assert!(repo.events(incident.id).unwrap().is_empty());
    assert_eq!(repo.idempotency("nope").unwrap(), None);
    assert!(repo.query(&IncidentQuery::default()).unwrap().is_empty());
}

/// A saved incident loads back equal, by id and by number, with its events.
pub fn save_then_load_by_id_and_number<R: Repository>(repo: R) {
    let (incident, events) = save_new(&repo, 7);
    assert_eq!(repo.load(incident.id).unwrap().as_ref(), Some(&incident));
    assert_eq!(
        repo.load_by_number(&incident.number).unwrap().as_ref(),
        Some(&incident)
    );
    assert_eq!(repo.events(incident.id).unwrap(), events);
}

/// Each accepted commit replaces the snapshot and appends its events after the earlier ones.
pub fn updates_chain_versions_and_append_events<R: Repository>(repo: R) {
    let (mut incident, mut log) = save_new(&repo, 1);
    for i in 0..5 {
        let at = t0() + Duration::minutes(i + 1);
        let (next, events) = commented(&incident, &format!("note {i}"), at);
        repo.save(commit(&next, &events, incident.version)).unwrap();
        log.extend(events);
        incident = next;
    }
    assert_eq!(repo.load(incident.id).unwrap().unwrap(), incident);
    assert_eq!(incident.version, 6);
    assert_eq!(repo.events(incident.id).unwrap(), log);
}

/// Two writers decided against the same version: the second is refused, nothing of it kept.
pub fn stale_version_is_a_conflict_and_changes_nothing<R: Repository>(repo: R) {
    let (incident, _) = save_new(&repo, 1);
    let (first, first_events) = commented(&incident, "first", t0() + Duration::minutes(1));
    let (second, second_events) = commented(&incident, "second", t0() + Duration::minutes(2));
    repo.save(commit(&first, &first_events, 1)).unwrap();

    let result = repo.save(commit(&second, &second_events, 1));
    assert_conflict(result, incident.id, 1, 2);
    assert_eq!(repo.load(incident.id).unwrap().unwrap(), first);
    assert_eq!(repo.events(incident.id).unwrap().len(), 2);
}

/// Saving a "new" incident whose id is stored is a conflict with the stored version.
pub fn new_incident_with_existing_id_is_a_conflict<R: Repository>(repo: R) {
    let (incident, events) = save_new(&repo, 1);
    let (next, next_events) = commented(&incident, "x", t0() + Duration::minutes(1));
    repo.save(commit(&next, &next_events, 1)).unwrap();

    assert_conflict(repo.save(commit(&incident, &events, 0)), incident.id, 0, 2);
    assert_eq!(repo.load(incident.id).unwrap().unwrap(), next);
}

/// Updating an incident the store does not hold is a conflict with version 0.
pub fn update_of_unknown_incident_is_a_conflict<R: Repository>(repo: R) {
    let (incident, _) = opened(1, t0());
    let (next, events) = commented(&incident, "x", t0() + Duration::minutes(1));
    assert_conflict(repo.save(commit(&next, &events, 1)), incident.id, 1, 0);
    assert_eq!(repo.load(incident.id).unwrap(), None);
    assert!(repo.events(incident.id).unwrap().is_empty());
}

/// A key is recorded with its commit; a second commit with the same key is refused whole.
pub fn idempotency_keys_are_recorded_once<R: Repository>(repo: R) {
    let (incident, _) = save_new(&repo, 1);
    let (next, events) = commented(&incident, "once", t0() + Duration::minutes(1));
    let record = IdempotencyRecord {
        key: "req-1".into(),
        incident: incident.id,
        version: next.version,
        digest: "abc".into(),
    };
    let mut first = commit(&next, &events, 1);
    first.idempotency = Some(&record);
    repo.save(first).unwrap();
    assert_eq!(repo.idempotency("req-1").unwrap(), Some(record.clone()));

    let (again, again_events) = commented(&next, "twice", t0() + Duration::minutes(2));
    let mut second = commit(&again, &again_events, next.version);
    second.idempotency = Some(&record);
    match repo.save(second) {
        Err(Error::RuleViolation {
            rule: Rule::IdempotencyKeyReused,
            ..
        }) => {}
        other => panic!("expected a reused key, got {other:?}"),
    }
    assert_eq!(repo.load(incident.id).unwrap().unwrap(), next);
    assert_eq!(repo.events(incident.id).unwrap().len(), 2);
    assert_eq!(repo.idempotency("req-1").unwrap(), Some(record));
}

/// Numbers grow and are never handed out twice, even to threads racing for them.
pub fn numbers_are_never_handed_out_twice<R: Repository + 'static>(repo: R) {
    let repo = Arc::new(repo);
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let repo = Arc::clone(&repo);
            thread::spawn(move || {
                let mut mine = Vec::new();
                for _ in 0..50 {
                    mine.push(repo.next_number().unwrap());
                }
                mine
            })
        })
        .collect();
    let mut all = BTreeSet::new();
    for handle in threads {
        let mine = handle.join().expect("no panic");
        assert!(
            mine.windows(2).all(|w| w[0] < w[1]),
            "each caller sees them grow"
        );
        for n in mine {
            assert!(all.insert(n), "number {n} handed out twice");
        }
    }
    assert_eq!(all.len(), 200);
    assert!(*all.first().unwrap() >= 1);
    assert!(repo.next_number().unwrap() > *all.last().unwrap());
}

/// Every query returns what [`IncidentQuery::matches`] selects, ordered by number and cut
/// at the limit.
pub fn queries_match_the_reference<R: Repository>(repo: R) {
    let groups = [None, Some("network"), Some("desktop")];
    let analysts = [None, Some("bob"), Some("eve")];
    let callers = ["ann", "carl"];
    let mut all = Vec::new();
    for n in 1..=42u64 {
        let (mut incident, events) = opened(n, t0() + Duration::seconds(n as i64));
        let i = n as usize;
        incident.state = State::ALL[i % State::ALL.len()];
        incident.assignment_group = groups[i % 3].map(WorkgroupId::from);
        incident.assignee = analysts[(i / 3) % 3].map(UserId::from);
        incident.caller = UserId::from(callers[i % 2]);
        incident.major = i.is_multiple_of(5);
        incident.auto_close_at = (incident.state == State::Resolved || i.is_multiple_of(4))
            .then(|| t0() + Duration::hours(n as i64));
        repo.save(commit(&incident, &events, 0)).unwrap();
        all.push(incident);
    }
    all.sort_by(|a, b| a.number.cmp(&b.number));

    let by = |s: &str| Some(t0() + Duration::hours(s.parse().expect("hours")));
    let queries = vec![
        IncidentQuery::default(),
        IncidentQuery {
            states: vec![State::New, State::OnHold],
            ..Default::default()
        },
        IncidentQuery {
            workgroup: Some("network".into()),
            ..Default::default()
        },
        IncidentQuery {
            assignee: Some("eve".into()),
            states: vec![State::Assigned, State::InProgress, State::Resolved],
            ..Default::default()
        },
        IncidentQuery {
            caller: Some("carl".into()),
            major: Some(false),
            ..Default::default()
        },
        IncidentQuery {
            major: Some(true),
            ..Default::default()
        },
        IncidentQuery {
            auto_close_due_by: by("20"),
            ..Default::default()
        },
        IncidentQuery {
            auto_close_due_by: by("1000"),
            limit: Some(2),
            ..Default::default()
        },
        IncidentQuery {
            workgroup: Some("desktop".into()),
            limit: Some(3),
            ..Default::default()
        },
        IncidentQuery {
            limit: Some(0),
            ..Default::default()
        },
        IncidentQuery {
            workgroup: Some("nobody".into()),
            ..Default::default()
        },
    ];
    for query in queries {
        let expected: Vec<&Incident> = all
            .iter()
            .filter(|i| query.matches(i))
            .take(query.limit.unwrap_or(usize::MAX))
            .collect();
        let found = repo.query(&query).unwrap();
        let found: Vec<&Incident> = found.iter().collect();
        assert_eq!(found, expected, "query {query:?}");
    }
}

/// A batch with one bad commit stores nothing, not even its good commits.
pub fn batch_is_all_or_none<R: Repository>(repo: R) {
    let (stored, _) = save_new(&repo, 1);
    let (other, _) = save_new(&repo, 3);
    let (fresh, fresh_events) = opened(2, t0() + Duration::minutes(1));
    let (update, update_events) = commented(&stored, "ok", t0() + Duration::minutes(2));
    let (stale, stale_events) = commented(&other, "stale", t0() + Duration::minutes(3));
    let record = IdempotencyRecord {
        key: "batch-key".into(),
        incident: fresh.id,
        version: 1,
        digest: "d".into(),
    };
    let mut first = commit(&fresh, &fresh_events, 0);
    first.idempotency = Some(&record);

    // The stale commit expects version 2 of an incident stored at version 1.
    let batch = [
        first,
        commit(&update, &update_events, 1),
        commit(&stale, &stale_events, 2),
    ];
    assert!(repo.save_batch(&batch).is_err());
    assert_eq!(repo.load(fresh.id).unwrap(), None);
    assert_eq!(repo.load_by_number(&fresh.number).unwrap(), None);
    assert_eq!(repo.load(stored.id).unwrap().unwrap(), stored);
    assert_eq!(repo.events(stored.id).unwrap().len(), 1);
    assert_eq!(repo.load(other.id).unwrap().unwrap(), other);
    assert_eq!(repo.idempotency("batch-key").unwrap(), None);

    // Without the stale commit the batch goes through whole.
    repo.save_batch(&batch[..2]).unwrap();
    assert_eq!(repo.load(fresh.id).unwrap().unwrap(), fresh);
    assert_eq!(repo.load(stored.id).unwrap().unwrap(), update);
    assert_eq!(repo.idempotency("batch-key").unwrap(), Some(record));
    assert!(repo.save_batch(&[]).is_ok());
}

/// Commits of one incident inside a batch chain on each other; a break in the chain fails
/// the batch.
pub fn batch_chains_commits_of_one_incident<R: Repository>(repo: R) {
    let (incident, events) = opened(1, t0());
    let (second, second_events) = commented(&incident, "a", t0() + Duration::minutes(1));
    let (third, third_events) = commented(&second, "b", t0() + Duration::minutes(2));

    let broken = [
        commit(&incident, &events, 0),
        commit(&third, &third_events, 2),
        commit(&second, &second_events, 1),
    ];
    assert!(matches!(
        repo.save_batch(&broken),
        Err(Error::Conflict { .. })
    ));
    assert_eq!(repo.load(incident.id).unwrap(), None);

    let chained = [
        commit(&incident, &events, 0),
        commit(&second, &second_events, 1),
        commit(&third, &third_events, 2),
    ];
    repo.save_batch(&chained).unwrap();
    assert_eq!(repo.load(incident.id).unwrap().unwrap(), third);
    let log: Vec<Event> = [events, second_events, third_events].concat();
    assert_eq!(repo.events(incident.id).unwrap(), log);
}

/// Events come back in the order they were saved, across commits and incidents, and replay
/// to the stored snapshot.
pub fn events_read_back_in_order<R: Repository>(repo: R) {
    let mut tracks: Vec<(Incident, Vec<Event>)> = (1..=3).map(|n| save_new(&repo, n)).collect();
    for round in 0..12 {
        for (incident, log) in &mut tracks {
            let at = t0() + Duration::minutes(round + 1);
            let (next, events) = commented(incident, &format!("round {round}"), at);
            repo.save(commit(&next, &events, incident.version)).unwrap();
            log.extend(events);
            *incident = next;
        }
    }
    for (incident, log) in &tracks {
        let stored = repo.events(incident.id).unwrap();
        assert_eq!(&stored, log);
        assert_eq!(Incident::replay(&stored).unwrap(), *incident);
        assert_eq!(repo.load(incident.id).unwrap().as_ref(), Some(incident));
    }
}

/// The desk works end to end on the store: numbers, commands, idempotent retries, the
/// auto-close query.
pub fn desk_round_trip<R: Repository>(repo: R) {
    let desk = Desk::new(repo, DeskConfig::default());
    let ann = Actor::new("ann", Role::EndUser);
    let report = NewIncident::new("Printer on fire", Channel::Portal, 1, 1);
    let opened = desk.open(&ann, Command::Open(report), t0()).unwrap();
    assert_eq!(opened.number, "INC0000001");

    let resolve = Command::Resolve {
        code: "fixed".into(),
        notes: "extinguished".into(),
    };
    let mut submission = Submission::new(Some(opened.id), resolve);
    submission.idempotency_key = Some("resolve-1".into());
    let at = t0() + Duration::hours(1);
    let first = desk.submit(&admin(), submission.clone(), at).unwrap();
    let retry = desk.submit(&admin(), submission, at).unwrap();
    assert!(!first.replayed && retry.replayed);
    assert_eq!(retry.incident, first.incident);
    assert_eq!(retry.events, first.events);

    let resolved = first.incident;
    assert_eq!(resolved.state, State::Resolved);
    let due = resolved
        .auto_close_at
        .expect("the default policy auto-closes");
    assert!(
        desk.close_due(&admin(), due - Duration::seconds(1))
            .unwrap()
            .is_empty()
    );
    let closed = desk.close_due(&admin(), due).unwrap();
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0].state, State::Closed);

    let events = desk.events(opened.id).unwrap();
    assert_eq!(Incident::replay(&events).unwrap(), closed[0]);
    assert_eq!(desk.incident_by_number("INC0000001").unwrap(), closed[0]);
}

/// Threads comment on the same incidents through desks sharing the store, retrying on
/// conflicts: afterwards every accepted comment is in the log exactly once and every
/// snapshot equals the replay of its log.
pub fn concurrent_desk_commands_lose_nothing<R: Repository + 'static>(repo: R) {
    let desk = Arc::new(Desk::new(repo, DeskConfig::default()));
    let report = |n: u64| {
        Command::Open(NewIncident::new(
            format!("Shared {n}"),
            Channel::Phone,
            3,
            3,
        ))
    };
    let ids: Vec<IncidentId> = (0..3)
        .map(|n| desk.open(&admin(), report(n), t0()).unwrap().id)
        .collect();

    let threads: Vec<_> = (0..4)
        .map(|worker| {
            let desk = Arc::clone(&desk);
            let ids = ids.clone();
            thread::spawn(move || comment_in_loop(&desk, &ids, worker, 15))
        })
        .collect();
    let mut accepted: HashMap<IncidentId, Vec<String>> = HashMap::new();
    for handle in threads {
        for (id, text) in handle.join().expect("no panic") {
            accepted.entry(id).or_default().push(text);
        }
    }
    assert_log_holds_exactly(desk.repository(), &accepted);
}

/// Comments `per_worker` times, round robin over `ids`, retrying each command on
/// [`Error::Conflict`] and [`Error::Unavailable`]; returns what was accepted.
pub fn comment_in_loop<R: Repository>(
    desk: &Desk<R>,
    ids: &[IncidentId],
    worker: usize,
    per_worker: usize,
) -> Vec<(IncidentId, String)> {
    let mut accepted = Vec::new();
    for i in 0..per_worker {
        let id = ids[i % ids.len()];
        let text = format!("worker {worker} comment {i}");
        // One instant for all: a command may not be dated before the incident's last change.
        let at = t0() + Duration::days(1);
        loop {
            let command = Command::Comment { text: text.clone() };
            match desk.execute(&admin(), id, command, at) {
                Ok(_) => break,
                Err(e) if e.is_retryable() => thread::yield_now(),
                Err(e) => panic!("comment refused: {e}"),
            }
        }
        accepted.push((id, text));
    }
    accepted
}

/// Checks that each incident's log holds each accepted comment exactly once (and no other),
/// and that its snapshot equals the replay of its log.
pub fn assert_log_holds_exactly<R: Repository + ?Sized>(
    repo: &R,
    accepted: &HashMap<IncidentId, Vec<String>>,
) {
    for (id, texts) in accepted {
        let events = repo.events(*id).unwrap();
        let mut logged: Vec<&str> = events
            .iter()
            .filter_map(|e| match &e.change {
                Change::Commented { text } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        let mut expected: Vec<&str> = texts.iter().map(String::as_str).collect();
        logged.sort_unstable();
        expected.sort_unstable();
        assert_eq!(logged, expected, "comments of {id}");

        let snapshot = repo.load(*id).unwrap().expect("stored");
        assert_eq!(
            Incident::replay(&events).unwrap(),
            snapshot,
            "replay of {id}"
        );
        let versions: Vec<u64> = events.iter().map(|e| e.version).collect();
        assert!(
            versions
                .windows(2)
                .all(|w| w[1] == w[0] + 1 || w[1] == w[0])
        );
    }
}

/// The contract against the core's own in-memory repository, so the suite itself is
/// checked against the reference.
/// An incident saved with a number from elsewhere (an import keeps the exporting system's
/// numbers) moves the counter past it, so a desk opening incidents afterwards never
/// collides; saving a second incident under a taken number is refused.
pub fn imported_numbers_move_the_counter_on<R: Repository>(repo: R) {
    let first = repo.next_number().unwrap();
    let (imported, events) = opened(first + 500, t0());
    repo.save(commit(&imported, &events, 0)).unwrap();
    assert!(repo.next_number().unwrap() > first + 500);

    let (twin, twin_events) = opened(first + 500, t0() + Duration::seconds(1));
    let err = repo.save(commit(&twin, &twin_events, 0)).unwrap_err();
    assert!(
        matches!(err, Error::Validation { ref field, .. } if field == "number"),
        "{err:?}"
    );
    assert_eq!(repo.load(twin.id).unwrap(), None);

    let desk = Desk::new(repo, DeskConfig::default());
    let report = NewIncident::new("after the import", Channel::Email, 3, 3);
    let later = desk
        .open(&admin(), Command::Open(report), t0() + Duration::minutes(1))
        .unwrap();
    assert_ne!(later.number, imported.number);
}

#[cfg(test)]
mod in_memory {
    contract_tests!(incident_core::InMemoryRepository::new);
}
