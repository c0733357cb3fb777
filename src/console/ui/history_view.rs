//! A conversation opened read-only from History: what it was (times, channel, group, agent,
//! outcome, rating with its comment, tags, intent), its transfers, and its messages and
//! notes oldest first (notes marked as in the chat panel, the message the search matched
//! marked too), scrolled from the top. Times are
//! local to the console. Every string from the network goes through `sanitize`.

use super::ctx::Ctx;
use super::history_text::{fit, local, outcome_label, stars};
use super::text::channel_label;
use crate::console::action::Action;
use crate::console::app::ChatLine;
use crate::console::app::history_state::HistoryView;
use crate::console::app::layout::{body_rows, wrap};
use crate::console::i18n::fill;
use crate::console::keymap::Context;
use crate::console::sanitize::inert_line;
use crate::model::AuthorKind;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(frame: &mut Frame, ctx: &Ctx, v: &HistoryView, area: Rect) {
    let t = ctx.t;
    let title = format!(
        "{} · {} · #{} · {}",
        t.history_title,
        inert_line(&v.hit.customer),
        v.session_id,
        t.read_only
    );
    let block = ctx.panel(title, true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 2 || inner.width < 4 {
        return;
    }
    let w = usize::from(inner.width);
    let body = Rect {
        height: inner.height - 1,
        ..inner
    };
    let rows = view_rows(ctx, v, w);
    let height = usize::from(body.height);
    let max = rows.len().saturating_sub(height);
    v.extent.set((max, height));
    let shown: Vec<Line> = rows
        .into_iter()
        .skip(v.scroll.min(max))
        .take(height)
        .collect();
    frame.render_widget(Paragraph::new(shown), body);
    let key = |a: Action| {
        ctx.keymap
            .keys_for(Context::History, a)
            .into_iter()
            .next()
            .unwrap_or_default()
    };
    let keys = fill(
        t.history_view_keys,
        &[
            (
                "scroll",
                &format!("{}/{}", key(Action::SelectPrev), key(Action::SelectNext)),
            ),
            (
                "page",
                &format!("{}/{}", key(Action::PageUp), key(Action::PageDown)),
            ),
            ("cancel", &key(Action::Cancel)),
        ],
    );
    let foot = Rect {
        y: inner.bottom() - 1,
        height: 1,
        ..inner
    };
    frame.render_widget(
        Paragraph::new(Line::from(fit(
            vec![Span::styled(keys, ctx.style("hint"))],
            w,
        ))),
        foot,
    );
}

/// Every row of the view, top to bottom.
fn view_rows(ctx: &Ctx, v: &HistoryView, w: usize) -> Vec<Line<'static>> {
    let (t, tz) = (ctx.t, &ctx.app.followup.tz);
    let label = ctx.style("profile.label");
    let value = ctx.style("profile.value");
    // A label's colon as the language writes it.
    let colon = if ctx.app.lang == crate::console::i18n::Lang::Zh {
        "："
    } else {
        ": "
    };
    let field = |name: &str, text: String| {
        Line::from(fit(
            vec![
                Span::styled(format!("{name}{colon}"), label),
                Span::styled(text, value),
            ],
            w,
        ))
    };
    let mut rows: Vec<Line<'static>> = Vec::new();
    if let Some(e) = &v.error {
        for r in wrap(
            &fill(t.history_view_failed, &[("error", &inert_line(e))]),
            w,
        ) {
            rows.push(Line::from(Span::styled(r, ctx.style("error"))));
        }
    }
    let hit = &v.hit;
    let s = v.detail.as_ref().map(|d| &d.session);
    let created = s.map_or(hit.created_at, |s| s.created_at);
    let ended = s.map_or(hit.ended_at, |s| s.ended_at);
    let mut when = local(created, tz, "%Y-%m-%d %H:%M");
    if let Some(e) = ended {
        when = format!(
            "{when} · {} {}",
            t.history_ended,
            local(e, tz, "%Y-%m-%d %H:%M")
        );
    }
    rows.push(field(t.history_started, when));
    let agent = v
        .detail
        .as_ref()
        .and_then(|d| d.agent.clone())
        .or_else(|| hit.agent.clone())
        .map(|a| inert_line(&a).into_owned())
        .unwrap_or_else(|| "—".into());
    let group = s.map_or(&hit.group, |s| &s.group);
    rows.push(field(
        t.history_agent,
        format!(
            "{agent} · {} {} · {}",
            t.history_group,
            inert_line(group),
            channel_label(ctx, hit.channel)
        ),
    ));
    let outcome = outcome_label(t, s.map_or(hit.outcome, |s| s.end_reason));
    rows.push(field(t.history_outcome, outcome.to_string()));
    let csat = s.map_or(hit.csat, |s| s.csat);
    rows.push(field(
        t.history_rating,
        csat.map_or_else(|| t.history_unrated.to_string(), stars),
    ));
    if let Some(c) = s.and_then(|s| s.csat_comment.as_deref()) {
        for r in wrap(&format!("“{}”", inert_line(c)), w.saturating_sub(2)) {
            rows.push(Line::from(Span::styled(format!("  {r}"), value)));
        }
    }
    let tags = s.map_or(&hit.tags, |s| &s.tags);
    let mut tag_spans = vec![Span::styled(format!("{}{colon}", t.history_tags), label)];
    for tag in tags {
        tag_spans.push(Span::styled(
            format!("[{}] ", inert_line(tag)),
            ctx.style("profile.tag"),
        ));
    }
    if let Some(i) = s
        .and_then(|s| s.intent.as_deref())
        .or(hit.intent.as_deref())
    {
        tag_spans.push(Span::styled(
            format!("· {}{colon}", t.history_intent),
            label,
        ));
        tag_spans.push(Span::styled(inert_line(i).into_owned(), value));
    }
    rows.push(Line::from(fit(tag_spans, w)));
    if let Some(d) = &v.detail
        && !d.transfers.is_empty()
    {
        rows.push(Line::raw(""));
        rows.push(Line::from(Span::styled(
            t.history_transfers,
            ctx.style("title"),
        )));
        for x in &d.transfers {
            let from = x.from_agent.as_deref().unwrap_or(&x.from_group);
            let to = x.to_agent.as_deref().unwrap_or(&x.to_group);
            let mut s = format!(
                "⇄ {} {} → {} ({} → {})",
                local(x.at, tz, "%m-%d %H:%M"),
                inert_line(from),
                inert_line(to),
                inert_line(&x.from_group),
                inert_line(&x.to_group)
            );
            if let Some(by) = &x.by {
                s = format!(
                    "{s} · {}",
                    fill(t.history_transfer_by, &[("name", &inert_line(by))])
                );
            }
            if x.queued {
                s = format!("{s} · {}", t.history_transfer_queued);
            }
            if !x.note.is_empty() {
                s = format!("{s}: {}", inert_line(&x.note));
            }
            for r in wrap(&s, w.saturating_sub(2)) {
                rows.push(Line::from(Span::styled(
                    format!("  {r}"),
                    ctx.style("chat.system"),
                )));
            }
        }
    }
    rows.push(Line::raw(""));
    rows.push(Line::from(Span::styled(
        t.history_messages,
        ctx.style("title"),
    )));
    // The message the search matched is marked (its words were highlighted in the results).
    let matched = v.hit.line.as_ref().map(|l| l.seq);
    for line in &v.lines {
        rows.extend(message_rows(
            ctx,
            line,
            w,
            line.seq.is_some() && line.seq == matched,
        ));
    }
    let tail = if v.loading {
        Span::styled(
            if v.lines.is_empty() {
                t.history_loading
            } else {
                t.history_loading_more
            },
            ctx.style("hint"),
        )
    } else if v.complete {
        Span::styled(t.history_end_of_transcript, ctx.style("chat.system"))
    } else if v.error.is_none() {
        let key = ctx
            .keymap
            .keys_for(Context::History, Action::PageDown)
            .into_iter()
            .next()
            .unwrap_or_default();
        Span::styled(
            fill(t.history_more_messages, &[("key", &key)]),
            ctx.style("hint"),
        )
    } else {
        Span::raw("")
    };
    rows.push(Line::from(tail));
    rows
}

