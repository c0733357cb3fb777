//! Writing session rows: the first write of a session (since start-up) is the whole row; after
//! that only the columns that changed since the writer last wrote it. A message changes at most
//! `waiting_since` (and once `first_human_reply_at`), so most messages write no session
//! column at all: `last_seq` is never updated, reads take the newest message's seq instead.

use super::error::Res;
use super::rows::tags_json;
use crate::model::{AgentId, Millis, SessionId};
use crate::protocol::SessionView;
use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};
use std::collections::HashMap;

/// The columns compared and updated, in [`columns`] order (`id` is the key; `last_seq` is
/// written only with the whole row).
const COLUMNS: [&str; 30] = [
    "customer_id",
    "channel",
    "state",
    "group_name",
    "assignee",
    "offered_to",
    "offer_expires_at",
    "priority",
    "intent",
    "tags",
    "follow_up",
    "created_at",
    "queued_at",
    "offered_at",
    "accepted_at",
    "first_human_reply_at",
    "ended_at",
    "end_reason",
    "csat",
    "waiting_since",
    "context",
    "offline",
    "csat_comment",
    "replied_at",
    "reminded_at",
    "bot",
    "menu",
    "follow_up_at",
    "ends_at",
    "pending_end",
];

type Row = [Value; COLUMNS.len()];

/// Past this many remembered rows the memory is dropped (the next writes are whole rows):
/// bounds it whatever the number of open sessions.
const MAX_REMEMBERED: usize = 100_000;

/// What the writer last wrote for each session not ended, as committed or about to be.
#[derive(Default)]
pub(super) struct WrittenSessions {
    rows: HashMap<SessionId, Row>,
}

impl WrittenSessions {
    /// Forgets everything: after a rollback the remembered rows may not be what is stored.
    pub fn forget_all(&mut self) {
        self.rows.clear();
    }
}

fn columns(s: &SessionView, offer: Option<(AgentId, Millis)>) -> Row {
    let int = |v: Option<i64>| v.map_or(Value::Null, Value::Integer);
    let text = |v: Option<&str>| v.map_or(Value::Null, |t| Value::Text(t.to_owned()));
    [
        Value::Integer(s.customer.id),
        Value::Text(s.channel.as_str().to_owned()),
        Value::Text(s.state.as_str().to_owned()),
        Value::Text(s.group.clone()),
        int(s.assignee),
        int(offer.map(|o| o.0)),
        int(offer.map(|o| o.1)),
        Value::Integer(s.priority),
        text(s.intent.as_deref()),
        Value::Text(tags_json(&s.tags)),
        Value::Integer(s.follow_up.into()),
        Value::Integer(s.created_at),
        int(s.queued_at),
        int(s.offered_at),
        int(s.accepted_at),
        int(s.first_human_reply_at),
        int(s.ended_at),
        text(s.end_reason.map(|r| r.as_str())),
        int(s.csat.map(i64::from)),
        int(s.waiting_since),
        text(
            s.context
                .as_ref()
                .and_then(|c| serde_json::to_string(c).ok())
                .as_deref(),
        ),
        Value::Integer(s.offline.into()),
        text(s.csat_comment.as_deref()),
        int(s.replied_at),
        int(s.reminded_at),
        text(
            s.bot
                .as_ref()
                .and_then(|b| serde_json::to_string(b).ok())
                .as_deref(),
        ),
        text(
            s.menu
                .as_ref()
                .and_then(|m| serde_json::to_string(m).ok())
                .as_deref(),
        ),
        int(s.follow_up_at),
        int(s.ends_at),
        text(
            s.pending_end
                .as_ref()
                .and_then(|p| serde_json::to_string(p).ok())
                .as_deref(),
        ),
    ]
}

/// Writes the session row: only the changed columns of a row this writer wrote before (when
/// `written` is given), the whole row otherwise.
pub(super) fn put(
    c: &Connection,
    written: Option<&mut WrittenSessions>,
    s: &SessionView,
    offer: Option<(AgentId, Millis)>,
) -> Res<()> {
    let row = columns(s, offer);
    let Some(written) = written else {
        return put_whole(c, s, &row);
    };
    match written.rows.get(&s.id) {
        Some(old) => {
            let changed: Vec<usize> = (0..COLUMNS.len()).filter(|&i| old[i] != row[i]).collect();
            if !changed.is_empty() && update(c, s.id, &row, &changed)? == 0 {
                // Not there after all (deleted behind our back): write it whole.
                put_whole(c, s, &row)?;
            }
        }
        None => put_whole(c, s, &row)?,
    }
    if s.state == crate::model::SessionState::Ended {
        // Never written again by the hub.
        written.rows.remove(&s.id);
    } else {
        if written.rows.len() >= MAX_REMEMBERED && !written.rows.contains_key(&s.id) {
            written.rows.clear();
        }
        written.rows.insert(s.id, row);
    }
    Ok(())
}

/// `UPDATE sessions SET <changed> WHERE id = ?`; returns the rows updated (0 or 1). The few
/// column sets that occur are each one cached statement.
fn update(c: &Connection, id: SessionId, row: &Row, changed: &[usize]) -> Res<usize> {
    let mut sql = String::from("UPDATE sessions SET ");
    for (n, &i) in changed.iter().enumerate() {
        if n > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!("{} = ?{}", COLUMNS[i], n + 2));
    }
    sql.push_str(" WHERE id = ?1");
    let values = std::iter::once(Value::Integer(id)).chain(changed.iter().map(|&i| row[i].clone()));
    Ok(c.prepare_cached(&sql)?.execute(params_from_iter(values))?)
}

fn put_whole(c: &Connection, s: &SessionView, row: &Row) -> Res<()> {
    let mut stmt = c.prepare_cached(
        "INSERT OR REPLACE INTO sessions (id, last_seq, customer_id, channel, state, group_name,
            assignee, offered_to, offer_expires_at, priority, intent, tags, follow_up,
            created_at, queued_at, offered_at, accepted_at, first_human_reply_at,
            ended_at, end_reason, csat, waiting_since, context, offline, csat_comment,
            replied_at, reminded_at, bot, menu, follow_up_at, ends_at, pending_end)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
            ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30,
            ?31, ?32)",
    )?;
    let values = [Value::Integer(s.id), Value::Integer(s.last_seq)]
        .into_iter()
        .chain(row.iter().cloned());
    stmt.execute(params_from_iter(values))?;
    Ok(())
}
