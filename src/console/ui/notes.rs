//! Drawing internal notes and @mentions: the composer's note frame (a label, not colour
//! alone), the note marker in the transcript, and the @ picker of colleagues above the
//! composer. Names from the network go through `sanitize`.

use super::ctx::Ctx;
use super::text::ellipsize;
use crate::console::app::notes_state::notes_text;
use crate::console::app::{ChatLine, Focus};
use crate::console::sanitize::inert_line;
use crate::model::SessionId;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};

/// The composer's frame: in note mode a double top border labelled "Note — only colleagues
/// see this"; `None` for a message to the customer.
pub(super) fn composer_block(
    ctx: &Ctx,
    session: SessionId,
    focused: bool,
) -> Option<Block<'static>> {
    if !ctx.app.notes.in_note_mode(session) {
        return None;
    }
    let label = format!(" 🔒 {} ", notes_text(ctx.app.lang).label);
    let style = ctx.style("composer.note").add_modifier(Modifier::BOLD);
    let border = ctx.style(if focused { "border.focused" } else { "border" });
    Some(
        Block::default()
            .borders(Borders::TOP)
            .border_type(BorderType::Double)
            .border_style(border)
            .title(Line::from(Span::styled(label, style))),
    )
}

/// The composer's placeholder in note mode.
pub(super) fn placeholder(ctx: &Ctx, session: SessionId) -> Option<&'static str> {
    ctx.app
        .notes
        .in_note_mode(session)
        .then(|| notes_text(ctx.app.lang).placeholder)
}

/// A note's look: its theme scope, italic, so it differs without colour too.
pub(super) fn note_style(ctx: &Ctx) -> Style {
    ctx.style("chat.note").add_modifier(Modifier::ITALIC)
}

/// The marker before a note's author in the transcript (`[note]`), or nothing.
pub(super) fn marker(ctx: &Ctx, line: &ChatLine) -> Option<Span<'static>> {
    line.internal.then(|| {
        Span::styled(
            format!("{} ", notes_text(ctx.app.lang).marker),
            note_style(ctx).add_modifier(Modifier::BOLD),
        )
    })
}

/// The @ picker, just above the composer at the bottom of the chat pane.
pub(super) fn draw_picker(frame: &mut Frame, ctx: &Ctx, chat: Rect) {
    let app = ctx.app;
    let Some(p) = &app.notes.picker else {
        return;
    };
    if app.focus != Focus::Compose || app.selected != Some(p.session) {
        return;
    }
    let nt = notes_text(app.lang);
    let shown = p.picker.matches.len().clamp(1, 8) as u16;
    let h = (shown + 4).min(chat.height.saturating_sub(2));
    let w = chat.width.saturating_sub(2).min(56);
    if h < 4 || w < 12 {
        return;
    }
    // Above the composer (its rows and border), inside the chat pane's border.
    let bottom = chat.bottom().saturating_sub(4);
    let area = Rect::new(chat.x + 1, bottom.saturating_sub(h).max(chat.y), w, h);
    frame.render_widget(Clear, area);
    let title = format!("@{} · {}", inert_line(&p.picker.query), nt.picker_title);
    let block = ctx.panel(title, true).style(ctx.style("dialog"));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let mut lines: Vec<Line> = Vec::new();
    if p.picker.matches.is_empty() {
        lines.push(Line::from(Span::styled(nt.picker_empty, ctx.style("hint"))));
    }
    // Keep the selection in view.
    let rows = usize::from(inner.height.saturating_sub(1)).max(1);
    let first = p.picker.selected.saturating_sub(rows - 1);
    for (pos, i) in p.picker.matches.iter().enumerate().skip(first).take(rows) {
        let Some(c) = p.items.get(*i) else { continue };
        let selected = pos == p.picker.selected;
        let style = if selected {
            ctx.style("session.selected")
        } else {
            ctx.style("dialog")
        };
        let mark = if selected { "▶ " } else { "  " };
        let no = c
            .employee_no
            .as_deref()
            .map(|n| format!(" #{}", inert_line(n)))
            .unwrap_or_default();
        let text = format!(
            "{mark}{} @{}{no}",
            inert_line(&c.display_name),
            inert_line(&c.username)
        );
        lines.push(Line::from(Span::styled(
            ellipsize(&text, width).into_owned(),
            style,
        )));
    }
    while lines.len() < usize::from(inner.height.saturating_sub(1)) {
        lines.push(Line::raw(""));
    }
    lines.push(Line::from(Span::styled(
        ellipsize(nt.picker_hint, width).into_owned(),
        ctx.style("hint"),
    )));
    frame.render_widget(Paragraph::new(lines), inner);
}
