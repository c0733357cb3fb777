//! The chat pane: transcript (only the visible tail is laid out, so 10,000 messages cost what
//! a screenful does), typing indicator, and the composer with its cursor.

use super::ctx::Ctx;
use super::text::{channel_label, clock, date};
use crate::console::app::layout::{body_rows, note_rows};
use crate::console::app::{ChatLine, ChatViewport, Delivery, Focus, SessionEntry};
use crate::console::i18n::fill;
use crate::model::AuthorKind;
use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

pub fn draw(frame: &mut Frame, ctx: &Ctx, area: Rect) {
    let app = ctx.app;
    let Some(s) = app.current() else {
        let block = ctx.panel(ctx.t.chat_title.to_string(), app.focus == Focus::Chat);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        frame.render_widget(
            Paragraph::new(Span::styled(ctx.t.no_session_selected, ctx.style("hint"))),
            inner,
        );
        return;
    };
    let name = crate::console::sanitize::inert_line(&s.view.customer.nickname).into_owned();
    let mut title = format!(
        "{name} · {} · #{}",
        channel_label(ctx, s.view.channel),
        s.view.id
    );
    if let Some(countdown) = super::end::title_suffix(ctx, s) {
        title.push_str(&countdown);
    }
    if s.read_only {
        // A past session: which day it was.
        title.push_str(&format!(
            " · {} · {}",
            ctx.t.read_only,
            date(s.view.created_at)
        ));
    }
    let block = ctx.panel(title, app.focus == Focus::Chat);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // (A conversation opened through a mention is read-only but takes notes.)
    let composer_rows = if (s.read_only && !app.notes.watching.contains(&s.view.id)) || s.is_offer()
    {
        0
    } else {
        let (rows, _) = s.draft.layout(inner.width.saturating_sub(2).max(1));
        (rows.len() as u16).clamp(1, 5) + 1
    };
    let strip_rows = if composer_rows > 0 {
        super::suggest::rows(ctx, inner.height.saturating_sub(composer_rows))
    } else {
        0
    };
    let parts = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Min(1),
            Constraint::Length(strip_rows),
            Constraint::Length(composer_rows),
        ])
        .split(inner);
    transcript(frame, ctx, s, parts[0]);
    if strip_rows > 0 {
        super::suggest::draw(frame, ctx, parts[1]);
    }
    if composer_rows > 0 {
        composer(frame, ctx, s, parts[2]);
    }
}

fn transcript(frame: &mut Frame, ctx: &Ctx, s: &SessionEntry, area: Rect) {
    // Scrolling (in `App`) needs the size the transcript really has.
    ctx.app.viewport.set(ChatViewport {
        width: area.width,
        height: area.height,
    });
    let width = area.width as usize;
    let height = area.height as usize;
    let mut rows: Vec<Line> = Vec::new();
    if let Some((name, until)) = &s.typing
        && *until > ctx.app.now
    {
        rows.push(Line::from(Span::styled(
            fill(ctx.t.typing, &[("name", name)]),
            ctx.style("chat.typing"),
        )));
    }
    // Walk back from the newest line until the screen (plus scrollback offset) is full.
    let need = height + s.scroll;
    for line in s.lines.iter().rev() {
        let mut block = message_rows(ctx, s.view.id, line, width);
        block.reverse();
        rows.extend(block);
        if rows.len() >= need {
            break;
        }
    }
    if rows.len() < need {
        for r in note_rows(s, width).into_iter().rev() {
            rows.push(Line::from(Span::styled(r, ctx.style("chat.system"))));
        }
    }
    // Scrolled to the top, the first row is at the top of the pane (never empty space).
    let skip = s.scroll.min(rows.len().saturating_sub(height));
    let visible: Vec<Line> = rows.into_iter().skip(skip).take(height).rev().collect();
    // Bottom-align: pad above when the conversation is short.
    let pad = height.saturating_sub(visible.len());
    let mut all: Vec<Line> = (0..pad).map(|_| Line::raw("")).collect();
    all.extend(visible);
    frame.render_widget(Paragraph::new(all), area);
}

