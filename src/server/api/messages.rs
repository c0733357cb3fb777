//! `POST /api/v1/messages`: an integration delivers one customer message. The customer is
//! found or created by (integration, external id), their open conversation reused or a new
//! one queued, and the message posted as if the customer had sent it over the WebSocket. The
//! answer waits for the commit, like an ack; the idempotency key's answer is stored in the
//! same order, so a retry (even after a restart) gets the first answer again.

use super::{ApiState, MAX_BODY_BYTES, fail};
use crate::model::{Channel, CustomerId, SessionId, now_ms};
use crate::protocol::request::SendMessage;
use crate::protocol::{ApiError, CustomerView, ErrorCode, SessionContext};
use crate::server::hub::{Hub, HubMsg};
use crate::store::integrations::{IdempotentAnswer, Integration};
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::oneshot;

const MAX_KEY_BYTES: usize = 128;
const MAX_EXTERNAL_ID_BYTES: usize = 128;
const MAX_NICKNAME_CHARS: usize = 64;

/// The request body (documented in `docs/channels.md` and `openapi.json`).
#[derive(Debug, Deserialize)]
pub struct MessageIn {
    /// If present, must name the integration that signed the request.
    #[serde(default)]
    integration: Option<String>,
    /// If present, must be the integration's channel.
    #[serde(default)]
    channel: Option<Channel>,
    external_customer_id: String,
    #[serde(default)]
    nickname: Option<String>,
    text: String,
    idempotency_key: String,
    /// The skill group a new conversation is queued in (default: `routing.default_group`).
    #[serde(default)]
    group: Option<String>,
    /// What the channel knows (app version, device…), stored on a new conversation and shown
    /// to agents; the fields of `customer.start`'s `context`.
    #[serde(default)]
    context: Option<SessionContext>,
}

/// The answer, the first time (201) and for every retry with the same key and body (200).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MessageOut {
    pub conversation_id: SessionId,
    pub seq: i64,
    /// The cursor of the message's event in the customer's stream (for catch-up).
    pub cursor: Option<i64>,
    pub customer_id: CustomerId,
}

