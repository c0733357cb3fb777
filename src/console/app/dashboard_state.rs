//! The supervisor's live view in the console (`dashboard`): what the screen holds — the last
//! view the server sent, the selected agent and conversation, the status picker — and the
//! tags of its requests.

use crate::model::{AgentStatus, SessionId};
use crate::protocol::{DashAgent, DashSession, DashboardView};

/// The statuses the picker offers, in order.
pub const PICK_STATUSES: [AgentStatus; 4] = [
    AgentStatus::Online,
    AgentStatus::Busy,
    AgentStatus::Away,
    AgentStatus::Offline,
];

/// The Dashboard overlay.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DashScreen {
    /// The latest view (the `dashboard.watch` reply, then each `dashboard` frame).
    pub view: Option<DashboardView>,
    /// The selected agent, by id (stays on them as the list changes).
    pub agent: Option<i64>,
    /// The selected conversation of that agent (index into their sessions).
    pub conv: usize,
    /// The status picker is open at this entry of [`PICK_STATUSES`].
    pub picker: Option<usize>,
}

impl DashScreen {
    pub fn agents(&self) -> &[DashAgent] {
        self.view.as_ref().map_or(&[], |v| v.agents.as_slice())
    }

    /// Index of the selected agent in the list.
    pub fn selected_index(&self) -> Option<usize> {
        let agents = self.agents();
        match self.agent {
            Some(id) => agents.iter().position(|a| a.id == id),
            None => None,
        }
        .or(if agents.is_empty() { None } else { Some(0) })
    }

    pub fn selected_agent(&self) -> Option<&DashAgent> {
        self.selected_index().and_then(|i| self.agents().get(i))
    }

    pub fn selected_session(&self) -> Option<&DashSession> {
        let a = self.selected_agent()?;
        a.sessions
            .get(self.conv.min(a.sessions.len().saturating_sub(1)))
    }

    pub fn selected_session_id(&self) -> Option<SessionId> {
        self.selected_session().map(|s| s.session_id)
    }

    /// Moves the agent selection by one (wrapping).
    pub fn step(&mut self, down: bool) {
        let n = self.agents().len();
        if n == 0 {
            return;
        }
        let i = self.selected_index().unwrap_or(0);
        let next = if down { (i + 1) % n } else { (i + n - 1) % n };
        self.agent = self.agents().get(next).map(|a| a.id);
        self.conv = 0;
    }

    /// The next conversation of the selected agent (wrapping).
    pub fn next_conv(&mut self) {
        let n = self.selected_agent().map_or(0, |a| a.sessions.len());
        self.conv = if n == 0 { 0 } else { (self.conv + 1) % n };
    }
}

/// What a dashboard request was for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DashTag {
    /// `dashboard.watch` on or off.
    Watch(bool),
    /// Following a conversation read-only (`dashboard.watch` with `session_id`).
    Follow(SessionId),
    /// Its transcript, to open it read-only; `whisper`: then write a note in it.
    Open {
        session: SessionId,
        whisper: bool,
    },
    SetStatus {
        agent: i64,
        status: AgentStatus,
    },
    TakeOver(SessionId),
}
