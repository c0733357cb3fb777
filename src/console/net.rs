//! The console's one WebSocket task: connects, logs in (or resumes with its token and last
//! cursor after a drop), reconnects with backoff, and keeps `message.send` requests in an outbox
//! until the server acknowledges them — re-sent after a reconnect with the same client_msg_id,
//! so a typed message is never lost and never stored twice. With a data directory the outbox
//! is also kept on disk ([`crate::console::outbox`]) and survives a quit or a crash.
//!
//! Requests come in typed ([`crate::protocol::Request`]) and are written here; each reply is
//! read as the reply type its request declares ([`crate::console::reply`]) before the app
//! sees it, so a reply of the wrong shape is logged and reported as an error, never guessed at.
//!
//! Connection events (connecting, connected, resumed, disconnected with the reason, backoff,
//! sign-in failures) are logged through `tracing`, which the console sends to `console.log`.

mod backoff;
mod connect;
mod queue;

pub use backoff::Backoff;

use crate::console::app::{NetEvent, Tag};
use crate::console::outbox::OutboxFile;
use crate::console::reply::{self, Decode, Reply, ReplyError};
use crate::model::{Millis, now_ms};
use crate::protocol::{ApiError, Request, ServerFrame};
use connect::{Creds, Established, Failure, Ws, send_frame};
use futures_util::StreamExt;
use queue::{Outbox, read_ack};
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
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
    /// A login again with the second-factor code the server asked for (`totp_required`).
    LoginWithCode {
        server: String,
        username: String,
        password: String,
        totp: String,
    },
    /// A request; its reply comes back as `NetEvent::Reply` with the same tag. A
    /// `message.send` waits in the outbox until the server acknowledges it.
    Request {
        tag: Tag,
        request: Request,
    },
    Shutdown,
}

/// How the task behaves; `Default` is what the console uses without a data directory.
#[derive(Debug, Clone, Default)]
pub struct NetOptions {
    /// Where unacknowledged messages are kept on disk (one file per server and user).
    pub outbox_dir: Option<PathBuf>,
    pub backoff: Backoff,
    /// Who is believed for `wss://`: the public roots plus `--ca` (see `tls_trust`).
    pub tls: Option<std::sync::Arc<rustls::ClientConfig>>,
}

/// A request written to the socket and not yet answered.
struct Inflight {
    tag: Tag,
    kind: &'static str,
    /// Reads its reply as the type the request declares.
    decode: Decode,
}

/// Starts the task with the defaults (outbox in memory only); events come out of `events`.
pub fn spawn(events: mpsc::UnboundedSender<NetEvent>) -> mpsc::UnboundedSender<NetCmd> {
    spawn_with(events, NetOptions::default())
}

pub fn spawn_with(
    events: mpsc::UnboundedSender<NetEvent>,
    options: NetOptions,
) -> mpsc::UnboundedSender<NetCmd> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(run(rx, events, options));
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

/// The task's state between connections.
struct Task {
    cmds: mpsc::UnboundedReceiver<NetCmd>,
    events: mpsc::UnboundedSender<NetEvent>,
    options: NetOptions,
    creds: Option<Creds>,
    cursor: i64,
    outbox: Outbox,
    next_id: u64,
    backoff: Backoff,
    ever_connected: bool,
    /// Signed in but the password must change first: the kept outbox waits until it has.
    restore_pending: bool,
    /// The server closed the connection with 1008 and this reason: the sign-in is over.
    signed_out: Option<String>,
}

/// The close code and reason prefix of a connection whose sign-in ended (`docs/protocol.md`
/// 1.5); another 1008 (too slow to keep up) reconnects and resumes.
const CLOSE_SIGNED_OUT: u16 = 1008;
const SIGNED_OUT_PREFIX: &str = crate::server::SIGNED_OUT_PREFIX;

