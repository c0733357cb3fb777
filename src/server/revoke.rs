//! Revocation: an agent connection whose sign-in ended is closed with 1008 (policy violation)
//! and a short reason the console shows as `signed out: <reason>` (`docs/accounts.md`). Sign-ins
//! end on this server (logout, a password change, `devices.end`, idle expiry: the connections
//! are closed at once) or in another process: `kefu admin` resets a password, changes a role,
//! resets 2FA or disables the account, deleting the tokens; a periodic check of the live agent
//! connections against the store finds those (a bounded batch per check, a read in the
//! committer's order, never on a request's path).

use super::hub::{Auth, Hub};
use super::outbox::ConnId;
use crate::model::{AgentId, Millis};

/// The close code of a revoked connection (documented in `docs/protocol.md` 1.5).
pub const CLOSE_REVOKED: u16 = 1008;
/// The error a request gets when its connection's token was revoked meanwhile.
pub const REVOKED_REASON: &str = "token revoked; log in again";
/// Close reasons: all start with [`SIGNED_OUT`], which tells them from the other 1008 (a
/// client too slow to keep up, which should resume). Short: a reason holds at most 123 bytes.
pub const SIGNED_OUT: &str = "signed out: ";
pub const REASON_REVOKED: &str =
    "signed out: sign-in ended by an administrator (password, role or 2FA reset)";
pub const REASON_DISABLED: &str = "signed out: account disabled";
pub const REASON_PASSWORD_CHANGED: &str = "signed out: password changed";
pub const REASON_LOGGED_OUT: &str = "signed out: logged out";
pub const REASON_DEVICE_ENDED: &str = "signed out: ended from another device";
pub const REASON_IDLE: &str = "signed out: idle for too long";

/// Most tokens looked up per check; the next check goes on where this one stopped.
const CHECK_BATCH: usize = 256;

impl Hub {
    /// Looks up the tokens of the next batch of agent connections, if a check is due; those
    /// whose token is gone are closed when the answer comes back.
    pub(super) fn check_revocations(&mut self, now: Millis) {
        let every = i64::try_from(self.config.auth.revocation_check_secs)
            .unwrap_or(i64::MAX)
            .saturating_mul(1000);
        let r = &self.revocation;
        if r.in_flight || now - r.last_check < every {
            return;
        }
        let mut all: Vec<(ConnId, String, AgentId)> = self
            .agents
            .iter()
            .flat_map(|(a, e)| e.conns.iter().map(move |c| (*c, *a)))
            .filter_map(|(c, a)| Some((c, self.conns.get(&c)?.token_hash.clone()?, a)))
            .collect();
        all.sort_unstable_by_key(|(c, _, _)| *c);
        let start = all.partition_point(|(c, _, _)| *c <= self.revocation.after);
        let batch: Vec<(ConnId, String, AgentId)> =
            all.into_iter().skip(start).take(CHECK_BATCH).collect();
        self.revocation.last_check = now;
        // A short batch reached the end: the next check starts from the beginning.
        self.revocation.after = match batch.last() {
            Some((c, _, _)) if batch.len() == CHECK_BATCH => *c,
            _ => 0,
        };
        if batch.is_empty() {
            return;
        }
        self.revocation.in_flight = true;
        self.read_then(
            move |tx| {
                let mut gone = Vec::new();
                for (conn, hash, agent) in batch {
                    // Existence, not expiry (0 is before every expiry): a token that merely
                    // expired does not end a connection that is already logged in (idle
                    // expiry is the hub's: `sign_ins`).
                    if tx.token(&hash, 0)?.is_none() {
                        let disabled = tx.agent_disabled(agent)?;
                        gone.push((conn, hash, disabled));
                    }
                }
                Ok(gone)
            },
            |hub, gone| {
                hub.revocation.in_flight = false;
                // A failed or refused check is simply tried again at the next tick.
                for (conn, hash, disabled) in gone.unwrap_or_default() {
                    // Unless the connection got a new token meanwhile (its own password change).
                    if hub
                        .conns
                        .get(&conn)
                        .is_some_and(|c| c.token_hash.as_deref() == Some(hash.as_str()))
                    {
                        let why = if disabled {
                            REASON_DISABLED
                        } else {
                            REASON_REVOKED
                        };
                        hub.sign_out_conn(conn, why);
                    }
                }
            },
        );
    }

    /// Closes the agent's connections other than `keep`: their tokens died with a password
    /// change on `keep`.
    pub(super) fn revoke_other_conns(&mut self, agent: AgentId, keep: ConnId) {
        let others: Vec<ConnId> = self
            .agents
            .get(&agent)
            .map(|e| e.conns.iter().copied().filter(|c| *c != keep).collect())
            .unwrap_or_default();
        for conn in others {
            self.sign_out_conn(conn, REASON_PASSWORD_CHANGED);
        }
    }

    /// Closes every live connection holding the token `hash` but `keep`, with `reason`.
    pub(super) fn sign_out_token(
        &mut self,
        hash: &str,
        keep: Option<ConnId>,
        reason: &'static str,
    ) {
        let holding: Vec<ConnId> = self
            .conns
            .iter()
            .filter(|(id, c)| Some(**id) != keep && c.token_hash.as_deref() == Some(hash))
            .map(|(id, _)| *id)
            .collect();
        for conn in holding {
            self.sign_out_conn(conn, reason);
        }
    }

    /// Forgets the connection's login at once and closes it with 1008 and the generic reason.
    pub(super) fn revoke_conn(&mut self, conn: ConnId) {
        self.sign_out_conn(conn, REASON_REVOKED);
    }

    /// Forgets the connection's login at once (it receives nothing more; routing counts the
    /// agent as gone if it was their last) and closes it with 1008 and `reason`.
    pub(super) fn sign_out_conn(&mut self, conn: ConnId, reason: &'static str) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        let out = c.out.clone();
        if let Auth::Agent(a) | Auth::AgentPending(a, _) = c.auth {
            tracing::info!(
                conn,
                agent = a,
                reason,
                "sign-in ended; closing the connection"
            );
        }
        self.drop_conn(conn);
        out.close(CLOSE_REVOKED, reason);
    }
}
