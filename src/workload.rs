//! The lifecycle workload of `../shared/peers/workload.md`, run through incident-core.
//!
//! A deterministic generator (a 64-bit LCG seeded with 42) gives each incident its impact,
//! urgency and the minute gaps between its eight lifecycle steps. [`Workload`] drives every
//! incident through the core exactly as a host would: each step is a [`Command`] decided
//! against the incident by [`decide::open_into`] / [`decide::execute_into`], and every
//! resulting [`Event`] is applied to the incident's SLA clocks by the
//! [`SlaEngine`]. The totals are read from the clocks' outcomes, so the numbers printed are
//! the core's own, not a side calculation.
//!
//! [`arithmetic_only`] computes the same totals with calendar arithmetic alone, like the
//! `workclock` peer, to separate the cost of the lifecycle from the cost of the calendar.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc, Weekday};
use incident_core::calendar::{Calendar, Holiday};
use incident_core::command::{Command, NewIncident};
use incident_core::decide;
use incident_core::directory::{Directory, Workgroup, WorkgroupKind};
use incident_core::model::{Channel, HoldReason, IncidentId};
use incident_core::persona::{Actor, Role};
use incident_core::policy::DeskConfig;
use incident_core::priority::PriorityMatrix;
use incident_core::sla::{
    ClockKind, ClockStage, IncidentClocks, SlaConfig, SlaDefinition, SlaEngine,
};
use incident_core::{Error, Event, Result};

/// Response targets in seconds for priorities 1 to 5 (index 0 unused).
pub const RESPONSE_TARGETS: [i64; 6] = [0, 900, 1800, 7200, 14_400, 28_800];
/// Resolution targets in seconds for priorities 1 to 5 (index 0 unused).
pub const RESOLUTION_TARGETS: [i64; 6] = [0, 14_400, 28_800, 86_400, 144_000, 288_000];
/// The local holidays of the workload's calendar.
pub const HOLIDAYS: [(i32, u32, u32); 8] = [
    (2026, 1, 1),
    (2026, 4, 6),
    (2026, 4, 27),
    (2026, 5, 14),
    (2026, 5, 25),
    (2026, 12, 25),
    (2026, 12, 26),
    (2027, 1, 1),
];

/// One generated incident: its impact, urgency and the instants of its eight steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkloadIncident {
    /// 0-based position in the workload.
    pub index: u64,
    /// Impact, 1 to 3.
    pub impact: u8,
    /// Urgency, 1 to 3.
    pub urgency: u8,
    /// Open, assign, reassign, start work, hold, resume, resolve, close.
    pub times: [DateTime<Utc>; 8],
}

impl WorkloadIncident {
    /// Priority from the ITIL 3x3 matrix of the workload.
    pub fn priority(&self) -> u8 {
        [[1, 2, 3], [2, 3, 4], [3, 4, 5]][usize::from(self.impact - 1)]
            [usize::from(self.urgency - 1)]
    }
}

/// Draws per incident: impact, urgency and seven gaps.
const DRAWS_PER_INCIDENT: u64 = 9;

/// The deterministic generator: yields incidents 0, 1, 2, ... forever.
#[derive(Debug, Clone)]
pub struct Generator {
    x: u64,
    index: u64,
    /// 2026-01-01T00:00:00Z in Unix seconds.
    base: i64,
}

impl Default for Generator {
    fn default() -> Self {
        Generator::new()
    }
}

impl Generator {
    /// The generator at its seed (42), before incident 0.
    pub fn new() -> Self {
        Generator {
            x: 42,
            index: 0,
            base: 1_767_225_600,
        }
    }

    /// The generator positioned before incident `index`, as if `index` incidents had been
    /// drawn: the LCG is jumped ahead in O(log index) steps, so that threads can each
    /// generate their own share of the workload.
    pub fn starting_at(index: u64) -> Self {
        // Composing x -> a*x + c with itself: (a, c) then (a', c') is (a'a, a'c + c').
        let (mut mul, mut add) = (6_364_136_223_846_793_005u64, 1_442_695_040_888_963_407u64);
        let (mut jump_mul, mut jump_add) = (1u64, 0u64);
        let mut steps = index.wrapping_mul(DRAWS_PER_INCIDENT);
        while steps > 0 {
            if steps & 1 == 1 {
                jump_mul = jump_mul.wrapping_mul(mul);
                jump_add = jump_add.wrapping_mul(mul).wrapping_add(add);
            }
            add = add.wrapping_mul(mul).wrapping_add(add);
            mul = mul.wrapping_mul(mul);
            steps >>= 1;
        }
        let mut generator = Generator::new();
        generator.x = generator.x.wrapping_mul(jump_mul).wrapping_add(jump_add);
        generator.index = index;
        generator
    }

