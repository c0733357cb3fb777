//! One WebSocket connection: reads frames, enforces the handshake, size and rate limits and the
//! connection's deadlines (hello, authentication, idle), forwards requests to the hub, and
//! writes whatever the hub queues in its [`Outbox`] through a [`Writer`].
//!
//! Close codes sent from here are listed in `docs/protocol.md` §1.5.

use super::hub::{AuthProgress, Endpoint, HubMsg, HubTx, Inbound};
use super::listen::Slot;
use super::outbox::{Outbox, Outgoing, next_conn_id};
use super::ws_writer::Writer;
use crate::protocol::{self, ApiError, ErrorCode, HelloReply, PROTOCOL_VERSION, Request};
use axum::extract::ws::{Message, WebSocket};
use futures_util::StreamExt;
use serde_json::Value;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, mpsc, oneshot, watch};
use tokio_tungstenite::tungstenite;

/// The server is going away.
const CLOSE_GOING_AWAY: u16 = 1001;
/// Invalid UTF-8 in a text frame (RFC 6455 §7.4.1).
pub const CLOSE_BAD_UTF8: u16 = 1007;
/// The client did not read fast enough, or its socket stopped taking data.
pub const CLOSE_TOO_SLOW: u16 = 1008;
/// A frame or message over the hard limit.
pub const CLOSE_TOO_BIG: u16 = 1009;
/// A WebSocket protocol violation (unmasked frame, bad opcode, …).
pub const CLOSE_PROTOCOL: u16 = 1002;
/// No `hello`, no authentication, or nothing heard, in time (like HTTP 408).
pub const CLOSE_TIMEOUT: u16 = 4408;

const TOO_SLOW: &str = "too slow to keep up; resume with your last cursor";
/// How long a close frame (or the reply to the client's) may take to go out.
const CLOSE_WITHIN: Duration = Duration::from_secs(1);
/// When the hub says a login is still being checked at the deadline, ask again this much later.
const AUTH_RECHECK: Duration = Duration::from_secs(5);
/// Requests of one connection that may wait in the hub's queue at once (a place is given back
/// when the hub has dispatched the request, not when its reply goes out). When the
/// hub falls behind, every connection gets its turn: one pipelining client cannot take the whole
/// queue (`limits.request_queue`) while the others wait behind it.
pub const IN_FLIGHT_PER_CONNECTION: usize = 8;

/// A token bucket: `rate` per second sustained, `burst` at once.
struct RateLimit {
    tokens: f64,
    rate: f64,
    burst: f64,
    last: Instant,
}

