//! The help overlay (every binding by context, in the console's language, filterable, long
//! descriptions wrapped rather than cut, a "more below" line while there is more) and the
//! which-key popup that lists what can follow a pending key sequence (as helix does).

use super::ctx::Ctx;
use super::popup::{centered, popup};
use super::text::ellipsize;
use crate::console::action::Action;
use crate::console::app::HelpState;
use crate::console::app::layout::wrap;
use crate::console::i18n::{Text, fill};
use crate::console::keymap::{Context, describe, format_keys};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

/// The help popup is at most this wide; narrower terminals wrap the text instead.
const HELP_MAX_WIDTH: u16 = 96;
/// Key columns wider than this put the description on the next row.
const KEY_COLUMN_MAX: usize = 16;

fn context_title(t: &Text, c: Context) -> &'static str {
    match c {
        Context::Global => t.help_ctx_global,
        Context::Sessions => t.help_ctx_sessions,
        Context::Chat => t.help_ctx_chat,
        Context::Compose => t.help_ctx_compose,
        Context::Kb => t.help_ctx_kb,
        Context::Dialog => t.help_ctx_dialog,
        Context::Reports => t.help_ctx_reports,
        Context::History => t.help_ctx_history,
        Context::Dashboard => t.help_ctx_dashboard,
        Context::Audit => t.help_ctx_audit,
        Context::Account => t.help_ctx_account,
    }
}

/// `s` padded with spaces to `width` display columns.
fn pad(s: &str, width: usize) -> String {
    format!("{s}{}", " ".repeat(width.saturating_sub(s.width())))
}

/// Whether a binding matches every word of the filter (keys, action name, or description
/// in either language).
fn matches(words: &[String], keys: &str, action: Action, ctx: &Ctx, c: Context) -> bool {
    let hay = format!(
        "{keys} {} {} {} {}",
        action.name(),
        describe(action, ctx.app.lang),
        action.help(),
        super::history::describe(c, action, ctx)
    )
    .to_lowercase();
    words.iter().all(|w| hay.contains(w.as_str()))
}

/// The help text for a popup `width` columns wide: a heading per context, then one entry
/// per binding, its description wrapped under itself.
pub fn help_lines(ctx: &Ctx, filter: &str, width: usize) -> Vec<Line<'static>> {
    let words: Vec<String> = filter.split_whitespace().map(str::to_lowercase).collect();
    let mut order = Context::ALL.to_vec();
    // Opened from the Reports screen: its own keys first.
    if ctx.app.reports().is_some() {
        order.sort_by_key(|c| *c != Context::Reports);
    }
    let sections: Vec<(Context, Vec<(String, Action)>)> = order
        .into_iter()
        .map(|c| {
            let entries = ctx
                .keymap
                .bindings(c)
                .into_iter()
                .filter(|(keys, action)| matches(&words, keys, *action, ctx, c))
                .collect();
            (c, entries)
        })
        .filter(|(_, entries): &(Context, Vec<_>)| !entries.is_empty())
        .collect();
    let key_w = sections
        .iter()
        .flat_map(|(_, e)| e.iter().map(|(k, _)| k.width()))
        .filter(|w| *w <= KEY_COLUMN_MAX)
        .max()
        .unwrap_or(8);
    // "  keys  description (action)": the description column starts after the keys.
    let indent = 2 + key_w + 2;
    let text_w = width.saturating_sub(indent).max(10);
    let mut lines = Vec::new();
    for (c, entries) in sections {
        lines.push(Line::from(Span::styled(
            format!("{} [{}]", context_title(ctx.t, c), c.name()),
            ctx.style("help.section"),
        )));
        for (keys, action) in entries {
            // History's keys mean History's things (`history::describe`).
            let mut rows = wrap(super::history::describe(c, action, ctx), text_w);
            let name = format!("({})", action.name());
            // The action name (what keymap files call it) follows the description if it fits.
            let name_row = match rows.last() {
                Some(last) if last.width() + 1 + name.width() <= text_w => rows.len() - 1,
                _ => {
                    rows.push(String::new());
                    rows.len() - 1
                }
            };
            let wide_keys = keys.width() > key_w;
            if wide_keys {
                lines.push(Line::from(Span::styled(
                    format!("  {keys}"),
                    ctx.style("help.key"),
                )));
            }
            for (i, row) in rows.into_iter().enumerate() {
                let lead = if i == 0 && !wide_keys {
                    Span::styled(format!("  {}  ", pad(&keys, key_w)), ctx.style("help.key"))
                } else {
                    Span::raw(" ".repeat(indent))
                };
                let mut spans = vec![lead];
                let gap = if row.is_empty() { "" } else { " " };
                spans.push(Span::styled(row, ctx.style("help.action")));
                if i == name_row {
                    spans.push(Span::styled(format!("{gap}{name}"), ctx.style("hint")));
                }
                lines.push(Line::from(spans));
            }
        }
    }
    if lines.is_empty() {
        lines.push(Line::from(Span::styled(
            ctx.t.help_no_match,
            ctx.style("hint"),
        )));
    }
    lines
}

