//! The History screen (S19), full-screen over the workbench (the status bar stays visible
//! below it): the filter line with its error, the page of results newest first with the
//! matching line highlighted, and the page status. The conversation opened from it is drawn
//! by `history_view`. Every string from the network goes through `sanitize`; highlight
//! ranges count characters of the raw text, so the text is cut at them first and each piece
//! made inert on its own.

use super::ctx::Ctx;
use super::history_text::{fit, local, outcome_label, stars};
use super::text::{channel_label, ellipsize};
use crate::console::action::Action;
use crate::console::app::history_state::HistoryScreen;
use crate::console::i18n::fill;
use crate::console::keymap::Context;
use crate::console::sanitize::inert_line;
use crate::protocol::{HistoryHit, HitLine};
use jiff::tz::TimeZone;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Characters of a matching line looked at (the server sends ~160).
const MAX_LINE_CHARS: usize = 400;

pub fn draw(frame: &mut Frame, ctx: &Ctx, h: &HistoryScreen, area: Rect) {
    // The status bar (offers, connection, notices) stays visible under the screen.
    let area = Rect {
        height: area.height.saturating_sub(1).max(1),
        ..area
    };
    frame.render_widget(Clear, area);
    frame.buffer_mut().set_style(area, ctx.style("base"));
    if let Some(v) = &h.view {
        return super::history_view::draw(frame, ctx, v, area);
    }
    let t = ctx.t;
    let block = ctx.panel(t.history_title.to_string(), true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 3 || inner.width < 4 {
        return;
    }
    let w = usize::from(inner.width);
    // The filter line, then its error or the keys.
    let label = format!("{} › ", t.history_filter);
    let filter_w = w.saturating_sub(label.width() + 1);
    // What the agent typed or pasted is drawn inert too (a pasted bidi override would
    // reorder the line).
    let shown = tail(&inert_line(&h.filter), filter_w);
    let mut top = vec![Line::from(vec![
        Span::styled(label.clone(), ctx.style("profile.label")),
        Span::styled(shown.clone(), ctx.style("composer")),
    ])];
    // Under it: the error, wrapped (never cut off: it says what is allowed), or the keys.
    match &h.error {
        Some(e) => top.extend(
            super::super::app::layout::wrap(&inert_line(e), w)
                .into_iter()
                .take(usize::from(inner.height / 3).max(1))
                .map(|r| Line::from(Span::styled(r, ctx.style("error")))),
        ),
        None if h.filter.is_empty() => top.push(Line::from(Span::styled(
            ellipsize(t.history_filter_hint, w).into_owned(),
            ctx.style("hint"),
        ))),
        None => top.push(Line::from(Span::styled(
            ellipsize(&keys_hint(ctx), w).into_owned(),
            ctx.style("hint"),
        ))),
    }
    let top_h = top.len() as u16;
    frame.render_widget(
        Paragraph::new(top),
        Rect {
            height: top_h,
            ..inner
        },
    );
    frame.set_cursor_position(Position::new(
        (inner.x + (label.width() + shown.width()) as u16).min(inner.right().saturating_sub(1)),
        inner.y,
    ));
    let list = Rect {
        y: inner.y + top_h + 1,
        height: inner.height.saturating_sub(top_h + 2),
        ..inner
    };
    let tz = &ctx.app.followup.tz;
    let rows = results(ctx, h, usize::from(list.height), w, tz);
    frame.render_widget(Paragraph::new(rows), list);
    let status = Rect {
        y: inner.bottom().saturating_sub(1),
        height: 1,
        ..inner
    };
    frame.render_widget(Paragraph::new(status_line(ctx, h, w)), status);
}

/// What a key does in the help overlay: on the History screen its own meaning (home is the
/// first result there, not the first session), elsewhere the action's description.
pub(super) fn describe(c: Context, action: Action, ctx: &Ctx) -> &'static str {
    let t = ctx.t;
    if c != Context::History {
        return crate::console::keymap::describe(action, ctx.app.lang);
    }
    match action {
        Action::Confirm => t.history_help_confirm,
        Action::Cancel => t.history_help_cancel,
        Action::SelectNext => t.history_help_next,
        Action::SelectPrev => t.history_help_prev,
        Action::PageDown => t.history_help_page_down,
        Action::PageUp => t.history_help_page_up,
        Action::FirstItem => t.history_help_first,
        Action::LastItem => t.history_help_last,
        Action::ClearLine => t.history_help_clear,
        other => crate::console::keymap::describe(other, ctx.app.lang),
    }
}

