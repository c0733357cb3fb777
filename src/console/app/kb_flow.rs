//! The knowledge-base panel's workflow views: latest updates (with the check-in), proposals
//! (an agent's own; every pending one for supervisors, with the diff, approve and reject),
//! proposing an edit or a new article through `$EDITOR`, and the articles sent in each
//! session. Pure like the rest of the app: editing is an [`Effect::EditText`] the run loop
//! carries out (`console::editor`), whose result comes back through [`App::on_edited`].

use super::effect::{Effect, KB_TITLES_PAGE, Tag, request};
use super::kb_flow_state::*;
use super::state::{App, Focus, KbTitle};
use crate::console::action::Action;
use crate::console::i18n::text;
use crate::console::reply::Reply;
use crate::kb::proposal::Draft;
use crate::model::SessionId;
use crate::protocol::request as req;
use crate::protocol::{KbSearchReply, ProposalStatus, ProposalSummary, SentArticle};

/// Titles kept for the instant local filter; beyond them the server's full-text search finds
/// the rest.
const MAX_LOCAL_TITLES: u32 = 10_000;

fn flow(tag: KbFlowTag, r: impl Into<crate::protocol::Request>) -> Effect {
    request(Tag::KbFlow(tag), r)
}

impl App {
    fn sees_all(&self) -> bool {
        self.me.as_ref().is_some_and(|m| m.role.sees_all())
    }

    /// What the workbench loads for the workflow after login: the unread count, and the
    /// pending proposals (supervisors).
    pub(super) fn kb_flow_on_login(&self) -> Vec<Effect> {
        vec![
            flow(KbFlowTag::Updates, req::KbUpdates::default()),
            flow(KbFlowTag::Proposals, req::KbProposals::default()),
        ]
    }

