//! A WebSocket relay between a client under test (the console's network task) and the real
//! server, for cutting connections at exact moments: forward one request and drop the
//! connection before its reply comes back, refuse connections as if the server were down, or
//! drop everything live; or hand the client a reply of another shape than the real server's
//! (what a server of another version might send). It records every text frame the client
//! sends, per connection, so a test can check what was (re-)sent and in which order.
#![allow(dead_code)]

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio_tungstenite::tungstenite::Message;

#[derive(Default)]
struct State {
    /// (connection number, frame) for every text frame a client sent, in order.
    sent: Vec<(usize, Value)>,
    /// The next client frame containing this is forwarded, then the connection is cut as soon
    /// as the server's reply to it arrives (the reply is swallowed). One-shot.
    cut_on: Option<String>,
    /// The reply to the next client frame containing `.0` gets `.1` as its `result`. One-shot.
    mangle_on: Option<(String, Value)>,
    /// Refuse new connections, as if nothing listened.
    down: bool,
    connections: usize,
    cuts: usize,
}

pub struct WsProxy {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    /// Bumped to drop every live connection.
    kill: watch::Sender<u64>,
    cut: Arc<Notify>,
    task: tokio::task::JoinHandle<()>,
}

impl WsProxy {
    /// Relays `ws://<proxy>/…` to `ws://<upstream>/ws/agent`.
    pub async fn start(upstream: SocketAddr) -> WsProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State::default()));
        let (kill, _) = watch::channel(0u64);
        let cut = Arc::new(Notify::new());
        let (st, k, c) = (state.clone(), kill.clone(), cut.clone());
        let task = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let n = {
                    let mut s = st.lock().unwrap();
                    if s.down {
                        continue; // dropped: the handshake fails
                    }
                    s.connections += 1;
                    s.connections
                };
                tokio::spawn(relay(
                    tcp,
                    upstream,
                    n,
                    st.clone(),
                    k.subscribe(),
                    c.clone(),
                ));
            }
        });
        WsProxy {
            addr,
            state,
            kill,
            cut,
            task,
        }
    }

    /// The server address to give the client.
    pub fn url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// Forward the next client frame containing `needle`, then cut that connection when the
    /// server answers it, before the client sees the answer.
    pub fn cut_after_reply_to(&self, needle: &str) {
        self.state.lock().unwrap().cut_on = Some(needle.to_string());
    }

    /// The server's reply to the next client frame containing `needle` reaches the client with
    /// `result` in place of the real one.
    pub fn mangle_reply_to(&self, needle: &str, result: Value) {
        self.state.lock().unwrap().mangle_on = Some((needle.to_string(), result));
    }

    /// Waits until a cut armed with [`cut_after_reply_to`](Self::cut_after_reply_to) happened.
    pub async fn cut_done(&self) {
        loop {
            let notified = self.cut.notified();
            if self.state.lock().unwrap().cuts > 0 {
                return;
            }
            notified.await;
        }
    }

    /// Down: live connections are dropped and new ones refused. Up: connections go through.
    pub fn set_down(&self, down: bool) {
        self.state.lock().unwrap().down = down;
        if down {
            self.drop_connections();
        }
    }

    /// Drops every live connection without a close frame (like a network cut).
    pub fn drop_connections(&self) {
        self.kill.send_modify(|g| *g += 1);
    }

    /// Every text frame clients sent: (connection number, frame).
    pub fn sent(&self) -> Vec<(usize, Value)> {
        self.state.lock().unwrap().sent.clone()
    }

    /// Connections accepted so far (the current one is the highest number).
    pub fn connections(&self) -> usize {
        self.state.lock().unwrap().connections
    }
}

impl Drop for WsProxy {
    fn drop(&mut self) {
        self.task.abort();
        self.drop_connections();
    }
}

async fn relay(
    tcp: tokio::net::TcpStream,
    upstream: SocketAddr,
    n: usize,
    state: Arc<Mutex<State>>,
    mut kill: watch::Receiver<u64>,
    cut: Arc<Notify>,
) {
    let Ok(client) = tokio_tungstenite::accept_async(tcp).await else {
        return;
    };
    let Ok((server, _)) =
        tokio_tungstenite::connect_async(format!("ws://{upstream}/ws/agent")).await
    else {
        return;
    };
    let (mut cw, mut cr) = client.split();
    let (mut sw, mut sr) = server.split();
    // The id of the request whose reply is to be swallowed; set once it was forwarded.
    let mut swallow: Option<Value> = None;
    // The id of the request whose reply gets another result, and that result.
    let mut mangle: Option<(Value, Value)> = None;
    loop {
        tokio::select! {
            _ = kill.changed() => return,
            m = cr.next() => {
                let Some(Ok(msg)) = m else { return };
                if swallow.is_some() {
                    continue; // past the cut point nothing more reaches the server
                }
                if let Message::Text(t) = &msg {
                    let v: Value = serde_json::from_str(t.as_str()).unwrap_or(Value::Null);
                    let mut s = state.lock().unwrap();
                    s.sent.push((n, v.clone()));
                    if s.cut_on.as_deref().is_some_and(|needle| t.as_str().contains(needle)) {
                        s.cut_on = None;
                        swallow = Some(v["id"].clone());
                    }
                    if s.mangle_on.as_ref().is_some_and(|(needle, _)| t.as_str().contains(needle.as_str())) {
                        let (_, result) = s.mangle_on.take().unwrap();
                        mangle = Some((v["id"].clone(), result));
                    }
                }
                if sw.send(msg).await.is_err() {
                    return;
                }
            }
            m = sr.next() => {
                let Some(Ok(msg)) = m else { return };
                if let Some(id) = &swallow {
                    // Nothing reaches the client any more; cut at the reply.
                    if let Message::Text(t) = &msg {
                        let v: Value = serde_json::from_str(t.as_str()).unwrap_or(Value::Null);
                        if v["type"] == "reply" && &v["id"] == id {
                            state.lock().unwrap().cuts += 1;
                            cut.notify_waiters();
                            return;
                        }
                    }
                    continue;
                }
                let msg = mangled(msg, &mut mangle);
                if cw.send(msg).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// `msg` with its `result` replaced when it is the reply `mangle` waits for (which is then
/// done).
fn mangled(msg: Message, mangle: &mut Option<(Value, Value)>) -> Message {
    let Message::Text(t) = &msg else { return msg };
    let Some((id, result)) = mangle.as_ref() else {
        return msg;
    };
    let mut v: Value = serde_json::from_str(t.as_str()).unwrap_or(Value::Null);
    if v["type"] != "reply" || &v["id"] != id {
        return msg;
    }
    v["result"] = result.clone();
    *mangle = None;
    Message::Text(v.to_string().into())
}
