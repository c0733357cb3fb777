//! The `[conversations]` section (what waiting and silent customers are told, and when) and
//! the groups' business hours, checked at start-up with errors that name the field.

use super::{ConfigError, MAX_DURATION_SECS, ServerConfig, secs_to_ms};
use serde::Deserialize;

/// What a waiting or silent customer is told, and when a silent one is let go.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ConversationsConfig {
    /// Time zone of the groups' `hours` when a group names none.
    pub timezone: String,
    /// The agent wrote last and the customer has been silent this long: remind them once.
    /// 0: never.
    pub customer_idle_remind_secs: u64,
    /// …and this long after the reminder, end the conversation as `abandoned`. 0: never.
    pub customer_idle_close_secs: u64,
    /// A left message (nobody online, or outside hours) waits this long for an agent before it
    /// ends as `abandoned` (instead of `quotas.queue_timeout_secs`). 0: forever.
    pub left_message_timeout_secs: u64,
}

impl Default for ConversationsConfig {
    fn default() -> Self {
        ConversationsConfig {
            timezone: "UTC".into(),
            customer_idle_remind_secs: 300,
            customer_idle_close_secs: 300,
            left_message_timeout_secs: 7 * 86_400,
        }
    }
}

impl ConversationsConfig {
    /// `None` when left messages wait forever.
    pub fn left_message_timeout_ms(&self) -> Option<i64> {
        (self.left_message_timeout_secs > 0).then(|| secs_to_ms(self.left_message_timeout_secs))
    }

    /// (remind after, close after the reminder) in ms; `None` when the reminder is off (no
    /// close without a reminder first).
    pub fn idle_ms(&self) -> Option<(i64, Option<i64>)> {
        (self.customer_idle_remind_secs > 0).then(|| {
            (
                secs_to_ms(self.customer_idle_remind_secs),
                (self.customer_idle_close_secs > 0)
                    .then(|| secs_to_ms(self.customer_idle_close_secs)),
            )
        })
    }
}

impl ServerConfig {
    /// The idle timers in range; every group's hours and time zone parse.
    pub(super) fn validate_conversations(&self) -> Result<(), ConfigError> {
        let c = &self.conversations;
        for (key, secs) in [
            (
                "conversations.customer_idle_remind_secs",
                c.customer_idle_remind_secs,
            ),
            (
                "conversations.customer_idle_close_secs",
                c.customer_idle_close_secs,
            ),
            (
                "conversations.left_message_timeout_secs",
                c.left_message_timeout_secs,
            ),
        ] {
            if secs > MAX_DURATION_SECS {
                return Err(ConfigError(format!("{key}: must be at most 10 years")));
            }
        }
        crate::routing::hours::zone(&c.timezone)
            .map_err(|e| ConfigError(format!("conversations.timezone: {e}")))?;
        self.group_hours().map(|_| ())
    }

    /// Each configured group's business hours (groups without `hours` are always open).
    pub fn group_hours(
        &self,
    ) -> Result<std::collections::HashMap<String, crate::routing::hours::OpenHours>, ConfigError>
    {
        let mut out = std::collections::HashMap::new();
        for (i, g) in self.groups.iter().enumerate() {
            let tz_name = g
                .timezone
                .as_deref()
                .unwrap_or(&self.conversations.timezone);
            let tz = crate::routing::hours::zone(tz_name)
                .map_err(|e| ConfigError(format!("groups[{i}] (`{}`).timezone: {e}", g.name)))?;
            let Some(text) = &g.hours else { continue };
            let hours = crate::routing::hours::OpenHours::parse(text, tz)
                .map_err(|e| ConfigError(format!("groups[{i}] (`{}`).hours: {e}", g.name)))?;
            out.insert(g.name.clone(), hours);
        }
        Ok(out)
    }
}
