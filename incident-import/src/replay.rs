//! Replaying an export through the core: each row becomes the commands that take the core's
//! incident from its previous state to the state the row records.
//!
//! The replay decides with [`incident_core::execute_in_place`] on a working copy of each
//! incident and writes the incident with its whole audit trail to the [`Repository`] in one
//! commit when its rows are done, rather than going through a `Desk` command by command: a
//! migration wants one write per incident (one transaction in SQL stores), and the rules
//! applied are the same ones a `Desk` applies.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use incident_core::{
    Actor, Channel, Command, Commit, DeskConfig, Event, HoldReason, Incident, IncidentId,
    NewIncident, Policy, PriorityMatrix, Repository, Role, State, UserId, WorkgroupId, decide,
    execute_into,
};
use serde::{Deserialize, Serialize};

use crate::instance::{UNROUTED_WORKGROUP, learn_directory, learn_priority_matrix};
use crate::report::{
    Anomaly, GroupReport, PriorityMismatch, ReopenMismatch, ReplayReport, nearest_rank,
};
use crate::row::{ImportRow, Unreadable};
use crate::value::{ExportHoldReason, ExportState};
use crate::{Error, ExportReader, Mode};

/// The account that performs a row's commands when the export does not say who updated it.
pub const IMPORT_ACCOUNT: &str = "servicenow-import";

/// The resolution code used (in lenient mode) when the export records none.
pub const MISSING_CODE: &str = "not recorded in the export";

const RESOLUTION_NOTES: &str = "Resolved in the source ServiceNow instance (imported).";
const REOPEN_REASON: &str = "Reopened in the source ServiceNow instance (imported).";
const CANCEL_REASON: &str = "Canceled in the source ServiceNow instance (imported).";

/// How to replay an export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReplayOptions {
    /// Lenient (count refusals and carry on) or strict (stop at the first).
    pub mode: Mode,
    /// The source instance's impact x urgency matrix; `None` derives it from the export (see
    /// [`crate::instance::learn_priority_matrix`]).
    pub priority_matrix: Option<PriorityMatrix>,
    /// Days after which the source instance closes a resolved incident by itself: a close at
    /// or after that time replays as an auto-close, an earlier one as the caller's
    /// confirmation. Default 5, as the published log shows.
    pub auto_close_after_days: Option<u32>,
}

impl Default for ReplayOptions {
    fn default() -> Self {
        ReplayOptions {
            mode: Mode::Lenient,
            priority_matrix: None,
            auto_close_after_days: Some(5),
        }
    }
}

/// An export read into memory: the replay needs two passes (the directory of workgroups and
/// analysts must be known before the first assignment is decided).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Export {
    /// The readable rows, in file order.
    pub rows: Vec<ImportRow>,
    /// The rows that could not be read.
    pub unreadable: Vec<Unreadable>,
}

impl Export {
    /// Reads every row of an export.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the source fails; in strict mode, [`Error::Unreadable`] at the first
    /// row that cannot be read.
    pub fn read(reader: ExportReader<'_>, mode: Mode) -> Result<Self, Error> {
        let mut export = Export::default();
        for item in reader {
            match item {
                Ok(row) => export.rows.push(row),
                Err(Error::Unreadable(unreadable)) if mode == Mode::Lenient => {
                    export.unreadable.push(unreadable);
                }
                Err(error) => return Err(error),
            }
        }
        Ok(export)
    }

    /// Opens and reads an export file (gzip or plain CSV).
    ///
    /// # Errors
    ///
    /// As [`ExportReader::open`] and [`Export::read`].
    pub fn open(path: impl AsRef<Path>, mode: Mode) -> Result<Self, Error> {
        Export::read(ExportReader::open(path)?, mode)
    }
}

