//! Agent requests that read reference material: the knowledge base and quick replies. Any
//! logged-in agent may use them; they only read, in the committer's order like transcripts.

use super::customer_ops::reply_after;
use super::hub::Hub;
use crate::protocol::{ApiError, Request};
use serde_json::{Value, json};

/// Titles returned by `kb.search` when the request gives no limit.
const DEFAULT_KB_LIMIT: u32 = 100;
/// Enough for a console to fetch every title once and search locally as the agent types.
const MAX_KB_LIMIT: u32 = 100_000;
const MAX_QUERY_CHARS: usize = 200;

impl Hub {
    /// Handles `kb.search`, `kb.get` and `quick_replies.list`; the reply follows the read.
    pub(super) fn kb_request(&mut self, request: Request) -> Result<Option<Value>, ApiError> {
        // Validate before queueing work, so bad input is answered at once.
        if let Request::KbSearch { query, .. } = &request
            && query.chars().count() > MAX_QUERY_CHARS
        {
            return Err(ApiError::invalid(format!(
                "the query is over {MAX_QUERY_CHARS} characters"
            )));
        }
        let Some((out, id)) = self.pending_reply() else {
            return Ok(None);
        };
        self.batch.work.push(Box::new(move |tx| {
            let outcome = match request {
                Request::KbSearch { query, limit } => {
                    let limit = limit.unwrap_or(DEFAULT_KB_LIMIT).min(MAX_KB_LIMIT);
                    let articles = tx.kb_search(query.trim(), limit)?;
                    Ok(json!({ "articles": articles }))
                }
                Request::KbGet { article_id } => match tx.kb_get(article_id)? {
                    Some(article) => Ok(json!({ "article": article })),
                    None => Err(ApiError::not_found(format!("no article {article_id}"))),
                },
                Request::QuickReplies => Ok(json!({ "quick_replies": tx.list_quick_replies()? })),
                _ => Err(ApiError::internal()),
            };
            Ok(Some(reply_after(out, id, outcome)))
        }));
        Ok(None)
    }
}
