//! Text for the history index: what a message is indexed as, what a query searches for, and
//! the matched line shown in a hit. Everything goes through the knowledge base's analyzer
//! (`kb::analyzer`: jieba's words in search mode, so 退货退款 also yields 退货 and 退款;
//! lowercased; stop words out; English stemmed, refunded → refund), so a message and a query
//! always agree on what a word is. The index's own tokenizer (`unicode61`) then only splits
//! at the spaces we put between terms.
//!
//! Word segmentation alone loses matches: jieba cuts 还没到账 as 没到 + 账 but a search for 到账
//! as 到 + 账, so the words never meet. Every run of Chinese (or Japanese) characters is
//! therefore also indexed as its overlapping character pairs (还没 没到 到账), one after
//! another, and a query's run of two or more such characters is searched as the phrase of its
//! pairs: exactly "these characters, in this order, next to each other".

use crate::kb::analyzer::{analyze, analyzer};
use std::collections::HashSet;
use tantivy::tokenizer::TokenStream;

/// Longest `text` of a search, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Most words a search may ask for.
pub const MAX_QUERY_TERMS: usize = 16;
/// About this many characters of a matched message are shown.
pub const LINE_CHARS: usize = 160;
/// Characters kept before the first match when the line is cut.
const LEAD_CHARS: usize = 40;

/// What a message is indexed as: its terms, separated by spaces (its words, then the
/// character pairs of its Chinese runs).
pub fn index_terms(body: &str) -> String {
    let mut terms = analyze(body);
    for run in cjk_runs(body) {
        terms.extend(pairs(&run));
    }
    terms.join(" ")
}

/// Characters of scripts written without spaces between words (Han, kana).
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FA1F}')
}

/// The maximal runs of CJK characters in `text`.
fn cjk_runs(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut run = String::new();
    for c in text.chars() {
        if is_cjk(c) {
            run.push(c);
        } else if !run.is_empty() {
            runs.push(std::mem::take(&mut run));
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    runs
}

/// The overlapping character pairs of a run (none for a single character).
fn pairs(run: &str) -> Vec<String> {
    let chars: Vec<char> = run.chars().collect();
    chars.windows(2).map(|w| w.iter().collect()).collect()
}

/// A checked text query: the FTS5 expression and the terms to highlight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextQuery {
    /// Every word (and every quoted phrase) must occur in one message.
    pub fts: String,
    pub terms: HashSet<String>,
}

/// Why a text query is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("the search text is longer than {MAX_QUERY_CHARS} characters")]
    TooLong,
    #[error("the search text has no words to search for (only punctuation or common words)")]
    Empty,
    #[error("the search text has more than {MAX_QUERY_TERMS} words")]
    TooManyWords,
}

/// Parses `text`: loose words, and `"quoted words"` that must occur together.
pub fn parse(text: &str) -> Result<TextQuery, TextError> {
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(TextError::TooLong);
    }
    let mut parts = Vec::new();
    let mut terms = HashSet::new();
    let mut count = 0;
    // Odd pieces between quote marks are phrases; an unclosed quote runs to the end.
    for (i, piece) in text.split(['"', '“', '”']).enumerate() {
        // Chinese runs of two or more characters are searched as their character pairs
        // (see the module doc); the rest, and single characters, as analysed words.
        let runs: Vec<String> = cjk_runs(piece)
            .into_iter()
            .filter(|r| r.chars().count() >= 2)
            .collect();
        let rest: String = piece
            .chars()
            .map(|c| if is_cjk(c) { ' ' } else { c })
            .collect();
        let singles: String = cjk_runs(piece)
            .into_iter()
            .filter(|r| r.chars().count() == 1)
            .collect::<Vec<_>>()
            .join(" ");
        let mut words = analyze(&rest);
        words.extend(analyze(&singles));
        if words.is_empty() && runs.is_empty() {
            continue;
        }
        if i % 2 == 1 {
            count += 1;
            let mut phrase: Vec<String> = words.clone();
            for run in &runs {
                phrase.extend(pairs(run));
            }
            parts.push(quote(&phrase.join(" ")));
        } else {
            count += words.len() + runs.len();
            parts.extend(words.iter().map(|w| quote(w)));
            parts.extend(runs.iter().map(|r| quote(&pairs(r).join(" "))));
        }
        terms.extend(words);
        terms.extend(runs);
    }
    if parts.is_empty() {
        return Err(TextError::Empty);
    }
    if count > MAX_QUERY_TERMS {
        return Err(TextError::TooManyWords);
    }
    Ok(TextQuery {
        fts: parts.join(" "),
        terms,
    })
}

