//! SQLite queries for the knowledge base (migrations 2 and 8): articles with
//! their version history, the change counter the full-text index follows, and the articles
//! sent in sessions.

use super::error::Res;
use super::rows::collect;
use crate::model::Millis;
use crate::protocol::{
    Article, ArticleStatus, ArticleSummary, ArticleVersion, SentArticle, split_keywords,
};
use crate::store::{SaveOutcome, StoreError};
use rusqlite::{Connection, OptionalExtension, params};

/// Every column of an article, in the order [`article_from_row`] reads them.
const ARTICLE_COLUMNS: &str = "id, title, keywords, lang, updated_at, body, category, tags,
    questions, status, author, slug, version, rev";

fn json_list(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

/// A stored list; a damaged one reads as empty rather than failing the whole query.
fn parse_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

fn status_of(s: &str) -> ArticleStatus {
    ArticleStatus::parse(s).unwrap_or(ArticleStatus::Draft)
}

/// An article and its `rev` from a row of [`ARTICLE_COLUMNS`].
fn article_from_row(r: &rusqlite::Row) -> rusqlite::Result<(Article, i64)> {
    let keywords: String = r.get(2)?;
    let tags: String = r.get(7)?;
    let questions: String = r.get(8)?;
    let status: String = r.get(9)?;
    Ok((
        Article {
            id: r.get(0)?,
            title: r.get(1)?,
            keywords: split_keywords(&keywords),
            lang: r.get(3)?,
            updated_at: r.get(4)?,
            body: r.get(5)?,
            category: r.get(6)?,
            tags: parse_list(&tags),
            questions: parse_list(&questions),
            status: status_of(&status),
            author: r.get(10)?,
            slug: r.get(11)?,
            version: r.get(12)?,
        },
        r.get(13)?,
    ))
}

/// The next store-wide change number: writes are serialised, so max + 1 is unique and
/// increasing in commit order (what the full-text index relies on to catch up).
fn next_rev(tx: &Connection) -> Res<i64> {
    Ok(tx
        .prepare_cached("SELECT COALESCE(MAX(rev), 0) + 1 FROM kb_articles")?
        .query_row([], |r| r.get(0))?)
}

fn add_version(tx: &Connection, a: &Article, id: i64, version: i64) -> Res<()> {
    tx.prepare_cached(
        "INSERT INTO kb_versions (article_id, version, title, keywords, body, lang, category,
            tags, questions, status, author, changed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        id,
        version,
        a.title,
        a.keywords.join(", "),
        a.body,
        a.lang,
        a.category,
        json_list(&a.tags),
        json_list(&a.questions),
        a.status.as_str(),
        a.author,
        a.updated_at
    ])?;
    Ok(())
}

/// Stores a new article (its `id` and `version` are ignored) as version 1.
pub(super) fn insert_article(tx: &Connection, a: &Article) -> Res<i64> {
    let rev = next_rev(tx)?;
    let slug = a.slug.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let mut stmt = tx.prepare_cached(
        "INSERT INTO kb_articles (title, keywords, body, lang, updated_at, category, tags,
            questions, status, author, slug, version, rev)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 1, ?12)",
    )?;
    let inserted = stmt.execute(params![
        a.title,
        a.keywords.join(", "),
        a.body,
        a.lang,
        a.updated_at,
        a.category,
        json_list(&a.tags),
        json_list(&a.questions),
        a.status.as_str(),
        a.author,
        slug,
        rev
    ]);
    if let Err(rusqlite::Error::SqliteFailure(e, _)) = &inserted
        && e.code == rusqlite::ErrorCode::ConstraintViolation
    {
        return Err(StoreError::Conflict(format!(
            "an article with the id `{}` exists",
            slug.unwrap_or_default()
        ))
        .into());
    }
    inserted?;
    let id = tx.last_insert_rowid();
    add_version(tx, a, id, 1)?;
    Ok(id)
}

/// Whether two articles say the same (what a re-import compares, to keep no empty versions).
fn same_content(a: &Article, b: &Article) -> bool {
    a.title == b.title
        && a.keywords == b.keywords
        && a.body == b.body
        && a.lang == b.lang
        && a.category == b.category
        && a.tags == b.tags
        && a.questions == b.questions
        && a.status == b.status
}

