//! The whole incident process, end to end, printed as timelines.
//!
//! An end user reports a problem on the portal, monitoring opens an incident from a failed
//! change, the service desk triages and reassigns by skill, the network team works it with
//! a work order for on-site support, waits for the caller, resolves, the caller reopens,
//! it is resolved again and confirmed with feedback; the automated incident auto-closes.
//!
//! Run with `cargo run --release --example walkthrough [-- --store sqlite:PATH | memory]`.
//! By default incidents are kept in `walkthrough.db` in the working directory, so a second
//! run continues where the first one stopped.

use std::error::Error as StdError;
use std::process::ExitCode;

use chrono::{DateTime, Duration, TimeZone, Utc};
use incident_core::*;
use incident_store_sqlite::SqliteRepository;

/// Prints a line; a closed stdout (`| head`) ends the program quietly instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if writeln!(std::io::stdout(), $($arg)*).is_err() {
            std::process::exit(0);
        }
    }};
}

type Failure = Box<dyn StdError>;

fn directory() -> Result<Directory, Failure> {
    let service_desk = Workgroup::new("service-desk", "Service desk", WorkgroupKind::Incident)
        .with_members(["alice"])
        .with_managers(["mary"]);
    let mut network = Workgroup::new("network", "Network operations", WorkgroupKind::Incident)
        .with_members(["bob", "dave"])
        .with_managers(["nick"]);
    network.skills = vec!["vpn".into()];
    let onsite = Workgroup::new("onsite", "On-site support", WorkgroupKind::WorkOrder)
        .with_members(["carl"]);
    let dave = Analyst {
        id: "dave".into(),
        name: "Dave".into(),
        skills: vec!["vpn".into()],
    };
    let rules = vec![
        RoutingRule {
            name: "VPN specialists".into(),
            skill: Some("vpn".into()),
            workgroup: "network".into(),
            ..RoutingRule::default()
        },
        RoutingRule {
            name: "email service".into(),
            service: Some("email".into()),
            workgroup: "network".into(),
            ..RoutingRule::default()
        },
    ];
    let groups = vec![service_desk, network, onsite];
    Ok(Directory::new(
        groups,
        vec![dave],
        rules,
        "service-desk".into(),
    )?)
}

/// The store named on the command line: `sqlite:PATH` (default `walkthrough.db`) or `memory`.
fn repository() -> Result<Box<dyn Repository>, Failure> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let spec = match args.iter().position(|a| a == "--store") {
        Some(i) => args.get(i + 1).cloned().ok_or("--store needs a value")?,
        None => "sqlite:walkthrough.db".to_owned(),
    };
    if spec == "memory" {
        return Ok(Box::new(InMemoryRepository::new()));
    }
    let path = spec
        .strip_prefix("sqlite:")
        .ok_or("--store takes sqlite:PATH or memory")?;
    Ok(Box::new(SqliteRepository::open(path)?))
}

struct Clock(DateTime<Utc>);

impl Clock {
    fn advance(&mut self, minutes: i64) -> DateTime<Utc> {
        self.0 += Duration::minutes(minutes);
        self.0
    }
}

