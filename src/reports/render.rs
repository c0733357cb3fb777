//! A report as text for `kefu admin report`: an aligned table (people), CSV (spreadsheets;
//! times in milliseconds, the same numbers as JSON) and JSON (the wire's `ReportReply`). Names
//! come from agents and customers' tags, so they are made inert for a terminal, and a CSV cell
//! that a spreadsheet would run as a formula is quoted with a leading `'`.

use crate::console::sanitize::inert_line;
use crate::protocol::{Metrics, ReportReply};
use std::fmt::Write;

/// The status names time is reported for, in column order.
pub const STATUSES: [&str; 4] = ["online", "busy", "away", "offline"];

/// The CSV header (one line per row, then `total`).
pub const CSV_HEADER: [&str; 21] = [
    "key",
    "label",
    "handled",
    "first_response_avg_ms",
    "first_response_median_ms",
    "response_avg_ms",
    "resolution_avg_ms",
    "ended",
    "resolved",
    "resolution_rate",
    "surveyed",
    "rated",
    "csat_avg",
    "csat_good_share",
    "csat_response_rate",
    "transfers_in",
    "transfers_out",
    "online_ms",
    "busy_ms",
    "away_ms",
    "offline_ms",
];

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn rate(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.4}")).unwrap_or_default()
}

fn metric_cells(m: &Metrics) -> Vec<String> {
    let mut cells = vec![
        m.handled.to_string(),
        opt(m.first_response_avg_ms),
        opt(m.first_response_median_ms),
        opt(m.response_avg_ms),
        opt(m.resolution_avg_ms),
        m.ended.to_string(),
        m.resolved.to_string(),
        rate(m.resolution_rate),
        m.surveyed.to_string(),
        m.rated.to_string(),
        rate(m.csat_avg),
        rate(m.csat_good_share),
        rate(m.csat_response_rate),
        m.transfers_in.to_string(),
        m.transfers_out.to_string(),
    ];
    cells.extend(
        STATUSES
            .iter()
            .map(|s| m.status_ms.get(*s).copied().unwrap_or(0).to_string()),
    );
    cells
}

/// A cell a spreadsheet would take for a formula (`=`, `+`, `@`, `-x`) is quoted.
fn cell(s: &str) -> String {
    let s = inert_line(s);
    let risky = s.starts_with(['=', '+', '@', '\t', '\r']) || (s.starts_with('-') && s.len() > 1);
    if risky {
        format!("'{s}")
    } else {
        s.into_owned()
    }
}

/// The rows (if any) and a `total` line, as CSV with [`CSV_HEADER`].
pub fn csv(r: &ReportReply) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_HEADER)?;
    for row in &r.rows {
        let mut rec = vec![cell(&row.key), cell(&row.label)];
        rec.extend(metric_cells(&row.metrics));
        w.write_record(&rec)?;
    }
    let mut rec = vec!["total".to_string(), "total".to_string()];
    rec.extend(metric_cells(&r.totals));
    w.write_record(&rec)?;
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// `1h 02m`, `3m 05s`, `12.3s`, `-` for none.
pub fn duration(ms: Option<u64>) -> String {
    let Some(ms) = ms else { return "-".into() };
    let s = ms / 1000;
    match s {
        0..60 => format!("{:.1}s", ms as f64 / 1000.0),
        60..3600 => format!("{}m {:02}s", s / 60, s % 60),
        _ => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
    }
}

fn percent(v: Option<f64>) -> String {
    v.map(|v| format!("{:.1}%", v * 100.0))
        .unwrap_or_else(|| "-".into())
}

fn table_cells(label: &str, m: &Metrics) -> Vec<String> {
    vec![
        inert_line(label).chars().take(24).collect(),
        m.handled.to_string(),
        duration(m.first_response_avg_ms),
        duration(m.first_response_median_ms),
        duration(m.response_avg_ms),
        duration(m.resolution_avg_ms),
        percent(m.resolution_rate),
        m.csat_avg.map_or_else(|| "-".into(), |v| format!("{v:.2}")),
        percent(m.csat_good_share),
        percent(m.csat_response_rate),
        format!("{}/{}", m.transfers_in, m.transfers_out),
        duration(m.status_ms.get("online").copied()),
    ]
}

