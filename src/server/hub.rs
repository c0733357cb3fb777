//! The hub: the one task that owns routing and the live sessions. Connections send it requests;
//! it decides, queues the writes with the committer, and the replies and events go out only
//! after their transaction committed. Because it is the only place state changes, there are no
//! races between agents: "two agents serve one chat" cannot happen by construction.

use super::conn::{ConnId, Outbox};
use crate::config::ServerConfig;
use crate::model::{AgentId, AgentStatus, CustomerId, Millis, SessionId, now_ms};
use crate::protocol::{self, ApiError, Event, QueueInfo, Request, ServerFrame, SessionView};
use crate::routing::{AgentSpec, Engine};
use crate::store::committer::{Committer, Work};
use crate::store::{AgentRow, Audience, Recovered, Viewer};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use tokio::sync::mpsc;

pub type HubTx = mpsc::UnboundedSender<HubMsg>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Agent,
    Customer,
}

impl Endpoint {
    pub fn as_str(self) -> &'static str {
        match self {
            Endpoint::Agent => "agent",
            Endpoint::Customer => "customer",
        }
    }
}

pub enum HubMsg {
    Open {
        conn: ConnId,
        endpoint: Endpoint,
        out: Outbox,
    },
    Request {
        conn: ConnId,
        id: Value,
        request: Request,
    },
    Closed {
        conn: ConnId,
    },
    /// Work that continues after an asynchronous step (a store read, a password check).
    Continue(Box<dyn FnOnce(&mut Hub) + Send>),
    /// Flush, close every connection with "going away", and stop.
    Shutdown,
}

/// Who a connection is, once it has authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    None,
    /// Logged in but must change the password before anything else.
    AgentPending(AgentId),
    Agent(AgentId),
    Customer(CustomerId),
}

pub struct Conn {
    pub endpoint: Endpoint,
    pub out: Outbox,
    pub auth: Auth,
    /// Hash of the token this connection authenticated with, for logout.
    pub token_hash: Option<String>,
}

/// An agent as the hub knows them: the stored row plus their open connections.
pub struct AgentEntry {
    pub row: AgentRow,
    pub conns: BTreeSet<ConnId>,
}

/// A session that has not ended.
pub struct Live {
    pub view: SessionView,
    /// Acks already given, by (author kind, author id, client_msg_id): retries get the same ack.
    pub acks: HashMap<(crate::model::AuthorKind, i64, String), Value>,
}

/// Writes and deliveries gathered while handling one message; flushed as one committer job.
#[derive(Default)]
pub struct Batch {
    pub sessions: Vec<SessionId>,
    pub messages: Vec<protocol::MessageView>,
    pub events: Vec<(i64, Audience, Option<SessionId>, String)>,
    pub statuses: Vec<(AgentId, AgentStatus)>,
    pub sends: Vec<(Outbox, String)>,
    /// Extra store work that must share the transaction (tokens, passwords, reads).
    pub work: Vec<Work>,
}

pub struct Hub {
    pub config: ServerConfig,
    pub engine: Engine,
    pub committer: Committer,
    /// To post continuations to ourselves.
    pub inbox: HubTx,
    pub rt: tokio::runtime::Handle,
    pub conns: HashMap<ConnId, Conn>,
    pub agents: HashMap<AgentId, AgentEntry>,
    pub customer_conns: HashMap<CustomerId, BTreeSet<ConnId>>,
    pub live: HashMap<SessionId, Live>,
    /// The open session of each customer who has one.
    pub open_by_customer: HashMap<CustomerId, SessionId>,
    pub next_event_id: i64,
    pub next_session_id: SessionId,
    pub next_customer_id: CustomerId,
    /// Transfer notes waiting to be put on the next offer of a session.
    pub transfer_notes: HashMap<SessionId, (String, Option<String>)>,
    /// Last queue lengths sent to agents, to send `queues` frames only on change.
    last_queues: Vec<QueueInfo>,
    pub batch: Batch,
    /// The request being handled (connection, id), for replies produced inside store jobs.
    pub current: Option<(ConnId, Value)>,
}