/// Replays an export into a repository and reports what it found.
///
/// Incidents whose number the repository already holds are left alone (and counted), so a
/// replay into a store can be repeated. The repository is any [`Repository`]: the in-memory
/// one, or a SQL store.
///
/// # Errors
///
/// [`Error::Store`] when the repository fails; in strict mode, [`Error::Unreadable`] for the
/// first unreadable row and [`Error::Refused`] for the first transition the lifecycle refuses
/// (incidents replayed before that one may already be saved: they are written in batches).
pub fn replay<R: Repository + ?Sized>(
    export: &Export,
    repository: &R,
    options: &ReplayOptions,
) -> Result<ReplayReport, Error> {
    let mut report = ReplayReport {
        mode: options.mode,
        ..ReplayReport::default()
    };
    if let Some(first) = export
        .unreadable
        .first()
        .filter(|_| options.mode == Mode::Strict)
    {
        return Err(Error::Unreadable(first.clone()));
    }
    for unreadable in &export.unreadable {
        report.record_unreadable(unreadable.clone());
    }

    let config = instance_config(export, options);
    report.priority_matrix = config.priority_matrix.rows();
    let mut migration = config.clone();
    migration.policy.reopen_closed_within_days = Some(36_500);
    let mut replayer = Replayer {
        config: &config,
        migration: &migration,
        report,
    };

    let mut groups = GroupFigures::default();
    let mut pending: Vec<Track> = Vec::with_capacity(SAVE_BATCH);
    let mut batches = true;
    for rows in rows_by_incident(&export.rows) {
        if repository
            .load_by_number(&rows[0].number)
            .map_err(Error::Store)?
            .is_some()
        {
            replayer.report.incidents_already_present += 1;
            replayer.report.rows += rows.len() as u64;
            replayer.report.rows_skipped += rows.len() as u64;
            continue;
        }
        let Some(track) = replayer.incident(&rows)? else {
            continue;
        };

        groups.add(&track.incident);
        pending.push(track);
        if pending.len() == SAVE_BATCH {
            save_tracks(repository, &mut pending, &mut batches)?;
        }
    }
    save_tracks(repository, &mut pending, &mut batches)?;

    let mut report = replayer.report;
    report.groups = groups.finish();
    Ok(report)
}

/// Reads an export file (gzip or plain CSV) and replays it: [`Export::open`] then [`replay`].
///
/// # Errors
///
/// As [`Export::open`] and [`replay`].
pub fn replay_file<R: Repository + ?Sized>(
    path: impl AsRef<Path>,
    repository: &R,
    options: &ReplayOptions,
) -> Result<ReplayReport, Error> {
    let export = Export::open(path, options.mode)?;
    replay(&export, repository, options)
}

/// Incidents written per [`Repository::save_batch`]: a SQL store then commits (and syncs to
/// disk) once per chunk rather than once per incident.
const SAVE_BATCH: usize = 512;

/// Writes the finished incidents, in one batch while the store takes batches, and empties
/// the list.
///
/// A store that cannot save batches (the trait's default refuses more than one commit) fails
/// the batch as a whole; the incidents are then saved one by one, now and from then on, which
/// also pins any other failure on the incident that causes it.
fn save_tracks<R: Repository + ?Sized>(
    repository: &R,
    pending: &mut Vec<Track>,
    batches: &mut bool,
) -> Result<(), Error> {
    let commits: Vec<Commit<'_>> = pending
        .iter()
        .map(|track| Commit::new_incident(&track.incident, &track.events))
        .collect();
    if *batches && commits.len() > 1 {
        if repository.save_batch(&commits).is_ok() {
            pending.clear();
            return Ok(());
        }
        *batches = false;
    }

    for commit in commits {
        repository.save(commit).map_err(Error::Store)?;
    }
    pending.clear();
    Ok(())
}

/// The configuration the replay decides against: the core's default lifecycle and
/// permissions, with the instance's directory, priority matrix and auto-close delay.
fn instance_config(export: &Export, options: &ReplayOptions) -> DeskConfig {
    let priority_matrix = options.priority_matrix.clone().unwrap_or_else(|| {
        learn_priority_matrix(&export.rows)
            .map(|learned| learned.matrix)
            .unwrap_or_default()
    });
    let policy = Policy {
        auto_close_after_days: options.auto_close_after_days,
        ..Policy::default()
    };
    DeskConfig {
        policy,
        priority_matrix,
        directory: learn_directory(&export.rows),
        ..DeskConfig::default()
    }
}

