//! The knowledge base's workflow on SQLite (migration 9, see `store::kb_flow`): paged titles,
//! bounded history, proposals and their review, and per-agent check-ins.

use super::error::Res;
use super::reads::SqliteConn;
use super::rows::collect;
use crate::model::{AgentId, Millis};
use crate::protocol::{
    AgentCheckin, ArticleStatus, ArticleSummary, ArticleUpdate, ArticleVersion, Proposal,
    ProposalStatus, ProposalSummary, UpdateKind,
};
use crate::store::kb_flow::{KbFlowRead, KbFlowTx, ProposalFilter, Review, Updates};
use crate::store::{Result, StoreError};
use rusqlite::{OptionalExtension, Row, params};

const PROPOSAL_COLUMNS: &str = "id, article_id, base_version, author_id, author, title, comment,
    status, created_at, reviewer, review_comment, reviewed_at, result_article_id, result_version,
    body, category, tags, questions";

fn summary(r: &Row) -> rusqlite::Result<ProposalSummary> {
    let status: String = r.get(7)?;
    Ok(ProposalSummary {
        id: r.get(0)?,
        article_id: r.get(1)?,
        base_version: r.get(2)?,
        author_id: r.get(3)?,
        author: r.get(4)?,
        title: r.get(5)?,
        comment: r.get(6)?,
        // The column's CHECK allows nothing else.
        status: ProposalStatus::parse(&status).unwrap_or(ProposalStatus::Pending),
        created_at: r.get(8)?,
        reviewer: r.get(9)?,
        review_comment: r.get(10)?,
        reviewed_at: r.get(11)?,
        result_article_id: r.get(12)?,
        result_version: r.get(13)?,
    })
}

fn proposal(r: &Row) -> rusqlite::Result<Proposal> {
    let list = |i: usize| -> rusqlite::Result<Vec<String>> {
        let s: String = r.get(i)?;
        Ok(serde_json::from_str(&s).unwrap_or_default())
    };
    Ok(Proposal {
        summary: summary(r)?,
        body: r.get(14)?,
        category: r.get(15)?,
        tags: list(16)?,
        questions: list(17)?,
    })
}