impl RateLimit {
    fn allow(&mut self) -> bool {
        let now = Instant::now();
        let refill = now.duration_since(self.last).as_secs_f64() * self.rate;
        self.tokens = (self.tokens + refill).min(self.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[derive(Clone)]
pub struct ConnSettings {
    pub rate_per_sec: f64,
    pub rate_burst: f64,
    pub outbox_frames: usize,
    pub ping_interval_secs: u64,
    pub idle_timeout_secs: u64,
    pub hello_timeout_secs: u64,
    pub auth_timeout_secs: u64,
    /// The server's metrics (open connections, frames sent, error replies).
    pub metrics: Arc<crate::metrics::Metrics>,
}

/// What the connection still waits for from the client before its authentication deadline.
enum AuthWait {
    Until(tokio::time::Instant),
    /// Asked the hub whether the connection authenticated.
    Asking(oneshot::Receiver<AuthProgress>),
    Done,
}

/// Serves one upgraded WebSocket until either side closes it, a limit or deadline ends it, or
/// `hard_stop` turns true (the end of the shutdown grace). `slot` is the connection's place
/// under the server's connection caps, given back when this returns.
pub async fn serve(
    socket: WebSocket,
    endpoint: Endpoint,
    peer: IpAddr,
    hub: HubTx,
    settings: ConnSettings,
    mut hard_stop: watch::Receiver<bool>,
    slot: Arc<Slot>,
) {
    let conn = next_conn_id();
    let _open = settings
        .metrics
        .connection_opened(endpoint == Endpoint::Agent);
    let (outbox, mut rx, kill) = Outbox::new(settings.outbox_frames, settings.metrics.clone());
    if hub
        .send(HubMsg::Open {
            conn,
            endpoint,
            peer,
            out: outbox.clone(),
        })
        .is_err()
    {
        return;
    }
    let (sink, mut stream) = socket.split();
    let mut writer = Writer::new(sink, settings.metrics.clone());
    let requests = hub.requests();
    let in_flight = Arc::new(Semaphore::new(IN_FLIGHT_PER_CONNECTION));
    // A request waiting for room in the hub's queue; meanwhile this socket is not read (so TCP
    // pushes back on the client), but what the hub queued for it is still written.
    let mut forwarding: Option<Pin<Box<dyn Future<Output = bool> + Send>>> = None;
    let mut reader = Reader {
        conn,
        endpoint,
        outbox,
        settings: settings.clone(),
        limit: RateLimit {
            tokens: settings.rate_burst,
            rate: settings.rate_per_sec,
            burst: settings.rate_burst,
            last: Instant::now(),
        },
        greeted: false,
        sent: 0,
        hub: hub.clone(),
    };
    let start = tokio::time::Instant::now();
    let idle = Duration::from_secs(settings.idle_timeout_secs);
    let hello_at = start + Duration::from_secs(settings.hello_timeout_secs);
    let mut auth = AuthWait::Until(start + Duration::from_secs(settings.auth_timeout_secs));
    let every = Duration::from_secs(settings.ping_interval_secs);
    let mut ping_at = start + every;
    let mut last_heard = start;
    let mut closing: Option<(u16, String)> = None;
    // The hub stopped taking requests (shutting down): read no more, but send what it queued
    // before it went, ending with its close frame.
    let mut hub_gone = false;
    // One timer for every deadline (a timer each would cost memory on every one of thousands
    // of idle connections), moved only when the nearest deadline changes.
    let timer = tokio::time::sleep_until(ping_at);
    tokio::pin!(timer);

    // `Some((code, reason))`: close with that; `None`: the socket is gone or already closing.
    let end: Option<(u16, String)> = loop {
        let auth_at = match &auth {
            AuthWait::Until(t) => Some(*t),
            _ => None,
        };
        // A socket that takes nothing for as long as a peer may stay silent: the client has
        // stopped reading. (A block that starts while we wait is seen at the next wake-up,
        // the next ping at the latest.)
        let stalled_at = writer
            .blocked_since()
            .map(|t| tokio::time::Instant::from_std(t) + idle);
        let next_deadline = [
            // (Not while a request waits for the hub: the socket is not read meanwhile.)
            forwarding.is_none().then_some(last_heard + idle),
            Some(ping_at),
            (!reader.greeted).then_some(hello_at),
            auth_at,
            stalled_at,
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(ping_at);
        // (Re-armed after firing too: a fired timer would otherwise stay ready.)
        if timer.is_elapsed() || timer.deadline() != next_deadline {
            timer.as_mut().reset(next_deadline);
        }
        tokio::select! {
            incoming = stream.next(), if !hub_gone && forwarding.is_none() => {
                last_heard = tokio::time::Instant::now();
                match incoming {
                    Some(Ok(Message::Text(t))) => {
                        if let Some(mut inbound) = reader.on_text(t.as_str()) {
                            let permit = in_flight.clone().try_acquire_owned();
                            let waiting = match permit {
                                Ok(p) => {
                                    inbound.permit = Some(p);
                                    match requests.try_send(inbound) {
                                        Ok(()) => None,
                                        Err(mpsc::error::TrySendError::Full(i)) => Some(i),
                                        Err(mpsc::error::TrySendError::Closed(_)) => {
                                            hub_gone = true;
                                            None
                                        }
                                    }
                                }
                                Err(_) => Some(inbound),
                            };
                            if let Some(mut inbound) = waiting {
                                let (tx, slots) = (requests.clone(), in_flight.clone());
                                forwarding = Some(Box::pin(async move {
                                    if inbound.permit.is_none() {
                                        match slots.acquire_owned().await {
                                            Ok(p) => inbound.permit = Some(p),
                                            Err(_) => return false,
                                        }
                                    }
                                    tx.send(inbound).await.is_ok()
                                }));
                            }
                        }
                    }
                    Some(Ok(Message::Binary(_))) => reader.outbox.send_error(
                        &Value::Null,
                        &ApiError::invalid("binary frames are not supported; send JSON text"),
                    ),
                    // Pings are answered by tungstenite; any frame counts as a sign of life.
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                    Some(Ok(Message::Close(_))) => {
                        // tungstenite queued the close reply; flush it so the client sees it.
                        writer.flush(CLOSE_WITHIN).await;
                        break None;
                    }
                    Some(Err(e)) => break read_error(e),
                    None => break None,
                }
            }
            sent = async {
                match forwarding.as_mut() {
                    Some(f) => f.await,
                    None => std::future::pending().await,
                }
            }, if forwarding.is_some() => {
                forwarding = None;
                // The socket is read again from now: silence counts from here.
                last_heard = tokio::time::Instant::now();
                hub_gone |= !sent;
            }
            r = writer.drive(), if writer.busy() => {
                if r.is_err() {
                    break None;
                }
            }
            out = rx.recv(), if !writer.busy() && closing.is_none() => {
                // Take what else is already queued too, to send it in one write.
                let mut next = out;
                loop {
                    match next {
                        Some(Outgoing::Frame(f)) => writer.frame(f),
                        Some(Outgoing::Replay(frames)) => writer.replay(frames),
                        Some(Outgoing::Close(code, reason)) => {
                            closing = Some((code, reason.into()));
                            break;
                        }
                        None => break,
                    }
                    if !writer.room() {
                        break;
                    }
                    next = match rx.try_recv() {
                        Ok(item) => Some(item),
                        Err(_) => break,
                    };
                }
                if !writer.busy() && closing.is_none() {
                    // The outbox is closed: the hub has gone without a word.
                    break Some((CLOSE_GOING_AWAY, "server shutting down".into()));
                }
            }
            // A close from the hub goes after the frames queued before it.
            _ = std::future::ready(()), if !writer.busy() && closing.is_some() => break closing.take(),
            _ = kill.notified() => break Some((CLOSE_TOO_SLOW, TOO_SLOW.into())),
            // Whichever deadlines passed.
            _ = &mut timer => {
                let now = tokio::time::Instant::now();
                if stalled_at.is_some_and(|t| now >= t) {
                    break Some((CLOSE_TOO_SLOW, TOO_SLOW.into()));
                }
                if forwarding.is_none() && now >= last_heard + idle {
                    let why = format!("nothing heard for {} s (idle timeout)", idle.as_secs());
                    break Some((CLOSE_TIMEOUT, why));
                }
                if !reader.greeted && now >= hello_at {
                    let why = format!("no hello within {} s", settings.hello_timeout_secs);
                    break Some((CLOSE_TIMEOUT, why));
                }
                if auth_at.is_some_and(|t| now >= t) {
                    let (tx, rx) = oneshot::channel();
                    auth = if hub.send(HubMsg::AuthCheck {
                        conn,
                        sent: reader.sent,
                        reply: tx,
                    }).is_err() {
                        hub_gone = true;
                        AuthWait::Done
                    } else {
                        AuthWait::Asking(rx)
                    };
                }
                if now >= ping_at {
                    writer.ping();
                    ping_at = now + every;
                }
            }
            progress = async {
                match &mut auth {
                    AuthWait::Asking(rx) => rx.await,
                    _ => std::future::pending().await,
                }
            } => match progress {
                Ok(AuthProgress::Done) => auth = AuthWait::Done,
                Ok(AuthProgress::Checking) => {
                    auth = AuthWait::Until(tokio::time::Instant::now() + AUTH_RECHECK);
                }
                Ok(AuthProgress::No) => {
                    let what = match endpoint {
                        Endpoint::Agent => "not logged in",
                        Endpoint::Customer => "no conversation started or resumed",
                    };
                    let why = format!("{what} within {} s", settings.auth_timeout_secs);
                    break Some((CLOSE_TIMEOUT, why));
                }
                Err(_) => {
                    hub_gone = true;
                    auth = AuthWait::Done;
                }
            },
            _ = super::listen::until_true(&mut hard_stop) => break None,
        }
    };
    if let Some((code, reason)) = end {
        tracing::debug!(conn, %peer, code, reason, "closing connection");
        writer.close(code, reason, CLOSE_WITHIN).await;
        // Wait for the client's close frame, discarding what it still sends: a socket closed
        // with unread data is reset by the kernel, and the reset can reach the client before
        // the close frame does, which then never learns why (e.g. 1001: resume elsewhere).
        let _ = tokio::time::timeout(CLOSE_WITHIN, async {
            while let Some(Ok(m)) = stream.next().await {
                if matches!(m, Message::Close(_)) {
                    break;
                }
            }
        })
        .await;
    }
    let _ = hub.send(HubMsg::Closed { conn });
    drop(slot);
}

/// The close frame owed for a read error, if the socket can still take one.
fn read_error(e: axum::Error) -> Option<(u16, String)> {
    let e = e.into_inner().downcast::<tungstenite::Error>().ok()?;
    match *e {
        tungstenite::Error::Utf8(_) => {
            Some((CLOSE_BAD_UTF8, "invalid UTF-8 in a text frame".into()))
        }
        tungstenite::Error::Capacity(_) => Some((
            CLOSE_TOO_BIG,
            format!(
                "frame over the hard limit of {} bytes",
                super::HARD_FRAME_LIMIT
            ),
        )),
        tungstenite::Error::Protocol(p) => Some((CLOSE_PROTOCOL, format!("protocol error: {p}"))),
        _ => None,
    }
}

/// The read side's per-connection state.
struct Reader {
    conn: super::outbox::ConnId,
    endpoint: Endpoint,
    outbox: Outbox,
    settings: ConnSettings,
    limit: RateLimit,
    greeted: bool,
    /// Requests handed towards the hub so far (numbers them, see [`Inbound::seq`]).
    sent: u64,
    /// Tells the hub what `hello.client` said (before any request: the hub's own inbox).
    hub: HubTx,
}

impl Reader {
    /// Handles one text frame: answers what the connection answers itself (limits, parse
    /// errors, `hello`) and returns the request that is for the hub.
    fn on_text(&mut self, text: &str) -> Option<Inbound> {
        let parsed = protocol::parse_request(text);
        if !self.limit.allow() {
            // Echo the id so the client knows which request was dropped.
            let id = match &parsed {
                Ok(inc) => inc.id.clone(),
                Err((id, _)) => id.clone(),
            };
            let e = ApiError::new(ErrorCode::RateLimited, "too many requests; slow down");
            self.outbox.send_error(&id, &e);
            return None;
        }
        let inc = match parsed {
            Err((id, err)) => {
                self.outbox.send_error(&id, &err);
                return None;
            }
            Ok(inc) => inc,
        };
        match inc.request {
            Request::Hello(hello) => {
                let v = hello.protocol;
                if v == PROTOCOL_VERSION {
                    self.greeted = true;
                    let (conn, client) = (self.conn, hello.client.as_deref());
                    let client = client.and_then(super::sign_ins::clean_client);
                    let _ = self.hub.send(HubMsg::Continue(Box::new(move |h| {
                        h.set_client(conn, client)
                    })));
                    let reply = HelloReply {
                        protocol: PROTOCOL_VERSION,
                        server: concat!("kefu ", env!("CARGO_PKG_VERSION")).into(),
                        endpoint: self.endpoint.as_str().into(),
                        max_frame_bytes: protocol::MAX_FRAME_BYTES,
                        ping_interval_secs: self.settings.ping_interval_secs,
                        idle_timeout_secs: self.settings.idle_timeout_secs,
                    };
                    self.outbox.send(protocol::reply_frame(&inc.id, &Ok(reply)));
                } else {
                    let e = ApiError::new(
                        ErrorCode::UnsupportedVersion,
                        format!(
                            "this server speaks protocol {PROTOCOL_VERSION}, the client asked for {v}"
                        ),
                    );
                    self.outbox.send_error(&inc.id, &e);
                }
            }
            _ if !self.greeted => {
                let e = ApiError::invalid("send `hello` with the protocol version first");
                self.outbox.send_error(&inc.id, &e);
            }
            request => {
                self.sent += 1;
                return Some(Inbound {
                    conn: self.conn,
                    seq: self.sent,
                    id: inc.id,
                    request,
                    permit: None,
                });
            }
        }
        None
    }
}