/// The rows of each incident, in the order the incidents first appear; within an incident,
/// rows keep file order (the export's order of updates).
fn rows_by_incident(rows: &[ImportRow]) -> Vec<Vec<&ImportRow>> {
    let mut slots: HashMap<&str, usize> = HashMap::new();
    let mut incidents: Vec<Vec<&ImportRow>> = Vec::new();
    for row in rows {
        let slot = *slots.entry(&*row.number).or_insert_with(|| {
            incidents.push(Vec::new());
            incidents.len() - 1
        });
        incidents[slot].push(row);
    }
    incidents
}

/// One incident being replayed.
struct Track {
    incident: Incident,
    events: Vec<Event>,
    /// The last command the lifecycle refused, so that rows repeating the same request are not
    /// refused (and counted) again.
    refused: Option<Command>,
    /// The last refusal, to explain a reopen-count mismatch.
    last_anomaly: Option<String>,
    reopen_mismatch_seen: bool,
}

struct Replayer<'c> {
    config: &'c DeskConfig,
    /// The same configuration with reopening closed incidents allowed, for lenient repairs.
    migration: &'c DeskConfig,
    report: ReplayReport,
}

impl Replayer<'_> {
    /// Replays the rows of one incident; `None` if it could not even be opened (lenient).
    fn incident(&mut self, rows: &[&ImportRow]) -> Result<Option<Track>, Error> {
        self.report.rows += rows.len() as u64;
        let Some(mut track) = self.open(rows[0])? else {
            self.report.rows_skipped += rows.len() as u64;
            return Ok(None);
        };
        self.report.incidents += 1;

        let mut actor: Option<Actor> = None;
        for row in rows {
            let now = if row.updated_at < track.incident.updated_at {
                self.report.rows_out_of_order += 1;
                track.incident.updated_at
            } else {
                row.updated_at
            };
            if actor
                .as_ref()
                .is_none_or(|a| Some(a.id.as_str()) != row.updated_by.as_deref())
            {
                actor = Some(row_actor(row));
            }
            let Some(actor) = actor.as_ref() else {
                continue;
            };

            // A reopen comes first: a finished incident takes no field or group changes.
            if !track.incident.state.is_open() && !row.state.is_resolved_or_later() {
                self.state(&mut track, row, actor, now)?;
            }
            self.fields(&mut track, row, actor, now)?;
            self.assignment(&mut track, row, actor, now)?;
            self.state(&mut track, row, actor, now)?;
            self.check(&mut track, row);
        }

        let recorded = rows.iter().rev().find_map(|r| r.reassignment_count);
        if recorded.is_some_and(|n| n != track.incident.reassignment_count) {
            self.report.reassignment_count_mismatches += 1;
        }
        Ok(Some(track))
    }

    fn open(&mut self, row: &ImportRow) -> Result<Option<Track>, Error> {
        let opened_at = row
            .opened_at
            .map_or(row.updated_at, |at| at.min(row.updated_at));
        let actor = Actor::new(
            row.opened_by.as_deref().unwrap_or(IMPORT_ACCOUNT),
            Role::Administrator,
        );
        let mut report = NewIncident::new(
            format!("{} (imported)", row.number),
            channel(row.contact_type.as_deref()),
            row.impact.unwrap_or(2),
            row.urgency.unwrap_or(2),
        );
        report.caller = row.caller.as_deref().map(UserId::from);
        report.category = row.category.as_deref().map(str::to_owned);
        report.subcategory = row.subcategory.as_deref().map(str::to_owned);
        report.configuration_item = row.configuration_item.as_deref().map(str::to_owned);
        report.workgroup = row.assignment_group.as_deref().map(WorkgroupId::from);
        let command = Command::Open(report);

        let id = IncidentId::new(opened_at);
        let number = row.number.to_string();
        let error = match decide::open(
            self.config,
            id,
            number.as_str().into(),
            &actor,
            &command,
            opened_at,
        ) {
            Ok(decision) => return Ok(Some(self.opened(decision))),
            Err(error) => error,
        };

        let anomaly = Anomaly {
            line: row.line,
            number: number.clone(),
            kind: anomaly_kind(&command, &error),
            detail: error.to_string(),
        };
        if self.strict() {
            return Err(Error::Refused(anomaly));
        }
        self.report.record_anomaly(anomaly);

        // Levels outside the instance's matrix: open with the policy's defaults, so that the
        // incident's history is kept (its priority then shows up as mismatching).
        let Command::Open(mut report) = command else {
            return Ok(None);
        };
        report.impact = self.config.policy.default_impact;
        report.urgency = self.config.policy.default_urgency;
        let command = Command::Open(report);
        match decide::open(self.config, id, number.into(), &actor, &command, opened_at) {
            Ok(decision) => {
                self.report.record_repair("open_with_default_levels");
                Ok(Some(self.opened(decision)))
            }
            Err(_) => Ok(None),
        }
    }

    fn opened(&mut self, decision: incident_core::Decision) -> Track {
        self.report.commands += 1;
        self.report.events += decision.events.len() as u64;
        Track {
            incident: decision.incident,
            events: decision.events,
            refused: None,
            last_anomaly: None,
            reopen_mismatch_seen: false,
        }
    }

    fn strict(&self) -> bool {
        self.report.mode == Mode::Strict
    }

    /// Runs one command under the instance configuration; a refusal is an anomaly.
    fn run(
        &mut self,
        track: &mut Track,
        row: &ImportRow,
        actor: &Actor,
        command: Command,
        now: DateTime<Utc>,
    ) -> Result<bool, Error> {
        if track.refused.as_ref() == Some(&command) {
            return Ok(false);
        }
        let first = track.events.len();
        let events = &mut track.events;
        match execute_into(
            self.config,
            &mut track.incident,
            actor,
            &command,
            now,
            events,
        ) {
            Ok(()) => {
                self.accepted(track, first);
                Ok(true)
            }
            Err(error) => {
                let anomaly = Anomaly {
                    line: row.line,
                    number: row.number.to_string(),
                    kind: anomaly_kind(&command, &error),
                    detail: error.to_string(),
                };
                if self.strict() {
                    return Err(Error::Refused(anomaly));
                }
                track.last_anomaly = Some(format!("line {}: {}: {error}", row.line, anomaly.kind));
                track.refused = Some(command);
                self.report.record_anomaly(anomaly);
                Ok(false)
            }
        }
    }

    /// Lenient mode only: after a refusal, takes legal steps (under the migration
    /// configuration) that reach the state the export records. Stops at the first step that
    /// fails, which is then an anomaly of its own.
    fn repair(
        &mut self,
        track: &mut Track,
        row: &ImportRow,
        actor: &Actor,
        kind: &str,
        steps: Vec<Command>,
        now: DateTime<Utc>,
    ) {
        for command in steps {
            let first = track.events.len();
            let events = &mut track.events;
            match execute_into(
                self.migration,
                &mut track.incident,
                actor,
                &command,
                now,
                events,
            ) {
                Ok(()) => self.accepted(track, first),
                Err(error) => {
                    let kind = format!("repair_failed/{}", anomaly_kind(&command, &error));
                    let detail = error.to_string();
                    track.last_anomaly = Some(format!("line {}: {kind}: {detail}", row.line));
                    let number = row.number.to_string();
                    self.report.record_anomaly(Anomaly {
                        line: row.line,
                        number,
                        kind,
                        detail,
                    });
                    return;
                }
            }
        }
        track.refused = None;
        self.report.record_repair(kind);
    }

    /// Counts a command whose events were appended to the track from index `first` on.
    fn accepted(&mut self, track: &mut Track, first: usize) {
        self.report.commands += 1;
        self.report.events += (track.events.len() - first) as u64;
        track.refused = None;
    }

    /// Impact and urgency, which the priority follows.
    fn fields(
        &mut self,
        track: &mut Track,
        row: &ImportRow,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let i = &track.incident;
        let impact = row.impact.filter(|v| *v != i.impact);
        let urgency = row.urgency.filter(|v| *v != i.urgency);
        if impact.is_some() || urgency.is_some() {
            let command = Command::SetImpactUrgency { impact, urgency };
            self.run(track, row, actor, command, now)?;
        }
        Ok(())
    }

    /// The assignment group and analyst. A group the export leaves missing keeps the current
    /// one (the core has no "unassigned" once assigned); an analyst the export shows outside
    /// the group is not assigned.
    fn assignment(
        &mut self,
        track: &mut Track,
        row: &ImportRow,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        // Compare as text first: most rows change neither group nor analyst.
        let i = &track.incident;
        let row_group = row.assignment_group.as_deref();
        let current_group = i.assignment_group.as_ref().map(WorkgroupId::as_str);
        let row_analyst = row.assigned_to.as_deref();
        let moves = row_group.is_some() && row_group != current_group;
        let takes_up = row_group.is_some() && i.state == State::New;
        let new_analyst =
            row_analyst.is_some() && row_analyst != i.assignee.as_ref().map(UserId::as_str);
        if !(moves || takes_up || new_analyst) {
            return Ok(());
        }

        let directory = &self.config.directory;
        let target_group = row_group.or(current_group).map(WorkgroupId::from);
        let assignee = row_analyst.map(UserId::from).filter(|a| {
            target_group
                .as_ref()
                .is_some_and(|g| directory.is_member(g, a))
        });
        let command = if moves || takes_up {
            Command::Assign {
                workgroup: target_group,
                assignee,
            }
        } else if assignee.is_some() && assignee != i.assignee {
            Command::Assign {
                workgroup: None,
                assignee,
            }
        } else {
            return Ok(());
        };
        self.run(track, row, actor, command, now)?;
        Ok(())
    }

    /// The lifecycle state: the commands from the core's state to the row's.
    fn state(
        &mut self,
        track: &mut Track,
        row: &ImportRow,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        use State::*;
        let current = track.incident.state;
        match (&row.state, current) {
            (ExportState::New, New | Assigned) => {}
            (ExportState::InProgress, InProgress) => {}
            (ExportState::InProgress, New | Assigned) => {
                self.run(track, row, actor, Command::StartWork, now)?;
            }
            (ExportState::InProgress, OnHold) => {
                self.run(track, row, actor, Command::Resume, now)?;
            }
            (ExportState::InProgress, Resolved | Closed) => {
                if self.reopen(track, row, actor, now)? {
                    self.run(track, row, actor, Command::StartWork, now)?;
                }
            }
            (ExportState::OnHold(reason), _) => {
                let reason = hold_reason(reason);
                self.hold(track, row, actor, reason, now)?;
            }
            (ExportState::Resolved, New | Assigned | InProgress | OnHold) => {
                let resolve = resolve_command(row, None);
                if !self.run(track, row, actor, resolve, now)? && !self.strict() {
                    let steps = vec![resolve_command(row, Some(MISSING_CODE))];
                    self.repair(track, row, actor, "resolve_without_code", steps, now);
                }
            }
            (ExportState::Resolved, Resolved) | (ExportState::Closed, Closed) => {}
            (ExportState::Closed, Resolved) => {
                let close = close_command(&track.incident, now);
                self.run(track, row, actor, close, now)?;
            }
            (ExportState::Closed, New | Assigned | InProgress | OnHold) => {
                let close = Command::Confirm { feedback: None };
                if !self.run(track, row, actor, close, now)? && !self.strict() {
                    let confirm = Command::Confirm { feedback: None };
                    let steps = vec![resolve_command(row, Some(MISSING_CODE)), confirm];
                    self.repair(track, row, actor, "closed_without_resolution", steps, now);
                }
            }
            (ExportState::Canceled, New | Assigned | InProgress | OnHold) => {
                let cancel = Command::Cancel {
                    reason: CANCEL_REASON.to_owned(),
                };
                self.run(track, row, actor, cancel, now)?;
            }
            (ExportState::Canceled, Canceled) => {}
            (wanted, _) => {
                // No command leads there (e.g. back to New, or out of Canceled).
                let kind = format!("export/{}->{}", current, export_state_name(wanted));
                let anomaly = Anomaly {
                    line: row.line,
                    number: row.number.to_string(),
                    detail: format!("no command takes an incident from {current} to {wanted:?}"),
                    kind,
                };
                if self.strict() {
                    return Err(Error::Refused(anomaly));
                }
                track.last_anomaly = Some(format!("line {}: {}", row.line, anomaly.kind));
                self.report.record_anomaly(anomaly);
            }
        }
        Ok(())
    }

    /// Reopens a resolved or closed incident; a closed one needs a policy window the default
    /// lifecycle does not grant, so lenient mode repairs under the migration configuration.
    fn reopen(
        &mut self,
        track: &mut Track,
        row: &ImportRow,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<bool, Error> {
        let reopen = Command::Reopen {
            reason: REOPEN_REASON.to_owned(),
        };
        if self.run(track, row, actor, reopen.clone(), now)? {
            return Ok(true);
        }
        if self.strict() || !matches!(track.incident.state, State::Closed) {
            return Ok(false);
        }
        self.repair(track, row, actor, "reopen_closed", vec![reopen], now);
        Ok(track.incident.state != State::Closed)
    }

    fn hold(
        &mut self,
        track: &mut Track,
        row: &ImportRow,
        actor: &Actor,
        reason: HoldReason,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let current = track.incident.state;
        if current == State::OnHold && track.incident.hold_reason.as_ref() == Some(&reason) {
            return Ok(());
        }
        if current == State::OnHold && !self.run(track, row, actor, Command::Resume, now)? {
            return Ok(());
        }
        if matches!(current, State::Resolved | State::Closed)
            && !self.reopen(track, row, actor, now)?
        {
            return Ok(());
        }
        if current == State::Canceled {
            let kind = "export/canceled->on_hold".to_owned();
            let detail = "a canceled incident cannot be put on hold".to_owned();
            let anomaly = Anomaly {
                line: row.line,
                number: row.number.to_string(),
                kind,
                detail,
            };
            if self.strict() {
                return Err(Error::Refused(anomaly));
            }
            self.report.record_anomaly(anomaly);
            return Ok(());
        }

        let hold = Command::Hold { reason };
        let refused = !self.run(track, row, actor, hold.clone(), now)?;
        if refused && !self.strict() && track.incident.state == State::New {
            let steps = vec![Command::StartWork, hold];
            self.repair(track, row, actor, "hold_from_new", steps, now);
        }
        Ok(())
    }

    /// Compares the core's priority and reopen count with what the row records.
    fn check(&mut self, track: &mut Track, row: &ImportRow) {
        let i = &track.incident;
        if let Some(recorded) = row.priority.filter(|p| *p != i.priority) {
            self.report.record_priority_mismatch(PriorityMismatch {
                line: row.line,
                number: row.number.to_string(),
                impact: i.impact,
                urgency: i.urgency,
                recorded,
                derived: i.priority,
            });
        }

        let reopened = row.reopen_count.filter(|n| *n != i.reopen_count);
        if let (Some(recorded), false) = (reopened, track.reopen_mismatch_seen) {
            track.reopen_mismatch_seen = true;
            let reason = track.last_anomaly.clone().unwrap_or_else(|| {
                "the export's count changed on a row without a reopen transition".to_owned()
            });
            self.report.record_reopen_mismatch(ReopenMismatch {
                number: row.number.to_string(),
                line: row.line,
                recorded,
                replayed: i.reopen_count,
                reason,
            });
        }
    }
}

