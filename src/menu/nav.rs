//! Navigation in a menu, pure: where a customer's input at a node leads ([`step`]), what
//! arriving at a node means ([`enter`]), and the texts they are shown ([`render`],
//! [`lookup_answer`]). The server (`server::menu_ops`) keeps the position and acts on the
//! [`Outcome`].
//!
//! An input is understood, in this order: `0` or a request for a person (the bot's hand-off
//! words: 人工, "agent", "human"…) → the queue; a back word (返回, "menu") → the start;
//! at a lookup node anything else is the input to look up; at a menu, a number picks that
//! option, else the option whose keyword appears in the input (the longest keyword wins),
//! else the option whose label shares the most words with it (Latin words of 3+ letters,
//! Chinese character pairs). Two options equally good is "ambiguous", not a guess.

use super::tree::{Menu, NodeKind};
use crate::bot::normalize;
use crate::bot::words::{asks_for_person, contains_word};

/// Longest input kept (for a lookup and in the path), in characters.
pub const MAX_INPUT_CHARS: usize = 200;
/// Longest lookup answer shown, in characters.
pub const MAX_ANSWER_CHARS: usize = 1_000;
/// Words that go back to the menu's start.
const BACK_WORDS: [&str; 5] = ["返回", "主菜单", "back", "menu", "*"];

/// Why the customer leaves the menu for the human queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnReason {
    /// `0`, 人工, "agent"…
    Requested,
    /// A `queue` node.
    Leaf,
    /// Too many inputs in a row not understood.
    Invalid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalid {
    /// Nothing understood.
    Unknown,
    /// A number no option has.
    NoSuchNumber,
    /// Words that fit two options equally.
    Ambiguous,
}

/// What an input (or an arrival) leads to. `label` is what the path records for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Show this menu node (its prompt and options); the position moves there.
    Show { node: String, label: String },
    /// Answer with an article, then show `then`.
    Article {
        node: String,
        id: i64,
        then: String,
        label: String,
    },
    /// Ask for the input of this lookup node; the position moves there.
    AskInput { node: String, label: String },
    /// Look `input` up with this node's webhook.
    Lookup { node: String, input: String },
    /// To the human queue: `group`, or (`None`) the menu's or the conversation's group.
    Queue {
        group: Option<String>,
        reason: ReturnReason,
        label: String,
    },
    /// Not understood: show the node again with a hint; the position stays.
    Invalid { node: String, why: Invalid },
}

/// Arriving at `node` (by an option, a transfer or a `then`).
pub fn enter(menu: &Menu, node: &str, label: String) -> Outcome {
    match menu.node(node).map(|n| &n.kind) {
        Some(NodeKind::Options(_)) => Outcome::Show {
            node: node.to_string(),
            label,
        },
        Some(NodeKind::Article { id, then, .. }) => Outcome::Article {
            node: node.to_string(),
            id: *id,
            then: then.clone(),
            label,
        },
        Some(NodeKind::Lookup(_)) => Outcome::AskInput {
            node: node.to_string(),
            label,
        },
        Some(NodeKind::Queue { group }) => Outcome::Queue {
            group: Some(group.clone()),
            reason: ReturnReason::Leaf,
            label,
        },
        // Cannot happen for a parsed menu; the start is the safe place to be.
        None => Outcome::Show {
            node: menu.start.clone(),
            label,
        },
    }
}

/// The first [`MAX_INPUT_CHARS`] characters of an input, trimmed.
pub fn cut_input(input: &str) -> String {
    input.trim().chars().take(MAX_INPUT_CHARS).collect()
}

/// Where `input`, typed at node `at`, leads. `person_words` are the hand-off words
/// (`BotConfig::words`).
pub fn step(menu: &Menu, at: &str, input: &str, person_words: &[String]) -> Outcome {
    let input = cut_input(input);
    let text = normalize(&input);
    let invalid = |why| Outcome::Invalid {
        node: at.to_string(),
        why,
    };
    if text == "0" || asks_for_person(&text, person_words) {
        return Outcome::Queue {
            group: None,
            reason: ReturnReason::Requested,
            label: "人工 / agent".into(),
        };
    }
    if BACK_WORDS.iter().any(|w| text == *w) {
        return enter(menu, &menu.start.clone(), "返回 / back".into());
    }
    let opts = match menu.node(at).map(|n| &n.kind) {
        Some(NodeKind::Lookup(_)) if !text.is_empty() => {
            return Outcome::Lookup {
                node: at.to_string(),
                input,
            };
        }
        Some(NodeKind::Options(opts)) => opts,
        Some(NodeKind::Lookup(_)) => return invalid(Invalid::Unknown),
        // Not a place to wait at: back to the start.
        _ => return enter(menu, &menu.start.clone(), String::new()),
    };
    if text.is_empty() {
        return invalid(Invalid::Unknown);
    }
    if text.chars().all(|c| c.is_ascii_digit()) {
        return match text
            .parse::<u32>()
            .ok()
            .and_then(|k| opts.iter().find(|o| o.key == k))
        {
            Some(o) => enter(menu, &o.to, o.label.clone()),
            None => invalid(Invalid::NoSuchNumber),
        };
    }
    // Keywords: the longest one found wins.
    let best = best_by(opts, |o| {
        o.keywords
            .iter()
            .filter(|k| contains_word(&text, k))
            .map(|k| k.chars().count())
            .max()
            .unwrap_or(0)
    });
    let best = match best {
        Pick::None => best_by(opts, |o| label_overlap(&text, &o.label)),
        other => other,
    };
    match best {
        Pick::One(i) => enter(menu, &opts[i].to, opts[i].label.clone()),
        Pick::Tie => invalid(Invalid::Ambiguous),
        Pick::None => invalid(Invalid::Unknown),
    }
}