    fn next_draw(&mut self) -> u64 {
        self.x = self
            .x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.x >> 33
    }
}

impl Iterator for Generator {
    type Item = WorkloadIncident;

    fn next(&mut self) -> Option<WorkloadIncident> {
        let index = self.index;
        self.index += 1;
        let mut at = self.base + 420 * index as i64;
        let impact = 1 + (self.next_draw() % 3) as u8;
        let urgency = 1 + (self.next_draw() % 3) as u8;
        let spans = [
            (1, 30),
            (5, 240),
            (1, 120),
            (10, 600),
            (30, 2880),
            (10, 1440),
            (60, 4320),
        ];
        // The eight instants lie within days of each other: the calendar date is computed
        // once from the epoch, then moved on by whole days when the day changes, which is
        // much cheaper.
        let mut day = at.div_euclid(86_400);
        let mut date = DateTime::from_timestamp(day * 86_400, 0)?.date_naive();
        let mut instant = |at: i64| -> Option<DateTime<Utc>> {
            let days = at.div_euclid(86_400) - day;
            if days != 0 {
                date = date.checked_add_days(Days::new(u64::try_from(days).ok()?))?;
                day += days;
            }
            let seconds = u32::try_from(at.rem_euclid(86_400)).ok()?;
            let time = NaiveTime::from_num_seconds_from_midnight_opt(seconds, 0)?;
            Some(date.and_time(time).and_utc())
        };
        let mut times = [DateTime::<Utc>::default(); 8];
        times[0] = instant(at)?;
        for (k, (low, width)) in spans.into_iter().enumerate() {
            at += 60 * (low + self.next_draw() % width) as i64;
            times[k + 1] = instant(at)?;
        }
        Some(WorkloadIncident {
            index,
            impact,
            urgency,
            times,
        })
    }
}

/// The workload's business calendar: Monday to Friday 08:00-18:00 Europe/Amsterdam with
/// its holidays.
///
/// # Errors
/// Never in practice (the description is fixed).
pub fn calendar() -> Result<Calendar> {
    let days = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ];
    let holidays = HOLIDAYS.iter().map(|&(y, m, d)| {
        let date = NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        Holiday::once(date, "")
    });
    Calendar::weekly("Europe/Amsterdam", &days, &["08:00-18:00"])?.with_holidays(holidays)
}

/// The workload's SLA definitions: a response and a resolution target per priority.
///
/// # Errors
/// Never in practice.
pub fn sla_config() -> Result<SlaConfig> {
    let mut config = SlaConfig::default();
    config.calendars.insert("office".into(), calendar()?);
    for p in 1..=5u8 {
        let response = RESPONSE_TARGETS[usize::from(p)];
        let resolution = RESOLUTION_TARGETS[usize::from(p)];
        config.definitions.extend([
            SlaDefinition::new(
                format!("response-p{p}"),
                ClockKind::Response,
                response,
                "office",
            )
            .for_priorities(&[p]),
            SlaDefinition::new(
                format!("resolution-p{p}"),
                ClockKind::Resolution,
                resolution,
                "office",
            )
            .for_priorities(&[p]),
        ]);
    }
    Ok(config)
}

/// The sums the workload prints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Incidents run.
    pub incidents: u64,
    /// Response clocks breached.
    pub response_breaches: u64,
    /// Resolution clocks breached.
    pub resolution_breaches: u64,
    /// Sum of response business seconds.
    pub response_business_s: i64,
    /// Sum of resolution business seconds.
    pub resolution_business_s: i64,
}

impl std::ops::AddAssign for Totals {
    fn add_assign(&mut self, other: Totals) {
        self.incidents += other.incidents;
        self.response_breaches += other.response_breaches;
        self.resolution_breaches += other.resolution_breaches;
        self.response_business_s += other.response_business_s;
        self.resolution_business_s += other.resolution_business_s;
    }
}

