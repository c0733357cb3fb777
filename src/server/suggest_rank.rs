//! Ranking recommended replies for one customer message (pure; `suggest_ops` reads the inputs
//! on the read pool). Articles come from the knowledge base's full-text search on the message
//! (its BM25 order is the main signal) and, when the message's intent is known, from a search
//! on the intent's names; each gets the question similarity of `intents::similarity` between
//! the message and the article's title and alternative questions, and a bonus when its
//! category, tags or keywords name the intent. Quick replies are ranked by the same similarity
//! against their title, shortcut and body (the IDF fitted once per list: [`QuickMatcher`]),
//! plus the intent bonus when their title or shortcut names the intent.

use crate::intents::Intent;
use crate::intents::features::{SparseVec, Vectorizer};
use crate::protocol::{ArticleSummary, QuickReply};

/// At most this many of each kind are suggested.
pub const MAX_SUGGESTIONS: usize = 3;
/// Full-text hits on the message considered (the rest rank too low to be suggested).
pub const TEXT_HITS: usize = 10;
/// Hits on the intent's names considered.
pub const INTENT_HITS: usize = 5;
/// Quick replies compared with the message (a team has tens to hundreds).
pub const MAX_QUICK_REPLIES: usize = 1_000;
/// A quick reply below this score is not suggested: nothing links it to the message.
const MIN_QUICK_SCORE: f32 = 0.12;
const SIMILARITY_WEIGHT: f32 = 0.6;
const INTENT_BONUS: f32 = 0.3;

/// The lower-cased names an intent goes by (`refund`, `退款`, `refund` in English).
pub fn intent_names(intent: &Intent) -> Vec<String> {
    let mut names: Vec<String> = [&intent.name, &intent.zh, &intent.en]
        .into_iter()
        .map(|n| n.trim().to_lowercase())
        .filter(|n| !n.is_empty())
        .collect();
    names.dedup();
    names
}

/// Whether any of `words` (tags, keywords, a category) is or contains one of the names.
fn names_any<'a>(names: &[String], words: impl IntoIterator<Item = &'a str>) -> bool {
    words.into_iter().any(|w| {
        let w = w.to_lowercase();
        !w.is_empty() && names.iter().any(|n| w == *n || w.contains(n.as_str()))
    })
}

