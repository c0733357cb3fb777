//! The chat pane: transcript (only the visible tail is laid out, so 10,000 messages cost what
//! a screenful does), typing indicator, and the composer with its cursor.

use super::{Ctx, clock};
use crate::console::app::{ChatLine, ChatViewport, Delivery, Focus, SessionEntry};
use crate::console::composer::linebreak::wrap_line;
use crate::console::i18n::fill;
use crate::console::sanitize::inert_text;
use crate::model::{AuthorKind, Millis};
use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

/// Splits text into rows of at most `width` display columns, with the composer's line
/// breaking: after spaces (words stay whole), between CJK characters, mid-word only when a
/// word is longer than a row; wide characters are never split, and kinsoku keeps closing
/// punctuation (，。！？) from starting a row and opening brackets from ending one.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut rows = Vec::new();
    wrap_line(text, 0, width.max(2), &mut rows);
    rows.into_iter()
        .map(|(start, end)| text.get(start..end).unwrap_or_default().to_string())
        .collect()
}

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
        super::list::channel_label(ctx, s.view.channel),
        s.view.id
    );
    if s.read_only {
        // A past session: which day it was.
        title.push_str(&format!(
            " · {} · {}",
            ctx.t.read_only,
            super::side::date(s.view.created_at)
        ));
    }
    let block = ctx.panel(title, app.focus == Focus::Chat);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let composer_rows = if s.read_only || s.is_offer() {
        0
    } else {
        let (rows, _) = s.draft.layout(inner.width.saturating_sub(2).max(1));
        (rows.len() as u16).clamp(1, 5) + 1
    };
    let parts = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Min(1), Constraint::Length(composer_rows)])
        .split(inner);
    transcript(frame, ctx, s, parts[0]);
    if composer_rows > 0 {
        composer(frame, ctx, s, parts[1]);
    }
}

/// Whether the "is typing" row shows under the transcript.
fn typing_shown(s: &SessionEntry, now: Millis) -> bool {
    s.typing.as_ref().is_some_and(|(_, until)| *until > now)
}

/// The transfer note shown above the first message, as rows.
fn note_rows(s: &SessionEntry, width: usize) -> Vec<String> {
    let Some((note, by)) = &s.transfer_note else {
        return Vec::new();
    };
    let by = by
        .as_deref()
        .map(crate::console::sanitize::inert_line)
        .unwrap_or_default();
    wrap(
        &format!("⇄ {by}: {}", crate::console::sanitize::inert_line(note)),
        width,
    )
}

/// A message's body wrapped to the transcript width (indented two columns under its header).
fn body_rows(line: &ChatLine, width: usize) -> Vec<String> {
    inert_text(&line.body)
        .iter()
        .flat_map(|l| wrap(l, width.saturating_sub(2)))
        .collect()
}

/// Rows a message takes: its header and its wrapped body.
pub fn message_height(line: &ChatLine, width: usize) -> usize {
    1 + body_rows(line, width).len()
}

/// How many rows the transcript of `s` takes at `width`, counted from the newest message
/// back and stopping once `limit` is reached: `(rows, complete)`, `complete` when every row
/// (up to the transfer note at the top) was counted. Scrolling clamps against this; it counts
/// exactly what [`transcript`] draws.
pub fn transcript_height(
    s: &SessionEntry,
    now: Millis,
    width: usize,
    limit: usize,
) -> (usize, bool) {
    let mut rows = usize::from(typing_shown(s, now));
    for line in s.lines.iter().rev() {
        if rows >= limit {
            return (rows, false);
        }
        rows += message_height(line, width);
    }
    (rows + note_rows(s, width).len(), true)
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
        let mut block = message_rows(ctx, line, width);
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
fn message_rows(ctx: &Ctx, line: &ChatLine, width: usize) -> Vec<Line<'static>> {
    let t = ctx.t;
    let scope = match line.author_kind {
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
    for r in body_rows(line, width) {
        out.push(Line::from(Span::styled(format!("  {r}"), ctx.style(scope))));
    }
    out
}

fn composer(frame: &mut Frame, ctx: &Ctx, s: &SessionEntry, area: Rect) {
    let focused = ctx.app.focus == Focus::Compose;
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(ctx.style(if focused { "border.focused" } else { "border" }));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width.saturating_sub(2).max(1);
    let (rows, (crow, ccol)) = s.draft.layout(width);
    if s.draft.is_empty() {
        let hint = Span::styled(
            format!("› {}", ctx.t.composer_placeholder),
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

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wraps_words_whole_and_cjk_by_character() {
        assert_eq!(
            wrap("full refund as long", 10),
            ["full ", "refund as ", "long"]
        );
        assert_eq!(wrap("你好世界你好", 5), ["你好", "世界", "你好"]);
        assert_eq!(wrap("abcdefghijkl", 5), ["abcde", "fghij", "kl"]);
        assert_eq!(wrap("", 5), [""]);
    }

    #[test]
    fn chinese_punctuation_never_starts_a_row() {
        // At 8 columns "。" would start row 2; "了" comes down with it.
        assert_eq!(
            wrap("我知道了。谢谢您！", 8),
            ["我知道", "了。谢谢", "您！"]
        );
        assert_eq!(
            wrap("好的，请稍等：「马上」", 6),
            ["好的，", "请稍", "等：", "「马", "上」"]
        );
    }
}
