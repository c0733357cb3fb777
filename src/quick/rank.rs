//! Ranking quick replies for a picker or for recommendations: how well the typed query matches
//! (shortcut first, then title, then the body holding the typed words), then whether the reply is tagged with the
//! conversation's dominant intent, then how often and how recently the agent used it. Pure:
//! the caller passes the clock.

use crate::model::Millis;
use crate::protocol::QuickReply;
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

/// How much of a body the fuzzy matcher reads: it is quadratic-ish in the text, and a match
/// deep inside a long body says little about what the agent is looking for.
const BODY_CHARS: usize = 400;

// Score layout (decimal places), so that one i64 orders by the rules in order.
const TIER: i64 = 1_000_000_000_000;
const INTENT: i64 = 100_000_000_000;
const USES: i64 = 100_000;
const RECENT: i64 = 1_000;
const MAX_USES: i64 = 999_999;

/// How well the query matches, best last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Tier {
    /// No query: everything matches equally.
    Any = 0,
    Body = 1,
    /// A fuzzy match in the shortcut or title.
    Title = 2,
    ShortcutPrefix = 3,
    ShortcutExact = 4,
}

/// Ranks `replies` for `query` typed by an agent in a conversation whose dominant intent is
/// `session_intent`, at `now`. Returns `(index into replies, score)` for every reply that
/// matches (all of them for an empty query), best first; a higher score is better and scores
/// are comparable within one call only. Each reply's `uses`/`last_used` are the agent's own
/// (as `quick_replies.list` returns them).
///
/// Order: exact shortcut, shortcut prefix, fuzzy shortcut/title, body-only match; within
/// each, replies tagged with `session_intent` first; then by use count, then by how recently
/// used, then by fuzzy score; equal scores keep the given order.
pub fn rank(
    query: &str,
    session_intent: Option<&str>,
    replies: &[QuickReply],
    now: Millis,
) -> Vec<(usize, i64)> {
    let q = query.trim().to_lowercase();
    let matcher = SkimMatcherV2::default().ignore_case();
    let mut out: Vec<(usize, i64)> = replies
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let (tier, fuzzy) = match_tier(&matcher, &q, r)?;
            let intent =
                session_intent.is_some_and(|want| r.intents.iter().any(|n| n == want)) as i64;
            let uses = (r.uses as i64).min(MAX_USES);
            let score = tier as i64 * TIER
                + intent * INTENT
                + uses * USES
                + recency(r.last_used, now) * RECENT
                + fuzzy.clamp(0, RECENT - 1);
            Some((i, score))
        })
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// The tier and fuzzy score of one reply, `None` when the query does not match it.
fn match_tier(matcher: &SkimMatcherV2, q: &str, r: &QuickReply) -> Option<(Tier, i64)> {
    if q.is_empty() {
        return Some((Tier::Any, 0));
    }
    let shortcut = r.shortcut.to_lowercase();
    if shortcut == q {
        return Some((Tier::ShortcutExact, 0));
    }
    if shortcut.starts_with(q) {
        return Some((Tier::ShortcutPrefix, 0));
    }
    let best = |s: &str| -> Option<i64> {
        let s = s.to_lowercase();
        in_order(&s, q)
            .then(|| matcher.fuzzy_match(&s, q))
            .flatten()
    };
    if let Some(score) = [best(&r.shortcut), best(&r.title)]
        .into_iter()
        .flatten()
        .max()
    {
        return Some((Tier::Title, score));
    }
    // In a long text a fuzzy match finds the query's letters scattered anywhere: the body
    // counts only when it holds every typed word as it is.
    let body: String = r
        .body
        .chars()
        .take(BODY_CHARS)
        .collect::<String>()
        .to_lowercase();
    q.split_whitespace()
        .all(|w| body.contains(w))
        .then(|| (Tier::Body, best(&body).unwrap_or(0)))
}

/// Whether every character of `needle` (spaces aside) appears in `hay` in order: a cheap test
/// that rules out most replies before the fuzzy scorer runs.
fn in_order(hay: &str, needle: &str) -> bool {
    let mut want = needle.chars().filter(|c| *c != ' ');
    let mut next = want.next();
    for c in hay.chars() {
        match next {
            None => return true,
            Some(w) if w == c => next = want.next(),
            Some(_) => {}
        }
    }
    next.is_none()
}

