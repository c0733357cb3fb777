//! The hub: the one task that owns routing and the live sessions. Connections send it requests;
//! it decides, queues the writes with the committer, and the replies and events go out only
//! after their transaction committed. Because it is the only place state changes, there are no
//! races between agents: "two agents serve one chat" cannot happen by construction.
//!
//! This file holds the hub's state, its loop and the dispatch of requests to their handlers
//! (`agent_auth`, `agent_ops`, `customer_ops`, `session_ops`, `kb_ops`); `batch` holds how
//! work reaches the store and replies reach clients; `housekeeping` runs once a second (queue
//! expiry, `quotas`, `revoke`).

use super::acks::AckWindow;
use super::hasher::Hasher;
use super::outbox::{ConnId, Outbox};
use super::pending::Batch;
use super::quotas::Quotas;
use super::respond::Responder;
use crate::config::ServerConfig;
use crate::model::{AgentId, CustomerId, Millis, SessionId, now_ms};
use crate::protocol::{ApiError, MessageAck, QueueInfo, Request, ServerFrame, SessionView};
use crate::routing::{AgentSpec, Engine};
use crate::store::committer::Committer;
use crate::store::{AgentRow, ReadPool, Recovered};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;
use std::sync::Arc;
use tokio::sync::mpsc;

/// How often the housekeeping chores run (queue expiry, quota pruning, revocation checks).
const CHORES_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Where the periodic check for revoked agent tokens stands (see `revoke`).
#[derive(Debug, Default)]
pub struct Revocation {
    /// The last connection checked; the next check starts after it.
    pub after: ConnId,
    pub in_flight: bool,
    pub last_check: Millis,
}

/// A client's request on its way to the hub (through the bounded request queue).
pub struct Inbound {
    pub conn: ConnId,
    /// 1, 2, 3… per connection: lets the authentication deadline check (which overtakes the
    /// queue) tell whether the connection has requests the hub has not seen yet.
    pub seq: u64,
    pub id: Value,
    pub request: Request,
    /// One of the connection's [`IN_FLIGHT_PER_CONNECTION`](super::conn::IN_FLIGHT_PER_CONNECTION)
    /// slots, given back when the hub drops the request (after dispatching it).
    pub permit: Option<tokio::sync::OwnedSemaphorePermit>,
}

/// The hub's two inboxes: bounded for client requests, unbounded for its own traffic
/// (connections opening and closing, continuations of its store reads and password checks,
/// shutdown), which is bounded by the connections and the work in flight, and must never wait
/// behind the requests that wait for it.
#[derive(Clone)]
pub struct HubTx {
    control: mpsc::UnboundedSender<HubMsg>,
    requests: mpsc::Sender<Inbound>,
}

impl HubTx {
    pub fn send(&self, msg: HubMsg) -> Result<(), mpsc::error::SendError<HubMsg>> {
        self.control.send(msg)
    }

    /// The bounded queue for client requests.
    pub fn requests(&self) -> mpsc::Sender<Inbound> {
        self.requests.clone()
    }
}

/// The receiving ends of [`HubTx`].
pub struct HubRx {
    control: mpsc::UnboundedReceiver<HubMsg>,
    requests: mpsc::Receiver<Inbound>,
}

/// The hub's inboxes; `request_queue` (`limits.request_queue`) client requests at most wait in
/// the bounded one: when it is full, connections stop reading their sockets until there is
/// room, so TCP pushes back on the clients that send.
pub fn channel(request_queue: usize) -> (HubTx, HubRx) {
    let (control, control_rx) = mpsc::unbounded_channel();
    let (requests, requests_rx) = mpsc::channel(request_queue.max(1));
    (
        HubTx { control, requests },
        HubRx {
            control: control_rx,
            requests: requests_rx,
        },
    )
}

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
        /// The client's address, for per-address limits.
        peer: IpAddr,
        out: Outbox,
    },
    Closed {
        conn: ConnId,
    },
    /// Work that continues after an asynchronous step (a store read, a password check).
    Continue(Box<dyn FnOnce(&mut Hub) + Send>),
    /// The connection's authentication deadline passed: has it authenticated?
    AuthCheck {
        conn: ConnId,
        /// The number of the last request the connection handed to the request queue.
        sent: u64,
        reply: tokio::sync::oneshot::Sender<AuthProgress>,
    },
    /// Flush, close every connection with "going away", and stop.
    Shutdown,
}

