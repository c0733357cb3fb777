//! The floor: a minimal durable relay that speaks just enough of kefu's protocol for the
//! bench's clients (hello, login, status, customer.start paired round-robin to an agent,
//! session.accept, message.send), so `kefu bench --floor` can measure what the hardware gives
//! under the same load. It keeps what kefu must not skip: every frame is parsed with the same
//! serde parser, every message is on disk (SQLite, WAL, `synchronous=FULL`, group commit in
//! `floor_store`) before it is forwarded and acked, and sockets run with
//! `TCP_NODELAY`. It keeps nothing else: no accounts, no queues, no event log, no limits.
//! Run as the hidden `kefu bench-floor`.

use super::floor_store::{self, Job};
use crate::model::{AgentStatus, AuthorKind, Channel, SessionState, now_ms};
use crate::protocol::reply::{
    AcceptReply, CustomerStartReply, HelloReply, LoginReply, StatusReply,
};
use crate::protocol::{
    ApiError, CustomerView, Event, MAX_FRAME_BYTES, MessageView, PROTOCOL_VERSION, Request,
    SessionView, event_frame, parse_request, reply_err, reply_frame,
};
use futures_util::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request as HttpRequest, Response};

pub const DB_FILE: &str = "floor.db";

type Tx = UnboundedSender<String>;

/// Who is connected, and which agent serves which conversation.
#[derive(Default)]
struct Relay {
    agents: Vec<Tx>,
    next_agent: usize,
    sessions: HashMap<i64, Route>,
}

struct Route {
    customer: Tx,
    agent: Option<Tx>,
    seq: i64,
}

struct Shared {
    relay: Mutex<Relay>,
    store: std::sync::mpsc::Sender<Job>,
}

/// Serves until the process is killed.
pub async fn serve(listener: TcpListener, data_dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(data_dir)?;
    let store = floor_store::start(&data_dir.join(DB_FILE))?;
    let shared = Arc::new(Shared {
        relay: Mutex::new(Relay::default()),
        store,
    });
    loop {
        let (stream, _) = listener.accept().await?;
        let shared = shared.clone();
        tokio::spawn(async move {
            let _ = connection(stream, shared).await;
        });
    }
}

async fn connection(stream: TcpStream, shared: Arc<Shared>) -> anyhow::Result<()> {
    stream.set_nodelay(true)?;
    let mut path = String::new();
    // The callback's type is tungstenite's; its large error type is not ours to shrink.
    #[allow(clippy::result_large_err)]
    let ws = tokio_tungstenite::accept_hdr_async(stream, |req: &HttpRequest, resp: Response| {
        path = req.uri().path().to_string();
        Ok(resp)
    })
    .await?;
    let (mut sink, mut stream) = ws.split();
    let (tx, mut rx) = unbounded_channel::<String>();
    // The writer sends every frame already queued in one flush, as kefu's does.
    let writer = tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            sink.feed(Message::Text(first.into())).await?;
            while let Ok(more) = rx.try_recv() {
                sink.feed(Message::Text(more.into())).await?;
            }
            sink.flush().await?;
        }
        Ok::<_, tokio_tungstenite::tungstenite::Error>(())
    });
    let endpoint = if path.ends_with("/agent") {
        "agent"
    } else {
        "customer"
    };
    let mut my_session = None;
    while let Some(msg) = stream.next().await {
        let text = match msg? {
            Message::Text(t) => t,
            Message::Close(_) => break,
            _ => continue,
        };
        let frame = match parse_request(text.as_str()) {
            Ok(incoming) => handle(&shared, &tx, endpoint, &mut my_session, incoming),
            Err((id, e)) => Some(reply_err(&id, &e)),
        };
        if let Some(f) = frame {
            let _ = tx.send(f);
        }
    }
    drop(tx);
    let _ = writer.await;
    Ok(())
}

