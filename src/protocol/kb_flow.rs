//! The knowledge base's workflow on the wire: contributions (`kb.propose`, `kb.proposals`,
//! `kb.proposal`, `kb.review`, `kb.withdraw`) and "latest updates" with per-agent check-ins
//! (`kb.updates`, `kb.check_in`, `kb.checkins`). Requests and their replies live together
//! here; `request.rs` and `reply.rs` only name them.

use crate::model::{AgentId, Millis};
use serde::{Deserialize, Serialize};

use super::kb::Article;

/// Where a proposal stands: `pending` until a supervisor approves or rejects it, or its
/// author withdraws it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    #[default]
    Pending,
    Approved,
    Rejected,
    Withdrawn,
}

impl ProposalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalStatus::Pending => "pending",
            ProposalStatus::Approved => "approved",
            ProposalStatus::Rejected => "rejected",
            ProposalStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<ProposalStatus> {
        match s {
            "pending" => Some(ProposalStatus::Pending),
            "approved" => Some(ProposalStatus::Approved),
            "rejected" => Some(ProposalStatus::Rejected),
            "withdrawn" => Some(ProposalStatus::Withdrawn),
            _ => None,
        }
    }
}

/// A proposal without its text: what lists and events carry.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProposalSummary {
    pub id: i64,
    /// The article to edit; `None` proposes a new article.
    #[serde(default)]
    pub article_id: Option<i64>,
    /// The article's version the edit was made from.
    #[serde(default)]
    pub base_version: Option<i64>,
    pub author_id: AgentId,
    /// The author's username.
    pub author: String,
    pub title: String,
    /// What the author says about the change.
    #[serde(default)]
    pub comment: String,
    pub status: ProposalStatus,
    pub created_at: Millis,
    #[serde(default)]
    pub reviewer: Option<String>,
    #[serde(default)]
    pub review_comment: Option<String>,
    #[serde(default)]
    pub reviewed_at: Option<Millis>,
    /// Once approved: the article and the version it became.
    #[serde(default)]
    pub result_article_id: Option<i64>,
    #[serde(default)]
    pub result_version: Option<i64>,
}

/// A whole proposal: the article as its author wants it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Proposal {
    #[serde(flatten)]
    pub summary: ProposalSummary,
    /// Markdown.
    pub body: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub questions: Vec<String>,
}

/// One line of a diff: kept, added (`+`) or removed (`-`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffOp {
    Same,
    Add,
    Del,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    pub op: DiffOp,
    pub text: String,
}

/// Proposes a new article (no `article_id`) or an edit of one, made from its `base_version`
/// (the current version when absent).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct KbPropose {
    #[serde(default)]
    pub article_id: Option<i64>,
    #[serde(default)]
    pub base_version: Option<i64>,
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub questions: Vec<String>,
    #[serde(default)]
    pub comment: String,
}

/// Supervisors and admins: every pending proposal (or those with `status`); agents: their
/// own, newest first (or only those with `status`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct KbProposals {
    #[serde(default)]
    pub status: Option<ProposalStatus>,
}

/// One proposal with the diff against the article's current version. (Fields are never
/// called `id`: that is the request envelope's.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KbProposalGet {
    pub proposal_id: i64,
}

/// Supervisors and admins: approve (a new article version, by the proposal's author) or
/// reject a pending proposal, with a comment for the author.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KbReview {
    pub proposal_id: i64,
    pub approve: bool,
    #[serde(default)]
    pub comment: String,
}

/// The author takes back a pending proposal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KbWithdraw {
    pub proposal_id: i64,
}

/// Published articles created or changed since the agent's last check-in, newest first.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct KbUpdates {
    #[serde(default)]
    pub limit: Option<u32>,
}

/// Records that the agent has read the latest updates (now).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct KbCheckIn {}

/// Supervisors and admins: each agent's last check-in and unread count.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct KbCheckins {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KbProposeReply {
    pub proposal: ProposalSummary,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KbProposalsReply {
    pub proposals: Vec<ProposalSummary>,
    /// Pending proposals the caller may act on: every one for supervisors, their own for
    /// agents.
    pub pending: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KbProposalReply {
    pub proposal: Proposal,
    /// The article as it is now (`None` for a new-article proposal, or if it is gone).
    #[serde(default)]
    pub current: Option<Article>,
    /// The current version against the proposal, both as Markdown with front matter.
    pub diff: Vec<DiffLine>,
    /// The article changed since the proposal was made: approving it answers `conflict`.
    #[serde(default)]
    pub stale: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KbReviewReply {
    pub proposal: ProposalSummary,
}

/// What happened to an article since the last check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UpdateKind {
    New,
    Edited,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleUpdate {
    pub id: i64,
    pub title: String,
    pub version: i64,
    pub updated_at: Millis,
    pub change: UpdateKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KbUpdatesReply {
    /// The last check-in; `None` if the agent never checked in (everything is unread).
    #[serde(default)]
    pub checked_at: Option<Millis>,
    /// How many published articles changed since (may exceed `updates.len()`).
    pub unread: u32,
    pub updates: Vec<ArticleUpdate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KbCheckInReply {
    pub checked_at: Millis,
}

/// One agent's reading of the latest updates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentCheckin {
    pub agent_id: AgentId,
    pub username: String,
    pub display_name: String,
    #[serde(default)]
    pub checked_at: Option<Millis>,
    pub unread: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KbCheckinsReply {
    pub agents: Vec<AgentCheckin>,
}
