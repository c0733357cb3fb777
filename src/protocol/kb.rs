//! Knowledge-base articles and quick replies as agents see them (`kb.search`, `kb.get`,
//! `quick_replies.list`).

use crate::model::Millis;
use serde::{Deserialize, Serialize};

/// An article without its body: what `kb.search` lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleSummary {
    pub id: i64,
    pub title: String,
    pub keywords: Vec<String>,
    /// A language tag such as `zh` or `en`.
    pub lang: String,
    pub updated_at: Millis,
}

/// A whole article: what `kb.get` returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    pub id: i64,
    pub title: String,
    pub keywords: Vec<String>,
    pub lang: String,
    pub updated_at: Millis,
    pub body: String,
}

impl Article {
    pub fn summary(&self) -> ArticleSummary {
        ArticleSummary {
            id: self.id,
            title: self.title.clone(),
            keywords: self.keywords.clone(),
            lang: self.lang.clone(),
            updated_at: self.updated_at,
        }
    }
}

/// A canned answer. `body` may contain `{customer}` and `{agent}`, which the console replaces
/// with the customer's nickname and the agent's display name before sending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuickReply {
    pub id: i64,
    /// What the agent types to find it, e.g. `hi` or `refund`; unique.
    pub shortcut: String,
    pub title: String,
    pub body: String,
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
