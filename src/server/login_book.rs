//! The login throttle's books on the hub, all bounded: a `governor` keyed limiter of failed
//! logins per source address (at most [`MAX_ADDRESSES`] tracked; past that, new addresses share
//! one bucket) with the addresses it refused until their wait is over (governor has no "peek",
//! and the gate must ask before the password is checked), the throttle state of unknown usernames (at most [`MAX_UNKNOWN_NAMES`], keyed by a
//! keyed hash so no attacker-chosen string is kept; the oldest go first), the logins being
//! checked (one per connection, and one per username at a time), and the count of refused
//! attempts for the audit log's per-minute summary.

use super::listen::limit_key;
use super::login_rules::{self, Wait};
use super::outbox::ConnId;
use crate::config::LoginConfig;
use crate::model::{AgentId, Millis};
use crate::protocol::ApiError;
use crate::store::login::LoginState;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;

/// Most source addresses (IPv6 by /64) the per-address limiter tracks at once (a few MiB).
pub const MAX_ADDRESSES: usize = 100_000;
/// Most unknown usernames whose failures are remembered (about 3 MiB).
pub const MAX_UNKNOWN_NAMES: usize = 65_536;
/// The bucket every address shares while the limiter is full (no client has this address).
const OVERFLOW: IpAddr = IpAddr::V6(Ipv6Addr::UNSPECIFIED);
/// How often stale entries are dropped (from the hub's housekeeping tick).
const PRUNE_EVERY_MS: Millis = 10_000;
/// The audit log's summary period for refused attempts.
const SUMMARY_MS: Millis = 60_000;
/// Most addresses named in one summary (the rest are counted together).
const SUMMARY_ADDRESSES: usize = 256;

/// A login being checked.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub peer: IpAddr,
    pub username: String,
    /// The account, once the store said whether the username exists.
    pub agent: Option<AgentId>,
}

/// Why an attempt was refused before its password was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The address used its attempts; seconds to wait.
    Address(u64),
    /// A login for the same username is being checked on another connection.
    Parallel,
    Account(Wait),
}

impl Refusal {
    pub fn secs(self) -> u64 {
        match self {
            Refusal::Address(s) => s,
            Refusal::Parallel => 1,
            Refusal::Account(w) => w.secs(),
        }
    }

    pub fn reason(self) -> &'static str {
        match self {
            Refusal::Address(_) => "address",
            Refusal::Parallel => "parallel",
            Refusal::Account(Wait::Backoff(_)) => "backoff",
            Refusal::Account(Wait::Locked(_)) => "locked",
        }
    }

    pub fn error(self, cfg: &LoginConfig) -> ApiError {
        let message = match self {
            Refusal::Address(s) => format!(
                "too many login attempts from your address (limit {} per minute, \
                 login.failures_per_address_per_minute); try again in {s} s",
                cfg.failures_per_address_per_minute
            ),
            Refusal::Parallel => {
                "a login for this username is already being checked; try again in 1 s".into()
            }
            Refusal::Account(w) => w.message(),
        };
        ApiError::retry_after(message, self.secs())
    }
}

/// Refused attempts of the current summary period.
#[derive(Debug, Default)]
struct Refusals {
    since: Option<Millis>,
    count: u64,
    by_address: HashMap<IpAddr, u64>,
    other: u64,
}

pub struct LoginBook {
    by_address: Option<DefaultKeyedRateLimiter<IpAddr>>,
    /// Addresses (by [`limit_key`]) whose failures ran over, and until when they wait.
    blocked: HashMap<IpAddr, Millis>,
    clock: DefaultClock,
    full_pruned_at: Millis,
    unknown: HashMap<u64, LoginState>,
    names: RandomState,
    attempts: HashMap<ConnId, Attempt>,
    refusals: Refusals,
    pruned_at: Millis,
}

impl LoginBook {
    pub fn new(cfg: &LoginConfig) -> LoginBook {
        LoginBook {
            by_address: NonZeroU32::new(cfg.failures_per_address_per_minute)
                .map(|n| DefaultKeyedRateLimiter::keyed(Quota::per_minute(n))),
            blocked: HashMap::new(),
            clock: DefaultClock::default(),
            full_pruned_at: 0,
            unknown: HashMap::new(),
            names: RandomState::new(),
            attempts: HashMap::new(),
            refusals: Refusals::default(),
            pruned_at: 0,
        }
    }

