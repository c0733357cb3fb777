//! The server's TOML config. Every key has a default, so no file is needed at all;
//! `docs/configuration.md` lists them. Unknown keys are errors (typos should not pass silently).

use crate::model::Strategy;
use crate::routing::EngineConfig;
use serde::Deserialize;
use std::path::{Path, PathBuf};

mod bot;
mod cc;
mod conversations;
mod dashboard;
mod ending;
mod idle;
mod login;
mod menus;
mod reports;
mod tls;
mod trusted_proxies;
pub use bot::{BotConfig, DEFAULT_HANDOFF_WORDS};
pub use cc::{CcConfig, CcContact, CcFormat, CcWebhook, SmtpConfig, SmtpSecurity};
pub use conversations::ConversationsConfig;
pub use dashboard::DashboardConfig;
pub use ending::IdleRules;
pub use login::LoginConfig;
pub use menus::MenusConfig;
pub use reports::ReportsConfig;
pub use tls::TlsConfig;
pub use trusted_proxies::TrustedProxies;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Address `kefu serve` listens on when `--listen` is not given.
    pub listen: String,
    /// Data directory when neither `--data-dir` nor `KEFU_DATA_DIR` is given.
    pub data_dir: Option<PathBuf>,
    pub routing: RoutingConfig,
    pub limits: LimitsConfig,
    pub auth: AuthConfig,
    pub storage: StorageConfig,
    pub quotas: QuotasConfig,
    /// Skill groups created (or updated) at start-up, besides those made with `kefu admin`.
    pub groups: Vec<GroupConfig>,
    pub channels: ChannelsConfig,
    pub metrics: MetricsConfig,
    /// The HTTP channel API's incoming side (`docs/channels.md`).
    pub api: ApiConfig,
    /// The HTTP channel API's webhooks (`docs/channels.md`).
    pub webhooks: WebhooksConfig,
    pub conversations: ConversationsConfig,
    /// Knowledge-base search (`[kb]`: synonyms).
    pub kb: crate::kb::KbConfig,
    /// Intent recognition (`[intents]`: the intent file).
    pub intents: crate::intents::IntentsConfig,
    /// The answering bot in front of groups (`[bot]`, `docs/bot.md`).
    pub bot: BotConfig,
    /// The SMTP server CC mails go through (`[smtp]`, `docs/cc.md`); none: no e-mail CCs.
    pub smtp: Option<SmtpConfig>,
    /// CC of transcripts (`[cc]`: address book, team webhooks, retries; `docs/cc.md`).
    pub cc: CcConfig,
    /// Self-service menus (`[menus]`, `docs/menus.md`).
    pub menus: MenusConfig,
    /// The supervisor's live view (`[dashboard]`, `docs/dashboard.md`).
    pub dashboard: DashboardConfig,
    /// Reports (`[reports]`, `docs/reports.md`).
    pub reports: ReportsConfig,
    /// Login throttling (`docs/security.md`).
    pub login: LoginConfig,
    /// HTTPS/WSS and trusted reverse proxies (`docs/tls.md`).
    pub tls: TlsConfig,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RoutingConfig {
    pub offer_timeout_secs: u64,
    pub grace_secs: u64,
    pub max_missed_offers: u32,
    /// `keep` (default) or `requeue`: what happens to a leaving agent's active sessions.
    pub on_agent_leave: LeavePolicy,
    /// Capacity of agents without their own `--max-sessions`.
    pub default_max_sessions: u32,
    /// Group for customers who do not name one.
    pub default_group: String,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LeavePolicy {
    Keep,
    Requeue,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// Sustained requests per second per connection.
    pub rate_per_sec: f64,
    /// Requests a connection may send in a burst above the sustained rate.
    pub rate_burst: f64,
    /// Events replayed on resume before the client is told to `reload` instead.
    pub replay_limit: u32,
    /// Frames queued for a slow client before it is disconnected (it resumes by cursor).
    pub outbox_frames: usize,
    /// Threads checking passwords (argon2, 19 MiB each while running); 0: one per core.
    pub hash_threads: usize,
    /// Password checks waiting for a thread before more logins get `rate_limited`.
    pub hash_queue: usize,
    /// Requests waiting for the hub, over all connections; when full, connections stop
    /// reading their sockets until there is room (TCP pushes back on the senders).
    pub request_queue: usize,
    /// Store jobs waiting for the writer before the hub stops taking requests.
    pub commit_backlog: usize,
    /// The server pings every connection this often (seconds)…
    pub ping_interval_secs: u64,
    /// …and drops one it has heard nothing from for this long.
    pub idle_timeout_secs: u64,
    /// A connection must finish sending its HTTP request headers within this (seconds).
    pub header_timeout_secs: u64,
    /// A WebSocket must say `hello` within this long of connecting…
    pub hello_timeout_secs: u64,
    /// …and log in (agents) or start/resume a conversation (customers) within this long.
    pub auth_timeout_secs: u64,
    /// Connections open at once from one IP address; 0: no cap.
    pub max_connections_per_address: u32,
    /// Addresses the per-address cap does not apply to: your reverse proxy's, since every
    /// connection through it comes from there. Default: loopback.
    pub per_address_exempt: Vec<std::net::IpAddr>,
    /// Connections open at once in all; 0: the descriptor limit minus a reserve for the store.
    pub max_connections: u32,
    /// Of those, this many are kept for `/ws/agent`: customers cannot take the last ones.
    pub agent_reserved_connections: u32,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    pub agent_token_hours: u64,
    pub customer_token_days: u64,
    /// When set, `customer.start` with an `external_id` must carry `external_id_signature`
    /// and `external_id_expires`, signed with this secret by the shop's backend
    /// (`docs/protocol.md`, "Customer identity").
    pub customer_identity_secret: Option<String>,
    /// Development only: take external ids on trust, without a signature. With neither this
    /// nor a secret, `customer.start` with an `external_id` is refused.
    pub allow_unsigned_external_ids: bool,
    /// Latest `external_id_expires` accepted, in seconds from now: a signature may not be
    /// valid for longer than this.
    pub identity_max_ttl_secs: u64,
    /// How often live agent connections are checked against the stored tokens, so a
    /// password reset by `kefu admin` closes them.
    pub revocation_check_secs: u64,
    /// Roles that must have a second factor (TOTP): they enrol at their next login before
    /// anything else.
    pub require_2fa: Vec<crate::model::Role>,
    /// An agent sign-in not used (nor renewed by its console) for this long expires.
    pub idle_timeout_mins: u64,
    /// The same in seconds, used instead of `idle_timeout_mins` when set (short demos and
    /// tests; at least 5).
    pub idle_timeout_secs: Option<u64>,
}

/// What one address or one customer may spend; 0 turns a limit off.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct QuotasConfig {
    /// Conversations open at once that were started from one source address.
    pub open_per_address: u32,
    /// New conversations one source address may start per minute (a burst of this many,
    /// then one every 60/N seconds).
    pub new_per_address_per_minute: u32,
    /// Bytes of message text one customer may have stored per minute.
    pub customer_bytes_per_minute: u64,
    /// A conversation no agent has accepted ends as `abandoned` after waiting this long.
    pub queue_timeout_secs: u64,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct StorageConfig {
    /// Largest the database file may grow, in bytes; writes beyond fail like a full disk
    /// (the server stops and says so). Unset: until the disk is full.
    pub max_bytes: Option<u64>,
    /// Read-only connections (and threads) serving transcripts, profiles, searches, logins.
    pub readers: usize,
    /// Reads that may wait for a reader before more get `rate_limited`.
    pub read_queue: usize,
    /// How long events are kept for clients to resume from: "7d", "36h", "90m", "2w"; "0"
    /// keeps them forever. Messages and conversations are history and are never pruned.
    pub event_retention: String,
    /// Only the newest this many events are kept (on top of the window); 0: no count limit.
    pub event_retention_count: u64,
    /// Seconds between retention looks once a step found nothing more to do (a step that did
    /// is followed by the next one a second later).
    pub prune_idle_secs: u64,
}

impl Default for StorageConfig {
    fn default() -> Self {
        let d = crate::store::StoreOptions::default();
        StorageConfig {
            max_bytes: d.max_bytes,
            readers: d.readers,
            read_queue: d.read_queue,
            event_retention: "7d".into(),
            event_retention_count: 0,
            prune_idle_secs: 30,
        }
    }
}

impl StorageConfig {
    /// What the event log keeps; call after [`ServerConfig::validate`] (an invalid window
    /// counts as "forever" here).
    pub fn retention(&self) -> crate::store::Retention {
        crate::store::Retention {
            max_age_ms: crate::store::retention::parse_window(&self.event_retention)
                .ok()
                .flatten(),
            max_events: (self.event_retention_count > 0).then_some(self.event_retention_count),
        }
    }

    pub fn options(&self) -> crate::store::StoreOptions {
        crate::store::StoreOptions {
            max_bytes: self.max_bytes,
            readers: self.readers,
            read_queue: self.read_queue,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GroupConfig {
    pub name: String,
    #[serde(default)]
    pub strategy: Strategy,
    /// Business hours, e.g. `Mon-Fri 09:00-12:00,13:00-18:00; Sat 10:00-14:00`; unset: always
    /// open. Outside them a new conversation is a left message (`offline`).
    #[serde(default)]
    pub hours: Option<String>,
    /// IANA time zone of `hours` (`Asia/Shanghai`); unset: `conversations.timezone`.
    #[serde(default)]
    pub timezone: Option<String>,
    /// Whether the answering bot meets this group's new conversations; unset: `bot.enabled`.
    #[serde(default)]
    pub bot: Option<bool>,
    /// Ending (`docs/ending.md`): a tag is required before an agent ends a conversation…
    #[serde(default)]
    pub require_tags: bool,
    /// …and this group's silent-customer reminder and close, instead of `[conversations]`'s.
    #[serde(default)]
    pub customer_idle_remind_secs: Option<u64>,
    #[serde(default)]
    pub customer_idle_close_secs: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ChannelsConfig {
    pub web: WebChannelConfig,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct WebChannelConfig {
    /// Origins (`https://shop.example.com`) whose pages may open WebSockets to this server,
    /// besides the server's own. Handshakes without an `Origin` header are not affected.
    pub allowed_origins: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    /// Addresses `GET /metrics` answers (it is unauthenticated); others get 403. Default:
    /// loopback. Empty: nobody.
    pub allow: Vec<std::net::IpAddr>,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            allow: vec![
                std::net::Ipv4Addr::LOCALHOST.into(),
                std::net::Ipv6Addr::LOCALHOST.into(),
            ],
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: "127.0.0.1:7800".into(),
            data_dir: None,
            routing: RoutingConfig::default(),
            limits: LimitsConfig::default(),
            auth: AuthConfig::default(),
            storage: StorageConfig::default(),
            quotas: QuotasConfig::default(),
            groups: vec![GroupConfig {
                name: "general".into(),
                strategy: Strategy::LeastBusy,
                hours: None,
                timezone: None,
                bot: None,
                ..Default::default()
            }],
            channels: ChannelsConfig::default(),
            metrics: MetricsConfig::default(),
            api: ApiConfig::default(),
            webhooks: WebhooksConfig::default(),
            conversations: ConversationsConfig::default(),
            kb: crate::kb::KbConfig::default(),
            intents: crate::intents::IntentsConfig::default(),
            bot: BotConfig::default(),
            smtp: None,
            cc: CcConfig::default(),
            menus: MenusConfig::default(),
            dashboard: DashboardConfig::default(),
            reports: ReportsConfig::default(),
            login: LoginConfig::default(),
            tls: TlsConfig::default(),
        }
    }
}

impl Default for RoutingConfig {
    fn default() -> Self {
        RoutingConfig {
            offer_timeout_secs: 30,
            grace_secs: 60,
            max_missed_offers: 2,
            on_agent_leave: LeavePolicy::Keep,
            default_max_sessions: 5,
            default_group: "general".into(),
        }
    }
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            rate_per_sec: 50.0,
            rate_burst: 100.0,
            replay_limit: 10_000,
            outbox_frames: 8192,
            hash_threads: 0,
            hash_queue: 32,
            request_queue: 1024,
            commit_backlog: 8192,
            ping_interval_secs: 30,
            idle_timeout_secs: 90,
            header_timeout_secs: 10,
            hello_timeout_secs: 10,
            auth_timeout_secs: 30,
            max_connections_per_address: 128,
            per_address_exempt: vec![
                std::net::Ipv4Addr::LOCALHOST.into(),
                std::net::Ipv6Addr::LOCALHOST.into(),
            ],
            max_connections: 0,
            agent_reserved_connections: 32,
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            customer_identity_secret: None,
            allow_unsigned_external_ids: false,
            identity_max_ttl_secs: 86_400,
            revocation_check_secs: 2,
            agent_token_hours: 12,
            customer_token_days: 30,
            require_2fa: Vec::new(),
            idle_timeout_mins: 60,
            idle_timeout_secs: None,
        }
    }
}

impl Default for QuotasConfig {
    fn default() -> Self {
        QuotasConfig {
            open_per_address: 20,
            new_per_address_per_minute: 20,
            customer_bytes_per_minute: 256 * 1024,
            queue_timeout_secs: 30 * 60,
        }
    }
}

impl ServerConfig {
    /// Reads a config file; the error names the file and, for syntax errors, line and column.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read config {}: {e}", path.display()))?;
        let mut config =
            Self::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        // `[intents] file` is relative to the config file.
        if let (Some(f), Some(dir)) = (&mut config.intents.file, path.parent())
            && f.is_relative()
        {
            *f = dir.join(&*f);
        }
        if let Some(dir) = path.parent() {
            config.menus.relative_to(dir);
        }
        Ok(config)
    }

    /// The file's config, or the defaults when no file is given.
    pub fn load_or_default(path: Option<&Path>) -> anyhow::Result<Self> {
        match path {
            Some(p) => Self::load(p),
            None => Ok(Self::default()),
        }
    }

    pub fn parse(text: &str) -> Result<Self, toml::de::Error> {
        let config: ServerConfig = toml::from_str(text)?;
        Ok(config)
    }

    /// Checks what the types cannot: values in range and names that must exist.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |key: &str, why: &str| Err(ConfigError(format!("{key}: {why}")));
        let r = &self.routing;
        if !self.groups.iter().any(|g| g.name == r.default_group) {
            return bad(
                "routing.default_group",
                &format!("`{}` is not one of the [[groups]]", r.default_group),
            );
        }
        for (key, secs) in [
            ("routing.offer_timeout_secs", r.offer_timeout_secs),
            ("routing.grace_secs", r.grace_secs),
            ("limits.ping_interval_secs", self.limits.ping_interval_secs),
            ("limits.idle_timeout_secs", self.limits.idle_timeout_secs),
            ("auth.agent_token_hours", self.auth.agent_token_hours),
            ("auth.customer_token_days", self.auth.customer_token_days),
            (
                "auth.identity_max_ttl_secs",
                self.auth.identity_max_ttl_secs,
            ),
            (
                "auth.revocation_check_secs",
                self.auth.revocation_check_secs,
            ),
        ] {
            if secs == 0 || secs > MAX_DURATION_SECS {
                return bad(key, "must be at least 1 and at most 10 years");
            }
        }
        if r.default_max_sessions == 0 {
            return bad("routing.default_max_sessions", "must be at least 1");
        }
        self.api.validate()?;
        self.webhooks.validate()?;
        let l = &self.limits;
        for (key, rate) in [
            ("limits.rate_per_sec", l.rate_per_sec),
            ("limits.rate_burst", l.rate_burst),
        ] {
            if !(rate.is_finite() && rate > 0.0) {
                return bad(key, "must be a number above 0");
            }
        }
        if l.rate_burst < 1.0 {
            return bad("limits.rate_burst", "must be at least 1 (one request)");
        }
        if self.storage.readers == 0 || self.storage.read_queue == 0 {
            return bad("storage", "readers and read_queue must be at least 1");
        }
        if let Err(why) = crate::store::retention::parse_window(&self.storage.event_retention) {
            return bad("storage.event_retention", &why);
        }
        if l.outbox_frames == 0
            || l.replay_limit == 0
            || l.request_queue == 0
            || l.commit_backlog == 0
        {
            return bad(
                "limits",
                "outbox_frames, replay_limit, request_queue and commit_backlog must be at least 1",
            );
        }
        if l.idle_timeout_secs <= l.ping_interval_secs {
            return bad(
                "limits.idle_timeout_secs",
                "must be longer than ping_interval_secs (a live peer answers each ping)",
            );
        }
        self.validate_identity()?;
        self.reports.validate()?;
        if self.quotas.queue_timeout_secs > MAX_DURATION_SECS {
            return bad("quotas.queue_timeout_secs", "must be at most 10 years");
        }
        for (key, secs) in [
            ("limits.header_timeout_secs", l.header_timeout_secs),
            ("limits.hello_timeout_secs", l.hello_timeout_secs),
            ("limits.auth_timeout_secs", l.auth_timeout_secs),
        ] {
            if secs == 0 || secs > MAX_DURATION_SECS {
                return bad(key, "must be at least 1 and at most 10 years");
            }
        }
        if l.max_connections != 0 && l.agent_reserved_connections >= l.max_connections {
            return bad(
                "limits.agent_reserved_connections",
                "must be below max_connections (customers need some too)",
            );
        }
        self.validate_conversations()?;
        self.validate_ending()?;
        self.validate_bot()?;
        self.validate_cc()?;
        self.validate_menus()?;
        self.validate_dashboard()?;
        self.validate_login()?;
        self.validate_idle()?;
        self.validate_tls()?;
        for origin in &self.channels.web.allowed_origins {
            if crate::server::origin::Origin::parse(origin).is_none() {
                return bad(
                    "channels.web.allowed_origins",
                    &format!("`{origin}` is not an origin like https://shop.example.com[:port]"),
                );
            }
        }
        Ok(())
    }

    /// External ids are either signed (a secret long enough to resist guessing) or, for
    /// development, explicitly unsigned; not both.
    fn validate_identity(&self) -> Result<(), ConfigError> {
        let a = &self.auth;
        match &a.customer_identity_secret {
            Some(_) if a.allow_unsigned_external_ids => Err(ConfigError(
                "auth.allow_unsigned_external_ids: cannot be true while \
                 auth.customer_identity_secret is set (signed ids are required then)"
                    .into(),
            )),
            Some(s) if s.len() < MIN_SECRET_BYTES => Err(ConfigError(format!(
                "auth.customer_identity_secret: must be at least {MIN_SECRET_BYTES} bytes \
                 (use a long random string)"
            ))),
            _ => Ok(()),
        }
    }

    pub fn engine(&self) -> EngineConfig {
        EngineConfig {
            offer_timeout_ms: secs_to_ms(self.routing.offer_timeout_secs),
            grace_ms: secs_to_ms(self.routing.grace_secs),
            max_missed_offers: self.routing.max_missed_offers,
            requeue_active_on_leave: self.routing.on_agent_leave == LeavePolicy::Requeue,
        }
    }
}

