//! The store's side of the knowledge base's workflow: paged title lists, bounded history,
//! contributions (proposals and their review) and per-agent check-ins ("latest updates").
//! Split from [`super::Read`] and [`super::Tx`] into traits of their own, which those traits
//! include.

use super::Result;
use crate::model::{AgentId, Millis};
use crate::protocol::{
    AgentCheckin, ArticleSummary, ArticleUpdate, ArticleVersion, Proposal, ProposalStatus,
    ProposalSummary,
};

/// Which proposals a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProposalFilter {
    /// Only this agent's.
    pub author: Option<AgentId>,
    pub status: Option<ProposalStatus>,
}

/// An agent's unread updates: the last check-in, how many, and the newest of them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Updates {
    pub checked_at: Option<Millis>,
    pub unread: u32,
    pub updates: Vec<ArticleUpdate>,
}

/// How a review ends a pending proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub status: ProposalStatus,
    /// Who reviewed (a username); `None` when the author withdrew.
    pub reviewer: Option<String>,
    pub comment: Option<String>,
    pub at: Millis,
    /// Approved: the article and version it became.
    pub result: Option<(i64, i64)>,
}

pub trait KbFlowRead {
    /// Up to `limit` published articles from the `offset`th, by id, without bodies.
    fn kb_titles(&mut self, offset: u32, limit: u32) -> Result<Vec<ArticleSummary>>;
    /// The newest `limit` versions of an article (oldest of them first) and how many it has.
    fn kb_versions_newest(&mut self, id: i64, limit: u32) -> Result<(Vec<ArticleVersion>, i64)>;
    fn kb_proposal(&mut self, id: i64) -> Result<Option<Proposal>>;
    /// Up to `limit` proposals, newest first.
    fn kb_proposals(&mut self, filter: ProposalFilter, limit: u32) -> Result<Vec<ProposalSummary>>;
    /// Pending proposals (of `author`, or everybody's).
    fn kb_pending_proposals(&mut self, author: Option<AgentId>) -> Result<u32>;
    /// How many of `author`'s newest `at_most` proposals were made at or after `since`.
    fn kb_proposals_since(&mut self, author: AgentId, since: Millis, at_most: u32) -> Result<u32>;
    /// Published articles changed since the agent's last check-in (the newest `limit`).
    fn kb_updates(&mut self, agent: AgentId, limit: u32) -> Result<Updates>;
    /// Every agent's last check-in and unread count, by agent id.
    fn kb_checkins(&mut self) -> Result<Vec<AgentCheckin>>;
}

pub trait KbFlowTx {
    /// Stores a pending proposal (its `id` and `status` are ignored); returns its id.
    fn insert_proposal(&mut self, proposal: &Proposal) -> Result<i64>;
    /// Ends a pending proposal; `Conflict` if it is no longer pending.
    fn review_proposal(&mut self, id: i64, review: &Review) -> Result<()>;
    /// Records that the agent read every article as it is now.
    fn kb_check_in(&mut self, agent: AgentId, now: Millis) -> Result<()>;
}
