//! The `[reports]` section (`docs/reports.md`): the time zone reports use when a request names
//! none.

use super::ConfigError;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ReportsConfig {
    /// IANA time zone of day and hour buckets (`Asia/Shanghai`); unset: UTC.
    pub time_zone: Option<String>,
}

impl ReportsConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        match &self.time_zone {
            Some(tz) => crate::routing::hours::zone(tz)
                .map(|_| ())
                .map_err(|e| ConfigError(format!("reports.time_zone: {e}"))),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::ServerConfig;

    #[test]
    fn a_bad_zone_is_named() {
        let c = ServerConfig::parse("[reports]\ntime_zone = \"Asia/Shanghai\"\n").unwrap();
        assert_eq!(c.reports.time_zone.as_deref(), Some("Asia/Shanghai"));
        assert!(c.validate().is_ok());
        let c = ServerConfig::parse("[reports]\ntime_zone = \"Mars/Base\"\n").unwrap();
        let err = c.validate().unwrap_err().to_string();
        assert!(err.contains("reports.time_zone"), "{err}");
    }
}