const UNROUTED: &str = UNROUTED_WORKGROUP;

/// The actor of a row: the account that made the update. Every update in the export was
/// already authorised by the source instance, so the import acts with the administrator role:
/// the replay checks the lifecycle, not the source instance's permissions.
fn row_actor(row: &ImportRow) -> Actor {
    Actor::new(
        row.updated_by.as_deref().unwrap_or(IMPORT_ACCOUNT),
        Role::Administrator,
    )
}

/// How ServiceNow's `contact_type` maps onto the core's channels.
pub fn channel(contact_type: Option<&str>) -> Channel {
    match contact_type.map(str::to_ascii_lowercase).as_deref() {
        Some("phone" | "ivr") => Channel::Phone,
        Some("email" | "e-mail") => Channel::Email,
        Some("self service" | "self-service" | "portal" | "web") => Channel::Portal,
        Some("chat" | "virtual agent") => Channel::Chat,
        Some("alert" | "monitoring" | "event" | "integration") => Channel::Automation,
        _ => Channel::Analyst,
    }
}

/// The core's hold reason for an export's `Awaiting ...` state.
pub fn hold_reason(reason: &ExportHoldReason) -> HoldReason {
    match reason {
        ExportHoldReason::AwaitingCaller => HoldReason::AwaitingCaller,
        ExportHoldReason::AwaitingChange => HoldReason::AwaitingChange,
        ExportHoldReason::AwaitingProblem => HoldReason::AwaitingProblem,
        ExportHoldReason::AwaitingVendor => HoldReason::AwaitingVendor,
        ExportHoldReason::Other(name) => HoldReason::Custom(name.clone()),
    }
}

