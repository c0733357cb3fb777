//! Durable storage. The server writes through the [`committer`], which group-commits pending
//! jobs into one [`Store::transaction`], each refusable job in its own savepoint; reads that
//! need not be ordered with writes run on a [`ReadPool`] of read-only connections. SQLite is the backend
//! today; a Postgres one implements the same traits and passes the same contract tests
//! (`tests/store_contract.rs`).

pub mod account;
pub mod cc;
pub mod committer;
mod core_rows;
pub mod dashboard;
pub mod ending;
mod error;
pub mod history;
pub mod integrations;
pub mod kb_flow;
pub mod login;
mod migrations;
pub mod notes;
pub mod readers;
pub mod reports;
pub mod retention;
pub mod roles;
pub mod sqlite;
pub mod totp;
pub mod transfers;

use crate::model::{AgentId, AgentStatus, CustomerId, Millis, Role, SessionId, Strategy};
use crate::protocol::{
    Article, ArticleSummary, ArticleVersion, CustomerView, MessageView, QuickReply, SentArticle,
    SessionView,
};
use std::path::Path;

pub use core_rows::{CoreRows, EventBody, EventRow};
pub use error::{FileChange, Result, StoreError};
pub use readers::ReadPool;
pub use sqlite::SqliteStore;

/// How a store is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreOptions {
    /// Largest size of the database in bytes; `None` = until the disk is full. Writes beyond it
    /// fail with [`StoreError::DiskFull`] (SQLite: `max_page_count`; the WAL file comes on top: usually a few
    /// MiB, up to about 64 MiB when checkpoints fall behind, more while a long read pins it).
    pub max_bytes: Option<u64>,
    /// Read-only connections (and threads) of the [`ReadPool`].
    pub readers: usize,
    /// Reads that may wait for a free reader before [`ReadPool::submit`] says `Busy`.
    pub read_queue: usize,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            max_bytes: None,
            readers: 2,
            read_queue: 1024,
        }
    }
}

/// Opens the database kept in `data_dir` (creating the dir and a fresh database when the dir is
/// new) after checking that it is the database this dir held. See [`sqlite::open_data_dir`].
pub fn open(data_dir: &Path, options: &StoreOptions) -> Result<Box<dyn Store>> {
    Ok(Box::new(sqlite::open_data_dir(data_dir, options)?))
}

#[derive(Debug, Clone, PartialEq)]
pub struct AgentRow {
    pub id: AgentId,
    pub username: String,
    pub display_name: String,
    pub employee_no: Option<String>,
    pub contact: Option<String>,
    pub role: Role,
    pub password_hash: String,
    pub must_change_password: bool,
    /// Per-agent capacity override; the config default applies when unset.
    pub max_sessions: Option<u32>,
    /// Last status the agent chose (or the server set), restored at start-up.
    pub status: AgentStatus,
    pub groups: Vec<String>,
}

/// Who a stored event is for. One logical event for two people is two rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Agent(AgentId),
    Customer(CustomerId),
    /// Every supervisor and admin.
    Supervisors,
}

/// Whose events a replay returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    Agent { id: AgentId, supervisor: bool },
    Customer(CustomerId),
}

/// What start-up needs to rebuild routing and the live sessions.
#[derive(Debug, Default)]
pub struct Recovered {
    pub agents: Vec<AgentRow>,
    pub groups: Vec<(String, Strategy)>,
    /// Sessions not ended, with the offer they had (agent, expiry).
    pub open_sessions: Vec<(SessionView, Option<(AgentId, Millis)>)>,
    /// Messages of open sessions that carried a client_msg_id, for idempotent retries: those
    /// among each session's latest [`crate::protocol::IDEMPOTENCY_WINDOW`].
    pub sent: Vec<MessageView>,
    /// (session, agent) of each colleague mentioned in an open conversation (`notes`).
    pub mentioned: Vec<(SessionId, AgentId)>,
    pub max_event_id: i64,
    pub max_session_id: SessionId,
    pub max_customer_id: CustomerId,
}

/// What the event log keeps (`[storage] event_retention`, `event_retention_count`). Events
/// exist for resume, not for history: messages and sessions are never pruned by this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Retention {
    /// Events older than this many milliseconds may be deleted; `None`: whatever their age.
    pub max_age_ms: Option<i64>,
    /// Only the newest this many events are kept; `None`: no count limit.
    pub max_events: Option<u64>,
}

/// What one [`Tx::prune`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pruned {
    /// Events deleted.
    pub events: u64,
    /// Expired tokens deleted.
    pub tokens: u64,
    /// The HTTP API's stored idempotency answers deleted (older than a day).
    pub idempotency_keys: u64,
    /// Every event below this id is gone: a cursor below `floor - 1` gets `reload`.
    pub floor: i64,
    /// The oldest event kept, (id, created_at), if any.
    pub oldest: Option<(i64, Millis)>,
    /// Free pages handed back to the file system (incremental auto-vacuum).
    pub pages_freed: u64,
    /// A batch was full: more is due at once.
    pub more: bool,
}

