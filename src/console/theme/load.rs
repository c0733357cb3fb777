//! Reading theme files: TOML with `inherits`, `[palette]` and `[styles]`, resolved into
//! styles. Every mistake is reported at its `file:line:column`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use ratatui::style::{Color, Modifier, Style};
use toml::de::{DeTable, DeValue};

use super::{SCOPES, Theme, ThemeError, builtin_text, unknown_theme};
use crate::console::keymap::{Location, is_plain_name, suggest};

/// Chains of `inherits` longer than this are taken to be a cycle.
const MAX_INHERIT_DEPTH: usize = 8;

const ANSI: [(&str, Color); 17] = [
    ("reset", Color::Reset),
    ("black", Color::Black),
    ("red", Color::Red),
    ("green", Color::Green),
    ("yellow", Color::Yellow),
    ("blue", Color::Blue),
    ("magenta", Color::Magenta),
    ("cyan", Color::Cyan),
    ("gray", Color::Gray),
    ("darkgray", Color::DarkGray),
    ("lightred", Color::LightRed),
    ("lightgreen", Color::LightGreen),
    ("lightyellow", Color::LightYellow),
    ("lightblue", Color::LightBlue),
    ("lightmagenta", Color::LightMagenta),
    ("lightcyan", Color::LightCyan),
    ("white", Color::White),
];

const MODIFIERS: [(&str, Modifier); 9] = [
    ("bold", Modifier::BOLD),
    ("dim", Modifier::DIM),
    ("italic", Modifier::ITALIC),
    ("underlined", Modifier::UNDERLINED),
    ("reversed", Modifier::REVERSED),
    ("crossed_out", Modifier::CROSSED_OUT),
    ("hidden", Modifier::HIDDEN),
    ("slow_blink", Modifier::SLOW_BLINK),
    ("rapid_blink", Modifier::RAPID_BLINK),
];

/// A colour as written in `[styles]`: resolved against the final palette, after
/// inheritance, so a child theme can recolour its parent by overriding palette entries.
#[derive(Debug, Clone)]
struct ColorRef {
    text: String,
    at: Location,
}

#[derive(Debug, Clone, Default)]
struct RawStyle {
    fg: Option<ColorRef>,
    bg: Option<ColorRef>,
    modifiers: Modifier,
}

#[derive(Debug, Clone, Default)]
pub(super) struct RawTheme {
    palette: HashMap<String, Color>,
    styles: HashMap<String, RawStyle>,
}

