//! The SLA engine: clocks derived from an incident's events, and the queries on them.

use std::collections::HashMap;

use chrono::{DateTime, Timelike, Utc};

use super::definition::{
    ClockKind, ClockScope, MatchInput, OnPriorityChange, OnReopen, SlaConfig, SlaDefinition,
    TimeZoneSource,
};
use super::status::{ClockOutcome, ClockStage};
use crate::calendar::{Calendar, CalendarSpec};
use crate::error::{Error, Result};
use crate::event::{Change, Event};
use crate::model::{Incident, IncidentId, State, UserId, WorkgroupId};
use crate::persona::Role;

/// A validated SLA configuration, ready to compute clocks.
///
/// `Send + Sync` and cheap to share behind an `Arc`: hosts build one at start-up and use it
/// from every thread. Calendars whose definitions follow a caller's or workgroup's zone are
/// compiled once per zone here.
#[derive(Debug, Clone)]
pub struct SlaEngine {
    config: SlaConfig,
    /// Base calendars first (in `config.calendars` order), then zone variants.
    pub(crate) calendars: Vec<Calendar>,
    /// Calendar name of each entry of `calendars`.
    pub(crate) calendar_names: Vec<String>,
    /// Base calendar index of each definition.
    definition_calendar: Vec<usize>,
    /// `(base calendar index, zone name)` to the index of the variant in that zone.
    variants: HashMap<(usize, String), usize>,
    /// SLA definitions of each kind (response, resolution) accepting each priority (all
    /// 256), in matching order: starting a clock looks at the few that may apply.
    sla_candidates: [Vec<Box<[u32]>>; 2],
    /// OLA definitions of each workgroup and kind, in matching order.
    ola_candidates: HashMap<WorkgroupId, [Vec<usize>; 2]>,
    /// Whether a definition follows the caller's zone (so the caller must be tracked).
    needs_caller: bool,
    /// Whether OLAs or workgroup zones exist (so the workgroup must be tracked).
    needs_workgroup: bool,
    /// What applying events needs of each definition, by definition index.
    rules: Vec<Rule>,
}

/// What the hot path needs of a definition, precomputed as bit sets so that applying an
/// event tests bits instead of walking lists and matching on kinds.
#[derive(Debug, Clone)]
struct Rule {
    kind: ClockKind,
    /// Bit `state as u8` set when the clock pauses in that state.
    pauses: u8,
    /// Bit `state as u8` set when moving to that state stops the clock.
    stops: u8,
    /// Bit `p` set when the definition accepts priority `p` (all set without a condition).
    priorities: [u64; 4],
    /// Whether service, category or organisation conditions must be checked as well.
    other_conditions: bool,
    /// [`SlaDefinition::disabled_from`] in Unix seconds.
    disabled_from: Option<i64>,
    /// The calendar index when it does not depend on the caller's or workgroup's zone.
    fixed_calendar: Option<u32>,
}

impl Rule {
    fn new(definition: &SlaDefinition, calendar: usize) -> Rule {
        let states = |f: &dyn Fn(State) -> bool| {
            State::ALL
                .iter()
                .filter(|&&s| f(s))
                .fold(0u8, |bits, &s| bits | state_bit(s))
        };
        let stops = match definition.kind {
            ClockKind::Response => states(&|s| {
                matches!(
                    s,
                    State::Canceled | State::InProgress | State::Resolved | State::Closed
                )
            }),
            ClockKind::Resolution => {
                states(&|s| matches!(s, State::Canceled | State::Resolved | State::Closed))
            }
        };
        let conditions = &definition.applies_to;
        let mut priorities = [0u64; 4];
        if conditions.priorities.is_empty() {
            priorities = [u64::MAX; 4];
        }
        for &p in &conditions.priorities {
            priorities[usize::from(p >> 6)] |= 1 << (p & 63);
        }
        Rule {
            kind: definition.kind,
            pauses: states(&|s| definition.pauses_in(s)),
            stops,
            priorities,
            other_conditions: !(conditions.services.is_empty()
                && conditions.categories.is_empty()
                && conditions.organisations.is_empty()),
            disabled_from: definition.disabled_from.map(|d| d.timestamp()),
            fixed_calendar: (definition.time_zone == TimeZoneSource::Calendar)
                .then_some(calendar as u32),
        }
    }