/// 0–99: used within the hour scores highest, never used 0.
fn recency(last_used: Option<Millis>, now: Millis) -> i64 {
    const HOUR: i64 = 3_600_000;
    match last_used {
        None => 0,
        Some(t) => {
            let age = (now - t).max(0);
            if age < HOUR {
                99
            } else if age < 24 * HOUR {
                80
            } else if age < 7 * 24 * HOUR {
                50
            } else if age < 30 * 24 * HOUR {
                20
            } else {
                1
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(shortcut: &str, title: &str, body: &str) -> QuickReply {
        QuickReply {
            shortcut: shortcut.into(),
            title: title.into(),
            body: body.into(),
            ..Default::default()
        }
    }

    fn order(v: &[(usize, i64)]) -> Vec<usize> {
        v.iter().map(|(i, _)| *i).collect()
    }

    const NOW: Millis = 1_000_000_000_000;

    #[test]
    fn shortcut_beats_title_beats_body_and_non_matches_drop() {
        let r = vec![
            reply("x", "nothing", "the refund is on its way"),
            reply("refund", "Refund", "…"),
            reply("ref", "Reference number", "…"),
            reply("zz", "How to get a refund", "…"),
            reply("hi", "Greeting", "Hello"),
        ];
        assert_eq!(order(&rank("ref", None, &r, NOW)), [2, 1, 3, 0]);
        assert_eq!(order(&rank("refund", None, &r, NOW)), [1, 3, 0]);
    }

    #[test]
    fn empty_query_ranks_by_intent_then_uses_then_recency() {
        let mut r = vec![
            reply("a", "A", "a"),
            reply("b", "B", "b"),
            reply("c", "C", "c"),
            reply("d", "D", "d"),
        ];
        r[1].uses = 5;
        r[2].uses = 5;
        r[2].last_used = Some(NOW - 60_000);
        r[1].last_used = Some(NOW - 40 * 24 * 3_600_000);
        r[3].intents = vec!["refund".into()];
        assert_eq!(order(&rank("", Some("refund"), &r, NOW)), [3, 2, 1, 0]);
        assert_eq!(order(&rank("", None, &r, NOW)), [2, 1, 0, 3]);
        assert_eq!(order(&rank("  ", Some("complaint"), &r, NOW)), [2, 1, 0, 3]);
    }

    #[test]
    fn intent_and_uses_order_within_a_match_tier_only() {
        let mut r = vec![
            reply("thanks", "Thanks", "…"),
            reply("tk", "Thanks a lot", "…"),
        ];
        r[1].uses = 100;
        r[1].intents = vec!["thanks".into()];
        // The exact shortcut still wins over a much-used, intent-tagged title match.
        assert_eq!(order(&rank("thanks", Some("thanks"), &r, NOW)), [0, 1]);
        // Both title matches: the used one first.
        assert_eq!(order(&rank("than", None, &r, NOW))[0], 0); // prefix of shortcut 0
        assert_eq!(order(&rank("ank", Some("thanks"), &r, NOW)), [1, 0]);
    }

    #[test]
    fn cjk_queries_match_titles_and_bodies() {
        let r = vec![
            reply("th", "退货流程", "请在七天内申请退货"),
            reply("wl", "物流查询", "您的包裹正在派送"),
            reply("hi", "问候", "您好，{customer}"),
        ];
        assert_eq!(order(&rank("退货", None, &r, NOW)), [0]);
        assert_eq!(order(&rank("包裹", None, &r, NOW)), [1]);
        assert_eq!(order(&rank("WL", None, &r, NOW)), [1]);
        // Letters scattered through a body are no match.
        assert!(rank("请天申", None, &r, NOW).is_empty());
    }

    #[test]
    fn equal_scores_keep_the_given_order() {
        let r = vec![reply("a", "same", "x"), reply("b", "same", "x")];
        assert_eq!(order(&rank("same", None, &r, NOW)), [0, 1]);
    }
}
