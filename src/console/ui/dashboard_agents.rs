//! The dashboard's agents table: status (coloured) and time in it (ticking on the console's
//! clock), load against capacity as a small gauge, missed offers today, and the conversations
//! each serves (customer and how long; the selected one marked). The selected agent's row
//! stays in view.

use super::ctx::Ctx;
use super::dashboard_text::{cell, rcell, ticking};
use crate::console::app::dashboard_state::DashScreen;
use crate::console::sanitize::inert_line;
use crate::model::AgentStatus;
use crate::protocol::{DashAgent, DashboardView};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub(super) fn status_label(ctx: &Ctx, s: AgentStatus) -> &'static str {
    match s {
        AgentStatus::Online => ctx.t.status_online,
        AgentStatus::Busy => ctx.t.status_busy,
        AgentStatus::Away => ctx.t.status_away,
        AgentStatus::Offline => ctx.t.status_offline,
    }
}

fn status_scope(s: AgentStatus, connected: bool) -> &'static str {
    match s {
        _ if !connected => "status.offline",
        AgentStatus::Online => "status.online",
        AgentStatus::Busy => "status.busy",
        AgentStatus::Away => "status.away",
        AgentStatus::Offline => "status.offline",
    }
}

/// "███░░ 3/5": load against capacity (above it, the bar is full and the numbers say so).
fn gauge(active: u32, capacity: u32, cells: usize) -> String {
    let filled = if capacity == 0 {
        cells
    } else {
        ((active as usize * cells).div_ceil(capacity as usize)).min(cells)
    };
    format!(
        "{}{} {active}/{capacity}",
        "█".repeat(filled),
        "░".repeat(cells - filled)
    )
}

/// Widths: marker+name, status, time in status, load, missed; the rest is conversations.
fn widths(width: u16) -> [usize; 5] {
    if width >= 100 {
        [18, 8, 8, 11, 6]
    } else {
        [13, 6, 7, 9, 4]
    }
}

pub fn draw(frame: &mut Frame, ctx: &Ctx, d: &DashScreen, v: &DashboardView, area: Rect) {
    if area.height < 2 {
        return;
    }
    let t = ctx.t;
    let w = widths(area.width);
    let used: usize = w.iter().sum::<usize>() + w.len();
    let rest = (area.width as usize).saturating_sub(used);
    let header = format!(
        "{} {} {} {} {} {}",
        cell(t.dash_col_agent, w[0]),
        cell(t.dash_col_status, w[1]),
        rcell(t.dash_col_since, w[2]),
        cell(t.dash_col_load, w[3]),
        rcell(t.dash_col_missed, w[4]),
        cell(t.dash_col_conversations, rest),
    );
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(header, ctx.style("profile.label")))),
        Rect { height: 1, ..area },
    );
    let rows = (area.height - 1) as usize;
    let selected = d.selected_index();
    let first = selected.map_or(0, |s| s.saturating_sub(rows.saturating_sub(1)));
    let lines: Vec<Line> = v
        .agents
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(i, a)| agent_line(ctx, a, Some(i) == selected, d.conv, &w, rest))
        .collect();
    if v.agents.is_empty() {
        let p = Paragraph::new(Line::from(Span::styled(
            t.dash_no_agents,
            ctx.style("hint"),
        )));
        frame.render_widget(
            p,
            Rect {
                y: area.y + 1,
                height: 1,
                ..area
            },
        );
        return;
    }
    frame.render_widget(
        Paragraph::new(lines),
        Rect {
            y: area.y + 1,
            height: area.height - 1,
            ..area
        },
    );
}

fn agent_line<'a>(
    ctx: &Ctx,
    a: &DashAgent,
    selected: bool,
    conv: usize,
    w: &[usize; 5],
    rest: usize,
) -> Line<'a> {
    let now = ctx.app.now;
    let base = if selected {
        ctx.style("session.selected")
    } else {
        ctx.style("profile.value")
    };
    let mark = if selected { "▶" } else { " " };
    let name = format!("{mark}{}", inert_line(&a.display_name));
    let status = if a.connected {
        status_label(ctx, a.status).to_string()
    } else {
        format!("{}*", status_label(ctx, a.status))
    };
    let load_cells = w[3].saturating_sub(5).max(2);
    let load_style = if a.active > a.capacity {
        ctx.style("error")
    } else {
        base
    };
    let missed_style = if a.missed_offers > 0 {
        ctx.style("session.waiting")
    } else {
        base
    };
    let mut spans = vec![
        Span::styled(cell(&name, w[0]), base),
        Span::raw(" "),
        Span::styled(
            cell(&status, w[1]),
            ctx.style(status_scope(a.status, a.connected)),
        ),
        Span::raw(" "),
        Span::styled(rcell(&ticking(now - a.status_since), w[2]), base),
        Span::raw(" "),
        Span::styled(
            cell(&gauge(a.active, a.capacity, load_cells), w[3]),
            load_style,
        ),
        Span::raw(" "),
        Span::styled(rcell(&a.missed_offers.to_string(), w[4]), missed_style),
        Span::raw(" "),
    ];
    // Conversations: "小明 3:05", the selected one marked, as many as fit.
    let mut left = rest;
    let chosen = conv.min(a.sessions.len().saturating_sub(1));
    for (i, s) in a.sessions.iter().enumerate() {
        let since = s.waiting_since.unwrap_or(s.since);
        let label = format!(
            "{} #{} {}",
            inert_line(&s.customer),
            s.session_id,
            ticking(now - since)
        );
        let more = i + 1 < a.sessions.len();
        // Each gets at most 22 columns, and what is left; the last one shown may be cut.
        let room = left.saturating_sub(if more { 3 } else { 0 }).min(22);
        if room < 6 {
            spans.push(Span::styled("…", base));
            break;
        }
        let label = super::text::ellipsize(&label, room).into_owned();
        let piece = if more { format!("{label} · ") } else { label };
        let width = unicode_width::UnicodeWidthStr::width(piece.as_str());
        left -= width;
        let style = if selected && i == chosen {
            ctx.style("dialog.selected")
        } else if s.waiting_since.is_some() {
            ctx.style("session.waiting")
        } else {
            base
        };
        spans.push(Span::styled(piece, style));
    }
    Line::from(spans)
}