    fn accepts_priority(&self, priority: u8) -> bool {
        self.priorities[usize::from(priority >> 6)] >> (priority & 63) & 1 == 1
    }

    fn enabled_at(&self, t: i64) -> bool {
        self.disabled_from.is_none_or(|d| t < d)
    }
}

/// An event's instant in Unix seconds and as a date-time floored to the second.
type Moment = (i64, DateTime<Utc>);

/// A refused event, built out of line: errors are rare and their text costs code size.
#[cold]
#[inline(never)]
fn event_error(reason: &'static str) -> Error {
    Error::validation("event", reason)
}

/// A state as a bit of [`Rule::pauses`] and [`Rule::stops`].
fn state_bit(state: State) -> u8 {
    1 << (state as u8)
}

/// An instant floored to its second, as the clocks count (Unix seconds drop sub-seconds).
fn whole_second(at: DateTime<Utc>) -> DateTime<Utc> {
    if at.timestamp_subsec_nanos() == 0 {
        at
    } else {
        at.with_nanosecond(0).unwrap_or(at)
    }
}

/// Why a clock stopped for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ClockEnd {
    /// Its goal was reached (response given, incident resolved, workgroup left).
    Completed,
    /// The incident was canceled, or no definition matches any more.
    Cancelled,
    /// Replaced by a new clock (restart policies).
    Superseded,
}

/// A stretch during which a clock ran, with the business seconds it counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub(crate) struct Segment {
    pub(crate) from: i64,
    pub(crate) to: i64,
    pub(crate) seconds: i64,
    pub(crate) calendar: u32,
}

/// The running stretches of a clock: the first two kept inline, since most clocks pause
/// at most once, so that computing clocks does not allocate for them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct Segments {
    inline: [Segment; 2],
    len: usize,
    rest: Vec<Segment>,
}

impl Segments {
    fn push(&mut self, segment: Segment) {
        match self.inline.get_mut(self.len) {
            Some(slot) => *slot = segment,
            None => self.rest.push(segment),
        }
        self.len += 1;
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Segment> {
        self.inline[..self.len.min(2)].iter().chain(&self.rest)
    }

    fn iter_mut(&mut self) -> impl Iterator<Item = &mut Segment> {
        self.inline[..self.len.min(2)]
            .iter_mut()
            .chain(&mut self.rest)
    }
}

/// One SLA or OLA clock of an incident, as derived from its events.
///
/// Read it through [`SlaEngine::status`] or [`SlaEngine::outcome`]; it refers to the
/// engine's definitions by position, so use it with the engine that computed it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SlaClock {
    pub(crate) definition: u32,
    pub(crate) calendar: u32,
    pub(crate) workgroup: Option<WorkgroupId>,
    pub(crate) started_at: i64,
    pub(crate) segments: Segments,
    pub(crate) closed_seconds: i64,
    pub(crate) running_since: Option<i64>,
    pub(crate) end: Option<(i64, ClockEnd)>,
    /// The instant of `end` as a date-time, kept so that outcomes need no conversion.
    pub(crate) ended_at: DateTime<Utc>,
    /// Whether this clock is the live one of its kind and scope.
    pub(crate) current: bool,
}

impl SlaClock {
    /// A placeholder for empty inline storage, never handed out (hence no public
    /// `Default`: a clock only makes sense with the engine that computed it).
    fn placeholder() -> Self {
        SlaClock {
            definition: 0,
            calendar: 0,
            workgroup: None,
            started_at: 0,
            segments: Segments::default(),
            closed_seconds: 0,
            running_since: None,
            end: None,
            ended_at: DateTime::UNIX_EPOCH,
            current: false,
        }
    }

    /// Whether the clock still runs or is paused (it has not stopped).
    pub fn is_open(&self) -> bool {
        self.end.is_none()
    }

    /// When the clock started.
    pub fn started_at(&self) -> DateTime<Utc> {
        crate::calendar::to_datetime(self.started_at)
    }