fn cosine(a: &SparseVec, b: &SparseVec) -> f32 {
    let d = a.norm() * b.norm();
    if d > 0.0 {
        (a.dot(b) / d).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// Scores articles: `text_hits` (full-text order on the message, best first) and
/// `intent_hits` (on the intent's names). Best first, at most [`MAX_SUGGESTIONS`].
pub fn rank_articles(
    message: &str,
    names: &[String],
    text_hits: Vec<ArticleSummary>,
    intent_hits: Vec<ArticleSummary>,
) -> Vec<(ArticleSummary, f32)> {
    let mut cands: Vec<(ArticleSummary, f32)> = Vec::new();
    for (rank, a) in text_hits.into_iter().enumerate() {
        cands.push((a, 1.0 / (1.0 + 0.5 * rank as f32)));
    }
    for a in intent_hits {
        if !cands.iter().any(|(c, _)| c.id == a.id) {
            cands.push((a, 0.0));
        }
    }
    if cands.is_empty() {
        return cands;
    }
    let question = |a: &ArticleSummary| format!("{} {}", a.title, a.questions.join(" "));
    let texts: Vec<String> = cands.iter().map(|(a, _)| question(a)).collect();
    let matcher = crate::intents::fit_matcher(texts.iter().map(String::as_str).chain([message]));
    let m = matcher.transform(message);
    for ((a, score), text) in cands.iter_mut().zip(&texts) {
        *score += SIMILARITY_WEIGHT * cosine(&m, &matcher.transform(text));
        let tagged = std::iter::once(a.category.as_str())
            .chain(a.tags.iter().map(String::as_str))
            .chain(a.keywords.iter().map(String::as_str));
        if !names.is_empty() && names_any(names, tagged) {
            *score += INTENT_BONUS;
        }
    }
    sort_top(cands)
}

/// Quick replies made ready for comparing: the IDF fitted on their texts and each one's
/// vector, built once per list (fitting is what costs; `suggest_ops` keeps them).
pub struct QuickMatcher {
    matcher: Vectorizer,
    /// (id, lower-cased title, shortcut and tagged intents, vector of title + shortcut + body).
    items: Vec<(i64, Vec<String>, SparseVec)>,
}

impl QuickMatcher {
    /// The first [`MAX_QUICK_REPLIES`] of `replies`.
    pub fn new(replies: &[QuickReply]) -> QuickMatcher {
        let replies = &replies[..replies.len().min(MAX_QUICK_REPLIES)];
        let texts: Vec<String> = replies
            .iter()
            .map(|q| format!("{} {} {}", q.title, q.shortcut, q.body))
            .collect();
        let matcher = crate::intents::fit_matcher(texts.iter().map(String::as_str));
        let items = replies
            .iter()
            .zip(&texts)
            .map(|(q, t)| {
                let mut named = vec![q.title.to_lowercase(), q.shortcut.to_lowercase()];
                named.extend(q.intents.iter().map(|i| i.to_lowercase()));
                (q.id, named, matcher.transform(t))
            })
            .collect();
        QuickMatcher { matcher, items }
    }

    /// A fingerprint of the list (ids and texts): the same list gives the same matcher.
    pub fn fingerprint(replies: &[QuickReply]) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for q in &replies[..replies.len().min(MAX_QUICK_REPLIES)] {
            (q.id, &q.title, &q.shortcut, &q.body, &q.intents).hash(&mut h);
        }
        h.finish()
    }

    /// Scores the replies against the message. Best first, at most [`MAX_SUGGESTIONS`], none
    /// that neither resembles the message nor names its intent.
    pub fn rank(&self, message: &str, names: &[String]) -> Vec<(i64, f32)> {
        let m = self.matcher.transform(message);
        let scored = self
            .items
            .iter()
            .map(|(id, named, v)| {
                let mut score = cosine(&m, v);
                if !names.is_empty() && names_any(names, named.iter().map(String::as_str)) {
                    score += INTENT_BONUS;
                }
                (*id, score)
            })
            .filter(|(_, s)| *s >= MIN_QUICK_SCORE)
            .collect();
        sort_top(scored)
    }
}

/// Best first (ties keep the earlier), at most [`MAX_SUGGESTIONS`].
fn sort_top<T>(mut v: Vec<(T, f32)>) -> Vec<(T, f32)> {
    v.sort_by(|a, b| b.1.total_cmp(&a.1));
    v.truncate(MAX_SUGGESTIONS);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::ArticleStatus;

    fn article(id: i64, title: &str, category: &str) -> ArticleSummary {
        ArticleSummary {
            id,
            title: title.into(),
            keywords: Vec::new(),
            lang: "zh".into(),
            updated_at: 0,
            category: category.into(),
            tags: Vec::new(),
            questions: Vec::new(),
            status: ArticleStatus::Published,
            snippet: None,
        }
    }

    fn reply(id: i64, title: &str, body: &str) -> QuickReply {
        QuickReply {
            id,
            shortcut: format!("q{id}"),
            title: title.into(),
            body: body.into(),
            ..Default::default()
        }
    }

    #[test]
    fn the_intent_lifts_an_article_filed_under_it() {
        let names = vec!["refund".to_string(), "退款".to_string()];
        // Full-text order puts the shipping article first; the refund article is filed
        // under the message's intent and resembles the message.
        let ranked = rank_articles(
            "我想退货退款",
            &names,
            vec![
                article(1, "运费说明", "物流"),
                article(2, "退货流程", "退款"),
            ],
            vec![article(3, "退款到账时间", "退款")],
        );
        let ids: Vec<i64> = ranked.iter().map(|(a, _)| a.id).collect();
        assert_eq!(ids[0], 2, "{ranked:?}");
        assert!(ids.contains(&3), "an intent hit is a candidate too");
        assert!(ranked.len() <= MAX_SUGGESTIONS);
        // Without an intent the full-text order stands.
        let plain = rank_articles(
            "运费",
            &[],
            vec![
                article(1, "运费说明", "物流"),
                article(2, "退货流程", "退款"),
            ],
            Vec::new(),
        );
        assert_eq!(plain[0].0.id, 1);
        assert!(rank_articles("x", &names, Vec::new(), Vec::new()).is_empty());
    }

    #[test]
    fn quick_replies_resemble_the_message_or_name_its_intent() {
        let replies = [
            reply(1, "问候", "您好，很高兴为您服务"),
            reply(2, "退款时效", "退款将在3-5个工作日原路退回"),
            reply(3, "发票", "电子发票会在发货后发送到您的邮箱"),
        ];
        let names = vec!["refund".to_string(), "退款".to_string()];
        let ranked = QuickMatcher::new(&replies).rank("退款多久到账", &names);
        assert_eq!(ranked.first().map(|r| r.0), Some(2), "{ranked:?}");
        assert!(!ranked.iter().any(|r| r.0 == 3), "unrelated: {ranked:?}");
        let by_intent = QuickMatcher::new(&replies).rank("zzz", &["发票".to_string()]);
        assert_eq!(by_intent.first().map(|r| r.0), Some(3));
        assert!(QuickMatcher::new(&[]).rank("退款", &names).is_empty());
        // A reply tagged with the intent (`intents`) names it too.
        let mut tagged = replies.clone();
        tagged[0].intents = vec!["refund".into()];
        let lifted = QuickMatcher::new(&tagged).rank("zzz", &names);
        assert_eq!(lifted.first().map(|r| r.0), Some(1), "{lifted:?}");
        assert_ne!(
            QuickMatcher::fingerprint(&tagged),
            QuickMatcher::fingerprint(&replies)
        );
        assert_eq!(
            QuickMatcher::fingerprint(&replies),
            QuickMatcher::fingerprint(&replies.clone())
        );
        assert_ne!(
            QuickMatcher::fingerprint(&replies),
            QuickMatcher::fingerprint(&replies[1..])
        );
    }
}
