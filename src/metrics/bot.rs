//! What the answering bot reports to `/metrics`: turns answered from the knowledge base and
//! not, hand-offs by reason, how its conversations ended (resolved by the bot, abandoned with
//! it), and how many conversations are with it now. Resolution rate: resolved / (resolved +
//! hand-offs + abandoned).

use super::exposition::{Exposition, Kind};
use super::primitives::{Counter, Gauge};
use crate::protocol::{BotOutcome, HandoffReason};

#[derive(Debug, Default)]
pub struct BotMetrics {
    answers: Counter,
    fallbacks: Counter,
    /// By [`HandoffReason::ALL`].
    handoffs: [Counter; HandoffReason::ALL.len()],
    resolved: Counter,
    abandoned: Counter,
    /// Conversations with the bot now, as the hub last published it.
    pub sessions: Gauge,
}

impl BotMetrics {
    /// The bot answered a turn from the knowledge base (`true`) or said it could not.
    pub fn turn(&self, answered: bool) {
        if answered {
            self.answers.inc()
        } else {
            self.fallbacks.inc()
        }
    }

    pub fn handoff(&self, reason: HandoffReason) {
        if let Some(i) = HandoffReason::ALL.iter().position(|r| *r == reason) {
            self.handoffs[i].inc();
        }
    }

    /// A conversation ended while with the bot.
    pub fn ended(&self, outcome: BotOutcome) {
        match outcome {
            BotOutcome::Resolved => self.resolved.inc(),
            BotOutcome::Abandoned => self.abandoned.inc(),
            BotOutcome::HandedOff => {}
        }
    }

    pub fn render(&self, e: &mut Exposition) {
        e.family(
            "kefu_bot_turns_total",
            Kind::Counter,
            "Customer messages the bot took a turn on, by whether it answered from the knowledge base.",
        );
        e.sample(
            "kefu_bot_turns_total",
            &[("answered", "true")],
            self.answers.get(),
        );
        e.sample(
            "kefu_bot_turns_total",
            &[("answered", "false")],
            self.fallbacks.get(),
        );
        e.family(
            "kefu_bot_handoffs_total",
            Kind::Counter,
            "Conversations the bot handed to people, by reason.",
        );
        for (reason, c) in HandoffReason::ALL.iter().zip(&self.handoffs) {
            e.sample(
                "kefu_bot_handoffs_total",
                &[("reason", reason.as_str())],
                c.get(),
            );
        }
        e.family(
            "kefu_bot_ended_total",
            Kind::Counter,
            "Conversations that ended with the bot: resolved (after an answer) or abandoned.",
        );
        e.sample(
            "kefu_bot_ended_total",
            &[("outcome", "resolved")],
            self.resolved.get(),
        );
        e.sample(
            "kefu_bot_ended_total",
            &[("outcome", "abandoned")],
            self.abandoned.get(),
        );
        e.family(
            "kefu_bot_sessions",
            Kind::Gauge,
            "Conversations with the bot now.",
        );
        e.sample("kefu_bot_sessions", &[], self.sessions.get());
    }
}
