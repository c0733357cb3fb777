//! The transfer dialog: targets (agents who cannot take it now listed last, greyed and marked
//! `✕`, not by colour alone), the note, and the server's answer — sending, or the reason it
//! was refused with "queue anyway" when the target could not take it now.

use super::ctx::Ctx;
use super::fields::field_line;
use super::popup::{centered, popup};
use crate::console::app::layout::wrap;
use crate::console::app::transfer_state::TransferStatus;
use crate::console::app::{Picker, TransferChoice};
use crate::console::i18n::fill;
use crate::console::sanitize::inert_line;
use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

pub(super) fn draw(
    frame: &mut Frame,
    ctx: &Ctx,
    (items, picker, note, on_note): (&[TransferChoice], &Picker, &str, bool),
    status: &TransferStatus,
    area: Rect,
) {
    let t = ctx.t;
    let inner = popup(frame, ctx, centered(area, 70, 18), t.transfer_title);
    // The reason is never cut off: wrapped to the dialog's width.
    let reason: Vec<String> = status
        .refused
        .as_deref()
        .map(|r| {
            wrap(
                &fill(t.transfer_refused, &[("r", &inert_line(r))]),
                inner.width.into(),
            )
        })
        .unwrap_or_default();
    let footer = 2 + reason.len() as u16;
    let parts = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Min(3), Constraint::Length(footer)])
        .split(inner);
    targets(frame, ctx, items, picker, parts[0], !on_note);
    let mut lines = vec![field_line(
        ctx,
        &format!("{}: ", t.transfer_note),
        note,
        on_note,
        parts[1].width,
    )];
    lines.extend(
        reason
            .into_iter()
            .map(|r| Line::from(Span::styled(r, ctx.style("error")))),
    );
    let hint = if status.sending {
        t.transfer_sending.to_string()
    } else if status.queue_offered {
        t.transfer_queue_anyway.to_string()
    } else {
        format!("{} · {}", t.confirm_hint, t.cancel_hint)
    };
    lines.push(Line::from(Span::styled(hint, ctx.style("hint"))));
    frame.render_widget(Paragraph::new(lines), parts[1]);
}

/// The fuzzy list of targets; unavailable agents in the hint style with a `✕`.
fn targets(
    frame: &mut Frame,
    ctx: &Ctx,
    items: &[TransferChoice],
    picker: &Picker,
    area: Rect,
    active: bool,
) {
    let mut lines = vec![field_line(ctx, "🔍 ", &picker.query, active, area.width)];
    let height = area.height.saturating_sub(1) as usize;
    let offset = picker.selected.saturating_sub(height.saturating_sub(1));
    for (i, idx) in picker.matches.iter().enumerate().skip(offset).take(height) {
        let Some(item) = items.get(*idx) else {
            continue;
        };
        let away = matches!(
            item,
            TransferChoice::Agent {
                available: false,
                ..
            }
        );
        let style = if i == picker.selected && active {
            ctx.style("dialog.selected")
        } else if away {
            ctx.style("hint")
        } else {
            ctx.style("dialog")
        };
        let mark = if away { "✕ " } else { "  " };
        lines.push(Line::from(Span::styled(
            format!("{mark}{}", inert_line(item.label())),
            style,
        )));
    }
    frame.render_widget(Paragraph::new(lines), area);
    if active {
        let x = area.x + 5 + picker.query.width() as u16;
        frame.set_cursor_position(Position::new(x.min(area.right().saturating_sub(1)), area.y));
    }
}
