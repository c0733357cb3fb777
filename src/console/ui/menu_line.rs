//! A self-service menu's part of a conversation in the profile panel (`docs/menus.md`): which
//! menu, since when or when and why the customer came back from it, and the path taken (each
//! step's label with what the customer typed), so the next agent does not ask again.

use super::ctx::Ctx;
use super::text::clock;
use crate::console::i18n::fill;
use crate::console::sanitize::inert_line;
use crate::protocol::{MenuReturnReason, SessionView};
use ratatui::text::{Line, Span};

/// Characters of one step's input shown.
const INPUT_CHARS: usize = 40;

/// The lines, or none when the conversation never went to a menu.
pub fn menu_lines(ctx: &Ctx, view: &SessionView) -> Vec<Line<'static>> {
    let t = ctx.t;
    let Some(m) = view.menu.as_ref() else {
        return Vec::new();
    };
    let menu = inert_line(&m.menu).into_owned();
    let text = match &m.returned {
        Some(r) => {
            let reason = match r.reason {
                MenuReturnReason::Requested => t.menu_reason_requested,
                MenuReturnReason::Leaf => t.menu_reason_leaf,
                MenuReturnReason::Invalid => t.menu_reason_invalid,
                MenuReturnReason::Unavailable => t.menu_reason_unavailable,
                MenuReturnReason::Taken => t.menu_reason_taken,
            };
            fill(
                t.menu_returned,
                &[("menu", &menu), ("at", &clock(r.at)), ("reason", reason)],
            )
        }
        None => fill(t.menu_in, &[("menu", &menu), ("at", &clock(m.since))]),
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("{}: ", t.menu_label), ctx.style("profile.label")),
        Span::styled(text, ctx.style("profile.value")),
    ])];
    if !m.path.is_empty() {
        let steps: Vec<String> = m
            .path
            .iter()
            .map(|s| {
                let label = inert_line(&s.label).into_owned();
                match &s.input {
                    Some(input) => {
                        let short: String = input.chars().take(INPUT_CHARS).collect();
                        format!("{label} ({})", inert_line(&short))
                    }
                    None => label,
                }
            })
            .collect();
        lines.push(Line::from(vec![
            Span::styled(format!("{}: ", t.menu_path), ctx.style("profile.label")),
            Span::styled(steps.join(" › "), ctx.style("profile.value")),
        ]));
    }
    lines
}