/// Inserts or updates: an article with `a.id` (when > 0) or else with `a.slug` is updated
/// (a new version, the old one kept), unless nothing changed; otherwise a new one is stored.
pub(super) fn save_article(tx: &Connection, a: &Article) -> Res<SaveOutcome> {
    let existing = if a.id > 0 {
        get_full(tx, a.id)?
    } else if let Some(slug) = a.slug.as_deref().filter(|s| !s.trim().is_empty()) {
        let id: Option<i64> = tx
            .prepare_cached("SELECT id FROM kb_articles WHERE slug = ?1")?
            .query_row([slug.trim()], |r| r.get(0))
            .optional()?;
        match id {
            Some(id) => get_full(tx, id)?,
            None => None,
        }
    } else {
        None
    };
    let Some((old, _)) = existing else {
        if a.id > 0 {
            return Err(StoreError::NotFound(format!("no article {}", a.id)).into());
        }
        return Ok(SaveOutcome::Created(insert_article(tx, a)?));
    };
    if same_content(&old, a) {
        return Ok(SaveOutcome::Unchanged(old.id));
    }
    let version = old.version + 1;
    let rev = next_rev(tx)?;
    tx.prepare_cached(
        "UPDATE kb_articles SET title = ?2, keywords = ?3, body = ?4, lang = ?5, updated_at = ?6,
            category = ?7, tags = ?8, questions = ?9, status = ?10, author = ?11, version = ?12,
            rev = ?13
         WHERE id = ?1",
    )?
    .execute(params![
        old.id,
        a.title,
        a.keywords.join(", "),
        a.body,
        a.lang,
        a.updated_at,
        a.category,
        json_list(&a.tags),
        json_list(&a.questions),
        a.status.as_str(),
        a.author,
        version,
        rev
    ])?;
    add_version(tx, a, old.id, version)?;
    Ok(SaveOutcome::Updated(old.id))
}

fn summary_from_row(r: &rusqlite::Row) -> rusqlite::Result<ArticleSummary> {
    Ok(article_from_row(r)?.0.summary())
}

/// Published articles only (what agents search); an empty query lists them by id, otherwise
/// those whose title or keywords contain it (ASCII case ignored), newest first. The server
/// answers non-empty queries from the full-text index; this is its fallback.
pub(super) fn search(tx: &Connection, query: &str, limit: u32) -> Res<Vec<ArticleSummary>> {
    let mut out = Vec::new();
    if query.is_empty() {
        let mut stmt = tx.prepare_cached(&format!(
            "SELECT {ARTICLE_COLUMNS} FROM kb_articles WHERE status = 'published'
             ORDER BY id LIMIT ?1"
        ))?;
        for row in stmt.query_map([limit], summary_from_row)? {
            out.push(row?);
        }
    } else {
        // instr rather than LIKE: `%` and `_` in the query are then plain characters.
        let mut stmt = tx.prepare_cached(&format!(
            "SELECT {ARTICLE_COLUMNS} FROM kb_articles WHERE status = 'published' AND
                (instr(lower(title), lower(?1)) > 0 OR instr(lower(keywords), lower(?1)) > 0)
             ORDER BY updated_at DESC, id DESC LIMIT ?2"
        ))?;
        for row in stmt.query_map(params![query, limit], summary_from_row)? {
            out.push(row?);
        }
    }
    Ok(out)
}

/// Published articles by id, a page of them (an empty query's `kb.search`).
pub(super) fn titles_page(tx: &Connection, offset: u32, limit: u32) -> Res<Vec<ArticleSummary>> {
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {ARTICLE_COLUMNS} FROM kb_articles WHERE status = 'published'
         ORDER BY id LIMIT ?1 OFFSET ?2"
    ))?;
    collect(&mut stmt, params![limit, offset], |r| {
        Ok(summary_from_row(r)?)
    })
}

