//! The `[smtp]` and `[cc]` sections: how a conversation's transcript is CC'd (抄送, S15) by
//! e-mail and to team webhooks, the address book, and the outbox's retry and limits. Checked
//! at start-up with errors that name the field (`docs/cc.md`, `docs/configuration.md`).

use super::{ConfigError, MAX_DURATION_SECS, ServerConfig};
use serde::Deserialize;
use std::path::PathBuf;

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// Plain connect, then STARTTLS (required: refused if the server does not offer it).
    #[default]
    Starttls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
    /// No encryption: only to a server on this machine, or with `allow_insecure = true`.
    None,
}

/// `[smtp]`: the server the CC mails go through. Absent: e-mail CCs are refused.
#[derive(Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    /// Default: 587 (starttls), 465 (tls), 25 (none).
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub security: SmtpSecurity,
    /// Lets `security = "none"` reach a host other than this machine (credentials and
    /// transcripts then cross the network in clear text).
    #[serde(default)]
    pub allow_insecure: bool,
    #[serde(default)]
    pub username: Option<String>,
    /// At most one of `password`, `password_file`, `password_env`.
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    #[serde(default)]
    pub password_env: Option<String>,
    /// The sender, e.g. `客服 <kefu@shop.example.com>`.
    pub from: String,
    /// Connecting and each SMTP command wait at most this long.
    #[serde(default = "default_smtp_timeout")]
    pub timeout_secs: u64,
    /// The name given in EHLO (default `localhost`); some servers want this machine's name.
    #[serde(default)]
    pub hello_name: Option<String>,
}

fn default_smtp_timeout() -> u64 {
    15
}

/// Never prints the password.
impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

impl SmtpConfig {
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.security {
            SmtpSecurity::Starttls => 587,
            SmtpSecurity::Tls => 465,
            SmtpSecurity::None => 25,
        })
    }

    /// The password from wherever the config says; `Ok(None)` without one.
    pub fn password(&self) -> Result<Option<String>, String> {
        if let Some(p) = &self.password {
            return Ok(Some(p.clone()));
        }
        if let Some(path) = &self.password_file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            return Ok(Some(text.trim_end_matches(['\r', '\n']).to_string()));
        }
        if let Some(var) = &self.password_env {
            return std::env::var(var)
                .map(Some)
                .map_err(|_| format!("the environment variable {var} is not set"));
        }
        Ok(None)
    }

    fn is_local(&self) -> bool {
        let h = self.host.trim_start_matches('[').trim_end_matches(']');
        h == "localhost"
            || h.parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }
}

/// The shape of a CC webhook's JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CcFormat {
    /// Our own JSON: the conversation and every message as fields.
    #[default]
    Json,
    /// A WeCom (企业微信) group robot: `{"msgtype":"markdown",…}`.
    Wecom,
    /// A DingTalk (钉钉) group robot: `{"msgtype":"markdown","markdown":{"title",…}}`.
    Dingtalk,
    /// A Slack incoming webhook: `{"text":…}` in mrkdwn.
    Slack,
}

/// `[[cc.webhooks]]`: a team group's robot or any HTTP receiver.
#[derive(Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CcWebhook {
    pub name: String,
    pub url: String,
    /// Signs each POST (`X-Kefu-Signature`, as the channel API's webhooks).
    pub secret: String,
    #[serde(default)]
    pub format: CcFormat,
}

impl std::fmt::Debug for CcWebhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CcWebhook")
            .field("name", &self.name)
            .field("url", &self.url)
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

/// `[[cc.contacts]]`: an address-book entry, an e-mail address or a webhook's name.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CcContact {
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub webhook: Option<String>,
}

/// `[cc]`: the address book, the team webhooks, and the outbox's limits and retries.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct CcConfig {
    pub webhooks: Vec<CcWebhook>,
    pub contacts: Vec<CcContact>,
    /// CCs one agent may request in 24 hours.
    pub per_agent_per_day: u32,
    /// A transcript longer than this (UTF-8 bytes of its messages) keeps its newest messages
    /// and says how many earlier ones were left out.
    pub max_transcript_bytes: usize,
    /// Attempts before a CC is given up as failed…
    pub max_attempts: u32,
    /// …or this long after it was requested, whichever comes first.
    pub max_age_secs: u64,
    /// Retry backoff: exponential from `retry_base_ms`, capped at `retry_max_ms`, jittered.
    pub retry_base_ms: u64,
    pub retry_max_ms: u64,
    /// How often the sender looks for CCs that are due.
    pub poll_ms: u64,
    /// CCs being sent at once.
    pub max_concurrent: usize,
    /// Webhook POSTs: connecting, and the whole request.
    pub connect_timeout_ms: u64,
    pub request_timeout_ms: u64,
}

