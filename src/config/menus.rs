//! The `[menus]` section: self-service menus (转智能IVR, `docs/menus.md`). Trees come from the
//! `*.toml` files of `dir` (relative to the config file) and from inline tables
//! `[menus.trees.NAME]`; they are read and checked at start-up (`crate::menu::load`), so a
//! broken menu stops the server with every problem's file and line. The limits bound what one
//! conversation can make the server do.

use super::{ConfigError, MIN_SECRET_BYTES, ServerConfig};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MenusConfig {
    /// A directory of menu files `NAME.toml` (the menu is named after the file).
    pub dir: Option<PathBuf>,
    /// Menus written in the config itself, by name, with the same keys as a file.
    pub trees: BTreeMap<String, toml::Table>,
    /// Inputs in a row not understood before the customer goes to the human queue.
    pub max_invalid: u32,
    /// Lookups one conversation may make while in menus; more are refused with the fallback.
    pub max_lookups: u32,
    /// Steps kept in the path shown to the next agent (the first ones are kept).
    pub max_path: usize,
    /// Largest lookup response read, in bytes; a larger one counts as failed.
    pub max_response_bytes: usize,
    /// Signs lookup requests (`X-Kefu-Signature`, like the channel API's webhooks). Unset:
    /// lookups are sent unsigned.
    pub lookup_secret: Option<String>,
    /// Said when the customer goes to the human queue.
    pub handoff: String,
}

impl Default for MenusConfig {
    fn default() -> Self {
        MenusConfig {
            dir: None,
            trees: BTreeMap::new(),
            max_invalid: 3,
            max_lookups: 5,
            max_path: 50,
            max_response_bytes: 64 * 1024,
            lookup_secret: None,
            handoff:
                "正在为您转接人工客服，请稍候。\nConnecting you to a person, please wait a moment."
                    .into(),
        }
    }
}

impl MenusConfig {
    /// `dir` is relative to the config file's directory.
    pub fn relative_to(&mut self, base: &Path) {
        if let Some(d) = &mut self.dir
            && d.is_relative()
        {
            *d = base.join(&*d);
        }
    }
}

impl ServerConfig {
    pub(super) fn validate_menus(&self) -> Result<(), ConfigError> {
        let m = &self.menus;
        let bad = |key: &str, why: &str| Err(ConfigError(format!("menus.{key}: {why}")));
        if m.max_invalid == 0 || m.max_invalid > 100 {
            return bad("max_invalid", "must be 1–100");
        }
        if m.max_lookups > 1000 {
            return bad("max_lookups", "must be at most 1000");
        }
        if m.max_path == 0 || m.max_path > 1000 {
            return bad("max_path", "must be 1–1000");
        }
        if m.max_response_bytes == 0 || m.max_response_bytes > 1024 * 1024 {
            return bad("max_response_bytes", "must be 1 byte to 1 MiB");
        }
        if m.lookup_secret
            .as_ref()
            .is_some_and(|s| s.len() < MIN_SECRET_BYTES)
        {
            return bad(
                "lookup_secret",
                &format!("must be at least {MIN_SECRET_BYTES} bytes (use a long random string)"),
            );
        }
        if m.handoff.trim().is_empty() || m.handoff.chars().count() > 2000 {
            return bad("handoff", "must be 1–2000 characters");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_pass_and_bad_values_name_the_key() {
        let mut c = ServerConfig::default();
        assert!(c.validate().is_ok());
        c.menus.max_invalid = 0;
        assert!(c.validate().unwrap_err().0.contains("menus.max_invalid"));
        c.menus.max_invalid = 3;
        c.menus.lookup_secret = Some("short".into());
        assert!(c.validate().unwrap_err().0.contains("menus.lookup_secret"));
    }

    #[test]
    fn inline_trees_and_the_dir_parse() {
        let c = ServerConfig::parse(
            "[menus]\ndir = \"menus\"\n[menus.trees.mini.nodes.main]\nqueue = \"general\"\n",
        )
        .unwrap();
        assert_eq!(c.menus.dir.as_deref(), Some(Path::new("menus")));
        assert!(c.menus.trees.contains_key("mini"));
        let mut m = c.menus.clone();
        m.relative_to(Path::new("/etc/kefu"));
        assert_eq!(m.dir.as_deref(), Some(Path::new("/etc/kefu/menus")));
    }
}
