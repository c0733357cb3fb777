//! The console's `config.toml` (server, username, language, keymap, theme, alerts) and the
//! remembered workbench layout, in the config directory: `KEFU_CONFIG_DIR`, else
//! `$XDG_CONFIG_HOME/kefu` (on every platform), else the platform config dir.

use crate::console::app::LayoutPrefs;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConsoleConfig {
    /// Last server used, e.g. `ws://127.0.0.1:7800` (`wss://` for TLS).
    pub server: Option<String>,
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
    pub fn load(dir: Option<&Path>) -> anyhow::Result<ConsoleConfig> {
        let Some(path) = dir.map(|d| d.join("config.toml")) else {
            return Ok(ConsoleConfig::default());
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ConsoleConfig::default()),
            Err(e) => Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
        }
    }

    /// Writes server and username back (the rest of the file is kept, comments are not).
    pub fn remember(dir: &Path, server: &str, username: &str) -> anyhow::Result<()> {
        let mut config = Self::load(Some(dir))?;
        config.server = Some(server.to_string());
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
        std::fs::write(
            dir.path().join("config.toml"),
            "theme = \"dark\"\nkeymap = [\n",
        )
        .unwrap();
        let e = ConsoleConfig::load(Some(dir.path()))
            .unwrap_err()
            .to_string();
        assert!(e.contains("config.toml") && e.contains("line 2"), "{e}");
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
