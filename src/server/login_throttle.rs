//! Login throttling on the hub (`docs/security.md`): failed logins limited per account and per
//! source address. [`Hub::login_gate`] runs before the login's store read (address, and one
//! login per username at a time) and [`Hub::account_gate`] after it, both before any password
//! hashing; the outcome of each check is reported by [`Hub::login_failed`] /
//! [`Hub::login_succeeded`]. The books themselves are in [`super::login_book`].

use super::agent_auth::LoginFailure;
use super::hub::Hub;
use super::login_book::Refusal;
use super::login_rules;
use super::outbox::ConnId;
use crate::audit;
use crate::model::{AgentId, now_ms};
use crate::protocol::ApiError;
use crate::store::AgentRow;
use crate::store::login::LoginState;
use serde_json::json;

/// Longest username kept in an audit entry, in characters.
const AUDIT_USERNAME_CHARS: usize = 64;

/// A username as typed, fit for the audit log: at most [`AUDIT_USERNAME_CHARS`] characters,
/// without control, bidi or other invisible characters (they are dropped, and an ellipsis
/// marks a cut).
pub fn audit_username(typed: &str) -> String {
    let mut out: String = typed
        .chars()
        .filter(|c| crate::console::sanitize::is_inert(*c) && !c.is_control())
        .take(AUDIT_USERNAME_CHARS + 1)
        .collect();
    if out.chars().count() > AUDIT_USERNAME_CHARS {
        out = out.chars().take(AUDIT_USERNAME_CHARS).collect();
        out.push('…');
    }
    out
}

impl Hub {
    /// `Err` (`rate_limited` with a retry-after) when this connection's address is waiting
    /// after too many failures, or a login for the same username is being checked on another
    /// connection. Otherwise the attempt is remembered until `end_auth`.
    pub(super) fn login_gate(&mut self, conn: ConnId, username: &str) -> Result<(), ApiError> {
        let Some(peer) = self.conns.get(&conn).map(|c| c.peer) else {
            return Err(ApiError::unauthorized("the connection is closing"));
        };
        let now = now_ms();
        let refusal = self.login_book.begin(conn, peer, username, now);
        if let Some(refusal) = refusal {
            self.login_refused(peer, username, &refusal, now);
            return Err(refusal.error(&self.config.login));
        }
        Ok(())
    }

    /// After the login's read, before hashing: `Err` when the account (`agent`, with its
    /// `stored` state; or the unknown username's remembered state) must wait. Known and
    /// unknown usernames get the same answers from the same rules.
    pub(super) fn account_gate(
        &mut self,
        conn: ConnId,
        agent: Option<AgentId>,
        stored: LoginState,
    ) -> Result<(), ApiError> {
        let now = now_ms();
        let Some(wait) = self.login_book.account_wait(conn, agent, stored, now) else {
            return Ok(());
        };
        if let Some(a) = self.login_book.attempt(conn).cloned() {
            self.login_refused(a.peer, &a.username, &Refusal::Account(wait), now);
        }
        Err(ApiError::retry_after(wait.message(), wait.secs()))
    }

    /// A login failed: counts it against the account (stored for a known one, remembered for
    /// an unknown username) and audits it.
    pub(super) fn login_failed(&mut self, conn: ConnId, username: &str, why: LoginFailure) {
        let now = now_ms();
        let Some(a) = self.login_book.attempt(conn).cloned() else {
            return;
        };
        let name = audit_username(username);
        let reason = match why {
            LoginFailure::Password => "password",
            LoginFailure::SecondFactor => "totp",
        };
        let target = target(a.agent, &name);
        self.login_book.address_failed(a.peer, now);
        self.audit(
            &name,
            audit::LOGIN_FAILED,
            &target,
            json!({"username": name, "address": a.peer.to_string(), "reason": reason}),
        );
        let locked = match a.agent {
            Some(agent) => {
                let cfg = self.config.login.clone();
                // Read, count and store in one write transaction: concurrent failures from
                // other processes' unlocks or restarts cannot be lost between read and write.
                let (name, peer, target) = (name.clone(), a.peer, target.clone());
                self.write_then(
                    move |tx| {
                        let (next, locked) =
                            login_rules::after_failure(tx.login_state(agent)?, now, &cfg);
                        tx.put_login_state(agent, &next)?;
                        Ok(locked.then_some(next))
                    },
                    move |hub, locked| {
                        if let Some(s) = locked {
                            hub.audit_locked(&name, &target, peer, s);
                        }
                    },
                );
                None
            }
            None => self
                .login_book
                .unknown_failed(&a.username, now, &self.config.login),
        };
        if let Some(s) = locked {
            self.audit_locked(&name, &target, a.peer, s);
        }
    }

    /// A login succeeded (password and second factor): clears the account's failures, audits.
    pub(super) fn login_succeeded(&mut self, conn: ConnId, row: &AgentRow) {
        let agent = row.id;
        let peer = self.login_book.attempt(conn).map(|a| a.peer);
        self.write(move |tx| tx.clear_login_state(agent).map(|_| ()));
        let address = peer.map(|p| p.to_string()).unwrap_or_default();
        self.audit(
            &row.username,
            audit::LOGIN_OK,
            &format!("agent:{agent}"),
            json!({"address": address}),
        );
    }

    /// The connection's login is over (answered either way): forget its attempt.
    pub(super) fn login_attempt_over(&mut self, conn: ConnId) {
        self.login_book.end(conn);
    }

    /// The throttle's share of the housekeeping tick: forget stale addresses and usernames,
    /// and write the summary of the refusals of a minute that is over.
    pub(super) fn login_housekeeping(&mut self) {
        let now = now_ms();
        self.login_book.prune(now);
        if let Some(summary) = self.login_book.take_summary(now) {
            self.audit("server", audit::LOGIN_THROTTLED, "summary", summary);
        }
    }

    fn audit_locked(&mut self, name: &str, target: &str, peer: std::net::IpAddr, s: LoginState) {
        self.audit(
            name,
            audit::LOGIN_LOCKED,
            target,
            json!({
                "username": name,
                "address": peer.to_string(),
                "failures": s.failures,
                "locked_until": s.locked_until,
            }),
        );
    }

    /// Counts a refusal; the first of a minute is audited at once, the others in that
    /// minute's summary (a flood must not write one entry per refused attempt).
    fn login_refused(
        &mut self,
        peer: std::net::IpAddr,
        username: &str,
        refusal: &Refusal,
        now: crate::model::Millis,
    ) {
        if self.login_book.count_refusal(peer, now) {
            let name = audit_username(username);
            self.audit(
                &name,
                audit::LOGIN_THROTTLED,
                &format!("username:{name}"),
                json!({
                    "username": name,
                    "address": peer.to_string(),
                    "reason": refusal.reason(),
                    "retry_after_secs": refusal.secs(),
                }),
            );
        }
    }
}

/// An audit target: the account, or the name typed when there is none.
fn target(agent: Option<AgentId>, name: &str) -> String {
    match agent {
        Some(a) => format!("agent:{a}"),
        None => format!("username:{name}"),
    }
}