async fn run(
    cmds: mpsc::UnboundedReceiver<NetCmd>,
    events: mpsc::UnboundedSender<NetEvent>,
    options: NetOptions,
) {
    // rustls needs a process-wide crypto provider for wss://; ignore "already installed".
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut task = Task {
        cmds,
        events,
        backoff: options.backoff,
        options,
        creds: None,
        cursor: 0,
        outbox: Outbox {
            items: Vec::new(),
            file: None,
            failing: false,
        },
        next_id: 1,
        ever_connected: false,
        restore_pending: false,
        signed_out: None,
    };
    task.run().await;
}

impl Task {
    fn emit(&self, ev: NetEvent) {
        let _ = self.events.send(ev);
    }

    /// Takes the credentials of a login from the app (connecting follows).
    fn sign_in(
        &mut self,
        server: String,
        username: String,
        password: String,
        totp: Option<String>,
    ) {
        let url = agent_url(&server);
        self.outbox.file = self
            .options
            .outbox_dir
            .as_deref()
            .map(|d| OutboxFile::new(d, &url, &username));
        self.creds = Some(Creds {
            url,
            username,
            password,
            token: None,
            tls: self.options.tls.clone(),
            totp: totp.filter(|t| !t.trim().is_empty()),
        });
    }

    async fn run(&mut self) {
        loop {
            let Some(c) = self.creds.as_ref() else {
                match self.cmds.recv().await {
                    Some(NetCmd::Login {
                        server,
                        username,
                        password,
                    }) => {
                        self.sign_in(server, username, password, None);
                        continue;
                    }
                    Some(NetCmd::LoginWithCode {
                        server,
                        username,
                        password,
                        totp,
                    }) => {
                        self.sign_in(server, username, password, Some(totp));
                        continue;
                    }
                    Some(NetCmd::Request { tag, .. }) => {
                        self.emit(NetEvent::Reply {
                            tag,
                            result: Err(ReplyError::NotConnected),
                        });
                        continue;
                    }
                    Some(NetCmd::Shutdown) | None => return,
                }
            };
            tracing::info!(url = %c.url, user = %c.username, "connecting");
            self.emit(NetEvent::Connecting);
            let Some(c) = self.creds.as_mut() else {
                continue;
            };
            match connect::connect(c, self.cursor, &mut self.next_id).await {
                Ok(est) => {
                    if self.serve(est).await {
                        return;
                    }
                }
                Err(Failure::Fatal {
                    message,
                    credentials,
                }) => {
                    tracing::warn!(reason = %message, "sign-in failed");
                    self.emit(NetEvent::LoginFailed {
                        message,
                        bad_credentials: credentials,
                    });
                    self.creds = None;
                }
                Err(Failure::TotpRequired(message)) => {
                    self.emit(NetEvent::TotpRequired { message });
                    self.creds = None;
                }
                Err(Failure::Retry(message)) if !self.ever_connected => {
                    tracing::warn!(reason = %message, "sign-in failed");
                    self.emit(NetEvent::LoginFailed {
                        message,
                        bad_credentials: false,
                    });
                    self.creds = None;
                }
                Err(Failure::Retry(reason)) => {
                    if self.wait(reason).await {
                        return;
                    }
                }
            }
        }
    }

