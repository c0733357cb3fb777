//! The `[dashboard]` section: the supervisor's live view (`docs/dashboard.md`). The service
//! level counts conversations answered within `service_level_secs` of queueing, over "today"
//! in `timezone` (the server's local time zone when unset).

use super::{ConfigError, ServerConfig};
use serde::Deserialize;

/// Longest service-level threshold accepted (a day).
const MAX_SERVICE_LEVEL_SECS: u32 = 86_400;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DashboardConfig {
    /// A conversation counts as answered in time when accepted within this many seconds of
    /// being queued.
    pub service_level_secs: u32,
    /// IANA time zone whose midnight starts "today" (service level, missed offers); unset:
    /// the server's own.
    pub timezone: Option<String>,
}

impl Default for DashboardConfig {
    fn default() -> Self {
        DashboardConfig {
            service_level_secs: 20,
            timezone: None,
        }
    }
}

impl DashboardConfig {
    /// The zone whose days the dashboard counts in.
    pub fn zone(&self) -> jiff::tz::TimeZone {
        self.timezone
            .as_deref()
            .and_then(|z| crate::routing::hours::zone(z).ok())
            .unwrap_or_else(jiff::tz::TimeZone::system)
    }
}

impl ServerConfig {
    pub(super) fn validate_dashboard(&self) -> Result<(), ConfigError> {
        let d = &self.dashboard;
        if d.service_level_secs == 0 || d.service_level_secs > MAX_SERVICE_LEVEL_SECS {
            return Err(ConfigError(format!(
                "dashboard.service_level_secs: must be between 1 and {MAX_SERVICE_LEVEL_SECS}"
            )));
        }
        if let Some(z) = &d.timezone {
            crate::routing::hours::zone(z)
                .map_err(|e| ConfigError(format!("dashboard.timezone: {e}")))?;
        }
        Ok(())
    }
}
