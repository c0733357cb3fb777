//! Key bindings: parsing key chords (`ctrl-a`, `g g`, `shift-tab`), loading keymap files
//! (`keymaps/*.toml` built in, plus the user's `keymap.toml` overrides), and resolving key
//! presses, including multi-key sequences, to an [`Action`] for the focused [`Context`].

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use thiserror::Error;
use toml::de::{DeTable, DeValue};

use super::action::Action;

mod chord;
#[cfg(test)]
mod tests;

pub use chord::{KeyChord, format_keys, parse_keys};

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

#[derive(Debug, Error)]
pub enum KeymapError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("unknown keymap `{name}` (built in: {builtin}; or put it in {searched})")]
    UnknownKeymap {
        name: String,
        builtin: String,
        searched: String,
    },
    #[error("{at}: invalid TOML: {message}")]
    Toml { at: Location, message: String },
    #[error("{at}: {message}")]
    Invalid { at: Location, message: String },
    #[error("{at}: unknown context `[{name}]` (expected one of: {expected})")]
    UnknownContext {
        at: Location,
        name: String,
        expected: String,
    },
    #[error("{at}: unknown action `{name}` (use `none` to unbind a key)")]
    UnknownAction { at: Location, name: String },
    #[error("{at}: cannot parse key `{key}`: {reason}")]
    BadKey {
        at: Location,
        key: String,
        reason: String,
    },
    #[error("{at}: `{key}` is bound twice in [{context}] (also at {other})")]
    Duplicate {
        at: Location,
        context: &'static str,
        key: String,
        other: Location,
    },
    #[error(
        "{at}: in [{context}], `{key}` is bound but is also the start of `{longer}` \
         (bound at {other}); one of them could never be typed"
    )]
    PrefixConflict {
        at: Location,
        context: &'static str,
        key: String,
        longer: String,
        other: Location,
    },
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
}

