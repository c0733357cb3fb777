//! The agent's own account (issue 12): the second factor (`totp.*`), signed-in devices
//! (`devices.*`), keeping a session alive (`token.renew`), the personal profile (`me.*`), and the
//! audit log screen for admins (`audit.list`). Who may send which request is decided by the
//! permission table (`src/permissions.rs`, `docs/permissions.md`).

use crate::model::{AgentId, Millis, Role};
use serde::{Deserialize, Serialize};

// ---- second factor (TOTP, RFC 6238) ----

/// Starts (or restarts, while unconfirmed) enrolment: a new secret that is not in force until
/// `totp.confirm` proves the authenticator app has it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TotpEnroll {}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct TotpEnrollReply {
    /// The shared secret in base32 (RFC 4648, no padding), to type into an app.
    pub secret: String,
    /// `otpauth://totp/kefu:alice?secret=…&issuer=kefu&digits=6&period=30`, what the QR code
    /// holds.
    pub uri: String,
}

/// Confirms enrolment with a current code from the app; 2FA is in force from then on.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct TotpConfirm {
    pub code: String,
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct TotpConfirmReply {
    /// Ten one-time recovery codes, shown once (the server keeps only their hashes).
    pub recovery_codes: Vec<String>,
}

/// Turns the agent's own 2FA off (refused when their role requires it); needs a current code.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct TotpDisable {
    pub code: String,
}

// ---- signed-in devices and idle expiry ----

/// The agent's signed-in devices (their live tokens).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DevicesList {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceView {
    /// Stable id of the sign-in (not the token).
    pub id: i64,
    pub created_at: Millis,
    /// Last time the device was used (login, resume, renewal, work).
    pub last_used_at: Millis,
    /// When it expires if not used again (idle expiry) or at the latest (absolute lifetime).
    pub expires_at: Millis,
    /// What the client said it was in `hello.client` (e.g. `kefu-console/0.1`), sanitised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// The address it signed in from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Whether it is connected right now.
    pub connected: bool,
    /// This connection's own sign-in.
    pub current: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevicesReply {
    pub devices: Vec<DeviceView>,
}

/// Ends one of the agent's sign-ins: its token is deleted and its connections closed (1008).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceEnd {
    pub device_id: i64,
}

/// Keeps this connection's sign-in alive: the console sends it while its user is active, so an
/// idle sign-in expires (`[auth] idle_timeout_mins`) but one in use does not.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TokenRenew {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRenewReply {
    /// When the sign-in expires unless renewed or used again.
    pub expires_at: Millis,
}

// ---- personal profile (S5) ----

/// The agent's own profile.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MeGet {}

/// Changes some fields of the agent's own profile (absent fields stay; an empty string clears
/// an optional one). Colleagues' directories get the change live.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MeUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// One or two characters shown as the avatar (e.g. `AL`, `李`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initials: Option<String>,
    /// The avatar colour: a name from the console's palette (`red`, `green`, `blue`, …) or
    /// `#rrggbb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// Appended by the closing phrase and available to quick replies as `{agent.signature}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// `en` or `zh`: the console's language for this agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeReply {
    pub id: AgentId,
    pub username: String,
    pub display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initials: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    pub role: Role,
    pub groups: Vec<String>,
    /// Groups this agent supervises (per-group supervisors; empty for plain agents, and for
    /// supervisors of every group see `supervises_all`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supervises: Vec<String>,
    #[serde(default)]
    pub supervises_all: bool,
    /// Whether a second factor is in force.
    pub totp_enabled: bool,
    /// Whether the role requires one (`[auth] require_2fa`).
    pub totp_required: bool,
}

// ---- audit log (admins) ----

/// Audit entries, newest first, paged with `before_id`; every filter optional.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AuditList {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Millis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Millis>,
    /// Who did it (a username, `admin-cli`, an address for failed logins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// An action (`login.failed`) or a family of them (`login`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_id: Option<i64>,
    /// Page size: default 50, at most 200.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntryView {
    pub id: i64,
    pub at: Millis,
    pub actor: String,
    pub action: String,
    pub target: String,
    /// A JSON object with the details (never a password, token or full code).
    pub detail: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditListReply {
    pub entries: Vec<AuditEntryView>,
    /// `before_id` of the next (older) page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<i64>,
}

/// Secrets stay out of logs.
macro_rules! redacted {
    ($($ty:ident),+) => {$(
        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($ty), " { <redacted> }"))
            }
        }
    )+};
}
redacted!(TotpEnrollReply, TotpConfirm, TotpConfirmReply, TotpDisable);
