//! `kefu admin`: accounts, skill groups and integrations, straight on the database (the server
//! may be running: agents created here can log in at once; group changes reach routing when
//! agents log in; integrations and their secrets are read per request); purges of old
//! conversations (audited) and the audit log.

use crate::auth;
use crate::model::{AgentStatus, Channel, Millis, Role, Strategy};
use crate::store::integrations::Integration;
use crate::store::{AgentRow, AuditEntry, PurgeProgress, PurgeSpec, Purged, Store, StoreError};

pub struct NewAgent {
    pub username: String,
    pub display_name: String,
    pub employee_no: Option<String>,
    pub contact: Option<String>,
    pub role: Role,
    pub groups: Vec<String>,
    pub max_sessions: Option<u32>,
}

/// Creates an agent with a generated initial password (returned; shown once) that must be
/// changed at first login.
pub fn add_agent(store: &mut dyn Store, new: NewAgent) -> anyhow::Result<(i64, String)> {
    let password = auth::generate_password(new.username.trim());
    let id = add_agent_with_password(store, new, &password, true)?;
    Ok((id, password))
}

/// Creates an agent with a given password (demo and tests use this with `must_change = false`).
pub fn add_agent_with_password(
    store: &mut dyn Store,
    new: NewAgent,
    password: &str,
    must_change: bool,
) -> anyhow::Result<i64> {
    let username = new.username.trim().to_string();
    if username.is_empty() || username.chars().any(char::is_whitespace) {
        anyhow::bail!("the username must be non-empty and without spaces");
    }
    if new.max_sessions == Some(0) {
        anyhow::bail!("--max-sessions must be at least 1");
    }
    auth::check_password_policy(password, &username).map_err(anyhow::Error::msg)?;
    let hash = auth::hash_password(password).map_err(|e| anyhow::anyhow!("hashing failed: {e}"))?;
    let row = AgentRow {
        id: 0,
        username,
        display_name: new.display_name,
        employee_no: new.employee_no,
        contact: new.contact,
        role: new.role,
        password_hash: hash,
        must_change_password: must_change,
        max_sessions: new.max_sessions,
        status: AgentStatus::Offline,
        groups: new.groups,
    };
    let mut id = 0;
    store.transaction(&mut |tx| {
        id = tx.insert_agent(&row)?;
        Ok(())
    })?;
    Ok(id)
}

pub fn list_agents(store: &mut dyn Store) -> Result<Vec<AgentRow>, StoreError> {
    let mut out = Vec::new();
    store.transaction(&mut |tx| {
        out = tx.list_agents()?;
        Ok(())
    })?;
    Ok(out)
}

/// Sets a new generated password (returned) that must be changed at next login; ends the
/// agent's logged-in sessions.
pub fn reset_password(store: &mut dyn Store, username: &str) -> anyhow::Result<String> {
    let password = auth::generate_password(username);
    let hash =
        auth::hash_password(&password).map_err(|e| anyhow::anyhow!("hashing failed: {e}"))?;
    store.transaction(&mut |tx| {
        let agent = tx
            .agent_by_username(username)?
            .ok_or_else(|| StoreError::NotFound(format!("no agent `{username}`")))?;
        tx.set_password(agent.id, &hash, true)
    })?;
    Ok(password)
}

/// What [`unlock_agent`] found: the failed logins in a row the account had, and whether it was
/// locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unlocked {
    pub failures: u32,
    pub was_locked: bool,
}

