//! The End dialog (S16–S18): who and what is ended, the closing phrase (a list to pick from,
//! or typed), tags with suggestions (marked required when the group says so), the outcome
//! and when to end, each choice with a visible text marker (`(•)` / `( )`, `›`), never by
//! colour alone. Also the pending end's countdown as the session list and chat title show it.

use super::ctx::Ctx;
use super::popup::{centered, popup};
use super::text::{channel_label, clock, date};
use crate::console::app::end_text::{self, end_text};
use crate::console::app::layout::wrap;
use crate::console::app::{EndDialog, EndField, SessionEntry};
use crate::console::i18n::fill;
use crate::console::sanitize::inert_line;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

/// Closing phrases listed at once (the list scrolls with the highlight).
const PHRASES_SHOWN: usize = 4;

/// `s` cut to `width` columns with `…`.
fn fit(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// `(•) label` or `( ) label`.
fn choice(ctx: &Ctx, on: bool, label: &str, focused: bool) -> Vec<Span<'static>> {
    let mark = if on { "(•) " } else { "( ) " };
    let style = if on && focused {
        ctx.style("dialog.selected")
    } else {
        ctx.style("dialog")
    };
    vec![
        Span::styled(format!("{mark}{label}"), style),
        Span::raw("  "),
    ]
}

/// A field's label line: `› ` marks the field with the keyboard.
fn label(ctx: &Ctx, text: &str, focused: bool) -> Span<'static> {
    let mark = if focused { "› " } else { "  " };
    Span::styled(format!("{mark}{text}"), ctx.style("profile.label"))
}