impl Hub {
    pub fn new(
        config: ServerConfig,
        recovered: Recovered,
        committer: Committer,
        inbox: HubTx,
        rt: tokio::runtime::Handle,
    ) -> Hub {
        let mut engine = Engine::new(config.engine());
        for (name, strategy) in &recovered.groups {
            engine.upsert_group(name, *strategy);
        }
        let now = now_ms();
        let mut agents = HashMap::new();
        for row in recovered.agents {
            engine.upsert_agent(spec_of(&row, config.routing.default_max_sessions));
            // Nobody is connected after a restart: everyone gets the grace period to come back.
            engine.disconnect(row.id, now);
            agents.insert(
                row.id,
                AgentEntry {
                    row,
                    conns: BTreeSet::new(),
                },
            );
        }
        let mut live = HashMap::new();
        let mut open_by_customer = HashMap::new();
        for (view, offer) in recovered.open_sessions {
            let queued_at = view.queued_at.unwrap_or(view.created_at);
            engine.restore_session(
                view.id,
                &view.group,
                view.priority,
                queued_at,
                offer,
                view.assignee,
            );
            open_by_customer.insert(view.customer.id, view.id);
            live.insert(
                view.id,
                Live {
                    view,
                    acks: HashMap::new(),
                },
            );
        }
        for m in recovered.sent {
            if let (Some(l), Some(cmid)) = (live.get_mut(&m.session_id), m.client_msg_id.clone()) {
                l.acks
                    .insert((m.author_kind, m.author_id.unwrap_or(0), cmid), ack_of(&m));
            }
        }
        Hub {
            config,
            engine,
            committer,
            inbox,
            rt,
            conns: HashMap::new(),
            agents,
            customer_conns: HashMap::new(),
            live,
            open_by_customer,
            next_event_id: recovered.max_event_id + 1,
            next_session_id: recovered.max_session_id + 1,
            next_customer_id: recovered.max_customer_id + 1,
            transfer_notes: HashMap::new(),
            last_queues: Vec::new(),
            batch: Batch::default(),
            current: None,
        }
    }