/// The resolve command for a row: its recorded code, or `fallback` when it records none (an
/// empty code, which the lifecycle refuses, when there is no fallback).
fn resolve_command(row: &ImportRow, fallback: Option<&str>) -> Command {
    let code = row.closed_code.as_deref().or(fallback).unwrap_or_default();
    Command::Resolve {
        code: code.to_owned(),
        notes: RESOLUTION_NOTES.to_owned(),
    }
}

fn close_command(incident: &Incident, now: DateTime<Utc>) -> Command {
    match incident.auto_close_at {
        Some(due) if due <= now && !incident.major => Command::AutoClose,
        _ => Command::Confirm { feedback: None },
    }
}

fn export_state_name(state: &ExportState) -> &'static str {
    match state {
        ExportState::New => "new",
        ExportState::InProgress => "in_progress",
        ExportState::OnHold(_) => "on_hold",
        ExportState::Resolved => "resolved",
        ExportState::Closed => "closed",
        ExportState::Canceled => "canceled",
    }
}

fn command_name(command: &Command) -> &'static str {
    match command {
        Command::Open(_) | Command::OpenFromTrigger(_) => "open",
        Command::SetImpactUrgency { .. } => "set_impact_urgency",
        Command::Assign { .. } => "assign",
        Command::StartWork => "start_work",
        Command::Hold { .. } => "hold",
        Command::Resume => "resume",
        Command::Resolve { .. } => "resolve",
        Command::Confirm { .. } | Command::AutoClose => "close",
        Command::Reopen { .. } => "reopen",
        Command::Cancel { .. } => "cancel",
        _ => "other",
    }
}