fn json_list(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

/// The agent's last check-in: (checked_at, rev, max article id), zeros if never.
fn checkin(c: &rusqlite::Connection, agent: AgentId) -> Res<Option<(Millis, i64, i64)>> {
    Ok(c.prepare_cached(
        "SELECT checked_at, rev, max_article_id FROM kb_checkins WHERE agent_id = ?1",
    )?
    .query_row([agent], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
    .optional()?)
}

fn unread_since(c: &rusqlite::Connection, rev: i64) -> Res<u32> {
    Ok(c.prepare_cached(
        "SELECT COUNT(*) FROM kb_articles WHERE status = 'published' AND rev > ?1",
    )?
    .query_row([rev], |r| r.get(0))?)
}

impl KbFlowRead for SqliteConn<'_> {
    fn kb_titles(&mut self, offset: u32, limit: u32) -> Result<Vec<ArticleSummary>> {
        self.run(|c| super::kb::titles_page(c, offset, limit))
    }

    fn kb_versions_newest(&mut self, id: i64, limit: u32) -> Result<(Vec<ArticleVersion>, i64)> {
        self.run(|c| {
            let total: i64 = c
                .prepare_cached("SELECT COUNT(*) FROM kb_versions WHERE article_id = ?1")?
                .query_row([id], |r| r.get(0))?;
            let mut stmt = c.prepare_cached(
                "SELECT version, title, body, status, author, changed_at FROM kb_versions
                 WHERE article_id = ?1 ORDER BY version DESC LIMIT ?2",
            )?;
            let mut versions = collect(&mut stmt, params![id, limit], |r| {
                let status: String = r.get(3)?;
                Ok(ArticleVersion {
                    version: r.get(0)?,
                    title: r.get(1)?,
                    body: r.get(2)?,
                    status: ArticleStatus::parse(&status).unwrap_or(ArticleStatus::Draft),
                    author: r.get(4)?,
                    changed_at: r.get(5)?,
                })
            })?;
            versions.reverse();
            Ok((versions, total))
        })
    }

    fn kb_proposal(&mut self, id: i64) -> Result<Option<Proposal>> {
        self.run(|c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {PROPOSAL_COLUMNS} FROM kb_proposals WHERE id = ?1"
            ))?
            .query_row([id], proposal)
            .optional()?)
        })
    }

    fn kb_proposals(&mut self, filter: ProposalFilter, limit: u32) -> Result<Vec<ProposalSummary>> {
        self.run(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {PROPOSAL_COLUMNS} FROM kb_proposals
                 WHERE (?1 IS NULL OR author_id = ?1) AND (?2 IS NULL OR status = ?2)
                 ORDER BY id DESC LIMIT ?3"
            ))?;
            let status = filter.status.map(ProposalStatus::as_str);
            collect(&mut stmt, params![filter.author, status, limit], |r| {
                Ok(summary(r)?)
            })
        })
    }

    fn kb_pending_proposals(&mut self, author: Option<AgentId>) -> Result<u32> {
        self.run(|c| {
            Ok(c.prepare_cached(
                "SELECT COUNT(*) FROM kb_proposals
                 WHERE status = 'pending' AND (?1 IS NULL OR author_id = ?1)",
            )?
            .query_row([author], |r| r.get(0))?)
        })
    }

    fn kb_proposals_since(&mut self, author: AgentId, since: Millis, at_most: u32) -> Result<u32> {
        self.run(|c| {
            // The author's newest rows only (their index): a bounded walk however many older.
            Ok(c.prepare_cached(
                "SELECT COUNT(*) FROM (SELECT created_at FROM kb_proposals
                   WHERE author_id = ?1 ORDER BY id DESC LIMIT ?3)
                 WHERE created_at >= ?2",
            )?
            .query_row(params![author, since, at_most], |r| r.get(0))?)
        })
    }

    fn kb_updates(&mut self, agent: AgentId, limit: u32) -> Result<Updates> {
        self.run(|c| {
            let seen = checkin(c, agent)?;
            let (rev, max_id) = seen.map(|(_, rev, id)| (rev, id)).unwrap_or((0, 0));
            let mut stmt = c.prepare_cached(
                "SELECT id, title, version, updated_at FROM kb_articles
                 WHERE status = 'published' AND rev > ?1 ORDER BY rev DESC LIMIT ?2",
            )?;
            let updates = collect(&mut stmt, params![rev, limit], |r| {
                let (id, version): (i64, i64) = (r.get(0)?, r.get(2)?);
                Ok(ArticleUpdate {
                    id,
                    title: r.get(1)?,
                    version,
                    updated_at: r.get(3)?,
                    change: if id > max_id || version == 1 {
                        UpdateKind::New
                    } else {
                        UpdateKind::Edited
                    },
                })
            })?;
            Ok(Updates {
                checked_at: seen.map(|(at, _, _)| at),
                unread: unread_since(c, rev)?,
                updates,
            })
        })
    }

    fn kb_checkins(&mut self) -> Result<Vec<AgentCheckin>> {
        self.run(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT a.id, a.username, a.display_name, k.checked_at,
                    (SELECT COUNT(*) FROM kb_articles x
                     WHERE x.status = 'published' AND x.rev > COALESCE(k.rev, 0))
                 FROM agents a LEFT JOIN kb_checkins k ON k.agent_id = a.id ORDER BY a.id",
            )?;
            collect(&mut stmt, [], |r| {
                Ok(AgentCheckin {
                    agent_id: r.get(0)?,
                    username: r.get(1)?,
                    display_name: r.get(2)?,
                    checked_at: r.get(3)?,
                    unread: r.get(4)?,
                })
            })
        })
    }
}

impl KbFlowTx for SqliteConn<'_> {
    fn insert_proposal(&mut self, p: &Proposal) -> Result<i64> {
        self.run(|c| {
            let s = &p.summary;
            c.prepare_cached(
                "INSERT INTO kb_proposals (article_id, base_version, author_id, author, title,
                    body, category, tags, questions, comment, status, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'pending', ?11)",
            )?
            .execute(params![
                s.article_id,
                s.base_version,
                s.author_id,
                s.author,
                s.title,
                p.body,
                p.category,
                json_list(&p.tags),
                json_list(&p.questions),
                s.comment,
                s.created_at
            ])?;
            Ok(c.last_insert_rowid())
        })
    }

    fn review_proposal(&mut self, id: i64, review: &Review) -> Result<()> {
        let (article, version) = review.result.unzip();
        let n = self.run(|c| {
            Ok(c.prepare_cached(
                "UPDATE kb_proposals SET status = ?2, reviewer = ?3, review_comment = ?4,
                    reviewed_at = ?5, result_article_id = ?6, result_version = ?7
                 WHERE id = ?1 AND status = 'pending'",
            )?
            .execute(params![
                id,
                review.status.as_str(),
                review.reviewer,
                review.comment,
                review.at,
                article,
                version
            ])?)
        })?;
        if n == 0 {
            return Err(StoreError::Conflict(format!(
                "proposal {id} is not pending"
            )));
        }
        Ok(())
    }

    fn kb_check_in(&mut self, agent: AgentId, now: Millis) -> Result<()> {
        self.run(|c| {
            c.prepare_cached(
                "INSERT INTO kb_checkins (agent_id, checked_at, rev, max_article_id)
                 SELECT ?1, ?2, COALESCE(MAX(rev), 0), COALESCE(MAX(id), 0) FROM kb_articles
                 WHERE true
                 ON CONFLICT (agent_id) DO UPDATE SET checked_at = excluded.checked_at,
                    rev = excluded.rev, max_article_id = excluded.max_article_id",
            )?
            .execute(params![agent, now])?;
            Ok(())
        })
    }
}
