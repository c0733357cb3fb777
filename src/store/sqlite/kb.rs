//! SQLite queries for the knowledge base and quick replies (migration 2).

use super::error::Res;
use crate::protocol::{Article, ArticleSummary, QuickReply, split_keywords};
use crate::store::StoreError;
use rusqlite::{Connection, OptionalExtension, params};

pub(super) fn insert_article(tx: &Connection, a: &Article) -> Res<i64> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO kb_articles (title, keywords, body, lang, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    stmt.execute(params![
        a.title,
        a.keywords.join(", "),
        a.body,
        a.lang,
        a.updated_at
    ])?;
    Ok(tx.last_insert_rowid())
}

fn summary_from_row(r: &rusqlite::Row) -> rusqlite::Result<ArticleSummary> {
    let keywords: String = r.get(2)?;
    Ok(ArticleSummary {
        id: r.get(0)?,
        title: r.get(1)?,
        keywords: split_keywords(&keywords),
        lang: r.get(3)?,
        updated_at: r.get(4)?,
    })
}

pub(super) fn search(tx: &Connection, query: &str, limit: u32) -> Res<Vec<ArticleSummary>> {
    let mut out = Vec::new();
    if query.is_empty() {
        let mut stmt = tx.prepare_cached(
            "SELECT id, title, keywords, lang, updated_at FROM kb_articles ORDER BY id LIMIT ?1",
        )?;
        for row in stmt.query_map([limit], summary_from_row)? {
            out.push(row?);
        }
    } else {
        // instr rather than LIKE: `%` and `_` in the query are then plain characters.
        let mut stmt = tx.prepare_cached(
            "SELECT id, title, keywords, lang, updated_at FROM kb_articles
             WHERE instr(lower(title), lower(?1)) > 0 OR instr(lower(keywords), lower(?1)) > 0
             ORDER BY updated_at DESC, id DESC LIMIT ?2",
        )?;
        for row in stmt.query_map(params![query, limit], summary_from_row)? {
            out.push(row?);
        }
    }
    Ok(out)
}

pub(super) fn get(tx: &Connection, id: i64) -> Res<Option<Article>> {
    let mut stmt = tx.prepare_cached(
        "SELECT id, title, keywords, lang, updated_at, body FROM kb_articles WHERE id = ?1",
    )?;
    Ok(stmt
        .query_row([id], |r| {
            let s = summary_from_row(r)?;
            Ok(Article {
                id: s.id,
                title: s.title,
                keywords: s.keywords,
                lang: s.lang,
                updated_at: s.updated_at,
                body: r.get(5)?,
            })
        })
        .optional()?)
}

pub(super) fn insert_quick_reply(tx: &Connection, q: &QuickReply) -> Res<i64> {
    let taken: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM quick_replies WHERE shortcut = ?1)",
        [&q.shortcut],
        |r| r.get(0),
    )?;
    if taken {
        return Err(StoreError::Conflict(format!(
            "quick reply shortcut `{}` is taken",
            q.shortcut
        ))
        .into());
    }
    tx.execute(
        "INSERT INTO quick_replies (shortcut, title, body) VALUES (?1, ?2, ?3)",
        params![q.shortcut, q.title, q.body],
    )?;
    Ok(tx.last_insert_rowid())
}

pub(super) fn list_quick_replies(tx: &Connection) -> Res<Vec<QuickReply>> {
    let mut stmt =
        tx.prepare_cached("SELECT id, shortcut, title, body FROM quick_replies ORDER BY id")?;
    let rows = stmt.query_map([], |r| {
        Ok(QuickReply {
            id: r.get(0)?,
            shortcut: r.get(1)?,
            title: r.get(2)?,
            body: r.get(3)?,
        })
    })?;
    let mut out = Vec::new();
    for row in rows {
        out.push(row?);
    }
    Ok(out)
}