    fn pause(&mut self, engine: &SlaEngine, t: i64) -> Result<()> {
        if let Some(from) = self.running_since.take() {
            let to = t.max(from);
            let seconds = engine.calendars[self.calendar as usize].business_seconds(from, to)?;
            self.segments.push(Segment {
                from,
                to,
                seconds,
                calendar: self.calendar,
            });
            self.closed_seconds += seconds;
        }
        Ok(())
    }

    /// Stop the clock at `at` (whole seconds), `t` in Unix seconds.
    fn stop(&mut self, engine: &SlaEngine, (t, at): Moment, how: ClockEnd) -> Result<()> {
        self.pause(engine, t)?;
        self.end = Some((t, how));
        self.ended_at = at;
        Ok(())
    }
}

/// The clocks of an incident, the first two (an SLA's response and resolution clocks) kept
/// inline so that computing them does not allocate; a third moves them all to `spilled`.
#[derive(Debug, Clone)]
struct ClockList {
    inline: [SlaClock; 2],
    len: usize,
    /// All the clocks once there are more than fit inline; empty before.
    spilled: Vec<SlaClock>,
}

impl Default for ClockList {
    fn default() -> Self {
        ClockList {
            inline: [SlaClock::placeholder(), SlaClock::placeholder()],
            len: 0,
            spilled: Vec::new(),
        }
    }
}

impl ClockList {
    fn push(&mut self, clock: SlaClock) {
        if self.spilled.is_empty() {
            if let Some(slot) = self.inline.get_mut(self.len) {
                *slot = clock;
                self.len += 1;
                return;
            }
            let inline = self.inline.iter_mut();
            let moved = inline.map(|c| std::mem::replace(c, SlaClock::placeholder()));
            self.spilled.extend(moved);
        }
        self.spilled.push(clock);
    }
}

impl std::ops::Deref for ClockList {
    type Target = [SlaClock];

    fn deref(&self) -> &[SlaClock] {
        match self.spilled.is_empty() {
            true => self.inline.get(..self.len).unwrap_or_default(),
            false => &self.spilled,
        }
    }
}

impl std::ops::DerefMut for ClockList {
    fn deref_mut(&mut self) -> &mut [SlaClock] {
        match self.spilled.is_empty() {
            true => self.inline.get_mut(..self.len).unwrap_or_default(),
            false => &mut self.spilled,
        }
    }
}

impl PartialEq for ClockList {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for ClockList {}

impl std::hash::Hash for ClockList {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (**self).hash(state);
    }
}

/// The incident attributes the clocks depend on, tracked while events are applied.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Facts {
    state: State,
    priority: u8,
    service: Option<String>,
    category: Option<String>,
    organisation: Option<String>,
    /// Tracked only when a definition follows the caller's zone.
    caller: Option<UserId>,
    workgroup: Option<WorkgroupId>,
}

impl Facts {
    fn input(&self) -> MatchInput<'_> {
        MatchInput {
            priority: self.priority,
            service: self.service.as_deref(),
            category: self.category.as_deref(),
            organisation: self.organisation.as_deref(),
        }
    }
}

/// Every SLA and OLA clock of one incident, derived from its events.
///
/// Build it with [`SlaEngine::replay`] (from the whole log: backfill, what-if under other
/// definitions) or keep it up to date with [`SlaEngine::apply`] as events are produced.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct IncidentClocks {
    incident: Option<IncidentId>,
    facts: Option<Facts>,
    /// The last event's instant, floored to its second.
    last_event_at: DateTime<Utc>,
    clocks: ClockList,
    /// Why each clock's definition matched; recorded only for explanations.
    pub(crate) reasons: Option<Vec<String>>,
}

impl IncidentClocks {
    /// No clocks yet: apply the incident's `Opened` event first.
    pub fn new() -> Self {
        IncidentClocks::default()
    }

    /// The incident the clocks belong to, once its `Opened` event was applied.
    pub fn incident(&self) -> Option<IncidentId> {
        self.incident
    }

    /// The clocks, oldest first (restarts and OLAs of earlier workgroups stay as history).
    pub fn clocks(&self) -> &[SlaClock] {
        &self.clocks
    }

