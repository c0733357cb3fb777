//! The frame every pop-up is drawn in: a centred rectangle, cleared, with a focused border and
//! a title. Dialogs, the help overlay and the which-key popup all use it.

use super::ctx::Ctx;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::Clear;

/// A centred rectangle of at most `w`×`h` inside `area`.
pub(super) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// Clears `area` and frames it as a focused panel titled `title`; returns the inside.
pub(super) fn popup(frame: &mut Frame, ctx: &Ctx, area: Rect, title: &str) -> Rect {
    frame.render_widget(Clear, area);
    let block = ctx
        .panel(title.to_string(), true)
        .style(ctx.style("dialog"));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}
