//! The Reports screen's charts, drawn with ratatui's widgets: a `BarChart` of conversations
//! handled (per row of a team report, or per hour / day of a personal one), `Sparkline`s of
//! the trends, a line `Chart` of the customers waiting per bucket (average and most at once)
//! with labelled axes. The time-per-status bar is in `report_status`.
//!
//! Colours come from existing theme scopes, so every theme's contrast guarantee holds; and
//! nothing is told by colour alone: the waiting series have their own markers and names.

use super::ctx::Ctx;
use super::report_text::{bucket, bucket_short, by_label, opt_duration, stars};
use super::text::ellipsize;
use crate::console::app::ReportsScreen;
use crate::console::i18n::fill;
use crate::console::sanitize::inert_line;
use crate::protocol::{ReportReply, ReportScope, TrendPoint, TrendStep};
use jiff::tz::TimeZone;
use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Axis, Bar, BarChart, BarGroup, Chart, Dataset, GraphType, Paragraph, Sparkline,
};
use unicode_width::UnicodeWidthStr;

/// Row labels of the bar chart are cut to this many columns at most.
const BAR_LABEL_MAX: usize = 16;

fn bar_style(ctx: &Ctx) -> Style {
    ctx.style("help.key")
}

/// The zone trend buckets are labelled in: the one the server used, else the agent's.
fn zone(r: &ReportsScreen, reply: &ReportReply) -> TimeZone {
    TimeZone::get(&reply.tz).unwrap_or_else(|_| r.tz.clone())
}

fn hourly(r: &ReportsScreen) -> bool {
    r.period.trend() == TrendStep::Hour
}

/// Handled conversations: per row of a team report, per bucket of a personal one.
pub fn bars(frame: &mut Frame, ctx: &Ctx, r: &ReportsScreen, reply: &ReportReply, area: Rect) {
    let t = ctx.t;
    let title = match r.scope {
        ReportScope::Team => fill(t.report_bars_rows, &[("by", by_label(ctx, r.by))]),
        ReportScope::Me if hourly(r) => t.report_bars_hour.to_string(),
        ReportScope::Me => t.report_bars_day.to_string(),
    };
    let block = ctx.panel(title, false);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width < 4 {
        return;
    }
    match r.scope {
        ReportScope::Team => row_bars(frame, ctx, reply, inner),
        ReportScope::Me => bucket_bars(frame, ctx, r, reply, inner),
    }
}

/// One horizontal bar per row, biggest first, as many as fit; labels sanitised and cut to
/// their column (CJK counts two).
fn row_bars(frame: &mut Frame, ctx: &Ctx, reply: &ReportReply, area: Rect) {
    if reply.rows.is_empty() {
        let empty = Span::styled(ctx.t.report_empty, ctx.style("hint"));
        frame.render_widget(Paragraph::new(Line::from(empty)), area);
        return;
    }
    let label_w = BAR_LABEL_MAX.min(area.width as usize / 3).max(2);
    let labels: Vec<String> = reply
        .rows
        .iter()
        .take(area.height as usize)
        .map(|row| {
            let l = ellipsize(&inert_line(&row.label), label_w).into_owned();
            let pad = " ".repeat(label_w.saturating_sub(l.width()));
            format!("{l}{pad}")
        })
        .collect();
    let bars: Vec<Bar> = reply
        .rows
        .iter()
        .zip(labels)
        .map(|(row, label)| {
            Bar::default()
                .value(row.metrics.handled)
                .label(Line::from(Span::styled(label, ctx.style("profile.label"))))
                .text_value(row.metrics.handled.to_string())
        })
        .collect();
    let chart = BarChart::default()
        .direction(Direction::Horizontal)
        .data(BarGroup::default().bars(&bars))
        .bar_width(1)
        .bar_gap(0)
        .bar_style(bar_style(ctx))
        .value_style(bar_style(ctx).add_modifier(Modifier::REVERSED));
    frame.render_widget(chart, area);
}

