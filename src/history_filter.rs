//! The History filter line (`tag:退款 agent:alice after:2026-11-01 "full refund" words`) read
//! into a [`HistorySearch`] request, and a request printed back as a line ([`to_line`]) for a
//! History screen opened prefilled. Pure: the clock and the time zone dates are read in are
//! passed in, so `after:2026-11-01` means midnight where the agent sits.
//!
//! The syntax, token by token (tokens are separated by spaces; `"…"` keeps spaces together,
//! also as a value: `tag:"vip customer"`; a full-width colon `：` works like `:`):
//!
//! | token | meaning |
//! |---|---|
//! | `tag:退款` | carries this tag (repeatable: all of them) |
//! | `agent:alice` / `group:vip` / `intent:refund` | served by, in the group, recognised intent |
//! | `channel:web` | `web`, `app`, `mini_program`, `api` |
//! | `outcome:resolved` | `resolved`, `unresolved`, `abandoned`, `customer_left` |
//! | `csat:5`, `csat:4+`, `csat:1-2`, `csat:-2` | stars, at least, a range, at most |
//! | `customer:#42`, `customer:小明` | the customer's id, external id or nickname |
//! | `after:` / `before:` / `on:` | `2026-11-01`, `2026-11-01T09:00`, `today`, `yesterday`, `7d`, `24h`, `2w` (ago) |
//! | `is:open`, `is:ended` | still open, or ended |
//! | `"quoted words"` | these words together in one message |
//! | anything else | words that must all occur in one message |
//!
//! `before:` is exclusive (`before:2026-11-20` ends at midnight starting the 20th); `on:` is one
//! whole local day. A word that looks like a filter but is not one (`foo:bar`) is an error
//! naming it, so a typo never silently becomes a text search; quote it to search for it.

use crate::model::{Channel, EndReason, Millis};
use crate::protocol::HistorySearch;
use jiff::tz::TimeZone;

/// The filter keys, in the order errors list them.
pub const KEYS: &[&str] = &[
    "tag", "agent", "group", "channel", "outcome", "csat", "intent", "customer", "after", "before",
    "on", "is",
];

/// What each value may be, for the error of a bad one.
const CHANNELS: &str = "web, app, mini_program, api";
const OUTCOMES: &str = "resolved, unresolved, abandoned, customer_left";
const CSATS: &str = "5, 4+, 1-2, -2 (stars 1–5)";
const DATES: &str = "2026-11-01, 2026-11-01T09:00, today, yesterday, 7d, 24h, 2w";
const IS: &str = "open, ended";

/// Longest filter line read (a request is bounded on the server too).
pub const MAX_LINE: usize = 1_000;

/// Why a filter line could not be read. `Display` is English (the CLI's); the console words
/// each variant in its own language from the same fields.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error(
        "unknown filter `{key}:`; use {} (quote it to search the words)",
        keys_list()
    )]
    UnknownKey { key: String },
    #[error("`{key}:` needs a value")]
    Empty { key: String },
    #[error("`{key}:{value}` is not understood; use {allowed}")]
    BadValue {
        key: String,
        value: String,
        allowed: &'static str,
    },
    #[error("`{key}:` is given twice")]
    Twice { key: String },
    #[error("a quote (\") is not closed")]
    Unclosed,
    #[error("nothing can be both after {after} and before {before}")]
    EmptyRange { after: String, before: String },
    #[error("the filter is longer than {MAX_LINE} characters")]
    TooLong,
}

