//! `kefu admin`: accounts and skill groups, straight on the database (the server may be running:
//! agents created here can log in at once; group changes reach routing when agents log in).

use crate::auth;
use crate::model::{AgentStatus, Role, Strategy};
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

/// `kefu admin kb import`: parses `path` and saves its good rows (see [`crate::kb::import`]).
pub fn import_kb(
    store: &mut dyn Store,
    path: &std::path::Path,
) -> anyhow::Result<crate::kb::import::Report> {
    let (rows, errors) = crate::kb::import::parse_path(path)?;
    crate::kb::import::import(store, rows, errors, crate::model::now_ms())
}
