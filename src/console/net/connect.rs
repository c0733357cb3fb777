//! One connection attempt: WebSocket handshake, `hello`, then `resume` with the token and
//! cursor (after a drop) or `login` with the password. Also the frame helpers the task uses.

use crate::protocol::{AgentInfo, ApiError, ErrorCode, PROTOCOL_VERSION, ServerFrame};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

pub(super) type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Who we are and how to get back in.
pub(super) struct Creds {
    pub url: String,
    pub username: String,
    /// Kept in memory only, to log in again if the token expired while disconnected.
    pub password: String,
    pub token: Option<String>,
}

pub(super) enum Failure {
    /// Worth trying again later (network).
    Retry(String),
    /// Credentials or protocol: trying again will not help. `credentials` when the server
    /// refused the username or password.
    Fatal { message: String, credentials: bool },
}

/// A connection that is logged in.
pub(super) struct Established {
    pub ws: Ws,
    pub agent: AgentInfo,
    pub must_change_password: bool,
    /// True when the server accepted our token and cursor (events since then are replayed).
    pub resumed: bool,
}

pub(super) async fn send_frame(ws: &mut Ws, id: u64, kind: &str, body: &Value) -> Result<(), ()> {
    let mut v = body.clone();
    if !v.is_object() {
        v = json!({});
    }
    v["type"] = json!(kind);
    v["id"] = json!(id);
    ws.send(Message::Text(v.to_string().into()))
        .await
        .map_err(|_| ())
}

/// Reads frames until the reply with `id`; events that come first are dropped (the resume
/// cursor brings them back).
async fn await_reply(ws: &mut Ws, id: u64) -> Result<Result<Value, ApiError>, Failure> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let msg = tokio::time::timeout_at(deadline, ws.next())
            .await
            .map_err(|_| Failure::Retry("the server did not answer".into()))?;
        match msg {
            Some(Ok(Message::Text(t))) => {
                if let Ok(ServerFrame::Reply {
                    id: rid,
                    ok,
                    result,
                    error,
                }) = serde_json::from_str(t.as_str())
                    && rid == json!(id)
                {
                    return Ok(if ok {
                        Ok(result.unwrap_or(Value::Null))
                    } else {
                        Err(error.unwrap_or_else(ApiError::internal))
                    });
                }
            }
            Some(Ok(_)) => {}
            _ => return Err(Failure::Retry("the connection dropped".into())),
        }
    }
}

/// Connects, says hello, and logs in or resumes. Events replayed by the resume arrive after
/// this returns, through the task's main loop.
pub(super) async fn connect(
    c: &mut Creds,
    cursor: i64,
    next_id: &mut u64,
) -> Result<Established, Failure> {
    // No Nagle: a reply is one small frame and the agent waits for its tick.
    let (mut ws, _) = tokio::time::timeout(
        Duration::from_secs(10),
        tokio_tungstenite::connect_async_with_config(&c.url, None, true),
    )
    .await
    .map_err(|_| Failure::Retry(format!("cannot reach {}: timed out", c.url)))?
    .map_err(|e| Failure::Retry(format!("cannot reach {}: {e}", c.url)))?;
    let mut call =
        async |ws: &mut Ws, kind: &str, body: Value| -> Result<Result<Value, ApiError>, Failure> {
            let id = *next_id;
            *next_id += 1;
            send_frame(ws, id, kind, &body)
                .await
                .map_err(|_| Failure::Retry("the connection dropped".into()))?;
            await_reply(ws, id).await
        };
    let hello = json!({"protocol": PROTOCOL_VERSION, "client": "kefu-console"});
    if let Err(e) = call(&mut ws, "hello", hello).await? {
        return Err(Failure::Fatal {
            message: e.message,
            credentials: false,
        });
    }
    if let Some(token) = c.token.clone() {
        match call(&mut ws, "resume", json!({"token": token, "cursor": cursor})).await? {
            Ok(v) => return established(ws, &v, true),
            Err(e) if e.code == ErrorCode::Unauthorized => {
                tracing::info!("the session token was refused; signing in with the password");
                c.token = None;
            }
            Err(e) => return Err(Failure::Retry(e.message)),
        }
    }
    let body = json!({"username": c.username, "password": c.password, "cursor": if cursor > 0 { Some(cursor) } else { None }});
    match call(&mut ws, "login", body).await? {
        Ok(v) => {
            c.token = v.get("token").and_then(Value::as_str).map(String::from);
            established(ws, &v, false)
        }
        Err(e) => Err(Failure::Fatal {
            credentials: e.code == ErrorCode::Unauthorized,
            message: e.message,
        }),
    }
}

fn established(ws: Ws, v: &Value, resumed: bool) -> Result<Established, Failure> {
    let agent = v
        .get("agent")
        .cloned()
        .and_then(|a| serde_json::from_value(a).ok())
        .ok_or_else(|| Failure::Fatal {
            message: "the server sent no agent profile".into(),
            credentials: false,
        })?;
    let must_change_password = v
        .get("must_change_password")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Ok(Established {
        ws,
        agent,
        must_change_password,
        resumed,
    })
}
