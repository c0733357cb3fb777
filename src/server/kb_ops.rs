//! Agent requests about the knowledge base and quick replies. Reads (`kb.search`, `kb.get`,
//! `kb.history`, `quick_replies.list`) run on the read pool once earlier writes committed;
//! full-text searches use the index in the data dir's `kb-index/` there too, never on the
//! hub or the writer. `kb.sent` records an article sent in the agent's session.

use super::hub::Hub;
use super::respond::Responder;
use crate::config::ServerConfig;
use crate::kb::KbIndex;
use crate::model::{AgentId, now_ms};
use crate::protocol::request::{KbSearch, KbSent};
use crate::protocol::{ApiError, KbGetReply, KbHistoryReply, KbSearchReply, KbSentReply};
use crate::store::Reader;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Titles returned by `kb.search` when the request gives no limit.
const DEFAULT_KB_LIMIT: u32 = 100;
/// Enough for a console to fetch every title once and search locally as the agent types.
const MAX_KB_LIMIT: u32 = 100_000;
/// Full-text hits are ranked and each gets a snippet (segmenting its text): nobody reads past
/// the first few dozen, and a larger page would only make one request cost more.
const MAX_FULL_TEXT_LIMIT: u32 = 50;
const MAX_QUERY_CHARS: usize = 200;
/// How often the index looks for article changes made outside the server (`kefu admin kb`).
const INDEX_POLL: Duration = Duration::from_secs(2);

/// Up to this many article changes behind, the index catches up before the server serves
/// (so searches see every article from the first request); more (a rebuild of a large
/// knowledge base) is done in the background while the server already serves.
const CATCH_UP_AT_START: i64 = 5_000;

/// Opens (or rebuilds) the index in `data_dir/kb-index` and starts it following the store.
pub(super) fn open_index(
    data_dir: &Path,
    config: &ServerConfig,
    mut reader: Box<dyn Reader>,
) -> anyhow::Result<Arc<KbIndex>> {
    let synonyms = config.kb.synonyms().map_err(anyhow::Error::msg)?;
    let index = KbIndex::open(&data_dir.join("kb-index"), synonyms)?;
    let mut caught_up = Ok(0);
    reader.snapshot(&mut |rd| {
        if (rd.kb_max_rev()? - index.rev()).abs() <= CATCH_UP_AT_START {
            caught_up = index.catch_up(rd);
        }
        Ok(())
    })?;
    caught_up?;
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
        let limit = q.limit.unwrap_or(DEFAULT_KB_LIMIT).min(MAX_KB_LIMIT);
        let index = self.kb_index.clone();
        self.read_reply(r, move |tx| {
            let query = q.query.trim();
            let articles = match index {
                Some(index) if !query.is_empty() => {
                    match index.search(tx, query, limit.min(MAX_FULL_TEXT_LIMIT) as usize) {
                        Ok(hits) => hits,
                        Err(e) => {
                            tracing::error!(error = %e, "kb search failed");
                            return Ok(Err(ApiError::internal()));
                        }
                    }
                }
                _ => tx.kb_search(query, limit)?,
            };
            Ok(Ok(KbSearchReply { articles }))
        });
    }

    pub(super) fn kb_get(&mut self, r: Responder<KbGetReply>, article_id: i64) {
        self.read_reply(r, move |tx| {
            Ok(match tx.kb_get(article_id)? {
                Some(article) => Ok(KbGetReply { article }),
                None => Err(ApiError::not_found(format!("no article {article_id}"))),
            })
        });
    }

    pub(super) fn kb_history(&mut self, r: Responder<KbHistoryReply>, article_id: i64) {
        self.read_reply(r, move |tx| {
            let versions = tx.kb_versions(article_id)?;
            Ok(if versions.is_empty() {
                Err(ApiError::not_found(format!("no article {article_id}")))
            } else {
                Ok(KbHistoryReply { versions })
            })
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
