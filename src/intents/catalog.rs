//! Intents as data: a name, zh and en display names, example utterances and optional routing
//! effects. The default customer-service set (`default_intents.toml`) is compiled in; a file in
//! the same format replaces it.

use super::classifier::{Classifier, ClassifierConfig, TrainError};
use serde::Deserialize;

/// The shipped intent set, zh + en.
pub const DEFAULT_INTENTS_TOML: &str = include_str!("default_intents.toml");

/// What recognising an intent does to the conversation (applied by routing and the bot).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Effects {
    /// Raise the conversation's priority in the queue by one (the same as `priority = 1`).
    #[serde(default)]
    pub raise_priority: bool,
    /// Raise a queued conversation's priority by this much (1–[`MAX_PRIORITY_RAISE`]).
    #[serde(default)]
    pub priority: Option<i64>,
    /// Move a still-queued conversation to this skill group's queue (once; never an accepted
    /// one). The group must exist: the server refuses to start otherwise.
    #[serde(default)]
    pub route_group: Option<String>,
    /// Hand the conversation from the bot to a human.
    #[serde(default)]
    pub handoff: bool,
}

/// `[intents]` in the server config.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct IntentsConfig {
    /// An intent file replacing the built-in set (relative to the config file).
    pub file: Option<std::path::PathBuf>,
}

/// The largest `priority` raise an intent may ask for (VIP and complaint tags give 1 each).
pub const MAX_PRIORITY_RAISE: i64 = 10;

impl Effects {
    /// How much recognising the intent raises a queued conversation's priority (0: not at all).
    pub fn priority_raise(&self) -> i64 {
        self.priority
            .unwrap_or(0)
            .max(i64::from(self.raise_priority))
    }

