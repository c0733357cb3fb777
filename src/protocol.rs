//! The wire protocol: JSON text frames over WebSocket, shared by the server, the console, the
//! load generator and third-party clients. `docs/protocol.md` describes the same thing for people.
//!
//! Client → server: `{"id": <any JSON>, "type": "<request>", ...fields}`.
//! Server → client: `reply` (echoes `id`, `ok` + `result` or `error`), `event` (durable, carries a
//! server-issued `cursor`), `reload` (the cursor is too old), and the ephemeral `typing` and
//! `queues` frames (no cursor, never replayed).

use crate::model::{
    AgentId, AgentStatus, AuthorKind, Channel, CustomerId, EndReason, Millis, Role, SessionId,
    SessionState, Strategy,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

mod kb;
pub use kb::{Article, ArticleSummary, QuickReply, split_keywords};

/// Bumped on any incompatible change; `hello` with another number gets `unsupported_version`.
pub const PROTOCOL_VERSION: u32 = 1;
/// Frames larger than this get `too_large` (the connection stays usable).
pub const MAX_FRAME_BYTES: usize = 64 * 1024;

/// Stable error codes; clients branch on these, people read the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    Invalid,
    RateLimited,
    TooLarge,
    UnsupportedVersion,
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
        }
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Invalid, message)
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthorized, message)
    }
    pub fn internal() -> Self {
        Self::new(ErrorCode::Internal, "internal error; the server logged it")
    }
}

/// Where a transfer goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferTarget {
    /// An agent by username.
    Agent(String),
    /// A skill group by name.
    Group(String),
}

/// Every request a client can make. Which ones an endpoint and a login state allow is decided
/// by the server (`forbidden` / `unauthorized` otherwise).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Request {
    /// First frame on every connection.
    #[serde(rename = "hello")]
    Hello {
        protocol: u32,
        #[serde(default)]
        client: Option<String>,
    },

    // ---- agents ----
    /// Log in; with `cursor`, also replays every event after it.
    #[serde(rename = "login")]
    Login {
        username: String,
        password: String,
        #[serde(default)]
        cursor: Option<i64>,
    },
    /// Resume with a token from `login`; with `cursor`, replays what was missed.
    #[serde(rename = "resume")]
    Resume {
        token: String,
        #[serde(default)]
        cursor: Option<i64>,
    },
    #[serde(rename = "change_password")]
    ChangePassword {
        old_password: String,
        new_password: String,
    },
    #[serde(rename = "logout")]
    Logout,
    #[serde(rename = "status.set")]
    SetStatus { status: AgentStatus },
    /// Accept an offer, or pick a queued session of a `manual` group.
    #[serde(rename = "session.accept")]
    Accept { session_id: SessionId },
    #[serde(rename = "session.reject")]
    Reject { session_id: SessionId },
    /// The agent's sessions, offers and visible queues, with the cursor they are current at.
    #[serde(rename = "snapshot")]
    Snapshot,
    /// Agents and groups with their load, for the transfer dialog.
    #[serde(rename = "directory")]
    Directory,
    #[serde(rename = "customer.profile")]
    Profile { customer_id: CustomerId },
    #[serde(rename = "session.transfer")]
    Transfer {
        session_id: SessionId,
        to: TransferTarget,
        #[serde(default)]
        note: Option<String>,
    },
    #[serde(rename = "session.tag")]
    Tag {
        session_id: SessionId,
        #[serde(default)]
        add: Vec<String>,
        #[serde(default)]
        remove: Vec<String>,
    },
    #[serde(rename = "session.follow_up")]
    FollowUp {
        session_id: SessionId,
        pending: bool,
    },
    #[serde(rename = "session.end")]
    End {
        session_id: SessionId,
        #[serde(default)]
        closing_message: Option<String>,
        #[serde(default)]
        outcome: Option<EndReason>,
    },
    /// Knowledge-base titles matching `query` (all of them when it is empty).
    #[serde(rename = "kb.search")]
    KbSearch {
        #[serde(default)]
        query: String,
        #[serde(default)]
        limit: Option<u32>,
    },
    #[serde(rename = "kb.get")]
    KbGet { article_id: i64 },
    #[serde(rename = "quick_replies.list")]
    QuickReplies,

    // ---- customers ----
    /// Start a conversation. `token` (from an earlier start) keeps the same customer identity.
    #[serde(rename = "customer.start")]
    CustomerStart {
        channel: Channel,
        #[serde(default)]
        nickname: Option<String>,
        #[serde(default)]
        external_id: Option<String>,
        /// hex HMAC-SHA256 of `external_id` under the server's identity secret, made by the
        /// shop's backend; required when the server has `auth.customer_identity_secret`.
        #[serde(default)]
        external_id_signature: Option<String>,
        #[serde(default)]
        group: Option<String>,
        #[serde(default)]
        token: Option<String>,
    },
    #[serde(rename = "customer.resume")]
    CustomerResume {
        token: String,
        #[serde(default)]
        cursor: Option<i64>,
    },
    #[serde(rename = "session.rate")]
    Rate { session_id: SessionId, stars: u8 },

    // ---- both ----
    /// Send a message; a retry with the same `client_msg_id` gets the same ack, stored once.
    #[serde(rename = "message.send")]
    SendMessage {
        session_id: SessionId,
        client_msg_id: String,
        body: String,
    },
    #[serde(rename = "typing")]
    Typing {
        session_id: SessionId,
        #[serde(default = "yes")]
        active: bool,
    },
    #[serde(rename = "session.transcript")]
    Transcript {
        session_id: SessionId,
        #[serde(default)]
        after_seq: Option<i64>,
        #[serde(default)]
        limit: Option<u32>,
    },
}

