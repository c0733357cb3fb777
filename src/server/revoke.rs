//! Revocation: an agent connection whose token no longer exists is closed with 4001. Tokens
//! disappear when the password changes — by the agent (their other connections are closed at
//! once) or by `kefu admin agent reset-password` in another process (found by a periodic check
//! of the live agent connections against the store: a bounded batch per check, a read in the
//! committer's order, never on a request's path).

use super::hub::{Auth, Hub};
use super::outbox::ConnId;
use crate::model::{AgentId, Millis};

/// The close code and reason of a revoked connection (documented in `docs/protocol.md` 1.5).
pub const CLOSE_REVOKED: u16 = 4001;
pub const REVOKED_REASON: &str = "token revoked; log in again";

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
        let mut all: Vec<(ConnId, String)> = self
            .agents
            .values()
            .flat_map(|e| e.conns.iter())
            .filter_map(|c| Some((*c, self.conns.get(c)?.token_hash.clone()?)))
            .collect();
        all.sort_unstable_by_key(|(c, _)| *c);
        let start = all.partition_point(|(c, _)| *c <= self.revocation.after);
        let batch: Vec<(ConnId, String)> = all.into_iter().skip(start).take(CHECK_BATCH).collect();
        self.revocation.last_check = now;
        // A short batch reached the end: the next check starts from the beginning.
        self.revocation.after = match batch.last() {
            Some((c, _)) if batch.len() == CHECK_BATCH => *c,
            _ => 0,
        };
        if batch.is_empty() {
            return;
        }
        self.revocation.in_flight = true;
        self.read_then(
            move |tx| {
                let mut gone = Vec::new();
                for (conn, hash) in batch {
                    // Existence, not expiry (0 is before every expiry): a token that merely
                    // expired does not end a connection that is already logged in.
                    if tx.token(&hash, 0)?.is_none() {
                        gone.push((conn, hash));
                    }
                }
                Ok(gone)
            },
            |hub, gone| {
                hub.revocation.in_flight = false;
                // A failed or refused check is simply tried again at the next tick.
                for (conn, hash) in gone.unwrap_or_default() {
                    // Unless the connection got a new token meanwhile (its own password change).
                    if hub
                        .conns
                        .get(&conn)
                        .is_some_and(|c| c.token_hash.as_deref() == Some(hash.as_str()))
                    {
                        hub.revoke_conn(conn);
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
            self.revoke_conn(conn);
        }
    }

    /// Forgets the connection's login at once (it receives nothing more; routing counts the
    /// agent as gone if it was their last) and closes it with 4001.
    pub(super) fn revoke_conn(&mut self, conn: ConnId) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        let out = c.out.clone();
        if let Auth::Agent(a) | Auth::AgentPending(a, _) = c.auth {
            tracing::info!(conn, agent = a, "token revoked; closing the connection");
        }
        self.drop_conn(conn);
        out.close(CLOSE_REVOKED, REVOKED_REASON);
    }
}
