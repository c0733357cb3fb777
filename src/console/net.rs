//! The console's one WebSocket task: connects, logs in (or resumes with its token and last
//! cursor after a drop), reconnects with backoff, and keeps `message.send` requests in an outbox
//! until the server acknowledges them — re-sent after a reconnect with the same client_msg_id,
//! so a typed message is never lost and never stored twice.

use crate::console::app::{NetEvent, Tag};
use crate::model::{Millis, now_ms};
use crate::protocol::{ApiError, ErrorCode, PROTOCOL_VERSION, ServerFrame};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

/// What the app asks of the network task.
#[derive(Debug)]
pub enum NetCmd {
    Login {
        server: String,
        username: String,
        password: String,
    },
    Request {
        tag: Tag,
        kind: &'static str,
        body: Value,
    },
    Shutdown,
}

/// A request written to the socket and not yet answered.
struct Inflight {
    tag: Tag,
    kind: &'static str,
    body: Value,
}

struct Creds {
    url: String,
    username: String,
    /// Kept in memory only, to log in again if the token expired while disconnected.
    password: String,
    token: Option<String>,
}

/// Starts the task; events come out of `events`.
pub fn spawn(events: mpsc::UnboundedSender<NetEvent>) -> mpsc::UnboundedSender<NetCmd> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(run(rx, events));
    tx
}

/// `ws://host:port` → `ws://host:port/ws/agent` (a full path is kept as given).
pub fn agent_url(server: &str) -> String {
    let s = server.trim().trim_end_matches('/');
    let s = if s.contains("://") {
        s.to_string()
    } else {
        format!("ws://{s}")
    };
    if s.ends_with("/ws/agent") {
        s
    } else {
        format!("{s}/ws/agent")
    }
}

async fn run(mut cmds: mpsc::UnboundedReceiver<NetCmd>, events: mpsc::UnboundedSender<NetEvent>) {
    // rustls needs a process-wide crypto provider for wss://; ignore "already installed".
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut creds: Option<Creds> = None;
    let mut cursor: i64 = 0;
    // Unacknowledged sends, oldest first, kept across reconnects.
    let mut outbox: Vec<(u64, Inflight)> = Vec::new();
    let mut next_id: u64 = 1;
    let mut backoff = Duration::from_millis(250);
    let mut ever_connected = false;
    loop {
        let Some(c) = creds.as_mut() else {
            match cmds.recv().await {
                Some(NetCmd::Login {
                    server,
                    username,
                    password,
                }) => {
                    creds = Some(Creds {
                        url: agent_url(&server),
                        username,
                        password,
                        token: None,
                    });
                    continue;
                }
                Some(NetCmd::Request { tag, .. }) => {
                    let _ = events.send(NetEvent::Reply {
                        tag,
                        result: Err(disconnected()),
                    });
                    continue;
                }
                Some(NetCmd::Shutdown) | None => return,
            }
        };
        let _ = events.send(NetEvent::Connecting);
        let session = connect(c, cursor, &mut next_id).await;
        let (mut ws, agent, must_change) = match session {
            Ok(ok) => ok,
            Err(Failure::Fatal(message)) => {
                let _ = events.send(NetEvent::LoginFailed { message });
                creds = None;
                continue;
            }
            Err(Failure::Retry(message)) => {
                if !ever_connected {
                    let _ = events.send(NetEvent::LoginFailed { message });
                    creds = None;
                    continue;
                }
                let retry_at = now_ms() + backoff.as_millis() as Millis;
                let _ = events.send(NetEvent::Disconnected { retry_at });
                if wait_or_shutdown(&mut cmds, &events, backoff, &mut outbox, &mut next_id).await {
                    return;
                }
                backoff = (backoff * 2).min(Duration::from_secs(10));
                continue;
            }
        };
        backoff = Duration::from_millis(250);
        let resumed = ever_connected;
        ever_connected = true;
        let _ = events.send(NetEvent::Connected {
            agent,
            must_change_password: must_change,
            resumed,
        });
        // Re-send what was never acknowledged, same client_msg_id: the server stores it once.
        let mut inflight: HashMap<u64, Inflight> = HashMap::new();
        let mut ok = true;
        for (id, req) in &outbox {
            if send_frame(&mut ws, *id, req.kind, &req.body).await.is_err() {
                ok = false;
                break;
            }
        }
        // `ok` is false when re-sending the outbox already failed: straight to reconnecting.
        loop {
            if !ok {
                break;
            }
            tokio::select! {
                frame = ws.next() => {
                    let text = match frame {
                        Some(Ok(Message::Text(t))) => t,
                        Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                        Some(Ok(_)) => continue,
                    };
                    let Ok(frame) = serde_json::from_str::<ServerFrame>(text.as_str()) else {
                        tracing::warn!("unreadable frame from the server");
                        continue;
                    };
                    match frame {
                        ServerFrame::Reply { id, ok, result, error } => {
                            let Some(id) = id.as_u64() else { continue };
                            let req = inflight.remove(&id).or_else(|| {
                                let pos = outbox.iter().position(|(i, _)| *i == id)?;
                                Some(outbox.remove(pos).1)
                            });
                            let Some(req) = req else { continue };
                            let result = if ok { Ok(result.unwrap_or(Value::Null)) } else { Err(error.unwrap_or_else(ApiError::internal)) };
                            if req.kind == "change_password"
                                && let (Ok(v), Some(c)) = (&result, creds.as_mut())
                            {
                                c.token = v.get("token").and_then(Value::as_str).map(String::from);
                            }
                            let _ = events.send(NetEvent::Reply { tag: req.tag, result });
                        }
                        ServerFrame::Event { cursor: c, .. } => {
                            cursor = cursor.max(c);
                            let _ = events.send(NetEvent::Frame(frame));
                        }
                        other => {
                            let _ = events.send(NetEvent::Frame(other));
                        }
                    }
                }
                cmd = cmds.recv() => match cmd {
                    Some(NetCmd::Request { tag, kind, body }) => {
                        let id = next_id;
                        next_id += 1;
                        let req = Inflight { tag, kind, body };
                        let sent = send_frame(&mut ws, id, kind, &req.body).await;
                        if kind == "message.send" {
                            outbox.push((id, req));
                        } else {
                            inflight.insert(id, req);
                        }
                        if sent.is_err() {
                            break;
                        }
                    }
                    Some(NetCmd::Login { .. }) => {}
                    Some(NetCmd::Shutdown) | None => {
                        let _ = ws.close(None).await;
                        return;
                    }
                },
            }
        }
        // Lost: everything but sends fails now; sends wait in the outbox.
        for (_, req) in inflight.drain() {
            let _ = events.send(NetEvent::Reply {
                tag: req.tag,
                result: Err(disconnected()),
            });
        }
        let _ = events.send(NetEvent::Disconnected {
            retry_at: now_ms() + backoff.as_millis() as Millis,
        });
        if wait_or_shutdown(&mut cmds, &events, backoff, &mut outbox, &mut next_id).await {
            return;
        }
    }
}

