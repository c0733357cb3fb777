//! Does a message ask for a person? Each configured hand-off word or phrase is looked for in
//! the normalised message (`super::normalize`): Chinese words anywhere (`我要转人工`), Latin
//! words and phrases only as whole words (`agent` in "an agent please", not in "agentless";
//! `person` not in "personal").

use super::normalize;

/// Whether `text` contains one of `words` (already lower-cased, as `BotConfig::words` gives).
pub fn asks_for_person(text: &str, words: &[String]) -> bool {
    let text = normalize(text);
    words.iter().any(|w| contains_word(&text, w))
}

/// Whether `word` appears in the normalised `text`: anywhere when it starts and ends in Chinese,
/// as a whole word where it starts or ends with a Latin letter or digit (also used by menus).
pub fn contains_word(text: &str, word: &str) -> bool {
    let word = normalize(word);
    if word.is_empty() {
        return false;
    }
    let latin = |c: char| c.is_ascii_alphanumeric();
    text.match_indices(&word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        // A boundary is needed only where the word itself starts or ends with a Latin letter.
        let starts = word.chars().next().is_some_and(latin);
        let ends = word.chars().next_back().is_some_and(latin);
        let glued = (starts && before.is_some_and(latin)) || (ends && after.is_some_and(latin));
        !glued
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::BotConfig;

    fn asks(text: &str) -> bool {
        asks_for_person(text, &BotConfig::default().words())
    }

    #[test]
    fn chinese_and_english_requests_anywhere_in_a_sentence() {
        for text in [
            "转人工",
            "我要转人工！",
            "麻烦帮我找人工客服处理一下",
            "能不能让真人来回答",
            "Agent",
            "can I talk to an agent please?",
            "I want a HUMAN",
            "let me talk to someone",
            "Ｈｕｍａｎ please",
            "get me a real   person",
        ] {
            assert!(asks(text), "{text:?} asks for a person");
        }
    }

    #[test]
    fn ordinary_questions_do_not() {
        for text in [
            "怎么申请退款",
            "where is my parcel",
            "can I change my personal details",
            "is the agentless plan cheaper",
            "humane shipping boxes?",
            "",
        ] {
            assert!(!asks(text), "{text:?} does not ask for a person");
        }
    }

    #[test]
    fn configured_words_count_too() {
        let mut config = BotConfig::default();
        config.extra_handoff_words.push("Supervisor".into());
        assert!(asks_for_person("get me your supervisor", &config.words()));
    }
}