fn yes() -> bool {
    true
}

/// A request frame after the envelope was checked: the echo id and the request.
#[derive(Debug)]
pub struct Incoming {
    pub id: Value,
    pub request: Request,
}

/// Parses one text frame. On failure returns the id (if one could be read) and the error to
/// send back, so even a bad request gets a reply its client can match.
pub fn parse_request(text: &str) -> Result<Incoming, (Value, ApiError)> {
    if text.len() > MAX_FRAME_BYTES {
        return Err((
            Value::Null,
            ApiError::new(
                ErrorCode::TooLarge,
                format!(
                    "frame of {} bytes exceeds the limit of {MAX_FRAME_BYTES}",
                    text.len()
                ),
            ),
        ));
    }
    let mut value: Value = serde_json::from_str(text)
        .map_err(|e| (Value::Null, ApiError::invalid(format!("invalid JSON: {e}"))))?;
    let Some(obj) = value.as_object_mut() else {
        return Err((
            Value::Null,
            ApiError::invalid("a request must be a JSON object"),
        ));
    };
    let id = obj.remove("id").unwrap_or(Value::Null);
    let kind = match obj.get("type") {
        Some(Value::String(s)) => s.clone(),
        _ => return Err((id, ApiError::invalid("missing string field `type`"))),
    };
    match serde_json::from_value::<Request>(value) {
        Ok(request) => Ok(Incoming { id, request }),
        Err(e) => {
            // Tell an unknown type from a known one with bad fields: deserialise the bare type.
            let bare = serde_json::from_value::<Request>(serde_json::json!({ "type": kind }));
            let unknown = matches!(&bare, Err(b) if b.to_string().starts_with("unknown variant"));
            let message = if unknown {
                format!("unknown request type `{kind}`")
            } else {
                format!("bad `{kind}` request: {e}")
            };
            Err((id, ApiError::invalid(message)))
        }
    }
}

/// A customer as agents see them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerView {
    pub id: CustomerId,
    pub external_id: Option<String>,
    pub nickname: String,
    pub channel: Channel,
    pub vip: bool,
    pub tags: Vec<String>,
}

/// A session's state as its agent, supervisors and snapshots see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionView {
    pub id: SessionId,
    pub customer: CustomerView,
    pub channel: Channel,
    pub state: SessionState,
    pub group: String,
    pub assignee: Option<AgentId>,
    pub priority: i64,
    pub intent: Option<String>,
    pub tags: Vec<String>,
    pub follow_up: bool,
    pub created_at: Millis,
    pub queued_at: Option<Millis>,
    pub offered_at: Option<Millis>,
    pub accepted_at: Option<Millis>,
    pub first_human_reply_at: Option<Millis>,
    pub ended_at: Option<Millis>,
    pub end_reason: Option<EndReason>,
    pub csat: Option<u8>,
    /// Seq of the last message, so a client knows whether its transcript is complete.
    pub last_seq: i64,
    /// When the customer last wrote and no agent has answered since (for wait colouring).
    pub waiting_since: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    pub session_id: SessionId,
    /// 1, 2, 3… per session, assigned by the server.
    pub seq: i64,
    pub author_kind: AuthorKind,
    pub author_id: Option<i64>,
    pub author_name: String,
    pub body: String,
    pub client_msg_id: Option<String>,
    pub created_at: Millis,
}

