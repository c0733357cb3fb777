//! The answering bot's part of a conversation, as one line of the profile panel: how many turns
//! the bot took and answered, and — once it handed off — when and why, so the agent knows what
//! the customer already went through.

use super::ctx::Ctx;
use super::text::clock;
use crate::console::i18n::fill;
use crate::protocol::{HandoffReason, SessionView};
use ratatui::text::{Line, Span};

/// The line, or nothing when the bot never took part.
pub fn bot_line(ctx: &Ctx, view: &SessionView) -> Option<Line<'static>> {
    let t = ctx.t;
    let b = view.bot.as_ref()?;
    let (turns, answers) = (b.turns.to_string(), b.answers.to_string());
    let text = match &b.handoff {
        Some(h) => {
            let reason = match h.reason {
                HandoffReason::Requested => t.bot_reason_requested,
                HandoffReason::Unanswered => t.bot_reason_unanswered,
                HandoffReason::Complaint => t.bot_reason_complaint,
                HandoffReason::Negative => t.bot_reason_negative,
                HandoffReason::Vip => t.bot_reason_vip,
                HandoffReason::Taken => t.bot_reason_taken,
            };
            let at = clock(h.at);
            fill(
                t.bot_handed_off,
                &[
                    ("at", &at),
                    ("reason", reason),
                    ("turns", &turns),
                    ("answers", &answers),
                ],
            )
        }
        None => fill(t.bot_with, &[("turns", &turns), ("answers", &answers)]),
    };
    Some(Line::from(vec![
        Span::styled(format!("{}: ", t.bot_label), ctx.style("profile.label")),
        Span::styled(text, ctx.style("profile.value")),
    ]))
}
