//! How negative a message is: a small Chinese and English lexicon, deterministic and
//! documented in `docs/bot.md`. Each listed word or phrase found in the normalised message adds
//! its weight once (strong insults and "scam" 3, clear displeasure 2, mild 1); repeated `!`/`！`
//! (two or more) and shouting (two or more all-capital Latin words of three letters or more)
//! add 1 each. A negation right before an English word ("not bad") cancels it. The bot hands
//! off at `bot.negative_threshold` (default 3): one strong word, or displeasure said loudly.

use super::normalize;

/// (word or phrase, weight). Latin entries match whole words only.
const LEXICON: &[(&str, u32)] = &[
    // Chinese
    ("垃圾", 3),
    ("骗子", 3),
    ("骗人", 3),
    ("诈骗", 3),
    ("恶心", 3),
    ("废物", 3),
    ("气死", 3),
    ("滚", 3),
    ("傻逼", 3),
    ("太差", 2),
    ("很差", 2),
    ("差劲", 2),
    ("生气", 2),
    ("愤怒", 2),
    ("失望", 2),
    ("离谱", 2),
    ("受不了", 2),
    ("退钱", 2),
    ("坑人", 2),
    ("什么破", 2),
    ("烂", 2),
    ("无语", 1),
    ("太慢", 1),
    ("不满", 1),
    ("郁闷", 1),
    // English
    ("scam", 3),
    ("fraud", 3),
    ("worst", 3),
    ("disgusting", 3),
    ("pathetic", 3),
    ("unacceptable", 3),
    ("furious", 3),
    ("garbage", 3),
    ("idiot", 3),
    ("idiots", 3),
    ("stupid", 3),
    ("wtf", 3),
    ("terrible", 2),
    ("awful", 2),
    ("horrible", 2),
    ("useless", 2),
    ("ridiculous", 2),
    ("angry", 2),
    ("hate", 2),
    ("rubbish", 2),
    ("disappointed", 2),
    ("unhappy", 2),
    ("fed up", 2),
    ("sick of", 2),
    ("damn", 2),
    ("annoyed", 1),
    ("annoying", 1),
    ("slow", 1),
    ("bad", 1),
];

const NEGATIONS: [&str; 4] = ["not", "never", "isn't", "wasn't"];

/// The message's negativity score (0: nothing negative found).
pub fn negativity(text: &str) -> u32 {
    let norm = normalize(text);
    let mut score = 0;
    for (word, weight) in LEXICON {
        if found(&norm, word) {
            score += weight;
        }
    }
    let bangs = text.chars().filter(|c| matches!(c, '!' | '！')).count();
    if bangs >= 2 {
        score += 1;
    }
    let shouted = text
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 3 && w.chars().all(|c| c.is_ascii_uppercase()))
        .count();
    if shouted >= 2 {
        score += 1;
    }
    score
}

/// Whether `word` occurs in `norm`: anywhere for Chinese, as a whole word not negated right
/// before for Latin.
fn found(norm: &str, word: &str) -> bool {
    if !word.is_ascii() {
        return norm.contains(word);
    }
    let latin = |c: char| c.is_ascii_alphanumeric() || c == '\'';
    norm.match_indices(word).any(|(at, _)| {
        let before = norm[..at].chars().next_back();
        let after = norm[at + word.len()..].chars().next();
        if before.is_some_and(latin) || after.is_some_and(latin) {
            return false;
        }
        let previous = norm[..at].split_whitespace().next_back().unwrap_or("");
        !NEGATIONS.contains(&previous)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strong_words_and_loud_displeasure_reach_the_default_threshold() {
        for text in [
            "你们就是骗子",
            "什么垃圾服务",
            "this is a scam",
            "WORST service ever",
            "I am so disappointed!!",
            "太差了，我很生气",
            "terrible and useless",
        ] {
            assert!(negativity(text) >= 3, "{text:?}: {}", negativity(text));
        }
    }

    #[test]
    fn ordinary_and_negated_messages_stay_low() {
        for text in [
            "怎么申请退款",
            "where is my parcel?",
            "not bad at all, thanks",
            "the badge is missing",
            "物流有点慢",
            "",
        ] {
            assert!(negativity(text) < 3, "{text:?}: {}", negativity(text));
        }
        assert_eq!(negativity("not bad"), 0);
        assert_eq!(negativity("hello"), 0);
    }
}
