//! Text for the history index: what a message is indexed as, what a query searches for, and
//! the matched line shown in a hit. Everything goes through the knowledge base's analyzer
//! (`kb::analyzer`: jieba's words in search mode, so 退货退款 also yields 退货 and 退款;
//! lowercased; stop words out; English stemmed, refunded → refund), so a message and a query
//! always agree on what a word is. The index's own tokenizer (`unicode61`) then only splits
//! at the spaces we put between terms.

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

/// What a message is indexed as: its terms, separated by spaces.
pub fn index_terms(body: &str) -> String {
    analyze(body).join(" ")
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
        let words = analyze(piece);
        if words.is_empty() {
            continue;
        }
        count += if i % 2 == 1 { 1 } else { words.len() };
        if i % 2 == 1 {
            parts.push(quote(&words.join(" ")));
        } else {
            parts.extend(words.iter().map(|w| quote(w)));
        }
        terms.extend(words);
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