/// Whether a connection has authenticated, for its deadline (see `conn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthProgress {
    /// Logged in (also while a password change is owed) or identified as a customer.
    Done,
    /// A login or resume is being checked right now.
    Checking,
    No,
}

/// Who a connection is, once it has authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    None,
    /// Logged in but owes something before any work: a new password, or (`[auth]
    /// require_2fa`) a second factor. Such a connection is not in routing and gets no events.
    AgentPending(AgentId, Owed),
    Agent(AgentId),
    Customer(CustomerId),
}

/// What a signed-in agent must do before they may work ([`Auth::AgentPending`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owed {
    /// Change the password (`change_password`); first when both are owed.
    Password,
    /// Enrol a second factor (`totp.enroll`, `totp.confirm`): their role requires one.
    SecondFactor,
}

pub struct Conn {
    pub endpoint: Endpoint,
    /// The client's address, for per-address limits.
    pub peer: IpAddr,
    pub out: Outbox,
    pub auth: Auth,
    /// Hash of the token this connection authenticated with, for logout and revocation.
    pub token_hash: Option<String>,
    /// A login, resume or password change is being checked: one at a time per connection, so
    /// pipelined logins cannot queue up password hashing.
    pub auth_in_flight: bool,
    /// The number ([`Inbound::seq`]) of the last request of this connection dispatched.
    pub dispatched: u64,
    /// What the client said it is in `hello.client`, cleaned (`sign_ins`).
    pub client: Option<String>,
}

/// An agent as the hub knows them: the stored row plus their open connections.
pub struct AgentEntry {
    pub row: AgentRow,
    pub conns: BTreeSet<ConnId>,
}

/// A session that has not ended.
pub struct Live {
    pub view: SessionView,
    /// Acks already given to the latest messages: retries get the same ack.
    pub acks: AckWindow,
}

pub struct Hub {
    pub config: ServerConfig,
    pub engine: Engine,
    pub committer: Committer,
    /// To post continuations to ourselves.
    pub inbox: HubTx,
    /// Password hashing, on a bounded pool off the hub.
    pub hasher: Hasher,
    /// Read-only connections for requests that only read, off the writer thread.
    pub readers: Arc<ReadPool>,
    pub conns: HashMap<ConnId, Conn>,
    pub agents: HashMap<AgentId, AgentEntry>,
    pub customer_conns: HashMap<CustomerId, BTreeSet<ConnId>>,
    pub live: HashMap<SessionId, Live>,
    /// The open session of each customer who has one.
    pub open_by_customer: HashMap<CustomerId, SessionId>,
    pub next_event_id: i64,
    pub next_session_id: SessionId,
    pub next_customer_id: CustomerId,
    /// Transfer notes waiting to be put on the next offer of a session: (note, by whom).
    pub transfer_notes: HashMap<SessionId, (String, Option<String>)>,
    /// Last queue lengths sent to agents, to send `queues` frames only on change.
    last_queues: Vec<QueueInfo>,
    /// Writes and deliveries of the message being handled; flushed after it.
    pub batch: Batch,
    /// What addresses and customers spent lately (`quotas`).
    pub quotas: Quotas,
    /// Where the periodic check for revoked agent tokens stands (`revoke`).
    pub revocation: Revocation,
    /// Whether a retention step is on its way (`housekeeping`).
    pub pruning: super::prune_chore::PruneChore,
    /// What `/metrics` shows; the hub publishes queue lengths and sessions by state here.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// What waiting customers were told (`waiting_ops`).
    pub waiting: super::waiting_room::WaitingRoom,
    /// The knowledge base's full-text index (`kb_ops`); without it `kb.search` falls back to
    /// the store's substring search.
    pub kb_index: Option<Arc<crate::kb::KbIndex>>,
    /// The intent classifier and each open conversation's intents so far (`intent_ops`).
    pub intents: super::intent_book::IntentBook,
    /// The answering bot's turns in flight (`bot_ops`).
    pub bot: super::bot_book::BotBook,
    /// The self-service menus (`menu_ops`) and the conversations with a lookup in flight.
    pub menus: Arc<crate::menu::MenuSet>,
    pub menu_busy: std::collections::HashSet<SessionId>,
    /// Armed follow-up reminders (`followup_ops`).
    pub follow_ups: super::followup_book::FollowUpBook,
    /// Who was mentioned in which open conversation (`note_ops`).
    pub notes: super::note_book::NoteBook,
    /// The supervisor's live view: its counters and watchers (`dashboard_ops`).
    pub dashboard: super::dashboard_book::DashBook,
    /// Agents with a `report.get` / `history.search` on the read pool: one each at a time.
    pub reports_running: super::in_flight::InFlight,
    pub searches_running: super::in_flight::InFlight,
    /// Login throttling's books (`login_throttle`).
    pub login_book: super::login_book::LoginBook,
    /// Last uses of the live agent tokens, idle expiry (`sign_ins`).
    pub sign_ins: super::sign_ins::SignIns,
    /// The agents' profiles beyond their rows: avatar, signature, language (`me_ops`).
    pub profiles: super::me_ops::Profiles,
    /// Agents whose second factor is in force, as last read from the store (`totp_ops`).
    pub totp_on: std::collections::HashSet<AgentId>,
    /// Supervised groups and the audit of denials (`permit`).
    pub perms: super::permit::PermBook,
}

