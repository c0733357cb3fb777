//! `session.suggest`: recommended replies for the newest customer message of a session, for an
//! agent who may see it. The hub only checks who asks; the work (reading the message,
//! classifying it, two full-text searches, ranking the quick replies, reading three bodies)
//! runs on the read pool after earlier writes committed, never on the hub or the writer.
//! Ranking is `suggest_rank`.

use super::hub::Hub;
use super::intent_book::Intents;
use super::respond::Responder;
use super::suggest_rank::{INTENT_HITS, QuickMatcher, TEXT_HITS, intent_names, rank_articles};
use crate::kb::KbIndex;
use crate::model::{AgentId, AuthorKind, SessionId};
use crate::protocol::{
    ArticleSummary, QuickReply, SuggestReply, SuggestedArticle, SuggestedQuickReply,
};
use crate::store::Read;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

/// Quick-reply matchers by list fingerprint, shared by the read pool's threads: fitting one
/// costs far more than a suggestion (about 1 ms per 100 replies), and the list rarely changes.
/// Keyed by content, so lists of different agents or servers in one process never mix.
static QUICK_MATCHERS: LazyLock<Mutex<HashMap<u64, Arc<QuickMatcher>>>> =
    LazyLock::new(Default::default);
/// Matchers kept; when full, the cache starts again (lists change seldom).
const MAX_MATCHERS: usize = 64;

/// The matcher for `replies`, fitted now if no thread fitted it before.
fn quick_matcher(replies: &[QuickReply]) -> Arc<QuickMatcher> {
    let key = QuickMatcher::fingerprint(replies);
    let cached = QUICK_MATCHERS
        .lock()
        .ok()
        .and_then(|m| m.get(&key).cloned());
    if let Some(m) = cached {
        return m;
    }
    let fitted = Arc::new(QuickMatcher::new(replies));
    if let Ok(mut m) = QUICK_MATCHERS.lock() {
        if m.len() >= MAX_MATCHERS {
            m.clear();
        }
        m.insert(key, fitted.clone());
    }
    fitted
}

/// Messages looked back through for the newest customer message.
const LOOK_BACK: u32 = 30;
/// The start of the message that is searched and compared (a search query is at most 200
/// characters).
const MESSAGE_CHARS: usize = 200;

impl Hub {
    pub(super) fn suggest(
        &mut self,
        r: Responder<SuggestReply>,
        agent: AgentId,
        session: SessionId,
    ) {
        if let Err(e) = self.check_session(agent, session) {
            return self.answer(r, Err(e));
        }
        let Some((last_seq, group)) = self
            .live
            .get(&session)
            .map(|l| (l.view.last_seq, l.view.group.clone()))
        else {
            return self.answer(
                r,
                Err(crate::protocol::ApiError::not_found("no such session")),
            );
        };
        let index = self.kb_index.clone();
        let intents = self.intents.shared();
        self.read_reply(r, move |rd| {
            let quick = quick_replies_of(rd, agent, &group)?;
            suggest_for(
                rd,
                &quick,
                session,
                last_seq,
                index.as_deref(),
                intents.as_deref(),
            )
            .map(Ok)
        });
    }
}

/// Quick replies considered at most (the team's and the agent's own).
const QUICK_REPLIES_READ: u32 = 2_500;

/// The quick replies `agent` may use in a conversation of `group`: the team's that are for
/// every group or for this one, and the agent's own.
fn quick_replies_of(
    rd: &mut dyn Read,
    agent: AgentId,
    group: &str,
) -> crate::store::Result<Vec<QuickReply>> {
    let mut replies = rd.quick_replies_of(agent, QUICK_REPLIES_READ)?;
    replies.retain(|q| q.group.as_deref().is_none_or(|g| g == group));
    Ok(replies)
}

/// The suggestions for the newest customer message among the session's latest.
pub fn suggest_for(
    rd: &mut dyn Read,
    quick: &[QuickReply],
    session: SessionId,
    last_seq: i64,
    index: Option<&KbIndex>,
    intents: Option<&Intents>,
) -> crate::store::Result<SuggestReply> {
    let recent = rd.transcript(session, (last_seq - i64::from(LOOK_BACK)).max(0), LOOK_BACK)?;
    let mut reply = SuggestReply {
        session_id: session,
        for_seq: None,
        intent: None,
        intent_zh: String::new(),
        intent_en: String::new(),
        articles: Vec::new(),
        quick_replies: Vec::new(),
    };
    let Some(message) = recent
        .iter()
        .rev()
        .find(|m| m.author_kind == AuthorKind::Customer)
    else {
        return Ok(reply);
    };
    reply.for_seq = Some(message.seq);
    let text: String = message.body.chars().take(MESSAGE_CHARS).collect();
    let intent = intents.and_then(|i| {
        let label = i.classifier.predict(&text).label?;
        i.set.get(&label)
    });
    if let Some(i) = intent {
        reply.intent = Some(i.name.clone());
        reply.intent_zh = i.zh.clone();
        reply.intent_en = i.en.clone();
    }
    let names = intent.map(intent_names).unwrap_or_default();
    let search =
        |rd: &mut dyn Read, q: &str, n: usize| -> crate::store::Result<Vec<ArticleSummary>> {
            if q.trim().is_empty() {
                return Ok(Vec::new());
            }
            super::kb_ops::best_articles(index, rd, q, n)
        };
    let text_hits = search(rd, &text, TEXT_HITS)?;
    let intent_hits = match intent {
        Some(i) => search(rd, &format!("{} {}", i.zh, i.en), INTENT_HITS)?,
        None => Vec::new(),
    };
    for (article, score) in rank_articles(&text, &names, text_hits, intent_hits) {
        // Unpublished or deleted since the index saw it: left out.
        if let Some(full) = rd.kb_get(article.id)? {
            reply.articles.push(SuggestedArticle {
                article,
                body: full.body,
                score,
            });
        }
    }
    reply.quick_replies = quick_matcher(quick)
        .rank(&text, &names)
        .into_iter()
        .map(|(id, score)| SuggestedQuickReply { id, score })
        .collect();
    Ok(reply)
}