    /// Works one established connection until it drops (then waits out the backoff).
    /// Returns true on shutdown.
    async fn serve(&mut self, est: Established) -> bool {
        let Established {
            mut ws,
            agent,
            must_change_password,
            must_enroll_totp,
            resumed,
        } = est;
        self.backoff.reset();
        let was_connected = self.ever_connected;
        self.ever_connected = true;
        if resumed {
            tracing::info!(cursor = self.cursor, "connected; session resumed");
        } else {
            tracing::info!(agent = %agent.username, "connected; signed in");
        }
        // Said first, so the app opens enrolment rather than the workbench.
        if must_enroll_totp {
            self.emit(NetEvent::MustEnrollTotp);
        }
        self.emit(NetEvent::Connected {
            agent,
            must_change_password,
            resumed: was_connected,
        });
        if must_change_password {
            self.restore_pending = true;
        } else if !was_connected {
            self.outbox.restore(&mut self.next_id, &self.events);
        }
        let mut inflight: HashMap<u64, Inflight> = HashMap::new();
        let reason = match self.resend_outbox(&mut ws).await {
            Err(reason) => reason,
            Ok(()) => match self.pump(&mut ws, &mut inflight).await {
                None => return true,
                Some(reason) => reason,
            },
        };
        // Lost: everything but sends fails now; sends wait in the outbox.
        for (_, req) in inflight.drain() {
            self.emit(NetEvent::Reply {
                tag: req.tag,
                result: Err(ReplyError::NotConnected),
            });
        }
        if let Some(reason) = self.signed_out.take() {
            tracing::warn!(%reason, "signed out by the server");
            self.creds = None;
            self.ever_connected = false;
            self.emit(NetEvent::SignedOut { reason });
            return false;
        }
        self.wait(reason).await
    }

    /// Re-sends what was never acknowledged, oldest first, with the same client_msg_id: the
    /// server stores each once.
    async fn resend_outbox(&mut self, ws: &mut Ws) -> Result<(), String> {
        if !self.outbox.items.is_empty() {
            tracing::info!(messages = self.outbox.items.len(), "re-sending the outbox");
        }
        for q in &self.outbox.items {
            if send_frame(ws, q.id, &q.request()).await.is_err() {
                return Err("the connection dropped while re-sending the outbox".into());
            }
        }
        Ok(())
    }

    /// Frames in, commands out, until the connection drops (`Some(reason)`) or the app shuts
    /// down (`None`).
    async fn pump(&mut self, ws: &mut Ws, inflight: &mut HashMap<u64, Inflight>) -> Option<String> {
        loop {
            tokio::select! {
                frame = ws.next() => {
                    let text = match frame {
                        Some(Ok(Message::Text(t))) => t,
                        Some(Ok(Message::Close(Some(f)))) => {
                            // 1008: this sign-in ended (logout elsewhere, password change,
                            // idle, account disabled…): resuming cannot work, log in again.
                            if u16::from(f.code) == CLOSE_SIGNED_OUT
                                && let Some(why) = f.reason.strip_prefix(SIGNED_OUT_PREFIX)
                            {
                                self.signed_out = Some(why.to_string());
                            }
                            return Some(format!("the server closed the connection ({} {})", u16::from(f.code), f.reason));
                        }
                        Some(Ok(Message::Close(None))) | None => {
                            return Some("the server closed the connection".into());
                        }
                        Some(Err(e)) => return Some(format!("connection error: {e}")),
                        Some(Ok(_)) => continue,
                    };
                    let Ok(frame) = serde_json::from_str::<ServerFrame>(text.as_str()) else {
                        tracing::warn!("unreadable frame from the server");
                        continue;
                    };
                    if let Err(reason) = self.on_frame(ws, inflight, frame).await {
                        return Some(reason);
                    }
                }
                cmd = self.cmds.recv() => match cmd {
                    Some(NetCmd::Request { tag, request }) => {
                        let id = self.next_id;
                        self.next_id += 1;
                        if let Request::SendMessage(message) = &request {
                            if let Err(e) = self.outbox.push(id, tag.clone(), message.clone(), &self.events) {
                                self.emit(NetEvent::Reply { tag, result: Err(e.into()) });
                                continue;
                            }
                        } else {
                            let (kind, decode) = (request.kind(), reply::decoder(&request));
                            inflight.insert(id, Inflight { tag, kind, decode });
                        }
                        if send_frame(ws, id, &request).await.is_err() {
                            return Some("the connection dropped while sending".into());
                        }
                    }
                    Some(NetCmd::Login { .. } | NetCmd::LoginWithCode { .. }) => {}
                    Some(NetCmd::Shutdown) | None => {
                        let _ = ws.close(None).await;
                        return None;
                    }
                },
            }
        }
    }

