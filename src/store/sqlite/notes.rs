//! Internal notes and @mentions on SQLite (see `store::notes`): the customer's transcript
//! without notes, and the `mentions` table.

use super::reads::SqliteConn;
use super::rows::{self, MESSAGE_SELECT, collect};
use crate::model::{AgentId, Millis, SessionId};
use crate::protocol::{MentionView, MessageView, excerpt};
use crate::store::Result;
use crate::store::notes::{NewMention, NotesRead, NotesTx};
use rusqlite::params;

impl NotesRead for SqliteConn<'_> {
    fn public_transcript(
        &mut self,
        session: SessionId,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<MessageView>> {
        self.run(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "{MESSAGE_SELECT} WHERE m.session_id = ?1 AND m.seq > ?2 AND m.internal = 0
                 ORDER BY m.seq LIMIT ?3"
            ))?;
            collect(&mut stmt, params![session, after_seq, limit], rows::message)
        })
    }

    fn mentions_of(&mut self, agent: AgentId, all: bool, limit: u32) -> Result<Vec<MentionView>> {
        self.run(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT x.session_id, x.seq, x.by_id, x.by_name, COALESCE(cu.nickname, ''),
                    COALESCE(m.body, ''), x.created_at, x.read_at,
                    COALESCE(s.state <> 'ended', 0)
                 FROM mentions x
                 LEFT JOIN sessions s ON s.id = x.session_id
                 LEFT JOIN customers cu ON cu.id = s.customer_id
                 LEFT JOIN messages m ON m.session_id = x.session_id AND m.seq = x.seq
                 WHERE x.agent_id = ?1 AND (?2 OR x.read_at IS NULL)
                 ORDER BY x.id DESC LIMIT ?3",
            )?;
            collect(&mut stmt, params![agent, all, limit], |r| {
                let body: String = r.get(5)?;
                Ok(MentionView {
                    session_id: r.get(0)?,
                    seq: r.get(1)?,
                    by_id: r.get(2)?,
                    by_name: r.get(3)?,
                    customer: r.get(4)?,
                    excerpt: excerpt(&body),
                    created_at: r.get(6)?,
                    read_at: r.get(7)?,
                    open: r.get(8)?,
                })
            })
        })
    }

    fn open_mentions(&mut self) -> Result<Vec<(SessionId, AgentId)>> {
        self.run(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT DISTINCT x.session_id, x.agent_id FROM mentions x
                 JOIN sessions s ON s.id = x.session_id
                 WHERE s.state <> 'ended' ORDER BY x.session_id, x.agent_id",
            )?;
            collect(&mut stmt, [], |r| Ok((r.get(0)?, r.get(1)?)))
        })
    }
}

impl NotesTx for SqliteConn<'_> {
    fn insert_mentions(&mut self, mentions: &[NewMention]) -> Result<()> {
        self.run(|c| {
            let mut stmt = c.prepare_cached(
                "INSERT INTO mentions (session_id, seq, agent_id, by_id, by_name, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
            )?;
            for m in mentions {
                stmt.execute(params![m.session, m.seq, m.agent, m.by_id, m.by_name, m.at])?;
            }
            Ok(())
        })
    }

    fn read_mentions(&mut self, agent: AgentId, session: SessionId, at: Millis) -> Result<u32> {
        self.run(|c| {
            let n = c
                .prepare_cached(
                    "UPDATE mentions SET read_at = ?3
                     WHERE agent_id = ?1 AND session_id = ?2 AND read_at IS NULL",
                )?
                .execute(params![agent, session, at])?;
            Ok(n as u32)
        })
    }
}