/// One vertical bar per trend bucket (the newest that fit), bucket labels under them where
/// they do not collide.
fn bucket_bars(frame: &mut Frame, ctx: &Ctx, r: &ReportsScreen, reply: &ReportReply, area: Rect) {
    let points = &reply.trend;
    let w = area.width as usize;
    let shown = points.len().min(w);
    if shown == 0 || area.height < 2 {
        return;
    }
    let points = &points[points.len() - shown..];
    let mut bar_w = (w / shown).max(1);
    let gap = usize::from(bar_w >= 3);
    bar_w -= gap;
    // Values only where they stand apart: packed bars would run their numbers together.
    let values = gap > 0 && bar_w >= 2;
    let bars: Vec<Bar> = points
        .iter()
        .map(|p| {
            let v = if values {
                p.handled.to_string()
            } else {
                String::new()
            };
            Bar::default().value(p.handled).text_value(v)
        })
        .collect();
    let chart_area = Rect {
        height: area.height - 1,
        ..area
    };
    let chart = BarChart::default()
        .data(BarGroup::default().bars(&bars))
        .bar_width(bar_w as u16)
        .bar_gap(gap as u16)
        .bar_style(bar_style(ctx))
        .value_style(bar_style(ctx).add_modifier(Modifier::REVERSED));
    frame.render_widget(chart, chart_area);
    let tz = zone(r, reply);
    let hourly = hourly(r);
    let mut axis = String::new();
    let mut used = 0usize;
    for (i, p) in points.iter().enumerate() {
        let x = i * (bar_w + gap);
        let label = bucket_short(p.at, hourly, &tz);
        // Labels never touch: a space at least between two.
        if x >= used && x + label.width() <= w {
            axis.push_str(&" ".repeat(x - axis.width()));
            axis.push_str(&label);
            used = x + label.width() + 1;
        }
    }
    let axis_area = Rect {
        y: area.bottom() - 1,
        height: 1,
        ..area
    };
    frame.render_widget(
        Paragraph::new(Span::styled(axis, ctx.style("hint"))),
        axis_area,
    );
}

/// The trends, one sparkline each with its label and its total: arrivals and handled, and
/// (`with_waiting`, when the line chart is folded away) the most customers waiting.
pub fn sparklines(
    frame: &mut Frame,
    ctx: &Ctx,
    reply: &ReportReply,
    area: Rect,
    with_waiting: bool,
) {
    let t = ctx.t;
    let block = ctx.panel(t.report_trends.to_string(), false);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let trend = &reply.trend;
    let sum = |f: fn(&TrendPoint) -> u64| trend.iter().map(f).sum::<u64>();
    let all = |f: fn(&TrendPoint) -> u64| trend.iter().map(|p| Some(f(p))).collect();
    // (label, one value per bucket — absent where there is nothing to average —, what the
    // whole period comes to, scope)
    type Series<'a> = (&'a str, Vec<Option<u64>>, String, &'a str);
    let mut series: Vec<Series> = vec![
        (
            t.report_arrivals,
            all(|p| p.arrivals),
            sum(|p| p.arrivals).to_string(),
            "session.unread",
        ),
        (
            t.report_handled,
            all(|p| p.handled),
            sum(|p| p.handled).to_string(),
            "kb.diff.add",
        ),
    ];
    if with_waiting {
        let max = trend.iter().map(|p| p.waiting_max).max().unwrap_or(0);
        series.push((
            t.report_waiting_short,
            all(|p| p.waiting_max),
            format!("≤{max}"),
            "session.waiting.long",
        ));
    }
    series.push((
        t.report_col_first,
        trend.iter().map(|p| p.first_response_avg_ms).collect(),
        opt_duration(reply.totals.first_response_avg_ms),
        "profile.tag",
    ));
    series.push((
        t.report_csat,
        // Tenths of a star, so 4.5 and 4.8 differ.
        trend
            .iter()
            .map(|p| {
                p.csat_avg
                    .filter(|c| c.is_finite())
                    .map(|c| (c.clamp(0.0, 5.0) * 10.0) as u64)
            })
            .collect(),
        format!("{}★", stars(reply.totals.csat_avg)),
        "session.vip",
    ));
    if inner.height == 0 {
        return;
    }
    let n = series.len().min(inner.height as usize).max(1);
    // At most three rows each: a trend is a shape, not a wall.
    let each = (inner.height / n as u16).clamp(1, 3);
    let rows = Layout::default()
        .direction(Direction::Vertical)
        .constraints(vec![Constraint::Length(each); n])
        .split(inner);
    let label_w = series.iter().map(|s| s.0.width()).max().unwrap_or(8) as u16 + 1;
    for ((label, data, total, scope), row) in series.into_iter().zip(rows.iter()) {
        let cols = Layout::default()
            .direction(Direction::Horizontal)
            .constraints([
                Constraint::Length(label_w + 1),
                Constraint::Min(4),
                Constraint::Length(7),
            ])
            .split(*row);
        let lab = Span::styled(format!(" {label}"), ctx.style("profile.label"));
        frame.render_widget(Paragraph::new(Line::from(lab)), cols[0]);
        let spark = Sparkline::default()
            .data(stretch(&data, cols[1].width as usize))
            .absent_value_symbol(" ")
            .style(ctx.style(scope));
        frame.render_widget(spark, cols[1]);
        let tot = Span::styled(format!("{total:>6}"), ctx.style("profile.value"));
        frame.render_widget(Paragraph::new(Line::from(tot)), cols[2]);
    }
}

