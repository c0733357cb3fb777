//! The store's side of the second factor (`docs/two-factor.md`): each agent's TOTP secret
//! (unconfirmed while enrolling), the last step a code was used for (replay protection), and
//! the hashes of their one-time recovery codes. Split from [`super::Read`] and [`super::Tx`]
//! into traits of their own, which those traits include.

use super::Result;
use crate::model::{AgentId, Millis};

/// An agent's second factor as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpState {
    /// The shared secret, base32.
    pub secret: String,
    /// Confirmed with a code: in force at login.
    pub confirmed: bool,
    /// The last step a code was accepted for; codes of that step or older are refused.
    pub last_step: Option<u64>,
    /// Recovery codes not used yet.
    pub recovery_left: u32,
}

impl std::fmt::Debug for TotpState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpState")
            .field("secret", &"<redacted>")
            .field("confirmed", &self.confirmed)
            .field("last_step", &self.last_step)
            .field("recovery_left", &self.recovery_left)
            .finish()
    }
}

pub trait TotpRead {
    fn totp_state(&mut self, agent: AgentId) -> Result<Option<TotpState>>;
}

pub trait TotpTx {
    /// Stores a new unconfirmed secret for the agent, replacing an unconfirmed one (a
    /// confirmed one is the caller's to refuse first).
    fn totp_begin(&mut self, agent: AgentId, secret: &str, now: Millis) -> Result<()>;
    /// Puts the factor in force: confirmed, `step` used, and these recovery-code hashes
    /// replacing any earlier ones.
    fn totp_confirm(
        &mut self,
        agent: AgentId,
        step: u64,
        recovery_hashes: &[String],
        now: Millis,
    ) -> Result<()>;
    /// Records that a code of `step` was used, only if it is later than the last one used;
    /// whether it was (false: a replay raced in first).
    fn totp_use_step(&mut self, agent: AgentId, step: u64) -> Result<bool>;
    /// Marks an unused recovery code (by hash) used; whether there was one.
    fn totp_use_recovery(&mut self, agent: AgentId, hash: &str, now: Millis) -> Result<bool>;
    /// Ends the agent's sign-ins except the one with token hash `keep` (the factor just came
    /// into force: sign-ins made without it go); how many.
    fn totp_end_other_sign_ins(&mut self, agent: AgentId, keep: Option<&str>) -> Result<u64>;
    /// Removes the agent's second factor and recovery codes; whether there was one.
    fn totp_delete(&mut self, agent: AgentId) -> Result<bool>;
}