/// An aligned table: one line per row and the total, then the trend if any.
pub fn table(r: &ReportReply) -> String {
    let head = [
        "",
        "handled",
        "1st resp",
        "median",
        "resp",
        "resolution",
        "resolved",
        "csat",
        "4-5★",
        "rated",
        "xfer in/out",
        "online",
    ];
    let mut lines: Vec<Vec<String>> = vec![head.iter().map(|s| s.to_string()).collect()];
    for row in &r.rows {
        lines.push(table_cells(&row.label, &row.metrics));
    }
    lines.push(table_cells("total", &r.totals));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} – {} ({})",
        crate::admin::format_time(r.from),
        crate::admin::format_time(r.to),
        inert_line(&r.tz)
    );
    out.push_str(&aligned(&lines));
    if !r.trend.is_empty() {
        let mut t: Vec<Vec<String>> = vec![
            [
                "bucket (UTC)",
                "arrivals",
                "handled",
                "1st resp",
                "csat",
                "waiting avg",
                "max",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        ];
        for p in &r.trend {
            t.push(vec![
                crate::admin::format_time(p.at),
                p.arrivals.to_string(),
                p.handled.to_string(),
                duration(p.first_response_avg_ms),
                p.csat_avg.map_or_else(|| "-".into(), |v| format!("{v:.2}")),
                format!("{:.2}", p.waiting_avg),
                p.waiting_max.to_string(),
            ]);
        }
        out.push('\n');
        out.push_str(&aligned(&t));
    }
    out
}

fn aligned(lines: &[Vec<String>]) -> String {
    use unicode_width::UnicodeWidthStr;
    let cols = lines.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            lines
                .iter()
                .filter_map(|l| l.get(c))
                .map(|s| s.width())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for l in lines {
        for (c, s) in l.iter().enumerate() {
            let pad = widths[c].saturating_sub(s.width());
            if c == 0 {
                out.push_str(s);
                out.push_str(&" ".repeat(pad));
            } else {
                out.push_str("  ");
                out.push_str(&" ".repeat(pad));
                out.push_str(s);
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{ReportRow, ReportScope};

    fn reply() -> ReportReply {
        let m = Metrics {
            handled: 2,
            first_response_avg_ms: Some(90_000),
            ..Metrics::default()
        };
        ReportReply {
            from: 0,
            to: 86_400_000,
            tz: "UTC".into(),
            scope: ReportScope::Team,
            totals: m.clone(),
            rows: vec![ReportRow {
                key: "=HYPERLINK(\"x\")".into(),
                label: "a\u{1b}[2Jb".into(),
                metrics: m,
            }],
            trend: Vec::new(),
        }
    }

    #[test]
    fn csv_has_the_header_a_row_per_key_and_a_total() {
        let text = csv(&reply()).unwrap();
        let mut rd = ::csv::Reader::from_reader(text.as_bytes());
        assert_eq!(rd.headers().unwrap().iter().collect::<Vec<_>>(), CSV_HEADER);
        let recs: Vec<_> = rd.records().map(Result::unwrap).collect();
        assert_eq!(recs.len(), 2);
        // A formula is defused, an escape made visible.
        assert!(recs[0][0].starts_with("'="), "{:?}", &recs[0][0]);
        assert!(!recs[0][1].contains('\u{1b}'));
        assert_eq!(&recs[1][0], "total");
        assert_eq!(&recs[1][3], "90000");
    }

    #[test]
    fn table_is_inert_and_readable() {
        let t = table(&reply());
        assert!(!t.contains('\u{1b}'));
        assert!(t.contains("1m 30s"), "{t}");
        assert_eq!(duration(Some(3_725_000)), "1h 02m");
        assert_eq!(duration(Some(12_300)), "12.3s");
    }
}
