//! Knowledge-base articles as agents see them (`kb.search`, `kb.get`, `kb.history`,
//! `kb.sent`). Quick replies are in `quick.rs`.

use crate::model::Millis;
use serde::{Deserialize, Serialize};

/// Where an article stands: agents search only `published` ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArticleStatus {
    Draft,
    #[default]
    Published,
    Archived,
}

impl ArticleStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ArticleStatus::Draft => "draft",
            ArticleStatus::Published => "published",
            ArticleStatus::Archived => "archived",
        }
    }

    pub fn parse(s: &str) -> Option<ArticleStatus> {
        match s.trim().to_ascii_lowercase().as_str() {
            "draft" => Some(ArticleStatus::Draft),
            "published" => Some(ArticleStatus::Published),
            "archived" => Some(ArticleStatus::Archived),
            _ => None,
        }
    }
}

/// A piece of an article's text around the words that matched a search: `highlights` are
/// byte ranges `[start, end)` of `text` (the matched words). Clients must check them (they
/// come from the network): a range out of bounds or not on character boundaries is ignored.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Snippet {
    pub text: String,
    #[serde(default)]
    pub highlights: Vec<(usize, usize)>,
}

/// An article without its body: what `kb.search` lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleSummary {
    pub id: i64,
    pub title: String,
    pub keywords: Vec<String>,
    /// A language tag such as `zh` or `en`.
    pub lang: String,
    pub updated_at: Millis,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Alternative ways customers ask the article's question (相似问法).
    #[serde(default)]
    pub questions: Vec<String>,
    #[serde(default)]
    pub status: ArticleStatus,
    /// Full-text results only: where the query matched (results come best first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snippet: Option<Snippet>,
}

/// A whole article: what `kb.get` returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    pub id: i64,
    pub title: String,
    pub keywords: Vec<String>,
    pub lang: String,
    pub updated_at: Millis,
    /// Markdown.
    pub body: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub questions: Vec<String>,
    #[serde(default)]
    pub status: ArticleStatus,
    #[serde(default)]
    pub author: String,
    /// The import key (`id` in an import file) if the article came from one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// 1 for a new article, +1 on each change; every version is kept.
    #[serde(default = "first_version")]
    pub version: i64,
}

fn first_version() -> i64 {
    1
}

impl Default for Article {
    fn default() -> Article {
        Article {
            id: 0,
            title: String::new(),
            keywords: Vec::new(),
            lang: "en".into(),
            updated_at: 0,
            body: String::new(),
            category: String::new(),
            tags: Vec::new(),
            questions: Vec::new(),
            status: ArticleStatus::Published,
            author: String::new(),
            slug: None,
            version: 1,
        }
    }
}

impl Article {
    pub fn summary(&self) -> ArticleSummary {
        ArticleSummary {
            id: self.id,
            title: self.title.clone(),
            keywords: self.keywords.clone(),
            lang: self.lang.clone(),
            updated_at: self.updated_at,
            category: self.category.clone(),
            tags: self.tags.clone(),
            questions: self.questions.clone(),
            status: self.status,
            snippet: None,
        }
    }
}

/// One stored version of an article (`kb.history`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleVersion {
    pub version: i64,
    pub title: String,
    pub body: String,
    pub status: ArticleStatus,
    pub author: String,
    pub changed_at: Millis,
}

/// An article sent to a customer in a session (`kb.sent`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentArticle {
    pub article_id: i64,
    pub title: String,
    pub version: i64,
    pub agent_id: Option<i64>,
    pub sent_at: Millis,
}

/// Splits a stored keyword string: words are separated by commas (ASCII or full-width `，`)
/// and/or whitespace; empty pieces are dropped.
pub fn split_keywords(s: &str) -> Vec<String> {
    s.split(|c: char| c == ',' || c == '，' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_split_on_commas_and_spaces() {
        assert_eq!(
            split_keywords(" refund, return  退款，退货 ,,"),
            ["refund", "return", "退款", "退货"]
        );
        assert!(split_keywords("").is_empty());
    }
}
