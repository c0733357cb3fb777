//! The store's side of login throttling (`docs/security.md`): each account's failed logins in a
//! row, its back-off and its lock, kept so that a restart does not lift them and `kefu admin
//! agent unlock` (another process) can. Only accounts that exist have a row: unknown usernames
//! are throttled from the hub's memory and cannot grow the database. Split from
//! [`super::Read`] and [`super::Tx`] into traits of their own, which those traits include.

use super::Result;
use crate::model::{AgentId, Millis};

/// One account's throttle state; all zero is "no failures".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoginState {
    /// Failed logins in a row.
    pub failures: u32,
    /// When the last of them happened (ms).
    pub last_failure_at: Millis,
    /// No attempt before this (ms; 0: none).
    pub next_attempt_at: Millis,
    /// Locked until this (ms; 0: not locked).
    pub locked_until: Millis,
}

pub trait LoginRead {
    /// The account's stored state (all zero when it has none).
    fn login_state(&mut self, agent: AgentId) -> Result<LoginState>;
}

pub trait LoginTx {
    /// Stores the account's state (replacing what was there).
    fn put_login_state(&mut self, agent: AgentId, state: &LoginState) -> Result<()>;
    /// Forgets the account's failures and lock (a login succeeded, or an admin unlocked it);
    /// returns the state it had.
    fn clear_login_state(&mut self, agent: AgentId) -> Result<LoginState>;
}