/// Answers one request; `None` when the answer comes later (a message, after its commit).
fn handle(
    shared: &Shared,
    me: &Tx,
    endpoint: &str,
    my_session: &mut Option<i64>,
    incoming: crate::protocol::Incoming,
) -> Option<String> {
    let id = incoming.id;
    let mut relay = shared.relay.lock().unwrap_or_else(|p| p.into_inner());
    let reply = match incoming.request {
        Request::Hello(_) => reply_frame(
            &id,
            &Ok(HelloReply {
                protocol: PROTOCOL_VERSION,
                server: "kefu-floor".into(),
                endpoint: endpoint.into(),
                max_frame_bytes: MAX_FRAME_BYTES,
                ping_interval_secs: 3600,
                idle_timeout_secs: 3600,
            }),
        ),
        Request::Login(_) => reply_frame(
            &id,
            &Ok(LoginReply {
                token: None,
                agent: None,
                must_change_password: false,
                must_enroll_totp: false,
                cursor: 0,
            }),
        ),
        Request::SetStatus(s) => {
            // Going online (once) puts the connection in the round-robin; nothing takes it out,
            // as no bench agent leaves before the end.
            if s.status == AgentStatus::Online && !relay.agents.iter().any(|a| a.same_channel(me)) {
                relay.agents.push(me.clone());
            }
            reply_frame(&id, &Ok(StatusReply { status: s.status }))
        }
        Request::CustomerStart(_) => {
            if relay.agents.is_empty() {
                return Some(reply_err(&id, &ApiError::conflict("no agent online")));
            }
            let session_id = relay.sessions.len() as i64 + 1;
            let agent = relay.agents[relay.next_agent % relay.agents.len()].clone();
            relay.next_agent += 1;
            relay.sessions.insert(
                session_id,
                Route {
                    customer: me.clone(),
                    agent: None,
                    seq: 0,
                },
            );
            *my_session = Some(session_id);
            let offer = Event::Offer {
                session: session_view(session_id),
                expires_at: now_ms() + 60_000,
                transfer_note: None,
                transferred_by: None,
            };
            let _ = agent.send(event_frame(0, &offer));
            reply_frame(
                &id,
                &Ok(CustomerStartReply {
                    token: None,
                    customer_id: session_id,
                    session_id,
                    state: Some(SessionState::Offered),
                    cursor: 0,
                }),
            )
        }
        Request::Accept(a) => {
            let Some(route) = relay.sessions.get_mut(&a.session_id) else {
                return Some(reply_err(&id, &ApiError::not_found("no such session")));
            };
            route.agent = Some(me.clone());
            let joined = Event::AgentJoined {
                session_id: a.session_id,
                agent_name: "floor".into(),
            };
            let _ = route.customer.send(event_frame(0, &joined));
            reply_frame(&id, &Ok(AcceptReply { session: None }))
        }
        Request::SendMessage(m) => {
            let route = match relay.sessions.get_mut(&m.session_id) {
                Some(r) if *my_session == Some(m.session_id) => r,
                _ => return Some(reply_err(&id, &ApiError::not_found("not your session"))),
            };
            route.seq += 1;
            let job = Job {
                reply_id: id,
                message: MessageView {
                    session_id: m.session_id,
                    seq: route.seq,
                    author_kind: AuthorKind::Customer,
                    author_id: None,
                    author_name: "customer".into(),
                    body: m.body,
                    client_msg_id: Some(m.client_msg_id),
                    created_at: now_ms(),
                    internal: false,
                },
                customer: me.clone(),
                agent: route.agent.clone(),
            };
            drop(relay);
            // A failed store ends the process (see `floor_store`): nothing to answer then.
            let _ = shared.store.send(job);
            return None;
        }
        other => reply_err(
            &id,
            &ApiError::invalid(format!("`{}` is not in the floor", other.kind())),
        ),
    };
    Some(reply)
}

fn session_view(id: i64) -> SessionView {
    SessionView {
        id,
        customer: CustomerView {
            id,
            external_id: None,
            nickname: "bench".into(),
            channel: Channel::Web,
            vip: false,
            tags: vec![],
        },
        channel: Channel::Web,
        state: SessionState::Offered,
        group: "general".into(),
        assignee: None,
        priority: 0,
        intent: None,
        tags: vec![],
        follow_up: false,
        follow_up_at: None,
        created_at: now_ms(),
        queued_at: None,
        offered_at: None,
        accepted_at: None,
        first_human_reply_at: None,
        ended_at: None,
        end_reason: None,
        csat: None,
        last_seq: 0,
        waiting_since: None,
        context: None,
        offline: false,
        csat_comment: None,
        replied_at: None,
        reminded_at: None,
        bot: None,
        menu: None,
        ends_at: None,
        pending_end: None,
    }
}