impl AuthConfig {
    pub fn agent_token_ms(&self) -> i64 {
        secs_to_ms(self.agent_token_hours.saturating_mul(3600))
    }

    /// How long an agent sign-in may go unused (`idle_timeout_secs` or `idle_timeout_mins`).
    pub fn idle_ms(&self) -> i64 {
        match self.idle_timeout_secs {
            Some(s) => secs_to_ms(s),
            None => secs_to_ms(self.idle_timeout_mins.saturating_mul(60)),
        }
    }

    pub fn customer_token_ms(&self) -> i64 {
        secs_to_ms(self.customer_token_days.saturating_mul(86_400))
    }
}

impl QuotasConfig {
    /// `None` when queued conversations never expire.
    pub fn queue_timeout_ms(&self) -> Option<i64> {
        (self.queue_timeout_secs > 0).then(|| secs_to_ms(self.queue_timeout_secs))
    }
}

/// Shortest identity secret accepted: 128 bits as hex.
const MIN_SECRET_BYTES: usize = 32;

/// Durations (and counts of hours and days, checked the same way) above this are refused.
const MAX_DURATION_SECS: u64 = 10 * 365 * 86_400;

/// Seconds to milliseconds without overflow (values are validated far below the limit).
fn secs_to_ms(secs: u64) -> i64 {
    i64::try_from(secs.saturating_mul(1000)).unwrap_or(i64::MAX)
}