    /// The incident's state after the last applied event.
    pub fn state(&self) -> Option<State> {
        self.facts.as_ref().map(|f| f.state)
    }
}

impl SlaEngine {
    /// Validate a configuration and compile its calendars (once per zone in use).
    ///
    /// # Errors
    /// As [`SlaConfig::validate`].
    pub fn new(config: SlaConfig) -> Result<Self> {
        config.validate()?;

        let mut calendars: Vec<Calendar> = config.calendars.values().cloned().collect();
        let mut calendar_names: Vec<String> = config.calendars.keys().cloned().collect();
        let index_of = |name: &str| calendar_names.iter().position(|n| n == name);
        let definition_calendar: Vec<usize> = config
            .definitions
            .iter()
            .map(|d| index_of(&d.calendar).ok_or_else(|| Error::not_found("calendar", &d.calendar)))
            .collect::<Result<_>>()?;

        // A variant of each calendar for each zone a definition may follow.
        let mut variants = HashMap::new();
        for (d, &base) in config.definitions.iter().zip(&definition_calendar) {
            let zones: Vec<&String> = match d.time_zone {
                TimeZoneSource::Calendar => continue,
                TimeZoneSource::Caller => config.caller_time_zones.values().collect(),
                TimeZoneSource::Workgroup => config.workgroup_time_zones.values().collect(),
            };
            for zone in zones {
                if variants.contains_key(&(base, zone.clone())) {
                    continue;
                }
                let mut spec: CalendarSpec = calendars[base].spec().clone();
                spec.time_zone.clone_from(zone);
                calendars.push(Calendar::new(spec)?);
                calendar_names.push(format!("{} ({zone})", calendar_names[base]));
                variants.insert((base, zone.clone()), calendars.len() - 1);
            }
        }
        let mut sla_candidates: [Vec<usize>; 2] = Default::default();
        let mut ola_candidates: HashMap<WorkgroupId, [Vec<usize>; 2]> = HashMap::new();
        for (i, d) in config.definitions.iter().enumerate() {
            let slot = d.kind as usize;
            match &d.scope {
                ClockScope::Sla => sla_candidates[slot].push(i),
                ClockScope::Ola { workgroup } => {
                    ola_candidates.entry(workgroup.clone()).or_default()[slot].push(i);
                }
            }
        }
        let needs_caller = config
            .definitions
            .iter()
            .any(|d| d.time_zone == TimeZoneSource::Caller);
        let needs_workgroup = !ola_candidates.is_empty()
            || config
                .definitions
                .iter()
                .any(|d| d.time_zone == TimeZoneSource::Workgroup);
        let rules: Vec<Rule> = config
            .definitions
            .iter()
            .zip(&definition_calendar)
            .map(|(d, &calendar)| Rule::new(d, calendar))
            .collect();
        let sla_candidates = sla_candidates.map(|of_kind| {
            (0..=u8::MAX)
                .map(|p| {
                    let accepting = of_kind.iter().filter(|&&i| rules[i].accepts_priority(p));
                    accepting.map(|&i| i as u32).collect()
                })
                .collect()
        });
        Ok(SlaEngine {
            config,
            calendars,
            calendar_names,
            definition_calendar,
            variants,
            sla_candidates,
            ola_candidates,
            needs_caller,
            needs_workgroup,
            rules,
        })
    }

    /// The configuration the engine was built from.
    pub fn config(&self) -> &SlaConfig {
        &self.config
    }

    pub(crate) fn definition(&self, clock: &SlaClock) -> &SlaDefinition {
        &self.config.definitions[clock.definition as usize]
    }

    pub(crate) fn calendar(&self, index: u32) -> &Calendar {
        &self.calendars[index as usize]
    }

    /// Compute an incident's clocks from its whole event log.
    ///
    /// # Errors
    /// As [`SlaEngine::apply`].
    pub fn replay(&self, events: &[Event]) -> Result<IncidentClocks> {
        let mut clocks = IncidentClocks::new();
        for event in events {
            self.apply(&mut clocks, event)?;
        }
        Ok(clocks)
    }

