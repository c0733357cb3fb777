//! The knowledge base's workflow on the hub: contributions (`kb.propose`, `kb.proposals`,
//! `kb.proposal`, `kb.review`, `kb.withdraw`) and latest updates (`kb.updates`,
//! `kb.check_in`, `kb.checkins`). Lists and diffs are read on the read pool; proposing and
//! reviewing run in one store transaction each (the "is it still pending, is the article
//! still at the base version" checks and the writes together), then the hub tells the
//! author and the supervisors with a durable `kb_proposal` event.

use super::hub::Hub;
use super::outbox::Outbox;
use super::respond::Responder;
use crate::kb::import::guess_lang;
use crate::kb::proposal::{
    self, Draft, MAX_COMMENT_CHARS, MAX_PENDING_PER_AGENT, MAX_PER_AGENT_PER_DAY,
};
use crate::model::{AgentId, Millis, now_ms};
use crate::permissions::{self, Action, Resource};
use crate::protocol::request::{KbProposals, KbPropose, KbReview};
use crate::protocol::{
    ApiError, Article, ArticleStatus, ErrorCode, Event, KbCheckInReply, KbCheckinsReply,
    KbProposalReply, KbProposalsReply, KbProposeReply, KbReviewReply, KbUpdatesReply, Proposal,
    ProposalStatus, ProposalSummary, Request,
};
use crate::store::kb_flow::{ProposalFilter, Review};
use crate::store::{Audience, SaveOutcome, Tx};
use serde_json::Value;

/// Proposals listed per request, newest first.
const MAX_PROPOSALS_LISTED: u32 = 200;
const DEFAULT_UPDATES: u32 = 50;
const MAX_UPDATES: u32 = 200;

impl Hub {
    /// One of the workflow's requests, from a logged-in agent.
    pub(super) fn kb_flow_request(&mut self, agent: AgentId, out: Outbox, id: Value, req: Request) {
        match req {
            Request::KbPropose(q) => self.kb_propose(Responder::new(out, id), agent, q),
            Request::KbProposals(q) => self.kb_proposals(Responder::new(out, id), agent, q),
            Request::KbProposalGet(q) => {
                self.kb_proposal(Responder::new(out, id), agent, q.proposal_id)
            }
            Request::KbReview(q) => self.kb_review(Responder::new(out, id), agent, q),
            Request::KbWithdraw(q) => {
                self.kb_withdraw(Responder::new(out, id), agent, q.proposal_id)
            }
            Request::KbUpdates(q) => {
                let limit = q.limit.unwrap_or(DEFAULT_UPDATES).clamp(1, MAX_UPDATES);
                self.read_reply(Responder::new(out, id), move |tx| {
                    let u = tx.kb_updates(agent, limit)?;
                    Ok(Ok(KbUpdatesReply {
                        checked_at: u.checked_at,
                        unread: u.unread,
                        updates: u.updates,
                    }))
                })
            }
            Request::KbCheckIn(_) => {
                let now = now_ms();
                self.write(move |tx| tx.kb_check_in(agent, now));
                self.answer(
                    Responder::new(out, id),
                    Ok(KbCheckInReply { checked_at: now }),
                );
            }
            Request::KbCheckins(_) => {
                let r = Responder::new(out, id);
                let all = Resource::EVERYONES;
                if let Err(e) = self.permit(agent, Action::ReviewKb, all, "kb.checkins") {
                    return self.answer(r, Err(e));
                }
                self.read_reply(r, |tx| {
                    Ok(Ok(KbCheckinsReply {
                        agents: tx.kb_checkins()?,
                    }))
                })
            }
            // Dispatch sends only the requests above here.
            other => {
                tracing::error!(
                    request = other.kind(),
                    "not a knowledge-base workflow request"
                );
                self.answer(Responder::<()>::new(out, id), Err(ApiError::internal()));
            }
        }
    }

    fn username(&self, agent: AgentId) -> String {
        self.agents
            .get(&agent)
            .map(|e| e.row.username.clone())
            .unwrap_or_default()
    }

