//! Workgroups, analysts and the routing rules that pick an incident's first workgroup.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{UserId, WorkgroupId};
use crate::{Error, Result};

/// What a workgroup handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkgroupKind {
    /// Owns incidents.
    #[default]
    Incident,
    /// A specialised group (on-site, network, ...) that does work-order tasks.
    WorkOrder,
}

/// A team of analysts with skills and the categories and services it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workgroup {
    /// Identity.
    pub id: WorkgroupId,
    /// Display name.
    pub name: String,
    /// Incident or work-order group.
    #[serde(default)]
    pub kind: WorkgroupKind,
    /// Analysts in the group.
    #[serde(default)]
    pub members: Vec<UserId>,
    /// Managers of the group (members by right).
    #[serde(default)]
    pub managers: Vec<UserId>,
    /// Skills the group offers.
    #[serde(default)]
    pub skills: Vec<String>,
    /// Categories the group covers.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Services the group supports.
    #[serde(default)]
    pub services: Vec<String>,
    /// IANA time zone of the group's location, for OLA clocks that follow the group.
    #[serde(default)]
    pub time_zone: Option<String>,
}

impl Workgroup {
    /// A group with no members, skills or coverage yet.
    pub fn new(id: impl Into<WorkgroupId>, name: impl Into<String>, kind: WorkgroupKind) -> Self {
        Workgroup {
            id: id.into(),
            name: name.into(),
            kind,
            members: Vec::new(),
            managers: Vec::new(),
            skills: Vec::new(),
            categories: Vec::new(),
            services: Vec::new(),
            time_zone: None,
        }
    }

    /// Adds members (builder style).
    pub fn with_members<I, U>(mut self, members: I) -> Self
    where
        I: IntoIterator<Item = U>,
        U: Into<UserId>,
    {
        self.members.extend(members.into_iter().map(Into::into));
        self
    }

    /// Adds managers (builder style).
    pub fn with_managers<I, U>(mut self, managers: I) -> Self
    where
        I: IntoIterator<Item = U>,
        U: Into<UserId>,
    {
        self.managers.extend(managers.into_iter().map(Into::into));
        self
    }
}

/// An analyst's profile: skills used by skill-based routing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Analyst {
    /// Identity.
    pub id: UserId,
    /// Display name.
    pub name: String,
    /// Skills.
    #[serde(default)]
    pub skills: Vec<String>,
}

/// A routing rule: when every condition it sets matches, the incident goes to `workgroup`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RoutingRule {
    /// Name, for explanations.
    pub name: String,
    /// Matches this category only.
    #[serde(default)]
    pub category: Option<String>,
    /// Matches this subcategory only.
    #[serde(default)]
    pub subcategory: Option<String>,
    /// Matches this service only.
    #[serde(default)]
    pub service: Option<String>,
    /// Matches priorities from 1 up to this number (1 = only the highest).
    #[serde(default)]
    pub max_priority: Option<u8>,
    /// Matches when the routing asks for this skill.
    #[serde(default)]
    pub skill: Option<String>,
    /// Where matching incidents go.
    pub workgroup: WorkgroupId,
    /// An analyst to assign as well; when absent and `skill` is set, the first member of the
    /// group (by id) having the skill is chosen.
    #[serde(default)]
    pub analyst: Option<UserId>,
}

/// What routing looks at.
#[derive(Debug, Clone, Copy, Default)]
pub struct RoutingInput<'a> {
    /// The incident's category.
    pub category: Option<&'a str>,
    /// The incident's subcategory.
    pub subcategory: Option<&'a str>,
    /// The affected service.
    pub service: Option<&'a str>,
    /// The incident's priority.
    pub priority: u8,
    /// A skill the work needs.
    pub skill: Option<&'a str>,
}

/// Where routing sent an incident, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    /// The chosen workgroup.
    pub workgroup: WorkgroupId,
    /// The chosen analyst, if any.
    pub analyst: Option<UserId>,
    /// The rule that matched; `None` when the default workgroup was used.
    pub rule: Option<String>,
}

