//! What the importer learns about the source instance from the export itself: its workgroups
//! and their analysts (the core refuses assignments to unknown groups and non-members), and its
//! impact x urgency priority matrix.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use incident_core::directory::{Analyst, Directory, Workgroup, WorkgroupKind};
use incident_core::model::{UserId, WorkgroupId};
use incident_core::priority::PriorityMatrix;
use serde::{Deserialize, Serialize};

use crate::row::ImportRow;

/// The workgroup the imported directory routes to by default. The replay never routes (every
/// assignment comes from the export), but the core's directory needs a default.
pub const UNROUTED_WORKGROUP: &str = "import:unrouted";

/// The priority matrix of the instance that published the UCI incident event log, as its
/// rows show it: impact (rows) x urgency (columns), 1 = highest. It differs from the ITIL
/// default in one cell, (3, 3) = 4, because the instance has no priority 5. The cell (1, 3)
/// never occurs in the log; it is taken from the ITIL default.
pub fn uci_instance_matrix() -> PriorityMatrix {
    PriorityMatrix::new(vec![vec![1, 2, 3], vec![2, 3, 4], vec![3, 4, 4]])
        .expect("a 3 x 3 matrix of priorities 1..=4 is valid")
}

/// One (impact, urgency) cell for which the export records more than one priority, so no
/// matrix can reproduce every row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixConflict {
    /// Impact rank.
    pub impact: u8,
    /// Urgency rank.
    pub urgency: u8,
    /// Each recorded priority with the number of rows recording it.
    pub priorities: BTreeMap<u8, u64>,
}

/// The impact x urgency -> priority matrix an export implies, and where it is not a function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LearnedMatrix {
    /// The matrix: each observed cell takes its most frequent priority; unobserved cells take
    /// the ITIL rule `impact + urgency - 1`, capped at the lowest observed priority.
    pub matrix: PriorityMatrix,
    /// Cells whose rows disagree (empty when the recorded priority is a function of impact and
    /// urgency).
    pub conflicts: Vec<MatrixConflict>,
    /// Cells filled by the ITIL rule because no row shows them, as (impact, urgency).
    pub unobserved: Vec<(u8, u8)>,
}

/// Derives the priority matrix from the rows that record impact, urgency and priority.
///
/// Returns `None` when no row records all three.
pub fn learn_priority_matrix<'r>(
    rows: impl IntoIterator<Item = &'r ImportRow>,
) -> Option<LearnedMatrix> {
    let mut seen: BTreeMap<(u8, u8), BTreeMap<u8, u64>> = BTreeMap::new();
    for row in rows {
        if let (Some(i), Some(u), Some(p)) = (row.impact, row.urgency, row.priority) {
            *seen.entry((i, u)).or_default().entry(p).or_default() += 1;
        }
    }
    let impacts = seen.keys().map(|(i, _)| *i).max()?;
    let urgencies = seen.keys().map(|(_, u)| *u).max()?;
    let lowest = seen.values().flat_map(|p| p.keys().copied()).max()?;

    let mut cells = vec![vec![0; urgencies as usize]; impacts as usize];
    let mut conflicts = Vec::new();
    let mut unobserved = Vec::new();
    for impact in 1..=impacts {
        for urgency in 1..=urgencies {
            let cell = &mut cells[impact as usize - 1][urgency as usize - 1];
            match seen.get(&(impact, urgency)) {
                Some(priorities) => {
                    let most = priorities
                        .iter()
                        .max_by_key(|(p, n)| (**n, std::cmp::Reverse(**p)));
                    *cell = most.map_or(1, |(p, _)| *p);
                    if priorities.len() > 1 {
                        conflicts.push(MatrixConflict {
                            impact,
                            urgency,
                            priorities: priorities.clone(),
                        });
                    }
                }
                None => {
                    let itil = (impact as u16 + urgency as u16 - 1).min(lowest as u16);
                    *cell = itil as u8;
                    unobserved.push((impact, urgency));
                }
            }
        }
    }

    let matrix = PriorityMatrix::new(cells).ok()?;
    Some(LearnedMatrix {
        matrix,
        conflicts,
        unobserved,
    })
}

/// Builds the directory the replay needs: every assignment group of the export as an incident
/// workgroup, whose members are the analysts the export shows assigned while the incident was
/// with that group (where a row leaves the group missing, the incident's last known group).
pub fn learn_directory<'r>(rows: impl IntoIterator<Item = &'r ImportRow>) -> Directory {
    let mut members: BTreeMap<&'r str, BTreeSet<&'r str>> = BTreeMap::new();
    let mut analysts: BTreeSet<&'r str> = BTreeSet::new();
    let mut last_group: HashMap<&'r str, &'r str> = HashMap::new();

    let mut previous: Option<(&str, Option<&str>)> = None;
    for row in rows {
        let group = match row.assignment_group.as_deref() {
            Some(group) => {
                last_group.insert(&*row.number, group);
                Some(group)
            }
            None => last_group.get(&*row.number).copied(),
        };

        // Consecutive rows mostly repeat the pair; the maps need it once.
        let pair = group.map(|g| (g, row.assigned_to.as_deref()));
        if pair.is_none() || pair == previous {
            continue;
        }
        previous = pair;
        if let Some(group) = group {
            let entry = members.entry(group).or_default();
            if let Some(analyst) = row.assigned_to.as_deref() {
                entry.insert(analyst);
                analysts.insert(analyst);
            }
        }
    }

    let mut workgroups: Vec<Workgroup> = members
        .into_iter()
        .filter(|(group, _)| *group != UNROUTED_WORKGROUP)
        .map(|(group, members)| {
            Workgroup::new(group, group, WorkgroupKind::Incident).with_members(members)
        })
        .collect();
    workgroups.push(Workgroup::new(
        UNROUTED_WORKGROUP,
        "Unrouted (import)",
        WorkgroupKind::Incident,
    ));
    let analysts = analysts
        .into_iter()
        .map(|id| Analyst {
            id: UserId::from(id),
            name: id.to_owned(),
            skills: Vec::new(),
        })
        .collect();

    Directory::new(
        workgroups,
        analysts,
        Vec::new(),
        WorkgroupId::from(UNROUTED_WORKGROUP),
    )
    .unwrap_or_else(|_| Directory::default())
}
