//! What the console holds for the knowledge base's workflow (`kb_flow.rs` acts on it): the
//! panel's view, latest updates, proposals, what is being edited in `$EDITOR`, and the articles
//! sent in each session.

use crate::model::{Millis, SessionId};
use crate::protocol::{ArticleUpdate, KbProposalReply, ProposalSummary, SentArticle};
use std::collections::HashMap;

/// What a workflow reply is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KbFlowTag {
    Updates,
    CheckIn,
    Proposals,
    Proposal(i64),
    Review(i64),
    Propose,
    /// The article fetched to be edited in `$EDITOR`.
    EditSource(i64),
}

/// What the KB panel shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum KbView {
    #[default]
    Search,
    Updates,
    Proposals,
}

/// What an `$EDITOR` session is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditPurpose {
    /// An edit of this article, made from this version.
    Edit {
        article_id: i64,
        version: i64,
    },
    NewArticle,
}

/// How an `$EDITOR` session ended (from `console::editor`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditOutcome {
    /// The file's text after the editor exited successfully.
    Saved(String),
    /// The editor could not run or failed; for people.
    Failed(String),
}

#[derive(Debug, Clone, Default)]
pub struct KbFlowState {
    pub view: KbView,
    pub updates: Vec<ArticleUpdate>,
    pub unread: u32,
    pub checked_at: Option<Millis>,
    pub proposals: Vec<ProposalSummary>,
    /// Pending proposals: every one for supervisors, one's own for agents.
    pub pending: u32,
    /// The highlighted row of the updates or proposals list.
    pub selected: usize,
    /// The proposal being read, with its diff.
    pub open: Option<Box<KbProposalReply>>,
    /// Lines scrolled in the open proposal's diff.
    pub scroll: usize,
    /// The rejection comment being typed (`r` on an open proposal).
    pub rejecting: Option<String>,
    /// The document handed to `$EDITOR` and what for (an unchanged file cancels).
    pub editing: Option<(EditPurpose, String)>,
    /// Articles sent in each session, as the server recorded them.
    pub sent: HashMap<SessionId, Vec<SentArticle>>,
}