/// Durable events: stored in the event log and replayed by cursor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// A session is proposed to you; accept before `expires_at`.
    Offer {
        session: SessionView,
        expires_at: Millis,
        #[serde(default)]
        transfer_note: Option<String>,
        #[serde(default)]
        transferred_by: Option<String>,
    },
    /// An offer to you ended unanswered (`rejected`, `timeout`, `agent_left`, `reassigned`).
    OfferWithdrawn {
        session_id: SessionId,
        reason: String,
    },
    /// A session is yours now, or one of yours changed (tags, follow-up, state).
    Session {
        session: SessionView,
    },
    /// You no longer serve this session (`transferred`, `ended`, `requeued`).
    SessionRemoved {
        session_id: SessionId,
        reason: String,
    },
    Message {
        message: MessageView,
    },
    /// To the customer: a human agent has taken the conversation.
    AgentJoined {
        session_id: SessionId,
        agent_name: String,
    },
    /// To the customer: the conversation is over; `survey` asks for 1–5 stars.
    SessionEnded {
        session_id: SessionId,
        reason: EndReason,
        survey: bool,
    },
    /// Your status was changed by the server (missed offers, grace expiry) or another connection.
    Status {
        status: AgentStatus,
    },
}

/// Every frame the server sends, for clients written in Rust (console, bench, tests).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)] // short-lived, and boxing would spoil pattern matching
pub enum ServerFrame {
    Reply {
        id: Value,
        ok: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        result: Option<Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<ApiError>,
    },
    Event {
        cursor: i64,
        event: Event,
    },
    /// The resume cursor is too old (or unknown): take a fresh `snapshot` from `cursor`.
    Reload {
        cursor: i64,
        reason: String,
    },
    Typing {
        session_id: SessionId,
        author_kind: AuthorKind,
        name: String,
        active: bool,
    },
    Queues {
        queues: Vec<QueueInfo>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueInfo {
    pub group: String,
    pub strategy: Strategy,
    pub waiting: usize,
}

/// One agent in the transfer directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentInfo {
    pub id: AgentId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub status: AgentStatus,
    pub connected: bool,
    pub active: usize,
    pub capacity: u32,
    pub groups: Vec<String>,
}

pub fn reply_ok(id: &Value, result: Value) -> String {
    serde_json::json!({"type": "reply", "id": id, "ok": true, "result": result}).to_string()
}

pub fn reply_err(id: &Value, error: &ApiError) -> String {
    serde_json::json!({"type": "reply", "id": id, "ok": false, "error": error}).to_string()
}

pub fn event_frame(cursor: i64, event: &Event) -> String {
    serde_json::json!({"type": "event", "cursor": cursor, "event": event}).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_parse_with_their_id() {
        let r = parse_request(
            r#"{"id":7,"type":"session.transfer","session_id":3,"to":{"group":"vip"},"note":"n"}"#,
        )
        .unwrap();
        assert_eq!(r.id, serde_json::json!(7));
        assert_eq!(
            r.request,
            Request::Transfer {
                session_id: 3,
                to: TransferTarget::Group("vip".into()),
                note: Some("n".into())
            }
        );
    }

    #[test]
    fn bad_frames_get_invalid_with_the_id_when_readable() {
        let (id, e) = parse_request(r#"{"id":"a","type":"warp.drive"}"#).unwrap_err();
        assert_eq!((id, e.code), (serde_json::json!("a"), ErrorCode::Invalid));
        assert!(e.message.contains("warp.drive"), "{}", e.message);
        let (_, e) = parse_request(r#"{"type":"status.set","status":"sleepy"}"#).unwrap_err();
        assert!(
            e.message.starts_with("bad `status.set` request"),
            "{}",
            e.message
        );
        let (_, e) = parse_request("{nope").unwrap_err();
        assert_eq!(e.code, ErrorCode::Invalid);
        let (id, e) = parse_request(r#"{"id":1,"type":"session.accept"}"#).unwrap_err();
        assert_eq!((id, e.code), (serde_json::json!(1), ErrorCode::Invalid));
        assert!(e.message.contains("session_id"), "{}", e.message);
        let big = format!(
            r#"{{"type":"hello","x":"{}"}}"#,
            "a".repeat(MAX_FRAME_BYTES)
        );
        assert_eq!(parse_request(&big).unwrap_err().1.code, ErrorCode::TooLarge);
    }

    #[test]
    fn frames_round_trip_through_the_client_type() {
        let ev = Event::OfferWithdrawn {
            session_id: 4,
            reason: "timeout".into(),
        };
        let frame: ServerFrame = serde_json::from_str(&event_frame(9, &ev)).unwrap();
        assert_eq!(
            frame,
            ServerFrame::Event {
                cursor: 9,
                event: ev
            }
        );
        let err = ApiError::conflict("x");
        let frame: ServerFrame = serde_json::from_str(&reply_err(&Value::from(1), &err)).unwrap();
        assert!(matches!(frame, ServerFrame::Reply { ok: false, error: Some(e), .. } if e == err));
    }
}