    fn kb_propose(&mut self, r: Responder<KbProposeReply>, agent: AgentId, q: KbPropose) {
        if let Err(m) = proposal::check(&q) {
            return self.answer(r, Err(ApiError::invalid(m)));
        }
        let sees_all = self.allows(agent, Action::ReadDrafts, Resource::EVERYONES);
        let author = self.username(agent);
        let now = now_ms();
        self.write_then(
            move |tx| Ok(store_proposal(tx, agent, author, sees_all, q, now)),
            |hub, result| {
                if let Ok(s) = &result {
                    hub.tell_about(s.clone(), false);
                }
                hub.answer(r, result.map(|proposal| KbProposeReply { proposal }));
            },
        );
    }

    fn kb_proposals(&mut self, r: Responder<KbProposalsReply>, agent: AgentId, q: KbProposals) {
        let filter = if self.allows(agent, Action::ReadProposals, Resource::EVERYONES) {
            ProposalFilter {
                author: None,
                status: Some(q.status.unwrap_or(ProposalStatus::Pending)),
            }
        } else {
            ProposalFilter {
                author: Some(agent),
                status: q.status,
            }
        };
        self.read_reply(r, move |tx| {
            Ok(Ok(KbProposalsReply {
                proposals: tx.kb_proposals(filter, MAX_PROPOSALS_LISTED)?,
                pending: tx.kb_pending_proposals(filter.author)?,
            }))
        });
    }

    /// For its author and supervisors: the proposal, the article now, and the diff between.
    fn kb_proposal(&mut self, r: Responder<KbProposalReply>, agent: AgentId, id: i64) {
        let actor = self.actor(agent);
        let target = format!("proposal:{id}");
        self.read_reply_audited(r, agent, Action::ReadProposals, target, move |tx| {
            let Some(p) = tx.kb_proposal(id)? else {
                return Ok(Err(ApiError::not_found(format!("no proposal {id}"))));
            };
            let own = Resource::of(p.summary.author_id == agent, &[]);
            if let Err(d) = permissions::may(&actor, Action::ReadProposals, own) {
                return Ok(Err(ApiError::forbidden(format!("proposal {id}: {d}"))));
            }
            let current = match p.summary.article_id {
                Some(a) => tx.kb_get(a)?,
                None => None,
            };
            let old = current
                .as_ref()
                .map(|a| Draft::of_article(a).document())
                .unwrap_or_default();
            let diff = proposal::diff(&old, &Draft::of_proposal(&p).document());
            // An edit whose article moved on (or went away) cannot be approved as it is.
            let stale = p.summary.status == ProposalStatus::Pending
                && p.summary.article_id.is_some()
                && current.as_ref().map(|a| a.version) != p.summary.base_version;
            Ok(Ok(KbProposalReply {
                proposal: p,
                current,
                diff,
                stale,
            }))
        });
    }

    fn kb_review(&mut self, r: Responder<KbReviewReply>, agent: AgentId, q: KbReview) {
        let target = format!("proposal:{}", q.proposal_id);
        if let Err(e) = self.permit(agent, Action::ReviewKb, Resource::EVERYONES, &target) {
            return self.answer(r, Err(e));
        }
        if q.comment.chars().count() > MAX_COMMENT_CHARS {
            let e = ApiError::invalid(format!(
                "the comment is over {MAX_COMMENT_CHARS} characters"
            ));
            return self.answer(r, Err(e));
        }
        let reviewer = self.username(agent);
        let now = now_ms();
        self.write_then(
            move |tx| Ok(review(tx, q, reviewer, now)),
            |hub, result| {
                if let Ok(s) = &result {
                    if s.status == ProposalStatus::Approved
                        && let Some(index) = &hub.kb_index
                    {
                        index.nudge();
                    }
                    hub.tell_about(s.clone(), true);
                }
                hub.answer(r, result.map(|proposal| KbReviewReply { proposal }));
            },
        );
    }