    /// A login starts on `conn`: refused if the username is being checked elsewhere or the
    /// address is waiting after too many failures; otherwise remembered until [`Self::end`].
    pub fn begin(
        &mut self,
        conn: ConnId,
        peer: IpAddr,
        username: &str,
        now: Millis,
    ) -> Option<Refusal> {
        // One check per username at a time: parallel connections would otherwise all read
        // the same count and each get a guess in before any failure is stored.
        if self.attempts.values().any(|a| a.username == username) {
            return Some(Refusal::Parallel);
        }
        if let Some(&until) = self.blocked.get(&limit_key(peer))
            && until > now
        {
            let secs = (until.saturating_sub(now) as u64).div_ceil(1000).max(1);
            return Some(Refusal::Address(secs));
        }
        self.attempts.insert(
            conn,
            Attempt {
                peer,
                username: username.to_string(),
                agent: None,
            },
        );
        None
    }

    /// A failed login from `peer`: charged to its address; one over the limit makes the
    /// address wait until the limiter would let the next one through.
    pub fn address_failed(&mut self, peer: IpAddr, now: Millis) {
        let Some(limiter) = &self.by_address else {
            return;
        };
        let mut key = limit_key(peer);
        if limiter.len() >= MAX_ADDRESSES {
            if now.saturating_sub(self.full_pruned_at) >= 1_000 {
                limiter.retain_recent();
                self.full_pruned_at = now;
            }
            if limiter.len() >= MAX_ADDRESSES {
                key = OVERFLOW;
            }
        }
        if let Err(not_until) = limiter.check_key(&key) {
            let wait = not_until.wait_time_from(self.clock.now());
            let until =
                now.saturating_add(Millis::try_from(wait.as_millis()).unwrap_or(Millis::MAX));
            if self.blocked.len() < MAX_ADDRESSES || self.blocked.contains_key(&limit_key(peer)) {
                self.blocked.insert(limit_key(peer), until);
            }
        }
    }

    pub fn attempt(&self, conn: ConnId) -> Option<&Attempt> {
        self.attempts.get(&conn)
    }

    /// After the store read: records whether the username is an account and says whether
    /// it must wait (from `stored` for an account, from memory for an unknown username).
    pub fn account_wait(
        &mut self,
        conn: ConnId,
        agent: Option<AgentId>,
        stored: LoginState,
        now: Millis,
    ) -> Option<Wait> {
        let a = self.attempts.get_mut(&conn)?;
        a.agent = agent;
        let state = match agent {
            Some(_) => stored,
            None => {
                let key = self.names.hash_one(&a.username);
                self.unknown.get(&key).copied().unwrap_or_default()
            }
        };
        login_rules::verdict(state, now)
    }

    /// A failure for an unknown username; the new state if it locked the name.
    pub fn unknown_failed(
        &mut self,
        username: &str,
        now: Millis,
        cfg: &LoginConfig,
    ) -> Option<LoginState> {
        let key = self.names.hash_one(username);
        let state = self.unknown.get(&key).copied().unwrap_or_default();
        let (next, locked) = login_rules::after_failure(state, now, cfg);
        if !self.unknown.contains_key(&key) && self.unknown.len() >= MAX_UNKNOWN_NAMES {
            self.make_room(now);
        }
        self.unknown.insert(key, next);
        locked.then_some(next)
    }

    /// Drops what is forgotten anyway; if the map is still full, the eighth that failed
    /// longest ago.
    fn make_room(&mut self, now: Millis) {
        self.unknown
            .retain(|_, s| login_rules::current(*s, now) != LoginState::default());
        if self.unknown.len() < MAX_UNKNOWN_NAMES {
            return;
        }
        let mut by_age: Vec<(Millis, u64)> = self
            .unknown
            .iter()
            .map(|(k, s)| (s.last_failure_at, *k))
            .collect();
        by_age.sort_unstable();
        for (_, k) in by_age.iter().take(MAX_UNKNOWN_NAMES / 8) {
            self.unknown.remove(k);
        }
    }

    pub fn end(&mut self, conn: ConnId) {
        self.attempts.remove(&conn);
    }

