//! The pieces dialogs are built from: a one-row text field and a fuzzy pick list under its
//! query line. The overlays (`overlay.rs`) and the quick-reply dialogs (`quick.rs`) use them.

use super::ctx::Ctx;
use crate::console::app::{NEW_TAG, Picker};
use crate::console::sanitize::inert_line;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

/// A query line plus the ranked items, the selected one highlighted.
pub(super) fn pick_list(
    frame: &mut Frame,
    ctx: &Ctx,
    picker: &Picker,
    labels: &[String],
    area: Rect,
    active: bool,
) {
    let mut lines = vec![field_line(ctx, "🔍 ", &picker.query, active, area.width)];
    let height = area.height.saturating_sub(1) as usize;
    let offset = picker.selected.saturating_sub(height.saturating_sub(1));
    for (i, idx) in picker.matches.iter().enumerate().skip(offset).take(height) {
        let label = if *idx == NEW_TAG {
            labels.last().cloned()
        } else {
            labels.get(*idx).cloned()
        };
        let Some(label) = label else { continue };
        let scope = if i == picker.selected && active {
            "dialog.selected"
        } else {
            "dialog"
        };
        lines.push(Line::from(Span::styled(
            inert_line(&label).into_owned(),
            ctx.style(scope),
        )));
    }
    frame.render_widget(Paragraph::new(lines), area);
    if active {
        let x = area.x + 5 + picker.query.width() as u16;
        frame.set_cursor_position(Position::new(x.min(area.right().saturating_sub(1)), area.y));
    }
}

/// A text field on one row: a marker and highlight when it has the keyboard (so it shows
/// without colour too), then the label and the value, the highlight filling the row.
pub(super) fn field_line(
    ctx: &Ctx,
    label: &str,
    value: &str,
    focused: bool,
    width: u16,
) -> Line<'static> {
    let (mark, style) = if focused {
        ("› ", ctx.style("dialog.selected"))
    } else {
        ("  ", ctx.style("dialog"))
    };
    let used = 2 + label.width() + value.width();
    let pad = " ".repeat((width as usize).saturating_sub(used).max(1));
    Line::from(vec![
        Span::styled(mark, style),
        Span::styled(label.to_string(), ctx.style("profile.label")),
        Span::styled(format!("{value}{pad}"), style),
    ])
}
