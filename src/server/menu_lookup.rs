//! A self-service menu's lookup webhook (`docs/menus.md`): the customer's input POSTed as JSON
//! `{menu, node, input, session_id, customer}` to the node's URL, signed like the channel
//! API's webhooks when `[menus] lookup_secret` is set (`X-Kefu-Timestamp`,
//! `X-Kefu-Signature: sha256=…`), within the node's timeout and `[menus] max_response_bytes`;
//! the answer is the response's `answer` text, cleaned and cut (`crate::menu::nav::
//! lookup_answer`). Runs off the hub; any failure is an `Err` with the reason, and the
//! customer gets the node's fallback.

use crate::model::SessionId;
use crate::protocol::CustomerView;
use std::time::Duration;

/// Connecting may take at most this long (within the node's total timeout).
const CONNECT_TIMEOUT_MS: u64 = 2_000;

pub struct LookupRequest {
    pub url: String,
    pub timeout_ms: u64,
    pub body: Vec<u8>,
    pub secret: Option<String>,
    pub max_bytes: usize,
}

/// The JSON POSTed: the menu, the node, the input, the conversation and who the customer is
/// (the shop's own id when it gave one).
pub fn body(
    menu: &str,
    node: &str,
    input: &str,
    session: SessionId,
    customer: &CustomerView,
) -> Vec<u8> {
    let v = serde_json::json!({
        "menu": menu,
        "node": node,
        "input": input,
        "session_id": session,
        "customer": {
            "id": customer.id,
            "external_id": customer.external_id,
            "nickname": customer.nickname,
            "channel": customer.channel,
        },
    });
    serde_json::to_vec(&v).unwrap_or_default()
}

/// POSTs the lookup; the answer text, or why there is none.
pub async fn call(r: LookupRequest) -> Result<String, String> {
    let mut headers = vec![("content-type", "application/json".to_string())];
    if let Some(secret) = &r.secret {
        let ts = crate::model::now_ms() / 1000;
        let signature = super::api::signature::sign(secret, ts, &r.body);
        headers.push((super::api::signature::HEADER_TIMESTAMP, ts.to_string()));
        headers.push((super::api::signature::HEADER_SIGNATURE, signature));
    }
    let total = Duration::from_millis(r.timeout_ms);
    let connect = Duration::from_millis(CONNECT_TIMEOUT_MS.min(r.timeout_ms));
    let (status, body) =
        super::webhook::post_reading(&r.url, &headers, r.body, (connect, total), r.max_bytes)
            .await?;
    if !(200..300).contains(&status) {
        return Err(format!("HTTP status {status}"));
    }
    crate::menu::nav::lookup_answer(&body).ok_or_else(|| "no answer text in the response".into())
}
