//! Loading keymaps: built-in files, the user's `keymaps/NAME.toml` and `keymap.toml`
//! overrides, applied key by key. Every problem in every file is collected and reported at
//! once, each at its `file:line:column`, so a broken keymap is fixed in one pass.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use toml::de::{DeTable, DeValue};

use super::suggest;
use super::{Binding, Context, KeyChord, Keymap, KeymapError, Location, format_keys, parse_keys};
use crate::console::action::Action;

const BUILTIN: [(&str, &str); 2] = [
    ("default", include_str!("../../../keymaps/default.toml")),
    ("vim", include_str!("../../../keymaps/vim.toml")),
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
        let mut errors = keymap.apply(text, file_label);
        errors.extend(keymap.finish());
        KeymapError::from_all(errors)?;
        Ok(keymap)
    }

    /// The keymap `name` (built in, or `<config_dir>/keymaps/<name>.toml`), with the
    /// per-key overrides of `<config_dir>/keymap.toml` applied if that file exists.
    pub fn load(name: &str, config_dir: Option<&Path>) -> Result<Keymap, KeymapError> {
        let mut keymap = Keymap::default();
        let mut errors = Vec::new();
        if let Some((n, text)) = BUILTIN.iter().find(|(n, _)| *n == name) {
            errors.extend(keymap.apply(text, &format!("keymaps/{n}.toml")));
        } else {
            let path = config_dir
                .filter(|_| is_plain_name(name))
                .map(|d| d.join("keymaps").join(format!("{name}.toml")));
            let text = match &path {
                Some(p) => read_optional(p)?,
                None => None,
            };
            match (text, path) {
                (Some(text), Some(p)) => {
                    errors.extend(keymap.apply(&text, &p.display().to_string()))
                }
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
                errors.extend(keymap.apply(&text, &path.display().to_string()));
            }
        }
        errors.extend(keymap.finish());
        KeymapError::from_all(errors)?;
        Ok(keymap)
    }

    /// Apply one file's bindings on top of what is there (key by key; `none` unbinds).
    /// Returns every problem found; the good bindings are applied regardless.
    fn apply(&mut self, text: &str, file: &str) -> Vec<KeymapError> {
        let file_no = self.files;
        self.files += 1;
        let file: Arc<str> = Arc::from(file);
        let at = |offset: usize| Location::at(file.clone(), text, offset);
        let doc = match DeTable::parse(text) {
            Ok(doc) => doc,
            Err(e) => {
                return vec![KeymapError::Toml {
                    at: at(e.span().map_or(0, |s| s.start)),
                    message: e.message().trim().to_string(),
                }];
            }
        };
        let mut errors = Vec::new();
        let mut tables: Vec<_> = doc.get_ref().iter().collect();
        tables.sort_by_key(|(k, _)| k.span().start);
        for (ctx_key, table) in tables {
            let name: &str = ctx_key.get_ref();
            let Some(ctx) = Context::from_name(name) else {
                errors.push(KeymapError::UnknownContext {
                    at: at(ctx_key.span().start),
                    name: name.to_string(),
                    expected: Context::ALL.map(Context::name).join(", "),
                });
                continue;
            };
            let DeValue::Table(entries) = table.get_ref() else {
                errors.push(KeymapError::Invalid {
                    at: at(table.span().start),
                    message: format!("`{name}` must be a table of key = \"action\""),
                });
                continue;
            };
            let mut entries: Vec<_> = entries.iter().collect();
            entries.sort_by_key(|(k, _)| k.span().start);
            let mut seen: HashMap<Vec<KeyChord>, Location> = HashMap::new();
            for (key, value) in entries {
                let key_at = at(key.span().start);
                let keys = match parse_keys(key.get_ref()) {
                    Ok(keys) => keys,
                    Err(reason) => {
                        errors.push(KeymapError::BadKey {
                            at: key_at,
                            key: key.get_ref().to_string(),
                            reason,
                        });
                        continue;
                    }
                };
                // `G` and `shift-g` are different TOML keys but the same binding.
                if let Some(other) = seen.insert(keys.clone(), key_at.clone()) {
                    errors.push(KeymapError::Duplicate {
                        at: key_at,
                        context: ctx.name(),
                        key: format_keys(&keys),
                        other,
                    });
                    continue;
                }
                let value_at = at(value.span().start);
                let DeValue::String(action_name) = value.get_ref() else {
                    errors.push(KeymapError::Invalid {
                        at: value_at,
                        message: "the action must be a string such as \"quit\"".to_string(),
                    });
                    continue;
                };
                let map = &mut self.maps[ctx.index()];
                if action_name == "none" {
                    map.remove(&keys);
                    continue;
                }
                let Some(action) = Action::from_name(action_name) else {
                    errors.push(KeymapError::UnknownAction {
                        at: value_at,
                        name: action_name.to_string(),
                        hint: suggest::hint(action_name, Action::ALL.iter().map(|a| a.name())),
                    });
                    continue;
                };
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
        errors
    }

    /// Report every binding that is a prefix of another (at the later of the two, usually
    /// the user's override), then index the prefixes.
    fn finish(&mut self) -> Vec<KeymapError> {
        let mut errors = Vec::new();
        for ctx in Context::ALL {
            let map = &self.maps[ctx.index()];
            // (sort key, error): reported in the order the offending lines were written.
            let mut conflicts = Vec::new();
            for (keys, long) in map {
                for n in 1..keys.len() {
                    let Some(short) = map.get(&keys[..n]) else {
                        continue;
                    };
                    let (at, other) = if short.order > long.order {
                        (short, long)
                    } else {
                        (long, short)
                    };
                    conflicts.push((
                        at.order,
                        KeymapError::PrefixConflict {
                            at: at.at.clone(),
                            context: ctx.name(),
                            key: format_keys(&keys[..n]),
                            longer: format_keys(keys),
                            other: other.at.clone(),
                        },
                    ));
                }
            }
            conflicts.sort_by_key(|(order, _)| *order);
            errors.extend(conflicts.into_iter().map(|(_, e)| e));
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
        errors
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