impl Context {
    pub const ALL: [Context; 6] = [
        Context::Global,
        Context::Sessions,
        Context::Chat,
        Context::Compose,
        Context::Kb,
        Context::Dialog,
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
        }
    }

    pub fn from_name(name: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Contexts with a text field (the composer, the knowledge-base query, dialog fields):
    /// plain characters must reach the field, so only "command" chords fall through to
    /// `Global` (see [`KeyChord::is_command`]).
    pub fn is_text_input(self) -> bool {
        matches!(self, Context::Compose | Context::Kb | Context::Dialog)
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
    maps: [HashMap<Vec<KeyChord>, Binding>; 6],
    /// Proper prefixes of every binding, per context, so `feed` can answer `Pending`.
    prefixes: [HashSet<Vec<KeyChord>>; 6],
    files: usize,
}

const BUILTIN: [(&str, &str); 2] = [
    ("default", include_str!("../../keymaps/default.toml")),
    ("vim", include_str!("../../keymaps/vim.toml")),
];

impl Keymap {
    /// Names of the keymaps compiled into the binary.
    pub fn builtin_names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(n, _)| *n).collect()
    }

    /// A keymap compiled into the binary: "default" or "vim".
    pub fn builtin(name: &str) -> Result<Keymap, KeymapError> {
        match BUILTIN.iter().find(|(n, _)| *n == name) {
            Some((n, text)) => Keymap::parse(text, &format!("keymaps/{n}.toml")),
            None => Err(unknown_keymap(name, "the config directory's keymaps/")),
        }
    }

    /// Parse one keymap file; `file_label` names it in error messages.
    pub fn parse(text: &str, file_label: &str) -> Result<Keymap, KeymapError> {
        let mut keymap = Keymap::default();
        keymap.apply(text, file_label)?;
        keymap.finish()?;
        Ok(keymap)
    }

    /// The keymap `name` (built in, or `<config_dir>/keymaps/<name>.toml`), with the
    /// per-key overrides of `<config_dir>/keymap.toml` applied if that file exists.
    pub fn load(name: &str, config_dir: Option<&Path>) -> Result<Keymap, KeymapError> {
        let mut keymap = Keymap::default();
        if let Some((n, text)) = BUILTIN.iter().find(|(n, _)| *n == name) {
            keymap.apply(text, &format!("keymaps/{n}.toml"))?;
        } else {
            let path = config_dir
                .filter(|_| is_plain_name(name))
                .map(|d| d.join("keymaps").join(format!("{name}.toml")));
            let text = match &path {
                Some(p) => read_optional(p)?,
                None => None,
            };
            match (text, path) {
                (Some(text), Some(p)) => keymap.apply(&text, &p.display().to_string())?,
                (_, p) => {
                    let searched =
                        p.map_or("<config dir>/keymaps/".into(), |p| p.display().to_string());
                    return Err(unknown_keymap(name, &searched));
                }
            }
        }
        if let Some(dir) = config_dir {
            let path = dir.join("keymap.toml");
            if let Some(text) = read_optional(&path)? {
                keymap.apply(&text, &path.display().to_string())?;
            }
        }
        keymap.finish()?;
        Ok(keymap)
    }

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

    /// Apply one file's bindings on top of what is there (key by key; `none` unbinds).
    fn apply(&mut self, text: &str, file: &str) -> Result<(), KeymapError> {
        let file_no = self.files;
        self.files += 1;
        let file: Arc<str> = Arc::from(file);
        let at = |offset: usize| Location::at(file.clone(), text, offset);
        let doc = DeTable::parse(text).map_err(|e| KeymapError::Toml {
            at: at(e.span().map_or(0, |s| s.start)),
            message: e.message().trim().to_string(),
        })?;
        let mut tables: Vec<_> = doc.get_ref().iter().collect();
        tables.sort_by_key(|(k, _)| k.span().start);
        for (ctx_key, table) in tables {
            let name: &str = ctx_key.get_ref();
            let ctx = Context::from_name(name).ok_or_else(|| KeymapError::UnknownContext {
                at: at(ctx_key.span().start),
                name: name.to_string(),
                expected: Context::ALL.map(Context::name).join(", "),
            })?;
            let DeValue::Table(entries) = table.get_ref() else {
                return Err(KeymapError::Invalid {
                    at: at(table.span().start),
                    message: format!("`{name}` must be a table of key = \"action\""),
                });
            };
            let mut entries: Vec<_> = entries.iter().collect();
            entries.sort_by_key(|(k, _)| k.span().start);
            let mut seen: HashMap<Vec<KeyChord>, Location> = HashMap::new();
            for (key, value) in entries {
                let key_at = at(key.span().start);
                let keys = parse_keys(key.get_ref()).map_err(|reason| KeymapError::BadKey {
                    at: key_at.clone(),
                    key: key.get_ref().to_string(),
                    reason,
                })?;
                // `G` and `shift-g` are different TOML keys but the same binding.
                if let Some(other) = seen.insert(keys.clone(), key_at.clone()) {
                    return Err(KeymapError::Duplicate {
                        at: key_at,
                        context: ctx.name(),
                        key: format_keys(&keys),
                        other,
                    });
                }
                let value_at = at(value.span().start);
                let DeValue::String(action_name) = value.get_ref() else {
                    return Err(KeymapError::Invalid {
                        at: value_at,
                        message: "the action must be a string such as \"quit\"".to_string(),
                    });
                };
                let map = &mut self.maps[ctx.index()];
                if action_name == "none" {
                    map.remove(&keys);
                    continue;
                }
                let action =
                    Action::from_name(action_name).ok_or_else(|| KeymapError::UnknownAction {
                        at: value_at,
                        name: action_name.to_string(),
                    })?;
                let order = (file_no, key.span().start);
                map.insert(
                    keys,
                    Binding {
                        action,
                        at: key_at,
                        order,
                    },
                );
            }
        }
        Ok(())
    }

    /// Check for bindings that are prefixes of others, then index the prefixes.
    fn finish(&mut self) -> Result<(), KeymapError> {
        for ctx in Context::ALL {
            let map = &self.maps[ctx.index()];
            // (bound prefix length, longer sequence, prefix binding, longer binding)
            let mut conflicts = Vec::new();
            for (keys, long) in map {
                for n in 1..keys.len() {
                    if let Some(short) = map.get(&keys[..n]) {
                        conflicts.push((n, keys, short, long));
                    }
                }
            }
            // Report the binding that came last (usually the user's override) first.
            let worst = conflicts
                .into_iter()
                .max_by_key(|(_, _, s, l)| (s.order.max(l.order), s.order.min(l.order)));
            if let Some((n, keys, short, long)) = worst {
                let (at, other) = if short.order > long.order {
                    (&short.at, &long.at)
                } else {
                    (&long.at, &short.at)
                };
                return Err(KeymapError::PrefixConflict {
                    at: at.clone(),
                    context: ctx.name(),
                    key: format_keys(&keys[..n]),
                    longer: format_keys(keys),
                    other: other.clone(),
                });
            }
        }
        for ctx in Context::ALL {
            let prefixes = &mut self.prefixes[ctx.index()];
            prefixes.clear();
            for keys in self.maps[ctx.index()].keys() {
                for n in 1..keys.len() {
                    prefixes.insert(keys[..n].to_vec());
                }
            }
        }
        Ok(())
    }
}

fn unknown_keymap(name: &str, searched: &str) -> KeymapError {
    KeymapError::UnknownKeymap {
        name: name.to_string(),
        builtin: Keymap::builtin_names().join(", "),
        searched: searched.to_string(),
    }
}

/// Theme and keymap names become file names: keep them to one plain path component.
pub(crate) fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
}

/// The file's text, or None if it does not exist.
fn read_optional(path: &Path) -> Result<Option<String>, KeymapError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(KeymapError::Io {
            path: path.display().to_string(),
            source,
        }),
    }
}
