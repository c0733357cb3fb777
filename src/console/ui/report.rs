//! The Reports screen, full-screen over the workbench (the status bar stays visible under it):
//! a period line, then the report — a metrics summary, a bar chart, trend sparklines, the
//! waiting-customers line chart and, for a team report, a table of its rows — or what is
//! happening instead (loading, the server's refusal). Charts are in `report_charts`, number
//! formats in `report_text`. Row labels come from the network: sanitised, cut to their column.

use super::ctx::Ctx;
use super::report_charts as charts;
use super::report_text::{by_label, opt_duration, percent, stars};
use super::text::{ellipsize, first_fitting};
use crate::console::action::Action;
use crate::console::app::layout::wrap;
use crate::console::app::report_period::{PeriodKind, local_date};
use crate::console::app::{ReportLoad, ReportsScreen, range_error};
use crate::console::i18n::fill;
use crate::console::keymap::Context;
use crate::console::sanitize::inert_line;
use crate::protocol::{Metrics, ReportBy, ReportReply, ReportScope};
use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table};
use unicode_width::UnicodeWidthStr;

/// From this size on, the waiting customers get a line chart (else a sparkline row).
const CHART_MIN_HEIGHT: u16 = 30;
/// The summary column's width on wide screens.
const SUMMARY_WIDTH: u16 = 50;

pub fn draw(frame: &mut Frame, ctx: &Ctx, r: &ReportsScreen, area: Rect) {
    // The status bar (status, offers) stays visible under the screen.
    let area = Rect {
        height: area.height.saturating_sub(1),
        ..area
    };
    if area.height < 3 || area.width < 10 {
        return;
    }
    frame.render_widget(Clear, area);
    frame.buffer_mut().set_style(area, ctx.style("base"));
    let block = ctx
        .panel(title(ctx, r), true)
        .title_bottom(hint_line(ctx, r));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let rows = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Length(1), Constraint::Min(1)])
        .split(inner);
    period_line(frame, ctx, r, rows[0]);
    match &r.load {
        ReportLoad::Loading => message(frame, ctx, rows[1], ctx.t.report_loading, None, false),
        ReportLoad::Failed { code, message: m } => {
            let head = match code {
                Some(crate::protocol::ErrorCode::Forbidden) => ctx.t.report_forbidden,
                Some(crate::protocol::ErrorCode::Unavailable) => ctx.t.report_unavailable,
                _ => ctx.t.report_failed,
            };
            message(frame, ctx, rows[1], head, Some(m), true)
        }
        ReportLoad::Ready(reply) => body(frame, ctx, r, reply, rows[1]),
    }
}

/// "Reports · Team · by agent".
fn title(ctx: &Ctx, r: &ReportsScreen) -> String {
    let t = ctx.t;
    match r.scope {
        ReportScope::Me => format!("{} · {}", t.report_title, t.report_personal),
        ReportScope::Team => format!(
            "{} · {} · {}",
            t.report_title,
            t.report_team,
            by_label(ctx, r.by)
        ),
    }
}

/// The first key bound to `action` on the screen.
fn key(ctx: &Ctx, action: Action) -> String {
    ctx.keymap
        .keys_for(Context::Reports, action)
        .into_iter()
        .next()
        .unwrap_or_default()
}

/// The keys along the bottom border.
fn hint_line(ctx: &Ctx, r: &ReportsScreen) -> Line<'static> {
    let t = ctx.t;
    let mut items: Vec<(String, &str)> = vec![(
        format!(
            "{}/{}",
            key(ctx, Action::ReportPrev),
            key(ctx, Action::ReportNext)
        ),
        t.report_hint_period,
    )];
    if ctx.app.sees_team() {
        items.push((key(ctx, Action::ReportScope), t.report_hint_scope));
        if r.scope == ReportScope::Team {
            items.push((key(ctx, Action::ReportBreakdown), t.report_hint_breakdown));
        }
    }
    items.push((key(ctx, Action::ReportRefresh), t.report_hint_refresh));
    items.push((key(ctx, Action::Help), t.report_hint_help));
    items.push((key(ctx, Action::Cancel), t.report_hint_close));
    let mut spans = vec![Span::raw(" ")];
    for (i, (k, what)) in items.into_iter().filter(|(k, _)| !k.is_empty()).enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", ctx.style("hint")));
        }
        spans.push(Span::styled(k, ctx.style("hint.key")));
        spans.push(Span::styled(format!(" {what}"), ctx.style("hint")));
    }
    spans.push(Span::raw(" "));
    Line::from(spans)
}

