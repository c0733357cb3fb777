//! The Reports screen's bar of the time spent in each status (online, busy, away, offline):
//! one stacked bar whose segments have their own glyphs (never told by colour alone), and a
//! legend with the durations that shortens to fit.

use super::ctx::Ctx;
use super::report_text::duration;
use super::text::{first_fitting, short_duration};
use crate::console::sanitize::inert_line;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use std::collections::BTreeMap;

/// Statuses in the order the bar shows them: glyph, theme scope.
fn status_look(status: &str) -> (&'static str, &'static str) {
    match status {
        "online" => ("█", "kb.diff.add"),
        "busy" => ("▓", "kb.diff.del"),
        "away" => ("▒", "session.waiting.long"),
        "offline" => ("░", "hint"),
        _ => ("·", "profile.value"),
    }
}

fn status_name(ctx: &Ctx, status: &str) -> String {
    let t = ctx.t;
    match status {
        "online" => t.status_online.to_string(),
        "busy" => t.status_busy.to_string(),
        "away" => t.status_away.to_string(),
        "offline" => t.status_offline.to_string(),
        other => inert_line(other).into_owned(),
    }
}

/// Segment widths for `parts` in `width` columns: proportional, largest remainders first, a
/// non-zero part never vanishes while there is a column for it.
pub fn segments(parts: &[u64], width: usize) -> Vec<usize> {
    let total: u128 = parts.iter().map(|p| u128::from(*p)).sum();
    if total == 0 || width == 0 {
        return vec![0; parts.len()];
    }
    let exact: Vec<(usize, u128)> = parts
        .iter()
        .map(|p| {
            let x = u128::from(*p) * width as u128;
            ((x / total) as usize, x % total)
        })
        .collect();
    let mut out: Vec<usize> = exact.iter().map(|e| e.0).collect();
    let mut left = width - out.iter().sum::<usize>();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    // Parts shown as nothing yet first, then by remainder.
    order.sort_by_key(|&i| (out[i] != 0 || parts[i] == 0, std::cmp::Reverse(exact[i].1)));
    for i in order {
        if left == 0 {
            break;
        }
        if parts[i] > 0 {
            out[i] += 1;
            left -= 1;
        }
    }
    out
}

/// The time in each status as one stacked bar; under it (two rows) a legend with durations.
pub fn status_bar(frame: &mut Frame, ctx: &Ctx, status_ms: &BTreeMap<String, u64>, area: Rect) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let known = ["online", "busy", "away", "offline"];
    let mut order: Vec<(&str, u64)> = known
        .iter()
        .filter_map(|k| status_ms.get(*k).map(|v| (*k, *v)))
        .collect();
    order.extend(
        status_ms
            .iter()
            .filter(|(k, _)| !known.contains(&k.as_str()))
            .map(|(k, v)| (k.as_str(), *v)),
    );
    let widths = segments(
        &order.iter().map(|o| o.1).collect::<Vec<_>>(),
        area.width as usize,
    );
    let bar: Vec<Span> = order
        .iter()
        .zip(&widths)
        .map(|((k, _), w)| {
            let (glyph, scope) = status_look(k);
            Span::styled(glyph.repeat(*w), ctx.style(scope))
        })
        .collect();
    frame.render_widget(Paragraph::new(Line::from(bar)), Rect { height: 1, ..area });
    if area.height < 2 {
        return;
    }
    let legend = |form: u8| -> String {
        order
            .iter()
            .filter(|(_, v)| *v > 0)
            .map(|(k, v)| {
                let (glyph, _) = status_look(k);
                match form {
                    0 => format!("{glyph} {} {}", status_name(ctx, k), duration(*v)),
                    1 => format!("{glyph}{}", duration(*v)),
                    _ => format!("{glyph}{}", short_duration(*v as i64)),
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let text = first_fitting(&[legend(0), legend(1), legend(2)], area.width as usize);
    let row = Rect {
        y: area.y + 1,
        height: 1,
        ..area
    };
    frame.render_widget(
        Paragraph::new(Span::styled(text, ctx.style("profile.value"))),
        row,
    );
}

#[cfg(test)]
mod tests {
    use super::segments;

    #[test]
    fn segments_share_the_width_and_keep_small_parts_visible() {
        assert_eq!(segments(&[1, 1], 10), [5, 5]);
        assert_eq!(segments(&[6, 3, 1], 10), [6, 3, 1]);
        // 1 in 1000 still gets a column.
        assert_eq!(segments(&[999, 1], 10).iter().sum::<usize>(), 10);
        assert_eq!(segments(&[999, 1], 10)[1], 1);
        assert_eq!(segments(&[0, 5], 8), [0, 8]);
        assert_eq!(segments(&[0, 0], 8), [0, 0]);
        assert_eq!(segments(&[u64::MAX, u64::MAX], 3).iter().sum::<usize>(), 3);
    }
}