pub fn draw(frame: &mut Frame, ctx: &Ctx, d: &EndDialog, area: Rect) {
    let (t, e) = (ctx.t, end_text(ctx.app.lang));
    let width = 78.min(area.width);
    let inner_w = usize::from(width.saturating_sub(2));
    let plain = ctx.style("dialog");
    let hint = ctx.style("hint");
    let mut lines: Vec<Line<'static>> = Vec::new();
    let wrapped = |lines: &mut Vec<Line<'static>>, text: &str, style: Style| {
        for row in wrap(text, inner_w) {
            lines.push(Line::from(Span::styled(row, style)));
        }
    };
    // Who and what.
    let who = format!(
        "{} {} ({})",
        e.customer,
        inert_line(&d.nickname),
        inert_line(&d.customer_ref),
    );
    wrapped(&mut lines, &who, plain);
    let mut about = format!(
        "{} #{} · {} · {} {} · {} {} {}",
        e.conversation,
        d.session,
        channel_label(ctx, d.channel),
        e.group,
        inert_line(&d.group),
        e.started,
        date(d.started),
        clock(d.started),
    );
    if let Some(n) = d.messages {
        about.push_str(&format!(" · {n} {}", e.messages));
    }
    wrapped(&mut lines, &about, plain);
    // The closing phrase: the field, then the list to pick from.
    let on_phrase = d.field == EndField::Phrase;
    lines.push(Line::from(label(ctx, e.phrases, on_phrase)));
    let field_style = if on_phrase {
        ctx.style("dialog.selected")
    } else {
        plain
    };
    let phrase_row = lines.len();
    lines.push(Line::from(vec![
        Span::raw("  "),
        Span::styled(
            fit(&inert_line(&d.phrase), inner_w.saturating_sub(3)),
            field_style,
        ),
    ]));
    let first = d
        .phrase_at
        .map_or(0, |i| i.saturating_sub(PHRASES_SHOWN - 1));
    for (i, p) in d.phrases.iter().enumerate().skip(first).take(PHRASES_SHOWN) {
        let on = d.phrase_at == Some(i);
        let (mark, style) = if on {
            ("   › ", ctx.style("dialog.selected"))
        } else {
            ("     ", hint)
        };
        lines.push(Line::from(Span::styled(
            format!("{mark}{}", fit(&inert_line(p), inner_w.saturating_sub(6))),
            style,
        )));
    }
    // Tags: those chosen, the input, and the suggestions.
    let on_tags = d.field == EndField::Tags;
    let tags_label = if d.require_tags {
        e.tags_required
    } else {
        e.tags
    };
    let chosen: Vec<String> = d
        .tags
        .iter()
        .map(|t| format!("[{}]", inert_line(t)))
        .collect();
    lines.push(Line::from(vec![
        label(ctx, tags_label, on_tags),
        Span::styled(format!(" {}", chosen.join(" ")), plain),
    ]));
    let tag_row = lines.len();
    let input_style = if on_tags {
        ctx.style("dialog.selected")
    } else {
        plain
    };
    lines.push(Line::from(vec![
        Span::raw("  + "),
        Span::styled(
            fit(&inert_line(&d.tag_input), inner_w.saturating_sub(5)),
            input_style,
        ),
        Span::styled(format!("  {}", e.tags_hint), hint),
    ]));
    let mut row: Vec<Span<'static>> = vec![Span::raw("    ")];
    let mut used = 4;
    for (i, s) in d.matching().iter().enumerate() {
        let on = d.suggest_at == Some(i);
        let text = format!("{}{} ", if on { "›" } else { " " }, inert_line(s));
        if used + text.width() > inner_w {
            break;
        }
        used += text.width();
        let style = if on {
            ctx.style("dialog.selected")
        } else {
            hint
        };
        row.push(Span::styled(text, style));
    }
    lines.push(Line::from(row));
    // Outcome and when, with their markers.
    let on_outcome = d.field == EndField::Outcome;
    let mut outcome = vec![label(ctx, e.outcome, on_outcome), Span::raw("  ")];
    outcome.extend(choice(ctx, d.resolved, t.end_outcome_resolved, on_outcome));
    outcome.extend(choice(
        ctx,
        !d.resolved,
        t.end_outcome_unresolved,
        on_outcome,
    ));
    lines.push(Line::from(outcome));
    let on_when = d.field == EndField::When;
    let mut when = vec![label(ctx, e.when, on_when), Span::raw("  ")];
    when.extend(choice(ctx, !d.wait, e.now, on_when));
    let wait = fill(e.after_silence, &[("m", &d.wait_mins.to_string())]);
    when.extend(choice(ctx, d.wait, &wait, on_when));
    lines.push(Line::from(when));
    // Why it did not end, or that it is on its way; then the keys.
    if let Some(err) = &d.error {
        wrapped(
            &mut lines,
            &format!("! {}", inert_line(err)),
            ctx.style("error"),
        );
    } else if d.sending {
        wrapped(&mut lines, e.sending, hint);
    }
    wrapped(&mut lines, e.keys, hint);
    let height = (lines.len() as u16 + 2).min(area.height);
    let inner = popup(frame, ctx, centered(area, width, height), t.end_title);
    frame.render_widget(Paragraph::new(lines), inner);
    // The cursor sits in the text field that has the keyboard.
    let at = match d.field {
        EndField::Phrase => Some((
            phrase_row,
            2 + fit(&inert_line(&d.phrase), inner_w.saturating_sub(3)).width(),
        )),
        EndField::Tags => Some((tag_row, 4 + inert_line(&d.tag_input).width())),
        _ => None,
    };
    if let Some((row, col)) = at {
        let y = inner.y + row as u16;
        if y < inner.bottom() {
            let x = (inner.x + col as u16).min(inner.right().saturating_sub(1));
            frame.set_cursor_position(Position::new(x, y));
        }
    }
}

/// The session list's status forms for a pending end (longest first), if one is pending.
pub fn list_forms(ctx: &Ctx, s: &SessionEntry, channel: &str) -> Option<Vec<String>> {
    let at = s.view.ends_at?;
    let e = end_text(ctx.app.lang);
    let left = end_text::clock(at - ctx.app.now);
    let label = fill(e.countdown, &[("t", &left)]);
    let short = fill(e.countdown_short, &[("t", &left)]);
    Some(vec![
        format!("    {channel} {label}"),
        format!("  {label}"),
        format!("  {short}"),
    ])
}

/// What the chat title adds for a pending end: ` · ends in 1:45`.
pub fn title_suffix(ctx: &Ctx, s: &SessionEntry) -> Option<String> {
    let at = s.view.ends_at?;
    let e = end_text(ctx.app.lang);
    let left = end_text::clock(at - ctx.app.now);
    Some(format!(" · {}", fill(e.countdown, &[("t", &left)])))
}
