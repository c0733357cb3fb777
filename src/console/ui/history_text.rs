//! Small texts of the History screen shared by its two views (results and conversation):
//! local times, outcome words, stars, and spans cut to a width.

use super::text::ellipsize;
use crate::console::i18n::Text;
use crate::model::{EndReason, Millis};
use jiff::tz::TimeZone;
use ratatui::text::Span;
use unicode_width::UnicodeWidthStr;

/// A moment in the console's zone, with a `jiff` format.
pub(super) fn local(at: Millis, tz: &TimeZone, format: &str) -> String {
    jiff::Timestamp::from_millisecond(at)
        .map(|ts| {
            ts.to_zoned_datetime(tz.clone())
                .strftime(format)
                .to_string()
        })
        .unwrap_or_default()
}

/// How a conversation ended, in words (or that it is still open).
pub(super) fn outcome_label(t: &Text, o: Option<EndReason>) -> &'static str {
    match o {
        None => t.history_open_state,
        Some(EndReason::Resolved) => t.history_outcome_resolved,
        Some(EndReason::Unresolved) => t.history_outcome_unresolved,
        Some(EndReason::Abandoned) => t.history_outcome_abandoned,
        Some(EndReason::CustomerLeft) => t.history_outcome_customer_left,
    }
}

/// `★★★★☆` for a rating (the number too, so it reads without the glyphs).
pub(super) fn stars(csat: u8) -> String {
    let n = usize::from(csat.min(5));
    format!("{}{} {n}", "★".repeat(n), "☆".repeat(5 - n))
}

/// Spans cut to `width` columns, ending in `…` when something was cut.
pub(super) fn fit(spans: Vec<Span<'static>>, width: usize) -> Vec<Span<'static>> {
    let total: usize = spans.iter().map(|s| s.content.width()).sum();
    if total <= width {
        return spans;
    }
    let mut out = Vec::new();
    let mut used = 0;
    for s in spans {
        let sw = s.content.width();
        if used + sw < width {
            used += sw;
            out.push(s);
            continue;
        }
        let room = width.saturating_sub(used);
        // Something follows: the `…` must show even when this span fills the row exactly.
        let cut = if sw > room {
            ellipsize(&s.content, room).into_owned()
        } else {
            ellipsize(&format!("{}…", s.content), room).into_owned()
        };
        out.push(Span::styled(cut, s.style));
        break;
    }
    out
}
