//! Which knowledge-base article answers a customer's message: among the full-text search's
//! best candidates, the one whose title or alternative question (相似问法) is most similar to the
//! message, by the similarity `kefu kb match-eval` measures (`crate::intents::similarity`,
//! the IDF fitted on the candidates' questions and the message). Its score is the bot's
//! confidence; `decide` compares it with `bot.answer_threshold`.

use crate::intents::{fit_matcher, similarity};

/// An article the full-text search found for the message.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: i64,
    pub title: String,
    pub questions: Vec<String>,
    pub body: String,
}

/// The best candidate and how similar its closest question is.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub id: i64,
    pub title: String,
    pub body: String,
    /// The similarity of the closest title or question, 0–1.
    pub score: f32,
    /// That title or question.
    pub question: String,
}

/// The candidate with the most similar title or question (ties: the earlier candidate, i.e.
/// the better full-text rank); `None` without candidates.
pub fn best_match(message: &str, candidates: &[Candidate]) -> Option<Match> {
    let questions = |c: &Candidate| -> Vec<String> {
        std::iter::once(c.title.clone())
            .chain(c.questions.iter().cloned())
            .filter(|q| !q.trim().is_empty())
            .collect()
    };
    let all: Vec<String> = candidates.iter().flat_map(questions).collect();
    let matcher = fit_matcher(
        all.iter()
            .map(String::as_str)
            .chain(std::iter::once(message)),
    );
    let mut best: Option<Match> = None;
    for c in candidates {
        for q in questions(c) {
            let score = similarity(&matcher, message, &q);
            if best.as_ref().is_none_or(|b| score > b.score) {
                best = Some(Match {
                    id: c.id,
                    title: c.title.clone(),
                    body: c.body.clone(),
                    score,
                    question: q,
                });
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(id: i64, title: &str, questions: &[&str]) -> Candidate {
        Candidate {
            id,
            title: title.into(),
            questions: questions.iter().map(|q| q.to_string()).collect(),
            body: format!("body {id}"),
        }
    }

    #[test]
    fn the_closest_question_wins_in_both_languages() {
        let candidates = [
            candidate(1, "退货政策", &["怎么退货", "如何申请退款"]),
            candidate(2, "发票说明", &["怎么开发票"]),
            candidate(
                3,
                "Refund policy",
                &["how do I get a refund", "can I return an item"],
            ),
            candidate(4, "Shipping times", &["when will my parcel arrive"]),
        ];
        let m = best_match("我想申请退款", &candidates).unwrap();
        assert_eq!(m.id, 1);
        assert!(m.score > 0.3, "{m:?}");
        let m = best_match("how can I get a refund for my order", &candidates).unwrap();
        assert_eq!(m.id, 3);
        let m = best_match("when does my parcel arrive", &candidates).unwrap();
        assert_eq!(m.id, 4);
        assert!(best_match("anything", &[]).is_none());
    }

    #[test]
    fn an_unrelated_message_scores_low() {
        let candidates = [candidate(1, "退货政策", &["怎么退货"])];
        let m = best_match("what's the weather tomorrow", &candidates).unwrap();
        assert!(m.score < 0.3, "{m:?}");
    }
}
