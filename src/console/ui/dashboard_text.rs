//! Cells of the Dashboard's tables: text cut or padded to a width, and times that tick.

use super::text::ellipsize;
use unicode_width::UnicodeWidthStr;

/// `s` cut or padded to exactly `w` display columns.
pub(super) fn cell(s: &str, w: usize) -> String {
    let s = ellipsize(s, w);
    format!("{s}{}", " ".repeat(w.saturating_sub(s.width())))
}

/// `s` right-aligned in `w` columns.
pub(super) fn rcell(s: &str, w: usize) -> String {
    let s = ellipsize(s, w);
    format!("{}{s}", " ".repeat(w.saturating_sub(s.width())))
}

/// A wait or a time in status that ticks: "45s", "3:05", "1h05m".
pub(super) fn ticking(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}:{:02}", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}