    /// Every [`PRUNE_EVERY_MS`]: addresses whose bucket is full again, and unknown usernames
    /// whose state starts over, are dropped.
    pub fn prune(&mut self, now: Millis) {
        if now.saturating_sub(self.pruned_at) < PRUNE_EVERY_MS {
            return;
        }
        self.pruned_at = now;
        if let Some(limiter) = &self.by_address {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        self.blocked.retain(|_, until| *until > now);
        self.unknown
            .retain(|_, s| login_rules::current(*s, now) != LoginState::default());
        if self.unknown.capacity() > 4 * self.unknown.len().max(1024) {
            self.unknown.shrink_to_fit();
        }
    }

    /// Counts a refused attempt; true for the first of a summary period (audited at once).
    pub fn count_refusal(&mut self, peer: IpAddr, now: Millis) -> bool {
        let r = &mut self.refusals;
        if r.since.is_none() {
            r.since = Some(now);
            r.count = 1;
            return true;
        }
        r.count += 1;
        let key = limit_key(peer);
        if r.by_address.len() < SUMMARY_ADDRESSES || r.by_address.contains_key(&key) {
            *r.by_address.entry(key).or_default() += 1;
        } else {
            r.other += 1;
        }
        false
    }

    /// Once a summary period is over: the refusals after its first, as an audit detail
    /// (`None` when there were none).
    pub fn take_summary(&mut self, now: Millis) -> Option<serde_json::Value> {
        let since = self.refusals.since?;
        if now.saturating_sub(since) < SUMMARY_MS {
            return None;
        }
        let r = std::mem::take(&mut self.refusals);
        if r.count <= 1 {
            return None;
        }
        let mut top: Vec<(IpAddr, u64)> = r.by_address.into_iter().collect();
        top.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let distinct = top.len();
        top.truncate(10);
        Some(serde_json::json!({
            "refused": r.count - 1,
            "since": since,
            "until": now,
            "distinct_addresses": distinct,
            "top_addresses": top
                .iter()
                .map(|(a, n)| serde_json::json!({"address": a.to_string(), "refused": n}))
                .collect::<Vec<_>>(),
            "refused_from_other_addresses": r.other,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(per_address: u32) -> LoginConfig {
        LoginConfig {
            failures_per_address_per_minute: per_address,
            ..LoginConfig::default()
        }
    }

    #[test]
    fn an_address_gets_its_failures_then_waits_and_others_are_not_affected() {
        let mut b = LoginBook::new(&cfg(3));
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        // Logins that do not fail cost nothing.
        for i in 0..10 {
            assert_eq!(b.begin(i, a, &format!("u{i}"), 0), None);
            b.end(i);
        }
        // Three failures are free; the fourth makes the address wait.
        for _ in 0..3 {
            b.address_failed(a, 0);
            assert_eq!(b.begin(1, a, "u1", 0), None);
            b.end(1);
        }
        b.address_failed(a, 0);
        let r = b.begin(9, a, "u9", 0).unwrap();
        assert!(
            matches!(r, Refusal::Address(s) if (1..=20).contains(&s)),
            "{r:?}"
        );
        assert_eq!(b.begin(10, "10.0.0.2".parse().unwrap(), "u9", 0), None);
        // The wait ends.
        assert_eq!(b.begin(11, a, "u11", 60_000), None);
        // 0: no per-address limit.
        let mut b = LoginBook::new(&cfg(0));
        for i in 0..100 {
            b.address_failed(a, 0);
            assert_eq!(b.begin(i, a, "x", 0), None);
            b.end(i);
        }
    }

    #[test]
    fn one_check_per_username_at_a_time() {
        let mut b = LoginBook::new(&cfg(0));
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        assert_eq!(b.begin(1, a, "alice", 0), None);
        assert_eq!(b.begin(2, a, "alice", 0), Some(Refusal::Parallel));
        assert_eq!(b.begin(3, a, "bob", 0), None);
        b.end(1);
        assert_eq!(b.begin(2, a, "alice", 0), None);
    }

    #[test]
    fn unknown_usernames_stay_bounded() {
        let c = cfg(0);
        let mut b = LoginBook::new(&c);
        for i in 0..(MAX_UNKNOWN_NAMES + 5_000) {
            b.unknown_failed(&format!("nobody{i}"), i as Millis, &c);
            assert!(b.unknown.len() <= MAX_UNKNOWN_NAMES);
        }
        // The newest are remembered.
        let key = b
            .names
            .hash_one(format!("nobody{}", MAX_UNKNOWN_NAMES + 4_999));
        assert_eq!(b.unknown[&key].failures, 1);
        // A day later they are all forgotten.
        b.prune(login_rules::FORGET_AFTER_MS * 2);
        assert!(b.unknown.is_empty());
    }

    #[test]
    fn the_address_limiter_stays_bounded() {
        let mut b = LoginBook::new(&cfg(1));
        for i in 0..(MAX_ADDRESSES as u32 + 10) {
            let ip = IpAddr::V4(std::net::Ipv4Addr::from(0x0b00_0000 + i));
            b.address_failed(ip, 0);
            b.address_failed(ip, 0);
        }
        let len = b.by_address.as_ref().unwrap().len();
        assert!(len <= MAX_ADDRESSES + 1, "{len}");
        assert!(b.blocked.len() <= MAX_ADDRESSES, "{}", b.blocked.len());
    }

    #[test]
    fn refusals_are_summarised_once_a_minute() {
        let mut b = LoginBook::new(&cfg(1));
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        assert!(b.count_refusal(a, 0));
        for t in 1..500 {
            assert!(!b.count_refusal(a, t));
        }
        assert_eq!(b.take_summary(59_999), None);
        let s = b.take_summary(60_000).unwrap();
        assert_eq!(s["refused"], 499);
        assert_eq!(s["top_addresses"][0]["refused"], 499);
        assert_eq!(b.take_summary(200_000), None);
        assert!(b.count_refusal(a, 200_000));
    }
}