/// `kefu admin agent unlock`: forgets the account's failed logins, back-off and lock, and
/// audits it (`login.unlocked`, actor `admin-cli[:<os user>]`). A running server reads the
/// stored state at every login, so the next attempt is let through.
pub fn unlock_agent(store: &mut dyn Store, username: &str) -> anyhow::Result<Unlocked> {
    let now = crate::model::now_ms();
    let actor = actor();
    let mut out = Unlocked {
        failures: 0,
        was_locked: false,
    };
    store.transaction(&mut |tx| {
        let agent = tx
            .agent_by_username(username)?
            .ok_or_else(|| StoreError::NotFound(format!("no agent `{username}`")))?;
        let had = tx.clear_login_state(agent.id)?;
        out = Unlocked {
            failures: had.failures,
            was_locked: had.locked_until > now,
        };
        let entry = AuditEntry {
            id: 0,
            at: now,
            actor: actor.clone(),
            action: crate::audit::LOGIN_UNLOCKED.into(),
            target: format!("agent:{}", agent.id),
            detail: serde_json::json!({
                "username": agent.username,
                "failures": had.failures,
                "was_locked": out.was_locked,
            })
            .to_string(),
        };
        tx.append_audit(&entry).map(|_| ())
    })?;
    Ok(out)
}

/// `kefu admin agent reset-2fa`: removes the agent's second factor and recovery codes (a lost
/// device) and ends their sign-ins; audited. They log in with the password alone next time
/// (and enrol again if their role requires it). Returns whether a factor was there and how
/// many sign-ins ended.
pub fn reset_2fa(store: &mut dyn Store, username: &str) -> anyhow::Result<(bool, u64)> {
    let mut done = (false, 0);
    store.transaction(&mut |tx| {
        let agent = tx
            .agent_by_username(username)?
            .ok_or_else(|| StoreError::NotFound(format!("no agent `{username}`")))?;
        let had = tx.totp_delete(agent.id)?;
        let ended = tx.delete_agent_tokens(agent.id)?;
        let entry = AuditEntry {
            id: 0,
            at: crate::model::now_ms(),
            actor: actor(),
            action: crate::audit::TOTP_RESET.into(),
            target: agent.username.clone(),
            detail: serde_json::json!({ "had_factor": had, "sign_ins_ended": ended }).to_string(),
        };
        tx.append_audit(&entry)?;
        done = (had, ended);
        Ok(())
    })?;
    Ok(done)
}

/// Sets an agent's role and, for a supervisor, the groups they supervise (none: every
/// group); ends their sign-ins so the running server closes their connections and the new
/// rights apply from their next login; audited as `actor`.
pub fn set_role(
    store: &mut dyn Store,
    username: &str,
    role: crate::model::Role,
    supervises: &[String],
    actor: &str,
) -> anyhow::Result<u64> {
    if role != crate::model::Role::Supervisor && !supervises.is_empty() {
        anyhow::bail!("--supervises is for the supervisor role only");
    }
    let mut ended = 0;
    store.transaction(&mut |tx| {
        let agent = tx
            .agent_by_username(username)?
            .ok_or_else(|| StoreError::NotFound(format!("no agent `{username}`")))?;
        tx.set_role(agent.id, role, supervises)?;
        ended = tx.delete_agent_tokens(agent.id)?;
        let detail = serde_json::json!({
            "from": agent.role.as_str(),
            "role": role.as_str(),
            "supervises": supervises,
            "sign_ins_ended": ended,
        });
        tx.append_audit(&AuditEntry {
            id: 0,
            at: crate::model::now_ms(),
            actor: actor.to_string(),
            action: crate::audit::ROLE_SET.into(),
            target: format!("agent:{username}"),
            detail: detail.to_string(),
        })
        .map(|_| ())
    })?;
    Ok(ended)
}

pub fn add_group(store: &mut dyn Store, name: &str, strategy: Strategy) -> anyhow::Result<()> {
    let name = name.trim();
    if name.is_empty() {
        anyhow::bail!("the group name is empty");
    }
    store.transaction(&mut |tx| tx.upsert_group(name, strategy))?;
    Ok(())
}

/// Puts an existing agent into a group.
pub fn add_member(store: &mut dyn Store, group: &str, username: &str) -> anyhow::Result<()> {
    store.transaction(&mut |tx| {
        let agent = tx
            .agent_by_username(username)?
            .ok_or_else(|| StoreError::NotFound(format!("no agent `{username}`")))?;
        tx.add_member(group, agent.id)
    })?;
    Ok(())
}

/// How long the secret before a `rotate-secret` still verifies requests, by default.
pub const DEFAULT_ROTATION_GRACE_SECS: u64 = 24 * 3600;

