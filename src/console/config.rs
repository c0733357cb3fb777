//! The console's `config.toml` (server, username, language, keymap, theme, alerts) and the
//! remembered workbench layout, in the config directory: `KEFU_CONFIG_DIR`, else
//! `$XDG_CONFIG_HOME/kefu` (on every platform), else the platform config dir.
//!
//! Mistakes in `config.toml` are reported at `file:line:column`, like those in keymap and
//! theme files: bad TOML, unknown keys, a language other than en/zh, and a theme or keymap
//! that exists neither built in nor in the config directory (with a "did you mean").

use crate::console::app::LayoutPrefs;
use crate::console::i18n::Lang;
use crate::console::keymap::{Keymap, Location, is_plain_name, suggest};
use crate::console::theme::Theme;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use thiserror::Error;
use toml::de::DeTable;

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{at}: {message}")]
    Invalid { at: Location, message: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConsoleConfig {
    /// Last server used, e.g. `ws://127.0.0.1:7800` (`wss://` for TLS).
    pub server: Option<String>,
    /// A CA certificate (PEM) trusted for `wss://` besides the public roots (`--ca`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca: Option<PathBuf>,
    pub username: Option<String>,
    /// `en` or `zh`; default from `LANG`.
    pub lang: Option<String>,
    /// A builtin (`default`, `vim`) or `keymaps/NAME.toml` in the config dir; `keymap.toml`
    /// in the config dir overrides single keys on top.
    pub keymap: String,
    /// `dark`, `light`, `high-contrast`, `16color`, or `themes/NAME.toml` in the config dir.
    pub theme: String,
    pub alerts: Alerts,
}

/// The notification centre: what rings and what pops up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Alerts {
    pub bell_on_offer: bool,
    pub bell_on_message: bool,
    pub bell_on_mention: bool,
    pub notify_on_offer: bool,
    pub notify_on_message: bool,
    pub notify_on_mention: bool,
    pub bell_on_follow_up: bool,
    pub notify_on_follow_up: bool,
    /// `osc777` (rxvt/foot/kitty/wezterm…), `osc9` (iTerm2, Windows Terminal…) or `none`.
    pub notify_style: NotifyStyle,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotifyStyle {
    Osc777,
    Osc9,
    None,
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        ConsoleConfig {
            server: None,
            ca: None,
            username: None,
            lang: None,
            keymap: "default".into(),
            theme: "dark".into(),
            alerts: Alerts::default(),
        }
    }
}

impl Default for Alerts {
    fn default() -> Self {
        Alerts {
            bell_on_offer: true,
            bell_on_message: false,
            bell_on_mention: true,
            notify_on_offer: true,
            notify_on_message: false,
            notify_on_mention: true,
            bell_on_follow_up: true,
            notify_on_follow_up: true,
            notify_style: NotifyStyle::Osc777,
        }
    }
}

/// The config directory (not created here).
pub fn config_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("KEFU_CONFIG_DIR").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(d));
    }
    if let Some(x) = std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(x).join("kefu"));
    }
    directories::ProjectDirs::from("", "", "kefu").map(|p| p.config_dir().to_path_buf())
}

impl ConsoleConfig {
    /// Reads `config.toml` from `dir`; a missing file is the default, a broken one an error
    /// naming the file, line and column.
    pub fn load(dir: Option<&Path>) -> Result<ConsoleConfig, ConfigError> {
        let Some(path) = dir.map(|d| d.join("config.toml")) else {
            return Ok(ConsoleConfig::default());
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&text, &path.display().to_string(), dir),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ConsoleConfig::default()),
            Err(source) => Err(ConfigError::Io {
                path: path.display().to_string(),
                source,
            }),
        }
    }

    /// Parses and checks config text; `file` names it in errors, `dir` is where user themes
    /// and keymaps live.
    pub fn parse(text: &str, file: &str, dir: Option<&Path>) -> Result<ConsoleConfig, ConfigError> {
        let invalid = |offset: usize, message: String| ConfigError::Invalid {
            at: Location::at(file, text, offset),
            message,
        };
        let config: ConsoleConfig = toml::from_str(text).map_err(|e| {
            invalid(
                e.span().map_or(0, |s| s.start),
                e.message().trim().to_string(),
            )
        })?;
        // Where a top-level value starts, to point at it.
        let value_at = |key: &str| {
            DeTable::parse(text)
                .ok()
                .and_then(|doc| doc.get_ref().get(key).map(|v| v.span().start))
                .unwrap_or(0)
        };
        if let Some(lang) = &config.lang
            && Lang::parse(lang).is_none()
        {
            let message = format!("unknown language `{lang}` (expected en or zh)");
            return Err(invalid(value_at("lang"), message));
        }
        let kinds = [
            ("theme", &config.theme, Theme::builtin_names(), "themes"),
            ("keymap", &config.keymap, Keymap::builtin_names(), "keymaps"),
        ];
        for (key, name, builtin, subdir) in kinds {
            let file = dir
                .filter(|_| is_plain_name(name))
                .map(|d| d.join(subdir).join(format!("{name}.toml")));
            if builtin.contains(&name.as_str()) || file.as_ref().is_some_and(|f| f.exists()) {
                continue;
            }
            let searched = file.map_or(format!("<config dir>/{subdir}/"), |f| {
                f.display().to_string()
            });
            let message = format!(
                "unknown {key} `{name}` ({}built in: {}; or put it in {searched})",
                suggest::hint(name, builtin.iter().copied()),
                builtin.join(", ")
            );
            return Err(invalid(value_at(key), message));
        }
        Ok(config)
    }

    /// Writes server and username back (the rest of the file is kept, comments are not).
    pub fn remember(dir: &Path, server: &str, username: &str) -> anyhow::Result<()> {
        Self::remember_with_ca(dir, server, username, None)
    }

    /// Like [`remember`](Self::remember), also the CA given with `--ca` (if any).
    pub fn remember_with_ca(
        dir: &Path,
        server: &str,
        username: &str,
        ca: Option<&Path>,
    ) -> anyhow::Result<()> {
        let mut config = Self::load(Some(dir))?;
        config.server = Some(server.to_string());
        if let Some(ca) = ca {
            config.ca = Some(ca.to_path_buf());
        }
        config.username = Some(username.to_string());
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("config.toml"), toml::to_string(&config)?)?;
        Ok(())
    }
}

