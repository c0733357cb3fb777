//! Key bindings: parsing key chords (`ctrl-a`, `g g`, `shift-tab`), loading keymap files
//! (`keymaps/*.toml` built in, plus the user's `keymap.toml` overrides), and resolving key
//! presses, including multi-key sequences, to an [`Action`] for the focused [`Context`].

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

use super::action::Action;

mod chord;
mod describe;
mod error;
mod load;
pub mod suggest;
#[cfg(test)]
mod tests;

pub use chord::{KeyChord, format_keys, parse_keys};
pub use describe::describe;
pub use error::KeymapError;
pub(crate) use load::is_plain_name;

/// Where something is in a source file, for error messages: `file:line:column` (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// Shared: every binding remembers where it came from.
    pub file: Arc<str>,
    pub line: u32,
    pub column: u32,
}

impl Location {
    /// The location of byte `offset` in `text` (clamped to the end of the text).
    pub fn at(file: impl Into<Arc<str>>, text: &str, offset: usize) -> Location {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let count = |n: usize| u32::try_from(n + 1).unwrap_or(u32::MAX);
        Location {
            file: file.into(),
            line: count(before.matches('\n').count()),
            column: count(before[line_start..].chars().count()),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// Which part of the console has the keyboard. Bindings in the focused context win over
/// `Global` ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    Global,
    Sessions,
    Chat,
    Compose,
    Kb,
    Dialog,
    /// The Reports screen (`app::report`).
    Reports,
    /// The History screen (`app/history.rs`): a filter line over results.
    History,
    /// The supervisor's live view (`[dashboard]`).
    Dashboard,
    /// The audit log, for admins (`[audit]`).
    Audit,
    /// The Account screen (`[account]`): profile form and signed-in devices.
    Account,
}

impl Context {
    pub const ALL: [Context; 11] = [
        Context::Global,
        Context::Sessions,
        Context::Chat,
        Context::Compose,
        Context::Kb,
        Context::Dialog,
        Context::Reports,
        Context::History,
        Context::Dashboard,
        Context::Audit,
        Context::Account,
    ];

    /// The table name in keymap files.
    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Sessions => "sessions",
            Context::Chat => "chat",
            Context::Compose => "compose",
            Context::Kb => "kb",
            Context::Dialog => "dialog",
            Context::Reports => "reports",
            Context::History => "history",
            Context::Dashboard => "dashboard",
            Context::Audit => "audit",
            Context::Account => "account",
        }
    }