/// Creates an integration of the HTTP channel API; returns its secret (shown once).
pub fn add_integration(
    store: &mut dyn Store,
    name: &str,
    channel: Channel,
    webhook_url: &str,
) -> anyhow::Result<String> {
    let name = name.trim();
    if name.is_empty()
        || name.len() > crate::server::api::MAX_NAME_BYTES
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        anyhow::bail!("the name must be 1–64 ASCII letters, digits, `-`, `_` or `.`");
    }
    if channel == Channel::Web {
        anyhow::bail!("--channel must be app, mini_program or api (web is the chat widget)");
    }
    crate::http_url::check_url(webhook_url).map_err(|e| anyhow::anyhow!("--webhook: {e}"))?;
    let secret = auth::new_token();
    let mut row = Integration {
        id: 0,
        name: name.to_string(),
        channel,
        webhook_url: webhook_url.to_string(),
        secret: secret.clone(),
        previous: None,
        webhook_cursor: 0,
    };
    store.transaction(&mut |tx| {
        // Nothing before the integration existed is its to deliver.
        row.webhook_cursor = tx.newest_event_id()?;
        tx.insert_integration(&row, crate::model::now_ms())?;
        Ok(())
    })?;
    Ok(secret)
}

pub fn list_integrations(store: &mut dyn Store) -> Result<Vec<Integration>, StoreError> {
    let mut out = Vec::new();
    store.transaction(&mut |tx| {
        out = tx.list_integrations()?;
        Ok(())
    })?;
    Ok(out)
}

/// Sets a new secret (returned; shown once). The old one still verifies the integration's
/// requests for `grace_secs`; webhooks are signed with the new one at once.
pub fn rotate_secret(store: &mut dyn Store, name: &str, grace_secs: u64) -> anyhow::Result<String> {
    let secret = auth::new_token();
    let grace_ms = i64::try_from(grace_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
    let until = crate::model::now_ms().saturating_add(grace_ms);
    store.transaction(&mut |tx| tx.rotate_secret(name, &secret, until))?;
    Ok(secret)
}

/// Removes an integration: its requests are refused and its webhook stops. Its customers and
/// conversations stay (agents finish them; replies are no longer delivered).
pub fn remove_integration(store: &mut dyn Store, name: &str) -> anyhow::Result<()> {
    store.transaction(&mut |tx| tx.delete_integration(name))?;
    Ok(())
}

/// Who `kefu admin` acts as in the audit log: `admin-cli:<login name>` (from
/// `USER`/`LOGNAME`), or `admin-cli`.
pub fn actor() -> String {
    let who = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_default();
    let who: String = who
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "._-".contains(*c))
        .take(64)
        .collect();
    if who.is_empty() {
        crate::audit::ADMIN_CLI.into()
    } else {
        format!("{}:{who}", crate::audit::ADMIN_CLI)
    }
}

/// Records in the audit log that a `kefu admin` command changed something or exported data:
/// `action` (a name from [`crate::audit`]) on `target`, by [`actor`]. `detail` (a JSON object)
/// gets the command's arguments too (`args`), bounded; no command takes a secret on the
/// command line, and the value after any flag that looks like one is left out regardless.
/// Generated passwords and secrets are never passed here.
pub fn record(
    store: &mut dyn Store,
    action: &str,
    target: &str,
    detail: serde_json::Value,
) -> anyhow::Result<()> {
    let mut detail = match detail {
        serde_json::Value::Object(m) => m,
        _ => serde_json::Map::new(),
    };
    detail.insert("args".into(), command_args(std::env::args().skip(1)).into());
    let entry = AuditEntry {
        id: 0,
        at: crate::model::now_ms(),
        actor: actor(),
        action: action.to_string(),
        target: target.chars().take(200).collect(),
        detail: serde_json::Value::Object(detail).to_string(),
    };
    store
        .transaction(&mut |tx| tx.append_audit(&entry).map(|_| ()))
        .map_err(|e| anyhow::anyhow!("done, but it could not be recorded in the audit log: {e}"))
}