/// A message or note as rows: date and time, author (a note marked in words and italics, as
/// in the chat panel), then the body wrapped.
fn message_rows(ctx: &Ctx, line: &ChatLine, w: usize, matched: bool) -> Vec<Line<'static>> {
    let scope = match line.author_kind {
        _ if line.internal => "chat.note",
        AuthorKind::Customer => "chat.customer",
        AuthorKind::Agent => "chat.agent",
        AuthorKind::Bot => "chat.bot",
        AuthorKind::System => "chat.system",
    };
    let mut header = vec![Span::styled(
        format!(
            "{} ",
            local(line.created_at, &ctx.app.followup.tz, "%m-%d %H:%M")
        ),
        ctx.style("chat.time"),
    )];
    if let Some(m) = super::notes::marker(ctx, line) {
        header.push(m);
    }
    header.push(Span::styled(
        inert_line(&line.author_name).into_owned(),
        ctx.style("chat.author").patch(ctx.style(scope)),
    ));
    if matched {
        header.push(Span::styled(
            format!("  ◀ {}", ctx.t.history_matched),
            ctx.style("kb.match"),
        ));
    }
    let mut out = vec![Line::from(fit(header, w))];
    let body = if line.internal {
        super::notes::note_style(ctx)
    } else {
        ctx.style(scope)
    };
    for r in body_rows(line, w) {
        out.push(Line::from(Span::styled(format!("  {r}"), body)));
    }
    out
}