impl RawTheme {
    pub(super) fn load(
        name: &str,
        config_dir: Option<&Path>,
        depth: usize,
    ) -> Result<RawTheme, ThemeError> {
        if let Some(text) = builtin_text(name) {
            return RawTheme::parse(text, &format!("themes/{name}.toml"), config_dir, depth);
        }
        let path = config_dir
            .filter(|_| is_plain_name(name))
            .map(|d| d.join("themes").join(format!("{name}.toml")));
        let Some(path) = path else {
            return Err(unknown_theme(name, "<config dir>/themes/"));
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => RawTheme::parse(&text, &path.display().to_string(), config_dir, depth),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(unknown_theme(name, &path.display().to_string()))
            }
            Err(source) => Err(ThemeError::Io {
                path: path.display().to_string(),
                source,
            }),
        }
    }

    pub(super) fn parse(
        text: &str,
        file: &str,
        config_dir: Option<&Path>,
        depth: usize,
    ) -> Result<RawTheme, ThemeError> {
        let file: Arc<str> = Arc::from(file);
        let at = |offset: usize| Location::at(file.clone(), text, offset);
        let doc = DeTable::parse(text).map_err(|e| ThemeError::Toml {
            at: at(e.span().map_or(0, |s| s.start)),
            message: e.message().trim().to_string(),
        })?;
        let doc = doc.get_ref();
        let invalid = |offset: usize, message: String| ThemeError::Invalid {
            at: at(offset),
            message,
        };
        if let Some((key, _)) = doc
            .iter()
            .find(|(k, _)| !["inherits", "palette", "styles"].contains(&k.get_ref().as_ref()))
        {
            let message = format!(
                "unknown key `{}` (expected inherits, palette, styles)",
                key.get_ref()
            );
            return Err(invalid(key.span().start, message));
        }
        let mut theme = match doc.get("inherits") {
            None => RawTheme::default(),
            Some(value) => {
                let offset = value.span().start;
                let DeValue::String(parent) = value.get_ref() else {
                    return Err(invalid(offset, "inherits must be a theme name".into()));
                };
                if depth >= MAX_INHERIT_DEPTH {
                    let message = format!("inheriting `{parent}` goes round in a cycle");
                    return Err(invalid(offset, message));
                }
                RawTheme::load(parent, config_dir, depth + 1).map_err(|e| match e {
                    ThemeError::UnknownTheme { .. } => invalid(offset, e.to_string()),
                    e => e,
                })?
            }
        };
        if let Some(palette) = doc.get("palette") {
            let DeValue::Table(entries) = palette.get_ref() else {
                let message = "[palette] must be a table of name = \"#rrggbb\"".into();
                return Err(invalid(palette.span().start, message));
            };
            for (name, value) in by_position(entries) {
                let value_at = at(value.span().start);
                let color = match value.get_ref() {
                    DeValue::String(s) => literal_color(s),
                    _ => None,
                };
                let color = color.ok_or_else(|| ThemeError::BadColor {
                    at: value_at,
                    value: display_value(value.get_ref()),
                })?;
                theme.palette.insert(name.get_ref().to_string(), color);
            }
        }
        if let Some(styles) = doc.get("styles") {
            let DeValue::Table(entries) = styles.get_ref() else {
                let message = "[styles] must be a table of scope = style".into();
                return Err(invalid(styles.span().start, message));
            };
            for (scope, value) in by_position(entries) {
                let name: &str = scope.get_ref();
                if !is_known_scope(name) {
                    return Err(ThemeError::UnknownScope {
                        at: at(scope.span().start),
                        name: name.to_string(),
                        hint: suggest::hint(name, known_scopes()),
                    });
                }
                let style = parse_style(value.get_ref(), value.span().start, &at)?;
                theme.styles.insert(scope.get_ref().to_string(), style);
            }
        }
        Ok(theme)
    }

    pub(super) fn resolve(self, name: &str) -> Result<Theme, ThemeError> {
        let color = |c: &Option<ColorRef>| -> Result<Option<Color>, ThemeError> {
            let Some(c) = c else { return Ok(None) };
            if let Some(color) = self
                .palette
                .get(&c.text)
                .copied()
                .or(literal_color(&c.text))
            {
                Ok(Some(color))
            } else if c.text.starts_with('#') {
                Err(ThemeError::BadColor {
                    at: c.at.clone(),
                    value: c.text.clone(),
                })
            } else {
                Err(ThemeError::UnknownColor {
                    at: c.at.clone(),
                    name: c.text.clone(),
                })
            }
        };
        let mut styles = HashMap::with_capacity(self.styles.len());
        // Sorted so that, of several bad colours, the same one is always reported.
        let mut raw: Vec<_> = self.styles.iter().collect();
        raw.sort_by(|a, b| a.0.cmp(b.0));
        for (scope, raw) in raw {
            let mut style = Style::default().add_modifier(raw.modifiers);
            style.fg = color(&raw.fg)?;
            style.bg = color(&raw.bg)?;
            styles.insert(scope.clone(), style);
        }
        let base = styles.get("base").copied().unwrap_or_default();
        Ok(Theme {
            name: name.to_string(),
            styles,
            base,
        })
    }
}