/// The keys of the results, from the keymap.
fn keys_hint(ctx: &Ctx) -> String {
    let key = |a: Action| {
        ctx.keymap
            .keys_for(Context::History, a)
            .into_iter()
            .next()
            .unwrap_or_default()
    };
    fill(
        ctx.t.history_keys,
        &[
            ("confirm", &key(Action::Confirm)),
            (
                "select",
                &format!("{}/{}", key(Action::SelectPrev), key(Action::SelectNext)),
            ),
            (
                "page",
                &format!("{}/{}", key(Action::PageUp), key(Action::PageDown)),
            ),
            ("cancel", &key(Action::Cancel)),
        ],
    )
}

/// The end of `s` that fits in `width` columns (the cursor is at the end of the line).
fn tail(s: &str, width: usize) -> String {
    let mut out: Vec<char> = Vec::new();
    let mut used = 0;
    for c in s.chars().rev() {
        let cw = c.width().unwrap_or(0);
        if used + cw > width {
            break;
        }
        used += cw;
        out.push(c);
    }
    out.into_iter().rev().collect()
}

/// The results (or what stands in their place), scrolled so the selection shows.
fn results(
    ctx: &Ctx,
    h: &HistoryScreen,
    height: usize,
    w: usize,
    tz: &TimeZone,
) -> Vec<Line<'static>> {
    let t = ctx.t;
    if h.hits.is_empty() {
        let (text, style) = match (&h.failed, h.loading, &h.ran) {
            (Some(e), _, _) => (
                fill(t.history_failed, &[("error", &inert_line(e))]),
                "error",
            ),
            (None, true, _) => (t.history_searching.to_string(), "hint"),
            (None, false, Some(_)) => (t.history_none.to_string(), "hint"),
            (None, false, None) => (t.history_start.to_string(), "hint"),
        };
        return super::super::app::layout::wrap(&text, w)
            .into_iter()
            .map(|r| Line::from(Span::styled(r, ctx.style(style))))
            .collect();
    }
    let blocks: Vec<Vec<Line<'static>>> = h
        .hits
        .iter()
        .enumerate()
        .map(|(i, hit)| hit_rows(ctx, hit, i == h.selected, w, tz))
        .collect();
    // The first hit shown: as late as needed for the selected one to fit.
    let mut first = 0;
    while first < h.selected
        && blocks[first..=h.selected.min(blocks.len() - 1)]
            .iter()
            .map(Vec::len)
            .sum::<usize>()
            > height
    {
        first += 1;
    }
    blocks
        .into_iter()
        .skip(first)
        .flatten()
        .take(height)
        .collect()
}

/// "page 2 · 20 shown · more: pagedown", or what is happening instead.
fn status_line(ctx: &Ctx, h: &HistoryScreen, w: usize) -> Line<'static> {
    let t = ctx.t;
    if h.ran.is_none() {
        return Line::raw("");
    }
    let mut s = fill(
        t.history_page,
        &[
            ("n", &h.page().to_string()),
            ("m", &h.hits.len().to_string()),
        ],
    );
    if h.loading {
        s = format!("{s} · {}", t.history_searching);
    } else if let (Some(e), false) = (&h.failed, h.hits.is_empty()) {
        let e = fill(t.history_failed, &[("error", &inert_line(e))]);
        return Line::from(Span::styled(
            ellipsize(&e, w).into_owned(),
            ctx.style("error"),
        ));
    } else if h.next.is_some() {
        let key = ctx
            .keymap
            .keys_for(Context::History, Action::PageDown)
            .into_iter()
            .next()
            .unwrap_or_default();
        s = format!("{s} · {}", fill(t.history_more, &[("key", &key)]));
    } else if !h.hits.is_empty() {
        s = format!("{s} · {}", t.history_last_page);
    }
    Line::from(Span::styled(
        ellipsize(&s, w).into_owned(),
        ctx.style("hint"),
    ))
}

