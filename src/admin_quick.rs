//! `kefu admin quick-reply`: list, add, edit, remove, import and export quick replies straight
//! on the database (the server may be running; agents see changes the next time their
//! console lists quick replies). Every save is checked like a save from the console
//! ([`crate::quick::validate()`]). Import updates a reply with the same (scope, owner, shortcut)
//! instead of adding another.

use crate::model::{AgentId, now_ms};
use crate::protocol::{QuickReply, QuickReplySave, QuickScope};
use crate::quick::file::{self, RowError};
use crate::quick::{Limits, validate};
use crate::store::{Store, StoreError, Tx};
use std::collections::HashMap;
use std::path::Path;

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Rows not imported, with their file and line.
    pub errors: Vec<RowError>,
}

/// Every reply with its owner's username (team replies: `None`).
pub fn list(store: &mut dyn Store) -> anyhow::Result<Vec<(Option<String>, QuickReply)>> {
    let mut out = Vec::new();
    store.transaction(&mut |tx| {
        let names: HashMap<AgentId, String> = tx
            .list_agents()?
            .into_iter()
            .map(|a| (a.id, a.username))
            .collect();
        out = tx
            .list_quick_replies()?
            .into_iter()
            .map(|q| (q.owner.and_then(|o| names.get(&o).cloned()), q))
            .collect();
        Ok(())
    })?;
    Ok(out)
}

/// The agent id of a username; a clear error when there is none.
fn owner_id(tx: &mut dyn Tx, username: &str) -> crate::store::Result<AgentId> {
    tx.agent_by_username(username)?
        .map(|a| a.id)
        .ok_or_else(|| StoreError::NotFound(format!("no agent `{username}`")))
}

/// What happened to one saved reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Created(i64),
    Updated(i64),
    Unchanged(i64),
}

/// Creates or updates (same scope, owner and shortcut, or `q.id`) one reply, in one
/// transaction. `owner`: the username of a personal reply's owner.
pub fn upsert(
    store: &mut dyn Store,
    owner: Option<&str>,
    q: QuickReplySave,
) -> anyhow::Result<Saved> {
    let q = validate(q).map_err(|e| anyhow::anyhow!(e.0))?;
    let mut saved = None;
    store.transaction(&mut |tx| {
        let owner = match (q.scope, owner) {
            (QuickScope::Personal, Some(name)) => Some(owner_id(tx, name)?),
            (QuickScope::Personal, None) => {
                return Err(StoreError::Invalid(
                    "a personal reply needs an owner (--owner USERNAME)".into(),
                ));
            }
            (QuickScope::Team, _) => None,
        };
        let existing = match q.quick_reply_id {
            Some(id) => Some(
                tx.quick_reply(id)?
                    .ok_or_else(|| StoreError::NotFound(format!("no quick reply {id}")))?,
            ),
            None => tx.quick_reply_by_shortcut(owner, &q.shortcut)?,
        };
        let reply = QuickReply {
            id: existing.as_ref().map_or(0, |e| e.id),
            scope: q.scope,
            owner,
            group: q.group.clone(),
            shortcut: q.shortcut.clone(),
            title: q.title.clone(),
            body: q.body.clone(),
            intents: q.intents.clone(),
            ..Default::default()
        };
        saved = Some(match existing {
            Some(e)
                if (&e.group, &e.shortcut, &e.title, &e.body, &e.intents)
                    == (
                        &reply.group,
                        &reply.shortcut,
                        &reply.title,
                        &reply.body,
                        &reply.intents,
                    ) =>
            {
                Saved::Unchanged(e.id)
            }
            Some(e) => {
                tx.save_quick_reply(&reply, now_ms())?;
                Saved::Updated(e.id)
            }
            None => {
                let max = if owner.is_some() {
                    Limits::PERSONAL_PER_AGENT
                } else {
                    Limits::TEAM
                };
                if tx.count_quick_replies(owner)? >= max {
                    return Err(StoreError::Invalid(format!(
                        "at most {max} {} quick replies",
                        q.scope.as_str()
                    )));
                }
                Saved::Created(tx.save_quick_reply(&reply, now_ms())?.id)
            }
        });
        Ok(())
    })?;
    saved.ok_or_else(|| anyhow::anyhow!("nothing was saved"))
}

/// Changes some fields of reply `id`; the others stay.
pub fn edit(
    store: &mut dyn Store,
    id: i64,
    change: impl FnOnce(&mut QuickReplySave),
) -> anyhow::Result<Saved> {
    let mut found: Option<(QuickReply, Option<String>)> = None;
    store.transaction(&mut |tx| {
        if let Some(q) = tx.quick_reply(id)? {
            let owner = match q.owner {
                Some(o) => tx.agent_by_id(o)?.map(|a| a.username),
                None => None,
            };
            found = Some((q, owner));
        }
        Ok(())
    })?;
    let (q, owner) = found.ok_or_else(|| anyhow::anyhow!("no quick reply {id}"))?;
    let mut save = QuickReplySave {
        quick_reply_id: Some(id),
        scope: q.scope,
        group: q.group,
        shortcut: q.shortcut,
        title: q.title,
        body: q.body,
        intents: q.intents,
    };
    change(&mut save);
    upsert(store, owner.as_deref(), save)
}

/// Deletes reply `id`.
pub fn remove(store: &mut dyn Store, id: i64) -> anyhow::Result<()> {
    let mut existed = false;
    store.transaction(&mut |tx| {
        existed = tx.delete_quick_reply(id)?;
        Ok(())
    })?;
    if !existed {
        anyhow::bail!("no quick reply {id}");
    }
    Ok(())
}

/// Imports a CSV or TOML file ([`crate::quick::file`]): good rows are saved (one
/// transaction each), bad ones reported with their line.
pub fn import(store: &mut dyn Store, path: &Path) -> anyhow::Result<ImportReport> {
    let mut report = ImportReport::default();
    for row in file::read(path)? {
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                report.errors.push(e);
                continue;
            }
        };
        match upsert(store, row.owner.as_deref(), row.reply) {
            Ok(Saved::Created(_)) => report.created += 1,
            Ok(Saved::Updated(_)) => report.updated += 1,
            Ok(Saved::Unchanged(_)) => report.unchanged += 1,
            Err(e) => report.errors.push(RowError {
                file: path.display().to_string(),
                line: row.line,
                message: e.to_string(),
            }),
        }
    }
    Ok(report)
}

/// Every reply as CSV, or TOML when `toml`.
pub fn export(store: &mut dyn Store, toml: bool) -> anyhow::Result<String> {
    let rows = list(store)?;
    if toml {
        file::to_toml(&rows)
    } else {
        file::to_csv(&rows)
    }
}