/// One entry of the append-only audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Assigned by the store ([`Tx::append_audit`] ignores it).
    pub id: i64,
    pub at: Millis,
    /// Who did it: `admin:<os user>` for `kefu admin`, an agent's username, ….
    pub actor: String,
    /// What, as a dotted name: `purge`, ….
    pub action: String,
    /// What it concerned (`customer:42`, `before:2026-01-01`, …).
    pub target: String,
    /// Details as a JSON object.
    pub detail: String,
}

/// Which audit entries to read ([`Read::audit_query`]); every filter optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// `at >= since`.
    pub since: Option<Millis>,
    /// `at < until`.
    pub until: Option<Millis>,
    /// Exactly this actor.
    pub actor: Option<String>,
    /// This action, or the family it names: `login` is `login` and every `login.*`.
    pub action: Option<String>,
    /// Only entries with a smaller id (the next page, newest first).
    pub before_id: Option<i64>,
    /// Newest first (else oldest first).
    pub newest_first: bool,
    pub limit: u32,
}

/// What `kefu admin purge` deletes: the ended conversations (with their messages and events)
/// that ended before `before`, all of them or only `customer`'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PurgeSpec {
    pub before: Millis,
    pub customer: Option<CustomerId>,
}

/// What a purge deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Purged {
    pub sessions: u64,
    pub messages: u64,
    pub events: u64,
    pub tokens: u64,
    /// 1 when the customer (`--customer`) had nothing left and was deleted too.
    pub customers: u64,
}

/// Where a purge stands between its steps (each [`Tx::purge_step`] is one short
/// transaction's worth of work). Start from `PurgeProgress::default()`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PurgeProgress {
    /// The conversations being deleted now.
    pub batch: Vec<SessionId>,
    /// Their events are deleted up to here so far (the log is walked in id ranges).
    pub scan_from: i64,
    /// Everything deleted so far.
    pub done: Purged,
    pub finished: bool,
}

/// Token lookup result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    Agent(AgentId),
    Customer(CustomerId),
}