/// The period choices (the current one set apart), the period itself and the time zone; or
/// the custom range being typed.
fn period_line(frame: &mut Frame, ctx: &Ctx, r: &ReportsScreen, area: Rect) {
    let t = ctx.t;
    if let Some(typed) = &r.typing {
        let mut spans = vec![
            Span::styled(t.report_custom_prompt, ctx.style("profile.label")),
            Span::styled(typed.clone(), ctx.style("composer")),
            Span::raw("  "),
        ];
        match r.typing_error {
            Some(e) => spans.push(Span::styled(
                range_error(ctx.app.lang, e),
                ctx.style("error"),
            )),
            None => spans.push(Span::styled(t.report_custom_example, ctx.style("hint"))),
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
        let x = area.x + t.report_custom_prompt.width() as u16 + typed.width() as u16;
        frame.set_cursor_position(Position::new(x.min(area.right().saturating_sub(1)), area.y));
        return;
    }
    let choices = [
        (Action::ReportToday, t.report_today, PeriodKind::Day),
        (Action::ReportWeek, t.report_week, PeriodKind::Week),
        (Action::ReportMonth, t.report_month, PeriodKind::Month),
        (Action::ReportCustom, t.report_custom, PeriodKind::Custom),
    ];
    let today = local_date(ctx.app.now, &r.tz).ok();
    let current = today.is_some_and(|d| r.period.contains(d));
    let mut spans = Vec::new();
    for (action, label, kind) in choices {
        // "Today" is lit only while it is today's report; yesterday's is just a day.
        let on = r.period.kind == kind && (kind == PeriodKind::Custom || current);
        let style = if on {
            ctx.style("session.selected")
        } else {
            ctx.style("hint")
        };
        spans.push(Span::styled(key(ctx, action), ctx.style("hint.key")));
        let text = if on {
            format!("[{label}]")
        } else {
            label.to_string()
        };
        spans.push(Span::styled(format!(" {text}"), style));
        spans.push(Span::raw("  "));
    }
    let when = format!("◀ {} ▶", r.period.label());
    let zone = r.tz.iana_name().unwrap_or("UTC").to_string();
    let used: usize = spans.iter().map(|s| s.content.width()).sum();
    let room = (area.width as usize).saturating_sub(used);
    let right = first_fitting(&[format!("{when}  {zone}"), when.clone()], room);
    let pad = room.saturating_sub(right.width());
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(
        right,
        ctx.style("profile.value").add_modifier(Modifier::BOLD),
    ));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Loading, or why there is no report: a headline, the server's words (sanitised already),
/// and the key to try again.
fn message(
    frame: &mut Frame,
    ctx: &Ctx,
    area: Rect,
    head: &str,
    detail: Option<&String>,
    retry: bool,
) {
    let w = area.width.saturating_sub(4).max(10) as usize;
    let head_style = if retry {
        ctx.style("error")
    } else {
        ctx.style("hint")
    };
    let mut lines: Vec<Line> = vec![Line::raw("")];
    lines.extend(
        wrap(head, w)
            .into_iter()
            .map(|l| Line::from(Span::styled(l, head_style))),
    );
    if let Some(d) = detail.filter(|d| !d.trim().is_empty()) {
        lines.extend(
            wrap(&inert_line(d), w)
                .into_iter()
                .map(|l| Line::from(Span::styled(l, ctx.style("hint")))),
        );
    }
    if retry {
        lines.push(Line::raw(""));
        let k = key(ctx, Action::ReportRefresh);
        lines.push(Line::from(Span::styled(
            fill(ctx.t.report_retry, &[("key", &k)]),
            ctx.style("hint"),
        )));
    }
    let inner = Rect {
        x: area.x + 2,
        width: area.width.saturating_sub(4),
        ..area
    };
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The report: summary and bars side by side, then trends, then (team) the table.
fn body(frame: &mut Frame, ctx: &Ctx, r: &ReportsScreen, reply: &ReportReply, area: Rect) {
    let team = r.scope == ReportScope::Team;
    let tall = area.height + 3 >= CHART_MIN_HEIGHT;
    let summary_h = summary_lines(ctx, &reply.totals, 40, tall).len() as u16 + 2;
    // Trends: a line chart when there is room, else one sparkline row each (waiting too).
    // A personal report has no table: its summary and bars grow instead.
    let (summary_h, trends_h, table_h) = match (team, tall) {
        (true, true) => (summary_h, 9, area.height.saturating_sub(summary_h + 9)),
        (true, false) => (summary_h, 5, area.height.saturating_sub(summary_h + 5)),
        (false, true) => {
            let trends = 14.min(area.height.saturating_sub(summary_h));
            (area.height - trends, trends, 0)
        }
        (false, false) => (summary_h, area.height.saturating_sub(summary_h), 0),
    };
    let rows = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Length(summary_h),
            Constraint::Length(trends_h),
            Constraint::Length(table_h),
        ])
        .split(area);
    let summary_w = SUMMARY_WIDTH.min(area.width / 2);
    let top = Layout::default()
        .direction(Direction::Horizontal)
        .constraints([Constraint::Length(summary_w), Constraint::Min(10)])
        .split(rows[0]);
    summary(frame, ctx, &reply.totals, top[0], tall);
    charts::bars(frame, ctx, r, reply, top[1]);
    let mid = Layout::default()
        .direction(Direction::Horizontal)
        .constraints([Constraint::Length(summary_w), Constraint::Min(10)])
        .split(rows[1]);
    let room_for_chart = rows[1].height >= 8;
    if room_for_chart {
        charts::sparklines(frame, ctx, reply, mid[0], false);
        charts::waiting(frame, ctx, r, reply, mid[1]);
    } else {
        charts::sparklines(frame, ctx, reply, rows[1], true);
    }
    if team && rows[2].height >= 3 {
        table(frame, ctx, r, reply, rows[2]);
    }
}