fn disconnected() -> ApiError {
    ApiError::new(ErrorCode::Internal, "not connected to the server")
}

enum Failure {
    /// Worth trying again later (network).
    Retry(String),
    /// Credentials or protocol: trying again will not help.
    Fatal(String),
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn send_frame(ws: &mut Ws, id: u64, kind: &str, body: &Value) -> Result<(), ()> {
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
/// cursor brings them back) except when the caller collects them.
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
/// this returns, through the main loop.
async fn connect(
    c: &mut Creds,
    cursor: i64,
    next_id: &mut u64,
) -> Result<(Ws, crate::protocol::AgentInfo, bool), Failure> {
    let (mut ws, _) = tokio::time::timeout(
        Duration::from_secs(10),
        tokio_tungstenite::connect_async(&c.url),
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
    match call(
        &mut ws,
        "hello",
        json!({"protocol": PROTOCOL_VERSION, "client": "kefu-console"}),
    )
    .await?
    {
        Ok(_) => {}
        Err(e) => return Err(Failure::Fatal(e.message)),
    }
    if let Some(token) = c.token.clone() {
        match call(&mut ws, "resume", json!({"token": token, "cursor": cursor})).await? {
            Ok(v) => return agent_of(ws, &v),
            Err(e) if e.code == ErrorCode::Unauthorized => c.token = None,
            Err(e) => return Err(Failure::Retry(e.message)),
        }
    }
    let body = json!({"username": c.username, "password": c.password, "cursor": if cursor > 0 { Some(cursor) } else { None }});
    match call(&mut ws, "login", body).await? {
        Ok(v) => {
            c.token = v.get("token").and_then(Value::as_str).map(String::from);
            agent_of(ws, &v)
        }
        Err(e) => Err(Failure::Fatal(e.message)),
    }
}

fn agent_of(ws: Ws, v: &Value) -> Result<(Ws, crate::protocol::AgentInfo, bool), Failure> {
    let agent = v
        .get("agent")
        .cloned()
        .and_then(|a| serde_json::from_value(a).ok())
        .ok_or_else(|| Failure::Fatal("the server sent no agent profile".into()))?;
    let must_change = v
        .get("must_change_password")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Ok((ws, agent, must_change))
}

/// Sleeps for the backoff while still taking commands: sends go to the outbox, other requests
/// fail at once. Returns true on shutdown.
async fn wait_or_shutdown(
    cmds: &mut mpsc::UnboundedReceiver<NetCmd>,
    events: &mpsc::UnboundedSender<NetEvent>,
    backoff: Duration,
    outbox: &mut Vec<(u64, Inflight)>,
    next_id: &mut u64,
) -> bool {
    let sleep = tokio::time::sleep(backoff);
    tokio::pin!(sleep);
    loop {
        tokio::select! {
            _ = &mut sleep => return false,
            cmd = cmds.recv() => match cmd {
                Some(NetCmd::Request { tag, kind, body }) => {
                    if kind == "message.send" {
                        let id = *next_id;
                        *next_id += 1;
                        outbox.push((id, Inflight { tag, kind, body }));
                    } else {
                        let _ = events.send(NetEvent::Reply { tag, result: Err(disconnected()) });
                    }
                }
                Some(NetCmd::Login { .. }) => {}
                Some(NetCmd::Shutdown) | None => return true,
            },
        }
    }
}
