//! [`ReportRead`] / [`ReportTx`] on SQLite. A report reads each table once with a range scan:
//! sessions by `ended_at` (index `sessions_ended`, plus the open ones), their messages and
//! transfers by session id range (the primary key and `transfers_session`), the status log
//! by time (`agent_status_log_at`) plus one index seek per agent for the status at `from`.

use super::error::Res;
use super::reads::SqliteConn;
use crate::model::{AgentId, AgentStatus, EndReason, Millis, SessionId};
use crate::reports::facts::{
    AgentFact, Author, MessageFact, ReportFacts, SessionFact, StatusFact, TransferFact,
};
use crate::store::Result;
use crate::store::reports::{ReportRead, ReportTx};
use rusqlite::{Connection, Row, params};

const SESSION_COLUMNS: &str = "s.id, s.channel, s.group_name, s.intent, s.tags, s.assignee,
    s.created_at, s.queued_at, s.accepted_at, s.first_human_reply_at, s.ended_at, s.end_reason,
    s.csat, s.bot IS NOT NULL, json_extract(s.bot, '$.handoff.at'),
    s.menu IS NOT NULL AND json_extract(s.menu, '$.by') IS NULL,
    json_extract(s.menu, '$.returned.at'),
    EXISTS (SELECT 1 FROM session_surveys v WHERE v.session_id = s.id)";

fn session(r: &Row) -> rusqlite::Result<SessionFact> {
    let tags: String = r.get(4)?;
    let created_at: Millis = r.get(6)?;
    let queued_at: Option<Millis> = r.get(7)?;
    let (bot, handoff): (bool, Option<Millis>) = (r.get(13)?, r.get(14)?);
    let (customer_menu, returned): (bool, Option<Millis>) = (r.get(15)?, r.get(16)?);
    // When it first reached people: a later transfer rewrites `queued_at`, so this is worked
    // out from what does not change (see `SessionFact::queued_at`).
    let first_queued =
        handoff
            .or(if customer_menu { returned } else { None })
            .or(if bot || customer_menu {
                queued_at
            } else {
                Some(created_at)
            });
    let reason: Option<String> = r.get(11)?;
    let csat: Option<i64> = r.get(12)?;
    Ok(SessionFact {
        id: r.get(0)?,
        channel: r.get(1)?,
        group: r.get(2)?,
        intent: r.get(3)?,
        // A malformed list counts as no tags rather than failing the whole report.
        tags: serde_json::from_str(&tags).unwrap_or_default(),
        assignee: r.get(5)?,
        created_at,
        queued_at: first_queued,
        accepted_at: r.get(8)?,
        first_human_reply_at: r.get(9)?,
        ended_at: r.get(10)?,
        outcome: reason.and_then(|s| s.parse::<EndReason>().ok()),
        csat: csat.and_then(|c| u8::try_from(c).ok()),
        surveyed: r.get(17)?,
    })
}

fn read_facts(c: &Connection, from: Millis, to: Millis) -> Res<ReportFacts> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.ended_at >= ?1 AND s.created_at < ?2
         UNION ALL
         SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.ended_at IS NULL AND s.created_at < ?2
         ORDER BY 1"
    ))?;
    let sessions = stmt
        .query_map(params![from, to], session)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let (lo, hi) = match (sessions.first(), sessions.last()) {
        (Some(a), Some(b)) => (a.id, b.id),
        _ => (1, 0),
    };
    let mut stmt = c.prepare_cached(
        "SELECT session_id, author_kind = 'agent', author_id, created_at FROM messages
          WHERE session_id BETWEEN ?1 AND ?2 AND internal = 0
            AND author_kind IN ('customer', 'agent')
          ORDER BY session_id, seq",
    )?;
    let messages = stmt
        .query_map(params![lo, hi], |r| {
            let agent: bool = r.get(1)?;
            let id: Option<AgentId> = r.get(2)?;
            Ok(MessageFact {
                session_id: r.get(0)?,
                author: match (agent, id) {
                    (true, Some(a)) => Author::Agent(a),
                    (true, None) => Author::Agent(0),
                    (false, _) => Author::Customer,
                },
                at: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut stmt = c.prepare_cached(
        "SELECT session_id, from_agent, to_agent, from_group, to_group, queued, at
           FROM transfers WHERE session_id BETWEEN ?1 AND ?2 ORDER BY session_id, id",
    )?;
    let transfers = stmt
        .query_map(params![lo, hi], |r| {
            Ok(TransferFact {
                session_id: r.get(0)?,
                from_agent: r.get(1)?,
                to_agent: r.get(2)?,
                from_group: r.get(3)?,
                to_group: r.get(4)?,
                queued: r.get(5)?,
                at: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut stmt = c.prepare_cached("SELECT id, username, display_name FROM agents ORDER BY id")?;
    let agents = stmt
        .query_map([], |r| {
            Ok(AgentFact {
                id: r.get(0)?,
                username: r.get(1)?,
                display_name: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(ReportFacts {
        sessions,
        messages,
        transfers,
        statuses: statuses(c, from, to)?,
        agents,
    })
}

/// Each agent's last change before `from`, then the changes in the range; by (agent, time).
fn statuses(c: &Connection, from: Millis, to: Millis) -> Res<Vec<StatusFact>> {
    let mut stmt = c.prepare_cached(
        "SELECT l.agent_id, l.status, l.at, l.rowid FROM agents a
           JOIN agent_status_log l ON l.rowid = (
                SELECT rowid FROM agent_status_log
                 WHERE agent_id = a.id AND at < ?1 ORDER BY at DESC, rowid DESC LIMIT 1)
         UNION ALL
         SELECT agent_id, status, at, rowid FROM agent_status_log WHERE at >= ?1 AND at < ?2",
    )?;
    let mut rows = stmt
        .query_map(params![from, to], |r| {
            let status: String = r.get(1)?;
            Ok((
                r.get::<_, AgentId>(0)?,
                status,
                r.get::<_, Millis>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.sort_unstable_by_key(|(a, _, at, id)| (*a, *at, *id));
    Ok(rows
        .into_iter()
        .filter_map(|(agent, status, at, _)| {
            let status = status.parse::<AgentStatus>().ok()?;
            Some(StatusFact { agent, status, at })
        })
        .collect())
}

impl ReportRead for SqliteConn<'_> {
    fn report_facts(&mut self, from: Millis, to: Millis) -> Result<ReportFacts> {
        self.run(|c| read_facts(c, from, to))
    }
}

impl ReportTx for SqliteConn<'_> {
    fn log_agent_status(&mut self, agent: AgentId, status: AgentStatus, at: Millis) -> Result<()> {
        self.run(|c| {
            c.prepare_cached(
                "INSERT INTO agent_status_log (agent_id, status, at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![agent, status.as_str(), at])?;
            Ok(())
        })
    }

    fn mark_surveyed(&mut self, session: SessionId, at: Millis) -> Result<()> {
        self.run(|c| {
            c.prepare_cached(
                "INSERT INTO session_surveys (session_id, at) VALUES (?1, ?2)
                 ON CONFLICT (session_id) DO NOTHING",
            )?
            .execute(params![session, at])?;
            Ok(())
        })
    }
}