fn main() -> ExitCode {
    // Errors in their readable form (the default would print their debug form).
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("walkthrough failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Failure> {
    let desk = Desk::new(repository()?, DeskConfig::with_directory(directory()?));
    let earlier = desk.query(&IncidentQuery::default())?;
    say!(
        "The store holds {} incident(s) from earlier runs.\n",
        earlier.len()
    );

    // Each run happens a week after the previous one, so timelines stay in order.
    let start = Utc
        .with_ymd_and_hms(2026, 3, 2, 8, 55, 0)
        .single()
        .ok_or("bad start")?;
    let mut clock = Clock(start + Duration::days(7 * earlier.len() as i64 / 2));
    let ann = Actor::new("ann", Role::EndUser);
    let monitoring = Actor::new("change-monitor", Role::Automation);
    let (alice, bob, carl) = (
        Actor::new("alice", Role::Analyst),
        Actor::new("bob", Role::Analyst),
        Actor::new("carl", Role::Analyst),
    );

    // 1. Ann reports on the portal; it lands with the service desk.
    let mut report = NewIncident::new("VPN drops every few minutes", Channel::Portal, 2, 2);
    report.description = "Since this morning the VPN disconnects while I work from home.".into();
    report.category = Some("network".into());
    let vpn = desk.open(&ann, Command::Open(report), clock.advance(5))?;

    // 2. Monitoring opens an incident from a failed change, with the change's impact.
    let trigger = TriggeredIncident {
        trigger: Trigger::FailedChange {
            change_id: "CHG0004711".into(),
            failure: ChangeFailure::CausedServiceInterruption,
            service: Some("email".into()),
            configuration_item: Some("mx-01".into()),
            impact: Some(1),
            urgency: Some(2),
        },
        short_description: "Mail relay down after certificate change".into(),
        description: String::new(),
        caller: Some("chris".into()), // the change owner
        category: None,
    };
    let mail = desk.open(
        &monitoring,
        Command::OpenFromTrigger(trigger),
        clock.advance(2),
    )?;

    // 3. Triage: alice takes the VPN incident, then routes it to the VPN specialists.
    let take = Command::Assign {
        workgroup: None,
        assignee: Some("alice".into()),
    };
    desk.execute(&alice, vpn.id, take, clock.advance(4))?;
    let route = Command::Route {
        skill: Some("vpn".into()),
    };
    desk.execute(&alice, vpn.id, route, clock.advance(6))?;
    let to_bob = Command::Assign {
        workgroup: None,
        assignee: Some("bob".into()),
    };
    desk.execute(
        &Actor::new("nick", Role::Manager),
        vpn.id,
        to_bob,
        clock.advance(3),
    )?;
    desk.execute(&bob, vpn.id, Command::StartWork, clock.advance(10))?;

    // 4. A work order sends a technician to the branch office.
    let order = Command::CreateWorkOrder {
        title: "Replace the branch VPN concentrator".into(),
        tasks: vec![NewTask {
            title: "Swap the appliance in rack 2".into(),
            workgroup: "onsite".into(),
            assignee: Some("carl".into()),
        }],
    };
    desk.execute(&bob, vpn.id, order, clock.advance(15))?;
    for state in [WorkState::InProgress, WorkState::Done] {
        let update = Command::UpdateTask {
            work_order: 1,
            task: 1,
            state: Some(state),
            assignee: None,
        };
        desk.execute(&carl, vpn.id, update, clock.advance(45))?;
    }

    // 5. Waiting for the caller; her answer resumes the work.
    let hold = Command::Hold {
        reason: HoldReason::AwaitingCaller,
    };
    desk.execute(&bob, vpn.id, hold, clock.advance(5))?;
    let answer = Command::Comment {
        text: "Works from home now, still drops on hotel wifi.".into(),
    };
    desk.execute(&ann, vpn.id, answer, clock.advance(90))?;

    // 6. Resolved, reopened by the caller, resolved again, confirmed with feedback.
    let resolve = |notes: &str| Command::Resolve {
        code: "solved".into(),
        notes: notes.into(),
    };
    desk.execute(
        &bob,
        vpn.id,
        resolve("New appliance installed."),
        clock.advance(30),
    )?;
    let reopen = Command::Reopen {
        reason: "Dropped again this evening.".into(),
    };
    desk.execute(&ann, vpn.id, reopen, clock.advance(240))?;
    desk.execute(&bob, vpn.id, Command::StartWork, clock.advance(20))?;
    desk.execute(
        &bob,
        vpn.id,
        resolve("MTU lowered for hotel networks."),
        clock.advance(35),
    )?;
    let feedback = Feedback {
        rating: 4,
        comment: Some("Took a while, but fixed.".into()),
    };
    desk.execute(
        &ann,
        vpn.id,
        Command::Confirm {
            feedback: Some(feedback),
        },
        clock.advance(60),
    )?;

    // 7. The mail incident is fixed and closes by itself after the policy's seven days.
    desk.execute(&bob, mail.id, Command::StartWork, clock.advance(1))?;
    let rollback = Command::Resolve {
        code: "rolled back".into(),
        notes: "Change reverted.".into(),
    };
    desk.execute(&bob, mail.id, rollback, clock.advance(25))?;
    let closed = desk.close_due(&monitoring, clock.advance(7 * 24 * 60))?;
    say!(
        "Auto-closed: {}\n",
        closed
            .iter()
            .map(|i| i.number.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );

    for id in [vpn.id, mail.id] {
        print_timeline(&desk, id)?;
    }
    Ok(())
}

fn print_timeline<R: Repository>(desk: &Desk<R>, id: IncidentId) -> Result<(), Failure> {
    let incident = desk.incident(id)?;
    say!(
        "{} \"{}\": {}, priority {}, reopened {}x, reassigned {}x, ping-pong {}x",
        incident.number,
        incident.short_description,
        incident.state,
        incident.priority,
        incident.reopen_count,
        incident.reassignment_count,
        incident.ping_pong_count(),
    );
    for event in desk.events(id)? {
        let at = event.at.format("%a %d %b %H:%M");
        say!(
            "  {at}  v{:<3} {:<15} {}",
            event.version,
            event.actor.id.as_str(),
            event.change.describe()
        );
    }
    let now = incident.updated_at;
    for (group, seconds) in incident.time_per_workgroup(now) {
        say!(
            "  time with {group}: {}h{:02}m",
            seconds / 3600,
            seconds % 3600 / 60
        );
    }
    say!();
    Ok(())
}