/// A short, low-cardinality name for a refusal: `command/reason`.
fn anomaly_kind(command: &Command, error: &incident_core::Error) -> String {
    let reason = match error {
        incident_core::Error::InvalidTransition { from, to } => format!("{from}->{to}"),
        incident_core::Error::RuleViolation { rule, .. } => rule.to_string().replace(' ', "_"),
        incident_core::Error::Validation { field, .. } => format!("invalid_{field}"),
        other => other.code().trim_start_matches("ERR_").to_ascii_lowercase(),
    };
    format!("{}/{reason}", command_name(command))
}

/// Per-group figures, gathered from each replayed incident's workgroup visits.
#[derive(Default)]
struct GroupFigures {
    groups: HashMap<String, (GroupReport, Vec<f64>)>,
}

impl GroupFigures {
    fn add(&mut self, incident: &Incident) {
        let visits: Vec<&str> = incident
            .visits
            .iter()
            .map(|v| v.workgroup.as_str())
            .filter(|g| *g != UNROUTED)
            .collect();

        for (n, group) in visits.iter().enumerate() {
            let earlier = &visits[..n];
            let entry = &mut self.entry(group).0;
            if !earlier.contains(group) {
                entry.incidents += 1;
            } else {
                entry.ping_pong += 1;
            }
            if n > 0 {
                entry.reassignments_in += 1;
                self.entry(visits[n - 1]).0.reassignments_out += 1;
            }
        }

        let resolved_by = incident
            .resolution
            .as_ref()
            .and_then(|r| r.workgroup.as_ref());
        let resolved_by = resolved_by.filter(|g| g.as_str() != UNROUTED);
        if let (Some(group), Some(at)) = (resolved_by, incident.resolved_at) {
            let hours = (at - incident.opened_at).num_seconds().max(0) as f64 / 3600.0;
            let entry = self.entry(group.as_str());
            entry.0.resolved += 1;
            entry.1.push(hours);
        }
    }

    fn entry(&mut self, group: &str) -> &mut (GroupReport, Vec<f64>) {
        if !self.groups.contains_key(group) {
            self.groups.insert(group.to_owned(), Default::default());
        }
        self.groups.get_mut(group).expect("inserted above")
    }

    fn finish(self) -> std::collections::BTreeMap<String, GroupReport> {
        self.groups
            .into_iter()
            .map(|(name, (mut report, mut hours))| {
                hours.sort_by(f64::total_cmp);
                report.median_hours_to_resolve = nearest_rank(&hours, 0.5);
                report.p90_hours_to_resolve = nearest_rank(&hours, 0.9);
                (name, report)
            })
            .collect()
    }
}
