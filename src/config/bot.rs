//! The `[bot]` section: the answering bot in front of skill groups (`docs/bot.md`). Off unless
//! switched on, here for every group (`enabled`) or per group (`[[groups]] bot = true`), and
//! optionally only for some channels. Checked at start-up with errors that name the field.

use super::{ConfigError, ServerConfig};
use crate::model::Channel;
use serde::Deserialize;

/// Longest greeting, fallback or hand-off text, in characters.
const MAX_TEXT_CHARS: usize = 2_000;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct BotConfig {
    /// The bot fronts every group that does not say otherwise (`[[groups]] bot`).
    pub enabled: bool,
    /// Channels the bot answers on (`web`, `app`, `mini_program`, `api`…); empty: all.
    pub channels: Vec<Channel>,
    /// An answer needs a knowledge-base article whose title or alternative question is at
    /// least this similar to the customer's message (`kefu kb match-eval`'s similarity, 0–1).
    pub answer_threshold: f32,
    /// Turns in a row the bot could not answer before it hands off. 0: never for this reason.
    pub max_unanswered: u32,
    /// A message at or above this negativity score (`crate::bot::sentiment`) hands off.
    pub negative_threshold: u32,
    /// Words or phrases that ask for a person, anywhere in a message (case-insensitive).
    pub handoff_words: Vec<String>,
    /// Added to `handoff_words` (to extend the defaults without repeating them).
    pub extra_handoff_words: Vec<String>,
    pub greeting_zh: String,
    pub greeting_en: String,
    /// Said when the bot has no answer (it offers a person).
    pub fallback_zh: String,
    pub fallback_en: String,
    /// Said when the conversation goes to people.
    pub handoff_zh: String,
    pub handoff_en: String,
    /// The bot's name on its messages.
    pub name: String,
}

/// The default hand-off words, Chinese and English.
pub const DEFAULT_HANDOFF_WORDS: [&str; 16] = [
    "人工",
    "转人工",
    "人工客服",
    "真人",
    "客服",
    "找人",
    "agent",
    "human",
    "person",
    "representative",
    "operator",
    "talk to someone",
    "speak to someone",
    "real person",
    "customer service",
    "live chat",
];

impl Default for BotConfig {
    fn default() -> Self {
        BotConfig {
            enabled: false,
            channels: Vec::new(),
            answer_threshold: crate::intents::DEFAULT_MATCH_THRESHOLD,
            max_unanswered: 2,
            negative_threshold: 3,
            handoff_words: DEFAULT_HANDOFF_WORDS
                .iter()
                .map(|w| w.to_string())
                .collect(),
            extra_handoff_words: Vec::new(),
            greeting_zh:
                "您好，我是智能助手，可以先帮您解答常见问题。需要人工服务请随时说“转人工”。".into(),
            greeting_en: "Hi, I'm the assistant and can answer common questions right away. Say \
                          \"agent\" at any time to talk to a person."
                .into(),
            fallback_zh:
                "抱歉，这个问题我暂时回答不了。您可以换个说法，或者说“转人工”由客服为您处理。"
                    .into(),
            fallback_en: "Sorry, I don't know the answer to that. You can rephrase it, or say \
                          \"agent\" and a person will help you."
                .into(),
            handoff_zh: "正在为您转接人工客服，请稍候。".into(),
            handoff_en: "Connecting you to a person, please wait a moment.".into(),
            name: "Assistant 智能助手".into(),
        }
    }
}

impl BotConfig {
    /// Every hand-off word, lower-cased, without blanks.
    pub fn words(&self) -> Vec<String> {
        self.handoff_words
            .iter()
            .chain(&self.extra_handoff_words)
            .map(|w| w.trim().to_lowercase())
            .filter(|w| !w.is_empty())
            .collect()
    }
}

impl ServerConfig {
    /// Whether the bot meets new conversations of `group` on `channel`.
    pub fn bot_fronts(&self, group: &str, channel: Channel) -> bool {
        let per_group = self
            .groups
            .iter()
            .find(|g| g.name == group)
            .and_then(|g| g.bot);
        per_group.unwrap_or(self.bot.enabled)
            && (self.bot.channels.is_empty() || self.bot.channels.contains(&channel))
    }

    pub(super) fn validate_bot(&self) -> Result<(), ConfigError> {
        let b = &self.bot;
        let bad = |key: &str, why: &str| Err(ConfigError(format!("bot.{key}: {why}")));
        if !(b.answer_threshold.is_finite() && (0.0..=1.0).contains(&b.answer_threshold)) {
            return bad("answer_threshold", "must be a number from 0 to 1");
        }
        if b.negative_threshold == 0 {
            return bad("negative_threshold", "must be at least 1");
        }
        for (key, text) in [
            ("greeting_zh", &b.greeting_zh),
            ("greeting_en", &b.greeting_en),
            ("fallback_zh", &b.fallback_zh),
            ("fallback_en", &b.fallback_en),
            ("handoff_zh", &b.handoff_zh),
            ("handoff_en", &b.handoff_en),
            ("name", &b.name),
        ] {
            if text.trim().is_empty() {
                return bad(key, "must not be empty");
            }
            if text.chars().count() > MAX_TEXT_CHARS {
                return bad(key, &format!("must be at most {MAX_TEXT_CHARS} characters"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bot_fronts_groups_and_channels_as_configured() {
        let text = r#"
[bot]
channels = ["web", "api"]
extra_handoff_words = ["Supervisor"]
[routing]
default_group = "presales"
[[groups]]
name = "presales"
bot = true
[[groups]]
name = "aftersales"
"#;
        let mut c = ServerConfig::parse(text).unwrap();
        c.validate().unwrap();
        assert!(c.bot_fronts("presales", Channel::Web));
        assert!(c.bot_fronts("presales", Channel::Api));
        assert!(!c.bot_fronts("presales", Channel::App), "not its channel");
        assert!(!c.bot_fronts("aftersales", Channel::Web), "off by default");
        assert!(!c.bot_fronts("unknown", Channel::Web));
        c.bot.enabled = true;
        assert!(
            c.bot_fronts("aftersales", Channel::Web),
            "on for every group"
        );
        assert!(c.bot.words().contains(&"supervisor".to_string()));
        assert!(c.bot.words().contains(&"转人工".to_string()));
        assert!(!ServerConfig::default().bot_fronts("general", Channel::Web));
    }

    #[test]
    fn bad_values_name_their_key() {
        for (toml, key) in [
            ("[bot]\nanswer_threshold = 1.5", "bot.answer_threshold"),
            ("[bot]\nnegative_threshold = 0", "bot.negative_threshold"),
            ("[bot]\ngreeting_en = \"  \"", "bot.greeting_en"),
        ] {
            let e = ServerConfig::parse(toml).unwrap().validate().unwrap_err();
            assert!(e.to_string().contains(key), "{toml}: {e}");
        }
        assert!(
            ServerConfig::parse("[bot]\nenable = true").is_err(),
            "typos fail"
        );
    }
}