impl fmt::Display for Totals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "incidents={} response_breaches={} resolution_breaches={} \
             response_business_s={} resolution_business_s={}",
            self.incidents,
            self.response_breaches,
            self.resolution_breaches,
            self.response_business_s,
            self.resolution_business_s
        )
    }
}

/// Everything needed to run workload incidents through the core, built once and shared
/// by the threads.
#[derive(Debug)]
pub struct Workload {
    desk: DeskConfig,
    engine: SlaEngine,
    actor: Actor,
    /// The opening command for each (impact, urgency), index `3 * (impact-1) + urgency-1`.
    reports: Vec<Command>,
    /// Assign, reassign, start, hold, resume, resolve, close.
    steps: [Command; 7],
}

impl Workload {
    /// The desk (two workgroups, the ITIL matrix), the SLA engine and the commands.
    ///
    /// # Errors
    /// Never in practice.
    pub fn new() -> Result<Self> {
        let groups = vec![
            Workgroup::new("service-desk", "Service desk", WorkgroupKind::Incident),
            Workgroup::new("network", "Network", WorkgroupKind::Incident),
        ];
        let directory = Directory::new(groups, vec![], vec![], "service-desk".into())?;
        let mut desk = DeskConfig::with_directory(directory);
        desk.priority_matrix =
            PriorityMatrix::new(vec![vec![1, 2, 3], vec![2, 3, 4], vec![3, 4, 5]])?;

        let reports = (0..9u8)
            .map(|i| {
                Command::Open(NewIncident::new(
                    "Workload",
                    Channel::Phone,
                    1 + i / 3,
                    1 + i % 3,
                ))
            })
            .collect();
        let assign = |group: &str| Command::Assign {
            workgroup: Some(group.into()),
            assignee: None,
        };
        let steps = [
            assign("service-desk"),
            assign("network"),
            Command::StartWork,
            Command::Hold {
                reason: HoldReason::AwaitingCaller,
            },
            Command::Resume,
            Command::Resolve {
                code: "fixed".into(),
                notes: "done".into(),
            },
            Command::Confirm { feedback: None },
        ];
        Ok(Workload {
            desk,
            engine: SlaEngine::new(sla_config()?)?,
            actor: Actor::new("workload", Role::Administrator),
            reports,
            steps,
        })
    }

    /// The SLA engine the clocks are computed with.
    pub fn engine(&self) -> &SlaEngine {
        &self.engine
    }

    /// Open one incident, take it through its seven state changes, keep its clocks up to
    /// date event by event, and add its clocks' outcomes to `totals`.
    ///
    /// # Errors
    /// Any refusal of the core (none expected: the workload follows the lifecycle).
    pub fn run_incident(&self, incident: &WorkloadIncident, totals: &mut Totals) -> Result<()> {
        self.run_with(incident, totals, &mut Vec::new())
    }

    /// As [`Workload::run_incident`], with an event buffer kept across incidents, as a host
    /// running a stream of commands would keep one.
    fn run_with(
        &self,
        incident: &WorkloadIncident,
        totals: &mut Totals,
        events: &mut Vec<Event>,
    ) -> Result<()> {
        let t = incident.times;
        let id = IncidentId(uuid_from(incident.index));
        let number = decide::incident_number(incident.index + 1);
        let report = &self.reports[usize::from(3 * (incident.impact - 1) + incident.urgency - 1)];
        events.clear();
        let mut current =
            decide::open_into(&self.desk, id, number, &self.actor, report, t[0], events)?;
        let mut clocks = IncidentClocks::new();
        for event in events.iter() {
            self.engine.apply(&mut clocks, event)?;
        }
        for (step, at) in self.steps.iter().zip(&t[1..]) {
            events.clear();
            decide::execute_into(&self.desk, &mut current, &self.actor, step, *at, events)?;
            for event in events.iter() {
                self.engine.apply(&mut clocks, event)?;
            }
        }

        totals.incidents += 1;
        for clock in clocks.clocks() {
            let outcome = self.engine.outcome(clock, t[7])?;
            let breached = u64::from(outcome.stage == ClockStage::Breached);
            match outcome.kind {
                ClockKind::Response => {
                    totals.response_breaches += breached;
                    totals.response_business_s += outcome.elapsed_seconds;
                }
                ClockKind::Resolution => {
                    totals.resolution_breaches += breached;
                    totals.resolution_business_s += outcome.elapsed_seconds;
                }
            }
        }
        Ok(())
    }

