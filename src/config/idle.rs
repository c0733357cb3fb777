//! `[auth] idle_timeout_mins` / `idle_timeout_secs`: how long an agent sign-in may go unused
//! before it expires (`docs/accounts.md`).

use super::{ConfigError, MAX_DURATION_SECS, ServerConfig};

/// Shortest idle timeout in seconds: below it a console's renewal (about once a minute while
/// typing, sooner for short timeouts) could not keep up with ordinary pauses.
const MIN_IDLE_SECS: u64 = 5;

impl ServerConfig {
    pub(super) fn validate_idle(&self) -> Result<(), ConfigError> {
        let a = &self.auth;
        if a.idle_timeout_mins == 0 || a.idle_timeout_mins.saturating_mul(60) > MAX_DURATION_SECS {
            return Err(ConfigError(
                "auth.idle_timeout_mins: must be at least 1 and at most 10 years".into(),
            ));
        }
        if let Some(s) = a.idle_timeout_secs
            && !(MIN_IDLE_SECS..=MAX_DURATION_SECS).contains(&s)
        {
            return Err(ConfigError(format!(
                "auth.idle_timeout_secs: must be at least {MIN_IDLE_SECS} and at most 10 years"
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::config::ServerConfig;

    #[test]
    fn idle_timeouts_are_validated() {
        let mut c = ServerConfig::default();
        assert!(c.validate().is_ok());
        assert_eq!(c.auth.idle_ms(), 3_600_000);
        c.auth.idle_timeout_mins = 0;
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains("auth.idle_timeout_mins"), "{e}");
        c.auth.idle_timeout_mins = 60;
        c.auth.idle_timeout_secs = Some(1);
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains("auth.idle_timeout_secs"), "{e}");
        c.auth.idle_timeout_secs = Some(30);
        assert!(c.validate().is_ok());
        assert_eq!(c.auth.idle_ms(), 30_000);
    }
}