    /// The hub's loop: messages, and the routing deadlines (offer timeouts, grace periods).
    pub async fn run(mut self, mut rx: mpsc::UnboundedReceiver<HubMsg>) {
        // Effects of the restart itself (offers that expired while we were down).
        self.tick();
        loop {
            let deadline = self.engine.next_deadline();
            let sleep = async {
                match deadline {
                    Some(at) => {
                        let wait = (at - now_ms()).max(0) as u64;
                        tokio::time::sleep(std::time::Duration::from_millis(wait)).await
                    }
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                msg = rx.recv() => match msg {
                    Some(HubMsg::Shutdown) | None => break,
                    Some(msg) => self.handle(msg),
                },
                _ = sleep => self.tick(),
            }
            self.broadcast_queues();
            self.flush();
        }
        self.shutdown();
    }

    fn handle(&mut self, msg: HubMsg) {
        match msg {
            HubMsg::Open {
                conn,
                endpoint,
                out,
            } => {
                self.conns.insert(
                    conn,
                    Conn {
                        endpoint,
                        out,
                        auth: Auth::None,
                        token_hash: None,
                    },
                );
            }
            HubMsg::Request { conn, id, request } => {
                let Some(c) = self.conns.get(&conn) else {
                    return;
                };
                let (endpoint, auth, out) = (c.endpoint, c.auth, c.out.clone());
                self.current = Some((conn, id.clone()));
                let result = match endpoint {
                    Endpoint::Agent => self.agent_request(conn, auth, &id, request),
                    Endpoint::Customer => self.customer_request(conn, auth, &id, request),
                };
                self.current = None;
                match result {
                    Ok(Some(value)) => self.reply(&out, &id, value),
                    Ok(None) => {} // answered later, by a continuation
                    Err(e) => self.batch.sends.push((out, protocol::reply_err(&id, &e))),
                }
            }
            HubMsg::Closed { conn } => self.drop_conn(conn),
            HubMsg::Continue(f) => f(self),
            HubMsg::Shutdown => {}
        }
    }

    /// Queues a success reply; it goes out after everything before it committed.
    pub fn reply(&mut self, out: &Outbox, id: &Value, value: Value) {
        self.batch
            .sends
            .push((out.clone(), protocol::reply_ok(id, value)));
    }

    pub fn reply_err(&mut self, out: &Outbox, id: &Value, e: &ApiError) {
        self.batch
            .sends
            .push((out.clone(), protocol::reply_err(id, e)));
    }

    fn tick(&mut self) {
        let fx = self.engine.tick(now_ms());
        self.apply(fx);
    }

    fn drop_conn(&mut self, conn: ConnId) {
        let Some(c) = self.conns.remove(&conn) else {
            return;
        };
        match c.auth {
            Auth::Agent(a) | Auth::AgentPending(a) => {
                if let Some(entry) = self.agents.get_mut(&a) {
                    entry.conns.remove(&conn);
                    if entry.conns.is_empty() && matches!(c.auth, Auth::Agent(_)) {
                        self.engine.disconnect(a, now_ms());
                    }
                }
            }
            Auth::Customer(cu) => {
                if let Some(set) = self.customer_conns.get_mut(&cu) {
                    set.remove(&conn);
                    if set.is_empty() {
                        self.customer_conns.remove(&cu);
                    }
                }
            }
            Auth::None => {}
        }
    }

    /// The outboxes of everyone an audience names.
    fn outboxes(&self, audience: Audience) -> Vec<Outbox> {
        // Connections still owing a password change get nothing.
        let of = |ids: &BTreeSet<ConnId>| -> Vec<Outbox> {
            ids.iter()
                .filter_map(|c| self.conns.get(c))
                .filter(|c| matches!(c.auth, Auth::Agent(_) | Auth::Customer(_)))
                .map(|c| c.out.clone())
                .collect()
        };
        match audience {
            Audience::Agent(a) => self
                .agents
                .get(&a)
                .map(|e| of(&e.conns))
                .unwrap_or_default(),
            Audience::Customer(c) => self.customer_conns.get(&c).map(of).unwrap_or_default(),
            Audience::Supervisors => self
                .agents
                .values()
                .filter(|e| e.row.role.sees_all())
                .flat_map(|e| of(&e.conns))
                .collect(),
        }
    }

    /// Records a durable event for an audience: stored with the next cursor and delivered to
    /// the audience's connections after commit.
    pub fn emit(&mut self, audience: Audience, session: Option<SessionId>, event: &Event) {
        let id = self.next_event_id;
        self.next_event_id += 1;
        let body = serde_json::to_string(event).unwrap_or_else(|_| "{}".into());
        let frame = event_frame_raw(id, &body);
        for out in self.outboxes(audience) {
            self.batch.sends.push((out, frame.clone()));
        }
        self.batch.events.push((id, audience, session, body));
    }

    /// The newest cursor issued so far.
    pub fn head(&self) -> i64 {
        self.next_event_id - 1
    }

    /// Marks a live session's row for writing in this batch.
    pub fn touch(&mut self, session: SessionId) {
        if !self.batch.sessions.contains(&session) {
            self.batch.sessions.push(session);
        }
    }

    /// Sends `queues` frames to connected agents when a queue length changed.
    fn broadcast_queues(&mut self) {
        let queues: Vec<QueueInfo> = self
            .engine
            .queue_lengths()
            .into_iter()
            .map(|(group, strategy, waiting)| QueueInfo {
                group,
                strategy,
                waiting,
            })
            .collect();
        if queues == self.last_queues {
            return;
        }
        let frame = serde_json::to_string(&ServerFrame::Queues {
            queues: queues.clone(),
        })
        .unwrap_or_default();
        self.last_queues = queues;
        for c in self.conns.values() {
            if matches!(c.auth, Auth::Agent(_)) {
                c.out.send(frame.clone());
            }
        }
    }

    /// Submits everything gathered so far as one committer job.
    pub fn flush(&mut self) {
        let batch = std::mem::take(&mut self.batch);
        if batch.sessions.is_empty()
            && batch.messages.is_empty()
            && batch.events.is_empty()
            && batch.statuses.is_empty()
            && batch.sends.is_empty()
            && batch.work.is_empty()
        {
            return;
        }
        let sessions: Vec<(SessionView, Option<(AgentId, Millis)>)> = batch
            .sessions
            .iter()
            .filter_map(|id| {
                self.live
                    .get(id)
                    .map(|l| (l.view.clone(), self.engine.offer(*id)))
            })
            .collect();
        let now = now_ms();
        let Batch {
            messages,
            events,
            statuses,
            mut sends,
            work,
            ..
        } = batch;
        let result = self.committer.submit(move |tx| {
            for (s, offer) in &sessions {
                tx.put_session(s, *offer)?;
            }
            for m in &messages {
                tx.insert_message(m)?;
            }
            for (a, s) in &statuses {
                tx.set_agent_status(*a, *s)?;
            }
            for (id, audience, session, body) in &events {
                tx.insert_event(*id, *audience, *session, body, now)?;
            }
            let mut afters = Vec::new();
            for w in work {
                if let Some(after) = w(tx)? {
                    afters.push(after);
                }
            }
            Ok(Some(Box::new(move || {
                for (out, frame) in sends.drain(..) {
                    out.send(frame);
                }
                for after in afters {
                    after();
                }
            })))
        });
        if result.is_err() {
            tracing::error!("the store has stopped; dropping a batch");
        }
    }

    /// Ended sessions are written one last time and forgotten.
    pub fn forget(&mut self, session: SessionId) -> Option<Live> {
        let l = self.live.remove(&session)?;
        self.open_by_customer.remove(&l.view.customer.id);
        self.batch.sessions.retain(|s| *s != session);
        let view = l.view.clone();
        self.batch.work.push(Box::new(move |tx| {
            tx.put_session(&view, None)?;
            Ok(None)
        }));
        Some(l)
    }

    /// Reads from the store in the committer's order (so the read sees every earlier write),
    /// then continues on the hub with the result.
    pub fn read_then<T: Send + 'static>(
        &mut self,
        read: impl FnOnce(&mut dyn crate::store::Tx) -> crate::store::Result<T> + Send + 'static,
        then: impl FnOnce(&mut Hub, T) + Send + 'static,
    ) {
        let inbox = self.inbox.clone();
        self.batch.work.push(Box::new(move |tx| {
            let value = read(tx)?;
            Ok(Some(Box::new(move || {
                let _ = inbox.send(HubMsg::Continue(Box::new(move |hub| then(hub, value))));
            })))
        }));
    }

