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

// Administration (`kefu admin`).
pub const PURGE: &str = "purge";

// Supervision.
pub const TAKE_OVER: &str = "session.take_over";

// Permissions.
pub const DENIED: &str = "permission.denied";
// Roles (perm: `kefu admin agent set-role`).
pub const ROLE_SET: &str = "agent.role";
