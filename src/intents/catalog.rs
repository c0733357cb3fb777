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
    /// Raise the conversation's priority in the queue.
    #[serde(default)]
    pub raise_priority: bool,
    /// Route the conversation to this skill group.
    #[serde(default)]
    pub route_group: Option<String>,
    /// Hand the conversation from the bot to a human.
    #[serde(default)]
    pub handoff: bool,
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
        let empty = "[[intent]]\nname='a'\nzh='甲'\nen='A'\nexamples=[' ']\n";
        assert!(
            IntentSet::from_toml("x.toml", empty)
                .unwrap_err()
                .to_string()
                .contains("at least one example")
        );
    }
}
