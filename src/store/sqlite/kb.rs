//! SQLite queries for the knowledge base and quick replies (migration 2).

use super::super::{Result, StoreError};
use crate::protocol::{Article, ArticleSummary, QuickReply, split_keywords};
use rusqlite::{OptionalExtension, Transaction, params};

pub fn insert_article(tx: &Transaction, a: &Article) -> Result<i64> {
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

pub fn search(tx: &Transaction, query: &str, limit: u32) -> Result<Vec<ArticleSummary>> {
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

pub fn get(tx: &Transaction, id: i64) -> Result<Option<Article>> {
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

pub fn insert_quick_reply(tx: &Transaction, q: &QuickReply) -> Result<i64> {
    let taken: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM quick_replies WHERE shortcut = ?1)",
        [&q.shortcut],
        |r| r.get(0),
    )?;
    if taken {
        return Err(StoreError::Conflict(format!(
            "quick reply shortcut `{}` is taken",
            q.shortcut
        )));
    }
    tx.execute(
        "INSERT INTO quick_replies (shortcut, title, body) VALUES (?1, ?2, ?3)",
        params![q.shortcut, q.title, q.body],
    )?;
    Ok(tx.last_insert_rowid())
}

pub fn list_quick_replies(tx: &Transaction) -> Result<Vec<QuickReply>> {
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

#[cfg(test)]
mod tests {
    use crate::protocol::{Article, QuickReply};
    use crate::store::{SqliteStore, Store, StoreError};

    fn article(title: &str, keywords: &[&str], updated_at: i64) -> Article {
        Article {
            id: 0,
            title: title.into(),
            keywords: keywords.iter().map(|k| k.to_string()).collect(),
            lang: "en".into(),
            updated_at,
            body: format!("body of {title}"),
        }
    }

    #[test]
    fn search_get_and_quick_replies() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(&dir.path().join("t.db")).unwrap();
        store
            .transaction(&mut |tx| {
                tx.insert_article(&article("Refund policy", &["refund", "money"], 10))?;
                tx.insert_article(&article("Shipping times", &["delivery"], 30))?;
                tx.insert_article(&article("退款到账时间", &["退款", "REFUND"], 20))?;
                tx.insert_article(&article("100% guarantee", &[], 5))?;
                let all = tx.kb_search("", 10)?;
                assert_eq!(all.iter().map(|a| a.id).collect::<Vec<_>>(), [1, 2, 3, 4]);
                assert_eq!(tx.kb_search("", 2)?.len(), 2);
                let hits = tx.kb_search("ReFuNd", 10)?;
                // Newest update first; the title or a keyword may match.
                assert_eq!(hits.iter().map(|a| a.id).collect::<Vec<_>>(), [3, 1]);
                assert_eq!(hits[1].keywords, ["refund", "money"]);
                assert_eq!(tx.kb_search("退款", 10)?.len(), 1);
                // `%` is a literal character, not a wildcard.
                assert_eq!(tx.kb_search("%", 10)?.len(), 1);
                let a = tx.kb_get(2)?.unwrap();
                assert_eq!(
                    (a.title.as_str(), a.body.as_str()),
                    ("Shipping times", "body of Shipping times")
                );
                assert!(tx.kb_get(99)?.is_none());

                let q = QuickReply {
                    id: 0,
                    shortcut: "hi".into(),
                    title: "Greeting".into(),
                    body: "Hello {customer}, I am {agent}.".into(),
                };
                assert_eq!(tx.insert_quick_reply(&q)?, 1);
                assert!(matches!(
                    tx.insert_quick_reply(&q),
                    Err(StoreError::Conflict(_))
                ));
                let list = tx.list_quick_replies()?;
                assert_eq!(list, [QuickReply { id: 1, ..q.clone() }]);
                Ok(())
            })
            .unwrap();
    }
}
