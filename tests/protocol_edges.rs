//! The edges of the wire protocol (`docs/protocol.md` §1–§4) against a real server on
//! 127.0.0.1:0 with real WebSocket clients: frame-size limits at their exact boundaries,
//! binary frames, requests before `hello`, requests on the wrong endpoint, every per-field
//! limit of the requests (exactly at the limit accepted, one over refused with its code, the
//! connection usable after), a client too slow for a tiny outbox (close `1008`, nothing lost on
//! resume), `replay_limit` ("cursor too old"), and the ordering promises of §1.7.
//!
//! One test binary; the groups live in `tests/protocol_edges/`.

mod common;
mod wire;

#[path = "protocol_edges/endpoints.rs"]
mod endpoints;
#[path = "protocol_edges/field_limits.rs"]
mod field_limits;
#[path = "protocol_edges/frames.rs"]
mod frames;
#[path = "protocol_edges/ordering.rs"]
mod ordering;
#[path = "protocol_edges/password_policy.rs"]
mod password_policy;
#[path = "protocol_edges/replay_limit.rs"]
mod replay_limit;
#[path = "protocol_edges/slow_reader.rs"]
mod slow_reader;

use common::WAIT;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

/// A WebSocket that says nothing by itself (no `hello`, unlike `kefu::client::Client`), sends
/// exactly the frames a test writes and hands back every text frame as raw JSON.
pub struct Wire {
    ws: wire::Ws,
}

impl Wire {
    pub async fn open(url: &str) -> Wire {
        Wire {
            ws: wire::ws(url).await,
        }
    }

    pub async fn text(&mut self, text: impl Into<String>) {
        let text: String = text.into();
        self.ws.send(Message::Text(text.into())).await.unwrap();
    }

    pub async fn binary(&mut self, bytes: impl Into<Vec<u8>>) {
        let bytes: Vec<u8> = bytes.into();
        self.ws.send(Message::Binary(bytes.into())).await.unwrap();
    }

    pub async fn raw(&mut self, m: Message) {
        self.ws.send(m).await.unwrap();
    }

    /// The next text frame, within [`WAIT`]; panics if the connection ends first.
    pub async fn next(&mut self) -> Value {
        let read = async {
            loop {
                match self.ws.next().await {
                    Some(Ok(Message::Text(t))) => return serde_json::from_str(t.as_str()).unwrap(),
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    other => panic!("expected a text frame, got {other:?}"),
                }
            }
        };
        tokio::time::timeout(WAIT, read)
            .await
            .expect("no frame in time")
    }

    /// Sends `request` (a JSON object) and returns the whole reply frame whose `id` matches,
    /// dropping other frames on the way.
    pub async fn call(&mut self, request: Value) -> Value {
        self.text(request.to_string()).await;
        loop {
            let f = self.next().await;
            if f["type"] == "reply" && f["id"] == request["id"] {
                return f;
            }
        }
    }

    /// Reads until the server's close frame: (code, reason).
    pub async fn close_frame(&mut self) -> (u16, String) {
        wire::close_frame(&mut self.ws, WAIT).await
    }
}

/// Asserts that a reply frame is an error with this id, code and message.
#[track_caller]
pub fn assert_error(reply: &Value, id: Value, code: &str, message: &str) {
    assert_eq!(reply["type"], "reply", "{reply}");
    assert_eq!(reply["ok"], false, "{reply}");
    assert_eq!(reply["id"], id, "{reply}");
    assert_eq!(reply["error"]["code"], code, "{reply}");
    assert_eq!(reply["error"]["message"], message, "{reply}");
}

/// Asserts that a reply frame succeeded; returns its `result`.
#[track_caller]
pub fn assert_ok(reply: &Value) -> &Value {
    assert_eq!(reply["type"], "reply", "{reply}");
    assert_eq!(reply["ok"], true, "{reply}");
    &reply["result"]
}
