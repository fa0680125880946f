//! Several processes on one file, and processes killed with SIGKILL while they write.
//!
//! The children are this test binary run again on an `#[ignore]`d entry point, told what to
//! do by environment variables; they report each acknowledged command on stdout.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command as Process, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use chrono::Duration as Span;
use incident_core::{
    Change, Channel, Command, Desk, DeskConfig, IncidentId, IncidentQuery, NewIncident, Repository,
};
use incident_store_contract::{admin, assert_log_holds_exactly, comment_in_loop, t0};
use incident_store_sqlite::SqliteRepository;

const DB: &str = "INCIDENT_TEST_CHILD_DB";
const WORKER: &str = "INCIDENT_TEST_CHILD_WORKER";

fn child(entry: &str, db: &Path, worker: usize) -> Process {
    let mut process = Process::new(std::env::current_exe().expect("the test binary"));
    process
        .args([
            "--ignored",
            "--exact",
            entry,
            "--nocapture",
            "--test-threads=1",
        ])
        .env(DB, db)
        .env(WORKER, worker.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    process
}

/// Parses the `ACK <incident> <text>` lines a child printed.
fn acknowledged(output: &str) -> Vec<(IncidentId, String)> {
    output
        .lines()
        .filter_map(|line| line.strip_prefix("ACK "))
        .filter_map(|rest| {
            let (id, text) = rest.split_once(' ')?;
            Some((id.parse().ok()?, text.to_owned()))
        })
        .collect()
}

fn open_child_store() -> Option<(Desk<SqliteRepository>, usize)> {
    let db = std::env::var_os(DB)?;
    let worker = std::env::var(WORKER).ok()?.parse().ok()?;
    // The test harness has printed "test <name> ... " without a line end: end that line.
    println!();
    let repo = SqliteRepository::open(db).expect("the child opens the store");
    Some((Desk::new(repo, DeskConfig::default()), worker))
}

/// Child: comments on every incident of the store, 20 times, retrying on conflicts.
#[test]
#[ignore = "run by lost_updates_across_processes"]
fn child_commenter() {
    let Some((desk, worker)) = open_child_store() else {
        return;
    };
    let ids: Vec<IncidentId> = desk
        .query(&IncidentQuery::default())
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    for (id, text) in comment_in_loop(&desk, &ids, worker, 20) {
        println!("ACK {id} {text}");
    }
}

#[test]
fn lost_updates_across_processes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shared.db");
    let desk = Desk::new(SqliteRepository::open(&db).unwrap(), DeskConfig::default());
    for n in 0..3 {
        let report = NewIncident::new(format!("Shared {n}"), Channel::Phone, 3, 3);
        desk.open(&admin(), Command::Open(report), t0()).unwrap();
    }

    let children: Vec<_> = (0..4)
        .map(|worker| child("child_commenter", &db, worker).spawn().unwrap())
        .collect();
    let mut accepted: HashMap<IncidentId, Vec<String>> = HashMap::new();
    for process in children {
        let output = process.wait_with_output().unwrap();
        assert!(output.status.success(), "a child failed");
        for (id, text) in acknowledged(&String::from_utf8_lossy(&output.stdout)) {
            accepted.entry(id).or_default().push(text);
        }
    }

    assert_eq!(accepted.values().map(Vec::len).sum::<usize>(), 4 * 20);
    let reopened = SqliteRepository::open(&db).unwrap();
    reopened.integrity_check().unwrap();
    assert_log_holds_exactly(&reopened, &accepted);
}

/// Child: opens incidents and comments on them in a bounded loop until it is killed,
/// printing each command once the store acknowledged it.
#[test]
#[ignore = "run by acknowledged_commands_survive_sigkill"]
fn child_writer() {
    let Some((desk, worker)) = open_child_store() else {
        return;
    };
    let mut ids: Vec<IncidentId> = desk
        .query(&IncidentQuery::default())
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    println!("READY");
    let at = t0() + Span::days(1);
    for i in 0..20_000usize {
        if ids.is_empty() || i % 7 == 0 {
            let report = NewIncident::new(format!("Crash {worker}.{i}"), Channel::Email, 3, 3);
            let incident = desk.open(&admin(), Command::Open(report), at).unwrap();
            println!("OPEN {}", incident.id);
            ids.push(incident.id);
        } else {
            let id = ids[i % ids.len()];
            let text = format!("round {worker} write {i}");
            let command = Command::Comment { text: text.clone() };
            desk.execute(&admin(), id, command, at).unwrap();
            println!("ACK {id} {text}");
        }
    }
}

