//! The right-hand column: the customer profile sidebar and the knowledge-base search panel.

use super::ctx::Ctx;
use super::text::{channel_label, date, ellipsize};
use crate::console::app::Focus;
use crate::console::app::layout::wrap;
use crate::console::sanitize::{inert_line, inert_text};
use crate::protocol::SessionView;
use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

pub fn profile(frame: &mut Frame, ctx: &Ctx, area: Rect) {
    let (app, t) = (ctx.app, ctx.t);
    let block = ctx.panel(t.profile_title.to_string(), app.focus == Focus::Profile);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(s) = app.current() else { return };
    let c = &s.view.customer;
    let field = |label: &str, value: String| -> Line<'static> {
        Line::from(vec![
            Span::styled(format!("{label}: "), ctx.style("profile.label")),
            Span::styled(value, ctx.style("profile.value")),
        ])
    };
    let mut lines = vec![
        field(t.profile_nickname, inert_line(&c.nickname).into_owned()),
        field(
            t.profile_customer_id,
            c.external_id
                .as_deref()
                .map(|e| inert_line(e).into_owned())
                .unwrap_or_else(|| c.id.to_string()),
        ),
        // This conversation's channel (the customer may have first come by another).
        field(
            t.profile_channel,
            channel_label(ctx, s.view.channel).to_string(),
        ),
    ];
    if s.view.offline {
        lines.push(Line::from(Span::styled(
            t.offline_message.to_string(),
            ctx.style("session.offline"),
        )));
    }
    lines.extend(context_lines(ctx, &s.view, inner.width));
    let mut tags: Vec<Span> = vec![Span::styled(
        format!("{}: ", t.profile_tags),
        ctx.style("profile.label"),
    )];
    if c.vip {
        tags.push(Span::styled(
            format!("[{}] ", t.vip),
            ctx.style("profile.vip"),
        ));
    }
    for tag in c.tags.iter().chain(s.view.tags.iter()) {
        tags.push(Span::styled(
            format!("[{}] ", inert_line(tag)),
            ctx.style("profile.tag"),
        ));
    }
    lines.push(Line::from(tags));
    let intent = s
        .view
        .intent
        .as_deref()
        .map(|i| inert_line(&ctx.app.intent_label(s.view.id, i)).into_owned())
        .unwrap_or_else(|| t.profile_none.to_string());
    lines.push(field(t.profile_intent, intent));
    if let Some(r) = super::followup::reminder(ctx, s) {
        lines.push(field(t.follow_up_title, r));
    }
    lines.extend(super::bot_line::bot_line(ctx, &s.view));
    lines.extend(super::menu_line::menu_lines(ctx, &s.view));
    lines.extend(super::kb_flow::sent_lines(ctx));
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        t.profile_past_sessions.to_string(),
        ctx.style("title"),
    )));
    match &s.past {
        None => lines.push(Line::from(Span::styled("…", ctx.style("hint")))),
        Some(p) if p.is_empty() => {
            lines.push(Line::from(Span::styled(t.profile_none, ctx.style("hint"))))
        }
        Some(p) => {
            let focused = app.focus == Focus::Profile;
            for (i, past) in p
                .iter()
                .enumerate()
                .take(usize::from(inner.height).saturating_sub(lines.len()))
            {
                let mark = if focused && i == app.profile_selected {
                    "▶"
                } else {
                    " "
                };
                let outcome = past
                    .end_reason
                    .map(|r| r.as_str())
                    .unwrap_or(past.state.as_str());
                let stars = past.csat.map(|c| format!(" {}★", c)).unwrap_or_default();
                // The rating's comment, on a line of its own below, cut to the panel's width.
                let comment = past.csat_comment.as_deref().map(|c| {
                    let room = usize::from(inner.width).saturating_sub(5);
                    Line::from(Span::styled(
                        format!("   “{}”", ellipsize(&inert_line(c), room)),
                        ctx.style("profile.value"),
                    ))
                });
                let tags: Vec<String> = past
                    .tags
                    .iter()
                    .map(|t| inert_line(t).into_owned())
                    .collect();
                lines.push(Line::from(vec![
                    Span::styled(
                        format!("{mark}{} ", date(past.created_at)),
                        ctx.style("chat.time"),
                    ),
                    Span::styled(format!("{outcome}{stars} "), ctx.style("profile.value")),
                    Span::styled(tags.join(","), ctx.style("profile.tag")),
                ]));
                lines.extend(comment);
            }
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// What the channel reported (page, referrer, browser; app version, device), one line each,
/// cut to the panel's width: it comes from the customer's side, so it is made inert first.
fn context_lines(ctx: &Ctx, view: &SessionView, width: u16) -> Vec<Line<'static>> {
    let (t, Some(c)) = (ctx.t, &view.context) else {
        return Vec::new();
    };
    [
        (t.profile_page, &c.page_url),
        (t.profile_referrer, &c.referrer),
        (t.profile_user_agent, &c.user_agent),
        (t.profile_app_version, &c.app_version),
        (t.profile_device, &c.device),
    ]
    .into_iter()
    .filter_map(|(label, value)| {
        let value = value.as_deref()?;
        // The scheme says little in a narrow panel; the host and path are what matter.
        let value = value
            .strip_prefix("https://")
            .or_else(|| value.strip_prefix("http://"))
            .unwrap_or(value);
        let value = inert_line(value);
        let room = usize::from(width).saturating_sub(label.width() + 2);
        Some(Line::from(vec![
            Span::styled(format!("{label}: "), ctx.style("profile.label")),
            Span::styled(
                ellipsize(&value, room).into_owned(),
                ctx.style("profile.value"),
            ),
        ]))
    })
    .collect()
}

pub fn kb(frame: &mut Frame, ctx: &Ctx, area: Rect) {
    let (app, t) = (ctx.app, ctx.t);
    if app.kbflow.view != crate::console::app::KbView::Search {
        return super::kb_flow::draw(frame, ctx, area);
    }
    let block = ctx.panel(super::kb_flow::panel_title(ctx), app.focus == Focus::Kb);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let parts = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Length(1),
            Constraint::Percentage(45),
            Constraint::Min(1),
        ])
        .split(inner);
    let query = if app.kb.query.is_empty() && app.focus != Focus::Kb {
        Span::styled(t.kb_placeholder, ctx.style("composer.placeholder"))
    } else {
        Span::styled(format!("🔍 {}", app.kb.query), ctx.style("composer"))
    };
    frame.render_widget(Paragraph::new(query), parts[0]);
    if app.kb.matches.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(t.kb_no_results, ctx.style("hint"))),
            parts[1],
        );
        return;
    }
    let height = parts[1].height as usize;
    // A hit with a snippet takes two lines: the title, and where the query matched.
    let per_item = if app.kb.snippets.is_empty() { 1 } else { 2 };
    let shown = (height / per_item).max(1);
    let offset = app.kb.selected.saturating_sub(shown.saturating_sub(1));
    let lines: Vec<Line> = app
        .kb
        .matches
        .iter()
        .enumerate()
        .skip(offset)
        .take(shown)
        .filter_map(|(i, idx)| {
            let a = app.kb.titles.get(*idx)?;
            let scope = if i == app.kb.selected {
                "kb.selected"
            } else {
                "kb.match"
            };
            let title = Line::from(Span::styled(
                inert_line(&a.title).into_owned(),
                ctx.style(scope),
            ));
            let snippet = app
                .kb
                .snippets
                .get(&a.id)
                .map(|s| snippet_line(ctx, s))
                .into_iter();
            Some(std::iter::once(title).chain(snippet))
        })
        .flatten()
        .collect();
    frame.render_widget(Paragraph::new(lines), parts[1]);
    // Wrapped here, like the chat (display width, kinsoku), not by the widget.
    let width = usize::from(parts[2].width);
    let wrapped = |text: &str, scope: &str| -> Vec<Line<'static>> {
        wrap(text, width)
            .into_iter()
            .map(|r| Line::from(Span::styled(r, ctx.style(scope))))
            .collect()
    };
    let mut all: Vec<Line> = match app
        .selected_article()
        .and_then(|a| app.kb.bodies.get(&a.id))
    {
        Some(a) => inert_text(&a.body)
            .iter()
            .flat_map(|l| wrapped(l, "kb.preview"))
            .collect(),
        None => vec![Line::from(Span::styled("…", ctx.style("hint")))],
    };
    all.extend(wrapped(t.kb_hint, "hint"));
    all.extend(wrapped(t.kb_search_hint_edit, "hint"));
    frame.render_widget(Paragraph::new(all), parts[2]);
}

/// A snippet from the server on one line: its text made inert (it comes from the network), the
/// matched words styled. Highlight ranges that are out of bounds, overlapping or not on
/// character boundaries are ignored.
pub fn snippet_line(ctx: &Ctx, s: &crate::protocol::Snippet) -> Line<'static> {
    let text = s.text.as_str();
    let mut spans = vec![Span::styled("  ", ctx.style("kb.preview"))];
    let mut at = 0;
    for &(from, to) in &s.highlights {
        let valid = from >= at
            && from < to
            && to <= text.len()
            && text.is_char_boundary(from)
            && text.is_char_boundary(to);
        if !valid {
            continue;
        }
        spans.push(Span::styled(flat(&text[at..from]), ctx.style("kb.preview")));
        spans.push(Span::styled(
            flat(&text[from..to]),
            ctx.style("kb.match")
                .add_modifier(ratatui::style::Modifier::UNDERLINED),
        ));
        at = to;
    }
    spans.push(Span::styled(flat(&text[at..]), ctx.style("kb.preview")));
    Line::from(spans)
}

/// One inert line: line breaks become spaces, then control and bidi characters are removed.
fn flat(s: &str) -> String {
    inert_line(&s.replace(['\n', '\r', '\t'], " ")).into_owned()
}
