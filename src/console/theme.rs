//! Colour themes, Helix-style: a `[palette]` of named colours and `[styles]` mapping dotted
//! scopes (`session.waiting.overdue`) to styles. Built-in themes live in `themes/*.toml`;
//! users add `<config dir>/themes/<name>.toml`, optionally `inherits = "dark"`.
//! Lookups fall back scope by scope (`session.waiting.overdue` → `session.waiting` →
//! `session` → `base`).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use ratatui::style::{Color, Modifier, Style};
use thiserror::Error;
use toml::de::{DeTable, DeValue};

use super::keymap::{Location, is_plain_name};

pub mod contrast;
mod depth;
pub use depth::{ColorDepth, nearest_16, nearest_256};
#[cfg(test)]
mod tests;

/// Every scope the console draws with. Built-in themes define them all; user themes may
/// define any subset (or other scopes) and rely on the fallback.
pub const SCOPES: &[&str] = &[
    "base",
    "border",
    "border.focused",
    "title",
    "title.focused",
    "status",
    "status.online",
    "status.busy",
    "status.away",
    "status.offline",
    "banner",
    "banner.error",
    "hint",
    "hint.key",
    "error",
    "session",
    "session.selected",
    "session.offer",
    "session.waiting",
    "session.waiting.long",
    "session.waiting.overdue",
    "session.vip",
    "session.complaint",
    "session.unread",
    "session.follow_up",
    "session.channel",
    "chat.customer",
    "chat.agent",
    "chat.bot",
    "chat.system",
    "chat.time",
    "chat.author",
    "chat.pending",
    "chat.failed",
    "chat.typing",
    "profile.label",
    "profile.value",
    "profile.tag",
    "profile.vip",
    "kb.match",
    "kb.selected",
    "kb.preview",
    "dialog",
    "dialog.title",
    "dialog.selected",
    "help.key",
    "help.action",
    "help.section",
    "composer",
    "composer.placeholder",
];

const BUILTIN: [(&str, &str); 4] = [
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("16color", include_str!("../../themes/16color.toml")),
];

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

#[derive(Debug, Error)]
pub enum ThemeError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("unknown theme `{name}` (built in: {builtin}; or put it in {searched})")]
    UnknownTheme {
        name: String,
        builtin: String,
        searched: String,
    },
    #[error("{at}: invalid TOML: {message}")]
    Toml { at: Location, message: String },
    #[error("{at}: {message}")]
    Invalid { at: Location, message: String },
    #[error("{at}: bad colour `{value}` (use \"#rrggbb\", an ANSI colour name or \"reset\")")]
    BadColor { at: Location, value: String },
    #[error("{at}: `{name}` is neither a palette entry nor a colour name")]
    UnknownColor { at: Location, name: String },
    #[error("{at}: unknown modifier `{name}` (expected one of: {expected})")]
    BadModifier {
        at: Location,
        name: String,
        expected: String,
    },
}

/// A loaded theme: every defined scope resolved to a `Style` up front, so `style()` is a
/// few hash lookups.
#[derive(Debug, Clone)]
pub struct Theme {
    name: String,
    styles: HashMap<String, Style>,
    base: Style,
}

impl Theme {
    /// Names of the themes compiled into the binary ("dark" is the default).
    pub fn builtin_names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(n, _)| *n).collect()
    }

    /// A theme compiled into the binary: "dark", "light", "high-contrast" or "16color".
    pub fn builtin(name: &str) -> Result<Theme, ThemeError> {
        match builtin_text(name) {
            Some(_) => Theme::load(name, None),
            None => Err(unknown_theme(name, "the config directory's themes/")),
        }
    }

    /// Parse one theme file; `file_label` names it in errors. It may only inherit built-ins.
    pub fn parse(text: &str, file_label: &str) -> Result<Theme, ThemeError> {
        let raw = RawTheme::parse(text, file_label, None, 0)?;
        raw.resolve(file_label)
    }

    /// The theme `name`: built in, or `<config_dir>/themes/<name>.toml`.
    pub fn load(name: &str, config_dir: Option<&Path>) -> Result<Theme, ThemeError> {
        RawTheme::load(name, config_dir, 0)?.resolve(name)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The style for `scope`, falling back to its parent scopes and finally `base`. Styles
    /// are partial (an unset fg/bg keeps what is underneath), so fill the area with `base`
    /// (or the panel's own scope) first and draw the specific styles over it.
    pub fn style(&self, scope: &str) -> Style {
        let mut scope = scope;
        loop {
            if let Some(style) = self.styles.get(scope) {
                return *style;
            }
            match scope.rfind('.') {
                Some(dot) => scope = &scope[..dot],
                None => return self.base,
            }
        }
    }
}

fn builtin_text(name: &str) -> Option<&'static str> {
    BUILTIN.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

fn unknown_theme(name: &str, searched: &str) -> ThemeError {
    ThemeError::UnknownTheme {
        name: name.to_string(),
        builtin: Theme::builtin_names().join(", "),
        searched: searched.to_string(),
    }
}

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
struct RawTheme {
    palette: HashMap<String, Color>,
    styles: HashMap<String, RawStyle>,
}

impl RawTheme {
    fn load(name: &str, config_dir: Option<&Path>, depth: usize) -> Result<RawTheme, ThemeError> {
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

    fn parse(
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
                let style = parse_style(value.get_ref(), value.span().start, &at)?;
                theme.styles.insert(scope.get_ref().to_string(), style);
            }
        }
        Ok(theme)
    }

    fn resolve(self, name: &str) -> Result<Theme, ThemeError> {
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
fn literal_color(text: &str) -> Option<Color> {
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