/// The remembered layout (`layout.toml`); a broken or missing file gives the default.
pub fn load_layout(dir: Option<&Path>) -> LayoutPrefs {
    dir.and_then(|d| std::fs::read_to_string(d.join("layout.toml")).ok())
        .and_then(|t| toml::from_str(&t).ok())
        .unwrap_or_default()
}

pub fn save_layout(dir: &Path, layout: &LayoutPrefs) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("layout.toml"), toml::to_string(layout)?)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_is_default_and_broken_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            ConsoleConfig::load(Some(dir.path())).unwrap(),
            ConsoleConfig::default()
        );
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "theme = \"dark\"\nkeymap = [\n").unwrap();
        let e = ConsoleConfig::load(Some(dir.path()))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with(&format!("{}:2:", path.display())), "{e}");
    }

    fn error(text: &str, dir: Option<&Path>) -> String {
        match ConsoleConfig::parse(text, "config.toml", dir) {
            Ok(c) => panic!("accepted {text:?}: {c:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn every_mistake_is_located() {
        for (text, at, what) in [
            (
                "lang = \"fr\"\n",
                "config.toml:1:8:",
                "unknown language `fr` (expected en or zh)",
            ),
            (
                "server = \"ws://h:1\"\ntheme = \"drak\"\n",
                "config.toml:2:9:",
                "unknown theme `drak` (did you mean `dark`? built in: dark, light",
            ),
            (
                "theme = \"hi-contrast\"\n",
                "config.toml:1:9:",
                "did you mean `high-contrast`?",
            ),
            (
                "keymap = \"vmi\"\n",
                "config.toml:1:10:",
                "did you mean `vim`?",
            ),
            (
                "them = \"dark\"\n",
                "config.toml:1:1:",
                "unknown field `them`",
            ),
            (
                "[alerts]\nbel_on_offer = true\n",
                "config.toml:2:1:",
                "unknown field `bel_on_offer`",
            ),
            (
                "[alerts]\nnotify_style = \"osc8\"\n",
                "config.toml:2:16:",
                "osc8",
            ),
        ] {
            let e = error(text, None);
            assert!(e.starts_with(at) && e.contains(what), "{text:?}: {e}");
        }
        for ok in [
            "lang = \"zh\"\n",
            "lang = \"en\"\ntheme = \"16color\"\nkeymap = \"vim\"\n",
        ] {
            assert!(ConsoleConfig::parse(ok, "c", None).is_ok(), "{ok}");
        }
    }

    #[test]
    fn user_themes_and_keymaps_in_the_config_dir_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let text = "theme = \"mine\"\nkeymap = \"mine\"\n";
        assert!(error(text, Some(dir.path())).contains("unknown theme `mine`"));
        std::fs::create_dir(dir.path().join("themes")).unwrap();
        std::fs::write(dir.path().join("themes/mine.toml"), "").unwrap();
        let e = error(text, Some(dir.path()));
        assert!(
            e.starts_with("config.toml:2:10: unknown keymap `mine`"),
            "{e}"
        );
        std::fs::create_dir(dir.path().join("keymaps")).unwrap();
        std::fs::write(dir.path().join("keymaps/mine.toml"), "").unwrap();
        assert!(ConsoleConfig::parse(text, "c", Some(dir.path())).is_ok());
    }

    #[test]
    fn remember_and_layout_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        ConsoleConfig::remember(dir.path(), "ws://h:1", "alice").unwrap();
        let c = ConsoleConfig::load(Some(dir.path())).unwrap();
        assert_eq!(
            (c.server.as_deref(), c.username.as_deref()),
            (Some("ws://h:1"), Some("alice"))
        );
        let l = LayoutPrefs {
            list_width: 40,
            show_kb: true,
            ..Default::default()
        };
        save_layout(dir.path(), &l).unwrap();
        assert_eq!(load_layout(Some(dir.path())), l);
    }
}