/// An FTS5 string literal.
fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The line shown for a matched message: at most about [`LINE_CHARS`] characters around the
/// first match (`…` where cut), and the matched words in it as `[start, end)` character
/// ranges, merged where they overlap (jieba's overlapping parts of one long word).
pub fn hit_line(body: &str, terms: &HashSet<String>) -> (String, Vec<(u32, u32)>) {
    let mut matched: Vec<(usize, usize)> = Vec::new();
    // Chinese terms are found as they are written (a searched run may cross jieba's words).
    for term in terms.iter().filter(|t| t.chars().any(is_cjk)) {
        matched.extend(
            body.match_indices(term.as_str())
                .map(|(at, m)| (at, at + m.len())),
        );
    }
    let mut a = analyzer();
    let mut stream = a.token_stream(body);
    while stream.advance() {
        let t = stream.token();
        if terms.contains(&t.text) {
            matched.push((t.offset_from, t.offset_to));
        }
    }
    // Byte offsets to character offsets.
    let to_char = |byte: usize| body.get(..byte).map_or(0, |s| s.chars().count());
    let mut ranges: Vec<(usize, usize)> = matched
        .into_iter()
        .map(|(a, b)| (to_char(a), to_char(b)))
        .collect();
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (a, b) in ranges {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    let chars: Vec<char> = body.chars().collect();
    let first = merged.first().map_or(0, |r| r.0);
    let start = if chars.len() <= LINE_CHARS {
        0
    } else {
        first
            .saturating_sub(LEAD_CHARS)
            .min(chars.len() - LINE_CHARS)
    };
    let end = (start + LINE_CHARS).min(chars.len());
    let mut line = String::new();
    let lead = usize::from(start > 0);
    if start > 0 {
        line.push('…');
    }
    line.extend(&chars[start..end]);
    if end < chars.len() {
        line.push('…');
    }
    let highlights = merged
        .into_iter()
        .filter(|&(a, b)| a >= start && b <= end)
        .map(|(a, b)| (to_u32(a - start + lead), to_u32(b - start + lead)))
        .collect();
    (line, highlights)
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(line: &str, h: &[(u32, u32)]) -> Vec<String> {
        let chars: Vec<char> = line.chars().collect();
        h.iter()
            .map(|&(a, b)| chars[a as usize..b as usize].iter().collect())
            .collect()
    }

    #[test]
    fn chinese_word_inside_a_sentence_and_a_compound() {
        let q = parse("退款").unwrap();
        assert!(index_terms("我要退款了").split(' ').any(|t| t == "退款"));
        assert!(index_terms("申请退货退款").split(' ').any(|t| t == "退款"));
        let (line, h) = hit_line("我要退款了", &q.terms);
        assert_eq!(line, "我要退款了");
        assert_eq!(h, [(2, 4)]);
    }

    #[test]
    fn chinese_runs_match_across_word_boundaries() {
        // jieba cuts 还没到账 as 没到 + 账, and 到账 alone as 到 + 账: the pairs still meet.
        let q = parse("到账").unwrap();
        assert_eq!(q.fts, "\"到账\"");
        assert!(
            index_terms("我的退款三天了还没到账")
                .split(' ')
                .any(|t| t == "到账")
        );
        let (line, h) = hit_line("我的退款三天了还没到账", &q.terms);
        assert_eq!(shown(&line, &h), ["到账"]);
        // A longer run is the phrase of its pairs: the characters in order, side by side.
        assert_eq!(parse("还没到账").unwrap().fts, "\"还没 没到 到账\"");
    }

    #[test]
    fn english_is_stemmed_both_ways() {
        let q = parse("refund").unwrap();
        assert!(index_terms("It was refunded yesterday").contains("refund"));
        let (line, h) = hit_line("It was Refunded yesterday", &q.terms);
        assert_eq!(shown(&line, &h), ["Refunded"]);
    }

    #[test]
    fn phrases_and_quotes_are_escaped() {
        assert_eq!(
            parse("\"order status\" 退款").unwrap().fts,
            "\"order status\" \"退款\""
        );
        assert_eq!(parse("\"退款 order\"").unwrap().fts, "\"order 退款\"");
        assert_eq!(parse("\"the\" is").unwrap_err(), TextError::Empty);
        assert_eq!(parse("，。！").unwrap_err(), TextError::Empty);
        assert_eq!(parse(&"退".repeat(201)).unwrap_err(), TextError::TooLong);
        let many = (0..17)
            .map(|i| format!("word{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(parse(&many).unwrap_err(), TextError::TooManyWords);
    }

    #[test]
    fn long_lines_are_cut_around_the_first_match_in_characters() {
        let body = format!("{}退款{}", "很".repeat(300), "好".repeat(300));
        let q = parse("退款").unwrap();
        let (line, h) = hit_line(&body, &q.terms);
        assert!(line.starts_with('…') && line.ends_with('…'));
        assert_eq!(line.chars().count(), LINE_CHARS + 2);
        assert_eq!(shown(&line, &h), ["退款"]);
        assert_eq!(h[0].0 as usize, LEAD_CHARS + 1);
    }
}