/// A config value out of range.
#[derive(Debug, thiserror::Error)]
#[error("invalid config: {0}")]
pub struct ConfigError(String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_defaults() {
        assert_eq!(ServerConfig::parse("").unwrap(), ServerConfig::default());
    }

    #[test]
    fn keys_override_and_typos_fail_with_a_line() {
        let c = ServerConfig::parse(
            "[routing]\noffer_timeout_secs = 5\non_agent_leave = \"requeue\"\n\n[[groups]]\nname = \"vip\"\nstrategy = \"manual\"\n",
        )
        .unwrap();
        assert_eq!(c.engine().offer_timeout_ms, 5000);
        assert!(c.engine().requeue_active_on_leave);
        assert_eq!(c.groups[0].strategy, Strategy::Manual);
        let err = ServerConfig::parse("[routing]\noffer_timeout = 5\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn validation_names_the_bad_key() {
        assert!(ServerConfig::default().validate().is_ok());
        let cases = [
            (
                "[routing]\ndefault_group = \"nope\"\n",
                "routing.default_group",
            ),
            ("[limits]\nrate_per_sec = 0.0\n", "limits.rate_per_sec"),
            ("[limits]\nrate_burst = -1.0\n", "limits.rate_burst"),
            (
                "[routing]\noffer_timeout_secs = 0\n",
                "routing.offer_timeout_secs",
            ),
            (
                "[auth]\nagent_token_hours = 18446744073709551615\n",
                "auth.agent_token_hours",
            ),
            (
                "[limits]\nidle_timeout_secs = 10\nping_interval_secs = 10\n",
                "limits.idle_timeout_secs",
            ),
            (
                "[auth]\ncustomer_identity_secret = \"short\"\n",
                "auth.customer_identity_secret",
            ),
            (
                "[auth]\ncustomer_identity_secret = \"0123456789abcdef0123456789abcdef\"\nallow_unsigned_external_ids = true\n",
                "auth.allow_unsigned_external_ids",
            ),
            (
                "[auth]\nrevocation_check_secs = 0\n",
                "auth.revocation_check_secs",
            ),
            (
                "[quotas]\nqueue_timeout_secs = 18446744073709551615\n",
                "quotas.queue_timeout_secs",
            ),
            (
                "[limits]\nhello_timeout_secs = 0\n",
                "limits.hello_timeout_secs",
            ),
            (
                "[limits]\nmax_connections = 10\nagent_reserved_connections = 10\n",
                "limits.agent_reserved_connections",
            ),
            (
                "[channels.web]\nallowed_origins = [\"shop.example.com\"]\n",
                "channels.web.allowed_origins",
            ),
            (
                "[channels.web]\nallowed_origins = [\"https://shop.example.com/chat\"]\n",
                "channels.web.allowed_origins",
            ),
            (
                "[[groups]]\nname = \"general\"\nhours = \"Mon-Fri 9-18\"\n",
                "groups[0] (`general`).hours",
            ),
            (
                "[[groups]]\nname = \"general\"\ntimezone = \"Mars/Olympus\"\n",
                "groups[0] (`general`).timezone",
            ),
            (
                "[conversations]\ntimezone = \"Nowhere/At_All\"\n",
                "conversations.timezone",
            ),
            (
                "[conversations]\ncustomer_idle_close_secs = 18446744073709551615\n",
                "conversations.customer_idle_close_secs",
            ),
        ];
        for (text, key) in cases {
            let err = ServerConfig::parse(text)
                .unwrap()
                .validate()
                .unwrap_err()
                .to_string();
            assert!(err.contains(key), "{text}: {err}");
        }
    }

    #[test]
    fn event_retention_is_humane_and_checked() {
        let d = ServerConfig::default().storage.retention();
        assert_eq!(d.max_age_ms, Some(7 * 86_400_000));
        assert_eq!(d.max_events, None);
        let c = ServerConfig::parse(
            "[storage]\nevent_retention = \"36h\"\nevent_retention_count = 500\n",
        )
        .unwrap();
        c.validate().unwrap();
        assert_eq!(c.storage.retention().max_age_ms, Some(36 * 3_600_000));
        assert_eq!(c.storage.retention().max_events, Some(500));
        let forever = ServerConfig::parse("[storage]\nevent_retention = \"0\"\n").unwrap();
        forever.validate().unwrap();
        assert_eq!(
            forever.storage.retention(),
            crate::store::Retention::default()
        );
        for bad in ["7 days", "7x", "10s", "-1d"] {
            let err = ServerConfig::parse(&format!("[storage]\nevent_retention = \"{bad}\"\n"))
                .unwrap()
                .validate()
                .unwrap_err()
                .to_string();
            assert!(err.contains("storage.event_retention"), "{bad}: {err}");
            assert!(err.contains(bad), "{bad}: {err}");
        }
        // A number where a duration string belongs is a parse error with its line.
        let err = ServerConfig::parse("[storage]\nevent_retention = 7\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2"), "{err}");
    }
}

