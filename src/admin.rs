//! `kefu admin`: accounts, skill groups and integrations, straight on the database (the server
//! may be running: agents created here can log in at once; group changes reach routing when
//! agents log in; integrations and their secrets are read per request).

use crate::auth;
use crate::model::{AgentStatus, Channel, Role, Strategy};
use crate::store::integrations::Integration;
use crate::store::{AgentRow, Store, StoreError};

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
    let password = auth::generate_password();
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
    let password = auth::generate_password();
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
    crate::server::webhook::check_url(webhook_url)
        .map_err(|e| anyhow::anyhow!("--webhook: {e}"))?;
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