    /// Run the first `n` incidents on one thread.
    ///
    /// # Errors
    /// As [`Workload::run_incident`].
    pub fn run(&self, n: u64) -> Result<Totals> {
        let (mut totals, mut events) = (Totals::default(), Vec::new());
        for incident in Generator::new().take(n as usize) {
            self.run_with(&incident, &mut totals, &mut events)?;
        }
        Ok(totals)
    }

    /// Run the first `n` incidents on `threads` threads (the calling thread is one of
    /// them). Incidents are independent, so the threads take batches of consecutive
    /// incidents from a shared counter until none are left, each generating its own batches;
    /// a thread that starts late or is slowed down simply takes fewer. The totals are sums,
    /// so they equal [`Workload::run`]'s whatever the order.
    ///
    /// # Errors
    /// As [`Workload::run_incident`].
    pub fn run_parallel(&self, n: u64, threads: usize) -> Result<Totals> {
        let next = AtomicU64::new(0);
        let work = || {
            let (mut totals, mut events) = (Totals::default(), Vec::new());
            loop {
                let first = next.fetch_add(BATCH, Ordering::Relaxed);
                if first >= n {
                    return Ok::<Totals, Error>(totals);
                }
                let count = BATCH.min(n - first) as usize;
                for incident in Generator::starting_at(first).take(count) {
                    self.run_with(&incident, &mut totals, &mut events)?;
                }
            }
        };

        thread::scope(|scope| {
            let helpers: Vec<_> = (1..threads.max(1)).map(|_| scope.spawn(work)).collect();
            let mut totals = work()?;
            for helper in helpers {
                let part = helper.join().map_err(|_| Error::Validation {
                    field: "workload".into(),
                    reason: "a worker thread panicked".into(),
                })??;
                totals += part;
            }
            Ok(totals)
        })
    }
}

/// Incidents a thread takes at a time: large enough that the shared counter is touched
/// rarely, small enough that threads finish together.
const BATCH: u64 = 1024;

/// A deterministic incident id (the workload must not depend on randomness).
fn uuid_from(index: u64) -> uuid::Uuid {
    uuid::Uuid::from_u128(u128::from(index) + 1)
}

/// The same totals from calendar arithmetic alone (no lifecycle, no events), as the
/// `workclock` peer computes them.
///
/// # Errors
/// Never in practice.
pub fn arithmetic_only(n: u64) -> Result<Totals> {
    let calendar = calendar()?;
    let mut totals = Totals::default();
    for incident in Generator::new().take(n as usize) {
        let s = incident.times.map(|t| t.timestamp());
        let p = usize::from(incident.priority());
        let response = calendar.business_seconds(s[0], s[3])?;
        let resolution =
            calendar.business_seconds(s[0], s[4])? + calendar.business_seconds(s[5], s[6])?;
        totals.incidents += 1;
        totals.response_breaches += u64::from(response > RESPONSE_TARGETS[p]);
        totals.resolution_breaches += u64::from(resolution > RESOLUTION_TARGETS[p]);
        totals.response_business_s += response;
        totals.resolution_business_s += resolution;
    }
    Ok(totals)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Printed by `python3 ../shared/peers/oracle.py 300`.
    const ORACLE_300: &str = "incidents=300 response_breaches=33 resolution_breaches=20 \
                              response_business_s=577980 resolution_business_s=3265920";

    #[test]
    fn the_core_and_the_arithmetic_agree_with_the_oracle() {
        let workload = Workload::new().unwrap();
        assert_eq!(workload.run(300).unwrap().to_string(), ORACLE_300);
        assert_eq!(
            workload.run_parallel(300, 3).unwrap().to_string(),
            ORACLE_300
        );
        assert_eq!(arithmetic_only(300).unwrap().to_string(), ORACLE_300);
    }

    #[test]
    fn the_generator_follows_the_spec() {
        let first = Generator::new().next().unwrap();
        assert_eq!(first.times[0].to_rfc3339(), "2026-01-01T00:00:00+00:00");
        let tenth = Generator::new().nth(10).unwrap();
        assert_eq!(tenth.times[0].to_rfc3339(), "2026-01-01T01:10:00+00:00");
        for index in [0, 1, 7, 1000, 12_345] {
            let jumped = Generator::starting_at(index).next().unwrap();
            assert_eq!(Generator::new().nth(index as usize).unwrap(), jumped);
        }
    }
}
