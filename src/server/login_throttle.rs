//! Login throttling on the hub (`docs/security.md`): failed logins limited per account and per
//! source address. [`Hub::login_gate`] runs before any password hashing; the outcome of each
//! check is reported by [`Hub::login_failed`] / [`Hub::login_succeeded`].

use super::agent_auth::LoginFailure;
use super::hub::Hub;
use super::outbox::ConnId;
use crate::protocol::ApiError;
use crate::store::AgentRow;

impl Hub {
    /// `Err` (`rate_limited` with a retry-after) when this account or this connection's
    /// address must wait before trying again.
    pub(super) fn login_gate(&mut self, _conn: ConnId, _username: &str) -> Result<(), ApiError> {
        Ok(())
    }

    /// A login failed: counts it against the account and the address, and audits it.
    pub(super) fn login_failed(&mut self, _conn: ConnId, _username: &str, _why: LoginFailure) {}

    /// A login succeeded (password and second factor): clears the account's failures, audits.
    pub(super) fn login_succeeded(&mut self, _conn: ConnId, _row: &AgentRow) {}
}