/// The arguments as recorded: at most 40, each at most 200 characters, and the value after
/// `--password`, `--secret`, `--token` or `--totp` (or `--flag=value`) replaced.
fn command_args(args: impl Iterator<Item = String>) -> Vec<String> {
    let secret = |a: &str| {
        ["--password", "--secret", "--token", "--totp", "--code"]
            .iter()
            .any(|f| a.starts_with(f))
    };
    let mut out = Vec::new();
    let mut hide_next = false;
    for a in args.take(40) {
        if hide_next {
            out.push("<redacted>".to_string());
            hide_next = false;
            continue;
        }
        if secret(&a) {
            match a.split_once('=') {
                Some((flag, _)) => out.push(format!("{flag}=<redacted>")),
                None => {
                    hide_next = true;
                    out.push(a);
                }
            }
            continue;
        }
        out.push(a.chars().take(200).collect());
    }
    out
}

/// Deletes the ended conversations `spec` names, step by step (each step one short
/// transaction, so a running server is held up only briefly), then records what was deleted
/// in the audit log. A customer with an open conversation is refused before anything goes.
pub fn purge(
    store: &mut dyn Store,
    spec: PurgeSpec,
    before_text: &str,
    actor: &str,
) -> anyhow::Result<Purged> {
    let mut progress = PurgeProgress::default();
    while !progress.finished {
        store.transaction(&mut |tx| tx.purge_step(&spec, &mut progress))?;
    }
    let done = progress.done;
    let target = match spec.customer {
        Some(c) => format!("customer:{c}"),
        None => "all".to_string(),
    };
    let detail = serde_json::json!({
        "before": before_text,
        "before_ms": spec.before,
        "customer": spec.customer,
        "sessions": done.sessions,
        "messages": done.messages,
        "events": done.events,
        "tokens": done.tokens,
        "customers": done.customers,
    })
    .to_string();
    let entry = AuditEntry {
        id: 0,
        at: crate::model::now_ms(),
        actor: actor.to_string(),
        action: crate::audit::PURGE.into(),
        target,
        detail,
    };
    store.transaction(&mut |tx| tx.append_audit(&entry).map(|_| ()))?;
    Ok(done)
}

/// Audit entries from `since` on (of `action` if given), oldest first, at most `limit`.
pub fn audit(
    store: &mut dyn Store,
    since: Millis,
    action: Option<&str>,
    limit: u32,
) -> Result<Vec<AuditEntry>, StoreError> {
    let mut out = Vec::new();
    store.transaction(&mut |tx| {
        out = tx.audit_entries(since, action, limit)?;
        Ok(())
    })?;
    Ok(out)
}

/// Audit entries matching `q` (`kefu admin audit`; `docs/audit.md`).
pub fn audit_query(
    store: &mut dyn Store,
    q: &crate::store::AuditQuery,
) -> Result<Vec<AuditEntry>, StoreError> {
    let mut out = Vec::new();
    store.transaction(&mut |tx| {
        out = tx.audit_query(q)?;
        Ok(())
    })?;
    Ok(out)
}

/// A date on the command line: `YYYY-MM-DD` (midnight UTC), `YYYY-MM-DDTHH:MM[:SS]Z` (UTC),
/// or `now`; in ms since the epoch.
pub fn parse_date(text: &str, now: Millis) -> anyhow::Result<Millis> {
    use jiff::civil::{Date, DateTime};
    let t = text.trim();
    if t.eq_ignore_ascii_case("now") {
        return Ok(now);
    }
    let bad = || {
        anyhow::anyhow!("`{text}` is not a date like 2026-01-31, 2026-01-31T18:00Z (UTC), or `now`")
    };
    // A time of day must say it is UTC (`Z`): a bare local time would silently mean UTC.
    let civil = if t.contains(['T', 't', ' ']) {
        let datetime = t.strip_suffix(['Z', 'z']).ok_or_else(bad)?;
        datetime.parse::<DateTime>().map_err(|_| bad())?
    } else {
        let date = t.parse::<Date>().map_err(|_| bad())?;
        date.to_datetime(jiff::civil::Time::midnight())
    };
    if !(1970..=9999).contains(&civil.year()) {
        return Err(bad());
    }
    let stamp = jiff::tz::TimeZone::UTC
        .to_timestamp(civil)
        .map_err(|_| bad())?;
    Ok(stamp.as_millisecond())
}

