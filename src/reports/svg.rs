//! A report as a standalone SVG for a mail: a title, a bar per row (conversations handled,
//! with first-response and CSAT written beside it) and, with a trend, a line of arrivals and
//! handled conversations per bucket. Hand-written rather than with a plotting crate: a dozen
//! elements do not justify a dependency, and text is left to the viewer's fonts (no font
//! files needed to build or run).

use super::render::duration;
use crate::console::sanitize::inert_line;
use crate::protocol::{Metrics, ReportReply};
use std::fmt::Write;

const WIDTH: u32 = 800;
const BAR_H: u32 = 22;
/// Most bars drawn (the biggest rows; the CSV has them all).
pub const MAX_BARS: usize = 30;

/// Text made inert, then safe inside an XML element or attribute.
fn esc(s: &str) -> String {
    let s = inert_line(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Not allowed in XML 1.0 at all.
            c if (c as u32) < 0x20 => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

fn summary(m: &Metrics) -> String {
    let csat = m
        .csat_avg
        .map_or_else(|| "-".to_string(), |v| format!("{v:.2}"));
    format!(
        "handled {} · 1st resp {} · csat {}",
        m.handled,
        duration(m.first_response_avg_ms),
        csat
    )
}

/// The chart.
pub fn svg(r: &ReportReply) -> String {
    let bars: Vec<(String, &Metrics)> = if r.rows.is_empty() {
        vec![("total".to_string(), &r.totals)]
    } else {
        r.rows
            .iter()
            .take(MAX_BARS)
            .map(|row| (row.label.clone(), &row.metrics))
            .collect()
    };
    let bars_top = 60;
    let trend_top = bars_top + bars.len() as u32 * (BAR_H + 6) + 30;
    let trend_h = if r.trend.is_empty() { 0 } else { 220 };
    let height = trend_top + trend_h + 20;
    let mut o = String::new();
    let _ = writeln!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(o, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        o,
        r#"<text x="20" y="28" font-size="16" font-weight="bold">{} – {} ({})</text>"#,
        esc(&crate::admin::format_time(r.from)),
        esc(&crate::admin::format_time(r.to)),
        esc(&r.tz)
    );
    let _ = writeln!(
        o,
        r#"<text x="20" y="46">{}</text>"#,
        esc(&format!("total: {}", summary(&r.totals)))
    );
    let most = bars
        .iter()
        .map(|(_, m)| m.handled)
        .max()
        .unwrap_or(0)
        .max(1);
    let (label_w, bar_w) = (170u32, 300u32);
    for (i, (label, m)) in bars.iter().enumerate() {
        let y = bars_top + i as u32 * (BAR_H + 6);
        let w = (m.handled as f64 / most as f64 * f64::from(bar_w)).round() as u32;
        let short: String = label.chars().take(24).collect();
        let _ = writeln!(
            o,
            r##"<text x="20" y="{}">{}</text><rect x="{label_w}" y="{y}" width="{w}" height="{BAR_H}" fill="#4e79a7"/><text x="{}" y="{}">{}</text>"##,
            y + 15,
            esc(&short),
            label_w + w + 6,
            y + 15,
            esc(&summary(m))
        );
    }
    if !r.trend.is_empty() {
        let (x0, x1) = (60.0, f64::from(WIDTH) - 20.0);
        let (y0, y1) = (
            f64::from(trend_top + trend_h - 30),
            f64::from(trend_top + 10),
        );
        let top = r
            .trend
            .iter()
            .map(|p| p.arrivals.max(p.handled))
            .max()
            .unwrap_or(0)
            .max(1) as f64;
        let n = r.trend.len().max(2) - 1;
        let x = |i: usize| x0 + (x1 - x0) * i as f64 / n as f64;
        let y = |v: u64| y0 - (y0 - y1) * v as f64 / top;
        let line = |f: &dyn Fn(&crate::protocol::TrendPoint) -> u64| {
            r.trend
                .iter()
                .enumerate()
                .map(|(i, p)| format!("{:.1},{:.1}", x(i), y(f(p))))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let _ = writeln!(
            o,
            r##"<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y0}" stroke="#999"/><line x1="{x0}" y1="{y0}" x2="{x0}" y2="{y1}" stroke="#999"/>"##
        );
        let _ = writeln!(
            o,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text><text x="{}" y="{}" text-anchor="end">0</text>"#,
            x0 - 6.0,
            y1 + 4.0,
            top as u64,
            x0 - 6.0,
            y0 + 4.0
        );
        let _ = writeln!(
            o,
            r##"<polyline fill="none" stroke="#e15759" stroke-width="2" points="{}"/>"##,
            line(&|p| p.arrivals)
        );
        let _ = writeln!(
            o,
            r##"<polyline fill="none" stroke="#4e79a7" stroke-width="2" points="{}"/>"##,
            line(&|p| p.handled)
        );
        let (first, last) = (r.trend[0].at, r.trend[r.trend.len() - 1].at);
        let _ = writeln!(
            o,
            r##"<text x="{x0}" y="{}">{}</text><text x="{x1}" y="{}" text-anchor="end">{}</text><text x="{x0}" y="{}" fill="#e15759">arrivals</text><text x="{}" y="{}" fill="#4e79a7">handled</text>"##,
            y0 + 16.0,
            esc(&crate::admin::format_time(first)),
            y0 + 16.0,
            esc(&crate::admin::format_time(last)),
            y1 - 2.0,
            x0 + 70.0,
            y1 - 2.0
        );
    }
    o.push_str("</svg>\n");
    o
}