    /// Replay recording why each definition matched, for explanations.
    pub(crate) fn replay_explained(&self, events: &[Event]) -> Result<IncidentClocks> {
        let mut clocks = IncidentClocks {
            reasons: Some(Vec::new()),
            ..Default::default()
        };
        for event in events {
            self.apply(&mut clocks, event)?;
        }
        Ok(clocks)
    }

    /// Bring an incident's clocks up to date with one more event.
    ///
    /// # Errors
    /// [`Error::Validation`] when the first event is not `Opened`, when events of another
    /// incident are mixed in, when an event is older than the previous one, or when an
    /// instant is outside the calendars' range. After an error the clocks may be partly
    /// updated: discard them and [`SlaEngine::replay`] the log instead.
    pub fn apply(&self, clocks: &mut IncidentClocks, event: &Event) -> Result<()> {
        if clocks.incident.is_some_and(|id| id != event.incident_id) {
            return Err(event_error("the event belongs to another incident"));
        }
        // Date-times floored to the second order like Unix seconds; the conversion to
        // seconds waits until an event can move a clock (most cannot).
        let at = whole_second(event.at);
        if at < clocks.last_event_at && clocks.facts.is_some() {
            return Err(event_error("events must be applied in time order"));
        }
        clocks.last_event_at = at;
        let now = || (at.timestamp(), at);

        // The common changes are handled here, the rare ones out of line, and changes that
        // cannot move a clock (an assignment without OLAs, a comment by a caller, a
        // resolution code) end at once.
        match &event.change {
            Change::Opened { incident } => self.open(clocks, incident, now()),
            _ if clocks.facts.is_none() => {
                Err(event_error("the first event must open the incident"))
            }
            Change::StateChanged { to, .. } => {
                if let Some(facts) = clocks.facts.as_mut() {
                    facts.state = *to;
                }
                self.on_state(clocks, *to, now())
            }
            Change::Assigned { .. } if !self.needs_workgroup => Ok(()),
            Change::Commented { .. }
                if !matches!(event.actor.role, Role::Analyst | Role::Manager) =>
            {
                Ok(())
            }
            Change::Reprioritised { .. }
            | Change::DetailsUpdated { .. }
            | Change::Assigned { .. }
            | Change::Commented { .. }
            | Change::Reopened { .. } => self.on_rare_change(clocks, &event.change, now()),
            _ => Ok(()),
        }
    }

    /// The `Opened` event: the incident's facts, and its SLA (and OLA) clocks started.
    #[inline(never)]
    fn open(&self, clocks: &mut IncidentClocks, incident: &Incident, now: Moment) -> Result<()> {
        let t = now.0;
        clocks.incident = Some(incident.id);
        clocks.facts = Some(Facts {
            state: incident.state,
            priority: incident.priority,
            service: incident.service.clone(),
            category: incident.category.clone(),
            organisation: incident.organisation.clone(),
            caller: self.needs_caller.then(|| incident.caller.clone()),
            workgroup: match self.needs_workgroup {
                true => incident.assignment_group.clone(),
                false => None,
            },
        });
        self.start(clocks, ClockKind::Response, None, t);
        self.start(clocks, ClockKind::Resolution, None, t);
        if let Some(group) = &incident.assignment_group
            && self.needs_workgroup
        {
            self.start_ola(clocks, group, t);
        }
        if incident.state == State::InProgress {
            self.respond(clocks, now)?;
        }
        Ok(())
    }

