//! The supervisor's live view (S26): `dashboard.watch` subscribes a supervisor's connection to
//! `dashboard` frames, sent when something on it changed (at most a few per second), never
//! polled. Supervisor actions from it: `agent.set_status` here; transfer, take-over and notes
//! are the ordinary requests.

use crate::model::{AgentId, AgentStatus, Millis, SessionId};
use serde::{Deserialize, Serialize};

/// Starts (`on`, the default) or stops `dashboard` frames on this connection. The reply is the
/// current view. Supervisors and admins only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardWatch {
    #[serde(default = "on")]
    pub on: bool,
    /// With a conversation: starts (`on`) or stops following it read-only — its messages
    /// reach this supervisor live, like its assignee's — instead of the dashboard frames.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<SessionId>,
}

fn on() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardView {
    /// When the server made it; clients tick waits and times-in-status from here.
    pub at: Millis,
    /// The service level's threshold: answered within this many seconds of queueing.
    pub service_level_secs: u32,
    /// Share of today's queued conversations answered within the threshold (absent: none yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_level: Option<f64>,
    pub queues: Vec<DashQueue>,
    pub agents: Vec<DashAgent>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashQueue {
    pub group: String,
    pub waiting: u32,
    /// Since when the longest-waiting customer waits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest_since: Option<Millis>,
    pub arrivals_last_hour: u32,
    /// Arrivals per 5 minutes over the last hour, oldest first (12 buckets: a sparkline).
    pub arrivals_5min: Vec<u32>,
    /// Agents of the group online now.
    pub agents_online: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_level: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashAgent {
    pub id: AgentId,
    pub username: String,
    pub display_name: String,
    pub status: AgentStatus,
    /// Since when in that status.
    pub status_since: Millis,
    pub connected: bool,
    pub active: u32,
    pub capacity: u32,
    /// Offers that expired unanswered today.
    pub missed_offers: u32,
    pub groups: Vec<String>,
    /// The conversations they serve now.
    pub sessions: Vec<DashSession>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashSession {
    pub session_id: SessionId,
    /// The customer's nickname (untrusted).
    pub customer: String,
    /// Since when they serve it.
    pub since: Millis,
    /// The customer waits for a reply since then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_since: Option<Millis>,
}

/// A supervisor sets a colleague's status (e.g. back to `online` after `away`, or `busy`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentSetStatus {
    pub agent_id: AgentId,
    pub status: AgentStatus,
}

/// A supervisor takes a conversation over: it becomes theirs at once (above their capacity if
/// need be); the agent who served it is told (`session_removed`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TakeOver {
    pub session_id: SessionId,
}
