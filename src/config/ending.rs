//! The groups' ending rules (`[[groups]]` `require_tags`, `customer_idle_remind_secs`,
//! `customer_idle_close_secs`): checked at start-up, and looked up by the hub when an agent
//! ends a conversation and in its once-a-second silent-customer round. `docs/ending.md`.

use super::{ConfigError, MAX_DURATION_SECS, ServerConfig, secs_to_ms};
use std::collections::HashMap;

/// (remind after, close after the reminder) in ms; `None`: no reminder, so no close either.
type IdleMs = Option<(i64, Option<i64>)>;

/// The silent-customer timers of every group: the `[conversations]` ones unless the group
/// sets its own.
#[derive(Debug, Clone, PartialEq)]
pub struct IdleRules {
    global: IdleMs,
    groups: HashMap<String, IdleMs>,
}

impl IdleRules {
    /// The timers for a conversation of `group`.
    pub fn of(&self, group: &str) -> IdleMs {
        self.groups.get(group).copied().unwrap_or(self.global)
    }

    /// No group reminds anybody: the round has nothing to do.
    pub fn all_off(&self) -> bool {
        self.global.is_none() && self.groups.values().all(Option::is_none)
    }
}

fn idle_ms(remind_secs: u64, close_secs: u64) -> IdleMs {
    (remind_secs > 0).then(|| {
        (
            secs_to_ms(remind_secs),
            (close_secs > 0).then(|| secs_to_ms(close_secs)),
        )
    })
}

impl ServerConfig {
    /// Whether agents must tag a conversation of `group` before ending it.
    pub fn requires_tags(&self, group: &str) -> bool {
        self.groups
            .iter()
            .any(|g| g.name == group && g.require_tags)
    }

    /// The silent-customer timers by group (only groups that override them are listed).
    pub fn idle_rules(&self) -> IdleRules {
        let c = &self.conversations;
        let groups = self
            .groups
            .iter()
            .filter(|g| {
                g.customer_idle_remind_secs.is_some() || g.customer_idle_close_secs.is_some()
            })
            .map(|g| {
                let remind = g
                    .customer_idle_remind_secs
                    .unwrap_or(c.customer_idle_remind_secs);
                let close = g
                    .customer_idle_close_secs
                    .unwrap_or(c.customer_idle_close_secs);
                (g.name.clone(), idle_ms(remind, close))
            })
            .collect();
        IdleRules {
            global: c.idle_ms(),
            groups,
        }
    }

    /// Each group's own timers in range.
    pub(super) fn validate_ending(&self) -> Result<(), ConfigError> {
        for (i, g) in self.groups.iter().enumerate() {
            for (key, secs) in [
                ("customer_idle_remind_secs", g.customer_idle_remind_secs),
                ("customer_idle_close_secs", g.customer_idle_close_secs),
            ] {
                if secs.is_some_and(|s| s > MAX_DURATION_SECS) {
                    return Err(ConfigError(format!(
                        "groups[{i}] (`{}`).{key}: must be at most 10 years",
                        g.name
                    )));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_overrides_the_global_timers_and_falls_back_for_what_it_leaves_out() {
        let c = ServerConfig::parse(
            "[conversations]\ncustomer_idle_remind_secs = 300\ncustomer_idle_close_secs = 600\n\
             [[groups]]\nname = \"general\"\n\
             [[groups]]\nname = \"sales\"\ncustomer_idle_remind_secs = 5\nrequire_tags = true\n\
             [[groups]]\nname = \"vip\"\ncustomer_idle_remind_secs = 0\n",
        )
        .unwrap();
        c.validate().unwrap();
        let rules = c.idle_rules();
        assert_eq!(rules.of("general"), Some((300_000, Some(600_000))));
        assert_eq!(rules.of("sales"), Some((5_000, Some(600_000))));
        assert_eq!(
            rules.of("vip"),
            None,
            "0 turns the reminder (and close) off"
        );
        assert_eq!(rules.of("unknown"), Some((300_000, Some(600_000))));
        assert!(c.requires_tags("sales"));
        assert!(!c.requires_tags("general"));
        assert!(!rules.all_off());
    }

    #[test]
    fn out_of_range_group_timers_are_refused_with_the_group_named() {
        let c = ServerConfig::parse(
            "[[groups]]\nname = \"general\"\ncustomer_idle_close_secs = 18446744073709551615\n",
        )
        .unwrap();
        let e = c.validate().unwrap_err().to_string();
        assert!(
            e.contains("groups[0] (`general`).customer_idle_close_secs"),
            "{e}"
        );
    }
}