/// Every query. Implemented by write transactions (which see their own earlier writes) and by
/// read-only snapshots (which see what was committed when they started).
pub trait Read:
    integrations::IntegrationRead
    + kb_flow::KbFlowRead
    + cc::CcRead
    + transfers::TransferRead
    + dashboard::DashboardRead
    + notes::NotesRead
    + ending::EndingRead
    + history::HistoryRead
    + reports::ReportRead
    + login::LoginRead
    + account::AccountRead
    + totp::TotpRead
    + roles::RolesRead
{
    fn agent_by_username(&mut self, username: &str) -> Result<Option<AgentRow>>;
    fn agent_by_id(&mut self, id: AgentId) -> Result<Option<AgentRow>>;
    /// Every agent, by id.
    fn list_agents(&mut self) -> Result<Vec<AgentRow>>;
    /// Every skill group, by name.
    fn list_groups(&mut self) -> Result<Vec<(String, Strategy)>>;
    /// The token's owner if it exists and has not expired at `now` (`expires_at > now`).
    fn token(&mut self, hash: &str, now: Millis) -> Result<Option<Principal>>;
    fn customer(&mut self, id: CustomerId) -> Result<Option<CustomerView>>;
    fn customer_by_external_id(&mut self, external_id: &str) -> Result<Option<CustomerView>>;
    fn session(&mut self, id: SessionId) -> Result<Option<SessionView>>;
    /// A customer's sessions, newest first.
    fn sessions_of_customer(
        &mut self,
        customer: CustomerId,
        limit: u32,
    ) -> Result<Vec<SessionView>>;
    /// Up to `limit` messages of a session with `seq > after_seq`, in `seq` order.
    fn transcript(
        &mut self,
        session: SessionId,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<MessageView>>;
    /// Up to `limit` events after `cursor` for the viewer, oldest first, as (id, body JSON).
    /// Supervisors also see the events for [`Audience::Supervisors`].
    fn events_after(
        &mut self,
        viewer: Viewer,
        cursor: i64,
        limit: u32,
    ) -> Result<Vec<(i64, String)>>;
    /// Smallest event id still stored (0 when empty); older cursors need a reload.
    fn oldest_event_id(&mut self) -> Result<i64>;
    /// Up to `limit` articles without their bodies. An empty `query` lists every article by
    /// id; otherwise those whose title or keywords contain it (ASCII case ignored), most
    /// recently updated first.
    fn kb_search(&mut self, query: &str, limit: u32) -> Result<Vec<ArticleSummary>>;
    fn kb_get(&mut self, id: i64) -> Result<Option<Article>>;
    /// The published articles among `ids`, in the order of `ids`.
    fn kb_published(&mut self, ids: &[i64]) -> Result<Vec<ArticleSummary>>;
    /// Up to `limit` articles (any status) changed after the change number `rev`, with their
    /// change numbers, oldest change first.
    fn kb_changed_since(&mut self, rev: i64, limit: u32) -> Result<Vec<(Article, i64)>>;
    /// The newest article change number (0 with no articles).
    fn kb_max_rev(&mut self) -> Result<i64>;
    /// Every stored version of an article, oldest first.
    fn kb_versions(&mut self, id: i64) -> Result<Vec<ArticleVersion>>;
    /// The articles sent in a session, in the order they were sent.
    fn kb_sent(&mut self, session: SessionId) -> Result<Vec<SentArticle>>;
    /// Every quick reply: team ones, then personal ones by owner; each in the order added.
    fn list_quick_replies(&mut self) -> Result<Vec<QuickReply>>;
    /// The team quick replies and `agent`'s personal ones (team first), with `agent`'s use
    /// counts; at most `limit`.
    fn quick_replies_of(&mut self, agent: AgentId, limit: u32) -> Result<Vec<QuickReply>>;
    fn quick_reply(&mut self, id: i64) -> Result<Option<QuickReply>>;
    /// The team's (`owner` None) or one agent's reply with this shortcut.
    fn quick_reply_by_shortcut(
        &mut self,
        owner: Option<AgentId>,
        shortcut: &str,
    ) -> Result<Option<QuickReply>>;
    /// How many quick replies the team (`None`) or one agent has.
    fn count_quick_replies(&mut self, owner: Option<AgentId>) -> Result<usize>;
    /// Up to `limit` audit entries with `at >= since` (and the given action, if any), oldest
    /// first.
    fn audit_entries(
        &mut self,
        since: Millis,
        action: Option<&str>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>>;
    /// Up to `q.limit` audit entries matching `q`.
    fn audit_query(&mut self, q: &AuditQuery) -> Result<Vec<AuditEntry>>;
}

/// What [`Tx::save_article`] did, with the article's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveOutcome {
    Created(i64),
    Updated(i64),
    Unchanged(i64),
}

/// Everything one write transaction can do.
pub trait Tx:
    Read
    + integrations::IntegrationTx
    + kb_flow::KbFlowTx
    + cc::CcTx
    + transfers::TransferTx
    + notes::NotesTx
    + history::HistoryTx
    + reports::ReportTx
    + login::LoginTx
    + account::AccountTx
    + totp::TotpTx
    + roles::RolesTx
{
    /// Runs `f` inside a savepoint: if it fails, its writes are rolled back and the error
    /// returned, and the transaction goes on (only a fatal error leaves it unusable).
    fn savepoint(&mut self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>) -> Result<()>;

    /// Stores a new agent (its `id` is ignored) with its group memberships; a taken username
    /// is a `Conflict`, an unknown group `NotFound`.
    fn insert_agent(&mut self, agent: &AgentRow) -> Result<AgentId>;
    fn set_agent_status(&mut self, id: AgentId, status: AgentStatus) -> Result<()>;
    /// Sets the password hash and ends every token of the agent; `NotFound` for an unknown id.
    fn set_password(&mut self, id: AgentId, hash: &str, must_change: bool) -> Result<()>;
    fn upsert_group(&mut self, name: &str, strategy: Strategy) -> Result<()>;
    /// Puts an agent in a group (again is a no-op); an unknown group is `NotFound`.
    fn add_member(&mut self, group: &str, agent: AgentId) -> Result<()>;

    fn insert_token(
        &mut self,
        hash: &str,
        principal: Principal,
        expires_at: Millis,
        now: Millis,
    ) -> Result<()>;
    fn delete_token(&mut self, hash: &str) -> Result<()>;
    /// Ends every sign-in of the agent (role change, 2FA reset, account disabled, …); their
    /// live connections are closed by the server's revocation check. Returns how many.
    fn delete_agent_tokens(&mut self, agent: AgentId) -> Result<u64>;

    /// Stores a customer under its given id; a taken external id is a `Conflict`.
    fn insert_customer(&mut self, customer: &CustomerView, now: Millis) -> Result<()>;
    fn update_customer(&mut self, customer: &CustomerView) -> Result<()>;

    /// Writes the whole session row (insert or replace), with the pending offer if any. A
    /// backend may write only the columns that changed since it last wrote the row. The
    /// row's `last_seq` is at least its newest stored message's `seq`, whatever is put here.
    fn put_session(
        &mut self,
        session: &SessionView,
        offer: Option<(AgentId, Millis)>,
    ) -> Result<()>;

    /// Stores a message; reads of its session then show `last_seq` ≥ its `seq`. A message
    /// with the (session, author kind, author id, client_msg_id) of one already stored, under
    /// another seq, is stored without its client_msg_id (a retry older than the hub's ack
    /// window, [`crate::protocol::IDEMPOTENCY_WINDOW`]); the same seq again is a `Conflict`.
    fn insert_message(&mut self, message: &MessageView) -> Result<()>;

    fn insert_event(
        &mut self,
        id: i64,
        audience: Audience,
        session: Option<SessionId>,
        body: &str,
        now: Millis,
    ) -> Result<()>;

    /// Stores the `message` event of the stored message (`session`, `seq`) by reference: a
    /// replay returns `{"kind":"message","message":…}` built from the message itself, the
    /// same bytes as `serde_json::to_string(&Event::Message { .. })` of it.
    fn insert_message_event(
        &mut self,
        id: i64,
        audience: Audience,
        session: SessionId,
        seq: i64,
        now: Millis,
    ) -> Result<()>;

    /// Stores an article (its `id` is ignored) and returns the id it got.
    fn insert_article(&mut self, article: &Article) -> Result<i64>;
    /// Updates the article with `article.id` (> 0) or `article.slug`, keeping the old version,
    /// or stores a new one; nothing is written when nothing changed.
    fn save_article(&mut self, article: &Article) -> Result<SaveOutcome>;
    /// Records that an agent sent an article in a session; `NotFound` for an unknown article.
    fn record_sent_article(
        &mut self,
        session: SessionId,
        article: i64,
        agent: Option<AgentId>,
        now: Millis,
    ) -> Result<()>;
    /// Stores a quick reply (its `id` is ignored; `owner` makes it personal); a shortcut
    /// already taken in the same set is a `Conflict`.
    fn insert_quick_reply(&mut self, reply: &QuickReply) -> Result<i64>;
    /// Creates (`id` 0) or updates a quick reply (an existing one keeps its owner) and returns
    /// it as stored. A shortcut taken in the same set is a `Conflict`; an unknown id or group
    /// `NotFound`. Rules on who may do it are the caller's.
    fn save_quick_reply(&mut self, reply: &QuickReply, now: Millis) -> Result<QuickReply>;
    /// Deletes a quick reply and its use counts; whether it existed.
    fn delete_quick_reply(&mut self, id: i64) -> Result<bool>;
    /// Counts one use of a quick reply by `agent`; returns the agent's count. `NotFound` for
    /// an unknown reply.
    fn record_quick_reply_use(&mut self, id: i64, agent: AgentId, now: Millis) -> Result<u32>;

    /// One bounded step of retention at `now`: deletes at most `batch` of the oldest events
    /// the `policy` lets go and at most `batch` expired tokens (but not those in `keep_tokens`:
    /// live connections still hold them), then hands a few free pages back to the file system.
    fn prune(
        &mut self,
        policy: &Retention,
        now: Millis,
        batch: u32,
        keep_tokens: &[String],
    ) -> Result<Pruned>;
    /// Appends an entry (its `id` is ignored) and returns the id it got.
    fn append_audit(&mut self, entry: &AuditEntry) -> Result<i64>;
    /// One bounded step of deleting what `spec` names (see [`PurgeSpec`]); repeat, each in its
    /// own transaction, until `progress.finished`. A customer with a conversation still open
    /// is `Conflict` (end it first).
    fn purge_step(&mut self, spec: &PurgeSpec, progress: &mut PurgeProgress) -> Result<()>;
}

/// A read-only connection, owned by one thread of a [`ReadPool`].
pub trait Reader: Send {
    /// Runs `f` once against one consistent snapshot of what was committed when it started.
    /// `f` runs even if the snapshot cannot be started (its queries then report the error).
    fn snapshot(&mut self, f: &mut dyn FnMut(&mut dyn Read) -> Result<()>) -> Result<()>;
}

/// A backend: runs closures in write transactions, opens readers, loads the start-up state.
pub trait Store: Send + 'static {
    /// Runs `f` in one transaction: committed if it returns `Ok`, rolled back otherwise. An
    /// `Ok` means durably committed to the database this store opened.
    fn transaction(&mut self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>) -> Result<()>;
    fn recover(&mut self) -> Result<Recovered>;
    /// A new read-only connection to the same database.
    fn reader(&self) -> Result<Box<dyn Reader>>;
}

/// So a `Box<dyn Store>` goes wherever a `&mut dyn Store` is expected.
impl<S: Store + ?Sized> Store for Box<S> {
    fn transaction(&mut self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>) -> Result<()> {
        (**self).transaction(f)
    }

    fn recover(&mut self) -> Result<Recovered> {
        (**self).recover()
    }

    fn reader(&self) -> Result<Box<dyn Reader>> {
        (**self).reader()
    }
}
