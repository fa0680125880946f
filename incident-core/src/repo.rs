//! The storage contract, and the in-memory repository that ships with the core.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::event::Event;
use crate::model::{Incident, IncidentId, IncidentNumber, State, UserId, WorkgroupId};
use crate::{Error, Result};

/// One accepted command, to be stored atomically: the new snapshot, its events and the
/// idempotency key, or nothing at all.
#[derive(Debug, Clone, Copy)]
pub struct Commit<'a> {
    /// The incident after the command.
    pub incident: &'a Incident,
    /// The version the command was decided against (0 for a new incident). The store
    /// refuses the commit with [`Error::Conflict`] when its version differs.
    pub expected_version: u64,
    /// The command's events, in order.
    pub events: &'a [Event],
    /// The command's idempotency key, recorded with the commit.
    pub idempotency: Option<&'a IdempotencyRecord>,
}

impl<'a> Commit<'a> {
    /// The first commit of an incident decided in bulk (an import, a batch, a script): its
    /// snapshot with every event since opening, from version 0 and without a key. Stores
    /// keep the same as for the chain of per-command commits a `Desk` would have saved.
    pub fn new_incident(incident: &'a Incident, events: &'a [Event]) -> Self {
        Commit {
            incident,
            expected_version: 0,
            events,
            idempotency: None,
        }
    }
}

/// What a store remembers of an idempotency key: where it was used and for which command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdempotencyRecord {
    /// The key as the host gave it.
    pub key: String,
    /// The incident the command applied to (or created).
    pub incident: IncidentId,
    /// The version the command produced.
    pub version: u64,
    /// A digest of the command, to tell a retry from a reused key.
    pub digest: String,
}

/// Which incidents a query returns. Empty or `None` criteria match everything; results are
/// ordered by incident number.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct IncidentQuery {
    /// Any of these states.
    pub states: Vec<State>,
    /// Assigned to this workgroup.
    pub workgroup: Option<WorkgroupId>,
    /// Assigned to this analyst.
    pub assignee: Option<UserId>,
    /// Reported by (or for) this caller.
    pub caller: Option<UserId>,
    /// With this major-incident flag.
    pub major: Option<bool>,
    /// Resolved, and due to auto-close at or before this instant.
    pub auto_close_due_by: Option<DateTime<Utc>>,
    /// At most this many.
    pub limit: Option<usize>,
}

impl IncidentQuery {
    /// Whether an incident matches; stores that cannot express a criterion natively may
    /// filter with this, and the contract tests compare every store against it.
    pub fn matches(&self, incident: &Incident) -> bool {
        (self.states.is_empty() || self.states.contains(&incident.state))
            && self
                .workgroup
                .as_ref()
                .is_none_or(|g| incident.assignment_group.as_ref() == Some(g))
            && self
                .assignee
                .as_ref()
                .is_none_or(|a| incident.assignee.as_ref() == Some(a))
            && self.caller.as_ref().is_none_or(|c| incident.caller == *c)
            && self.major.is_none_or(|m| incident.major == m)
            && self.auto_close_due_by.is_none_or(|by| {
                incident.state == State::Resolved && incident.auto_close_at.is_some_and(|t| t <= by)
            })
    }
}

/// Where incidents, their events and idempotency keys are kept.
///
/// Implementations must make [`Repository::save`] atomic and check the expected version
/// inside the same transaction as the write, so that two writers never both succeed from
/// the same version (no lost update). They must be safe to share between threads.
pub trait Repository: Send + Sync {
    /// The incident's current snapshot.
    ///
    /// # Errors
    /// Store failures ([`Error::Storage`], [`Error::Unavailable`], [`Error::Corrupt`]).
    fn load(&self, id: IncidentId) -> Result<Option<Incident>>;

    /// The incident with this human number.
    ///
    /// # Errors
    /// As [`Repository::load`].
    fn load_by_number(&self, number: &str) -> Result<Option<Incident>>;