    pub fn from_name(name: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Contexts with a text field (the composer, the knowledge-base query, dialog fields):
    /// plain characters must reach the field, so only "command" chords fall through to
    /// `Global` (see [`KeyChord::is_command`]).
    pub fn is_text_input(self) -> bool {
        matches!(
            self,
            Context::Compose | Context::Kb | Context::Dialog | Context::History | Context::Account
        )
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// What a key press meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyResult {
    Action(Action),
    /// The keys so far start a longer binding; wait for the next one.
    Pending,
    /// Nothing bound: in text contexts the caller types the key.
    Unbound,
}

#[derive(Debug, Clone)]
struct Binding {
    action: Action,
    at: Location,
    /// (file number, byte offset): which binding came later, for conflict reports.
    order: (usize, usize),
}

enum Lookup {
    Exact(Action),
    Prefix,
    Miss,
}

/// Bindings per context. Build with [`Keymap::load`], [`Keymap::builtin`] or
/// [`Keymap::parse`]; resolve presses with [`Keymap::feed`].
#[derive(Debug, Clone, Default)]
pub struct Keymap {
    maps: [HashMap<Vec<KeyChord>, Binding>; Context::ALL.len()],
    /// Proper prefixes of every binding, per context, so `feed` can answer `Pending`.
    prefixes: [HashSet<Vec<KeyChord>>; Context::ALL.len()],
    files: usize,
}

impl Keymap {
    /// Resolve one key press in `ctx`. `pending` holds the keys of an unfinished sequence
    /// between calls (start with an empty Vec; it is cleared once a sequence resolves).
    /// If a sequence turns out to be unbound, the new key is retried on its own.
    pub fn feed(&self, ctx: Context, pending: &mut Vec<KeyChord>, key: KeyChord) -> KeyResult {
        pending.push(key);
        let mut result = self.lookup(ctx, pending);
        if matches!(result, Lookup::Miss) && pending.len() > 1 {
            pending.clear();
            pending.push(key);
            result = self.lookup(ctx, pending);
        }
        match result {
            Lookup::Exact(action) => {
                pending.clear();
                KeyResult::Action(action)
            }
            Lookup::Prefix => KeyResult::Pending,
            Lookup::Miss => {
                pending.clear();
                KeyResult::Unbound
            }
        }
    }

    /// The bindings of `ctx` itself (not the global ones), in `Action` order then by key,
    /// for the help overlay.
    pub fn bindings(&self, ctx: Context) -> Vec<(String, Action)> {
        let mut out: Vec<(String, Action)> = self.maps[ctx.index()]
            .iter()
            .map(|(keys, b)| (format_keys(keys), b.action))
            .collect();
        out.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
        out
    }

    /// Every key sequence that triggers `action` when `ctx` has focus, global bindings
    /// included unless shadowed or blocked by a text field; simplest first.
    pub fn keys_for(&self, ctx: Context, action: Action) -> Vec<String> {
        let mut candidates: Vec<&Vec<KeyChord>> = Vec::new();
        for c in [ctx, Context::Global] {
            candidates.extend(
                self.maps[c.index()]
                    .iter()
                    .filter(|(_, b)| b.action == action)
                    .map(|(k, _)| k),
            );
        }
        let mut out: Vec<(usize, String)> = candidates
            .into_iter()
            .filter(|keys| self.reaches(ctx, keys, action))
            .map(|keys| (keys.len(), format_keys(keys)))
            .collect();
        out.sort_by(|a, b| (a.0, a.1.len(), &a.1).cmp(&(b.0, b.1.len(), &b.1)));
        out.dedup();
        out.into_iter().map(|(_, s)| s).collect()
    }

    /// What can follow the pending keys `prefix` in `ctx` (for the which-key popup): the
    /// keys still to type and the action they lead to, for every binding that the prefix
    /// really leads on to, in key order.
    pub fn continuations(&self, ctx: Context, prefix: &[KeyChord]) -> Vec<(String, Action)> {
        if prefix.is_empty() {
            return Vec::new();
        }
        let mut out: Vec<(String, Action)> = [ctx, Context::Global]
            .into_iter()
            .flat_map(|c| self.maps[c.index()].iter())
            .filter(|(keys, b)| {
                keys.len() > prefix.len()
                    && keys.starts_with(prefix)
                    && self.reaches(ctx, keys, b.action)
            })
            .map(|(keys, b)| (format_keys(&keys[prefix.len()..]), b.action))
            .collect();
        // Single keys first, then sequences; each in a stable order.
        out.sort_by(|a, b| (a.0.contains(' '), &a.0, a.1).cmp(&(b.0.contains(' '), &b.0, b.1)));
        out.dedup();
        out
    }

    /// Whether typing `keys` in `ctx` really ends in `action`.
    fn reaches(&self, ctx: Context, keys: &[KeyChord], action: Action) -> bool {
        (1..keys.len()).all(|n| matches!(self.lookup(ctx, &keys[..n]), Lookup::Prefix))
            && matches!(self.lookup(ctx, keys), Lookup::Exact(a) if a == action)
    }

    /// The focused context first, then global (only command chords from text fields).
    fn lookup(&self, ctx: Context, keys: &[KeyChord]) -> Lookup {
        let here = self.lookup_in(ctx, keys);
        if !matches!(here, Lookup::Miss) || ctx == Context::Global {
            return here;
        }
        match keys.first() {
            Some(first) if !ctx.is_text_input() || first.is_command() => {
                self.lookup_in(Context::Global, keys)
            }
            _ => Lookup::Miss,
        }
    }

    fn lookup_in(&self, ctx: Context, keys: &[KeyChord]) -> Lookup {
        if let Some(b) = self.maps[ctx.index()].get(keys) {
            Lookup::Exact(b.action)
        } else if self.prefixes[ctx.index()].contains(keys) {
            Lookup::Prefix
        } else {
            Lookup::Miss
        }
    }
}
