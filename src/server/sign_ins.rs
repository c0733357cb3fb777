//! Sign-ins on the hub: when each live agent token was last used, idle expiry, and writing the
//! last uses sparingly (`docs/accounts.md`).
//!
//! "Used" is a login, a resume, a `token.renew`, or any request of a logged-in agent
//! connection (pings are not: a console left open does not keep itself signed in). The hub
//! keeps the newest use of every token a live connection holds; the store gets it at most once
//! per [`Hub::write_every`] per token, batched into one committer job a second, and once more
//! when the last connection holding the token goes. A token whose last use is older than
//! `[auth] idle_timeout_mins` stops resuming (the store's check, `AccountRead::agent_sign_in`)
//! and its live connections are closed with 1008 "idle for too long" (the sweep here, once a
//! second with the other chores).

use super::hub::{Auth, Hub};
use super::outbox::ConnId;
use crate::model::{AgentId, Millis, now_ms};
use crate::store::Principal;
use std::collections::{HashMap, HashSet};

/// Longest a `hello.client` is kept (characters).
pub const MAX_CLIENT_CHARS: usize = 64;

/// The newest use of one token, and what of it the store has.
#[derive(Debug, Clone, Copy)]
struct Use {
    last_used: Millis,
    written: Millis,
}

/// The hub's sign-in bookkeeping.
#[derive(Debug, Default)]
pub struct SignIns {
    uses: HashMap<String, Use>,
    /// Last uses waiting for the next flush: (token hash, when).
    pending: Vec<(String, Millis)>,
}

/// What a client said it is in `hello.client`, fit to store and show: control, format (bidi)
/// and other invisible characters dropped, at most [`MAX_CLIENT_CHARS`]; `None` if nothing is
/// left.
pub fn clean_client(raw: &str) -> Option<String> {
    let s: String = raw
        .chars()
        .filter(|c| !c.is_control() && !is_invisible(*c))
        .take(MAX_CLIENT_CHARS)
        .collect();
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// Bidi controls, zero-width and other format characters.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

impl Hub {
    /// How long a sign-in may go unused.
    pub(super) fn idle_ms(&self) -> i64 {
        self.config.auth.idle_ms()
    }

    /// Most often one token's last use is written: once a minute, sooner for short timeouts
    /// (a quarter of it), so the stored value is never far behind.
    fn write_every(&self) -> i64 {
        (self.idle_ms() / 4).clamp(1_000, 60_000)
    }

    /// What the connection said it is in `hello` (see [`clean_client`]).
    pub(super) fn set_client(&mut self, conn: ConnId, client: Option<String>) {
        if let Some(c) = self.conns.get_mut(&conn) {
            c.client = client;
        }
    }

    /// Stores a new agent token for `conn` with what signed in (client, address).
    pub(super) fn push_sign_in(&mut self, conn: ConnId, hash: String, agent: AgentId) {
        let now = now_ms();
        let expires = now.saturating_add(self.config.auth.agent_token_ms());
        let (client, address) = match self.conns.get(&conn) {
            Some(c) => (c.client.clone(), Some(c.peer.to_string())),
            None => (None, None),
        };
        self.sign_ins.uses.insert(
            hash.clone(),
            Use {
                last_used: now,
                written: now,
            },
        );
        self.write(move |tx| {
            tx.insert_token(&hash, Principal::Agent(agent), expires, now)?;
            tx.record_sign_in(&hash, now, client.as_deref(), address.as_deref())
        });
    }

    /// The connection's sign-in was used now (see the module doc).
    pub(super) fn touch_sign_in(&mut self, conn: ConnId) {
        let now = now_ms();
        let every = self.write_every();
        let Some(hash) = self.conns.get(&conn).and_then(|c| c.token_hash.as_deref()) else {
            return;
        };
        let book = &mut self.sign_ins;
        match book.uses.get_mut(hash) {
            Some(u) => {
                u.last_used = u.last_used.max(now);
                if now - u.written >= every {
                    u.written = now;
                    book.pending.push((hash.to_string(), now));
                }
            }
            None => {
                let u = Use {
                    last_used: now,
                    written: now,
                };
                book.uses.insert(hash.to_string(), u);
                book.pending.push((hash.to_string(), now));
            }
        }
    }

    /// When the connection's sign-in expires if not used again: idle expiry, capped by the
    /// token's absolute end (`absolute`, when known).
    pub(super) fn sign_in_expiry(&self, conn: ConnId, absolute: Option<Millis>) -> Millis {
        let last = self
            .conns
            .get(&conn)
            .and_then(|c| c.token_hash.as_deref())
            .and_then(|h| self.sign_ins.uses.get(h))
            .map_or_else(now_ms, |u| u.last_used);
        let idle_end = last.saturating_add(self.idle_ms());
        absolute.map_or(idle_end, |a| a.min(idle_end))
    }

    /// The last use the hub knows of a token (newer than the store's), if a connection holds it.
    pub(super) fn last_use_of(&self, hash: &str) -> Option<Millis> {
        self.sign_ins.uses.get(hash).map(|u| u.last_used)
    }

    /// Once a second: closes the connections of idle sign-ins, forgets the tokens no
    /// connection holds any more (writing their last use if the store is behind), and writes
    /// the pending last uses in one job.
    pub(super) fn sweep_sign_ins(&mut self, now: Millis) {
        let idle = self.idle_ms();
        let mut held: HashSet<&str> = HashSet::new();
        let mut idle_conns = Vec::new();
        for (id, c) in &self.conns {
            let (Auth::Agent(_) | Auth::AgentPending(..), Some(h)) =
                (c.auth, c.token_hash.as_deref())
            else {
                continue;
            };
            held.insert(h);
            if let Some(u) = self.sign_ins.uses.get(h)
                && now - u.last_used >= idle
            {
                idle_conns.push(*id);
            }
        }
        let book = &mut self.sign_ins;
        let pending = &mut book.pending;
        book.uses.retain(|h, u| {
            let keep = held.contains(h.as_str()) && now - u.last_used < idle;
            if !keep && u.last_used > u.written {
                pending.push((h.clone(), u.last_used));
            }
            keep
        });
        for conn in idle_conns {
            self.sign_out_conn(conn, super::revoke::REASON_IDLE);
        }
        if !self.sign_ins.pending.is_empty() {
            let batch = std::mem::take(&mut self.sign_ins.pending);
            self.write(move |tx| tx.touch_sign_ins(&batch));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::clean_client;

    #[test]
    fn clients_are_cleaned_and_bounded() {
        assert_eq!(
            clean_client(" kefu-console/0.1 ").as_deref(),
            Some("kefu-console/0.1")
        );
        assert_eq!(
            clean_client("evil\u{1b}[2J\u{202E}txt\n").as_deref(),
            Some("evil[2Jtxt")
        );
        assert_eq!(clean_client("\u{200B}\u{7}"), None);
        assert_eq!(clean_client(&"x".repeat(500)).map(|s| s.len()), Some(64));
    }
}