    /// Priority, details, assignment, comment and reopen changes, which are rarer than
    /// state changes and may move or start clocks.
    #[inline(never)]
    fn on_rare_change(
        &self,
        clocks: &mut IncidentClocks,
        change: &Change,
        now: Moment,
    ) -> Result<()> {
        let Some(facts) = clocks.facts.as_mut() else {
            return Err(event_error("the first event must open the incident"));
        };
        match change {
            Change::Reprioritised { priority, .. } if facts.priority != *priority => {
                facts.priority = *priority;
                self.rematch(clocks, now)?;
            }
            Change::DetailsUpdated { patch } => {
                let mut changed = false;
                if patch.service.is_some() && patch.service != facts.service {
                    facts.service.clone_from(&patch.service);
                    changed = true;
                }
                if patch.category.is_some() && patch.category != facts.category {
                    facts.category.clone_from(&patch.category);
                    changed = true;
                }
                if changed {
                    self.rematch(clocks, now)?;
                }
            }
            Change::Assigned { workgroup, .. }
                if self.needs_workgroup && *workgroup != facts.workgroup =>
            {
                let old = std::mem::replace(&mut facts.workgroup, workgroup.clone());
                if let Some(old) = old {
                    for clock in clocks.clocks.iter_mut().filter(|c| c.current) {
                        if clock.end.is_none() && clock.workgroup.as_ref() == Some(&old) {
                            clock.stop(self, now, ClockEnd::Completed)?;
                            clock.current = false;
                        }
                    }
                }
                if let Some(group) = workgroup {
                    self.start_ola(clocks, group, now.0);
                }
            }
            Change::Commented { .. } => self.respond(clocks, now)?,
            Change::Reopened { .. } => self.reopen(clocks, now.0)?,
            _ => {}
        }
        Ok(())
    }

    /// The first enabled definition of a kind and scope matching the incident at `t`.
    #[inline]
    fn select(
        &self,
        kind: ClockKind,
        workgroup: Option<&WorkgroupId>,
        facts: &Facts,
        t: i64,
    ) -> Option<usize> {
        match workgroup {
            None => self.sla_candidates[kind as usize]
                .get(usize::from(facts.priority))?
                .iter()
                .map(|&i| i as usize)
                .find(|&i| self.applies(i, facts, t)),
            Some(_) if self.ola_candidates.is_empty() => None,
            Some(group) => self.select_ola(kind, group, facts, t),
        }
    }

    /// [`SlaEngine::select`] for the OLA of a workgroup.
    #[inline(never)]
    fn select_ola(
        &self,
        kind: ClockKind,
        group: &WorkgroupId,
        facts: &Facts,
        t: i64,
    ) -> Option<usize> {
        self.ola_candidates.get(group)?[kind as usize]
            .iter()
            .copied()
            .find(|&i| self.rules[i].accepts_priority(facts.priority) && self.applies(i, facts, t))
    }

    /// Whether definition `i`, known to accept the incident's priority, applies at `t`.
    #[inline]
    fn applies(&self, i: usize, facts: &Facts, t: i64) -> bool {
        let rule = &self.rules[i];
        rule.enabled_at(t) && (!rule.other_conditions || self.matches_conditions(i, facts))
    }

    /// The service, category and organisation conditions of definition `i`.
    #[inline(never)]
    fn matches_conditions(&self, i: usize, facts: &Facts) -> bool {
        self.config.definitions[i]
            .applies_to
            .matches(&facts.input())
    }

    /// The calendar (zone variant) a definition uses for this incident.
    fn calendar_for(&self, definition: usize, facts: &Facts, ola: Option<&WorkgroupId>) -> u32 {
        if let Some(calendar) = self.rules[definition].fixed_calendar {
            return calendar;
        }
        let base = self.definition_calendar[definition];
        let zone = match self.config.definitions[definition].time_zone {
            TimeZoneSource::Calendar => None,
            TimeZoneSource::Caller => facts
                .caller
                .as_ref()
                .and_then(|c| self.config.caller_time_zones.get(c)),
            TimeZoneSource::Workgroup => ola
                .or(facts.workgroup.as_ref())
                .and_then(|g| self.config.workgroup_time_zones.get(g)),
        };
        let index = zone
            .and_then(|z| self.variants.get(&(base, z.clone())))
            .copied();
        index.unwrap_or(base) as u32
    }

    fn record_reason(&self, clocks: &mut IncidentClocks, index: usize, definition: usize) {
        let Some(facts) = &clocks.facts else { return };
        if let Some(reasons) = clocks.reasons.as_mut() {
            let d = &self.config.definitions[definition];
            let text = format!("{} matched: {}", d.id, d.applies_to.reason(&facts.input()));
            reasons.resize(index + 1, String::new());
            reasons[index] = text;
        }
    }

