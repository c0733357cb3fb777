//! What the server counts, for `GET /metrics` (Prometheus text format 0.0.4, `render`).
//!
//! One [`Metrics`] per server, shared as an `Arc` by the parts that record into it: the
//! connections (open connections, frames sent, error replies), the hub (queue lengths and
//! sessions by state, which it publishes here so a scrape never touches the hub; logins;
//! messages stored), the hub's inboxes and the committer (queue depth, batch size and
//! commit latency). Recording is a relaxed atomic add; the instrumented files hold one-line
//! calls to the methods below, and the logic lives here.
//!
//! `docs/operations.md` lists every metric with its meaning.

mod access;
mod bot;
mod cc;
mod exposition;
mod primitives;
mod process;
pub mod procfs;
mod render;
mod retention;

pub use access::{MetricsAccess, Refusal};
pub use bot::BotMetrics;
pub use exposition::CONTENT_TYPE;
pub use primitives::{Counter, Gauge, Histogram, HistogramSnapshot};
pub use retention::RetentionMetrics;

use crate::model::{AuthorKind, SessionState};
use crate::protocol::{ErrorCode, MessageView, QueueInfo};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Commit latency buckets, in microseconds: an fsync takes ~0.1–10 ms on real disks.
static COMMIT_MICROS: [u64; 14] = [
    100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000,
    1_000_000, 2_500_000,
];
/// Jobs per commit: powers of two up to the committer's cap (4096).
static BATCH_JOBS: [u64; 13] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];

/// The endpoints connections are counted by, in label order.
const ENDPOINTS: [&str; 2] = ["agent", "customer"];
/// Sessions are counted by these states (ended sessions leave the hub).
const STATES: [SessionState; 3] = [
    SessionState::Queued,
    SessionState::Offered,
    SessionState::Active,
];
const AUTHORS: [AuthorKind; 4] = [
    AuthorKind::Customer,
    AuthorKind::Agent,
    AuthorKind::Bot,
    AuthorKind::System,
];
/// Every error code, in the order of [`code_index`].
const CODES: [ErrorCode; 11] = [
    ErrorCode::Unauthorized,
    ErrorCode::Forbidden,
    ErrorCode::NotFound,
    ErrorCode::Conflict,
    ErrorCode::Invalid,
    ErrorCode::RateLimited,
    ErrorCode::TooLarge,
    ErrorCode::UnsupportedVersion,
    ErrorCode::Unavailable,
    ErrorCode::Internal,
    ErrorCode::TotpRequired,
];
/// How an agent signed in: `login` (password) or `resume` (token), in label order.
const LOGIN_METHODS: [&str; 2] = ["password", "token"];

/// Exhaustive, so a new error code cannot go uncounted: the match stops compiling.
fn code_index(code: ErrorCode) -> usize {
    match code {
        ErrorCode::Unauthorized => 0,
        ErrorCode::Forbidden => 1,
        ErrorCode::NotFound => 2,
        ErrorCode::Conflict => 3,
        ErrorCode::Invalid => 4,
        ErrorCode::RateLimited => 5,
        ErrorCode::TooLarge => 6,
        ErrorCode::UnsupportedVersion => 7,
        ErrorCode::Unavailable => 8,
        ErrorCode::Internal => 9,
        ErrorCode::TotpRequired => 10,
    }
}

fn author_index(kind: AuthorKind) -> usize {
    match kind {
        AuthorKind::Customer => 0,
        AuthorKind::Agent => 1,
        AuthorKind::Bot => 2,
        AuthorKind::System => 3,
    }
}

/// Everything `/metrics` shows, for one server.
#[derive(Debug)]
pub struct Metrics {
    /// Wall-clock start, for `process_start_time_seconds`.
    started_at: SystemTime,
    /// WebSockets open now, by [`ENDPOINTS`].
    connections: [Gauge; 2],
    /// Messages waiting in the hub's two inboxes (requests and its own traffic), set by the
    /// hub at the end of each turn.
    pub hub_inbox: Arc<Gauge>,
    /// Jobs submitted to the committer and not yet taken into a transaction.
    committer_queue: Gauge,
    commit_jobs: Histogram,
    commit_seconds: Histogram,
    /// By [`AUTHORS`].
    messages_stored: [Counter; 4],
    /// Text frames handed to WebSockets (replies, events, queue updates).
    frames_sent: Counter,
    /// By [`CODES`].
    error_replies: [Counter; CODES.len()],
    /// By [`LOGIN_METHODS`].
    login_attempts: [Counter; 2],
    login_failures: [Counter; 2],
    /// Waiting conversations per skill group, as the hub last published them.
    queues: Mutex<Vec<(String, u64)>>,
    /// By [`STATES`], as the hub last published them.
    sessions: [Gauge; 3],
    /// Event-log retention and token clean-up (`retention`).
    pub retention: RetentionMetrics,
    /// The answering bot (`bot`).
    pub bot: BotMetrics,
    /// CC of transcripts (`cc`).
    pub cc: cc::CcMetrics,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            started_at: SystemTime::now(),
            connections: Default::default(),
            hub_inbox: Default::default(),
            committer_queue: Gauge::default(),
            commit_jobs: Histogram::new(&BATCH_JOBS, 1.0),
            commit_seconds: Histogram::new(&COMMIT_MICROS, 1e6),
            messages_stored: Default::default(),
            frames_sent: Counter::default(),
            error_replies: Default::default(),
            login_attempts: Default::default(),
            login_failures: Default::default(),
            queues: Mutex::new(Vec::new()),
            sessions: Default::default(),
            retention: RetentionMetrics::default(),
            bot: BotMetrics::default(),
            cc: cc::CcMetrics::default(),
        }
    }
}