impl Hub {
    pub fn new(
        config: ServerConfig,
        recovered: Recovered,
        committer: Committer,
        inbox: HubTx,
        hasher: Hasher,
        readers: Arc<ReadPool>,
        metrics: Arc<crate::metrics::Metrics>,
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
            // A conversation with the bot stays with it: no queue knows it until a hand-off.
            // So does one in a self-service menu (`menu_ops`), at its node.
            if matches!(
                view.state,
                crate::model::SessionState::Bot | crate::model::SessionState::Menu
            ) {
                open_by_customer.insert(view.customer.id, view.id);
                live.insert(
                    view.id,
                    Live {
                        view,
                        acks: AckWindow::default(),
                    },
                );
                continue;
            }
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
                    acks: AckWindow::default(),
                },
            );
        }
        for m in recovered.sent {
            if let (Some(l), Some(cmid)) = (live.get_mut(&m.session_id), m.client_msg_id.clone()) {
                l.acks.insert(
                    (m.author_kind, m.author_id.unwrap_or(0), cmid),
                    MessageAck::from(&m),
                );
            }
        }
        Hub {
            quotas: Quotas::new(config.quotas.clone()),
            waiting: super::waiting_room::WaitingRoom::new(&config),
            dashboard: super::dashboard_book::new_book(&config),
            reports_running: Default::default(),
            searches_running: Default::default(),
            login_book: super::login_book::LoginBook::new(&config.login),
            perms: Default::default(),
            config,
            engine,
            committer,
            inbox,
            hasher,
            readers,
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
            revocation: Revocation::default(),
            pruning: Default::default(),
            metrics,
            kb_index: None,
            intents: Default::default(),
            bot: Default::default(),
            menus: Default::default(),
            menu_busy: Default::default(),
            follow_ups: Default::default(),
            notes: super::note_book::NoteBook::new(recovered.mentioned),
            sign_ins: Default::default(),
            profiles: Default::default(),
            totp_on: Default::default(),
        }
    }

    /// The hub's loop: messages, and the routing deadlines (offer timeouts, grace periods).
    pub async fn run(mut self, rx: HubRx) {
        let HubRx {
            control: mut rx,
            mut requests,
        } = rx;
        // Effects of the restart itself (offers that expired while we were down).
        self.tick();
        self.arm_follow_ups();
        self.dashboard_seed();
        self.profiles_seed();
        // Queue expiry, quota pruning, revocation checks (`housekeeping`).
        let mut chores = tokio::time::interval(CHORES_EVERY);
        chores.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
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
            // Backpressure: while the writer is behind, requests wait (in the bounded queue,
            // then in their sockets); the hub's own traffic goes on, and drains the backlog.
            // (`limits.commit_backlog`, default about two full transactions: beyond it,
            // requests wait in their connections, not in memory here.)
            let room = self.committer.backlog() < self.config.limits.commit_backlog;
            tokio::select! {
                biased;
                msg = rx.recv() => match msg {
                    Some(HubMsg::Shutdown) | None => break,
                    Some(msg) => self.handle(msg),
                },
                // Timers before requests: a queue that never empties under load must not
                // stop offer timeouts, grace periods, queue expiry or revocation checks.
                _ = sleep => self.tick(),
                _ = chores.tick() => self.housekeeping(),
                Some(r) = requests.recv(), if room => {
                    if let Some(c) = self.conns.get_mut(&r.conn) {
                        c.dispatched = r.seq;
                    }
                    self.dispatch(r.conn, r.id, r.request)
                }
                _ = self.committer.drained(), if !room => {}
            }
            self.metrics
                .hub_inbox
                .set((rx.len() + requests.len()) as i64);
            self.broadcast_queues();
            self.refresh_waiting();
            self.dashboard_turn();
            self.audit_denials();
            self.flush();
        }
        self.shutdown();
    }

    fn handle(&mut self, msg: HubMsg) {
        match msg {
            HubMsg::Open {
                conn,
                endpoint,
                peer,
                out,
            } => {
                self.conns.insert(
                    conn,
                    Conn {
                        endpoint,
                        peer,
                        out,
                        auth: Auth::None,
                        token_hash: None,
                        auth_in_flight: false,
                        dispatched: 0,
                        client: None,
                    },
                );
            }
            HubMsg::Closed { conn } => self.drop_conn(conn),
            HubMsg::Continue(f) => f(self),
            HubMsg::AuthCheck { conn, sent, reply } => {
                let progress = match self.conns.get(&conn) {
                    Some(c) if c.auth != Auth::None => AuthProgress::Done,
                    // A login in flight, or requests still waiting in the queue (under load).
                    Some(c) if c.auth_in_flight || c.dispatched < sent => AuthProgress::Checking,
                    _ => AuthProgress::No,
                };
                let _ = reply.send(progress);
            }
            HubMsg::Shutdown => {}
        }
    }

    /// Queues the reply; it goes out after everything before it committed.
    pub fn answer<R: Serialize>(&mut self, r: Responder<R>, result: Result<R, ApiError>) {
        self.batch.replies.push(r.frame(result));
    }

    fn tick(&mut self) {
        let fx = self.engine.tick(now_ms());
        self.apply(fx);
    }

    pub(super) fn drop_conn(&mut self, conn: ConnId) {
        let Some(c) = self.conns.remove(&conn) else {
            return;
        };
        tracing::debug!(conn, peer = %c.peer, "connection closed");
        match c.auth {
            Auth::Agent(a) | Auth::AgentPending(a, _) => {
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

    /// Sends `queues` frames to connected agents when a queue length changed.
    fn broadcast_queues(&mut self) {
        let queues = self.queue_infos();
        if queues == self.last_queues {
            return;
        }
        let frame = serde_json::to_string(&ServerFrame::Queues {
            queues: queues.clone(),
        })
        .unwrap_or_default();
        self.metrics.publish_queues(&queues);
        self.last_queues = queues;
        for c in self.conns.values() {
            if matches!(c.auth, Auth::Agent(_)) {
                c.out.send(frame.clone());
            }
        }
    }

    pub fn queue_infos(&self) -> Vec<QueueInfo> {
        self.engine
            .queue_lengths()
            .into_iter()
            .map(|(group, strategy, waiting)| QueueInfo {
                require_tags: self.config.requires_tags(&group),
                group,
                strategy,
                waiting,
            })
            .collect()
    }

    /// The agent named by a transfer target, by username.
    pub fn agent_by_username(&self, username: &str) -> Option<AgentId> {
        self.agents
            .values()
            .find(|e| e.row.username == username)
            .map(|e| e.row.id)
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

    /// Commits what is gathered, then closes every connection with 1001 — after the commit,
    /// so the last replies go out first; at once if the store has already stopped.
    fn shutdown(&mut self) {
        self.flush();
        let outs: Vec<Outbox> = self.conns.values().map(|c| c.out.clone()).collect();
        let close_all = |outs: &[Outbox]| {
            for out in outs {
                out.close(1001, "server shutting down");
            }
        };
        let after = outs.clone();
        let job = Box::new(move |_: &mut dyn crate::store::Tx| {
            Ok(Some(
                Box::new(move || close_all(&after)) as crate::store::committer::AfterCommit
            ))
        });
        if self.committer.submit(job).is_err() {
            close_all(&outs);
        }
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
