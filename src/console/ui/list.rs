//! The session list: offers with their countdown, active sessions with unread counts and
//! customer wait time, pending follow-up, read-only history, and the manual-pick queue.

use super::ctx::Ctx;
use super::text::{channel_label, ellipsize, first_fitting, short_duration};
use crate::console::app::{Focus, Row, SessionEntry, WAIT_LONG_MS, WAIT_OVERDUE_MS, is_complaint};
use crate::console::i18n::fill;
use crate::console::sanitize::inert_line;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

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
            Row::Heading(h) => lines.push(Line::from(Span::styled(
                ellipsize(h, inner.width.into()).into_owned(),
                ctx.style("title"),
            ))),
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
                    let budget = usize::from(inner.width).saturating_sub(4 + wait.width());
                    let name = inert_line(&v.customer.nickname);
                    lines.push(Line::from(vec![
                        Span::styled(format!("{n:>2} "), style),
                        Span::styled(format!("{} ", ellipsize(&name, budget)), style),
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

/// Two lines per session: number, markers, name, unread count; then channel and wait (or
/// the offer's countdown). Everything is measured in display columns so narrow lists keep
/// names readable (cut with `…`) and durations whole (`3m`, never `3`).
fn entry_lines(
    ctx: &Ctx,
    s: &SessionEntry,
    n: usize,
    selected: bool,
    width: u16,
) -> Vec<Line<'static>> {
    let (app, t) = (ctx.app, ctx.t);
    let width = usize::from(width);
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
    let mut used = num.width();
    let mut first = vec![Span::styled(num, base)];
    let mut marker = |symbol: &'static str, scope: &str| {
        used += symbol.width();
        first.push(Span::styled(symbol, base.patch(ctx.style(scope))));
    };
    if s.view.customer.vip {
        marker("★", "session.vip");
    }
    if is_complaint(&s.view) {
        marker("!", "session.complaint");
    }
    // A fired reminder the agent has not dealt with: the alarm clock instead of the pause.
    if app.follow_up_is_due(s) {
        marker("⏰", "session.follow_up");
    } else if s.view.follow_up {
        marker("⏸", "session.follow_up");
    }
    // A left message: written while nobody was online or outside the group's hours.
    if s.view.offline {
        marker("✉", "session.offline");
    }
    // Someone @mentioned us here and we have not looked yet.
    if app.notes.unread_in(s.view.id) > 0 {
        marker("@", "session.mention");
    }
    let unread = (s.unread > 0).then(|| format!(" ({})", s.unread));
    let unread_w = unread.as_deref().map_or(0, UnicodeWidthStr::width);
    let budget = width.saturating_sub(used + 1 + unread_w);
    let nickname = inert_line(&s.view.customer.nickname);
    first.push(Span::styled(
        format!(" {}", ellipsize(&nickname, budget)),
        base,
    ));
    if let Some(unread) = unread {
        first.push(Span::styled(
            unread,
            base.patch(ctx.style("session.unread")),
        ));
    }
    let channel = channel_label(ctx, s.view.channel);
    // Each status has shorter forms for narrow lists; the value itself is never cut.
    let (forms, scope): (Vec<String>, &str) = if let Some(exp) = s.offer_expires {
        let secs = (((exp - app.now).max(0) + 999) / 1000).to_string();
        let label = fill(t.accept_countdown, &[("s", &secs)]);
        (
            vec![
                format!("    {channel} {label}"),
                format!("  {label}"),
                format!("  {secs}s"),
            ],
            "session.offer",
        )
    } else if let Some(w) = s.view.waiting_since {
        let waited = app.now - w;
        let scope = if waited >= WAIT_OVERDUE_MS {
            "session.waiting.overdue"
        } else if waited >= WAIT_LONG_MS {
            "session.waiting.long"
        } else {
            "session.waiting"
        };
        let value = short_duration(waited);
        let label = fill(t.waiting_for, &[("t", &value)]);
        (
            vec![
                format!("    {channel} {label}"),
                format!("  {label}"),
                format!("  {value}"),
            ],
            scope,
        )
    } else if let Some(forms) = super::followup::reminder_forms(ctx, s, channel) {
        (forms, "session.follow_up")
    } else {
        (vec![format!("    {channel}")], "session.channel")
    };
    // A pending end counts down instead (`end`).
    let (forms, scope) = super::end::list_forms(ctx, s, channel)
        .map_or((forms, scope), |f| (f, "session.waiting.long"));
    let text = first_fitting(&forms, width);
    // The channel keeps its own colour; the status part is coloured by urgency.
    let second = match text.strip_prefix(&format!("    {channel}")) {
        Some(rest) if forms.len() > 1 => vec![
            Span::styled(
                format!("    {channel}"),
                base.patch(ctx.style("session.channel")),
            ),
            Span::styled(rest.to_string(), base.patch(ctx.style(scope))),
        ],
        _ => vec![Span::styled(text, base.patch(ctx.style(scope)))],
    };
    vec![
        Line::from(first).style(base),
        Line::from(second).style(base),
    ]
}