    fn kb_withdraw(&mut self, r: Responder<KbReviewReply>, agent: AgentId, id: i64) {
        let now = now_ms();
        let actor = self.actor(agent);
        self.write_then(
            move |tx| {
                let Some(p) = tx.kb_proposal(id)? else {
                    return Ok(Err(ApiError::not_found(format!("no proposal {id}"))));
                };
                let own = Resource::of(p.summary.author_id == agent, &[]);
                if let Err(d) = permissions::may(&actor, Action::WithdrawProposal, own) {
                    return Ok(Err(ApiError::forbidden(format!("proposal {id}: {d}"))));
                }
                if let Err(e) = still_pending(&p.summary) {
                    return Ok(Err(e));
                }
                let review = Review {
                    status: ProposalStatus::Withdrawn,
                    reviewer: None,
                    comment: None,
                    at: now,
                    result: None,
                };
                tx.review_proposal(id, &review)?;
                Ok(reread(tx, id))
            },
            move |hub, result| {
                if let Err(e) = &result
                    && e.code == crate::protocol::ErrorCode::Forbidden
                {
                    let target = format!("proposal:{id}");
                    hub.denied_with(agent, Action::WithdrawProposal, &target, e.clone());
                }
                if let Ok(s) = &result {
                    hub.tell_about(s.clone(), false);
                }
                hub.answer(r, result.map(|proposal| KbReviewReply { proposal }));
            },
        );
    }

    /// A durable `kb_proposal` event to the supervisors (their pending lists change) and, for
    /// a review, to the author (once, if the author is a supervisor too).
    fn tell_about(&mut self, proposal: ProposalSummary, author_too: bool) {
        let author = proposal.author_id;
        let ev = Event::KbProposal { proposal };
        self.emit(Audience::Supervisors, None, &ev);
        if author_too && !self.gets_supervisor_copy(author, None) {
            self.emit(Audience::Agent(author), None, &ev);
        }
    }
}

fn still_pending(p: &ProposalSummary) -> Result<(), ApiError> {
    match p.status {
        ProposalStatus::Pending => Ok(()),
        done => Err(ApiError::conflict(format!(
            "proposal {} was already {}",
            p.id,
            done.as_str()
        ))),
    }
}

fn reread(tx: &mut dyn Tx, id: i64) -> Result<ProposalSummary, ApiError> {
    match tx.kb_proposal(id) {
        Ok(Some(p)) => Ok(p.summary),
        Ok(None) => Err(ApiError::not_found(format!("no proposal {id}"))),
        Err(e) => {
            tracing::error!(error = %e, "reading a proposal back failed");
            Err(ApiError::internal())
        }
    }
}

/// Checks and stores a proposal in the writer's transaction.
fn store_proposal(
    tx: &mut dyn Tx,
    agent: AgentId,
    author: String,
    sees_all: bool,
    q: KbPropose,
    now: Millis,
) -> Result<ProposalSummary, ApiError> {
    let internal = |e: crate::store::StoreError| {
        tracing::error!(error = %e, "storing a proposal failed");
        ApiError::internal()
    };
    let day = now.saturating_sub(24 * 3_600_000);
    let today = tx
        .kb_proposals_since(agent, day, MAX_PER_AGENT_PER_DAY)
        .map_err(internal)?;
    if today >= MAX_PER_AGENT_PER_DAY {
        return Err(ApiError::new(
            ErrorCode::RateLimited,
            format!("at most {MAX_PER_AGENT_PER_DAY} proposals a day; try again tomorrow"),
        ));
    }
    let pending = tx.kb_pending_proposals(Some(agent)).map_err(internal)?;
    if pending >= MAX_PENDING_PER_AGENT {
        return Err(ApiError::new(
            ErrorCode::RateLimited,
            format!(
                "you have {pending} proposals waiting for review (at most \
                 {MAX_PENDING_PER_AGENT}); withdraw one or wait for a review"
            ),
        ));
    }
    let base_version = match q.article_id {
        None => None,
        Some(id) => {
            let article = tx.kb_get(id).map_err(internal)?;
            let Some(a) = article.filter(|a| sees_all || a.status == ArticleStatus::Published)
            else {
                return Err(ApiError::not_found(format!("no article {id}")));
            };
            match q.base_version {
                Some(v) if v < 1 || v > a.version => {
                    return Err(ApiError::invalid(format!(
                        "article {id} has no version {v} (it is at version {})",
                        a.version
                    )));
                }
                Some(v) => Some(v),
                None => Some(a.version),
            }
        }
    };
    let p = Proposal {
        summary: ProposalSummary {
            article_id: q.article_id,
            base_version,
            author_id: agent,
            author,
            title: q.title.trim().to_string(),
            comment: q.comment.trim().to_string(),
            created_at: now,
            ..ProposalSummary::default()
        },
        body: q.body.trim().to_string(),
        category: q.category.trim().to_string(),
        tags: q.tags,
        questions: q.questions,
    };
    let id = tx.insert_proposal(&p).map_err(internal)?;
    reread(tx, id)
}

