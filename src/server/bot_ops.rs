//! The answering bot on the hub (`docs/bot.md`). A new conversation in a group the bot fronts
//! (`[bot]`, `[[groups]] bot`) meets the bot instead of the queue: state `bot`, greeted, and
//! invisible to routing. Each customer message is a turn: the pure triage (`crate::bot`) may
//! hand off at once (a request for a person, a strongly negative message); else the message
//! is classified (a complaint hands off) and the knowledge base searched and matched on the
//! read pool (never on the hub), and the
//! answer comes back here to be posted as a `bot` message — or an honest "I don't know" that
//! offers a person, or, after `bot.max_unanswered` of those, a hand-off. Turns of one
//! conversation run one at a time, in order (`bot_book`).
//!
//! A hand-off posts a system line ("connecting you to a person"), records why and when in the
//! session's `bot` record, and queues the conversation like any other (a complaint with the
//! complaint priority). A conversation that ends with the bot records its outcome: `resolved`
//! after at least one answer, else `abandoned`.

use super::hub::Hub;
use crate::bot::{Candidate, Lang, Match, Step, Triage, after_lookup, best_match, triage};
use crate::kb::KbIndex;
use crate::model::{AuthorKind, SessionId, SessionState, now_ms, priority_for};
use crate::protocol::request::SendMessage;
use crate::protocol::{ArticleStatus, BotInfo, BotOutcome, Handoff, HandoffReason};
use crate::store::Read;
use std::sync::Arc;

/// Articles the full-text search proposes per message; the closest question among them wins.
const CANDIDATES: usize = 5;
/// The search query is the message's first this many characters (`kb.search`'s limit).
const MAX_QUERY_CHARS: usize = 200;
/// Longest article text the bot sends, in characters; longer ones are cut with "…".
const MAX_ANSWER_CHARS: usize = 1_500;

impl Hub {
    /// A conversation just opened: the bot takes it (and greets) when it fronts the group on
    /// this channel; VIP customers go straight to people (recorded as a hand-off). Returns
    /// whether the bot took it — then it must not be queued.
    pub(super) fn bot_meets(&mut self, session: SessionId) -> bool {
        let Some(l) = self.live.get(&session) else {
            return false;
        };
        if !self.config.bot_fronts(&l.view.group, l.view.channel) {
            return false;
        }
        let vip = l.view.customer.vip;
        let now = now_ms();
        let Some(l) = self.live.get_mut(&session) else {
            return false;
        };
        if vip {
            l.view.bot = Some(BotInfo {
                handoff: Some(Handoff {
                    reason: HandoffReason::Vip,
                    at: now,
                }),
                outcome: Some(BotOutcome::HandedOff),
                ..BotInfo::default()
            });
            self.metrics.bot.handoff(HandoffReason::Vip);
            return false;
        }
        l.view.state = SessionState::Bot;
        l.view.queued_at = None;
        l.view.offline = false;
        l.view.bot = Some(BotInfo::default());
        self.touch(session);
        let b = &self.config.bot;
        let greeting = format!("{}\n{}", b.greeting_zh, b.greeting_en);
        self.bot_say(session, AuthorKind::Bot, greeting);
        true
    }

    /// A customer's new message (stored already) in a conversation with the bot: its turn now,
    /// or after the turn in flight.
    pub(super) fn bot_hears(&mut self, session: SessionId, text: &str) {
        if self.with_bot(session) && self.bot.admit(session, text) {
            self.bot_turn(session, super::bot_book::turn_text(text));
        }
    }

    fn with_bot(&self, session: SessionId) -> bool {
        self.live
            .get(&session)
            .is_some_and(|l| l.view.state == SessionState::Bot)
    }

    fn bot_info(&mut self, session: SessionId) -> Option<&mut BotInfo> {
        self.live.get_mut(&session)?.view.bot.as_mut()
    }