/// `tag:, agent:, …` for messages.
pub fn keys_list() -> String {
    KEYS.iter()
        .map(|k| format!("{k}:"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One token of the line: `key:value` or a word (a quoted phrase keeps its quotes, which
/// the server reads as "these words together").
#[derive(Debug, PartialEq)]
enum Token {
    Filter { key: String, value: String },
    Word(String),
}

/// Splits the line at spaces outside quotes.
fn tokens(line: &str) -> Result<Vec<Token>, FilterError> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(&first) = chars.peek() else {
            return Ok(out);
        };
        if first == '"' {
            chars.next();
            let phrase = quoted(&mut chars)?;
            if !phrase.trim().is_empty() {
                out.push(Token::Word(format!("\"{}\"", phrase.trim())));
            }
            continue;
        }
        let mut word = String::new();
        while let Some(c) = chars.next_if(|c| !c.is_whitespace() && *c != '"') {
            word.push(c);
        }
        // A full-width colon separates a key too; in a word of text it stays as written.
        let split = word
            .char_indices()
            .find(|(_, c)| matches!(c, ':' | '：'))
            .map(|(i, c)| (&word[..i], &word[i + c.len_utf8()..]));
        match split {
            Some((key, value))
                if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphabetic() || c == '_') =>
            {
                let mut value = value.to_string();
                // `tag:"two words"`: the quoted part is the value.
                if value.is_empty() && chars.peek() == Some(&'"') {
                    chars.next();
                    value = quoted(&mut chars)?.trim().to_string();
                }
                out.push(Token::Filter {
                    key: key.to_ascii_lowercase(),
                    value,
                });
            }
            _ if word.is_empty() => {
                // A quote right after a word (`abc"def"`): read it as its own phrase.
                chars.next();
                let phrase = quoted(&mut chars)?;
                if !phrase.trim().is_empty() {
                    out.push(Token::Word(format!("\"{}\"", phrase.trim())));
                }
            }
            _ => out.push(Token::Word(word)),
        }
    }
}

/// The rest of a quoted phrase, up to its closing quote.
fn quoted(chars: &mut std::iter::Peekable<std::str::Chars>) -> Result<String, FilterError> {
    let mut s = String::new();
    for c in chars.by_ref() {
        if c == '"' {
            return Ok(s);
        }
        s.push(c);
    }
    Err(FilterError::Unclosed)
}

/// Reads a filter line. `now` and `tz` give `today`, `7d` and dates their meaning.
pub fn parse(line: &str, now: Millis, tz: &TimeZone) -> Result<HistorySearch, FilterError> {
    if line.chars().count() > MAX_LINE {
        return Err(FilterError::TooLong);
    }
    let mut q = HistorySearch::default();
    let mut words: Vec<String> = Vec::new();
    let mut on: Option<(Millis, Millis)> = None;
    for token in tokens(line)? {
        let (key, value) = match token {
            Token::Word(w) => {
                words.push(w);
                continue;
            }
            Token::Filter { key, value } => (key, value),
        };
        if !KEYS.contains(&key.as_str()) {
            return Err(FilterError::UnknownKey { key });
        }
        if value.is_empty() {
            return Err(FilterError::Empty { key });
        }
        let bad = |allowed| FilterError::BadValue {
            key: key.clone(),
            value: value.clone(),
            allowed,
        };
        let twice = FilterError::Twice { key: key.clone() };
        match key.as_str() {
            "tag" => {
                if !q.tags.contains(&value) {
                    q.tags.push(value);
                }
            }
            "agent" => set(
                &mut q.agent,
                value.trim_start_matches('@').to_string(),
                twice,
            )?,
            "group" => set(
                &mut q.group,
                value.trim_start_matches('#').to_string(),
                twice,
            )?,
            "intent" => set(&mut q.intent, value, twice)?,
            "customer" => set(&mut q.customer, value, twice)?,
            "channel" => {
                let c: Channel = value.parse().map_err(|_| bad(CHANNELS))?;
                set(&mut q.channel, c, twice)?
            }
            "outcome" => {
                let o: EndReason = value.parse().map_err(|_| bad(OUTCOMES))?;
                set(&mut q.outcome, o, twice)?
            }
            "csat" => {
                if q.csat_min.is_some() || q.csat_max.is_some() {
                    return Err(twice);
                }
                let (min, max) = csat(&value).ok_or_else(|| bad(CSATS))?;
                q.csat_min = min;
                q.csat_max = max;
            }
            "is" => {
                let open = match value.to_ascii_lowercase().as_str() {
                    "open" => true,
                    "ended" | "closed" => false,
                    _ => return Err(bad(IS)),
                };
                set(&mut q.open, open, twice)?
            }
            "after" => set(
                &mut q.after,
                moment(&value, now, tz).ok_or_else(|| bad(DATES))?,
                twice,
            )?,
            "before" => set(
                &mut q.before,
                moment(&value, now, tz).ok_or_else(|| bad(DATES))?,
                twice,
            )?,
            // "on": the whole local day of the moment.
            _ => {
                if on.is_some() {
                    return Err(twice);
                }
                let start = day_start(&value, now, tz).ok_or_else(|| bad(DATES))?;
                let end = next_day(start, tz).ok_or_else(|| bad(DATES))?;
                on = Some((start, end));
            }
        }
    }
    if let Some((start, end)) = on {
        // `on:` narrows whatever after:/before: said.
        q.after = Some(q.after.map_or(start, |a| a.max(start)));
        q.before = Some(q.before.map_or(end, |b| b.min(end)));
    }
    if let (Some(a), Some(b)) = (q.after, q.before)
        && a >= b
    {
        return Err(FilterError::EmptyRange {
            after: show_moment(a, tz),
            before: show_moment(b, tz),
        });
    }
    if !words.is_empty() {
        q.text = Some(words.join(" "));
    }
    Ok(q)
}

fn set<T>(slot: &mut Option<T>, value: T, twice: FilterError) -> Result<(), FilterError> {
    if slot.is_some() {
        return Err(twice);
    }
    *slot = Some(value);
    Ok(())
}

/// `5` → (5, 5); `4+` → (4, -); `1-2` → (1, 2); `-2` → (-, 2). Stars are 1–5, min ≤ max.
fn csat(v: &str) -> Option<(Option<u8>, Option<u8>)> {
    let star = |s: &str| s.parse::<u8>().ok().filter(|n| (1..=5).contains(n));
    let (min, max) = if let Some(min) = v.strip_suffix('+') {
        (Some(star(min)?), None)
    } else if let Some(max) = v.strip_prefix('-') {
        (None, Some(star(max)?))
    } else if let Some((a, b)) = v.split_once('-') {
        (Some(star(a)?), Some(star(b)?))
    } else {
        let n = star(v)?;
        (Some(n), Some(n))
    };
    match (min, max) {
        (Some(a), Some(b)) if a > b => None,
        _ => Some((min, max)),
    }
}

fn zoned(at: Millis, tz: &TimeZone) -> Option<jiff::ZonedDateTime> {
    Some(
        jiff::Timestamp::from_millisecond(at)
            .ok()?
            .to_zoned_datetime(tz.clone()),
    )
}

fn local(dt: jiff::civil::DateTime, tz: &TimeZone) -> Option<Millis> {
    Some(
        dt.to_zoned_datetime(tz.clone())
            .ok()?
            .timestamp()
            .as_millisecond(),
    )
}

/// A moment: a date (its local midnight), a date and time, `today`/`yesterday` (midnight),
/// or `7d`/`24h`/`2w` ago.
fn moment(v: &str, now: Millis, tz: &TimeZone) -> Option<Millis> {
    ago(v, now)
        .or_else(|| date_time(v, tz))
        .or_else(|| local(day(v, now, tz)?.at(0, 0, 0, 0), tz))
}

/// `7d`, `24h`, `2w` before `now`.
fn ago(v: &str, now: Millis) -> Option<Millis> {
    let v = v.to_ascii_lowercase();
    let unit: i64 = match v.chars().last()? {
        'h' => 3_600_000,
        'd' => 86_400_000,
        'w' => 7 * 86_400_000,
        _ => return None,
    };
    let n = &v[..v.len() - 1];
    if n.is_empty() || !n.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let n: i64 = n.parse().ok().filter(|n| *n <= 100_000)?;
    now.checked_sub(n.checked_mul(unit)?)
}

/// `2026-11-01T09:00` (local).
fn date_time(v: &str, tz: &TimeZone) -> Option<Millis> {
    if !v.contains(['T', 't']) {
        return None;
    }
    let dt: jiff::civil::DateTime = v.to_ascii_uppercase().parse().ok()?;
    local(dt, tz)
}

/// `2026-11-01`, `today`, `yesterday`.
fn day(v: &str, now: Millis, tz: &TimeZone) -> Option<jiff::civil::Date> {
    let today = zoned(now, tz)?.date();
    match v.to_ascii_lowercase().as_str() {
        "today" => Some(today),
        "yesterday" => today.yesterday().ok(),
        other => other.parse().ok(),
    }
}

/// Local midnight starting the day `v` names (for `on:`): a day, or the day of a moment.
fn day_start(v: &str, now: Millis, tz: &TimeZone) -> Option<Millis> {
    let d = match day(v, now, tz) {
        Some(d) => d,
        None => zoned(ago(v, now).or_else(|| date_time(v, tz))?, tz)?.date(),
    };
    local(d.at(0, 0, 0, 0), tz)
}

fn next_day(start: Millis, tz: &TimeZone) -> Option<Millis> {
    let d = zoned(start, tz)?.date().tomorrow().ok()?;
    local(d.at(0, 0, 0, 0), tz)
}

/// A moment as the filter writes it: `2026-11-01` at local midnight, else `2026-11-01T09:00`.
pub fn show_moment(at: Millis, tz: &TimeZone) -> String {
    match zoned(at, tz) {
        Some(z) if z.hour() == 0 && z.minute() == 0 && z.second() == 0 => {
            z.strftime("%Y-%m-%d").to_string()
        }
        Some(z) => z.strftime("%Y-%m-%dT%H:%M").to_string(),
        None => at.to_string(),
    }
}

/// `value` as the line writes it: quoted when it has spaces or quotes would be misread.
fn word(key: &str, value: &str) -> String {
    if value.chars().any(|c| c.is_whitespace() || c == '"') || value.is_empty() {
        // A quote inside cannot be written; it becomes a space (filters never match it).
        format!("{key}:\"{}\"", value.replace('"', " ").trim())
    } else {
        format!("{key}:{value}")
    }
}

/// The filter line that asks for `q` (paging and page size are not part of it). Reading it
/// back with [`parse`] in the same zone gives `q` again.
pub fn to_line(q: &HistorySearch, tz: &TimeZone) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(c) = &q.customer {
        parts.push(word("customer", c));
    }
    for t in &q.tags {
        parts.push(word("tag", t));
    }
    let named = [
        ("agent", &q.agent),
        ("group", &q.group),
        ("intent", &q.intent),
    ];
    for (key, v) in named {
        if let Some(v) = v {
            parts.push(word(key, v));
        }
    }
    if let Some(c) = q.channel {
        parts.push(format!("channel:{c}"));
    }
    if let Some(o) = q.outcome {
        parts.push(format!("outcome:{o}"));
    }
    match (q.csat_min, q.csat_max) {
        (Some(a), Some(b)) if a == b => parts.push(format!("csat:{a}")),
        (Some(a), Some(b)) => parts.push(format!("csat:{a}-{b}")),
        (Some(a), None) => parts.push(format!("csat:{a}+")),
        (None, Some(b)) => parts.push(format!("csat:-{b}")),
        (None, None) => {}
    }
    if let Some(a) = q.after {
        parts.push(format!("after:{}", show_moment(a, tz)));
    }
    if let Some(b) = q.before {
        parts.push(format!("before:{}", show_moment(b, tz)));
    }
    if let Some(open) = q.open {
        parts.push(format!("is:{}", if open { "open" } else { "ended" }));
    }
    if let Some(t) = &q.text {
        parts.push(t.clone());
    }
    parts.join(" ")
}

#[cfg(test)]
#[path = "history_filter_tests.rs"]
mod tests;
