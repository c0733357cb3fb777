//! The names of audited actions, shared by the server (which writes most entries) and `kefu
//! admin` (which writes its own and lists them). An entry's `action` is one of these; the part
//! before the dot is its family (`kefu admin audit --action login` lists every `login.*`).
//! Nothing secret goes into an entry: no password, token or full TOTP code.

/// The actor of entries written by `kefu admin` (followed by `:<os user>` when known).
pub const ADMIN_CLI: &str = "admin-cli";

// Sign-in.
pub const LOGIN_OK: &str = "login.ok";
pub const LOGIN_FAILED: &str = "login.failed";
pub const LOGOUT: &str = "login.logout";

// Login throttling (`docs/security.md`).
pub const LOGIN_LOCKED: &str = "login.locked";
pub const LOGIN_UNLOCKED: &str = "login.unlocked";
/// Attempts refused before their password was checked: the first of a minute, then a summary.
pub const LOGIN_THROTTLED: &str = "login.throttled";

// Administration (`kefu admin`).
pub const PURGE: &str = "purge";

// Supervision.
pub const TAKE_OVER: &str = "session.take_over";

// Permissions.
pub const DENIED: &str = "permission.denied";

// `kefu admin` commands that change things, and exports (tls helper: `admin::record`).
pub const AGENT_ADD: &str = "agent.add";
pub const AGENT_RESET_PASSWORD: &str = "agent.reset_password";
pub const GROUP_ADD: &str = "group.add";
pub const GROUP_JOIN: &str = "group.join";
pub const INTEGRATION_ADD: &str = "integration.add";
pub const INTEGRATION_ROTATE: &str = "integration.rotate_secret";
pub const INTEGRATION_REMOVE: &str = "integration.remove";
pub const KB_IMPORT: &str = "kb.import";
pub const QUICK_REPLY_ADD: &str = "quick_reply.add";
pub const QUICK_REPLY_EDIT: &str = "quick_reply.edit";
pub const QUICK_REPLY_REMOVE: &str = "quick_reply.remove";
pub const QUICK_REPLY_IMPORT: &str = "quick_reply.import";
pub const COMPACT: &str = "compact";
pub const EXPORT_HISTORY: &str = "export.history";
pub const EXPORT_REPORT: &str = "export.report";
pub const EXPORT_KB: &str = "export.kb";
pub const EXPORT_QUICK_REPLIES: &str = "export.quick_replies";
// Sign-ins, accounts and profiles (issue 12, `docs/accounts.md`).
/// One of an agent's signed-in devices ended by the agent (`devices.end`).
pub const DEVICE_ENDED: &str = "session.device_ended";
/// An agent changed their own profile (`me.update`); the detail names the fields.
pub const PROFILE_CHANGED: &str = "account.profile_changed";
/// `kefu admin agent disable|enable`.
pub const ACCOUNT_DISABLED: &str = "account.disabled";
pub const ACCOUNT_ENABLED: &str = "account.enabled";
// Second factor (totp): enrolment, its confirmation, turning it off, a recovery code used at
// login, a wrong or replayed code (at login or to turn it off), and `kefu admin agent
// reset-2fa`. Never a code or a secret in the detail.
pub const TOTP_ENROLLED: &str = "totp.enrolled";
pub const TOTP_CONFIRMED: &str = "totp.confirmed";
pub const TOTP_DISABLED: &str = "totp.disabled";
pub const TOTP_RECOVERY_USED: &str = "totp.recovery_used";
pub const TOTP_WRONG_CODE: &str = "totp.wrong_code";
pub const TOTP_RESET: &str = "totp.reset";
// Roles (perm: `kefu admin agent set-role`).
pub const ROLE_SET: &str = "agent.role";
