//! Colour themes, Helix-style: a `[palette]` of named colours and `[styles]` mapping dotted
//! scopes (`session.waiting.overdue`) to styles. Built-in themes live in `themes/*.toml`;
//! users add `<config dir>/themes/<name>.toml`, optionally `inherits = "dark"`. A scope
//! the console does not draw with (a typo) is an error, located like every other.
//! Lookups fall back scope by scope (`session.waiting.overdue` → `session.waiting` →
//! `session` → `base`).

use std::collections::HashMap;
use std::path::Path;

use ratatui::style::Style;
use thiserror::Error;

use super::keymap::Location;
use load::RawTheme;

pub mod contrast;
mod depth;
mod load;
pub use depth::{ColorDepth, nearest_16, nearest_256};
#[cfg(test)]
mod tests;

/// Every scope the console draws with. Built-in themes define them all; user themes may
/// define any subset, or a family (`session`), and rely on the fallback.
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
    "status.disconnected",
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
    "session.offline",
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
    "kb.diff.add",
    "kb.diff.del",
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
    #[error("{at}: unknown scope `{name}` ({hint}the scopes are listed in themes/dark.toml)")]
    UnknownScope {
        at: Location,
        name: String,
        /// "did you mean `x`? " or empty.
        hint: String,
    },
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