/// The directory of workgroups and analysts, with routing rules and a default workgroup.
///
/// # Example
/// ```
/// use incident_core::{Directory, RoutingInput, RoutingRule, Workgroup, WorkgroupKind};
///
/// let directory = Directory::new(
///     vec![
///         Workgroup::new("service-desk", "Service desk", WorkgroupKind::Incident),
///         Workgroup::new("network", "Network", WorkgroupKind::Incident),
///     ],
///     vec![],
///     vec![RoutingRule {
///         name: "network issues".into(),
///         category: Some("network".into()),
///         workgroup: "network".into(),
///         ..RoutingRule::default()
///     }],
///     "service-desk".into(),
/// )
/// .unwrap();
/// let input = RoutingInput { category: Some("network"), priority: 3, ..Default::default() };
/// assert_eq!(directory.route(&input).workgroup.as_str(), "network");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "DirectorySpec", into = "DirectorySpec")]
pub struct Directory {
    workgroups: BTreeMap<WorkgroupId, Workgroup>,
    analysts: BTreeMap<UserId, Analyst>,
    rules: Vec<RoutingRule>,
    default_workgroup: WorkgroupId,
}

/// The serialised form of a [`Directory`].
#[derive(Debug, Clone, Serialize, Deserialize)]
struct DirectorySpec {
    workgroups: Vec<Workgroup>,
    #[serde(default)]
    analysts: Vec<Analyst>,
    #[serde(default)]
    rules: Vec<RoutingRule>,
    default_workgroup: WorkgroupId,
}

impl Directory {
    /// Builds and checks a directory.
    ///
    /// # Errors
    /// [`Error::Configuration`] when workgroup ids repeat, the default workgroup or a rule's
    /// workgroup is unknown or not an incident workgroup, or a rule's analyst is not a member
    /// of its workgroup.
    pub fn new(
        workgroups: Vec<Workgroup>,
        analysts: Vec<Analyst>,
        rules: Vec<RoutingRule>,
        default_workgroup: WorkgroupId,
    ) -> Result<Self> {
        let mut groups = BTreeMap::new();
        for group in workgroups {
            let id = group.id.clone();
            if groups.insert(id.clone(), group).is_some() {
                return Err(Error::config(format!("workgroup {id} is defined twice")));
            }
        }
        let analysts = analysts.into_iter().map(|a| (a.id.clone(), a)).collect();
        let directory = Directory {
            workgroups: groups,
            analysts,
            rules,
            default_workgroup,
        };

        directory
            .incident_workgroup(&directory.default_workgroup)
            .map_err(as_config)?;
        for rule in &directory.rules {
            directory
                .incident_workgroup(&rule.workgroup)
                .map_err(as_config)?;
            if let Some(analyst) = &rule.analyst
                && !directory.is_member(&rule.workgroup, analyst)
            {
                let reason = format!(
                    "rule {:?}: {analyst} is not in {}",
                    rule.name, rule.workgroup
                );
                return Err(Error::config(reason));
            }
        }
        Ok(directory)
    }

    /// A directory with one incident workgroup and no rules: everything goes there.
    pub fn single(workgroup: Workgroup) -> Self {
        let id = workgroup.id.clone();
        let workgroups = BTreeMap::from([(id.clone(), workgroup)]);
        Directory {
            workgroups,
            analysts: BTreeMap::new(),
            rules: Vec::new(),
            default_workgroup: id,
        }
    }

    /// A workgroup by id.
    pub fn workgroup(&self, id: &WorkgroupId) -> Option<&Workgroup> {
        self.workgroups.get(id)
    }

    /// Every workgroup, by id.
    pub fn workgroups(&self) -> impl Iterator<Item = &Workgroup> {
        self.workgroups.values()
    }

    /// An analyst's profile.
    pub fn analyst(&self, id: &UserId) -> Option<&Analyst> {
        self.analysts.get(id)
    }

    /// The routing rules, in order.
    pub fn rules(&self) -> &[RoutingRule] {
        &self.rules
    }

    /// Where unmatched incidents go.
    pub fn default_workgroup(&self) -> &WorkgroupId {
        &self.default_workgroup
    }

