//! The `[tls]` section: serving HTTPS/WSS directly with rustls (`docs/tls.md`), and which
//! reverse proxies are trusted to say who the client is (`X-Forwarded-For`), for the
//! per-address limits and login throttling.

use super::{ConfigError, ServerConfig};
use serde::Deserialize;
use std::path::PathBuf;

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct TlsConfig {
    /// PEM certificate chain; with `key`, the server speaks only TLS. Reloaded on SIGHUP.
    pub cert: Option<PathBuf>,
    /// PEM private key of `cert`.
    pub key: Option<PathBuf>,
    /// Addresses or CIDR ranges of reverse proxies whose `X-Forwarded-For` is believed; from
    /// anyone else it is ignored.
    pub trusted_proxies: Vec<String>,
}

impl ServerConfig {
    pub(super) fn validate_tls(&self) -> Result<(), ConfigError> {
        if self.tls.cert.is_some() != self.tls.key.is_some() {
            return Err(ConfigError(
                "tls: set both `cert` and `key`, or neither".into(),
            ));
        }
        // A typo in a proxy address would silently believe no one (or the wrong one).
        super::TrustedProxies::parse(&self.tls.trusted_proxies)
            .map(|_| ())
            .map_err(ConfigError)?;
        Ok(())
    }
}