enum Pick {
    None,
    One(usize),
    Tie,
}

/// The option with the highest score above 0; a tie between two different targets is a tie.
fn best_by(
    opts: &[super::tree::MenuOption],
    score: impl Fn(&super::tree::MenuOption) -> usize,
) -> Pick {
    let scores: Vec<usize> = opts.iter().map(score).collect();
    let Some(&top) = scores.iter().max() else {
        return Pick::None;
    };
    if top == 0 {
        return Pick::None;
    }
    let winners: Vec<usize> = (0..opts.len()).filter(|&i| scores[i] == top).collect();
    if winners.iter().all(|&i| opts[i].to == opts[winners[0]].to) {
        Pick::One(winners[0])
    } else {
        Pick::Tie
    }
}

/// How many of the label's words appear in the text: Latin words of 3+ letters as whole
/// words, Chinese as character pairs (订单查询 → 订单, 单查, 查询).
fn label_overlap(text: &str, label: &str) -> usize {
    let label = normalize(label);
    let mut hits = 0;
    for word in label.split(|c: char| !c.is_alphanumeric()) {
        if word.chars().all(|c| c.is_ascii_alphanumeric()) {
            if word.len() >= 3 && contains_word(text, word) {
                hits += 1;
            }
            continue;
        }
        let chars: Vec<char> = word.chars().collect();
        for pair in chars.windows(2) {
            let pair: String = pair.iter().collect();
            if text.contains(&pair) {
                hits += 1;
            }
        }
    }
    hits
}

/// What the customer sees at a menu node: its prompt, its options, and the way to a person.
pub fn render(menu: &Menu, node: &str) -> String {
    let Some(n) = menu.node(node) else {
        return String::new();
    };
    let mut out = n.prompt.clone();
    if let NodeKind::Options(opts) = &n.kind {
        for o in opts {
            out.push_str(&format!("\n{}. {}", o.key, o.label));
        }
        out.push_str("\n0. 人工客服 / Talk to a person");
    } else {
        out.push_str("\n（回复 0 转人工 / reply 0 for a person）");
    }
    out
}

/// The hint before a node is shown again after an input not understood.
pub fn hint(why: Invalid) -> &'static str {
    match why {
        Invalid::Unknown => {
            "抱歉，没有理解您的选择，请回复选项编号。\nSorry, I did not get that: please reply with an option's number."
        }
        Invalid::NoSuchNumber => {
            "没有这个编号，请回复列表中的编号。\nThere is no option with that number: please pick one from the list."
        }
        Invalid::Ambiguous => {
            "您的描述符合多个选项，请回复编号。\nThat fits more than one option: please reply with its number."
        }
    }
}

/// The text of a lookup's answer: `{"answer": "…"}` (or `text`), else the body as plain
/// UTF-8; control and invisible characters dropped, cut at [`MAX_ANSWER_CHARS`]. `None`
/// when nothing usable is left (the fallback is shown then).
pub fn lookup_answer(body: &[u8]) -> Option<String> {
    let raw = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(v) => v
            .get("answer")
            .or_else(|| v.get("text"))
            .and_then(|a| a.as_str())
            .map(str::to_string)?,
        Err(_) => std::str::from_utf8(body).ok()?.to_string(),
    };
    let clean: String = raw
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .filter(|c| *c == '\n' || crate::console::sanitize::is_inert(*c))
        .collect();
    let clean = clean.trim();
    if clean.is_empty() {
        return None;
    }
    let mut out: String = clean.chars().take(MAX_ANSWER_CHARS).collect();
    if clean.chars().count() > MAX_ANSWER_CHARS {
        out.push('…');
    }
    Some(out)
}
