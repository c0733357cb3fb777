//! Follow-up on screen: the dialog that marks a conversation with a reminder time, and the
//! reminder shown on the session list's Follow-up section (`⏰ 15:30`, `⏰ due`).

use super::ctx::Ctx;
use super::fields::field_line;
use super::popup::{centered, popup};
use crate::console::app::SessionEntry;
use crate::console::app::followup_state::{CHOICES, Choice, FollowUpDialog, remind_at, short_time};
use crate::console::i18n::fill;
use crate::console::sanitize::inert_line;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

pub(super) fn draw_dialog(frame: &mut Frame, ctx: &Ctx, d: &FollowUpDialog, area: Rect) {
    let (t, app) = (ctx.t, ctx.app);
    let who = app
        .sessions
        .get(&d.session)
        .map(|s| inert_line(&s.view.customer.nickname).into_owned())
        .unwrap_or_default();
    let title = format!("{} · #{} {who}", t.follow_up_title, d.session);
    let inner = popup(frame, ctx, centered(area, 60, 13), &title);
    let tz = &app.followup.tz;
    let mut lines = vec![Line::from(Span::styled(
        t.follow_up_remind,
        ctx.style("profile.label"),
    ))];
    let mut cursor = None;
    for (i, choice) in CHOICES.iter().enumerate() {
        let on = i == d.choice;
        // A marker as well as the highlight: the choice shows without colour too.
        let (mark, style) = if on {
            ("› ", ctx.style("dialog.selected"))
        } else {
            ("  ", ctx.style("dialog"))
        };
        let label = match choice {
            Choice::NoReminder => t.follow_up_no_reminder,
            Choice::In30Min => t.follow_up_in_30,
            Choice::In1Hour => t.follow_up_in_60,
            Choice::Tomorrow9 => t.follow_up_tomorrow,
            Choice::Typed => {
                cursor = on.then(|| (t.follow_up_typed.width() + d.typed.width() + 2, lines.len()));
                lines.push(field_line(
                    ctx,
                    t.follow_up_typed,
                    &d.typed,
                    on,
                    inner.width,
                ));
                // What may be typed, under the field.
                lines.push(Line::from(Span::styled(
                    format!("      {}", t.follow_up_typed_hint),
                    ctx.style("hint"),
                )));
                continue;
            }
        };
        // When it would fire, in the agent's zone.
        let when = match remind_at(*choice, "", app.now, tz) {
            Ok(Some(at)) => format!("  ({})", short_time(at, app.now, tz)),
            _ => String::new(),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{mark}{label}"), style),
            Span::styled(when, ctx.style("hint")),
        ]));
    }
    lines.push(Line::raw(""));
    if let Some(e) = &d.error {
        lines.push(Line::from(Span::styled(e.clone(), ctx.style("error"))));
    }
    lines.push(Line::from(Span::styled(
        t.follow_up_keys,
        ctx.style("hint"),
    )));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    if let Some((x, y)) = cursor {
        let x = inner.x + x as u16;
        frame.set_cursor_position(Position::new(
            x.min(inner.right().saturating_sub(1)),
            inner.y + y as u16,
        ));
    }
}

/// The second line of a follow-up conversation on the list, longest form first: when its
/// reminder fires, that it is due, or that it has none. `None` for other conversations.
pub(super) fn reminder_forms(ctx: &Ctx, s: &SessionEntry, channel: &str) -> Option<Vec<String>> {
    let value = reminder(ctx, s)?;
    Some(vec![format!("    {channel} {value}"), format!("  {value}")])
}

/// The reminder of a conversation pending follow-up (`⏰ 15:30`, `⏰ due`, or none set); `None`
/// when it is not marked. The profile shows it too: in the list a waiting customer's wait
/// takes its place.
pub(super) fn reminder(ctx: &Ctx, s: &SessionEntry) -> Option<String> {
    if !s.view.follow_up {
        return None;
    }
    let (app, t) = (ctx.app, ctx.t);
    let value = if app.follow_up_is_due(s) {
        t.follow_up_due_mark.to_string()
    } else if let Some(at) = s.view.follow_up_at {
        fill(
            t.follow_up_at,
            &[("t", &short_time(at, app.now, &app.followup.tz))],
        )
    } else {
        t.follow_up_none.to_string()
    };
    Some(value)
}
