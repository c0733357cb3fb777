//! The wire protocol: JSON text frames over WebSocket, shared by the server, the console, the
//! load generator and third-party clients. `docs/protocol.md` describes the same thing for people.
//!
//! Client → server: `{"id": <any JSON>, "type": "<request>", ...fields}` — one struct per request
//! in [`request`], each naming its reply type in [`reply`] through [`Call`].
//! Server → client: `reply` (echoes `id`, `ok` + `result` or `error`), `event` (durable, carries a
//! server-issued `cursor`), `reload` (the cursor is too old), and the ephemeral `typing` and
//! `queues` frames (no cursor, never replayed): `event`.

use serde::Serialize;
use serde_json::Value;

pub mod account;
mod bot;
mod cc;
mod dashboard;
mod ending;
mod error;
mod event;
mod history;
mod kb;
mod kb_flow;
mod menu;
mod notes;
mod quick;
pub mod reply;
mod report;
pub mod request;
mod suggest;
mod views;

pub use bot::{BotInfo, BotOutcome, Handoff, HandoffReason};
pub use cc::{
    CcContactView, CcContacts, CcContactsReply, CcInfo, CcKind, CcList, CcListReply, CcState,
    SessionCc, SessionCcReply,
};
pub use dashboard::{
    AgentSetStatus, DashAgent, DashQueue, DashSession, DashboardView, DashboardWatch, TakeOver,
};
pub use ending::{
    EndCancel, EndReply, PendingEnd, RatingInfo, TagCount, TagsSuggest, TagsSuggestReply,
};
pub use error::{ApiError, ErrorCode};
pub use event::{
    Event, ReloadReason, RemovedReason, ServerFrame, StatusReason, WaitingInfo, WithdrawnReason,
};
pub use history::{
    HISTORY_PAGE, HISTORY_PAGE_MAX, HistoryHit, HistorySearch, HistorySearchReply, HistorySession,
    HistorySessionReply, HitLine, TransferView,
};
pub use kb::{
    Article, ArticleStatus, ArticleSummary, ArticleVersion, SentArticle, Snippet, split_keywords,
};
pub use kb_flow::{
    AgentCheckin, ArticleUpdate, DiffLine, DiffOp, KbCheckInReply, KbCheckinsReply,
    KbProposalReply, KbProposalsReply, KbProposeReply, KbReviewReply, KbUpdatesReply, Proposal,
    ProposalStatus, ProposalSummary, UpdateKind,
};
pub use menu::{MenuEntry, MenuInfo, MenuNodeEntry, MenuReturn, MenuReturnReason, MenuStep};
pub use notes::{
    MAX_MENTIONS, MentionRead, MentionReadReply, MentionView, MentionsList, MentionsReply, NoteAdd,
    excerpt,
};
pub use quick::{
    QuickReply, QuickReplyDelete, QuickReplySave, QuickReplySaveReply, QuickReplyUsed,
    QuickReplyUsedReply, QuickScope,
};
pub use reply::*;
pub use report::{
    Metrics, ReportBy, ReportGet, ReportReply, ReportRow, ReportScope, TrendPoint, TrendStep,
};
pub use request::{Call, Request, TransferTarget};
pub use suggest::{IntentEffectInfo, SuggestReply, SuggestedArticle, SuggestedQuickReply};
pub use views::{AgentInfo, CustomerView, MessageView, QueueInfo, SessionContext, SessionView};

/// Bumped on any incompatible change; `hello` with another number gets `unsupported_version`.
pub const PROTOCOL_VERSION: u32 = 1;
/// Frames larger than this get `too_large` (the connection stays usable).
pub const MAX_FRAME_BYTES: usize = 64 * 1024;
/// A retried `message.send` (same `client_msg_id`) gets its first ack again when the message is
/// among the sender's conversation's latest this many; an older one is stored anew.
pub const IDEMPOTENCY_WINDOW: usize = 1024;

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

/// A reply frame: `ok` with the typed result, or the error.
pub fn reply_frame<R: Serialize>(id: &Value, result: &Result<R, ApiError>) -> String {
    let frame = match result {
        Ok(r) => serde_json::json!({"type": "reply", "id": id, "ok": true, "result": r}),
        Err(e) => serde_json::json!({"type": "reply", "id": id, "ok": false, "error": e}),
    };
    frame.to_string()
}

pub fn reply_err(id: &Value, error: &ApiError) -> String {
    reply_frame::<reply::Empty>(id, &Err(error.clone()))
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
            Request::Transfer(request::Transfer {
                session_id: 3,
                to: TransferTarget::Group("vip".into()),
                note: Some("n".into()),
                queue: false,
            })
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
            reason: WithdrawnReason::Timeout,
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

    #[test]
    fn secrets_never_reach_a_log_line() {
        let login = parse_request(
            r#"{"id":1,"type":"login","username":"alice","password":"hunter2-secret!"}"#,
        )
        .unwrap();
        let resume = parse_request(r#"{"type":"resume","token":"tok-abcdef"}"#).unwrap();
        let change = parse_request(
            r#"{"type":"change_password","old_password":"old-pw-1!","new_password":"new-pw-2!"}"#,
        )
        .unwrap();
        let cresume = parse_request(r#"{"type":"customer.resume","token":"ctok-xyz"}"#).unwrap();
        for (inc, secret) in [
            (login, "hunter2-secret!"),
            (resume, "tok-abcdef"),
            (change, "old-pw-1!"),
            (cresume, "ctok-xyz"),
        ] {
            let shown = format!("{inc:?} {:?} {inc:#?}", inc.request);
            assert!(!shown.contains(secret), "{shown}");
            assert!(shown.contains("redacted"), "{shown}");
        }
    }

    #[test]
    fn every_request_type_round_trips_with_its_wire_name() {
        use request::*;
        let all: Vec<Request> = vec![
            Hello {
                protocol: 1,
                client: None,
            }
            .into(),
            Logout {}.into(),
            SetStatus {
                status: crate::model::AgentStatus::Busy,
            }
            .into(),
            Accept { session_id: 1 }.into(),
            Snapshot {}.into(),
            Directory {}.into(),
            KbSearch::default().into(),
            QuickReplies {}.into(),
            Typing {
                session_id: 2,
                active: false,
            }
            .into(),
            Transcript {
                session_id: 3,
                after_seq: Some(4),
                limit: None,
            }
            .into(),
        ];
        for r in all {
            let text = serde_json::to_string(&r).unwrap();
            assert!(
                text.contains(&format!(r#""type":"{}""#, r.kind())),
                "{text}"
            );
            assert_eq!(parse_request(&text).unwrap().request, r);
        }
    }
}
