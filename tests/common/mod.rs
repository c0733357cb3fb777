//! Test harness: a real server on 127.0.0.1:0 with its own data dir, real WebSocket clients.
#![allow(dead_code)]

use kefu::admin::{self, NewAgent};
use kefu::client::Client;
use kefu::config::ServerConfig;
use kefu::model::Role;
use kefu::protocol::Event;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const PASSWORD: &str = "correct-horse-1!";
pub const WAIT: Duration = Duration::from_secs(10);

pub struct TestServer {
    pub addr: std::net::SocketAddr,
    pub dir: PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl TestServer {
    pub async fn start(dir: &Path, config: ServerConfig) -> TestServer {
        Self::start_on("127.0.0.1:0", dir, config).await
    }

    /// Starts on a given address (to restart a server where its clients expect it).
    pub async fn start_on(addr: &str, dir: &Path, config: ServerConfig) -> TestServer {
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(kefu::server::run(
            listener,
            config,
            dir.to_path_buf(),
            async move {
                let _ = rx.await;
            },
        ));
        TestServer {
            addr,
            dir: dir.to_path_buf(),
            stop: Some(tx),
            task,
        }
    }

    pub fn url(&self, endpoint: &str) -> String {
        format!("ws://{}/ws/{endpoint}", self.addr)
    }

    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        (&mut self.task).await.unwrap().unwrap();
    }

    pub async fn agent(&self, username: &str) -> Client {
        let mut c = Client::connect(&self.url("agent")).await.unwrap();
        login_online(&mut c, username).await;
        c
    }

    /// A customer who started a conversation: (client, session id, token).
    pub async fn customer(&self, nickname: &str, group: Option<&str>) -> (Client, i64, String) {
        let mut c = Client::connect(&self.url("customer")).await.unwrap();
        let r = c
            .call(
                "customer.start",
                json!({"channel": "web", "nickname": nickname, "group": group}),
            )
            .await
            .unwrap();
        let session = r["session_id"].as_i64().unwrap();
        let token = r["token"].as_str().unwrap().to_string();
        (c, session, token)
    }
}

/// Logs in with [`PASSWORD`] and goes online; returns the session token.
pub async fn login_online(c: &mut Client, username: &str) -> String {
    let r = c
        .call("login", json!({"username": username, "password": PASSWORD}))
        .await
        .unwrap();
    c.call("status.set", json!({"status": "online"}))
        .await
        .unwrap();
    r["token"].as_str().unwrap().to_string()
}

/// Creates an agent who can log in with [`PASSWORD`] (no forced change).
pub fn add_agent(
    dir: &Path,
    username: &str,
    groups: &[&str],
    role: Role,
    max_sessions: Option<u32>,
) -> i64 {
    let mut store = kefu::server::open_store(dir, &ServerConfig::default()).unwrap();
    for g in groups {
        admin::add_group(&mut store, g, kefu::model::Strategy::LeastBusy).unwrap();
    }
    let new = NewAgent {
        username: username.into(),
        display_name: format!("Agent {username}"),
        employee_no: None,
        contact: None,
        role,
        groups: groups.iter().map(|g| g.to_string()).collect(),
        max_sessions,
    };
    admin::add_agent_with_password(&mut store, new, PASSWORD, false).unwrap()
}

pub fn config_with_groups(groups: &[&str]) -> ServerConfig {
    let groups: Vec<kefu::config::GroupConfig> = groups
        .iter()
        .map(|g| kefu::config::GroupConfig {
            name: g.to_string(),
            strategy: Default::default(),
            hours: None,
            timezone: None,
            bot: None,
            ..Default::default()
        })
        .collect();
    let routing = kefu::config::RoutingConfig {
        default_group: groups[0].name.clone(),
        ..Default::default()
    };
    ServerConfig {
        groups,
        routing,
        ..Default::default()
    }
}

/// An offer of `session` as its agent got it: the session view, and a transfer's note and who
/// made it.
#[allow(dead_code)]
pub struct Offered {
    pub session: kefu::protocol::SessionView,
    pub note: Option<String>,
    pub by: Option<String>,
}

/// Waits for the offer of `session`.
#[allow(dead_code)]
pub async fn wait_offer(agent: &mut Client, session: i64) -> Offered {
    let (_, ev) = agent
        .wait_event(
            WAIT,
            |e| matches!(e, Event::Offer { session: s, .. } if s.id == session),
        )
        .await
        .unwrap_or_else(|e| panic!("waiting for the offer of {session}: {e}"));
    let Event::Offer {
        session,
        transfer_note,
        transferred_by,
        ..
    } = ev
    else {
        unreachable!()
    };
    Offered {
        session,
        note: transfer_note,
        by: transferred_by,
    }
}