/// The published articles among `ids`, in the order of `ids`.
pub(super) fn published_summaries(tx: &Connection, ids: &[i64]) -> Res<Vec<ArticleSummary>> {
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {ARTICLE_COLUMNS} FROM kb_articles WHERE id = ?1 AND status = 'published'"
    ))?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(s) = stmt.query_row([id], summary_from_row).optional()? {
            out.push(s);
        }
    }
    Ok(out)
}

fn get_full(tx: &Connection, id: i64) -> Res<Option<(Article, i64)>> {
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {ARTICLE_COLUMNS} FROM kb_articles WHERE id = ?1"
    ))?;
    Ok(stmt.query_row([id], article_from_row).optional()?)
}

pub(super) fn get(tx: &Connection, id: i64) -> Res<Option<Article>> {
    Ok(get_full(tx, id)?.map(|(a, _)| a))
}

/// Up to `limit` articles (any status) whose `rev` is above `rev`, with their revs, in rev
/// order: what the full-text index applies to catch up.
pub(super) fn changed_since(tx: &Connection, rev: i64, limit: u32) -> Res<Vec<(Article, i64)>> {
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {ARTICLE_COLUMNS} FROM kb_articles WHERE rev > ?1 ORDER BY rev LIMIT ?2"
    ))?;
    let mut out = Vec::new();
    for row in stmt.query_map(params![rev, limit], article_from_row)? {
        out.push(row?);
    }
    Ok(out)
}

pub(super) fn max_rev(tx: &Connection) -> Res<i64> {
    Ok(tx
        .prepare_cached("SELECT COALESCE(MAX(rev), 0) FROM kb_articles")?
        .query_row([], |r| r.get(0))?)
}

/// Every stored version of an article, oldest first.
pub(super) fn versions(tx: &Connection, id: i64) -> Res<Vec<ArticleVersion>> {
    let mut stmt = tx.prepare_cached(
        "SELECT version, title, body, status, author, changed_at FROM kb_versions
         WHERE article_id = ?1 ORDER BY version",
    )?;
    collect(&mut stmt, [id], |r| {
        let status: String = r.get(3)?;
        Ok(ArticleVersion {
            version: r.get(0)?,
            title: r.get(1)?,
            body: r.get(2)?,
            status: status_of(&status),
            author: r.get(4)?,
            changed_at: r.get(5)?,
        })
    })
}

/// Records that an article (its current version) was sent in a session; `NotFound` for an
/// unknown article.
pub(super) fn record_sent(
    tx: &Connection,
    session: i64,
    article: i64,
    agent: Option<i64>,
    now: Millis,
) -> Res<()> {
    // The same version sent again in the same session is recorded once: a client repeating
    // the request adds no rows.
    let again: bool = tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM session_articles s
                JOIN kb_articles a ON a.id = s.article_id AND a.version = s.version
                WHERE s.session_id = ?1 AND s.article_id = ?2)",
        )?
        .query_row(params![session, article], |r| r.get(0))?;
    if again {
        return Ok(());
    }
    let n = tx
        .prepare_cached(
            "INSERT INTO session_articles (session_id, article_id, agent_id, version, sent_at)
             SELECT ?1, id, ?3, version, ?4 FROM kb_articles WHERE id = ?2",
        )?
        .execute(params![session, article, agent, now])?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("no article {article}")).into());
    }
    Ok(())
}

/// The articles sent in a session, in the order they were sent.
pub(super) fn sent_in_session(tx: &Connection, session: i64) -> Res<Vec<SentArticle>> {
    let mut stmt = tx.prepare_cached(
        "SELECT s.article_id, COALESCE(a.title, ''), s.version, s.agent_id, s.sent_at
         FROM session_articles s LEFT JOIN kb_articles a ON a.id = s.article_id
         WHERE s.session_id = ?1 ORDER BY s.sent_at, s.rowid LIMIT 1000",
    )?;
    collect(&mut stmt, [session], |r| {
        Ok(SentArticle {
            article_id: r.get(0)?,
            title: r.get(1)?,
            version: r.get(2)?,
            agent_id: r.get(3)?,
            sent_at: r.get(4)?,
        })
    })
}