    /// Whether `user` is a member or a manager of `group`.
    pub fn is_member(&self, group: &WorkgroupId, user: &UserId) -> bool {
        self.workgroups
            .get(group)
            .is_some_and(|g| g.members.contains(user) || g.managers.contains(user))
    }

    /// Whether `user` manages `group`.
    pub fn is_manager(&self, group: &WorkgroupId, user: &UserId) -> bool {
        self.workgroups
            .get(group)
            .is_some_and(|g| g.managers.contains(user))
    }

    /// The workgroup, checked to exist and to own incidents.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown group, [`Error::RuleViolation`] for a work-order
    /// group.
    pub fn incident_workgroup(&self, id: &WorkgroupId) -> Result<&Workgroup> {
        self.workgroup_of_kind(id, WorkgroupKind::Incident)
    }

    /// The workgroup, checked to exist and to do work-order tasks.
    ///
    /// # Errors
    /// As [`Directory::incident_workgroup`], for the other kind.
    pub fn work_order_workgroup(&self, id: &WorkgroupId) -> Result<&Workgroup> {
        self.workgroup_of_kind(id, WorkgroupKind::WorkOrder)
    }

    fn workgroup_of_kind(&self, id: &WorkgroupId, kind: WorkgroupKind) -> Result<&Workgroup> {
        let group = self
            .workgroups
            .get(id)
            .ok_or_else(|| Error::not_found("workgroup", id))?;
        if group.kind != kind {
            let detail = format!("{id} is a {:?} workgroup, not {kind:?}", group.kind);
            return Err(Error::rule(crate::error::Rule::WrongWorkgroupKind, detail));
        }
        Ok(group)
    }

    /// Picks the workgroup (and maybe the analyst) for an incident: the first matching rule
    /// wins, else the default workgroup.
    pub fn route(&self, input: &RoutingInput<'_>) -> Route {
        let matches = |want: &Option<String>, have: Option<&str>| {
            want.as_deref().is_none_or(|w| have == Some(w))
        };
        for rule in &self.rules {
            let fits = matches(&rule.category, input.category)
                && matches(&rule.subcategory, input.subcategory)
                && matches(&rule.service, input.service)
                && matches(&rule.skill, input.skill)
                && rule.max_priority.is_none_or(|max| input.priority <= max);
            if fits {
                let analyst = rule.analyst.clone().or_else(|| {
                    let skill = rule.skill.as_deref()?;
                    self.member_with_skill(&rule.workgroup, skill)
                });
                let name = Some(rule.name.clone());
                return Route {
                    workgroup: rule.workgroup.clone(),
                    analyst,
                    rule: name,
                };
            }
        }
        Route {
            workgroup: self.default_workgroup.clone(),
            analyst: None,
            rule: None,
        }
    }

    fn member_with_skill(&self, group: &WorkgroupId, skill: &str) -> Option<UserId> {
        let group = self.workgroups.get(group)?;
        let mut candidates: Vec<&UserId> = group
            .members
            .iter()
            .filter(|m| {
                self.analysts
                    .get(*m)
                    .is_some_and(|a| a.skills.iter().any(|s| s == skill))
            })
            .collect();
        candidates.sort();
        candidates.first().map(|m| (*m).clone())
    }
}

fn as_config(error: Error) -> Error {
    Error::config(error.to_string())
}

impl Default for Directory {
    /// One incident workgroup, `service-desk`, with no members.
    fn default() -> Self {
        Directory::single(Workgroup::new(
            "service-desk",
            "Service desk",
            WorkgroupKind::Incident,
        ))
    }
}

impl TryFrom<DirectorySpec> for Directory {
    type Error = Error;

    fn try_from(spec: DirectorySpec) -> Result<Self> {
        Directory::new(
            spec.workgroups,
            spec.analysts,
            spec.rules,
            spec.default_workgroup,
        )
    }
}

impl From<Directory> for DirectorySpec {
    fn from(d: Directory) -> Self {
        DirectorySpec {
            workgroups: d.workgroups.into_values().collect(),
            analysts: d.analysts.into_values().collect(),
            rules: d.rules,
            default_workgroup: d.default_workgroup,
        }
    }
}
