//! Lifecycle policies and the configuration bundle a decision is made against.

use serde::{Deserialize, Serialize};

use crate::directory::Directory;
use crate::lifecycle::TransitionTable;
use crate::persona::PermissionTable;
use crate::priority::PriorityMatrix;

/// Where a reopened incident goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReopenTarget {
    /// Back to the workgroup that resolved it.
    #[default]
    ResolvingWorkgroup,
    /// Through the routing rules again.
    Route,
}

/// Lifecycle options a host chooses; every default is the common, cautious choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Policy {
    /// Days after resolution at which an unconfirmed incident closes by itself; `None`
    /// disables auto-close. Default 7.
    pub auto_close_after_days: Option<u32>,
    /// Days after closure during which a closed incident may still be reopened; `None`
    /// (the default) forbids reopening closed incidents.
    pub reopen_closed_within_days: Option<u32>,
    /// Whether resolving needs every work order finished. Default true.
    pub resolve_requires_finished_work_orders: bool,
    /// Where a reopened incident goes. Default: the resolving workgroup.
    pub reopen_to: ReopenTarget,
    /// Impact used when an automated trigger gives none. Default 2.
    pub default_impact: u8,
    /// Urgency used when an automated trigger gives none. Default 2.
    pub default_urgency: u8,
    /// How far (in seconds) a command's time may lag behind the incident's last change and
    /// still be accepted, as made at that change: clocks of several hosts differ a little.
    /// Default 5.
    pub clock_skew_tolerance_seconds: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            auto_close_after_days: Some(7),
            reopen_closed_within_days: None,
            resolve_requires_finished_work_orders: true,
            reopen_to: ReopenTarget::ResolvingWorkgroup,
            default_impact: 2,
            default_urgency: 2,
            clock_skew_tolerance_seconds: 5,
        }
    }
}

/// Everything a decision is made against, besides the incident, the actor and `now`.
///
/// Hosts build one at start-up (or deserialise it) and share it; it is immutable while in
/// use, so a [`crate::Desk`] holds it behind an `Arc`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DeskConfig {
    /// Lifecycle options.
    pub policy: Policy,
    /// Impact x urgency -> priority.
    pub priority_matrix: PriorityMatrix,
    /// Allowed state changes.
    pub transitions: TransitionTable,
    /// Who may do what.
    pub permissions: PermissionTable,
    /// Workgroups, analysts and routing.
    pub directory: Directory,
}

impl DeskConfig {
    /// A default configuration with the given directory.
    pub fn with_directory(directory: Directory) -> Self {
        DeskConfig {
            directory,
            ..DeskConfig::default()
        }
    }
}
