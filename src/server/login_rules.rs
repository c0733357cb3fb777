//! The per-account login rules, pure (time is a parameter): how failures in a row turn into a
//! back-off and then a lock (`[login]`, `docs/security.md`). The same rules serve known
//! accounts (state stored, so it survives a restart and `kefu admin agent unlock` lifts it) and
//! unknown usernames (state in a bounded map on the hub), so the answers cannot tell them apart.

use crate::config::LoginConfig;
use crate::model::Millis;
use crate::store::login::LoginState;

/// After this long without a failure an account's count starts again (known and unknown
/// usernames alike: it lets the hub forget unknown names without answering differently).
pub const FORGET_AFTER_MS: Millis = 24 * 3600 * 1000;

/// Why a login must wait, and how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Back-off after a failure: whole seconds until the next attempt.
    Backoff(u64),
    /// Locked: whole seconds until the lock runs out.
    Locked(u64),
}

impl Wait {
    pub fn secs(self) -> u64 {
        match self {
            Wait::Backoff(s) | Wait::Locked(s) => s,
        }
    }

    /// The refusal, worded the same for every username.
    pub fn message(self) -> String {
        match self {
            Wait::Backoff(s) => {
                format!("too many failed logins for this account; try again in {s} s")
            }
            Wait::Locked(s) => format!(
                "this account is locked after too many failed logins; it unlocks in {} min \
                 (or when an admin unlocks it); try again in {s} s",
                s.div_ceil(60)
            ),
        }
    }
}

/// The state as it stands at `now`: a lock that ran out, or a count left alone for
/// [`FORGET_AFTER_MS`], starts over.
pub fn current(state: LoginState, now: Millis) -> LoginState {
    let lock_over = state.locked_until != 0 && state.locked_until <= now;
    let stale = state.last_failure_at.saturating_add(FORGET_AFTER_MS) <= now;
    if lock_over || (stale && state.locked_until <= now) {
        LoginState::default()
    } else {
        state
    }
}

/// Whether an attempt at `now` must wait.
pub fn verdict(state: LoginState, now: Millis) -> Option<Wait> {
    let s = current(state, now);
    let secs = |until: Millis| (until.saturating_sub(now) as u64).div_ceil(1000).max(1);
    if s.locked_until > now {
        Some(Wait::Locked(secs(s.locked_until)))
    } else if s.next_attempt_at > now {
        Some(Wait::Backoff(secs(s.next_attempt_at)))
    } else {
        None
    }
}

/// The state after a failure at `now`, and whether this failure locked the account.
pub fn after_failure(state: LoginState, now: Millis, cfg: &LoginConfig) -> (LoginState, bool) {
    let s = current(state, now);
    let failures = s.failures.saturating_add(1);
    let mut next = LoginState {
        failures,
        last_failure_at: now,
        next_attempt_at: 0,
        locked_until: 0,
    };
    if failures > cfg.free_failures {
        let doublings = (failures - cfg.free_failures - 1).min(40);
        let wait = cfg
            .backoff_base_secs
            .saturating_mul(1u64 << doublings)
            .min(cfg.backoff_max_secs);
        next.next_attempt_at = now.saturating_add(secs_ms(wait));
    }
    let locks = cfg.lock_after > 0 && failures >= cfg.lock_after;
    if locks {
        next.locked_until = now.saturating_add(secs_ms(cfg.lock_minutes.saturating_mul(60)));
    }
    (next, locks)
}

fn secs_ms(secs: u64) -> Millis {
    Millis::try_from(secs.saturating_mul(1000)).unwrap_or(Millis::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> LoginConfig {
        LoginConfig {
            free_failures: 2,
            backoff_base_secs: 1,
            backoff_max_secs: 8,
            lock_after: 7,
            lock_minutes: 15,
            ..LoginConfig::default()
        }
    }

    #[test]
    fn free_failures_then_doubling_back_off_up_to_the_maximum_then_a_lock() {
        let c = cfg();
        let mut s = LoginState::default();
        let mut t = 1_000_000;
        let mut waits = Vec::new();
        for _ in 0..7 {
            assert_eq!(verdict(s, t), None);
            let (n, locked) = after_failure(s, t, &c);
            s = n;
            waits.push((verdict(s, t), locked));
            t = t.max(s.next_attempt_at);
        }
        use Wait::*;
        assert_eq!(
            waits,
            [
                (None, false),
                (None, false),
                (Some(Backoff(1)), false),
                (Some(Backoff(2)), false),
                (Some(Backoff(4)), false),
                (Some(Backoff(8)), false),
                (Some(Locked(900)), true),
            ]
        );
        // Still locked a minute later; the lock running out starts the count over.
        assert_eq!(verdict(s, s.last_failure_at + 60_000), Some(Locked(840)));
        assert_eq!(verdict(s, s.locked_until), None);
        assert_eq!(after_failure(s, s.locked_until, &c).0.failures, 1);
    }

    #[test]
    fn no_lock_when_lock_after_is_zero_and_waits_round_up() {
        let c = LoginConfig {
            lock_after: 0,
            free_failures: 0,
            ..cfg()
        };
        let mut s = LoginState::default();
        for _ in 0..100 {
            let (n, locked) = after_failure(s, 5_000, &c);
            assert!(!locked);
            s = n;
        }
        assert_eq!(s.locked_until, 0);
        assert_eq!(verdict(s, 5_001), Some(Wait::Backoff(8)));
        assert_eq!(verdict(s, 12_999), Some(Wait::Backoff(1)));
    }

    #[test]
    fn a_count_left_alone_for_a_day_is_forgotten() {
        let c = cfg();
        let (s, _) = after_failure(LoginState::default(), 0, &c);
        let (s, _) = after_failure(s, 1, &c);
        assert_eq!(after_failure(s, 2, &c).0.failures, 3);
        assert_eq!(after_failure(s, FORGET_AFTER_MS + 1, &c).0.failures, 1);
    }

    #[test]
    fn messages_say_how_long() {
        assert!(Wait::Backoff(4).message().contains("in 4 s"));
        let m = Wait::Locked(61).message();
        assert!(m.contains("2 min") && m.contains("admin"), "{m}");
    }
}
