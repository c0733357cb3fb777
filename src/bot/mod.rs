//! The answering bot's decisions (`docs/bot.md`), pure and without I/O so they are tested
//! without sockets: whether a customer's message asks for a person ([`words`]), how negative it
//! is ([`sentiment`]), which knowledge-base article answers it ([`matching`]), and what the bot
//! does with a turn ([`decide`]). `server::bot_ops` runs them on the hub and the read pool.

pub mod decide;
pub mod matching;
pub mod sentiment;
pub mod words;

pub use decide::{Step, Triage, after_lookup, triage};
pub use matching::{Candidate, Match, best_match};

/// The language the bot answers in: Chinese when the message has any CJK character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn of(text: &str) -> Lang {
        if text.chars().any(is_cjk) {
            Lang::Zh
        } else {
            Lang::En
        }
    }

    /// The Chinese or the English text.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

/// Lower case, full-width ASCII folded to ASCII (`ＡＧＥＮＴ` → `agent`), runs of white space as
/// one space: what the word lists and the lexicon are matched against.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        let c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c,
        };
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.extend(c.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_and_normal_form() {
        assert_eq!(Lang::of("怎么退货"), Lang::Zh);
        assert_eq!(Lang::of("refund 退款"), Lang::Zh);
        assert_eq!(Lang::of("where is my parcel"), Lang::En);
        assert_eq!(
            normalize("  Talk\tTO   ＳＯＭＥＯＮＥ！ "),
            "talk to someone!"
        );
    }
}
