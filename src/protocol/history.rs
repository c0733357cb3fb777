//! History search (S19): `history.search` finds past (and open) conversations by customer,
//! time, tag, agent, group, channel, outcome, CSAT, intent and the full text of their messages;
//! `history.session` opens one read-only with its transfers. Who may see which conversation is
//! decided in one place on the server (`docs/history.md`); the console and `kefu admin history
//! search` build the same request from a filter line (`tag:退款 agent:alice after:2026-11-01
//! words`).

use crate::model::{AgentId, AuthorKind, Channel, EndReason, Millis, SessionId};
use serde::{Deserialize, Serialize};

/// Default and largest page of `history.search`.
pub const HISTORY_PAGE: u32 = 20;
pub const HISTORY_PAGE_MAX: u32 = 100;

/// Every filter is optional and they all apply together (AND). Results are newest first
/// (by conversation id), paged with `before_id`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct HistorySearch {
    /// Words that must all occur in one message of the conversation (Chinese is segmented into
    /// words, English stemmed); `"quoted words"` must occur together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// A customer: their id (`#42` or `42`), external id, or part of their nickname.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// Conversations started at or after this moment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Millis>,
    /// Conversations started before this moment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Millis>,
    /// Tags the conversation carries (all of them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The agent who served it (username), at the end or before a transfer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// How it ended; conversations still open never match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<EndReason>,
    /// Rated at least / at most this many stars (1–5); either one excludes unrated ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csat_min: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csat_max: Option<u8>,
    /// The intent recognised for the conversation (catalog name, e.g. `refund`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
    /// Only open (`true`) or only ended (`false`) conversations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open: Option<bool>,
    /// Paging: conversations with an id below this (the previous page's `next`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_id: Option<SessionId>,
    /// Page size: default [`HISTORY_PAGE`], at most [`HISTORY_PAGE_MAX`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistorySearchReply {
    pub hits: Vec<HistoryHit>,
    /// Pass as `before_id` for the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<SessionId>,
}

/// One conversation found. Strings are the customer's or agents' words: untrusted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryHit {
    pub session_id: SessionId,
    pub customer_id: i64,
    pub customer: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    pub channel: Channel,
    pub group: String,
    /// The agent who served it last, if any (id and display name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<AgentId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    pub created_at: Millis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<Millis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<EndReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csat: Option<u8>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
    /// Messages in it (notes included).
    pub messages: i64,
    /// With a text search: the best matching message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<HitLine>,
}

/// The message that matched a text search, cut around the first match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HitLine {
    pub seq: i64,
    pub author_kind: AuthorKind,
    pub author_name: String,
    /// At most ~160 characters of the message around the match (`…` where cut).
    pub text: String,
    /// The matched words in `text`: `[start, end)` in characters (not bytes).
    #[serde(default)]
    pub highlights: Vec<(u32, u32)>,
    #[serde(default)]
    pub internal: bool,
    pub created_at: Millis,
}

/// Opens one conversation read-only: its view and its transfers. Its messages and notes come
/// page by page from `session.transcript` (which the same permission check admits).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistorySession {
    pub session_id: SessionId,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistorySessionReply {
    pub session: super::SessionView,
    /// Display name of the agent who served it last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    /// Oldest first.
    pub transfers: Vec<TransferView>,
}

/// One transfer of a conversation, with names for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferView {
    pub at: Millis,
    /// Who transferred it (display name), if an agent did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_agent: Option<String>,
    pub from_group: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_agent: Option<String>,
    pub to_group: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub queued: bool,
}
