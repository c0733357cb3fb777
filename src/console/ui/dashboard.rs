//! The supervisor's live view, drawn full screen (above the status bar): the overall service
//! level, the queues (waiting, longest wait ticking on the console's clock, arrivals in the
//! last hour with a sparkline of its 5-minute buckets, agents online, service level), the
//! agents (`dashboard_agents`), a line of keys, and the status picker when open. Every
//! string from the network goes through `inert_line`.

use super::ctx::Ctx;
use super::dashboard_text::{cell, rcell, ticking};
use super::popup::{centered, popup};
use crate::console::app::dashboard_state::{DashScreen, PICK_STATUSES};
use crate::console::i18n::fill;
use crate::console::keymap::Context;
use crate::console::sanitize::inert_line;
use crate::protocol::{DashQueue, DashboardView};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Sparkline};

pub(super) fn percent(share: Option<f64>) -> String {
    match share {
        Some(s) => format!("{:.0}%", s * 100.0),
        None => "–".into(),
    }
}

pub fn draw(frame: &mut Frame, ctx: &Ctx, d: &DashScreen, area: Rect) {
    // Above the status bar, which keeps showing notices.
    let area = Rect {
        height: area.height.saturating_sub(1),
        ..area
    };
    frame.render_widget(Clear, area);
    frame.buffer_mut().set_style(area, ctx.style("base"));
    let t = ctx.t;
    let title = match &d.view {
        Some(v) => fill(
            t.dash_title_sl,
            &[
                ("sl", &percent(v.service_level)),
                ("secs", &v.service_level_secs.to_string()),
            ],
        ),
        None => t.dash_title.to_string(),
    };
    let block = ctx.panel(title, true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(v) = &d.view else {
        let p = Paragraph::new(Line::from(Span::styled(t.dash_loading, ctx.style("hint"))));
        frame.render_widget(p, inner);
        return;
    };
    if inner.height < 4 {
        return;
    }
    // Queues: a header and a row each, at most a third of the height.
    let q_rows = (v.queues.len() as u16 + 1).min(inner.height / 3).max(2);
    let queues = Rect {
        height: q_rows,
        ..inner
    };
    draw_queues(frame, ctx, v, queues);
    let hint_h = 1;
    let agents = Rect {
        y: inner.y + q_rows + 1,
        height: inner.height.saturating_sub(q_rows + 1 + hint_h),
        ..inner
    };
    super::dashboard_agents::draw(frame, ctx, d, v, agents);
    let hint = Rect {
        y: inner.y + inner.height.saturating_sub(1),
        height: 1,
        ..inner
    };
    draw_hint(frame, ctx, hint);
    if let Some(i) = d.picker {
        draw_picker(frame, ctx, d, i, area);
    }
}

/// Column widths of the queues table: group, waiting, longest wait, arrivals, sparkline,
/// online, service level.
fn queue_widths(width: u16) -> [usize; 7] {
    let w = width as usize;
    let spark = if w >= 100 { 24 } else { 12 };
    let fixed = 7 + 9 + 7 + spark + 7 + 6 + 6;
    let group = w.saturating_sub(fixed).clamp(6, 24);
    [group, 7, 9, 7, spark, 7, 6]
}

fn draw_queues(frame: &mut Frame, ctx: &Ctx, v: &DashboardView, area: Rect) {
    let t = ctx.t;
    let w = queue_widths(area.width);
    let head = ctx.style("profile.label");
    let header = format!(
        "{} {} {} {} {} {} {}",
        cell(t.dash_col_group, w[0]),
        rcell(t.dash_col_waiting, w[1]),
        rcell(t.dash_col_longest, w[2]),
        rcell(t.dash_col_arrivals, w[3]),
        cell(t.dash_col_trend, w[4]),
        rcell(t.dash_col_online, w[5]),
        rcell(t.dash_col_sl, w[6]),
    );
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(header, head))),
        Rect { height: 1, ..area },
    );
    for (i, q) in v.queues.iter().enumerate() {
        let y = area.y + 1 + i as u16;
        if y >= area.y + area.height {
            break;
        }
        draw_queue_row(
            frame,
            ctx,
            q,
            &w,
            Rect {
                y,
                height: 1,
                ..area
            },
        );
    }
}