    fn bot_turn(&mut self, session: SessionId, text: String) {
        let lang = Lang::of(&text);
        let words = self.config.bot.words();
        let negative_threshold = self.config.bot.negative_threshold;
        // The word checks are cheap and stay here (they work even when the read pool is
        // full); the classifier's complaint check runs on the read pool with the search.
        let reason = triage(&Triage {
            text: &text,
            intent: None,
            words: &words,
            negative_threshold,
        });
        if let Some(b) = self.bot_info(session) {
            b.turns += 1;
        }
        self.touch(session);
        if let Some(reason) = reason {
            return self.bot_handoff(session, reason, lang);
        }
        let index = self.kb_index.clone();
        let intents = self.intents.shared();
        self.read_then(
            move |rd| {
                let intent = intents.and_then(|i| i.classifier.predict(&text).label);
                let complaint = triage(&Triage {
                    text: &text,
                    intent: intent.as_deref(),
                    words: &words,
                    negative_threshold,
                });
                match complaint {
                    Some(reason) => Ok(Turn::Handoff(reason)),
                    None => lookup(index, rd, &text).map(Turn::Looked),
                }
            },
            move |hub, turn| match turn {
                Ok(Turn::Handoff(reason)) => hub.bot_handoff(session, reason, lang),
                Ok(Turn::Looked(found)) => hub.bot_looked_up(session, lang, found),
                Err(e) => {
                    tracing::warn!(session, error = %e.message, "the bot's lookup failed");
                    hub.bot_looked_up(session, lang, None)
                }
            },
        );
    }

    /// The knowledge base's best match for a turn is back: answer, fall back or hand off, then
    /// the next message waiting, if any.
    fn bot_looked_up(&mut self, session: SessionId, lang: Lang, found: Option<Match>) {
        // Handed off or ended meanwhile: nothing more to say.
        if !self.with_bot(session) {
            return self.bot.forget(session);
        }
        let unanswered = self.bot_info(session).map_or(0, |b| b.unanswered);
        let b = &self.config.bot;
        let step = after_lookup(found, b.answer_threshold, unanswered, b.max_unanswered);
        let answered = matches!(step, Step::Answer(_));
        self.metrics.bot.turn(answered);
        if let Some(b) = self.bot_info(session) {
            if answered {
                b.answers += 1;
                b.unanswered = 0;
            } else {
                b.unanswered += 1;
            }
        }
        match step {
            Step::Answer(m) => {
                tracing::debug!(session, article = m.id, score = m.score, "the bot answered");
                self.bot_say(session, AuthorKind::Bot, answer_text(&m));
            }
            Step::Fallback => {
                let b = &self.config.bot;
                let text = lang.pick(&b.fallback_zh, &b.fallback_en).to_string();
                self.bot_say(session, AuthorKind::Bot, text);
            }
            Step::Handoff(reason) => return self.bot_handoff(session, reason, lang),
        }
        if let Some(next) = self.bot.next(session) {
            self.bot_turn(session, next);
        }
    }

    /// Hands the conversation to people: the customer is told, the reason recorded, and the
    /// conversation queued in its group.
    pub(super) fn bot_handoff(&mut self, session: SessionId, reason: HandoffReason, lang: Lang) {
        self.bot.forget(session);
        if !self.with_bot(session) {
            return;
        }
        let b = &self.config.bot;
        let line = lang.pick(&b.handoff_zh, &b.handoff_en).to_string();
        self.bot_say(session, AuthorKind::System, line);
        let now = now_ms();
        let Some(group) = self.live.get(&session).map(|l| l.view.group.clone()) else {
            return;
        };
        let offline = !self.group_presence(&group, now).serving();
        let Some(l) = self.live.get_mut(&session) else {
            return;
        };
        let v = &mut l.view;
        if let Some(b) = v.bot.as_mut() {
            b.handoff = Some(Handoff { reason, at: now });
            b.outcome = Some(BotOutcome::HandedOff);
        }
        if reason == HandoffReason::Complaint {
            // As a customer marked as a complainer would rank (`priority_for`).
            let mut tags = v.customer.tags.clone();
            tags.push("complaint".into());
            v.priority = v.priority.max(priority_for(v.customer.vip, &tags));
        }
        v.state = SessionState::Queued;
        v.queued_at = Some(now);
        v.waiting_since = Some(now);
        v.replied_at = None;
        v.reminded_at = None;
        v.offline = offline;
        let priority = v.priority;
        self.touch(session);
        self.metrics.bot.handoff(reason);
        tracing::info!(session, reason = reason.as_str(), "the bot handed off");
        match self.engine.enqueue(session, &group, priority, now) {
            Ok(fx) => self.apply(fx),
            Err(e) => tracing::error!(session, error = %e, "enqueue after hand-off failed"),
        }
        self.tell_waiting(session);
    }