/// A message as screen rows: a header (time, author, delivery) then the wrapped body.
fn message_rows(
    ctx: &Ctx,
    session: crate::model::SessionId,
    line: &ChatLine,
    width: usize,
) -> Vec<Line<'static>> {
    let t = ctx.t;
    let scope = match line.author_kind {
        _ if line.internal => "chat.note",
        AuthorKind::Customer => "chat.customer",
        AuthorKind::Agent => "chat.agent",
        AuthorKind::Bot => "chat.bot",
        AuthorKind::System => "chat.system",
    };
    let author = crate::console::sanitize::inert_line(&line.author_name).into_owned();
    let mut header = vec![
        Span::styled(
            format!("{} ", clock(line.created_at)),
            ctx.style("chat.time"),
        ),
        Span::styled(author, ctx.style("chat.author").patch(ctx.style(scope))),
    ];
    // A note: marked in words and set in italics, not told by colour alone.
    if let Some(m) = super::notes::marker(ctx, line) {
        header.insert(1, m);
    }
    // The customer message's intent, as the server labelled it (dim).
    if line.author_kind == AuthorKind::Customer
        && let Some(label) = ctx.app.message_intent_label(session, line.seq)
    {
        header.push(Span::styled(
            format!(" · {}", crate::console::sanitize::inert_line(&label)),
            ctx.style("chat.time"),
        ));
    }
    match line.delivery {
        Delivery::Sending => header.push(Span::styled(
            format!(" {}", t.msg_sending),
            ctx.style("chat.pending"),
        )),
        Delivery::Failed => {
            let key = ctx
                .keymap
                .keys_for(
                    crate::console::keymap::Context::Chat,
                    crate::console::action::Action::RetryFailed,
                )
                .into_iter()
                .next()
                .unwrap_or_default();
            header.push(Span::styled(
                format!(" {}", fill(t.msg_failed, &[("key", &key)])),
                ctx.style("chat.failed"),
            ));
        }
        Delivery::Acked if line.author_kind == AuthorKind::Agent => {
            header.push(Span::styled(" ✓", ctx.style("chat.time")));
        }
        Delivery::Acked => {}
    }
    let mut out = vec![Line::from(header)];
    let body_style = if line.internal {
        super::notes::note_style(ctx)
    } else {
        ctx.style(scope)
    };
    for r in body_rows(line, width) {
        out.push(Line::from(Span::styled(format!("  {r}"), body_style)));
    }
    out
}

fn composer(frame: &mut Frame, ctx: &Ctx, s: &SessionEntry, area: Rect) {
    let focused = ctx.app.focus == Focus::Compose;
    let block = super::notes::composer_block(ctx, s.view.id, focused).unwrap_or_else(|| {
        Block::default()
            .borders(Borders::TOP)
            .border_style(ctx.style(if focused { "border.focused" } else { "border" }))
    });
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width.saturating_sub(2).max(1);
    let (rows, (crow, ccol)) = s.draft.layout(width);
    if s.draft.is_empty() {
        let hint = Span::styled(
            format!(
                "› {}",
                super::notes::placeholder(ctx, s.view.id).unwrap_or(ctx.t.composer_placeholder)
            ),
            ctx.style("composer.placeholder"),
        );
        frame.render_widget(Paragraph::new(hint), inner);
    } else {
        let first_visible = (crow as usize + 1).saturating_sub(inner.height as usize);
        let lines: Vec<Line> = rows
            .iter()
            .enumerate()
            .skip(first_visible)
            .take(inner.height as usize)
            .map(|(i, r)| {
                Line::from(Span::styled(
                    format!("{}{r}", if i == 0 { "› " } else { "  " }),
                    ctx.style("composer"),
                ))
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
    }
    if focused {
        let first_visible = (crow as usize + 1).saturating_sub(inner.height as usize) as u16;
        let y = inner.y + crow.saturating_sub(first_visible);
        let x = inner.x + 2 + ccol;
        frame.set_cursor_position(Position::new(x.min(inner.right().saturating_sub(1)), y));
    }
}
