//! The `[login]` section: how logins are throttled (`docs/security.md`). Failures are counted
//! per account (unknown usernames too); past the free attempts each further failure doubles
//! the wait (from `backoff_base_secs` up to `backoff_max_secs`), and `lock_after` failures in a
//! row lock the account for `lock_minutes` (an admin can lift it). Failures are also counted
//! per source address.

use super::{ConfigError, ServerConfig};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LoginConfig {
    /// Failed logins of one account allowed before back-off starts.
    pub free_failures: u32,
    /// First wait after the free failures; doubled by each further failure.
    pub backoff_base_secs: u64,
    /// Longest wait between attempts.
    pub backoff_max_secs: u64,
    /// Failures in a row that lock the account (0: never lock).
    pub lock_after: u32,
    /// How long a lock lasts unless an admin lifts it.
    pub lock_minutes: u64,
    /// Failed logins one source address may make per minute (across all accounts; also the
    /// burst); past it the address waits. Successful logins do not count, so a team behind
    /// one NAT can all log in at nine. 0: no per-address limit.
    pub failures_per_address_per_minute: u32,
}

impl Default for LoginConfig {
    fn default() -> Self {
        LoginConfig {
            free_failures: 5,
            backoff_base_secs: 1,
            backoff_max_secs: 300,
            lock_after: 20,
            lock_minutes: 15,
            failures_per_address_per_minute: 30,
        }
    }
}

impl ServerConfig {
    pub(super) fn validate_login(&self) -> Result<(), ConfigError> {
        let l = &self.login;
        if l.backoff_base_secs == 0 || l.backoff_max_secs < l.backoff_base_secs {
            return Err(ConfigError(
                "login.backoff_base_secs: must be at least 1 and at most login.backoff_max_secs"
                    .into(),
            ));
        }
        if l.backoff_max_secs > 86_400 {
            return Err(ConfigError(
                "login.backoff_max_secs: at most 86400 (a day)".into(),
            ));
        }
        if l.lock_after > 0 && l.lock_after <= l.free_failures {
            return Err(ConfigError(
                "login.lock_after: must be above login.free_failures (or 0: never lock)".into(),
            ));
        }
        if l.lock_after > 0 && !(1..=10_080).contains(&l.lock_minutes) {
            return Err(ConfigError(
                "login.lock_minutes: 1 to 10080 (a week) when login.lock_after is set".into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(login: LoginConfig) -> Result<(), String> {
        let c = ServerConfig {
            login,
            ..ServerConfig::default()
        };
        c.validate_login().map_err(|e| e.0)
    }

    #[test]
    fn defaults_pass_and_contradictions_are_named() {
        assert_eq!(check(LoginConfig::default()), Ok(()));
        let bad = [
            (
                LoginConfig {
                    backoff_base_secs: 0,
                    ..Default::default()
                },
                "backoff_base_secs",
            ),
            (
                LoginConfig {
                    backoff_max_secs: 100_000,
                    ..Default::default()
                },
                "backoff_max_secs",
            ),
            (
                LoginConfig {
                    lock_after: 5,
                    ..Default::default()
                },
                "lock_after",
            ),
            (
                LoginConfig {
                    lock_minutes: 0,
                    ..Default::default()
                },
                "lock_minutes",
            ),
        ];
        for (l, key) in bad {
            let e = check(l).unwrap_err();
            assert!(e.contains(key), "{e}");
        }
        // Never locking, and no address limit, are allowed.
        let off = LoginConfig {
            lock_after: 0,
            lock_minutes: 0,
            failures_per_address_per_minute: 0,
            ..Default::default()
        };
        assert_eq!(check(off), Ok(()));
    }
}