/// (label, value) rows of the summary, values cut to fit a column `w` wide; with status
/// times, their bar's row (and with `legend` a row for its legend) is left empty to draw in.
fn summary_lines(ctx: &Ctx, m: &Metrics, w: usize, legend: bool) -> Vec<(&'static str, String)> {
    let t = ctx.t;
    let first = [
        fill(
            t.report_avg_median,
            &[
                ("avg", &opt_duration(m.first_response_avg_ms)),
                ("median", &opt_duration(m.first_response_median_ms)),
            ],
        ),
        format!(
            "{} / {}",
            opt_duration(m.first_response_avg_ms),
            opt_duration(m.first_response_median_ms)
        ),
    ];
    let resolved = [
        format!(
            "{} ({}/{})",
            percent(m.resolution_rate),
            m.resolved,
            m.ended
        ),
        percent(m.resolution_rate),
    ];
    let csat = [
        fill(
            t.report_csat_detail,
            &[
                ("avg", &stars(m.csat_avg)),
                ("good", &percent(m.csat_good_share)),
                ("rate", &percent(m.csat_response_rate)),
            ],
        ),
        format!(
            "{}★ {} {}",
            stars(m.csat_avg),
            percent(m.csat_good_share),
            percent(m.csat_response_rate)
        ),
    ];
    let transfers = [
        fill(
            t.report_transfers_detail,
            &[
                ("in", &m.transfers_in.to_string()),
                ("out", &m.transfers_out.to_string()),
            ],
        ),
        format!("{} / {}", m.transfers_in, m.transfers_out),
    ];
    let mut out = vec![
        (t.report_handled, m.handled.to_string()),
        (t.report_first_response, first_fitting(&first, w)),
        (t.report_response, opt_duration(m.response_avg_ms)),
        (t.report_resolution, opt_duration(m.resolution_avg_ms)),
        (t.report_resolution_rate, first_fitting(&resolved, w)),
        (t.report_csat, first_fitting(&csat, w)),
        (t.report_transfers, first_fitting(&transfers, w)),
    ];
    if !m.status_ms.is_empty() {
        out.push((t.report_status_time, String::new()));
        if legend {
            out.push(("", String::new()));
        }
    }
    out
}