    /// Replays everything after `cursor` for the viewer, or a `reload` frame when that is too
    /// much or the cursor is unknown. Runs in the committer's order, so nothing is missed
    /// between the replay and the live events that follow.
    pub fn replay(&mut self, out: &Outbox, viewer: Viewer, cursor: i64) {
        let head = self.head();
        let limit = self.config.limits.replay_limit;
        let out = out.clone();
        self.batch.work.push(Box::new(move |tx| {
            let oldest = tx.oldest_event_id()?;
            let events = if cursor > head || cursor < 0 || (oldest > 0 && cursor < oldest - 1) {
                None
            } else {
                let evs = tx.events_after(viewer, cursor, limit + 1)?;
                (evs.len() <= limit as usize).then_some(evs)
            };
            Ok(Some(Box::new(move || match events {
                Some(evs) => {
                    for (id, body) in evs {
                        out.send(event_frame_raw(id, &body));
                    }
                }
                None => {
                    let reason = if cursor > head {
                        "unknown cursor"
                    } else {
                        "cursor too old"
                    };
                    let f = ServerFrame::Reload {
                        cursor: head,
                        reason: reason.into(),
                    };
                    out.send(serde_json::to_string(&f).unwrap_or_default());
                }
            })))
        }));
    }

    /// Registers (or refreshes) an agent row and their routing spec.
    pub fn refresh_agent(&mut self, row: AgentRow) {
        let mut spec = spec_of(&row, self.config.routing.default_max_sessions);
        if let Some(e) = self.agents.get_mut(&row.id) {
            // The live status wins over the stored one (it may be newer than the row read).
            spec.status = e.row.status;
            let status = e.row.status;
            e.row = row;
            e.row.status = status;
        } else {
            self.agents.insert(
                row.id,
                AgentEntry {
                    row,
                    conns: BTreeSet::new(),
                },
            );
        }
        for g in &spec.groups {
            if !self.engine.has_group(g) {
                self.engine
                    .upsert_group(g, crate::model::Strategy::LeastBusy);
            }
        }
        self.engine.upsert_agent(spec);
    }

    fn shutdown(&mut self) {
        let outs: Vec<Outbox> = self.conns.values().map(|c| c.out.clone()).collect();
        self.batch.work.push(Box::new(move |_| {
            Ok(Some(Box::new(move || {
                for out in outs {
                    out.close(1001, "server shutting down");
                }
            })))
        }));
        self.flush();
    }
}

pub fn spec_of(row: &AgentRow, default_capacity: u32) -> AgentSpec {
    AgentSpec {
        id: row.id,
        capacity: row.max_sessions.unwrap_or(default_capacity),
        groups: row.groups.iter().cloned().collect(),
        status: row.status,
    }
}

/// The ack for a stored message; a retried send gets exactly this again.
pub fn ack_of(m: &protocol::MessageView) -> Value {
    serde_json::json!({"session_id": m.session_id, "seq": m.seq, "created_at": m.created_at})
}

/// An event frame from an already-serialised event body (stored bodies are replayed as is).
pub fn event_frame_raw(cursor: i64, body: &str) -> String {
    format!(r#"{{"type":"event","cursor":{cursor},"event":{body}}}"#)
}