    /// Start the clock of a kind and scope, if a definition applies.
    fn start(
        &self,
        clocks: &mut IncidentClocks,
        kind: ClockKind,
        workgroup: Option<&WorkgroupId>,
        t: i64,
    ) {
        let Some(facts) = &clocks.facts else {
            return;
        };
        let Some(definition) = self.select(kind, workgroup, facts, t) else {
            return;
        };
        let calendar = self.calendar_for(definition, facts, workgroup);
        let paused = self.rules[definition].pauses & state_bit(facts.state) != 0;
        clocks.clocks.push(SlaClock {
            definition: definition as u32,
            calendar,
            workgroup: workgroup.cloned(),
            started_at: t,
            segments: Segments::default(),
            closed_seconds: 0,
            running_since: (!paused).then_some(t),
            end: None,
            ended_at: DateTime::UNIX_EPOCH,
            current: true,
        });
        if clocks.reasons.is_some() {
            self.record_reason(clocks, clocks.clocks.len() - 1, definition);
        }
    }

    fn start_ola(&self, clocks: &mut IncidentClocks, group: &WorkgroupId, t: i64) {
        self.start(clocks, ClockKind::Response, Some(group), t);
        self.start(clocks, ClockKind::Resolution, Some(group), t);
    }

    /// Work started (or an analyst answered): response clocks are met.
    fn respond(&self, clocks: &mut IncidentClocks, now: Moment) -> Result<()> {
        for clock in clocks
            .clocks
            .iter_mut()
            .filter(|c| c.current && c.end.is_none())
        {
            if self.rules[clock.definition as usize].kind == ClockKind::Response {
                clock.stop(self, now, ClockEnd::Completed)?;
            }
        }
        Ok(())
    }

    fn on_state(&self, clocks: &mut IncidentClocks, to: State, now: Moment) -> Result<()> {
        let bit = state_bit(to);
        let how = match to {
            State::Canceled => ClockEnd::Cancelled,
            _ => ClockEnd::Completed,
        };
        for clock in clocks
            .clocks
            .iter_mut()
            .filter(|c| c.current && c.end.is_none())
        {
            let rule = &self.rules[clock.definition as usize];
            if rule.stops & bit != 0 {
                clock.stop(self, now, how)?;
            } else if rule.pauses & bit != 0 {
                clock.pause(self, now.0)?;
            } else {
                clock.running_since.get_or_insert(now.0);
            }
        }
        Ok(())
    }

    fn reopen(&self, clocks: &mut IncidentClocks, t: i64) -> Result<()> {
        let Some(state) = clocks.facts.as_ref().map(|f| f.state) else {
            return Ok(());
        };
        let mut restarts = Vec::new();
        for clock in clocks.clocks.iter_mut().filter(|c| c.current) {
            let definition = &self.config.definitions[clock.definition as usize];
            if definition.kind != ClockKind::Resolution
                || !matches!(clock.end, Some((_, ClockEnd::Completed)))
            {
                continue;
            }
            match definition.on_reopen {
                OnReopen::Resume => {
                    clock.end = None;
                    if !definition.pauses_in(state) {
                        clock.running_since = Some(t);
                    }
                }
                OnReopen::Restart => {
                    clock.current = false;
                    restarts.push(clock.workgroup.clone());
                }
                OnReopen::FirstResolveOnly => {}
            }
        }
        for workgroup in restarts {
            self.start(clocks, ClockKind::Resolution, workgroup.as_ref(), t);
        }
        Ok(())
    }