pub async fn post_message(
    State(state): State<ApiState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let _permit = match state.admit() {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let body = match read_body(body).await {
        Ok(b) => b,
        Err(e) => return fail(e),
    };
    let integration = match state.authenticate(&headers, &body).await {
        Ok(v) => v,
        Err(e) => return fail(e),
    };
    let message = match parse(&integration, &body) {
        Ok(m) => m,
        Err(e) => return fail(e),
    };
    let (tx, rx) = oneshot::channel();
    let sent = state
        .hub
        .send(HubMsg::Continue(Box::new(move |hub: &mut Hub| {
            hub.api_message(message, tx)
        })));
    if sent.is_err() {
        return fail(ApiError::new(
            ErrorCode::Unavailable,
            "the server is stopping",
        ));
    }
    match rx.await {
        Ok(Ok((out, first))) => {
            let status = if first {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            (status, Json(out)).into_response()
        }
        Ok(Err(e)) => fail(e),
        // The store refused or stopped before the answer: nothing was acknowledged.
        Err(_) => fail(ApiError::new(
            ErrorCode::Unavailable,
            "the message could not be stored; retry with the same idempotency key",
        )),
    }
}

/// The body, at most [`MAX_BODY_BYTES`], within [`BODY_TIMEOUT`] (a client trickling its body
/// does not hold the connection for long).
async fn read_body(body: Body) -> Result<Bytes, ApiError> {
    let limited = Limited::new(body, MAX_BODY_BYTES);
    match tokio::time::timeout(BODY_TIMEOUT, limited.collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => Err(ApiError::new(
            ErrorCode::TooLarge,
            format!("the body is over {MAX_BODY_BYTES} bytes"),
        )),
        Ok(Err(e)) => Err(ApiError::invalid(format!("unreadable body: {e}"))),
        Err(_) => Err(ApiError::invalid(format!(
            "the body did not arrive within {} s",
            BODY_TIMEOUT.as_secs()
        ))),
    }
}

/// How long a request body may take to arrive.
const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// A checked message, ready for the hub.
pub struct ApiMessage {
    integration: i64,
    channel: Channel,
    external_id: String,
    nickname: String,
    text: String,
    key: String,
    group: Option<String>,
    context: Option<SessionContext>,
    body_sha256: String,
}

fn parse(integration: &Integration, body: &[u8]) -> Result<ApiMessage, ApiError> {
    let m: MessageIn =
        serde_json::from_slice(body).map_err(|e| ApiError::invalid(format!("bad message: {e}")))?;
    if let Some(name) = &m.integration
        && *name != integration.name
    {
        return Err(ApiError::forbidden(format!(
            "the body names integration `{name}` but `{}` signed it",
            integration.name
        )));
    }
    if let Some(c) = m.channel
        && c != integration.channel
    {
        return Err(ApiError::invalid(format!(
            "this integration's channel is `{}`",
            integration.channel.as_str()
        )));
    }
    let ext = &m.external_customer_id;
    if ext.is_empty() || ext.len() > MAX_EXTERNAL_ID_BYTES || ext.chars().any(char::is_control) {
        return Err(ApiError::invalid(format!(
            "external_customer_id must be 1–{MAX_EXTERNAL_ID_BYTES} bytes without control \
             characters"
        )));
    }
    let key = &m.idempotency_key;
    if key.is_empty() || key.len() > MAX_KEY_BYTES || key.chars().any(char::is_control) {
        return Err(ApiError::invalid(format!(
            "idempotency_key must be 1–{MAX_KEY_BYTES} bytes without control characters"
        )));
    }
    if m.text.trim().is_empty() {
        return Err(ApiError::invalid("the text is empty"));
    }
    let nickname = m.nickname.unwrap_or_default().trim().to_string();
    if nickname.chars().count() > MAX_NICKNAME_CHARS {
        return Err(ApiError::invalid(format!(
            "nickname over {MAX_NICKNAME_CHARS} characters"
        )));
    }
    if let Some(ctx) = &m.context {
        ctx.check()?;
    }
    let body_sha256 = Sha256::digest(body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(ApiMessage {
        integration: integration.id,
        channel: integration.channel,
        external_id: m.external_customer_id,
        nickname,
        text: m.text,
        key: m.idempotency_key,
        group: m.group,
        context: m.context,
        body_sha256,
    })
}

type Answer = Result<(MessageOut, bool), ApiError>;

/// What the store knew when the message arrived.
enum Found {
    /// The key was answered before.
    Answered(IdempotentAnswer),
    Customer(CustomerView),
}

impl Hub {
    /// Handles a checked API message on the hub; `done` gets the answer after the commit.
    pub(in crate::server) fn api_message(&mut self, m: ApiMessage, done: oneshot::Sender<Answer>) {
        // An unknown group is refused before anything is stored (no customer row for it).
        if let Some(group) = &m.group
            && let Err(e) = self.servable(group)
        {
            let _ = done.send(Err(e));
            return;
        }
        let fresh_id = self.next_customer_id;
        self.next_customer_id += 1;
        let now = now_ms();
        let (integration, key) = (m.integration, m.key.clone());
        let (external_id, nickname, channel) =
            (m.external_id.clone(), m.nickname.clone(), m.channel);
        let lookup = move |tx: &mut dyn crate::store::Tx| {
            if let Some(a) = tx.idempotent_answer(integration, &key)? {
                return Ok(Found::Answered(a));
            }
            if let Some(c) = tx.integration_customer(integration, &external_id)? {
                return Ok(Found::Customer(c));
            }
            let c = CustomerView {
                id: fresh_id,
                // The external id lives in `integration_customers`, namespaced by the
                // integration: it never meets the WebSocket side's external ids.
                external_id: None,
                nickname: if nickname.is_empty() {
                    format!("{}-{fresh_id}", channel.as_str())
                } else {
                    nickname
                },
                channel,
                vip: false,
                tags: Vec::new(),
            };
            tx.insert_customer(&c, now)?;
            tx.insert_integration_customer(integration, &external_id, c.id)?;
            Ok(Found::Customer(c))
        };
        self.write_then(lookup, move |hub, found| match found {
            Found::Answered(a) => {
                let _ = done.send(replay(&a, &m.body_sha256));
            }
            Found::Customer(c) => hub.api_post(m, c, done),
        });
    }

    fn api_post(&mut self, m: ApiMessage, customer: CustomerView, done: oneshot::Sender<Answer>) {
        let customer_id = customer.id;
        let session = match self.open_by_customer.get(&customer_id).copied() {
            Some(s) => s,
            None => {
                let group = m
                    .group
                    .clone()
                    .unwrap_or_else(|| self.config.routing.default_group.clone());
                if let Err(e) = self.servable(&group) {
                    let _ = done.send(Err(e));
                    return;
                }
                self.open_session(customer, m.channel, group, m.context.clone(), now_ms())
            }
        };
        let send = SendMessage {
            session_id: session,
            client_msg_id: m.key.clone(),
            body: m.text,
        };
        // No connection sent it (ids start at 1): every connection of the customer gets it.
        let ack = match self.customer_send_metered(0, customer_id, send) {
            Ok(a) => a,
            Err(e) => {
                let _ = done.send(Err(e));
                return;
            }
        };
        let out = MessageOut {
            conversation_id: ack.session_id,
            seq: ack.seq,
            cursor: ack.cursor,
            customer_id,
        };
        let answer = IdempotentAnswer {
            body_sha256: m.body_sha256.clone(),
            answer: serde_json::to_string(&out).unwrap_or_default(),
        };
        let (integration, key, now) = (m.integration, m.key, now_ms());
        // Stored after the message, in the same commit order: whichever request stored its
        // answer first decides what every retry of the key gets.
        self.batch.work.push(Box::new(move |tx| {
            let (stored, ours) = tx.put_idempotent_answer(integration, &key, &answer, now)?;
            Ok(Some(Box::new(move || {
                let result = if ours {
                    Ok((out, true))
                } else {
                    replay(&stored, &answer.body_sha256)
                };
                let _ = done.send(result);
            })))
        }));
    }

    /// Whether a new conversation can be queued in `group`.
    fn servable(&self, group: &str) -> Result<(), ApiError> {
        // Nobody online (or nobody in the group at all) is fine: the conversation waits as a
        // left message for the first agent who comes, as on the customer endpoint.
        if !self.engine.has_group(group) {
            return Err(ApiError::not_found(format!("no skill group `{group}`")));
        }
        Ok(())
    }
}

/// The stored answer to a key, for a request with body hash `sha`.
fn replay(stored: &IdempotentAnswer, sha: &str) -> Answer {
    if stored.body_sha256 != sha {
        return Err(ApiError::conflict(
            "this idempotency_key was used for a different message",
        ));
    }
    serde_json::from_str(&stored.answer)
        .map(|out| (out, false))
        .map_err(|_| ApiError::internal())
}
