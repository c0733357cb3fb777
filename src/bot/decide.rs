//! What the bot does with one customer message, in two steps: [`triage`] before any lookup
//! (a request for a person, a complaint, a strongly negative message hand off at once, in that
//! order of precedence), then [`after_lookup`] with the best knowledge-base match: answer when
//! confident, otherwise say so honestly and offer a person — or, after `max_unanswered` such
//! turns in a row, hand off.

use super::Match;
use super::sentiment::negativity;
use super::words::asks_for_person;
use crate::protocol::HandoffReason;

/// What is known about a message before the knowledge base is asked.
pub struct Triage<'a> {
    pub text: &'a str,
    /// Its intent by the classifier (`complaint`, …), if it had one.
    pub intent: Option<&'a str>,
    /// The hand-off words, lower-cased.
    pub words: &'a [String],
    pub negative_threshold: u32,
}

/// The intent that hands off as a complaint.
pub const COMPLAINT_INTENT: &str = "complaint";

/// `Some(reason)` when the message goes to people without looking anything up.
pub fn triage(t: &Triage) -> Option<HandoffReason> {
    if asks_for_person(t.text, t.words) {
        Some(HandoffReason::Requested)
    } else if t.intent == Some(COMPLAINT_INTENT) {
        Some(HandoffReason::Complaint)
    } else if negativity(t.text) >= t.negative_threshold {
        Some(HandoffReason::Negative)
    } else {
        None
    }
}

/// The bot's turn once the knowledge base was asked.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Answer(Match),
    /// No confident answer: say so and offer a person.
    Fallback,
    Handoff(HandoffReason),
}

/// `unanswered`: the turns in a row before this one the bot could not answer.
pub fn after_lookup(
    best: Option<Match>,
    threshold: f32,
    unanswered: u32,
    max_unanswered: u32,
) -> Step {
    match best {
        Some(m) if m.score >= threshold && m.score > 0.0 => Step::Answer(m),
        _ if max_unanswered > 0 && unanswered + 1 >= max_unanswered => {
            Step::Handoff(HandoffReason::Unanswered)
        }
        _ => Step::Fallback,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::BotConfig;

    fn reason(text: &str, intent: Option<&str>) -> Option<HandoffReason> {
        let words = BotConfig::default().words();
        triage(&Triage {
            text,
            intent,
            words: &words,
            negative_threshold: 3,
        })
    }

    fn found(score: f32) -> Option<Match> {
        Some(Match {
            id: 1,
            title: "t".into(),
            body: "b".into(),
            score,
            question: "q".into(),
        })
    }

    #[test]
    fn triage_hands_off_for_each_reason_in_order() {
        assert_eq!(reason("转人工", None), Some(HandoffReason::Requested));
        assert_eq!(
            reason("I want an agent, this is a scam", Some("complaint")),
            Some(HandoffReason::Requested),
            "asking for a person comes first"
        );
        assert_eq!(
            reason("我要投诉你们的服务", Some("complaint")),
            Some(HandoffReason::Complaint)
        );
        assert_eq!(reason("what a scam", None), Some(HandoffReason::Negative));
        assert_eq!(reason("怎么申请退款", Some("refund")), None);
    }

    #[test]
    fn answers_when_confident_else_falls_back_then_hands_off() {
        assert!(matches!(
            after_lookup(found(0.8), 0.3, 5, 2),
            Step::Answer(_)
        ));
        assert_eq!(after_lookup(found(0.1), 0.3, 0, 2), Step::Fallback);
        assert_eq!(after_lookup(None, 0.3, 0, 2), Step::Fallback);
        assert_eq!(
            after_lookup(found(0.1), 0.3, 1, 2),
            Step::Handoff(HandoffReason::Unanswered)
        );
        // 0: never hand off for this reason.
        assert_eq!(after_lookup(None, 0.3, 9, 0), Step::Fallback);
        // A threshold of 0 still needs some similarity.
        assert_eq!(after_lookup(found(0.0), 0.0, 0, 3), Step::Fallback);
    }
}
