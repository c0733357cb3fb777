//! Key chords: one key press with modifiers (`ctrl-a`, `G`, `shift-tab`), parsed from and
//! written back to keymap-file spelling, and normalised from crossterm events so that the
//! same press always compares equal.

use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// One key press: a key plus modifiers, normalised so that equal presses compare equal
/// (letters carry their case instead of SHIFT; shift-tab is `BackTab`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyChord {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

/// Modifier prefixes in the order they are written back.
const MODIFIERS: [(&str, KeyModifiers); 6] = [
    ("ctrl", KeyModifiers::CONTROL),
    ("alt", KeyModifiers::ALT),
    ("shift", KeyModifiers::SHIFT),
    ("super", KeyModifiers::SUPER),
    ("hyper", KeyModifiers::HYPER),
    ("meta", KeyModifiers::META),
];

const NAMED_KEYS: [(&str, KeyCode); 16] = [
    ("space", KeyCode::Char(' ')),
    ("enter", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("backspace", KeyCode::Backspace),
    ("delete", KeyCode::Delete),
    ("insert", KeyCode::Insert),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pageup", KeyCode::PageUp),
    ("pagedown", KeyCode::PageDown),
];

impl KeyChord {
    /// A chord from parts, normalised the same way as parsed and received keys.
    pub fn new(code: KeyCode, mods: KeyModifiers) -> KeyChord {
        let mut chord = KeyChord { code, mods };
        match chord.code {
            // The character already says whether shift was held ('G', '?').
            KeyCode::Char(c) if chord.mods.contains(KeyModifiers::SHIFT) => {
                chord.code = KeyCode::Char(upper(c));
                chord.mods.remove(KeyModifiers::SHIFT);
            }
            KeyCode::Tab if chord.mods.contains(KeyModifiers::SHIFT) => {
                chord.code = KeyCode::BackTab;
                chord.mods.remove(KeyModifiers::SHIFT);
            }
            // Terminals report shift-tab as BackTab, usually with SHIFT too.
            KeyCode::BackTab => chord.mods.remove(KeyModifiers::SHIFT),
            _ => {}
        }
        chord
    }

    /// The chord for a terminal key event. Event kinds (press/repeat/release) are the
    /// caller's business: feed presses (and repeats) only.
    pub fn from_event(event: &KeyEvent) -> KeyChord {
        KeyChord::new(event.code, event.modifiers)
    }

    /// Whether this chord escapes a text field to reach global bindings: it uses ctrl, alt
    /// (or super), or is a function key or esc. Plain characters and editing keys do not.
    pub fn is_command(&self) -> bool {
        self.mods
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SUPER)
            || matches!(self.code, KeyCode::F(_) | KeyCode::Esc)
    }
}

/// Uppercase a single character if that gives a single character (`g` → `G`, `?` → `?`).
fn upper(c: char) -> char {
    let mut up = c.to_uppercase();
    match (up.next(), up.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

impl std::str::FromStr for KeyChord {
    type Err = String;

    fn from_str(s: &str) -> Result<KeyChord, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = s;
        // Strip `mod-` prefixes, but never the last segment: `ctrl--` is ctrl plus `-`.
        'strip: loop {
            for (name, m) in MODIFIERS {
                let n = name.len();
                if rest.len() > n + 1
                    && rest.is_char_boundary(n)
                    && rest[..n].eq_ignore_ascii_case(name)
                    && rest[n..].starts_with('-')
                {
                    mods |= m;
                    rest = &rest[n + 1..];
                    continue 'strip;
                }
            }
            break;
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (None, _) => return Err("empty key".to_string()),
            (Some(c), None) => {
                if mods.contains(KeyModifiers::SHIFT) && !c.is_alphabetic() {
                    return Err(format!(
                        "shift only applies to letters and named keys; \
                         write the character shift produces instead of `shift-{c}`"
                    ));
                }
                KeyCode::Char(c)
            }
            _ => named_key(rest).ok_or_else(|| format!("unknown key name `{rest}`"))?,
        };
        Ok(KeyChord::new(code, mods))
    }
}

fn named_key(name: &str) -> Option<KeyCode> {
    let lower = name.to_ascii_lowercase();
    if let Some((_, code)) = NAMED_KEYS.iter().find(|(n, _)| *n == lower) {
        return Some(*code);
    }
    match lower.as_str() {
        "return" => return Some(KeyCode::Enter),
        "escape" => return Some(KeyCode::Esc),
        "del" => return Some(KeyCode::Delete),
        "pgup" => return Some(KeyCode::PageUp),
        "pgdn" => return Some(KeyCode::PageDown),
        _ => {}
    }
    let n: u8 = lower.strip_prefix('f')?.parse().ok()?;
    (1..=12).contains(&n).then_some(KeyCode::F(n))
}

impl fmt::Display for KeyChord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut mods = self.mods;
        if self.code == KeyCode::BackTab {
            mods |= KeyModifiers::SHIFT;
        }
        for (name, m) in MODIFIERS {
            if mods.contains(m) {
                write!(f, "{name}-")?;
            }
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::BackTab => f.write_str("tab"),
            KeyCode::F(n) => write!(f, "f{n}"),
            code => match NAMED_KEYS.iter().find(|(_, c)| *c == code) {
                Some((name, _)) => f.write_str(name),
                None => write!(f, "{}", format!("{code:?}").to_lowercase()),
            },
        }
    }
}

/// Parse a space-separated key sequence such as `g g`, `space t` or `ctrl-w >`.
pub fn parse_keys(s: &str) -> Result<Vec<KeyChord>, String> {
    let keys = s
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<Vec<KeyChord>, String>>()?;
    if keys.is_empty() {
        return Err("empty key sequence".to_string());
    }
    Ok(keys)
}

/// Write a key sequence back the way keymap files spell it.
pub fn format_keys(keys: &[KeyChord]) -> String {
    let parts: Vec<String> = keys.iter().map(KeyChord::to_string).collect();
    parts.join(" ")
}
