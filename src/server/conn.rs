//! One WebSocket connection: reads frames, enforces the handshake, size and rate limits, and
//! forwards requests to the hub; writes whatever the hub queues in its [`Outbox`].

use super::hub::{Endpoint, HubMsg, HubTx};
use super::outbox::{Outbox, Outgoing, next_conn_id};
use crate::protocol::{self, ApiError, ErrorCode, HelloReply, PROTOCOL_VERSION, Request};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use serde_json::Value;
use std::net::IpAddr;
use std::time::Instant;

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

pub struct ConnSettings {
    pub rate_per_sec: f64,
    pub rate_burst: f64,
    pub outbox_frames: usize,
    pub ping_interval_secs: u64,
    pub idle_timeout_secs: u64,
}

pub async fn serve(
    mut socket: WebSocket,
    endpoint: Endpoint,
    peer: IpAddr,
    hub: HubTx,
    settings: ConnSettings,
) {
    let conn = next_conn_id();
    let (outbox, mut rx, kill) = Outbox::new(settings.outbox_frames);
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
    let mut limit = RateLimit {
        tokens: settings.rate_burst,
        rate: settings.rate_per_sec,
        burst: settings.rate_burst,
        last: Instant::now(),
    };
    let mut greeted = false;
    loop {
        tokio::select! {
            incoming = socket.recv() => {
                let text = match incoming {
                    Some(Ok(Message::Text(t))) => t,
                    Some(Ok(Message::Binary(_))) => {
                        outbox.send(protocol::reply_err(&Value::Null, &ApiError::invalid("binary frames are not supported; send JSON text")));
                        continue;
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Ok(Message::Close(_))) => {
                        // tungstenite queued the close reply; flush it so the client sees 1000.
                        let _ = futures_util::SinkExt::flush(&mut socket).await;
                        break;
                    }
                    None | Some(Err(_)) => break,
                };
                let parsed = protocol::parse_request(text.as_str());
                if !limit.allow() {
                    // Echo the id so the client knows which request was dropped.
                    let id = match &parsed { Ok(inc) => inc.id.clone(), Err((id, _)) => id.clone() };
                    outbox.send(protocol::reply_err(&id, &ApiError::new(ErrorCode::RateLimited, "too many requests; slow down")));
                    continue;
                }
                match parsed {
                    Err((id, err)) => outbox.send(protocol::reply_err(&id, &err)),
                    Ok(inc) => match inc.request {
                        Request::Hello(hello) => {
                            let v = hello.protocol;
                            if v == PROTOCOL_VERSION {
                                greeted = true;
                                let reply = HelloReply {
                                    protocol: PROTOCOL_VERSION,
                                    server: concat!("kefu ", env!("CARGO_PKG_VERSION")).into(),
                                    endpoint: endpoint.as_str().into(),
                                    max_frame_bytes: protocol::MAX_FRAME_BYTES,
                                    ping_interval_secs: settings.ping_interval_secs,
                                    idle_timeout_secs: settings.idle_timeout_secs,
                                };
                                outbox.send(protocol::reply_frame(&inc.id, &Ok(reply)));
                            } else {
                                outbox.send(protocol::reply_err(&inc.id, &ApiError::new(ErrorCode::UnsupportedVersion, format!("this server speaks protocol {PROTOCOL_VERSION}, the client asked for {v}"))));
                            }
                        }
                        _ if !greeted => outbox.send(protocol::reply_err(&inc.id, &ApiError::invalid("send `hello` with the protocol version first"))),
                        request => {
                            if hub.send(HubMsg::Request { conn, id: inc.id, request }).is_err() {
                                break;
                            }
                        }
                    },
                }
            }
            out = rx.recv() => match out {
                Some(Outgoing::Frame(f)) => {
                    if socket.send(Message::Text(f.into())).await.is_err() {
                        break;
                    }
                }
                Some(Outgoing::Close(code, reason)) => {
                    let _ = socket.send(Message::Close(Some(CloseFrame { code, reason: reason.into() }))).await;
                    break;
                }
                None => break,
            },
            _ = kill.notified() => {
                let _ = socket.send(Message::Close(Some(CloseFrame { code: 1008, reason: "too slow to keep up; resume with your last cursor".into() }))).await;
                break;
            }
        }
    }
    let _ = hub.send(HubMsg::Closed { conn });
}
