//! Agent requests that read reference material: the knowledge base and quick replies. Any
//! logged-in agent may use them; they only read, once earlier writes committed.

use super::hub::Hub;
use super::respond::Responder;
use crate::protocol::request::KbSearch;
use crate::protocol::{ApiError, KbGetReply, KbSearchReply, QuickRepliesReply};

/// Titles returned by `kb.search` when the request gives no limit.
const DEFAULT_KB_LIMIT: u32 = 100;
/// Enough for a console to fetch every title once and search locally as the agent types.
const MAX_KB_LIMIT: u32 = 100_000;
const MAX_QUERY_CHARS: usize = 200;

impl Hub {
    pub(super) fn kb_search(&mut self, r: Responder<KbSearchReply>, q: KbSearch) {
        // Validate before queueing work, so bad input is answered at once.
        if q.query.chars().count() > MAX_QUERY_CHARS {
            let e = ApiError::invalid(format!("the query is over {MAX_QUERY_CHARS} characters"));
            return self.answer(r, Err(e));
        }
        let limit = q.limit.unwrap_or(DEFAULT_KB_LIMIT).min(MAX_KB_LIMIT);
        self.read_reply(r, move |tx| {
            let articles = tx.kb_search(q.query.trim(), limit)?;
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

    pub(super) fn quick_replies(&mut self, r: Responder<QuickRepliesReply>) {
        self.read_reply(r, |tx| {
            Ok(Ok(QuickRepliesReply {
                quick_replies: tx.list_quick_replies()?,
            }))
        });
    }
}