/// A time in ms as `YYYY-MM-DD HH:MM:SS` UTC, for listings.
pub fn format_time(ms: Millis) -> String {
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(t) => t.strftime("%Y-%m-%d %H:%M:%S").to_string(),
        Err(_) => format!("{ms} ms"),
    }
}

/// `kefu admin kb import`: parses `path` and saves its good rows (see [`crate::kb::import`]).
pub fn import_kb(
    store: &mut dyn Store,
    path: &std::path::Path,
) -> anyhow::Result<crate::kb::import::Report> {
    let (rows, errors) = crate::kb::import::parse_path(path)?;
    crate::kb::import::import(store, rows, errors, crate::model::now_ms())
}

/// `kefu admin agent disable|enable USERNAME`: a disabled account cannot log in and its
/// sign-ins end now (the running server closes their connections within
/// `auth.revocation_check_secs`); enabling lets it log in again. Audited with `actor`.
/// Returns how many sign-ins ended.
pub fn set_agent_disabled(
    store: &mut dyn Store,
    username: &str,
    disabled: bool,
    actor: &str,
) -> anyhow::Result<u64> {
    let mut ended = 0;
    store.transaction(&mut |tx| {
        let agent = tx
            .agent_by_username(username)?
            .ok_or_else(|| StoreError::NotFound(format!("no agent `{username}`")))?;
        tx.set_agent_disabled(agent.id, disabled)?;
        ended = if disabled {
            tx.delete_agent_tokens(agent.id)?
        } else {
            0
        };
        let action = if disabled {
            crate::audit::ACCOUNT_DISABLED
        } else {
            crate::audit::ACCOUNT_ENABLED
        };
        tx.append_audit(&AuditEntry {
            id: 0,
            at: crate::model::now_ms(),
            actor: actor.to_string(),
            action: action.into(),
            target: username.to_string(),
            detail: serde_json::json!({ "sign_ins_ended": ended }).to_string(),
        })?;
        Ok(())
    })?;
    Ok(ended)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_arguments_leave_secrets_out() {
        let args = [
            "admin",
            "agent",
            "x",
            "--password",
            "hunter2",
            "--secret=abc",
            "--name",
        ]
        .map(String::from);
        let out = command_args(args.into_iter()).join(" ");
        assert_eq!(
            out,
            "admin agent x --password <redacted> --secret=<redacted> --name"
        );
        assert_eq!(command_args((0..100).map(|i| i.to_string())).len(), 40);
    }

    #[test]
    fn dates_parse_as_utc() {
        assert_eq!(parse_date("1970-01-01", 5).unwrap(), 0);
        assert_eq!(parse_date("2026-01-31", 5).unwrap(), 1_769_817_600_000);
        assert_eq!(
            parse_date("2026-01-31T18:30Z", 5).unwrap(),
            1_769_817_600_000 + (18 * 3600 + 30 * 60) * 1000
        );
        assert_eq!(parse_date("2024-02-29", 5).unwrap(), 1_709_164_800_000);
        assert_eq!(parse_date("now", 5).unwrap(), 5);
        for bad in [
            "",
            "2026-13-01",
            "2025-02-29",
            "2026-1",
            "yesterday",
            "2026-01-31T18:30",
            "2026-01-31T25:00Z",
            "-2026-01-01",
            "2026-01-31 18",
        ] {
            let e = parse_date(bad, 5).unwrap_err().to_string();
            assert!(e.contains("is not a date"), "{bad}: {e}");
        }
        assert_eq!(
            format_time(1_769_817_600_000 + 3_723_000),
            "2026-01-31 01:02:03"
        );
    }
}