/// A style: `"colour"` (the foreground) or `{ fg = .., bg = .., modifiers = [..] }`.
fn parse_style(
    value: &DeValue<'_>,
    offset: usize,
    at: &dyn Fn(usize) -> Location,
) -> Result<RawStyle, ThemeError> {
    let color_ref = |text: &str, offset: usize| ColorRef {
        text: text.to_string(),
        at: at(offset),
    };
    let table = match value {
        DeValue::String(s) => {
            return Ok(RawStyle {
                fg: Some(color_ref(s, offset)),
                ..RawStyle::default()
            });
        }
        DeValue::Table(table) => table,
        _ => {
            return Err(ThemeError::Invalid {
                at: at(offset),
                message:
                    "a style is a colour or a table like { fg = \"red\", modifiers = [\"bold\"] }"
                        .into(),
            });
        }
    };
    let mut style = RawStyle::default();
    for (key, value) in table {
        let value_offset = value.span().start;
        match (key.get_ref().as_ref(), value.get_ref()) {
            ("fg", DeValue::String(s)) => style.fg = Some(color_ref(s, value_offset)),
            ("bg", DeValue::String(s)) => style.bg = Some(color_ref(s, value_offset)),
            ("modifiers", DeValue::Array(names)) => {
                for name in names.iter() {
                    let name_at = at(name.span().start);
                    let modifier = match name.get_ref() {
                        DeValue::String(n) => MODIFIERS.iter().find(|(m, _)| m == n),
                        _ => None,
                    };
                    let Some((_, modifier)) = modifier else {
                        return Err(ThemeError::BadModifier {
                            at: name_at,
                            name: display_value(name.get_ref()),
                            expected: MODIFIERS.map(|(m, _)| m).join(", "),
                        });
                    };
                    style.modifiers |= *modifier;
                }
            }
            ("fg" | "bg", other) => {
                return Err(ThemeError::BadColor {
                    at: at(value_offset),
                    value: display_value(other),
                });
            }
            ("modifiers", _) => {
                return Err(ThemeError::Invalid {
                    at: at(value_offset),
                    message: "modifiers must be a list such as [\"bold\", \"italic\"]".into(),
                });
            }
            (other, _) => {
                // Unquoted dotted scopes (`session.vip = ..`) arrive here as nested tables.
                let message = format!(
                    "unknown style attribute `{other}` (expected fg, bg, modifiers; \
                     quote dotted scopes: \"session.vip\" = ..)"
                );
                return Err(ThemeError::Invalid {
                    at: at(key.span().start),
                    message,
                });
            }
        }
    }
    Ok(style)
}

/// `#rrggbb`, an ANSI colour name (`grey`, `dark_gray` and the like also accepted), or `reset`.
pub(super) fn literal_color(text: &str) -> Option<Color> {
    if let Some(hex) = text.strip_prefix('#') {
        if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let rgb = u32::from_str_radix(hex, 16).ok()?;
        let [_, r, g, b] = rgb.to_be_bytes();
        return Some(Color::Rgb(r, g, b));
    }
    let name: String = text
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | ' '))
        .collect::<String>()
        .to_ascii_lowercase()
        .replace("grey", "gray");
    ANSI.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
}

/// Table entries in file order, so the first mistake in the file is the one reported.
fn by_position<'a, 'i>(
    table: &'a DeTable<'i>,
) -> Vec<(
    &'a toml::Spanned<toml::de::DeString<'i>>,
    &'a toml::Spanned<DeValue<'i>>,
)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
}

/// A TOML value as the user wrote it, roughly, for error messages.
fn display_value(value: &DeValue<'_>) -> String {
    match value {
        DeValue::String(s) => s.to_string(),
        other => format!("<{}>", other.type_str()),
    }
}

/// A scope the console draws with, or a family of them (`session` for `session.*`).
fn is_known_scope(name: &str) -> bool {
    SCOPES
        .iter()
        .any(|s| *s == name || s.strip_prefix(name).is_some_and(|r| r.starts_with('.')))
}

/// Every scope and family name, for suggestions.
fn known_scopes() -> impl Iterator<Item = &'static str> {
    SCOPES.iter().flat_map(|s| {
        s.match_indices('.')
            .map(|(i, _)| &s[..i])
            .chain(std::iter::once(*s))
    })
}