fn draw_queue_row(frame: &mut Frame, ctx: &Ctx, q: &DashQueue, w: &[usize; 7], row: Rect) {
    let now = ctx.app.now;
    let longest = q
        .oldest_since
        .map(|s| ticking(now - s))
        .unwrap_or_else(|| "–".into());
    let wait_style = match q.oldest_since {
        Some(s) if now - s >= crate::console::app::WAIT_OVERDUE_MS => ctx.style("error"),
        Some(s) if now - s >= crate::console::app::WAIT_LONG_MS => ctx.style("session.waiting"),
        _ => ctx.style("profile.value"),
    };
    let plain = ctx.style("profile.value");
    let left = vec![
        Span::styled(cell(&inert_line(&q.group), w[0]), plain),
        Span::raw(" "),
        Span::styled(rcell(&q.waiting.to_string(), w[1]), plain),
        Span::raw(" "),
        Span::styled(rcell(&longest, w[2]), wait_style),
        Span::raw(" "),
        Span::styled(rcell(&q.arrivals_last_hour.to_string(), w[3]), plain),
        Span::raw(" "),
    ];
    let lead: usize = w[0] + w[1] + w[2] + w[3] + 4;
    frame.render_widget(Paragraph::new(Line::from(left)), row);
    let spark_area = Rect {
        x: row.x + lead as u16,
        width: (w[4] as u16).min(row.width.saturating_sub(lead as u16)),
        ..row
    };
    // One bar per 5 minutes, oldest first; stretched to the column when it is wider.
    let data: Vec<u64> = q.arrivals_5min.iter().map(|n| u64::from(*n)).collect();
    let stretch = (w[4] / data.len().max(1)).max(1);
    let bars: Vec<u64> = data
        .iter()
        .flat_map(|n| std::iter::repeat_n(*n, stretch))
        .collect();
    frame.render_widget(
        Sparkline::default()
            .data(&bars)
            .style(ctx.style("session.offer")),
        spark_area,
    );
    let right = format!(
        " {} {}",
        rcell(&q.agents_online.to_string(), w[5]),
        rcell(&percent(q.service_level), w[6]),
    );
    let x = spark_area.x + w[4] as u16;
    if x < row.x + row.width {
        frame.render_widget(
            Paragraph::new(Line::from(Span::styled(right, plain))),
            Rect {
                x,
                width: row.x + row.width - x,
                ..row
            },
        );
    }
}

/// The keys of the dashboard, from the keymap.
fn draw_hint(frame: &mut Frame, ctx: &Ctx, area: Rect) {
    use crate::console::action::Action as A;
    let t = ctx.t;
    let key = |a: A| {
        ctx.keymap
            .keys_for(Context::Dashboard, a)
            .into_iter()
            .next()
            .unwrap_or_else(|| "?".into())
    };
    let items = [
        (A::DashStatus, t.dash_key_status),
        (A::DashTakeOver, t.dash_key_take_over),
        (A::DashReassign, t.dash_key_reassign),
        (A::DashWatch, t.dash_key_watch),
        (A::DashWhisper, t.dash_key_whisper),
        (A::DashNextConversation, t.dash_key_next),
        (A::Cancel, t.hint_close),
    ];
    let mut spans = Vec::new();
    for (a, label) in items {
        spans.push(Span::styled(key(a), ctx.style("hint.key")));
        spans.push(Span::styled(format!(" {label}  "), ctx.style("hint")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_picker(frame: &mut Frame, ctx: &Ctx, d: &DashScreen, selected: usize, area: Rect) {
    let t = ctx.t;
    let who = d
        .selected_agent()
        .map(|a| inert_line(&a.display_name).into_owned())
        .unwrap_or_default();
    let title = fill(t.dash_picker_title, &[("name", &who)]);
    let inner = popup(
        frame,
        ctx,
        centered(area, 36, PICK_STATUSES.len() as u16 + 2),
        &title,
    );
    let lines: Vec<Line> = PICK_STATUSES
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (mark, style) = if i == selected {
                ("▶ ", ctx.style("dialog.selected"))
            } else {
                ("  ", ctx.style("dialog"))
            };
            Line::from(Span::styled(
                format!("{mark}{}", super::dashboard_agents::status_label(ctx, *s)),
                style,
            ))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
