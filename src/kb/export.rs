//! `kefu admin kb export`: every article (any status), by id, as one JSON array or as a folder
//! of Markdown files with front matter — both formats `kefu admin kb import` reads back,
//! matching each article by its `id` (its import key, or `kb-N` for article N).

use crate::protocol::Article;
use crate::store::Store;
use serde_json::json;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Md,
}

/// Every article, by id.
pub fn all_articles(store: &mut dyn Store) -> anyhow::Result<Vec<Article>> {
    let mut out = Vec::new();
    store.transaction(&mut |tx| {
        out = tx
            .kb_changed_since(0, u32::MAX)?
            .into_iter()
            .map(|(a, _)| a)
            .collect();
        Ok(())
    })?;
    out.sort_by_key(|a| a.id);
    Ok(out)
}

/// The key an export gives an article.
pub fn key(a: &Article) -> String {
    a.slug.clone().unwrap_or_else(|| format!("kb-{}", a.id))
}

/// Writes the articles to `path` (a file for JSON, a folder for Markdown); returns how many.
pub fn export(store: &mut dyn Store, format: Format, path: &Path) -> anyhow::Result<usize> {
    let articles = all_articles(store)?;
    let fail = |e: std::io::Error| anyhow::anyhow!("cannot write {}: {e}", path.display());
    match format {
        Format::Json => {
            let items: Vec<_> = articles
                .iter()
                .map(|a| {
                    json!({
                        "id": key(a), "title": a.title, "body": a.body, "category": a.category,
                        "tags": a.tags, "keywords": a.keywords, "questions": a.questions,
                        "status": a.status, "lang": a.lang, "author": a.author,
                        "version": a.version, "updated_at": a.updated_at,
                    })
                })
                .collect();
            let text = serde_json::to_string_pretty(&items)?;
            std::fs::write(path, text + "\n").map_err(fail)?;
        }
        Format::Md => {
            std::fs::create_dir_all(path).map_err(fail)?;
            for a in &articles {
                let file = path.join(format!("{}.md", file_name(&key(a))));
                std::fs::write(&file, markdown(a)).map_err(fail)?;
            }
        }
    }
    Ok(articles.len())
}

/// A file name from a key: anything but letters, digits, `-` and `_` becomes `_`.
fn file_name(key: &str) -> String {
    key.chars()
        .take(80)
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Quoted as JSON strings (which the importer's front matter reads back).
pub(super) fn q(s: &str) -> String {
    serde_json::to_string(s.trim()).unwrap_or_default()
}

pub(super) fn list(items: &[String]) -> String {
    format!(
        "[{}]",
        items.iter().map(|i| q(i)).collect::<Vec<_>>().join(", ")
    )
}

/// One article as Markdown with front matter.
pub fn markdown(a: &Article) -> String {
    let mut s = String::from("---\n");
    s += &format!("id: {}\n", q(&key(a)));
    s += &format!("title: {}\n", q(&a.title));
    s += &format!("category: {}\n", q(&a.category));
    s += &format!("tags: {}\n", list(&a.tags));
    s += &format!("keywords: {}\n", list(&a.keywords));
    s += "questions:\n";
    for question in &a.questions {
        s += &format!("  - {}\n", q(question));
    }
    s += &format!("status: {}\n", a.status.as_str());
    s += &format!("lang: {}\n", a.lang);
    s += &format!("author: {}\n", q(&a.author));
    s += "---\n";
    s += &a.body;
    s.push('\n');
    s
}