    /// A conversation is ending: if it is with the bot, its outcome is recorded.
    pub(super) fn bot_ends(&mut self, session: SessionId) {
        self.bot.forget(session);
        if !self.with_bot(session) {
            return;
        }
        let Some(b) = self.bot_info(session) else {
            return;
        };
        let outcome = if b.answers > 0 {
            BotOutcome::Resolved
        } else {
            BotOutcome::Abandoned
        };
        b.outcome = Some(outcome);
        self.metrics.bot.ended(outcome);
    }

    /// Posts the bot's message (or, with `System`, the server's line) to the conversation.
    fn bot_say(&mut self, session: SessionId, kind: AuthorKind, body: String) {
        self.machine_say(session, kind, body, "bot");
    }

    /// Posts a machine's message — the bot's or a self-service menu's (`source`), or with
    /// `System` the server's line. A `bot` message starts the silent-customer clock (`idle`),
    /// as an agent's does.
    pub(super) fn machine_say(
        &mut self,
        session: SessionId,
        kind: AuthorKind,
        body: String,
        source: &'static str,
    ) {
        let Some(seq) = self.live.get(&session).map(|l| l.view.last_seq + 1) else {
            return;
        };
        let line = SendMessage {
            session_id: session,
            client_msg_id: format!("{source}-{session}-{seq}"),
            body,
        };
        if let Err(e) = self.post_message(kind, 0, line, None) {
            tracing::warn!(session, source, error = %e.message, "a machine's message was not posted");
            return;
        }
        if kind == AuthorKind::Bot
            && let Some(l) = self.live.get_mut(&session)
        {
            l.view.replied_at = Some(now_ms());
            l.view.reminded_at = None;
        }
    }

    /// Publishes how many conversations are with the bot (`/metrics`).
    pub(super) fn publish_bot_sessions(&self) {
        let n = self
            .live
            .values()
            .filter(|l| l.view.state == SessionState::Bot)
            .count();
        self.metrics.bot.sessions.set(n as i64);
    }
}

/// What the read pool found for a turn.
enum Turn {
    /// The classifier calls it a complaint: hand off without searching.
    Handoff(HandoffReason),
    /// The closest article, if any was close at all.
    Looked(Option<Match>),
}

/// On the read pool: the full-text search's best candidates for `text` and the closest of them.
fn lookup(
    index: Option<Arc<KbIndex>>,
    rd: &mut dyn Read,
    text: &str,
) -> crate::store::Result<Option<Match>> {
    let query: String = text.chars().take(MAX_QUERY_CHARS).collect();
    let query = query.trim();
    if query.is_empty() {
        return Ok(None);
    }
    let found = super::kb_ops::best_articles(index.as_deref(), rd, query, CANDIDATES)?;
    let mut candidates = Vec::with_capacity(found.len());
    for s in found {
        if let Some(a) = rd.kb_get(s.id)?
            && a.status == ArticleStatus::Published
        {
            candidates.push(Candidate {
                id: a.id,
                title: a.title,
                questions: a.questions,
                body: a.body,
            });
        }
    }
    Ok(best_match(query, &candidates))
}

/// The answer the customer gets: the article's title and text, cut at [`MAX_ANSWER_CHARS`].
fn answer_text(m: &Match) -> String {
    let body = m.body.trim();
    let mut text: String = body.chars().take(MAX_ANSWER_CHARS).collect();
    if body.chars().count() > MAX_ANSWER_CHARS {
        text.push('…');
    }
    format!("{}\n\n{}", m.title.trim(), text)
}