/// A small deterministic generator, seeded from the clock (the seed is printed).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

#[test]
fn acknowledged_commands_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    eprintln!("sigkill test seed {seed}");
    let mut random = Lcg(seed);
    let mut opened: Vec<IncidentId> = Vec::new();
    let mut accepted: HashMap<IncidentId, Vec<String>> = HashMap::new();

    for round in 0..6 {
        let mut process = child("child_writer", &db, round).spawn().unwrap();
        let stdout = process.stdout.take().unwrap();
        let (lines, received) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if lines.send(line).is_err() {
                    break;
                }
            }
        });

        // Let it start, then kill it at a random moment of its writing.
        let started = received.iter().take_while(|line| line != "READY").count();
        assert!(started < 10, "the child started");
        std::thread::sleep(Duration::from_millis(20 + random.below(300)));
        process.kill().unwrap();
        let status = process.wait().unwrap();
        assert!(!status.success(), "killed, not finished");
        reader.join().unwrap();

        let output: Vec<String> = received.try_iter().collect();
        for line in &output {
            if let Some(id) = line.strip_prefix("OPEN ") {
                opened.push(id.parse().unwrap());
            }
        }
        for (id, text) in acknowledged(&output.join("\n")) {
            accepted.entry(id).or_default().push(text);
        }

        // Reopen: the file is sound, and everything acknowledged is there.
        let repo = SqliteRepository::open(&db).unwrap();
        repo.integrity_check().unwrap();
        for id in &opened {
            let incident = repo.load(*id).unwrap();
            assert!(incident.is_some(), "acknowledged incident {id} lost");
            accepted.entry(*id).or_default();
        }
        // A command may be stored without its acknowledgement (killed in between), never
        // the reverse, and nothing is stored twice.
        let stored = repo.query(&IncidentQuery::default()).unwrap();
        for incident in &stored {
            let events = repo.events(incident.id).unwrap();
            assert_eq!(incident_core::Incident::replay(&events).unwrap(), *incident);
            let logged: Vec<&str> = events
                .iter()
                .filter_map(|e| match &e.change {
                    Change::Commented { text } => Some(text.as_str()),
                    _ => None,
                })
                .collect();
            let unique: HashSet<&str> = logged.iter().copied().collect();
            assert_eq!(unique.len(), logged.len(), "a comment stored twice");
            for text in accepted.get(&incident.id).into_iter().flatten() {
                assert!(unique.contains(text.as_str()), "acknowledged {text:?} lost");
            }
        }
        assert!(accepted.keys().all(|id| stored.iter().any(|i| i.id == *id)));
    }
    let writes: usize = accepted.values().map(Vec::len).sum();
    eprintln!(
        "sigkill test: {} incidents, {writes} acknowledged comments",
        opened.len()
    );
}

/// Child: draws 50 incident numbers.
#[test]
#[ignore = "run by numbers_are_unique_across_processes"]
fn child_numbers() {
    let Some((desk, _)) = open_child_store() else {
        return;
    };
    for _ in 0..50 {
        println!("NUM {}", desk.repository().next_number().unwrap());
    }
}

#[test]
fn numbers_are_unique_across_processes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("numbers.db");
    drop(SqliteRepository::open(&db).unwrap());

    let children: Vec<_> = (0..3)
        .map(|worker| child("child_numbers", &db, worker).spawn().unwrap())
        .collect();
    let mut numbers = HashSet::new();
    for process in children {
        let output = process.wait_with_output().unwrap();
        assert!(output.status.success(), "a child failed");
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            if let Some(n) = line.strip_prefix("NUM ") {
                let n: u64 = n.parse().unwrap();
                assert!(numbers.insert(n), "number {n} handed out twice");
            }
        }
    }
    assert_eq!(numbers.len(), 150);
    let next = SqliteRepository::open(&db).unwrap().next_number().unwrap();
    assert_eq!(next, 151);
}