pub fn draw(frame: &mut Frame, ctx: &Ctx, help: &HelpState, area: Rect) {
    let t = ctx.t;
    let w = area.width.saturating_sub(2).clamp(1, HELP_MAX_WIDTH);
    let inner = popup(
        frame,
        ctx,
        centered(area, w, area.height.saturating_sub(2)),
        t.help_title,
    );
    if inner.height < 3 {
        return;
    }
    // The filter line, the text, and a footer saying whether there is more.
    let text_h = usize::from(inner.height - 2);
    let lines = help_lines(ctx, &help.filter, usize::from(inner.width));
    let max = lines.len().saturating_sub(text_h);
    help.extent.set((max, text_h));
    let scroll = help.scroll.min(max);

    let filter_line = if help.filtering || !help.filter.is_empty() {
        Line::from(vec![
            Span::styled(t.help_filter, ctx.style("profile.label")),
            Span::styled(help.filter.clone(), ctx.style("composer")),
        ])
    } else {
        Line::from(Span::styled(t.help_filter_hint, ctx.style("hint")))
    };
    frame.render_widget(Paragraph::new(filter_line), Rect { height: 1, ..inner });
    if help.filtering {
        let x = inner.x + (t.help_filter.width() + help.filter.width()) as u16;
        frame.set_cursor_position(Position::new(
            x.min(inner.right().saturating_sub(1)),
            inner.y,
        ));
    }

    let visible: Vec<Line> = lines.into_iter().skip(scroll).take(text_h).collect();
    let text_area = Rect {
        y: inner.y + 1,
        height: text_h as u16,
        ..inner
    };
    frame.render_widget(Paragraph::new(visible), text_area);

    let below = max - scroll;
    let where_ = if below > 0 {
        Span::styled(
            fill(t.help_more_below, &[("n", &below.to_string())]),
            ctx.style("help.key"),
        )
    } else {
        Span::styled(t.help_at_end, ctx.style("hint"))
    };
    let footer = Line::from(vec![
        where_,
        Span::styled(format!(" · {}", t.help_keys), ctx.style("hint")),
    ]);
    frame.render_widget(
        Paragraph::new(footer),
        Rect {
            y: inner.bottom() - 1,
            height: 1,
            ..inner
        },
    );
}

/// While a key sequence is pending (vim's `space`, `g`, `ctrl-w`), a popup above the status
/// bar lists the keys that can follow and what they do.
pub fn which_key(frame: &mut Frame, ctx: &Ctx, area: Rect) {
    let app = ctx.app;
    if app.pending_keys.is_empty() {
        return;
    }
    let next = ctx.keymap.continuations(app.context(), &app.pending_keys);
    if next.is_empty() || area.height < 4 || area.width < 12 {
        return;
    }
    let entries: Vec<(String, &str)> = next
        .iter()
        .map(|(keys, action)| (keys.clone(), describe(*action, app.lang)))
        .collect();
    let key_w = entries.iter().map(|(k, _)| k.width()).max().unwrap_or(1);
    let desc_w = entries.iter().map(|(_, d)| d.width()).max().unwrap_or(1);
    // Rows: what fits above the status bar; columns: as many as that takes.
    let max_rows = usize::from(area.height.saturating_sub(4)).max(1);
    let rows = entries.len().min(max_rows);
    let cols = entries.len().div_ceil(rows);
    let max_w = usize::from(area.width.saturating_sub(2));
    let col_w = (key_w + 2 + desc_w + 2).min(max_w / cols).max(4);
    let desc_room = col_w.saturating_sub(key_w + 2 + 2);
    let mut lines = Vec::with_capacity(rows + 1);
    for r in 0..rows {
        let mut spans = Vec::new();
        for c in 0..cols {
            let Some((keys, desc)) = entries.get(c * rows + r) else {
                continue;
            };
            spans.push(Span::styled(
                format!("{}  ", pad(keys, key_w)),
                ctx.style("help.key"),
            ));
            let desc = ellipsize(desc, desc_room);
            spans.push(Span::styled(
                pad(&desc, desc_room + 2),
                ctx.style("help.action"),
            ));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::from(Span::styled(
        ctx.t.whichkey_hint,
        ctx.style("hint"),
    )));
    let w = (cols * col_w + 2).min(usize::from(area.width)) as u16;
    let h = (lines.len() + 2).min(usize::from(area.height.saturating_sub(1))) as u16;
    // Bottom right, just above the status bar, like helix.
    let rect = Rect::new(
        area.right().saturating_sub(w),
        area.bottom().saturating_sub(h + 1),
        w,
        h,
    );
    let title = format!("{} …", format_keys(&app.pending_keys));
    let inner = popup(frame, ctx, rect, &title);
    frame.render_widget(Paragraph::new(lines), inner);
}