impl Default for CcConfig {
    fn default() -> Self {
        CcConfig {
            webhooks: Vec::new(),
            contacts: Vec::new(),
            per_agent_per_day: 50,
            max_transcript_bytes: 256 * 1024,
            max_attempts: 10,
            max_age_secs: 86_400,
            retry_base_ms: 5_000,
            retry_max_ms: 600_000,
            poll_ms: 1_000,
            max_concurrent: 4,
            connect_timeout_ms: 5_000,
            request_timeout_ms: 10_000,
        }
    }
}

impl CcConfig {
    pub fn webhook(&self, name: &str) -> Option<&CcWebhook> {
        self.webhooks.iter().find(|w| w.name == name)
    }

    pub fn contact(&self, name: &str) -> Option<&CcContact> {
        self.contacts.iter().find(|c| c.name == name)
    }
}

/// Shortest CC webhook secret.
const MIN_WEBHOOK_SECRET: usize = 16;

impl ServerConfig {
    /// `[smtp]` and `[cc]`: values in range, names unique, contacts that resolve.
    pub(super) fn validate_cc(&self) -> Result<(), ConfigError> {
        let bad = |key: &str, why: String| Err(ConfigError(format!("{key}: {why}")));
        if let Some(s) = &self.smtp {
            if s.host.trim().is_empty() {
                return bad("smtp.host", "must name the mail server".into());
            }
            if s.security == SmtpSecurity::None && !s.is_local() && !s.allow_insecure {
                return bad(
                    "smtp.security",
                    "`none` sends passwords and transcripts in clear text: only to localhost, \
                     or set smtp.allow_insecure = true"
                        .into(),
                );
            }
            let set = [
                s.password.is_some(),
                s.password_file.is_some(),
                s.password_env.is_some(),
            ];
            if set.iter().filter(|b| **b).count() > 1 {
                return bad(
                    "smtp.password",
                    "give at most one of password, password_file, password_env".into(),
                );
            }
            if set.iter().any(|b| *b) && s.username.is_none() {
                return bad("smtp.username", "a password needs a username".into());
            }
            if let Err(e) = s.from.parse::<lettre::message::Mailbox>() {
                return bad("smtp.from", format!("`{}` is not an address: {e}", s.from));
            }
            if s.timeout_secs == 0 || s.timeout_secs > 600 {
                return bad("smtp.timeout_secs", "must be 1–600".into());
            }
        }
        let c = &self.cc;
        for (i, w) in c.webhooks.iter().enumerate() {
            let key = format!("cc.webhooks[{i}]");
            if w.name.trim().is_empty()
                || c.webhooks.iter().filter(|o| o.name == w.name).count() > 1
            {
                return bad(&key, format!("name `{}` must be set and unique", w.name));
            }
            if let Err(e) = crate::http_url::check_url(&w.url) {
                return bad(&format!("{key}.url"), e);
            }
            if w.secret.len() < MIN_WEBHOOK_SECRET {
                return bad(
                    &format!("{key}.secret"),
                    format!("must be at least {MIN_WEBHOOK_SECRET} bytes"),
                );
            }
        }
        for (i, k) in c.contacts.iter().enumerate() {
            let key = format!("cc.contacts[{i}]");
            if k.name.trim().is_empty()
                || c.contacts.iter().filter(|o| o.name == k.name).count() > 1
            {
                return bad(&key, format!("name `{}` must be set and unique", k.name));
            }
            match (&k.email, &k.webhook) {
                (Some(e), None) => {
                    if let Err(why) = crate::cc::check_email(e) {
                        return bad(&format!("{key}.email"), why);
                    }
                    if self.smtp.is_none() {
                        return bad(&format!("{key}.email"), "needs an [smtp] section".into());
                    }
                }
                (None, Some(w)) => {
                    if c.webhook(w).is_none() {
                        return bad(
                            &format!("{key}.webhook"),
                            format!("`{w}` is not one of the [[cc.webhooks]]"),
                        );
                    }
                }
                _ => return bad(&key, "give exactly one of email, webhook".into()),
            }
        }
        if c.per_agent_per_day == 0
            || c.max_attempts == 0
            || c.max_concurrent == 0
            || c.poll_ms == 0
            || c.retry_base_ms == 0
        {
            return bad(
                "cc",
                "per_agent_per_day, max_attempts, max_concurrent, poll_ms and retry_base_ms \
                 must be at least 1"
                    .into(),
            );
        }
        if c.max_transcript_bytes < 1024 {
            return bad("cc.max_transcript_bytes", "must be at least 1024".into());
        }
        if c.max_age_secs == 0 || c.max_age_secs > MAX_DURATION_SECS {
            return bad(
                "cc.max_age_secs",
                "must be at least 1 and at most 10 years".into(),
            );
        }
        if c.retry_max_ms < c.retry_base_ms {
            return bad("cc.retry_max_ms", "must be at least retry_base_ms".into());
        }
        if c.connect_timeout_ms == 0 || c.request_timeout_ms == 0 {
            return bad(
                "cc",
                "connect_timeout_ms and request_timeout_ms must be at least 1".into(),
            );
        }
        Ok(())
    }
}