    /// Stores a commit atomically.
    ///
    /// # Errors
    /// [`Error::Conflict`] when the stored version is not `expected_version` (or a new
    /// incident's id exists), [`Error::RuleViolation`] with
    /// [`crate::error::Rule::IdempotencyKeyReused`] when the key is taken; store failures.
    fn save(&self, commit: Commit<'_>) -> Result<()>;

    /// Stores several commits, all or none; stores override this to use one transaction.
    ///
    /// # Errors
    /// As [`Repository::save`]; after an error nothing of the batch is stored.
    fn save_batch(&self, commits: &[Commit<'_>]) -> Result<()> {
        if commits.len() > 1 {
            return Err(Error::Storage {
                message: "this store cannot save batches".into(),
            });
        }
        commits.iter().try_for_each(|c| self.save(*c))
    }

    /// The incident's events, in order.
    ///
    /// # Errors
    /// As [`Repository::load`].
    fn events(&self, id: IncidentId) -> Result<Vec<Event>>;

    /// Hands out the next incident number; never the same one twice, even across processes,
    /// and always past the numbers of incidents saved with numbers from elsewhere (see
    /// [`crate::decide::parse_incident_number`]).
    ///
    /// # Errors
    /// As [`Repository::load`].
    fn next_number(&self) -> Result<u64>;

    /// What the store remembers of an idempotency key.
    ///
    /// # Errors
    /// As [`Repository::load`].
    fn idempotency(&self, key: &str) -> Result<Option<IdempotencyRecord>>;

    /// The incidents matching a query, by number.
    ///
    /// # Errors
    /// As [`Repository::load`].
    fn query(&self, query: &IncidentQuery) -> Result<Vec<Incident>>;
}

/// The commits of a batch that touch one incident, merged into one write: what a store
/// writes per incident in [`Repository::save_batch`].
#[derive(Debug)]
pub struct BatchWrite<'a> {
    /// The incident after the last of its commits.
    pub incident: &'a Incident,
    /// The version the first of its commits expects in the store.
    pub expected_version: u64,
    /// Every event of its commits, in order.
    pub events: Vec<&'a Event>,
    /// The idempotency keys of its commits.
    pub keys: Vec<&'a IdempotencyRecord>,
}

/// Groups a batch per incident, in order of first appearance, for stores implementing
/// [`Repository::save_batch`]. Commits of one incident must
/// chain (each expects the version the previous one produced), which is checked here; the
/// first expected version of each incident is checked against the store by the caller.
///
/// # Errors
/// [`Error::Conflict`] when commits of one incident do not chain.
pub fn plan_batch<'a>(commits: &[Commit<'a>]) -> Result<Vec<BatchWrite<'a>>> {
    let mut writes: Vec<BatchWrite<'a>> = Vec::with_capacity(commits.len());
    let mut slots: std::collections::HashMap<IncidentId, usize> =
        std::collections::HashMap::with_capacity(commits.len());
    for commit in commits {
        let id = commit.incident.id;
        match slots.get(&id) {
            Some(&slot) => {
                let write = &mut writes[slot];
                if commit.expected_version != write.incident.version {
                    return Err(Error::Conflict {
                        incident: id,
                        expected: commit.expected_version,
                        actual: write.incident.version,
                    });
                }
                write.incident = commit.incident;
                write.events.extend(commit.events);
                write.keys.extend(commit.idempotency);
            }
            None => {
                slots.insert(id, writes.len());
                writes.push(BatchWrite {
                    incident: commit.incident,
                    expected_version: commit.expected_version,
                    events: commit.events.iter().collect(),
                    keys: commit.idempotency.into_iter().collect(),
                });
            }
        }
    }
    Ok(writes)
}