    /// The incident changed in a way that may change which definitions apply.
    fn rematch(&self, clocks: &mut IncidentClocks, now: Moment) -> Result<()> {
        let t = now.0;
        let Some(facts) = clocks.facts.clone() else {
            return Ok(());
        };
        let count = clocks.clocks.len();
        for i in 0..count {
            let clock = &clocks.clocks[i];
            if !clock.current || clock.end.is_some() {
                continue;
            }
            let kind = self.definition(clock).kind;
            let workgroup = clock.workgroup.clone();
            let now_matching = self.select(kind, workgroup.as_ref(), &facts, t);
            if now_matching == Some(clock.definition as usize) {
                continue;
            }
            let Some(definition) = now_matching else {
                clocks.clocks[i].stop(self, now, ClockEnd::Cancelled)?;
                continue;
            };

            let calendar = self.calendar_for(definition, &facts, workgroup.as_ref());
            let clock = &mut clocks.clocks[i];
            match self.config.definitions[definition].on_priority_change {
                OnPriorityChange::CarryElapsed => {
                    let running = clock.running_since.is_some();
                    clock.pause(self, t)?;
                    clock.definition = definition as u32;
                    clock.calendar = calendar;
                    if running {
                        clock.running_since = Some(t);
                    }
                }
                OnPriorityChange::Restart => {
                    clock.stop(self, now, ClockEnd::Superseded)?;
                    clock.current = false;
                    self.start(clocks, kind, workgroup.as_ref(), t);
                    continue;
                }
                OnPriorityChange::Retroactive => {
                    clock.definition = definition as u32;
                    clock.calendar = calendar;
                    let cal = &self.calendars[calendar as usize];
                    clock.closed_seconds = 0;
                    for segment in clock.segments.iter_mut() {
                        segment.seconds = cal.business_seconds(segment.from, segment.to)?;
                        segment.calendar = calendar;
                        clock.closed_seconds += segment.seconds;
                    }
                }
            }
            self.record_reason(clocks, i, definition);
        }
        Ok(())
    }

    /// Business seconds the clock had counted at instant `at`.
    pub(crate) fn elapsed_until(&self, clock: &SlaClock, at: i64) -> Result<i64> {
        let mut total = 0;
        for s in clock.segments.iter() {
            if s.to <= at {
                total += s.seconds;
            } else if s.from < at {
                total += self.calendar(s.calendar).business_seconds(s.from, at)?;
            }
        }
        if let Some(from) = clock.running_since.filter(|&f| f < at) {
            total += self.calendar(clock.calendar).business_seconds(from, at)?;
        }
        Ok(total)
    }

    /// The earliest instant at which the clock had (or, running, will have) counted
    /// `elapsed` business seconds; `None` when a paused or stopped clock never gets there.
    pub(crate) fn instant_at(&self, clock: &SlaClock, elapsed: i64) -> Result<Option<i64>> {
        if elapsed <= 0 {
            return Ok(Some(clock.started_at));
        }
        let mut counted = 0;
        for s in clock.segments.iter() {
            if elapsed <= counted + s.seconds {
                return self
                    .calendar(s.calendar)
                    .add_business_seconds(s.from, elapsed - counted)
                    .map(Some);
            }
            counted += s.seconds;
        }
        match clock.running_since {
            Some(from) => self
                .calendar(clock.calendar)
                .add_business_seconds(from, elapsed - counted)
                .map(Some),
            None => Ok(None),
        }
    }

    /// Stage, elapsed and target of a clock at `now`, without allocating: the fast query.
    ///
    /// # Errors
    /// [`Error::Validation`] when `now` is outside the calendars' range.
    pub fn outcome(&self, clock: &SlaClock, now: DateTime<Utc>) -> Result<ClockOutcome> {
        let definition = self.definition(clock);
        let rule = &self.rules[clock.definition as usize];
        let target = definition.target_seconds;

        // A disabled definition cancels the clock from then on, if it was still open.
        let disabled = rule
            .disabled_from
            .filter(|&d| clock.end.is_none_or(|(at, _)| at > d) && d <= now.timestamp());
        let (elapsed, stopped_at, cancelled) = match (disabled, clock.end) {
            (Some(d), _) => (
                self.elapsed_until(clock, d)?,
                Some(crate::calendar::to_datetime(d)),
                true,
            ),
            (None, Some((_, how))) => (
                clock.closed_seconds,
                Some(clock.ended_at),
                how != ClockEnd::Completed,
            ),
            (None, None) => (self.elapsed_until(clock, now.timestamp())?, None, false),
        };
        let stage = if cancelled {
            ClockStage::Cancelled
        } else if elapsed > target {
            ClockStage::Breached
        } else if stopped_at.is_some() {
            ClockStage::Met
        } else if clock.running_since.is_some() {
            ClockStage::Running
        } else {
            ClockStage::Paused
        };
        Ok(ClockOutcome {
            kind: definition.kind,
            stage,
            elapsed_seconds: elapsed,
            target_seconds: target,
            stopped_at,
        })
    }
}
