//! SQLite queries for quick replies (migrations 2 and 9): team replies (`owner` NULL, maybe
//! limited to a skill group) and personal ones, their intents (JSON list) and each agent's use
//! counts in `quick_reply_uses`. Shortcuts are unique per owner (team replies share one set).

use super::error::Res;
use super::rows::{collect, parse_tags, tags_json};
use crate::model::{AgentId, Millis};
use crate::protocol::{QuickReply, QuickScope};
use crate::store::StoreError;
use rusqlite::{Connection, OptionalExtension, Row, params};

const SELECT: &str = "SELECT q.id, q.owner, q.group_name, q.shortcut, q.title, q.body, q.intents,
    q.created_at, q.updated_at";

fn decode(r: &Row, with_uses: bool) -> Res<QuickReply> {
    let owner: Option<AgentId> = r.get(1)?;
    let intents: String = r.get(6)?;
    let (uses, last_used) = if with_uses {
        let uses: Option<i64> = r.get(9)?;
        (
            uses.unwrap_or(0).clamp(0, u32::MAX as i64) as u32,
            r.get(10)?,
        )
    } else {
        (0, None)
    };
    Ok(QuickReply {
        id: r.get(0)?,
        scope: if owner.is_some() {
            QuickScope::Personal
        } else {
            QuickScope::Team
        },
        owner,
        group: r.get(2)?,
        shortcut: r.get(3)?,
        title: r.get(4)?,
        body: r.get(5)?,
        intents: parse_tags(&intents)?,
        created_at: r.get(7)?,
        updated_at: r.get(8)?,
        uses,
        last_used,
    })
}

/// Every quick reply: team ones first, then personal ones by owner; in the order added.
pub(super) fn list_all(c: &Connection) -> Res<Vec<QuickReply>> {
    let mut stmt = c.prepare_cached(&format!(
        "{SELECT} FROM quick_replies q ORDER BY q.owner IS NOT NULL, q.owner, q.id"
    ))?;
    collect(&mut stmt, [], |r| decode(r, false))
}

/// The team replies and `agent`'s personal ones (team first), with `agent`'s use counts; at
/// most `limit`.
pub(super) fn visible_to(c: &Connection, agent: AgentId, limit: u32) -> Res<Vec<QuickReply>> {
    let mut stmt = c.prepare_cached(&format!(
        "{SELECT}, u.uses, u.last_used FROM quick_replies q
         LEFT JOIN quick_reply_uses u ON u.reply_id = q.id AND u.agent_id = ?1
         WHERE q.owner IS NULL OR q.owner = ?1
         ORDER BY q.owner IS NOT NULL, q.id LIMIT ?2"
    ))?;
    collect(&mut stmt, params![agent, limit], |r| decode(r, true))
}

pub(super) fn get(c: &Connection, id: i64) -> Res<Option<QuickReply>> {
    let mut stmt = c.prepare_cached(&format!("{SELECT} FROM quick_replies q WHERE q.id = ?1"))?;
    Ok(collect(&mut stmt, [id], |r| decode(r, false))?.pop())
}

/// The reply with this shortcut among the team's (`owner` None) or one agent's.
pub(super) fn by_shortcut(
    c: &Connection,
    owner: Option<AgentId>,
    shortcut: &str,
) -> Res<Option<QuickReply>> {
    let mut stmt = c.prepare_cached(&format!(
        "{SELECT} FROM quick_replies q WHERE IFNULL(q.owner, 0) = IFNULL(?1, 0)
         AND q.shortcut = ?2"
    ))?;
    Ok(collect(&mut stmt, params![owner, shortcut], |r| decode(r, false))?.pop())
}

/// How many replies the team (`None`) or one agent has.
pub(super) fn count(c: &Connection, owner: Option<AgentId>) -> Res<usize> {
    let n: i64 = c.query_row(
        "SELECT COUNT(*) FROM quick_replies WHERE IFNULL(owner, 0) = IFNULL(?1, 0)",
        params![owner],
        |r| r.get(0),
    )?;
    Ok(n as usize)
}

