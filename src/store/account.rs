//! The store's side of sign-ins and the personal profile (issue 12, `docs/accounts.md`): an
//! agent's live tokens with when they were last used and what signed in with them, whether an
//! account is disabled, and the profile fields kept beside the agent row. Split from
//! [`super::Read`] / [`super::Tx`] into traits of their own.

use super::Result;
use crate::model::{AgentId, Millis};

/// One signed-in device: an agent token as stored (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignIn {
    /// The token row's id: what `devices.end` names.
    pub id: i64,
    /// The token's hash, to tell which live connections hold it (never leaves the server).
    pub hash: String,
    pub created_at: Millis,
    /// Login, resume, renewal or work; the creation time for tokens older than this column.
    pub last_used_at: Millis,
    /// The absolute end of the token (idle expiry comes on top, see `docs/accounts.md`).
    pub expires_at: Millis,
    pub client: Option<String>,
    pub address: Option<String>,
}

/// The profile fields not in the agent row (display name and contact are there).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    pub initials: Option<String>,
    pub color: Option<String>,
    pub signature: Option<String>,
    pub language: Option<String>,
}

pub trait AccountRead {
    /// The agent's tokens that are neither expired at `now` nor idle since before
    /// `idle_since`, oldest first, at most `limit`.
    fn sign_ins_of(
        &mut self,
        agent: AgentId,
        now: Millis,
        idle_since: Millis,
        limit: u32,
    ) -> Result<Vec<SignIn>>;
    /// The agent's token with this id (expired or not).
    fn sign_in_by_id(&mut self, agent: AgentId, id: i64) -> Result<Option<SignIn>>;
    /// The agent behind a token that still resumes at `now`: not expired, used at or after
    /// `idle_since`, and the account not disabled.
    fn agent_sign_in(
        &mut self,
        hash: &str,
        now: Millis,
        idle_since: Millis,
    ) -> Result<Option<AgentId>>;
    /// Whether an admin disabled the account (`false` for an unknown id).
    fn agent_disabled(&mut self, agent: AgentId) -> Result<bool>;
    fn profile(&mut self, agent: AgentId) -> Result<Profile>;
    /// Every stored profile, by agent id.
    fn profiles(&mut self) -> Result<Vec<(AgentId, Profile)>>;
}

pub trait AccountTx {
    /// Records what signed in with a token just inserted (sanitised and bounded by the caller).
    fn record_sign_in(
        &mut self,
        hash: &str,
        now: Millis,
        client: Option<&str>,
        address: Option<&str>,
    ) -> Result<()>;
    /// Sets the last use of each token (hash, when) that still exists.
    fn touch_sign_ins(&mut self, uses: &[(String, Millis)]) -> Result<()>;
    /// Deletes the agent's token with this id; whether there was one.
    fn end_sign_in(&mut self, agent: AgentId, id: i64) -> Result<bool>;
    /// Disables or enables an account; `NotFound` for an unknown id. Ending its sign-ins is
    /// the caller's ([`super::Tx::delete_agent_tokens`]).
    fn set_agent_disabled(&mut self, agent: AgentId, disabled: bool) -> Result<()>;
    /// Writes the profile: the display name and contact into the agent row, the rest beside
    /// it. `NotFound` for an unknown id.
    fn save_profile(
        &mut self,
        agent: AgentId,
        display_name: &str,
        contact: Option<&str>,
        profile: &Profile,
        now: Millis,
    ) -> Result<()>;
}
