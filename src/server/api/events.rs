//! `GET /api/v1/conversations/{id}/events?after=CURSOR&limit=N`: an integration catches up on
//! one of its conversations: the customer-side events after a cursor, in order, as the
//! webhook delivers them (`webhook::payload`), the customer's own messages included.

use super::{ApiState, fail, read};
use crate::protocol::ApiError;
use crate::server::webhook::payload;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Response};

const DEFAULT_LIMIT: u32 = 100;
/// Events a page holds at most: each carries up to a message's 64 KiB, and up to
/// `[api] max_in_flight` pages may be built at once.
const MAX_LIMIT: u32 = 100;

pub async fn get_events(
    State(state): State<ApiState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    // What was signed: the path and query as sent.
    let signed = uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let _permit = match state.admit() {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let integration = match state.authenticate(&headers, signed.as_bytes()).await {
        Ok(v) => v,
        Err(e) => return fail(e),
    };
    let (after, limit) = match params(query.as_deref()) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let Ok(session) = id.parse::<i64>() else {
        return fail(ApiError::invalid("the conversation id must be an integer"));
    };
    let (iid, name) = (integration.id, integration.name.clone());
    let found = read(&state.readers, move |rd| {
        let Some(s) = rd.session(session)? else {
            return Ok(None);
        };
        match rd.customer_integration(s.customer.id)? {
            Some((i, _)) if i == iid => {}
            _ => return Ok(None),
        }
        Ok(Some(rd.channel_events(iid, Some(session), after, limit)?))
    })
    .await;
    let events = match found {
        Ok(Some(evs)) => evs,
        // Another integration's conversation is as unknown as a missing one.
        Ok(None) => return fail(ApiError::not_found(format!("no conversation {session}"))),
        Err(e) => return fail(e),
    };
    let next = events.last().map(|e| e.id).unwrap_or(after);
    let items: Vec<String> = events.iter().map(|e| payload(&name, e)).collect();
    let body = format!(r#"{{"events":[{}],"next_after":{next}}}"#, items.join(","));
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// `after` (default 0) and `limit` (default 100, at most 1000) from the query string.
fn params(query: Option<&str>) -> Result<(i64, u32), ApiError> {
    let (mut after, mut limit) = (0i64, DEFAULT_LIMIT);
    for pair in query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match k {
            "after" => {
                after =
                    v.parse().ok().filter(|a| *a >= 0).ok_or_else(|| {
                        ApiError::invalid("after must be a cursor (an integer ≥ 0)")
                    })?
            }
            "limit" => {
                limit = v
                    .parse::<u32>()
                    .ok()
                    .filter(|l| *l >= 1)
                    .ok_or_else(|| ApiError::invalid("limit must be an integer ≥ 1"))?
                    .min(MAX_LIMIT)
            }
            _ => {}
        }
    }
    Ok((after, limit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_default_cap_and_refuse() {
        assert_eq!(params(None).unwrap(), (0, 100));
        assert_eq!(
            params(Some("after=42&limit=5000")).unwrap(),
            (42, MAX_LIMIT)
        );
        assert!(params(Some("after=-1")).is_err());
        assert!(params(Some("after=x")).is_err());
        assert!(params(Some("limit=0")).is_err());
    }
}
