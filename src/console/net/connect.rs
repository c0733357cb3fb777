//! One connection attempt: WebSocket handshake, `hello`, then `resume` with the token and
//! cursor (after a drop) or `login` with the password. Also the frame helpers the task uses.

use crate::protocol::request::{Hello, Login, Resume};
use crate::protocol::{
    AgentInfo, ApiError, Call, ErrorCode, PROTOCOL_VERSION, Request, ServerFrame,
};
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
    /// Who is believed for `wss://` (`None`: the public web roots).
    pub tls: Option<std::sync::Arc<rustls::ClientConfig>>,
    /// A second-factor code for the next password login only (a code works once).
    pub totp: Option<String>,
}

pub(super) enum Failure {
    /// Worth trying again later (network).
    Retry(String),
    /// Credentials or protocol: trying again will not help. `credentials` when the server
    /// refused the username or password.
    Fatal { message: String, credentials: bool },
    /// The password was right and the account has a second factor: ask for the code.
    TotpRequired(String),
}

/// A connection that is logged in.
pub(super) struct Established {
    pub ws: Ws,
    pub agent: AgentInfo,
    pub must_change_password: bool,
    /// The role requires a second factor not enrolled yet (`[auth] require_2fa`).
    pub must_enroll_totp: bool,
    /// True when the server accepted our token and cursor (events since then are replayed).
    pub resumed: bool,
}

/// Writes `request` as one frame with its echo `id`. Err when the connection is gone.
pub(super) async fn send_frame(ws: &mut Ws, id: u64, request: &Request) -> Result<(), ()> {
    let mut v = serde_json::to_value(request).map_err(|e| {
        // Our own types always serialise; if one ever does not, say so rather than send junk.
        tracing::error!(request = request.kind(), error = %e, "cannot write a request");
    })?;
    if let Some(fields) = v.as_object_mut() {
        fields.insert("id".into(), json!(id));
    }
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

/// Sends one request during sign-in and reads its typed reply (`Ok(Err(_))`: the server
/// refused it). A reply of another shape is logged and ends the attempt: it is not a server
/// we can talk to.
async fn call<C: Call>(
    ws: &mut Ws,
    next_id: &mut u64,
    call: C,
) -> Result<Result<C::Reply, ApiError>, Failure> {
    let request: Request = call.into();
    let kind = request.kind();
    let id = *next_id;
    *next_id += 1;
    send_frame(ws, id, &request)
        .await
        .map_err(|_| Failure::Retry("the connection dropped".into()))?;
    match await_reply(ws, id).await? {
        Err(e) => Ok(Err(e)),
        Ok(v) => serde_json::from_value(v).map(Ok).map_err(|e| {
            tracing::error!(request = kind, error = %e, "a reply of the wrong shape from the server");
            Failure::Fatal {
                message: format!("the server's reply to `{kind}` could not be read: {e}"),
                credentials: false,
            }
        }),
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
    let connector = c.tls.as_ref().map(crate::tls_trust::connector);
    let (mut ws, _) = tokio::time::timeout(
        Duration::from_secs(10),
        tokio_tungstenite::connect_async_tls_with_config(&c.url, None, true, connector),
    )
    .await
    .map_err(|_| Failure::Retry(format!("cannot reach {}: timed out", c.url)))?
    .map_err(|e| Failure::Retry(format!("cannot reach {}: {e}", c.url)))?;
    let hello = Hello {
        protocol: PROTOCOL_VERSION,
        client: Some("kefu-console".into()),
    };
    if let Err(e) = call(&mut ws, next_id, hello).await? {
        return Err(Failure::Fatal {
            message: e.message,
            credentials: false,
        });
    }
    if let Some(token) = c.token.clone() {
        let resume = Resume {
            token,
            cursor: Some(cursor),
        };
        match call(&mut ws, next_id, resume).await? {
            Ok(reply) => return established(ws, reply, true),
            Err(e) if e.code == ErrorCode::Unauthorized => {
                tracing::info!("the session token was refused; signing in with the password");
                c.token = None;
            }
            Err(e) => return Err(Failure::Retry(e.message)),
        }
    }
    let login = Login {
        username: c.username.clone(),
        password: c.password.clone(),
        cursor: (cursor > 0).then_some(cursor),
        totp: c.totp.take(),
    };
    match call(&mut ws, next_id, login).await? {
        Ok(reply) => {
            c.token = reply.token.clone();
            established(ws, reply, false)
        }
        Err(e) if e.code == ErrorCode::TotpRequired => Err(Failure::TotpRequired(e.message)),
        Err(e) => Err(Failure::Fatal {
            credentials: e.code == ErrorCode::Unauthorized,
            message: e.message,
        }),
    }
}

fn established(
    ws: Ws,
    reply: <Login as Call>::Reply,
    resumed: bool,
) -> Result<Established, Failure> {
    let agent: AgentInfo = reply.agent.ok_or_else(|| Failure::Fatal {
        message: "the server sent no agent profile".into(),
        credentials: false,
    })?;
    Ok(Established {
        ws,
        agent,
        must_change_password: reply.must_change_password,
        must_enroll_totp: reply.must_enroll_totp,
        resumed,
    })
}