/// The newest buckets that fit in `width` columns, each as many columns wide as all can be.
pub fn stretch<T: Copy>(data: &[T], width: usize) -> Vec<T> {
    let keep = data.len().min(width);
    let data = &data[data.len() - keep..];
    let each = width.checked_div(keep).unwrap_or(1).max(1);
    data.iter()
        .flat_map(|v| std::iter::repeat_n(*v, each))
        .collect()
}

/// Customers waiting per bucket: the average (a line) and the most at once (dots), with the
/// time along x and the number of customers up y.
pub fn waiting(frame: &mut Frame, ctx: &Ctx, r: &ReportsScreen, reply: &ReportReply, area: Rect) {
    let t = ctx.t;
    let hourly = hourly(r);
    let title = if hourly {
        t.report_waiting_hour
    } else {
        t.report_waiting_day
    };
    // The legend is in the title, where it never covers a point.
    let block = ctx.panel(title.to_string(), false).title(Line::from(vec![
        Span::styled("⠤⠒ ", ctx.style("session.waiting.long")),
        Span::styled(t.report_waiting_avg, ctx.style("hint")),
        Span::styled("  • ", ctx.style("error")),
        Span::styled(format!("{} ", t.report_waiting_max), ctx.style("hint")),
    ]));
    let trend = &reply.trend;
    if trend.is_empty() {
        frame.render_widget(block, area);
        return;
    }
    let avg: Vec<(f64, f64)> = trend
        .iter()
        .enumerate()
        .map(|(i, p)| {
            (
                i as f64,
                if p.waiting_avg.is_finite() {
                    p.waiting_avg.max(0.0)
                } else {
                    0.0
                },
            )
        })
        .collect();
    let max: Vec<(f64, f64)> = trend
        .iter()
        .enumerate()
        .map(|(i, p)| (i as f64, p.waiting_max as f64))
        .collect();
    let top = trend
        .iter()
        .map(|p| p.waiting_max as f64)
        .chain(avg.iter().map(|(_, y)| y.ceil()))
        .fold(1.0f64, f64::max);
    let last = (trend.len() - 1) as f64;
    let tz = zone(r, reply);
    let label = |i: usize| {
        trend
            .get(i)
            .map(|p| bucket(p.at, hourly, &tz))
            .unwrap_or_default()
    };
    let x_labels = if trend.len() >= 3 {
        vec![label(0), label(trend.len() / 2), label(trend.len() - 1)]
    } else {
        vec![label(0), label(trend.len() - 1)]
    };
    let hint = ctx.style("hint");
    let datasets = vec![
        Dataset::default()
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(ctx.style("session.waiting.long"))
            .data(&avg),
        Dataset::default()
            .marker(Marker::Dot)
            .graph_type(GraphType::Scatter)
            .style(ctx.style("error"))
            .data(&max),
    ];
    let chart = Chart::new(datasets)
        .block(block)
        .legend_position(None)
        // The canvas paints its own background: the screen's, not the terminal's.
        .style(ctx.style("base"))
        .x_axis(
            Axis::default()
                .style(hint)
                .bounds([0.0, last.max(1.0)])
                .labels(x_labels.into_iter().map(|l| Span::styled(l, hint))),
        )
        .y_axis(
            Axis::default()
                .title(Span::styled(t.report_axis_waiting, hint))
                .style(hint)
                .bounds([0.0, top])
                .labels([0.0, top / 2.0, top].into_iter().map(|v| {
                    // An odd top puts the middle between two counts: 0 / 0.5 / 1, not 0 / 0 / 1.
                    let text = if v.fract() == 0.0 {
                        format!("{v:.0}")
                    } else {
                        format!("{v:.1}")
                    };
                    Span::styled(text, hint)
                })),
        );
    frame.render_widget(chart, area);
}

#[cfg(test)]
mod tests {
    use super::stretch;

    #[test]
    fn sparklines_stretch_to_their_width() {
        assert_eq!(stretch(&[1, 2], 5), [1, 1, 2, 2]);
        assert_eq!(stretch(&[None, Some(2)], 4), [None, None, Some(2), Some(2)]);
        assert_eq!(stretch(&[1, 2, 3], 2), [2, 3]);
        assert!(stretch::<u64>(&[], 5).is_empty());
        assert!(stretch(&[1], 0).is_empty());
    }
}