/// Forwards every method to the repository behind a smart pointer, so that a desk can own
/// an `Arc<R>` shared with other services, or a `Box<dyn Repository>` chosen at run time.
macro_rules! forward_repository {
    ($($pointer:ident),*) => {$(
        impl<R: Repository + ?Sized> Repository for $pointer<R> {
            fn load(&self, id: IncidentId) -> Result<Option<Incident>> {
                (**self).load(id)
            }
            fn load_by_number(&self, number: &str) -> Result<Option<Incident>> {
                (**self).load_by_number(number)
            }
            fn save(&self, commit: Commit<'_>) -> Result<()> {
                (**self).save(commit)
            }
            fn save_batch(&self, commits: &[Commit<'_>]) -> Result<()> {
                (**self).save_batch(commits)
            }
            fn events(&self, id: IncidentId) -> Result<Vec<Event>> {
                (**self).events(id)
            }
            fn next_number(&self) -> Result<u64> {
                (**self).next_number()
            }
            fn idempotency(&self, key: &str) -> Result<Option<IdempotencyRecord>> {
                (**self).idempotency(key)
            }
            fn query(&self, query: &IncidentQuery) -> Result<Vec<Incident>> {
                (**self).query(query)
            }
        }
    )*};
}

forward_repository!(Arc, Box);

/// A repository in memory, for tests, tools and hosts that keep state elsewhere.
/// Safe to share between threads: one lock guards every write, so saves are atomic.
#[derive(Debug, Default)]
pub struct InMemoryRepository {
    inner: RwLock<Memory>,
}

#[derive(Debug, Default)]
struct Memory {
    incidents: HashMap<IncidentId, (Incident, Vec<Event>)>,
    numbers: HashMap<IncidentNumber, IncidentId>,
    keys: HashMap<String, IdempotencyRecord>,
    last_number: u64,
}

impl InMemoryRepository {
    /// An empty repository.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many incidents it holds.
    pub fn len(&self) -> usize {
        self.read().incidents.len()
    }

    /// Whether it holds no incident.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Memory> {
        self.inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Memory> {
        self.inner
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Memory {
    fn stored_version(&self, id: IncidentId) -> u64 {
        self.incidents.get(&id).map_or(0, |(i, _)| i.version)
    }

    /// Checks a commit against the version it should find (`actual`) and the keys taken.
    fn check(&self, commit: &Commit<'_>, actual: u64) -> Result<()> {
        let id = commit.incident.id;
        if actual != commit.expected_version {
            return Err(Error::Conflict {
                incident: id,
                expected: commit.expected_version,
                actual,
            });
        }
        let number = &commit.incident.number;
        if commit.expected_version == 0
            && self.numbers.get(number).is_some_and(|owner| *owner != id)
        {
            let reason = format!("{number} belongs to another incident");
            return Err(Error::validation("number", reason));
        }
        if let Some(record) = commit.idempotency
            && self.keys.contains_key(&record.key)
        {
            return Err(stored::key_reused(&record.key));
        }
        Ok(())
    }

    fn apply(&mut self, commit: &Commit<'_>) {
        let incident = commit.incident;
        if let Some(record) = commit.idempotency {
            self.keys.insert(record.key.clone(), record.clone());
        }
        match self.incidents.entry(incident.id) {
            std::collections::hash_map::Entry::Occupied(mut stored) => {
                let (snapshot, events) = stored.get_mut();
                snapshot.clone_from(incident);
                events.extend_from_slice(commit.events);
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                self.numbers.insert(incident.number.clone(), incident.id);
                let imported = crate::decide::parse_incident_number(&incident.number);
                self.last_number = self.last_number.max(imported.unwrap_or(0));
                slot.insert((incident.clone(), commit.events.to_vec()));
            }
        }
    }
}

impl Repository for InMemoryRepository {
    fn load(&self, id: IncidentId) -> Result<Option<Incident>> {
        Ok(self.read().incidents.get(&id).map(|(i, _)| i.clone()))
    }

    fn load_by_number(&self, number: &str) -> Result<Option<Incident>> {
        let memory = self.read();
        let id = memory.numbers.get(number);
        Ok(id
            .and_then(|id| memory.incidents.get(id))
            .map(|(i, _)| i.clone()))
    }

    fn save(&self, commit: Commit<'_>) -> Result<()> {
        let mut memory = self.write();
        memory.check(&commit, memory.stored_version(commit.incident.id))?;
        memory.apply(&commit);
        Ok(())
    }

    fn save_batch(&self, commits: &[Commit<'_>]) -> Result<()> {
        let mut memory = self.write();
        // Versions inside one batch chain on each other, so check against a scratch view.
        let mut versions: HashMap<IncidentId, u64> = HashMap::new();
        for commit in commits {
            let id = commit.incident.id;
            let actual = versions
                .get(&id)
                .copied()
                .unwrap_or_else(|| memory.stored_version(id));
            memory.check(commit, actual)?;
            versions.insert(id, commit.incident.version);
        }
        for commit in commits {
            memory.apply(commit);
        }
        Ok(())
    }

    fn events(&self, id: IncidentId) -> Result<Vec<Event>> {
        Ok(self
            .read()
            .incidents
            .get(&id)
            .map(|(_, e)| e.clone())
            .unwrap_or_default())
    }

    fn next_number(&self) -> Result<u64> {
        let mut memory = self.write();
        memory.last_number += 1;
        Ok(memory.last_number)
    }

    fn idempotency(&self, key: &str) -> Result<Option<IdempotencyRecord>> {
        Ok(self.read().keys.get(key).cloned())
    }

    fn query(&self, query: &IncidentQuery) -> Result<Vec<Incident>> {
        let memory = self.read();
        let mut found: Vec<&Incident> = memory
            .incidents
            .values()
            .map(|(i, _)| i)
            .filter(|i| query.matches(i))
            .collect();
        found.sort_by(|a, b| a.number.cmp(&b.number));
        let limit = query.limit.unwrap_or(usize::MAX);
        Ok(found.into_iter().take(limit).cloned().collect())
    }
}

/// What every store shares: the stored form of snapshots and events and the encodings of
/// the columns queries filter on, so that all stores write the same data the same way and
/// refuse it with the same errors.
pub mod stored {
    use chrono::{DateTime, Utc};
    use serde::Serialize;
    use serde::de::DeserializeOwned;

    use crate::{Error, Result};

    /// Encodes a snapshot or an event as JSON.
    ///
    /// # Errors
    /// [`Error::Storage`] when the value cannot be encoded.
    pub fn to_json<T: Serialize>(value: &T) -> Result<String> {
        serde_json::to_string(value).map_err(|e| Error::Storage {
            message: format!("cannot encode as JSON: {e}"),
        })
    }

    /// Decodes a stored snapshot or event (`what` names it in the error).
    ///
    /// # Errors
    /// [`Error::Corrupt`] when the text is not a valid value: stored data that does not
    /// decode was damaged or written by something else, never by a store of this library.
    pub fn from_json<T: DeserializeOwned>(what: &str, text: &str) -> Result<T> {
        serde_json::from_str(text).map_err(|e| Error::Corrupt {
            detail: format!("{what} is not valid: {e}"),
        })
    }

    /// An instant as nanoseconds since the epoch, for indexed comparisons; instants outside
    /// 1677..2262 are clamped (their order is kept, and queries re-check in Rust).
    pub fn nanos(at: DateTime<Utc>) -> i64 {
        at.timestamp_nanos_opt().unwrap_or(if at.timestamp() < 0 {
            i64::MIN
        } else {
            i64::MAX
        })
    }

    /// A version as a signed 64-bit column value.
    ///
    /// # Errors
    /// [`Error::Storage`] for versions beyond `i64::MAX`, which cannot be stored.
    pub fn version(value: u64) -> Result<i64> {
        i64::try_from(value).map_err(|_| Error::Storage {
            message: format!("version {value} is too large to store"),
        })
    }

    /// The refusal of an idempotency key that is already recorded.
    pub fn key_reused(key: &str) -> Error {
        Error::RuleViolation {
            rule: crate::error::Rule::IdempotencyKeyReused,
            detail: format!("key {key:?} was used before"),
        }
    }
}
