//! The "Suggested" strip over the composer: a heading with the keys that cycle and adopt,
//! then one numbered row per suggestion (articles, then quick replies), the highlighted one
//! marked. It takes rows only while the transcript keeps enough of its own, shrinking to the
//! highlighted entry alone, and hides when even that does not fit. Text from the server goes
//! through the sanitizer here.

use super::ctx::Ctx;
use super::text::ellipsize;
use crate::console::action::Action;
use crate::console::app::suggest::SuggestEntry;
use crate::console::i18n::fill;
use crate::console::keymap::Context;
use crate::console::sanitize::inert_line;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Rows the transcript keeps before the strip gets any.
const TRANSCRIPT_KEEPS: u16 = 6;

/// Rows the strip takes in a chat pane with `free` rows besides the composer.
pub fn rows(ctx: &Ctx, free: u16) -> u16 {
    let n = ctx.app.suggestions().len() as u16;
    if n == 0 {
        return 0;
    }
    let room = free.saturating_sub(TRANSCRIPT_KEEPS);
    if room > n {
        n + 1
    } else if room >= 1 {
        1
    } else {
        0
    }
}

fn key(ctx: &Ctx, action: Action) -> String {
    ctx.keymap
        .keys_for(Context::Compose, action)
        .into_iter()
        .next()
        .unwrap_or_default()
}

/// One entry as a line: `›2 文章 退货流程 · 7 天内…`.
fn entry_line(
    ctx: &Ctx,
    i: usize,
    e: &SuggestEntry,
    selected: bool,
    width: usize,
) -> Line<'static> {
    let t = ctx.t;
    let (kind, title, body) = match e {
        SuggestEntry::Article { title, body } => (t.suggest_article, title, body),
        SuggestEntry::QuickReply { title, body } => (t.suggest_quick, title, body),
    };
    let mark = if selected { '›' } else { ' ' };
    let text = format!(
        "{mark}{} {kind} {} · {}",
        i + 1,
        inert_line(title.trim()),
        inert_line(&body.split_whitespace().collect::<Vec<_>>().join(" "))
    );
    let style = ctx.style(if selected { "kb.selected" } else { "hint" });
    Line::from(Span::styled(ellipsize(&text, width).into_owned(), style))
}

pub fn draw(frame: &mut Frame, ctx: &Ctx, area: Rect) {
    let entries = ctx.app.suggestions();
    if entries.is_empty() || area.height == 0 {
        return;
    }
    let width = area.width as usize;
    let selected = ctx.app.suggest.selected.min(entries.len() - 1);
    let keys = fill(
        ctx.t.suggest_keys,
        &[
            ("next", &key(ctx, Action::SuggestNext)),
            ("adopt", &key(ctx, Action::SuggestAdopt)),
        ],
    );
    if area.height as usize <= entries.len() {
        // No room for the list: the highlighted entry alone.
        let line = entry_line(ctx, selected, &entries[selected], true, width);
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    let heading = format!("{} ({keys})", ctx.t.suggest_title);
    let mut lines = vec![Line::from(Span::styled(
        ellipsize(&heading, width).into_owned(),
        ctx.style("hint.key"),
    ))];
    for (i, e) in entries.iter().enumerate() {
        lines.push(entry_line(ctx, i, e, i == selected, width));
    }
    frame.render_widget(Paragraph::new(lines), area);
}
