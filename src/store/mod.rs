//! Durable storage. The server talks to a [`Store`] (one transaction at a time) through the
//! [`committer`], which group-commits every pending job into one transaction. SQLite is the
//! backend today; a Postgres one implements the same two traits.

pub mod committer;
mod migrations;
pub mod sqlite;

use crate::model::{
    AgentId, AgentStatus, AuthorKind, CustomerId, Millis, Role, SessionId, Strategy,
};
use crate::protocol::{
    Article, ArticleSummary, CustomerView, MessageView, QuickReply, SessionView,
};
pub use sqlite::SqliteStore;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("corrupt row: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    NotFound(String),
    #[error("the store is shut down")]
    Closed,
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

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
    /// Messages of open sessions that carried a client_msg_id, for idempotent retries.
    pub sent: Vec<MessageView>,
    pub max_event_id: i64,
    pub max_session_id: SessionId,
    pub max_customer_id: CustomerId,
}

/// Token lookup result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    Agent(AgentId),
    Customer(CustomerId),
}

/// Everything one transaction can do. Reads inside a transaction see its earlier writes.
pub trait Tx {
    fn insert_agent(&mut self, agent: &AgentRow) -> Result<AgentId>;
    fn agent_by_username(&mut self, username: &str) -> Result<Option<AgentRow>>;
    fn agent_by_id(&mut self, id: AgentId) -> Result<Option<AgentRow>>;
    fn list_agents(&mut self) -> Result<Vec<AgentRow>>;
    fn set_agent_status(&mut self, id: AgentId, status: AgentStatus) -> Result<()>;
    fn set_password(&mut self, id: AgentId, hash: &str, must_change: bool) -> Result<()>;
    fn upsert_group(&mut self, name: &str, strategy: Strategy) -> Result<()>;
    fn list_groups(&mut self) -> Result<Vec<(String, Strategy)>>;
    fn add_member(&mut self, group: &str, agent: AgentId) -> Result<()>;

    fn insert_token(
        &mut self,
        hash: &str,
        principal: Principal,
        expires_at: Millis,
        now: Millis,
    ) -> Result<()>;
    /// The token's owner if it exists and has not expired at `now`.
    fn token(&mut self, hash: &str, now: Millis) -> Result<Option<Principal>>;
    fn delete_token(&mut self, hash: &str) -> Result<()>;

    fn insert_customer(&mut self, customer: &CustomerView, now: Millis) -> Result<()>;
    fn customer(&mut self, id: CustomerId) -> Result<Option<CustomerView>>;
    fn customer_by_external_id(&mut self, external_id: &str) -> Result<Option<CustomerView>>;
    fn update_customer(&mut self, customer: &CustomerView) -> Result<()>;

    /// Writes the whole session row (insert or replace), with the pending offer if any.
    fn put_session(
        &mut self,
        session: &SessionView,
        offer: Option<(AgentId, Millis)>,
    ) -> Result<()>;
    fn session(&mut self, id: SessionId) -> Result<Option<SessionView>>;
    /// A customer's sessions, newest first.
    fn sessions_of_customer(
        &mut self,
        customer: CustomerId,
        limit: u32,
    ) -> Result<Vec<SessionView>>;

    fn insert_message(&mut self, message: &MessageView) -> Result<()>;
    fn transcript(
        &mut self,
        session: SessionId,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<MessageView>>;

    fn insert_event(
        &mut self,
        id: i64,
        audience: Audience,
        session: Option<SessionId>,
        body: &str,
        now: Millis,
    ) -> Result<()>;
    /// Up to `limit` events after `cursor` for the viewer, oldest first, as (id, body JSON).
    fn events_after(
        &mut self,
        viewer: Viewer,
        cursor: i64,
        limit: u32,
    ) -> Result<Vec<(i64, String)>>;
    /// Smallest event id still stored (0 when empty); older cursors need a reload.
    fn oldest_event_id(&mut self) -> Result<i64>;

    /// Stores an article (its `id` is ignored) and returns the id it got.
    fn insert_article(&mut self, article: &Article) -> Result<i64>;
    /// Up to `limit` articles without their bodies. An empty `query` lists every article by
    /// id; otherwise those whose title or keywords contain it (ASCII case ignored), most
    /// recently updated first.
    fn kb_search(&mut self, query: &str, limit: u32) -> Result<Vec<ArticleSummary>>;
    fn kb_get(&mut self, id: i64) -> Result<Option<Article>>;
    /// Stores a quick reply (its `id` is ignored); a shortcut already taken is a `Conflict`.
    fn insert_quick_reply(&mut self, reply: &QuickReply) -> Result<i64>;
    /// Every quick reply, in the order they were added.
    fn list_quick_replies(&mut self) -> Result<Vec<QuickReply>>;
}

/// A backend: runs a closure in one write transaction, and loads the start-up state.
pub trait Store: Send + 'static {
    /// Runs `f` in one transaction: committed if it returns `Ok`, rolled back otherwise.
    fn transaction(&mut self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<()>) -> Result<()>;
    fn recover(&mut self) -> Result<Recovered>;
}