fn summary(frame: &mut Frame, ctx: &Ctx, m: &Metrics, area: Rect, legend: bool) {
    let block = ctx.panel(ctx.t.report_summary.to_string(), false);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let label_w = summary_lines(ctx, m, 40, legend)
        .iter()
        .map(|(l, _)| l.width())
        .max()
        .unwrap_or(8)
        + 1;
    let value_w = (inner.width as usize).saturating_sub(label_w + 1);
    let lines = summary_lines(ctx, m, value_w, legend);
    let status_row = (!m.status_ms.is_empty())
        .then(|| {
            lines
                .iter()
                .position(|(l, _)| *l == ctx.t.report_status_time)
        })
        .flatten();
    let mut out: Vec<Line> = Vec::new();
    for (label, value) in lines {
        let pad = " ".repeat(label_w.saturating_sub(label.width()));
        out.push(Line::from(vec![
            Span::styled(format!(" {label}{pad}"), ctx.style("profile.label")),
            Span::styled(value, ctx.style("profile.value")),
        ]));
    }
    frame.render_widget(Paragraph::new(out), inner);
    if let Some(row) = status_row {
        let x = inner.x + 1 + label_w as u16;
        let rect = Rect {
            x,
            y: inner.y + row as u16,
            width: inner.right().saturating_sub(x),
            height: if legend { 2 } else { 1 },
        }
        .intersection(inner);
        super::report_status::status_bar(frame, ctx, &m.status_ms, rect);
    }
}

/// The breakdown's rows with the main metrics, the totals first.
fn table(frame: &mut Frame, ctx: &Ctx, r: &ReportsScreen, reply: &ReportReply, area: Rect) {
    let t = ctx.t;
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(ctx.style("border"))
        .title(Line::from(Span::styled(
            format!(" {} ", by_label(ctx, r.by)),
            ctx.style("title"),
        )));
    // Tag rows overlap: say so, or the rows seem not to add up to the total.
    let block = if r.by == ReportBy::Tag {
        block.title(Line::from(Span::styled(
            format!(" {} ", t.report_tag_note),
            ctx.style("hint"),
        )))
    } else {
        block
    };
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let widths = [8u16, 9, 8, 9, 9, 6, 8];
    let fixed: u16 = widths.iter().sum::<u16>() + widths.len() as u16;
    let label_w = inner.width.saturating_sub(fixed).clamp(6, 30);
    let cells = |label: String, m: &Metrics| -> Vec<Cell<'static>> {
        vec![
            Cell::from(label),
            Cell::from(format!("{:>8}", m.handled)),
            Cell::from(format!("{:>9}", opt_duration(m.first_response_avg_ms))),
            Cell::from(format!("{:>8}", opt_duration(m.response_avg_ms))),
            Cell::from(format!("{:>9}", opt_duration(m.resolution_avg_ms))),
            Cell::from(format!("{:>9}", percent(m.resolution_rate))),
            Cell::from(format!("{:>6}", stars(m.csat_avg))),
            Cell::from(format!(
                "{:>8}",
                format!("{}/{}", m.transfers_in, m.transfers_out)
            )),
        ]
    };
    let right = |s: &str, w: usize| format!("{}{s}", " ".repeat(w.saturating_sub(s.width())));
    let header = Row::new(vec![
        Cell::from(""),
        Cell::from(right(t.report_handled, 8)),
        Cell::from(right(t.report_col_first, 9)),
        Cell::from(right(t.report_col_response, 8)),
        Cell::from(right(t.report_col_resolution, 9)),
        Cell::from(right(t.report_col_rate, 9)),
        Cell::from(right(t.report_csat, 6)),
        Cell::from(right(t.report_col_transfers, 8)),
    ])
    .style(
        ctx.style("help.section")
            .remove_modifier(Modifier::UNDERLINED),
    );
    let mut rows = vec![
        Row::new(cells(t.report_total.to_string(), &reply.totals))
            .style(ctx.style("profile.value").add_modifier(Modifier::BOLD)),
    ];
    if reply.rows.is_empty() {
        rows.push(Row::new(vec![Cell::from(Span::styled(
            t.report_empty,
            ctx.style("hint"),
        ))]));
    }
    for row in reply.rows.iter().skip(r.scroll) {
        let label = ellipsize(&inert_line(&row.label), label_w as usize).into_owned();
        rows.push(Row::new(cells(label, &row.metrics)).style(ctx.style("profile.value")));
    }
    let mut constraints = vec![Constraint::Length(label_w)];
    constraints.extend(widths.iter().map(|w| Constraint::Length(*w)));
    let table = Table::new(rows, constraints)
        .header(header)
        .column_spacing(1)
        .style(Style::default());
    frame.render_widget(table, inner);
}