    async fn on_frame(
        &mut self,
        ws: &mut Ws,
        inflight: &mut HashMap<u64, Inflight>,
        frame: ServerFrame,
    ) -> Result<(), String> {
        match frame {
            ServerFrame::Reply {
                id,
                ok,
                result,
                error,
            } => {
                let Some(id) = id.as_u64() else {
                    return Ok(());
                };
                let answer = if ok {
                    Ok(result.unwrap_or(Value::Null))
                } else {
                    Err(ReplyError::Api(error.unwrap_or_else(ApiError::internal)))
                };
                if let Some(q) = self.outbox.take(id) {
                    self.outbox.persist(&self.events);
                    let result = answer.and_then(read_ack);
                    self.emit(NetEvent::Reply { tag: q.tag, result });
                    return Ok(());
                }
                let Some(req) = inflight.remove(&id) else {
                    return Ok(());
                };
                let result = answer.and_then(|v| reply::read(req.decode, req.kind, v));
                // A new password revokes the old tokens: reconnect with the new one.
                let changed = match (&result, self.creds.as_mut()) {
                    (Ok(Reply::ChangePassword(r)), Some(c)) => {
                        c.token = Some(r.token.clone());
                        true
                    }
                    _ => false,
                };
                self.emit(NetEvent::Reply {
                    tag: req.tag,
                    result,
                });
                if changed && std::mem::take(&mut self.restore_pending) {
                    let before = self.outbox.items.len();
                    self.outbox.restore(&mut self.next_id, &self.events);
                    let added = self.outbox.items.len() - before;
                    // Restored ones go first in the list: send exactly those.
                    for q in self.outbox.items.iter().take(added) {
                        if send_frame(ws, q.id, &q.request()).await.is_err() {
                            return Err("the connection dropped while sending".into());
                        }
                    }
                }
            }
            ServerFrame::Event { cursor, .. } => {
                self.cursor = self.cursor.max(cursor);
                self.emit(NetEvent::Frame(frame));
            }
            other => self.emit(NetEvent::Frame(other)),
        }
        Ok(())
    }

    /// Reports the drop and sleeps for the backoff while still taking commands: sends go to
    /// the outbox, other requests fail at once. Returns true on shutdown.
    async fn wait(&mut self, reason: String) -> bool {
        let delay = self.backoff.next_delay();
        let retry_at = now_ms() + delay.as_millis() as Millis;
        tracing::warn!(reason = %reason, "disconnected");
        tracing::info!(
            backoff_ms = delay.as_millis() as u64,
            "reconnecting after backoff"
        );
        self.emit(NetEvent::Disconnected { retry_at, reason });
        let sleep = tokio::time::sleep(delay);
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                _ = &mut sleep => return false,
                cmd = self.cmds.recv() => match cmd {
                    Some(NetCmd::Request { tag, request: Request::SendMessage(message) }) => {
                        let id = self.next_id;
                        self.next_id += 1;
                        if let Err(e) = self.outbox.push(id, tag.clone(), message, &self.events) {
                            self.emit(NetEvent::Reply { tag, result: Err(e.into()) });
                        }
                    }
                    Some(NetCmd::Request { tag, .. }) => {
                        self.emit(NetEvent::Reply { tag, result: Err(ReplyError::NotConnected) });
                    }
                    Some(NetCmd::Login { .. } | NetCmd::LoginWithCode { .. }) => {}
                    Some(NetCmd::Shutdown) | None => return true,
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_url_adds_the_scheme_and_path() {
        assert_eq!(agent_url("h:1"), "ws://h:1/ws/agent");
        assert_eq!(agent_url("wss://h/"), "wss://h/ws/agent");
        assert_eq!(agent_url("ws://h:1/ws/agent"), "ws://h:1/ws/agent");
    }
}