    /// Whether the server acts on these effects (priority or routing; `handoff` is the bot's).
    pub fn routes(&self) -> bool {
        self.priority_raise() > 0 || self.route_group.is_some()
    }
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Intent {
    pub name: String,
    pub zh: String,
    pub en: String,
    pub examples: Vec<String>,
    #[serde(default)]
    pub effects: Effects,
}

impl Intent {
    /// The display name in `lang` ("zh…" gives Chinese, anything else English).
    pub fn display_name(&self, lang: &str) -> &str {
        if lang.starts_with("zh") {
            &self.zh
        } else {
            &self.en
        }
    }
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct IntentSet {
    #[serde(rename = "intent")]
    pub intents: Vec<Intent>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CatalogError {
    #[error("{source_name}: {message}")]
    Toml {
        source_name: String,
        message: String,
    },
    #[error("cannot read intents file {path}: {message}")]
    Io { path: String, message: String },
    #[error("{source_name}: intent {name:?}: {message}")]
    Intent {
        source_name: String,
        name: String,
        message: String,
    },
}

impl IntentSet {
    /// The compiled-in default set.
    pub fn builtin() -> Result<Self, CatalogError> {
        Self::from_toml("default_intents.toml", DEFAULT_INTENTS_TOML)
    }

    /// Reads and checks an intent file (what `kefu intents classify --intents` and the server's
    /// `[intents] file` use).
    pub fn read(path: &std::path::Path) -> Result<Self, CatalogError> {
        let src = std::fs::read_to_string(path).map_err(|e| CatalogError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Self::from_toml(&path.display().to_string(), &src)
    }

    /// The set in `file`, or the built-in one.
    pub fn load(file: Option<&std::path::Path>) -> Result<Self, CatalogError> {
        match file {
            Some(p) => Self::read(p),
            None => Self::builtin(),
        }
    }

    /// Checks every `route_group` against the groups that exist.
    pub fn check_groups(
        &self,
        source_name: &str,
        exists: impl Fn(&str) -> bool,
    ) -> Result<(), CatalogError> {
        for i in &self.intents {
            if let Some(g) = &i.effects.route_group
                && !exists(g)
            {
                return Err(CatalogError::Intent {
                    source_name: source_name.to_string(),
                    name: i.name.clone(),
                    message: format!("route_group {g:?} is not a skill group"),
                });
            }
        }
        Ok(())
    }

    /// Parses and checks an intent file (names unique and non-empty, at least one example each).
    pub fn from_toml(source_name: &str, src: &str) -> Result<Self, CatalogError> {
        let set: IntentSet = toml::from_str(src).map_err(|e| CatalogError::Toml {
            source_name: source_name.to_string(),
            message: e.to_string(),
        })?;
        let bad = |name: &str, message: &str| CatalogError::Intent {
            source_name: source_name.to_string(),
            name: name.to_string(),
            message: message.to_string(),
        };
        let mut seen = std::collections::BTreeSet::new();
        for i in &set.intents {
            if i.name.trim().is_empty() || i.name.chars().any(char::is_whitespace) {
                return Err(bad(&i.name, "the name must be one word"));
            }
            if !seen.insert(i.name.as_str()) {
                return Err(bad(&i.name, "defined twice"));
            }
            if i.examples.iter().all(|e| e.trim().is_empty()) {
                return Err(bad(&i.name, "needs at least one example"));
            }
            if let Some(p) = i.effects.priority
                && !(1..=MAX_PRIORITY_RAISE).contains(&p)
            {
                let why = format!("priority must be 1–{MAX_PRIORITY_RAISE}, not {p}");
                return Err(bad(&i.name, &why));
            }
            if i.effects
                .route_group
                .as_deref()
                .is_some_and(|g| g.trim().is_empty())
            {
                return Err(bad(&i.name, "route_group is empty"));
            }
        }
        if set.intents.is_empty() {
            return Err(CatalogError::Toml {
                source_name: source_name.to_string(),
                message: "no [[intent]] tables".into(),
            });
        }
        Ok(set)
    }

    pub fn get(&self, name: &str) -> Option<&Intent> {
        self.intents.iter().find(|i| i.name == name)
    }

    /// (example, intent name) pairs, in file order.
    pub fn examples(&self) -> Vec<(&str, &str)> {
        self.intents
            .iter()
            .flat_map(|i| {
                i.examples
                    .iter()
                    .filter(|e| !e.trim().is_empty())
                    .map(move |e| (e.as_str(), i.name.as_str()))
            })
            .collect()
    }

    /// Trains a classifier on the set's examples.
    pub fn train(&self, cfg: &ClassifierConfig) -> Result<Classifier, TrainError> {
        Classifier::train(&self.examples(), cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_set_parses_and_has_both_languages() {
        let set = IntentSet::builtin().unwrap();
        for name in [
            "complaint",
            "inquiry",
            "suggestion",
            "praise",
            "order_status",
            "refund",
            "logistics",
            "invoice",
            "account",
            "human_request",
            "greeting",
            "thanks",
        ] {
            let i = set.get(name).unwrap_or_else(|| panic!("{name} missing"));
            let zh = i
                .examples
                .iter()
                .filter(|e| e.chars().any(crate::intents::text::is_cjk))
                .count();
            let en = i.examples.len() - zh;
            assert!(zh >= 10 && en >= 10, "{name}: {zh} zh, {en} en examples");
        }
        assert!(set.get("complaint").unwrap().effects.raise_priority);
        assert!(set.get("human_request").unwrap().effects.handoff);
        assert_eq!(set.get("refund").unwrap().display_name("zh-CN"), "退款");
    }

    #[test]
    fn the_default_set_recognises_unseen_messages() {
        let clf = IntentSet::builtin()
            .unwrap()
            .train(&ClassifierConfig::default())
            .unwrap();
        for (text, want) in [
            ("我要投诉你们的快递员", "complaint"),
            ("帮我转人工客服", "human_request"),
            ("please connect me to a human agent", "human_request"),
            ("my parcel is still not here", "logistics"),
            ("怎么开电子发票", "invoice"),
            ("I forgot the password of my account", "account"),
            ("多谢你的帮忙", "thanks"),
            ("退款多久能到账", "refund"),
        ] {
            assert_eq!(clf.predict(text).best, want, "{text}");
        }
    }

    #[test]
    fn bad_files_are_rejected_with_the_reason() {
        let e = IntentSet::from_toml("x.toml", "[[intent]]\nname = \"a\"\n").unwrap_err();
        assert!(e.to_string().starts_with("x.toml: "), "{e}");
        let twice = "[[intent]]\nname='a'\nzh='甲'\nen='A'\nexamples=['x']\n".repeat(2);
        assert_eq!(
            IntentSet::from_toml("x.toml", &twice)
                .unwrap_err()
                .to_string(),
            "x.toml: intent \"a\": defined twice"
        );
        let high = "[[intent]]\nname='a'\nzh='甲'\nen='A'\nexamples=['x']\neffects={priority=99}\n";
        assert!(
            IntentSet::from_toml("x.toml", high)
                .unwrap_err()
                .to_string()
                .contains("priority must be 1–10")
        );
        let routed = "[[intent]]\nname='a'\nzh='甲'\nen='A'\nexamples=['x']\n\
                      effects={priority=2, route_group='aftersales'}\n";
        let set = IntentSet::from_toml("x.toml", routed).unwrap();
        assert_eq!(set.intents[0].effects.priority_raise(), 2);
        assert!(set.intents[0].effects.routes());
        assert_eq!(
            set.check_groups("x.toml", |g| g == "general")
                .unwrap_err()
                .to_string(),
            "x.toml: intent \"a\": route_group \"aftersales\" is not a skill group"
        );
        assert!(set.check_groups("x.toml", |g| g == "aftersales").is_ok());
        let e = IntentSet::read(std::path::Path::new("/nonexistent/i.toml")).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/i.toml"), "{e}");
        let empty = "[[intent]]\nname='a'\nzh='甲'\nen='A'\nexamples=[' ']\n";
        assert!(
            IntentSet::from_toml("x.toml", empty)
                .unwrap_err()
                .to_string()
                .contains("at least one example")
        );
    }
}