/// Approves (a new article version by the proposal's author) or rejects a pending proposal
/// in the writer's transaction.
fn review(
    tx: &mut dyn Tx,
    q: KbReview,
    reviewer: String,
    now: Millis,
) -> Result<ProposalSummary, ApiError> {
    let internal = |e: crate::store::StoreError| {
        tracing::error!(error = %e, "reviewing a proposal failed");
        ApiError::internal()
    };
    let Some(p) = tx.kb_proposal(q.proposal_id).map_err(internal)? else {
        return Err(ApiError::not_found(format!(
            "no proposal {}",
            q.proposal_id
        )));
    };
    still_pending(&p.summary)?;
    let comment = Some(q.comment.trim().to_string()).filter(|c| !c.is_empty());
    let mut review = Review {
        status: ProposalStatus::Rejected,
        reviewer: Some(reviewer),
        comment,
        at: now,
        result: None,
    };
    if q.approve {
        review.status = ProposalStatus::Approved;
        review.result = Some(apply(tx, &p, now)?);
    }
    tx.review_proposal(q.proposal_id, &review)
        .map_err(internal)?;
    reread(tx, q.proposal_id)
}

/// Writes an approved proposal: an edit only if the article is still at its base version.
/// Returns the article id and the version it is at now.
fn apply(tx: &mut dyn Tx, p: &Proposal, now: Millis) -> Result<(i64, i64), ApiError> {
    let internal = |e: crate::store::StoreError| {
        tracing::error!(error = %e, "writing an approved proposal failed");
        ApiError::internal()
    };
    let s = &p.summary;
    let Some(article_id) = s.article_id else {
        let a = Article {
            title: s.title.clone(),
            body: p.body.clone(),
            category: p.category.clone(),
            tags: p.tags.clone(),
            questions: p.questions.clone(),
            author: s.author.clone(),
            lang: guess_lang(&format!("{} {}", s.title, p.body)),
            updated_at: now,
            status: ArticleStatus::Published,
            ..Article::default()
        };
        return Ok((tx.insert_article(&a).map_err(internal)?, 1));
    };
    let Some(current) = tx.kb_get(article_id).map_err(internal)? else {
        return Err(ApiError::conflict(format!(
            "article {article_id} no longer exists; the proposal cannot be applied"
        )));
    };
    if Some(current.version) != s.base_version {
        return Err(ApiError::conflict(format!(
            "article {article_id} changed since this proposal was made (from version {}, it \
             is at version {} now); reject it and ask {} to propose again from the current \
             version",
            s.base_version.unwrap_or(0),
            current.version,
            s.author
        )));
    }
    let edited = Article {
        title: s.title.clone(),
        body: p.body.clone(),
        category: p.category.clone(),
        tags: p.tags.clone(),
        questions: p.questions.clone(),
        author: s.author.clone(),
        updated_at: now,
        ..current.clone()
    };
    let version = match tx.save_article(&edited).map_err(internal)? {
        SaveOutcome::Updated(_) => current.version + 1,
        SaveOutcome::Created(_) | SaveOutcome::Unchanged(_) => current.version,
    };
    Ok((article_id, version))
}