/// Counts one open WebSocket until dropped.
pub struct OpenConnection {
    metrics: Arc<Metrics>,
    endpoint: usize,
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.metrics.connections[self.endpoint].dec();
    }
}

/// One commit being timed (see [`Metrics::commit_started`]).
pub struct CommitTimer<'a> {
    metrics: &'a Metrics,
    jobs: usize,
    started: Instant,
}

impl CommitTimer<'_> {
    /// The transaction committed: record its size and how long it took.
    pub fn committed(self) {
        let micros = u64::try_from(self.started.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.metrics.commit_seconds.observe(micros);
        self.metrics.commit_jobs.observe(self.jobs as u64);
    }
}

impl Metrics {
    pub fn new() -> Arc<Metrics> {
        Arc::new(Metrics::default())
    }

    /// A WebSocket on `/ws/agent` (`agent`) or `/ws/customer` opened; counted until the
    /// returned guard drops.
    pub fn connection_opened(self: &Arc<Self>, agent: bool) -> OpenConnection {
        let endpoint = usize::from(!agent);
        self.connections[endpoint].inc();
        OpenConnection {
            metrics: self.clone(),
            endpoint,
        }
    }

    /// A text frame was handed to a WebSocket.
    pub fn frame_sent(&self) {
        self.frames_sent.inc();
    }

    /// An error reply is going out.
    pub fn error_reply(&self, code: ErrorCode) {
        self.error_replies[code_index(code)].inc();
    }

    /// A credential check finished: `password` for `login`, else a token `resume`.
    pub fn login_checked(&self, password: bool, ok: bool) {
        let method = usize::from(!password);
        self.login_attempts[method].inc();
        if !ok {
            self.login_failures[method].inc();
        }
    }

    /// These messages are on disk (called after their transaction committed).
    pub fn messages_stored(&self, messages: &[MessageView]) {
        for m in messages {
            self.messages_stored[author_index(m.author_kind)].inc();
        }
    }

    /// A job was queued for the committer; `taken` when it leaves the queue.
    pub fn committer_queued(&self) {
        self.committer_queue.inc();
    }

    /// A job could not be queued after all (the writer stopped).
    pub fn committer_unqueued(&self) {
        self.committer_queue.dec();
    }

    /// The committer took `jobs` jobs off its queue into one transaction; time it.
    pub fn commit_started(&self, jobs: usize) -> CommitTimer<'_> {
        self.committer_queue.add(-(jobs as i64));
        CommitTimer {
            metrics: self,
            jobs,
            started: Instant::now(),
        }
    }

    /// The hub's queue lengths changed (it computes them for the `queues` frame anyway).
    pub fn publish_queues(&self, queues: &[QueueInfo]) {
        let now: Vec<(String, u64)> = queues
            .iter()
            .map(|q| (q.group.clone(), q.waiting as u64))
            .collect();
        // Held only to swap a small vector: the hub never waits on a scrape for long.
        if let Ok(mut q) = self.queues.lock() {
            *q = now;
        }
    }

    /// The hub's live sessions, counted by state (once a second, from housekeeping: a count
    /// per message would cost a pass over every session at thousands of messages a second).
    pub fn publish_sessions(&self, states: impl Iterator<Item = SessionState>) {
        let mut counts = [0i64; 3];
        for s in states {
            if let Some(i) = STATES.iter().position(|x| *x == s) {
                counts[i] += 1;
            }
        }
        for (gauge, n) in self.sessions.iter().zip(counts) {
            gauge.set(n);
        }
    }

    /// Seconds since the Unix epoch at start-up.
    fn start_time_seconds(&self) -> f64 {
        self.started_at
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .as_secs_f64()
    }
}

#[cfg(test)]
mod tests;