    /// The workflow's keymap actions; `None` for the others.
    pub(super) fn kb_flow_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        let fx = match action {
            Action::KbUpdates => {
                self.show_kb_view(KbView::Updates);
                vec![flow(KbFlowTag::Updates, req::KbUpdates::default())]
            }
            Action::KbProposals => {
                self.show_kb_view(KbView::Proposals);
                vec![flow(KbFlowTag::Proposals, req::KbProposals::default())]
            }
            Action::KbCheckIn => vec![flow(KbFlowTag::CheckIn, req::KbCheckIn {})],
            Action::KbProposeNew => self.start_edit(EditPurpose::NewArticle, new_template()),
            Action::KbProposeEdit => match self.kb_flow_article() {
                Some(id) => vec![flow(
                    KbFlowTag::EditSource(id),
                    req::KbGet { article_id: id },
                )],
                None => {
                    self.notice(text(self.lang).kb_pick_article);
                    Vec::new()
                }
            },
            // Keys the workflow views take over from the search list.
            Action::SelectNext | Action::SelectPrev | Action::PageDown | Action::PageUp
                if self.focus == Focus::Kb && self.kbflow.view != KbView::Search =>
            {
                self.kb_flow_move(action);
                Vec::new()
            }
            Action::KbSend | Action::KbInsert | Action::Open
                if self.focus == Focus::Kb && self.kbflow.view != KbView::Search =>
            {
                self.kb_flow_enter()
            }
            Action::Cancel if self.focus == Focus::Kb && self.kbflow.view != KbView::Search => {
                if self.kbflow.rejecting.take().is_none() && self.kbflow.open.take().is_none() {
                    self.kbflow.view = KbView::Search;
                }
                Vec::new()
            }
            Action::DeleteBack if self.kbflow.rejecting.is_some() => {
                if let Some(c) = self.kbflow.rejecting.as_mut() {
                    c.pop();
                }
                Vec::new()
            }
            _ => return None,
        };
        Some(fx)
    }

    fn show_kb_view(&mut self, view: KbView) {
        self.layout.show_kb = true;
        self.focus = Focus::Kb;
        self.kbflow.view = view;
        self.kbflow.selected = 0;
        self.kbflow.open = None;
        self.kbflow.rejecting = None;
    }

    /// The article a "propose an edit" key means: the highlighted search hit or update.
    fn kb_flow_article(&self) -> Option<i64> {
        match self.kbflow.view {
            KbView::Updates => self.kbflow.updates.get(self.kbflow.selected).map(|u| u.id),
            KbView::Search => {
                let i = *self.kb.matches.get(self.kb.selected)?;
                self.kb.titles.get(i).map(|t| t.id)
            }
            KbView::Proposals => None,
        }
    }

    fn kb_flow_move(&mut self, action: Action) {
        let f = &mut self.kbflow;
        if f.open.is_some() {
            let step = match action {
                Action::SelectNext => 1,
                Action::PageDown => 10,
                Action::SelectPrev => -1,
                _ => -10,
            };
            let lines = f.open.as_ref().map_or(0, |o| o.diff.len());
            f.scroll = f
                .scroll
                .saturating_add_signed(step)
                .min(lines.saturating_sub(1));
            return;
        }
        let n = match f.view {
            KbView::Updates => f.updates.len(),
            _ => f.proposals.len(),
        };
        if n == 0 {
            return;
        }
        f.selected = match action {
            Action::SelectNext | Action::PageDown => (f.selected + 1) % n,
            _ => (f.selected + n - 1) % n,
        };
    }

    /// Enter on a list row: an update opens its article in the search view; a proposal opens
    /// with its diff; with a rejection comment typed, the rejection goes out.
    fn kb_flow_enter(&mut self) -> Vec<Effect> {
        if let Some(comment) = self.kbflow.rejecting.take() {
            return self.kb_review(false, comment);
        }
        match self.kbflow.view {
            KbView::Updates => {
                let Some(u) = self.kbflow.updates.get(self.kbflow.selected).cloned() else {
                    return Vec::new();
                };
                self.kbflow.view = KbView::Search;
                let title = KbTitle {
                    id: u.id,
                    title: u.title,
                    keywords: Vec::new(),
                };
                let i = self.kb.index_of(title);
                self.kb.query.clear();
                let mut fx = self.refilter_kb();
                if let Some(pos) = self.kb.matches.iter().position(|m| *m == i) {
                    self.kb.selected = pos;
                }
                fx.extend(self.fetch_selected_article());
                fx
            }
            KbView::Proposals if self.kbflow.open.is_none() => {
                match self.kbflow.proposals.get(self.kbflow.selected) {
                    Some(p) => vec![flow(
                        KbFlowTag::Proposal(p.id),
                        req::KbProposalGet { proposal_id: p.id },
                    )],
                    None => Vec::new(),
                }
            }
            _ => Vec::new(),
        }
    }

    /// Letters typed in the workflow views: the rejection comment, or `a` / `r` on an open
    /// pending proposal (supervisors). Returns `None` when the search field should take it.
    pub(super) fn kb_flow_char(&mut self, c: char) -> Option<Vec<Effect>> {
        if self.kbflow.view == KbView::Search {
            return None;
        }
        if let Some(comment) = self.kbflow.rejecting.as_mut() {
            if comment.chars().count() < crate::kb::proposal::MAX_COMMENT_CHARS {
                comment.push(c);
            }
            return Some(Vec::new());
        }
        let reviewable = self.sees_all()
            && self
                .kbflow
                .open
                .as_ref()
                .is_some_and(|o| o.proposal.summary.status == ProposalStatus::Pending);
        Some(match c {
            'a' if reviewable => self.kb_review(true, String::new()),
            'r' if reviewable => {
                self.kbflow.rejecting = Some(String::new());
                Vec::new()
            }
            _ => Vec::new(),
        })
    }

    fn kb_review(&mut self, approve: bool, comment: String) -> Vec<Effect> {
        let Some(open) = &self.kbflow.open else {
            return Vec::new();
        };
        let id = open.proposal.summary.id;
        vec![flow(
            KbFlowTag::Review(id),
            req::KbReview {
                proposal_id: id,
                approve,
                comment,
            },
        )]
    }

    fn start_edit(&mut self, purpose: EditPurpose, text: String) -> Vec<Effect> {
        self.kbflow.editing = Some((purpose, text.clone()));
        vec![Effect::EditText { purpose, text }]
    }

    /// The `$EDITOR` session ended: an unchanged file or an empty body cancels; a document
    /// that does not read back is explained; otherwise the proposal goes out.
    pub fn on_edited(&mut self, purpose: EditPurpose, outcome: EditOutcome) -> Vec<Effect> {
        let t = text(self.lang);
        let original = match self.kbflow.editing.take() {
            Some((p, text)) if p == purpose => text,
            _ => return Vec::new(),
        };
        let edited = match outcome {
            EditOutcome::Saved(s) => s,
            EditOutcome::Failed(e) => {
                self.notice(format!("{}: {e}", t.kb_editor_failed));
                return Vec::new();
            }
        };
        if edited.trim_end() == original.trim_end() {
            self.notice(t.kb_propose_cancelled);
            return Vec::new();
        }
        match Draft::parse(&edited) {
            Ok(None) => {
                self.notice(t.kb_propose_cancelled);
                Vec::new()
            }
            Err(e) => {
                self.notice(format!("{}: {e}", t.kb_propose_unreadable));
                Vec::new()
            }
            Ok(Some(draft)) => {
                let base = match purpose {
                    EditPurpose::Edit {
                        article_id,
                        version,
                    } => Some((article_id, version)),
                    EditPurpose::NewArticle => None,
                };
                vec![flow(KbFlowTag::Propose, draft.propose(base, String::new()))]
            }
        }
    }

    /// Replies to the workflow's requests.
    pub(super) fn on_kb_flow_reply(&mut self, tag: KbFlowTag, reply: Reply) -> Vec<Effect> {
        let t = text(self.lang);
        match (tag, reply) {
            (KbFlowTag::Updates, Reply::KbUpdates(r)) => {
                self.kbflow.unread = r.unread;
                self.kbflow.checked_at = r.checked_at;
                self.kbflow.updates = r.updates;
                self.kbflow.selected = self
                    .kbflow
                    .selected
                    .min(self.kbflow.updates.len().saturating_sub(1));
            }
            (KbFlowTag::CheckIn, Reply::KbCheckIn(r)) => {
                self.kbflow.unread = 0;
                self.kbflow.checked_at = Some(r.checked_at);
                self.kbflow.updates.clear();
                self.kbflow.selected = 0;
                self.notice(t.kb_checked_in);
            }
            (KbFlowTag::Proposals, Reply::KbProposals(r)) => {
                self.kbflow.pending = r.pending;
                self.kbflow.proposals = r.proposals;
                self.kbflow.selected = self
                    .kbflow
                    .selected
                    .min(self.kbflow.proposals.len().saturating_sub(1));
            }
            (KbFlowTag::Proposal(_), Reply::KbProposalGet(r)) => {
                self.kbflow.open = Some(Box::new(r));
                self.kbflow.scroll = 0;
            }
            (KbFlowTag::Review(_), Reply::KbReview(r)) => {
                let msg = match r.proposal.status {
                    ProposalStatus::Approved => t.kb_approved,
                    _ => t.kb_rejected,
                };
                self.notice(format!("#{} {msg}", r.proposal.id));
                self.kbflow.open = None;
                self.kbflow.rejecting = None;
                return vec![flow(KbFlowTag::Proposals, req::KbProposals::default())];
            }
            (KbFlowTag::Propose, Reply::KbPropose(r)) => {
                self.notice(format!("#{} {}", r.proposal.id, t.kb_proposed));
                return vec![flow(KbFlowTag::Proposals, req::KbProposals::default())];
            }
            (KbFlowTag::EditSource(_), Reply::KbGet(r)) => {
                let a = r.article;
                let purpose = EditPurpose::Edit {
                    article_id: a.id,
                    version: a.version,
                };
                return self.start_edit(purpose, Draft::of_article(&a).document());
            }
            (tag, other) => {
                tracing::warn!(
                    ?tag,
                    reply = other.name(),
                    "a reply that does not fit its tag"
                );
            }
        }
        Vec::new()
    }

    /// A page of titles: kept, and the next one asked for while there are more (up to
    /// [`MAX_LOCAL_TITLES`]).
    pub(super) fn on_kb_titles_page(&mut self, first: bool, r: KbSearchReply) -> Vec<Effect> {
        let page: Vec<KbTitle> = r.articles.into_iter().map(KbTitle::from).collect();
        if first {
            self.kb.set_titles(page);
        } else {
            for title in page {
                self.kb.index_of(title);
            }
        }
        let mut fx = self.refilter_kb();
        if let Some(next) = r.next_offset
            && next < MAX_LOCAL_TITLES
        {
            let more = req::KbSearch {
                query: String::new(),
                limit: Some(KB_TITLES_PAGE),
                offset: Some(next),
            };
            fx.push(request(Tag::KbListMore(next), more));
        }
        fx
    }

    /// A `kb_proposal` event: the author hears the outcome; supervisors' lists refresh.
    pub(super) fn on_kb_proposal_event(&mut self, p: ProposalSummary) -> Vec<Effect> {
        let t = text(self.lang);
        let me = self.me.as_ref().map(|m| m.id);
        if Some(p.author_id) == me && p.status != ProposalStatus::Pending {
            let outcome = match p.status {
                ProposalStatus::Approved => t.kb_approved,
                ProposalStatus::Rejected => t.kb_rejected,
                _ => t.kb_withdrawn,
            };
            let comment = p
                .review_comment
                .as_deref()
                .map(|c| format!(": {}", crate::console::sanitize::inert_line(c)))
                .unwrap_or_default();
            let title = crate::console::sanitize::inert_line(&p.title).into_owned();
            self.notice(format!(
                "{} «{title}» {outcome}{comment}",
                t.kb_your_proposal
            ));
        }
        let approved = p.status == ProposalStatus::Approved;
        if let Some(mine) = self.kbflow.proposals.iter_mut().find(|x| x.id == p.id) {
            *mine = p;
        }
        // The list and the pending count (the status line's) change for both; an approval
        // changed an article, so the unread count too.
        let mut fx = vec![flow(KbFlowTag::Proposals, req::KbProposals::default())];
        if approved {
            fx.push(flow(KbFlowTag::Updates, req::KbUpdates::default()));
        }
        fx
    }

    /// `kb.sent` answered: what the session was sent so far.
    pub(super) fn on_kb_sent(&mut self, session: SessionId, sent: Vec<SentArticle>) {
        self.kbflow.sent.insert(session, sent);
    }
}

/// What a new article's document starts as.
fn new_template() -> String {
    Draft {
        title: String::new(),
        body: String::new(),
        ..Draft::default()
    }
    .document()
}
