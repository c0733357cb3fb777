//! How knowledge-base text becomes search terms, the same for articles and queries: jieba
//! splits Chinese into words (search mode: long words also yield their parts, so 退货退款
//! matches 退货) and keeps runs of Latin letters and digits whole; spaces and punctuation are
//! dropped; then lowercasing and English stemming (shipping → ship).

use jieba_rs::{Jieba, TokenizeMode};
use std::sync::LazyLock;
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, Stemmer, StopWordFilter, TextAnalyzer, Token,
    TokenStream, Tokenizer,
};

/// The name the index registers the analyzer under (stored in the index's schema).
pub const TOKENIZER: &str = "kefu_kb";

/// jieba's dictionary, loaded once (about a second) on first use.
static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// Chinese function words that say nothing about what an article is about (English ones come
/// with tantivy). Without them "我的包裹" would rank whatever says 我的 most.
const ZH_STOP_WORDS: &[&str] = &[
    "的",
    "了",
    "吗",
    "呢",
    "吧",
    "啊",
    "是",
    "在",
    "我",
    "你",
    "他",
    "她",
    "它",
    "我们",
    "你们",
    "我的",
    "你的",
    "和",
    "与",
    "或",
    "就",
    "都",
    "也",
    "还",
    "要",
    "请",
    "请问",
    "怎么",
    "怎样",
    "如何",
    "什么",
    "哪里",
    "可以",
    "能",
    "能不能",
    "可不可以",
    "一下",
    "这",
    "那",
    "有",
    "没有",
];

/// Question words and pronouns customers put around what they ask, beyond tantivy's short
/// English list.
const EN_STOP_WORDS: &[&str] = &[
    "i", "me", "my", "mine", "we", "our", "you", "your", "he", "she", "his", "her", "what",
    "where", "when", "why", "how", "who", "which", "can", "could", "do", "does", "did", "please",
    "would", "should", "am", "was", "is", "have", "has", "had",
];

/// The analyzer, built once: its stop-word sets are shared (behind `Arc`s) by every clone and
/// the stemmer is a plain value, so a search clones it instead of rebuilding the sets.
static ANALYZER: LazyLock<TextAnalyzer> = LazyLock::new(build);

/// The analyzer: words, then at most 40 bytes each, lowercased, without stop words, stemmed.
pub fn analyzer() -> TextAnalyzer {
    ANALYZER.clone()
}

fn build() -> TextAnalyzer {
    let builder = TextAnalyzer::builder(Words)
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(StopWordFilter::remove(
            ZH_STOP_WORDS
                .iter()
                .chain(EN_STOP_WORDS)
                .map(|w| w.to_string()),
        ));
    match StopWordFilter::new(Language::English) {
        Some(english) => builder
            .filter(english)
            .filter(Stemmer::new(Language::English))
            .build(),
        None => builder.filter(Stemmer::new(Language::English)).build(),
    }
}

/// The terms of `text`, in order (repeats kept).
pub fn analyze(text: &str) -> Vec<String> {
    let mut a = analyzer();
    let mut stream = a.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// jieba's words without the spaces and punctuation between them, numbered 0, 1, 2, … (the
/// search mode's overlapping parts get their own numbers; we run no phrase queries).
#[derive(Clone, Default)]
pub struct Words;

pub struct WordStream {
    tokens: Vec<Token>,
    /// The current token; `tokens.len()` before the first `advance`.
    current: usize,
    started: bool,
    empty: Token,
}

impl Tokenizer for Words {
    type TokenStream<'a> = WordStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream {
        let base = text.as_ptr() as usize;
        let tokens = JIEBA
            .tokenize(text, TokenizeMode::Search, true)
            .into_iter()
            .filter(|t| t.word.chars().any(char::is_alphanumeric))
            .enumerate()
            .filter_map(|(i, t)| {
                // jieba's words are slices of `text`: their byte offsets are pointer distances
                // (checked: a word that were not one is skipped, never a wrapped offset).
                let from = (t.word.as_ptr() as usize).checked_sub(base)?;
                if from + t.word.len() > text.len() {
                    return None;
                }
                Some(Token {
                    offset_from: from,
                    offset_to: from + t.word.len(),
                    position: i,
                    text: t.word.to_string(),
                    position_length: 1,
                })
            })
            .collect::<Vec<_>>();
        WordStream {
            current: tokens.len(),
            tokens,
            started: false,
            empty: Token::default(),
        }
    }
}

impl TokenStream for WordStream {
    fn advance(&mut self) -> bool {
        let next = if self.started { self.current + 1 } else { 0 };
        self.started = true;
        self.current = next.min(self.tokens.len());
        self.current < self.tokens.len()
    }

    fn token(&self) -> &Token {
        self.tokens.get(self.current).unwrap_or(&self.empty)
    }

    fn token_mut(&mut self) -> &mut Token {
        match self.tokens.get_mut(self.current) {
            Some(t) => t,
            None => &mut self.empty,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_words_english_stems_no_punctuation() {
        assert_eq!(
            analyze("Express shipping is $12.99!"),
            ["express", "ship", "12.99"]
        );
        let zh = analyze("如何申请退货退款？VIP会员");
        assert!(!zh.iter().any(|t| t == "如何"), "a stop word: {zh:?}");
        for w in ["申请", "退货", "退款", "vip", "会员"] {
            assert!(zh.iter().any(|t| t == w), "{w} in {zh:?}");
        }
        assert!(
            !zh.iter().any(|t| t == "？" || t.trim().is_empty()),
            "{zh:?}"
        );
        assert!(analyze("  ，。!  ").is_empty());
    }

    #[test]
    fn offsets_point_into_the_text() {
        let text = "退货 policy";
        let mut a = analyzer();
        let mut s = a.token_stream(text);
        let mut seen = Vec::new();
        while s.advance() {
            let t = s.token();
            seen.push(text[t.offset_from..t.offset_to].to_string());
        }
        assert_eq!(seen, ["退货", "policy"]);
    }
}