/// One result: its summary row, and the matching line under it when there is one.
fn hit_rows(
    ctx: &Ctx,
    hit: &HistoryHit,
    selected: bool,
    w: usize,
    tz: &TimeZone,
) -> Vec<Line<'static>> {
    let t = ctx.t;
    let base = if selected {
        ctx.style("session.selected")
    } else {
        ctx.style("session")
    };
    let dim = ctx
        .style("chat.time")
        .patch(if selected { base } else { Style::default() });
    let mut spans = vec![
        Span::styled(if selected { "▶ " } else { "  " }, base),
        Span::styled(
            format!("{} ", local(hit.created_at, tz, "%Y-%m-%d %H:%M")),
            base,
        ),
        Span::styled(
            format!("{} ", ellipsize(&inert_line(&hit.customer), 18)),
            base.patch(ctx.style("chat.author")).patch(if selected {
                base
            } else {
                Style::default()
            }),
        ),
        Span::styled(format!("{} · ", channel_label(ctx, hit.channel)), dim),
    ];
    if let Some(agent) = &hit.agent {
        spans.push(Span::styled(
            format!("{} · ", ellipsize(&inert_line(agent), 14)),
            base,
        ));
    }
    spans.push(Span::styled(
        outcome_label(t, hit.outcome).to_string(),
        base,
    ));
    if let Some(c) = hit.csat {
        spans.push(Span::styled(
            format!(" {}", stars(c)),
            base.patch(ctx.style("profile.vip")),
        ));
    }
    for tag in &hit.tags {
        spans.push(Span::styled(
            format!(" [{}]", inert_line(tag)),
            ctx.style("profile.tag")
                .patch(if selected { base } else { Style::default() }),
        ));
    }
    let mut row = fit(spans, w);
    if selected {
        // The selection is a full-width bar, not only the text's background.
        let used: usize = row.iter().map(|s| s.content.width()).sum();
        row.push(Span::styled(" ".repeat(w.saturating_sub(used)), base));
    }
    let mut out = vec![Line::from(row)];
    if let Some(line) = &hit.line {
        out.push(Line::from(fit(matching_line(ctx, line), w)));
    }
    out
}

/// The matching line: who wrote it, then its text with the matched words in the theme's
/// match style.
pub(super) fn matching_line(ctx: &Ctx, line: &HitLine) -> Vec<Span<'static>> {
    let plain = if line.internal {
        super::notes::note_style(ctx)
    } else {
        ctx.style("kb.preview")
    };
    let mut spans = vec![Span::raw("    ")];
    if line.internal {
        let marker = crate::console::app::notes_state::notes_text(ctx.app.lang).marker;
        spans.push(Span::styled(format!("{marker} "), plain));
    }
    spans.push(Span::styled(
        format!("{}: ", inert_line(&line.author_name)),
        ctx.style("chat.time"),
    ));
    spans.extend(highlighted(
        &line.text,
        &line.highlights,
        plain,
        plain.patch(ctx.style("kb.match")),
    ));
    spans
}

/// `text` cut at the highlight ranges (characters, `[start, end)`; out-of-range or reversed
/// ones are ignored), each piece made inert on its own.
pub(super) fn highlighted(
    text: &str,
    ranges: &[(u32, u32)],
    plain: Style,
    hit: Style,
) -> Vec<Span<'static>> {
    let chars: Vec<char> = text.chars().take(MAX_LINE_CHARS).collect();
    let mut marked = vec![false; chars.len()];
    for &(start, end) in ranges {
        let (start, end) = (start as usize, (end as usize).min(chars.len()));
        for m in marked.iter_mut().take(end).skip(start) {
            *m = true;
        }
    }
    let mut spans = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let on = marked[i];
        let mut j = i;
        while j < chars.len() && marked[j] == on {
            j += 1;
        }
        let piece: String = chars[i..j].iter().collect();
        spans.push(Span::styled(
            inert_line(&piece).into_owned(),
            if on { hit } else { plain },
        ));
        i = j;
    }
    spans
}