/// Waits for an offer and accepts it; returns the session id.
pub async fn accept_next_offer(agent: &mut Client) -> i64 {
    let (_, ev) = agent
        .wait_event(WAIT, |e| matches!(e, Event::Offer { .. }))
        .await
        .unwrap();
    let Event::Offer { session, .. } = ev else {
        unreachable!()
    };
    agent
        .call("session.accept", json!({"session_id": session.id}))
        .await
        .unwrap();
    session.id
}

pub async fn wait_message(c: &mut Client, body: &str) -> kefu::protocol::MessageView {
    let (_, ev) = c
        .wait_event(
            WAIT,
            |e| matches!(e, Event::Message { message } if message.body == body),
        )
        .await
        .unwrap_or_else(|e| panic!("waiting for message {body:?}: {e}"));
    let Event::Message { message } = ev else {
        unreachable!()
    };
    message
}

pub fn api_code(r: Result<Value, kefu::client::ClientError>) -> kefu::protocol::ErrorCode {
    match r {
        Err(kefu::client::ClientError::Api(e)) => e.code,
        other => panic!("expected an API error, got {other:?}"),
    }
}

pub mod process;

/// The server's database, opened beside (or after) the server to check what is on disk.
pub fn open_db(dir: &Path) -> rusqlite::Connection {
    let db = rusqlite::Connection::open(dir.join("kefu.db")).unwrap();
    db.busy_timeout(Duration::from_secs(5)).unwrap();
    db
}

/// A session's stored messages in `seq` order: (seq, author kind, author id, client_msg_id).
pub fn stored_messages(
    db: &rusqlite::Connection,
    session: i64,
) -> Vec<(i64, String, Option<i64>, Option<String>)> {
    let mut q = db
        .prepare(
            "SELECT seq, author_kind, author_id, client_msg_id FROM messages \
             WHERE session_id = ?1 ORDER BY seq",
        )
        .unwrap();
    q.query_map([session], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// The stored event ids (cursors) of one agent or customer after `after`, in order.
pub fn stored_event_ids(db: &rusqlite::Connection, who: Viewer, after: i64) -> Vec<i64> {
    let (column, id) = match who {
        Viewer::Agent(id) => ("agent_id", id),
        Viewer::Customer(id) => ("customer_id", id),
    };
    let mut q = db
        .prepare(&format!(
            "SELECT id FROM events WHERE {column} = ?1 AND id > ?2 ORDER BY id"
        ))
        .unwrap();
    q.query_map([id, after], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Whose events [`stored_event_ids`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    Agent(i64),
    Customer(i64),
}

/// A session's stored (state, assignee).
pub fn stored_session(db: &rusqlite::Connection, session: i64) -> (String, Option<i64>) {
    db.query_row(
        "SELECT state, assignee FROM sessions WHERE id = ?1",
        [session],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

/// A value as it is spelled on the wire (`"timeout"`, `"requeued"`): compares reasons and
/// states whether the Rust type is a string or an enum.
pub fn wire(value: impl serde::Serialize) -> String {
    match serde_json::to_value(value).unwrap() {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

/// Waits for the replies to several pipelined requests, in whatever order they come; other
/// frames stay in `pending`, in order. Each result is the reply's `result` or its error.
pub async fn collect_replies(
    c: &mut Client,
    ids: &[u64],
) -> std::collections::HashMap<u64, Result<Value, kefu::protocol::ApiError>> {
    collect_replies_within(c, ids, WAIT).await
}

/// [`collect_replies`] with a deadline of its own, for work made slow on purpose.
pub async fn collect_replies_within(
    c: &mut Client,
    ids: &[u64],
    wait: Duration,
) -> std::collections::HashMap<u64, Result<Value, kefu::protocol::ApiError>> {
    use kefu::protocol::ServerFrame;
    let mut out = std::collections::HashMap::new();
    let mut kept = std::collections::VecDeque::new();
    let deadline = tokio::time::Instant::now() + wait;
    while out.len() < ids.len() {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match c.next_frame(left).await {
            Ok(ServerFrame::Reply {
                id,
                ok,
                result,
                error,
            }) if id.as_u64().is_some_and(|id| ids.contains(&id)) => {
                let r = if ok {
                    Ok(result.unwrap_or(Value::Null))
                } else {
                    Err(error.unwrap())
                };
                out.insert(id.as_u64().unwrap(), r);
            }
            Ok(other) => kept.push_back(other),
            Err(e) => panic!("{} of {} replies, then: {e}", out.len(), ids.len()),
        }
    }
    kept.extend(c.pending.drain(..));
    c.pending = kept;
    out
}

/// A seeded xorshift64 generator: reproducible choices without a dependency.
pub struct XorShift(pub u64);

impl XorShift {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Runs `kefu admin ARGS --data-dir DIR` (the real binary): (exit code, stdout, stderr).
pub fn admin_cmd(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kefu"))
        .arg("admin")
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