/// Inserts (`id` 0) or updates a reply: shortcut, title, body, group, intents (the owner of an
/// existing reply stays). A shortcut taken in the same set is a `Conflict`, an unknown group
/// `NotFound`, an unknown id `NotFound`. Returns the stored reply.
pub(super) fn save(c: &Connection, q: &QuickReply, now: Millis) -> Res<QuickReply> {
    let existing = if q.id != 0 {
        Some(
            get(c, q.id)?
                .ok_or_else(|| StoreError::NotFound(format!("no quick reply {}", q.id)))?,
        )
    } else {
        None
    };
    let owner = existing.as_ref().map_or(q.owner, |e| e.owner);
    if let Some(g) = &q.group {
        let known: bool = c.query_row(
            "SELECT EXISTS (SELECT 1 FROM skill_groups WHERE name = ?1)",
            [g],
            |r| r.get(0),
        )?;
        if !known {
            return Err(StoreError::NotFound(format!("no skill group `{g}`")).into());
        }
    }
    if let Some(other) = by_shortcut(c, owner, &q.shortcut)?
        && other.id != q.id
    {
        let whose = if owner.is_some() {
            "one of your own quick replies"
        } else {
            "a team quick reply"
        };
        return Err(StoreError::Conflict(format!(
            "the shortcut `{}` is taken by {whose} (“{}”)",
            q.shortcut, other.title
        ))
        .into());
    }
    let intents = tags_json(&q.intents);
    let id = match existing {
        Some(_) => {
            c.execute(
                "UPDATE quick_replies SET group_name = ?2, shortcut = ?3, title = ?4, body = ?5,
                 intents = ?6, updated_at = ?7 WHERE id = ?1",
                params![q.id, q.group, q.shortcut, q.title, q.body, intents, now],
            )?;
            q.id
        }
        None => {
            c.execute(
                "INSERT INTO quick_replies (owner, group_name, shortcut, title, body, intents,
                 created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
                params![owner, q.group, q.shortcut, q.title, q.body, intents, now],
            )?;
            c.last_insert_rowid()
        }
    };
    get(c, id)?.ok_or_else(|| StoreError::NotFound(format!("no quick reply {id}")).into())
}

/// Deletes a reply (and its use counts); whether it existed.
pub(super) fn delete(c: &Connection, id: i64) -> Res<bool> {
    Ok(c.execute("DELETE FROM quick_replies WHERE id = ?1", [id])? > 0)
}

/// Counts one use by `agent` at `now`; returns the agent's count. An unknown
/// reply is `NotFound`.
pub(super) fn record_use(c: &Connection, id: i64, agent: AgentId, now: Millis) -> Res<u32> {
    if get(c, id)?.is_none() {
        return Err(StoreError::NotFound(format!("no quick reply {id}")).into());
    }
    let uses: i64 = c
        .query_row(
            "INSERT INTO quick_reply_uses (reply_id, agent_id, uses, last_used)
             VALUES (?1, ?2, 1, ?3)
             ON CONFLICT (reply_id, agent_id) DO UPDATE SET uses = uses + 1,
                 last_used = MAX(last_used, excluded.last_used)
             RETURNING uses",
            params![id, agent, now],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(1);
    Ok(uses.clamp(0, u32::MAX as i64) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::migrations::MIGRATIONS;

    /// The migration that makes quick replies team/personal (found by what it creates, not by
    /// its number, which changes when branches merge).
    fn split_at_quick_migration() -> usize {
        MIGRATIONS
            .iter()
            .position(|m| m.contains("CREATE TABLE quick_replies_v9"))
            .unwrap()
    }

    #[test]
    fn existing_replies_become_team_replies_and_shortcuts_become_per_owner() {
        let c = Connection::open_in_memory().unwrap();
        c.pragma_update(None, "foreign_keys", "ON").unwrap();
        let at = split_at_quick_migration();
        for sql in &MIGRATIONS[..at] {
            c.execute_batch(sql).unwrap();
        }
        c.execute_batch(
            "INSERT INTO quick_replies (id, shortcut, title, body)
                 VALUES (4, 'hi', 'Greeting', 'Hi {customer}');
             INSERT INTO agents (id, username, display_name, role, password_hash, created_at)
                 VALUES (1, 'ann', 'Ann', 'agent', 'h', 1);",
        )
        .unwrap();
        for sql in &MIGRATIONS[at..] {
            c.execute_batch(sql).unwrap();
        }
        let all = list_all(&c).ok().unwrap();
        assert_eq!(all.len(), 1);
        let q = &all[0];
        assert_eq!((q.id, q.scope, q.owner), (4, QuickScope::Team, None));
        assert_eq!(
            (q.shortcut.as_str(), q.body.as_str()),
            ("hi", "Hi {customer}")
        );
        assert!(q.intents.is_empty());
        // The same shortcut as a personal reply is fine; twice in one set is not.
        let mine = QuickReply {
            owner: Some(1),
            shortcut: "hi".into(),
            title: "t".into(),
            body: "b".into(),
            ..Default::default()
        };
        assert!(save(&c, &mine, 5).is_ok());
        assert!(save(&c, &mine, 6).is_err());
        // Deleting the agent takes their replies and use counts along.
        assert_eq!(record_use(&c, 4, 1, 7).ok(), Some(1));
        c.execute("DELETE FROM agents WHERE id = 1", []).unwrap();
        assert_eq!(count(&c, Some(1)).ok().unwrap(), 0);
        let uses: i64 = c
            .query_row("SELECT COUNT(*) FROM quick_reply_uses", [], |r| r.get(0))
            .unwrap();
        assert_eq!(uses, 0);
    }
}
