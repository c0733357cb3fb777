//! The session list: offers with their countdown, active sessions with unread counts and
//! customer wait time, pending follow-up, read-only history, and the manual-pick queue.

use super::{Ctx, short_duration};
use crate::console::app::{Focus, Row, SessionEntry, WAIT_LONG_MS, WAIT_OVERDUE_MS, is_complaint};
use crate::console::i18n::fill;
use crate::console::sanitize::inert_line;
use crate::model::Channel;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn channel_label(ctx: &Ctx, c: Channel) -> &'static str {
    match c {
        Channel::Web => ctx.t.channel_web,
        Channel::App => ctx.t.channel_app,
        Channel::MiniProgram => ctx.t.channel_mini_program,
        Channel::Api => ctx.t.channel_api,
    }
}

pub fn draw(frame: &mut Frame, ctx: &Ctx, area: Rect) {
    let app = ctx.app;
    let block = ctx.panel(
        ctx.t.sessions_title.to_string(),
        app.focus == Focus::Sessions,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let rows = app.rows();
    if rows.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(ctx.t.no_sessions, ctx.style("hint"))),
            inner,
        );
        return;
    }
    // Lay out only the visible window: find each row's first line, then draw the rows that
    // fall inside it (a list of 1,000 sessions costs what a screenful does).
    let height = inner.height as usize;
    let mut starts = Vec::with_capacity(rows.len());
    let mut total: usize = 0;
    let mut selected_line: usize = 0;
    for row in &rows {
        starts.push(total);
        let id = match row {
            Row::Heading(_) => None,
            Row::Session(id) | Row::Queued(id) => Some(*id),
        };
        if id.is_some() && id == app.selected {
            selected_line = total;
        }
        total += if matches!(row, Row::Session(_)) { 2 } else { 1 };
    }
    // Keep the selection visible in long lists.
    let offset = selected_line.saturating_sub(height.saturating_sub(3));
    let mut lines: Vec<Line> = Vec::with_capacity(height + 2);
    let mut n = 0;
    for (row, start) in rows.iter().zip(starts) {
        if !matches!(row, Row::Heading(_)) {
            n += 1;
        }
        if start + 2 <= offset {
            continue;
        }
        if start >= offset + height {
            break;
        }
        match *row {
            Row::Heading(h) => {
                lines.push(Line::from(Span::styled(h.to_string(), ctx.style("title"))))
            }
            Row::Session(id) => {
                if let Some(s) = app.sessions.get(&id) {
                    lines.extend(entry_lines(
                        ctx,
                        s,
                        n,
                        app.selected == Some(id),
                        inner.width,
                    ));
                }
            }
            Row::Queued(id) => {
                if let Some(v) = app.pickable.iter().find(|v| v.id == id) {
                    let wait = v
                        .queued_at
                        .map(|q| short_duration(app.now - q))
                        .unwrap_or_default();
                    let style = if app.selected == Some(id) {
                        ctx.style("session.selected")
                    } else {
                        ctx.style("session")
                    };
                    lines.push(Line::from(vec![
                        Span::styled(format!("{n:>2} "), style),
                        Span::styled(format!("{} ", inert_line(&v.customer.nickname)), style),
                        Span::styled(wait, ctx.style("session.waiting")),
                    ]));
                }
            }
        }
    }
    // The first drawn row may start above the window (half of a two-line entry).
    let skip = offset.saturating_sub(rows_start_before(&rows, offset));
    frame.render_widget(Paragraph::new(lines).scroll((skip as u16, 0)), inner);
}

/// The first line of the row that contains line `offset`.
fn rows_start_before(rows: &[Row], offset: usize) -> usize {
    let mut total = 0;
    for row in rows {
        let h = if matches!(row, Row::Session(_)) { 2 } else { 1 };
        if total + h > offset {
            return total;
        }
        total += h;
    }
    total
}

/// Two lines per session: number, markers, name, unread / countdown; then channel and wait.
fn entry_lines(
    ctx: &Ctx,
    s: &SessionEntry,
    n: usize,
    selected: bool,
    width: u16,
) -> Vec<Line<'static>> {
    let (app, t) = (ctx.app, ctx.t);
    let base = if selected {
        ctx.style("session.selected")
    } else if s.is_offer() {
        ctx.style("session.offer")
    } else {
        ctx.style("session")
    };
    // A visible marker too, not only colour: the selection must survive monochrome terminals.
    let mark = if selected { "▶" } else { " " };
    let num = if n <= 9 {
        format!("{mark}{n} ")
    } else {
        format!("{mark}  ")
    };
    let mut first = vec![Span::styled(num, base)];
    if s.view.customer.vip {
        first.push(Span::styled("★", base.patch(ctx.style("session.vip"))));
    }
    if is_complaint(&s.view) {
        first.push(Span::styled(
            "!",
            base.patch(ctx.style("session.complaint")),
        ));
    }
    if s.view.follow_up {
        first.push(Span::styled(
            "⏸",
            base.patch(ctx.style("session.follow_up")),
        ));
    }
    let name: String = inert_line(&s.view.customer.nickname)
        .chars()
        .take(width.saturating_sub(12) as usize)
        .collect();
    first.push(Span::styled(format!(" {name}"), base));
    if s.unread > 0 {
        first.push(Span::styled(
            format!(" ({})", s.unread),
            base.patch(ctx.style("session.unread")),
        ));
    }
    let mut second = vec![Span::styled(
        format!("    {}", super::list::channel_label(ctx, s.view.channel)),
        base.patch(ctx.style("session.channel")),
    )];
    if let Some(exp) = s.offer_expires {
        // The countdown goes on the second line, where a long name cannot push it off.
        let secs = (((exp - app.now).max(0) + 999) / 1000).to_string();
        second.push(Span::styled(
            format!(" {}", fill(t.accept_countdown, &[("s", &secs)])),
            base.patch(ctx.style("session.offer")),
        ));
    } else if let Some(w) = s.view.waiting_since {
        let waited = app.now - w;
        let scope = if waited >= WAIT_OVERDUE_MS {
            "session.waiting.overdue"
        } else if waited >= WAIT_LONG_MS {
            "session.waiting.long"
        } else {
            "session.waiting"
        };
        let label = fill(t.waiting_for, &[("t", &short_duration(waited))]);
        second.push(Span::styled(
            format!(" {label}"),
            base.patch(ctx.style(scope)),
        ));
    }
    let fill_style: Style = base;
    vec![
        Line::from(first).style(fill_style),
        Line::from(second).style(fill_style),
    ]
}