/// `[api]`: requests of the HTTP channel API's integrations.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ApiConfig {
    /// Requests per second one integration may make, sustained (token bucket).
    pub rate_per_sec: f64,
    /// Requests one integration may make at once.
    pub rate_burst: f64,
    /// Requests being handled at once over all integrations; more get 503.
    pub max_in_flight: usize,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            rate_per_sec: 50.0,
            rate_burst: 100.0,
            max_in_flight: 256,
        }
    }
}

impl ApiConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        for (key, rate) in [
            ("api.rate_per_sec", self.rate_per_sec),
            ("api.rate_burst", self.rate_burst),
        ] {
            if !(rate.is_finite() && rate > 0.0) {
                return Err(ConfigError(format!("{key}: must be a number above 0")));
            }
        }
        if self.max_in_flight == 0 {
            return Err(ConfigError("api.max_in_flight: must be at least 1".into()));
        }
        Ok(())
    }
}

/// `[webhooks]`: how events reach the integrations' webhook URLs.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct WebhooksConfig {
    /// The first retry waits about this long; each further one twice as long (with jitter).
    pub retry_base_ms: u64,
    /// Retries never wait longer than this.
    pub retry_max_ms: u64,
    /// How often each integration's sender looks for new events when it has none.
    pub poll_ms: u64,
    /// Deliveries in flight at once over all integrations.
    pub max_concurrent: usize,
    pub connect_timeout_ms: u64,
    /// For the whole request, from connecting to the response's status.
    pub request_timeout_ms: u64,
}

impl Default for WebhooksConfig {
    fn default() -> Self {
        WebhooksConfig {
            retry_base_ms: 1000,
            retry_max_ms: 300_000,
            poll_ms: 250,
            max_concurrent: 16,
            connect_timeout_ms: 5000,
            request_timeout_ms: 10_000,
        }
    }
}

impl WebhooksConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        for (key, v) in [
            ("webhooks.retry_base_ms", self.retry_base_ms),
            ("webhooks.retry_max_ms", self.retry_max_ms),
            ("webhooks.poll_ms", self.poll_ms),
            ("webhooks.connect_timeout_ms", self.connect_timeout_ms),
            ("webhooks.request_timeout_ms", self.request_timeout_ms),
        ] {
            if v == 0 || v > 86_400_000 {
                return Err(ConfigError(format!(
                    "{key}: must be at least 1 and at most a day"
                )));
            }
        }
        if self.max_concurrent == 0 {
            return Err(ConfigError(
                "webhooks.max_concurrent: must be at least 1".into(),
            ));
        }
        Ok(())
    }
}
