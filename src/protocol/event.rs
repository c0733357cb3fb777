//! What the server sends besides replies: durable events (with cursors, replayed on resume)
//! and the ephemeral frames (`typing`, `queues`, `reload`).

use super::error::ApiError;
use super::views::{MessageView, QueueInfo, SessionView};
use crate::model::{AgentStatus, AuthorKind, EndReason, Millis, SessionId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Durable events: stored in the event log and replayed by cursor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// A session is proposed to you; accept before `expires_at`.
    Offer {
        session: SessionView,
        expires_at: Millis,
        #[serde(default)]
        transfer_note: Option<String>,
        #[serde(default)]
        transferred_by: Option<String>,
    },
    /// An offer to you ended unanswered.
    OfferWithdrawn {
        session_id: SessionId,
        reason: WithdrawnReason,
    },
    /// A session is yours now, or one of yours changed (tags, follow-up, state).
    Session {
        session: SessionView,
    },
    /// You no longer serve this session.
    SessionRemoved {
        session_id: SessionId,
        reason: RemovedReason,
    },
    Message {
        message: MessageView,
    },
    /// To the customer: a human agent has taken the conversation.
    AgentJoined {
        session_id: SessionId,
        agent_name: String,
    },
    /// To the customer: their conversation is being handed to a colleague (`agent_joined`
    /// follows when someone takes it).
    Transferred {
        session_id: SessionId,
    },
    /// To the customer: the conversation is over; `survey` asks for 1–5 stars.
    SessionEnded {
        session_id: SessionId,
        reason: EndReason,
        survey: bool,
    },
    /// Your status changed: by your own request (`reason` absent), by another of your
    /// connections, or by the server (`reason` says why).
    Status {
        status: AgentStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<StatusReason>,
    },
    /// A recognised intent raised a queued conversation's priority and/or moved it to
    /// another group's queue (the intent catalog's `effects`).
    IntentEffect(super::IntentEffectInfo),
    /// To supervisors: a knowledge-base proposal was made. To its author and supervisors:
    /// it was approved, rejected or withdrawn (`proposal.status` says which).
    KbProposal {
        proposal: super::ProposalSummary,
    },
    /// To the agent who asked for a CC: it was delivered, or given up (`cc.state`).
    CcStatus {
        cc: super::CcInfo,
    },
    /// To the assignee: the reminder of a conversation pending follow-up fell due.
    FollowUpDue {
        session_id: SessionId,
    },
    /// To a colleague mentioned in an internal note (`docs/notes.md`).
    Mentioned(super::MentionView),
    /// To the agent who served an ended conversation: the customer rated it.
    SessionRated(super::RatingInfo),
}

/// Why an offer was withdrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WithdrawnReason {
    Rejected,
    Timeout,
    /// You went offline, busy or away, or stayed disconnected past the grace period.
    AgentLeft,
    /// Transferred or ended by someone else while the offer was pending.
    Reassigned,
}

/// Why you no longer serve a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemovedReason {
    Transferred,
    Ended,
    /// Back to the queue because you left (`on_agent_leave = "requeue"`).
    Requeued,
    /// A supervisor took it over (`session.take_over`).
    TakenOver,
}

/// Why the server changed an agent's status without being asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusReason {
    /// `max_missed_offers` offers in a row timed out: set to `away`.
    MissedOffers,
    /// Disconnected for longer than the grace period: set to `offline`.
    Disconnected,
    /// Logged out of the last connection.
    LoggedOut,
    /// A supervisor set it (`agent.set_status`).
    Supervisor,
}

/// Why a resume got `reload` instead of a replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReloadReason {
    /// The cursor is ahead of the server's newest (another server's, or made up).
    #[serde(rename = "unknown cursor")]
    UnknownCursor,
    /// The events after the cursor are no longer kept, or are more than `replay_limit`.
    #[serde(rename = "cursor too old")]
    CursorTooOld,
}

/// Every frame the server sends, for clients written in Rust (console, bench, tests).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)] // short-lived, and boxing would spoil pattern matching
pub enum ServerFrame {
    Reply {
        id: Value,
        ok: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        result: Option<Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<ApiError>,
    },
    Event {
        cursor: i64,
        event: Event,
    },
    /// The resume cursor is too old (or unknown): take a fresh `snapshot` from `cursor`.
    Reload {
        cursor: i64,
        reason: ReloadReason,
    },
    Typing {
        session_id: SessionId,
        author_kind: AuthorKind,
        name: String,
        active: bool,
    },
    Queues {
        queues: Vec<QueueInfo>,
    },
    /// To a supervisor who asked for `dashboard.watch`: the live view, when it changed.
    Dashboard(Box<super::DashboardView>),
    /// To a waiting customer: where they stand (see `docs/protocol.md`, "Waiting").
    Waiting(WaitingInfo),
    /// To agents who see the session: the intent of one customer message (not durable; a
    /// message too unclear to classify gets none).
    MessageIntent {
        session_id: SessionId,
        seq: i64,
        /// The intent's name in the intent catalog (`refund`).
        intent: String,
        confidence: f32,
        /// Its display names (`退款`, `Refund`).
        #[serde(default)]
        zh: String,
        #[serde(default)]
        en: String,
    },
    /// To every logged-in agent: a colleague changed their profile (`me.update`): their
    /// directory entry as it is now (not durable; `directory` has it after a reconnect).
    AgentUpdated {
        agent: super::AgentInfo,
    },
}

/// The `waiting` frame's fields: the customer's place in the queue and what to expect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitingInfo {
    pub session_id: SessionId,
    /// 1-based place in the group's queue while queued.
    pub position: Option<usize>,
    /// Expected wait from the group's recent history; `None` when there is none.
    pub estimate_secs: Option<u64>,
    /// Some agent of the group is online (and connected).
    pub agents_online: bool,
    /// Inside the group's business hours.
    pub open_now: bool,
    /// The conversation became a left message: nobody online, or outside hours.
    pub offline: bool,
}
