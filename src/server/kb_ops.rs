//! Agent requests about the knowledge base. Reads (`kb.search`, `kb.get`, `kb.history`) run
//! on the read pool once earlier writes committed;
//! full-text searches use the index in the data dir's `kb-index/` there too, never on the
//! hub or the writer. `kb.sent` records an article sent in the agent's session.

use super::hub::Hub;
use super::respond::Responder;
use crate::config::ServerConfig;
use crate::kb::KbIndex;
use crate::model::{AgentId, now_ms};
use crate::permissions::{Action, Resource};
use crate::protocol::request::{KbSearch, KbSent};
use crate::protocol::{
    ApiError, ArticleStatus, KbGetReply, KbHistoryReply, KbSearchReply, KbSentReply,
};
use crate::store::Reader;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Titles returned by `kb.search` when the request gives no limit.
const DEFAULT_KB_LIMIT: u32 = 100;
/// A page of titles (an empty query pages with `offset`): a console fetches as many pages as
/// it wants to search locally, none of them a large reply.
const MAX_KB_LIMIT: u32 = 200;
/// `kb.history` returns at most the newest this many versions (and says how many there are).
pub(super) const MAX_HISTORY: u32 = 50;
/// Full-text hits are ranked and each gets a snippet (segmenting its text): nobody reads past
/// the first few dozen, and a larger page would only make one request cost more.
const MAX_FULL_TEXT_LIMIT: u32 = 50;
const MAX_QUERY_CHARS: usize = 200;
/// How often the index looks for article changes made outside the server (`kefu admin kb`).
const INDEX_POLL: Duration = Duration::from_secs(2);

/// Opens (or starts rebuilding) the index in `data_dir/kb-index` and starts it following the
/// store. The server does not wait for it: until the index has caught up once
/// ([`KbIndex::ready`]), searches answer from the store's title and keyword match, marked
/// `fallback` in the reply.
pub(super) fn open_index(
    data_dir: &Path,
    config: &ServerConfig,
    reader: Box<dyn Reader>,
) -> anyhow::Result<Arc<KbIndex>> {
    let synonyms = config.kb.synonyms().map_err(anyhow::Error::msg)?;
    let index = KbIndex::open(&data_dir.join("kb-index"), synonyms)?;
    index.follow(reader, INDEX_POLL);
    Ok(index)
}

impl Hub {
    pub(super) fn kb_search(&mut self, r: Responder<KbSearchReply>, q: KbSearch) {
        // Validate before queueing work, so bad input is answered at once.
        if q.query.chars().count() > MAX_QUERY_CHARS {
            let e = ApiError::invalid(format!("the query is over {MAX_QUERY_CHARS} characters"));
            return self.answer(r, Err(e));
        }
        let limit = q.limit.unwrap_or(DEFAULT_KB_LIMIT).clamp(1, MAX_KB_LIMIT);
        let index = self.kb_index.clone();
        self.read_reply(r, move |tx| {
            let query = q.query.trim();
            let mut reply = KbSearchReply {
                articles: Vec::new(),
                next_offset: None,
                fallback: false,
            };
            if query.is_empty() {
                // A page of titles by id.
                let offset = q.offset.unwrap_or(0);
                reply.articles = tx.kb_titles(offset, limit)?;
                if reply.articles.len() == limit as usize {
                    reply.next_offset = Some(offset.saturating_add(limit));
                }
                return Ok(Ok(reply));
            }
            match index {
                Some(index) if index.ready() => {
                    match index.search(tx, query, limit.min(MAX_FULL_TEXT_LIMIT) as usize) {
                        Ok(hits) => reply.articles = hits,
                        Err(e) => {
                            tracing::error!(error = %e, "kb search failed");
                            return Ok(Err(ApiError::internal()));
                        }
                    }
                }
                _ => {
                    reply.articles = tx.kb_search(query, limit.min(MAX_FULL_TEXT_LIMIT))?;
                    reply.fallback = true;
                }
            }
            Ok(Ok(reply))
        });
    }

    /// (see [`best_articles`] for the bot and suggestions.)
    ///
    /// Drafts and archived articles only for supervisors and admins: to agents they do not
    /// exist (their authors see their own proposals through `kb.proposal`).
    pub(super) fn kb_get(&mut self, r: Responder<KbGetReply>, agent: AgentId, article_id: i64) {
        let sees_all = self.allows(agent, Action::ReadDrafts, Resource::EVERYONES);
        self.read_reply(r, move |tx| {
            Ok(match tx.kb_get(article_id)? {
                Some(article) if sees_all || article.status == ArticleStatus::Published => {
                    Ok(KbGetReply { article })
                }
                _ => Err(ApiError::not_found(format!("no article {article_id}"))),
            })
        });
    }

    /// The newest [`MAX_HISTORY`] versions; `total` says how many there are.
    pub(super) fn kb_history(
        &mut self,
        r: Responder<KbHistoryReply>,
        agent: AgentId,
        article_id: i64,
    ) {
        let sees_all = self.allows(agent, Action::ReadDrafts, Resource::EVERYONES);
        self.read_reply(r, move |tx| {
            let visible = tx
                .kb_get(article_id)?
                .is_some_and(|a| sees_all || a.status == ArticleStatus::Published);
            if !visible {
                return Ok(Err(ApiError::not_found(format!("no article {article_id}"))));
            }
            let (versions, total) = tx.kb_versions_newest(article_id, MAX_HISTORY)?;
            Ok(Ok(KbHistoryReply { versions, total }))
        });
    }

    /// Records first (in the session's own agent's name, for an existing article), then
    /// lists what the session was sent.
    pub(super) fn kb_sent(&mut self, r: Responder<KbSentReply>, agent: AgentId, q: KbSent) {
        let session = q.session_id;
        let list = move |hub: &mut Hub, r: Responder<KbSentReply>| {
            hub.read_reply(r, move |tx| {
                Ok(Ok(KbSentReply {
                    sent: tx.kb_sent(session)?,
                }))
            });
        };
        // Listing too is for those who may see the session.
        if let Err(e) = self.check_session(agent, session) {
            return self.answer(r, Err(e));
        }
        let Some(article) = q.article_id else {
            return list(self, r);
        };
        self.read_then(
            move |rd| rd.kb_get(article),
            move |hub, found| match found {
                Ok(Some(_)) => {
                    let now = now_ms();
                    hub.write(move |tx| tx.record_sent_article(session, article, Some(agent), now));
                    list(hub, r);
                }
                Ok(None) => {
                    hub.answer(r, Err(ApiError::not_found(format!("no article {article}"))))
                }
                Err(e) => hub.answer(r, Err(e)),
            },
        );
    }
}

/// For the bot and the suggestions, on the read pool: full-text hits once the index has caught
/// up with the store; before that (or if the index fails) the store's title and keyword match,
/// as `kb.search` answers meanwhile.
pub(super) fn best_articles(
    index: Option<&KbIndex>,
    rd: &mut dyn crate::store::Read,
    query: &str,
    limit: usize,
) -> crate::store::Result<Vec<crate::protocol::ArticleSummary>> {
    if let Some(ix) = index.filter(|ix| ix.ready()) {
        match ix.search(rd, query, limit) {
            Ok(hits) => return Ok(hits),
            Err(e) => tracing::error!(error = %e, "kb search failed; the store's match answers"),
        }
    }
    rd.kb_search(query, u32::try_from(limit).unwrap_or(u32::MAX))
}
