//! The transition table: which state changes the lifecycle allows.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::model::State;
use crate::{Error, Result};

/// The allowed state changes, as data, so that a host can tighten the lifecycle.
///
/// A table is checked when it is built: every state it mentions must be reachable from
/// [`State::New`], and a terminal state must have no exits. Rules that depend on more than
/// the two states (a reason for On Hold, no open work orders to resolve, the reopen window)
/// are applied on top of the table by [`crate::decide()`].
///
/// # Example
/// ```
/// use incident_core::{State, TransitionTable};
///
/// let table = TransitionTable::default();
/// assert!(table.allows(State::InProgress, State::OnHold));
/// assert!(!table.allows(State::Canceled, State::New));
///
/// // Canceled is terminal: giving it an exit is refused.
/// let bad = TransitionTable::new(
///     [(State::New, State::Canceled), (State::Canceled, State::New)],
///     [State::Canceled],
/// );
/// assert!(bad.is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "TableSpec", into = "TableSpec")]
pub struct TransitionTable {
    allowed: [u8; 7],
    terminal: BTreeSet<State>,
}

/// The serialised form of a [`TransitionTable`].
#[derive(Debug, Clone, Serialize, Deserialize)]
struct TableSpec {
    transitions: Vec<(State, State)>,
    terminal: Vec<State>,
}

fn index(state: State) -> usize {
    State::ALL.iter().position(|s| *s == state).unwrap_or(0)
}

impl TransitionTable {
    /// Builds and checks a table.
    ///
    /// # Errors
    /// [`Error::Configuration`] when a terminal state has an exit, a state mentioned in the
    /// table cannot be reached from New, or a transition goes from a state to itself.
    pub fn new(
        transitions: impl IntoIterator<Item = (State, State)>,
        terminal: impl IntoIterator<Item = State>,
    ) -> Result<Self> {
        let mut table = TransitionTable {
            allowed: [0; 7],
            terminal: terminal.into_iter().collect(),
        };
        let mut mentioned = BTreeSet::from([State::New]);
        for (from, to) in transitions {
            if from == to {
                return Err(Error::config(format!("{from} -> {to} changes nothing")));
            }
            if table.terminal.contains(&from) {
                return Err(Error::config(format!(
                    "terminal state {from} has an exit to {to}"
                )));
            }
            table.allowed[index(from)] |= 1 << index(to);
            mentioned.extend([from, to]);
        }
        mentioned.extend(table.terminal.iter().copied());

        let reachable = table.reachable_from(State::New);
        if let Some(orphan) = mentioned.iter().find(|s| !reachable.contains(s)) {
            return Err(Error::config(format!(
                "{orphan} cannot be reached from new"
            )));
        }
        Ok(table)
    }

    fn reachable_from(&self, start: State) -> BTreeSet<State> {
        let mut seen = BTreeSet::from([start]);
        let mut stack = vec![start];
        while let Some(state) = stack.pop() {
            for next in State::ALL {
                if self.allows(state, next) && seen.insert(next) {
                    stack.push(next);
                }
            }
        }
        seen
    }

    /// Whether the table allows `from -> to`.
    pub fn allows(&self, from: State, to: State) -> bool {
        self.allowed[index(from)] & (1 << index(to)) != 0
    }

    /// Checks `from -> to`.
    ///
    /// # Errors
    /// [`Error::InvalidTransition`] when the table does not allow it.
    pub fn check(&self, from: State, to: State) -> Result<()> {
        if self.allows(from, to) {
            Ok(())
        } else {
            Err(Error::InvalidTransition { from, to })
        }
    }

    /// Whether a state has no exits by construction.
    pub fn is_terminal(&self, state: State) -> bool {
        self.terminal.contains(&state)
    }

    /// Every allowed transition, in state order.
    pub fn transitions(&self) -> Vec<(State, State)> {
        let mut out = Vec::new();
        for from in State::ALL {
            for to in State::ALL {
                if self.allows(from, to) {
                    out.push((from, to));
                }
            }
        }
        out
    }
}

impl Default for TransitionTable {
    /// The standard lifecycle. Resolved reopens to Assigned; Closed reopens to Assigned only
    /// where the policy's reopen window allows it; Canceled is terminal.
    fn default() -> Self {
        use State::*;
        let transitions = [
            (New, Assigned),
            (New, InProgress),
            (New, Resolved),
            (New, Canceled),
            (Assigned, InProgress),
            (Assigned, OnHold),
            (Assigned, Resolved),
            (Assigned, Canceled),
            (InProgress, Assigned),
            (InProgress, OnHold),
            (InProgress, Resolved),
            (InProgress, Canceled),
            (OnHold, InProgress),
            (OnHold, Resolved),
            (OnHold, Canceled),
            (Resolved, Assigned),
            (Resolved, Closed),
            (Closed, Assigned),
        ];
        TransitionTable::new(transitions, [Canceled]).expect("the default table is valid")
    }
}

impl TryFrom<TableSpec> for TransitionTable {
    type Error = Error;

    fn try_from(spec: TableSpec) -> Result<Self> {
        TransitionTable::new(spec.transitions, spec.terminal)
    }
}

impl From<TransitionTable> for TableSpec {
    fn from(table: TransitionTable) -> Self {
        TableSpec {
            transitions: table.transitions(),
            terminal: table.terminal.into_iter().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use State::*;

    #[test]
    fn unreachable_states_are_refused() {
        let err = TransitionTable::new([(New, Assigned), (OnHold, Resolved)], []).unwrap_err();
        assert!(matches!(err, Error::Configuration { .. }));
    }

    #[test]
    fn a_tightened_table_is_accepted() {
        let table = TransitionTable::new(
            [(New, Assigned), (Assigned, Resolved), (Resolved, Closed)],
            [Closed],
        )
        .unwrap();
        assert!(!table.allows(New, Resolved));
        assert!(table.is_terminal(Closed));
    }

    #[test]
    fn serde_round_trip_checks_the_table() {
        let table = TransitionTable::default();
        let json = serde_json::to_string(&table).unwrap();
        assert_eq!(
            serde_json::from_str::<TransitionTable>(&json).unwrap(),
            table
        );
        let bad =
            r#"{"transitions":[["new","canceled"],["canceled","new"]],"terminal":["canceled"]}"#;
        assert!(serde_json::from_str::<TransitionTable>(bad).is_err());
    }
}
