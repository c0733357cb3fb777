//! The Audit screen (`f12`, admins), drawn full screen above the status bar: the filters in
//! the title, a table of entries (time, actor, action, target) newest first with the
//! selected one's details below it, and a line of keys. Every string from the server goes
//! through `inert_line` (a failed login's username is whatever someone typed).

use super::ctx::Ctx;
use super::dashboard_text::cell;
use crate::console::app::audit_state::AuditScreen;
use crate::console::i18n::fill;
use crate::console::keymap::Context;
use crate::console::sanitize::inert_line;
use crate::protocol::account::AuditEntryView;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

/// Column widths: time, actor, action; the target takes the rest.
const TIME_W: usize = 19;

fn widths(total: u16) -> (usize, usize) {
    if total >= 100 { (20, 26) } else { (14, 20) }
}

pub fn draw(frame: &mut Frame, ctx: &Ctx, a: &AuditScreen, area: Rect) {
    let area = Rect {
        height: area.height.saturating_sub(1),
        ..area
    };
    frame.render_widget(Clear, area);
    frame.buffer_mut().set_style(area, ctx.style("base"));
    let t = ctx.t;
    let actor = a.actor.as_deref().map_or_else(
        || t.audit_all_actors.to_string(),
        |s| inert_line(s).into_owned(),
    );
    let title = fill(
        t.audit_title,
        &[
            ("family", a.family().unwrap_or(t.audit_all_actions)),
            ("actor", &actor),
        ],
    );
    let title = format!(
        "{title} · {}",
        fill(t.audit_page, &[("n", &(a.newer.len() + 1).to_string())])
    );
    let block = ctx.panel(title, true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 5 {
        return;
    }
    let detail_h = 3;
    let table = Rect {
        height: inner.height - detail_h - 1,
        ..inner
    };
    draw_table(frame, ctx, a, table);
    let detail = Rect {
        y: table.y + table.height,
        height: detail_h,
        ..inner
    };
    draw_detail(frame, ctx, a, detail);
    let hint = Rect {
        y: inner.y + inner.height - 1,
        height: 1,
        ..inner
    };
    draw_hint(frame, ctx, a, hint);
}

fn draw_table(frame: &mut Frame, ctx: &Ctx, a: &AuditScreen, area: Rect) {
    let t = ctx.t;
    let (actor_w, action_w) = widths(area.width);
    let rest = (area.width as usize).saturating_sub(TIME_W + actor_w + action_w + 3);
    let header = format!(
        "{} {} {} {}",
        cell(t.audit_col_time, TIME_W),
        cell(t.audit_col_actor, actor_w),
        cell(t.audit_col_action, action_w),
        cell(t.audit_col_target, rest)
    );
    let mut lines = vec![Line::from(Span::styled(header, ctx.style("profile.label")))];
    let status = if let Some(e) = &a.error {
        Some((e.as_str(), "error"))
    } else if a.loading && a.entries.is_empty() {
        Some((t.audit_loading, "hint"))
    } else if a.entries.is_empty() {
        Some((t.audit_empty, "hint"))
    } else {
        None
    };
    if let Some((text, style)) = status {
        lines.push(Line::from(Span::styled(text.to_string(), ctx.style(style))));
    }
    let rows = (area.height as usize).saturating_sub(lines.len());
    let first = a.selected.saturating_sub(rows.saturating_sub(1));
    for (i, e) in a.entries.iter().enumerate().skip(first).take(rows) {
        let row = format!(
            "{} {} {} {}",
            cell(&crate::admin::format_time(e.at), TIME_W),
            cell(&inert_line(&e.actor), actor_w),
            cell(&inert_line(&e.action), action_w),
            cell(&inert_line(&e.target), rest)
        );
        let style = if i == a.selected {
            ctx.style("session.selected")
        } else {
            ctx.style("profile.value")
        };
        lines.push(Line::from(Span::styled(row, style)));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// The selected entry's details (its JSON, made inert), wrapped over a few lines.
fn draw_detail(frame: &mut Frame, ctx: &Ctx, a: &AuditScreen, area: Rect) {
    let Some(e) = a.selected_entry() else {
        return;
    };
    let p = Paragraph::new(Line::from(vec![
        Span::styled(format!("#{} ", e.id), ctx.style("profile.label")),
        Span::styled(detail_text(e), ctx.style("hint")),
    ]))
    .wrap(Wrap { trim: false });
    frame.render_widget(p, area);
}

fn detail_text(e: &AuditEntryView) -> String {
    inert_line(&e.detail.to_string()).into_owned()
}

/// The keys of the screen, from the keymap, and whether older entries exist.
fn draw_hint(frame: &mut Frame, ctx: &Ctx, a: &AuditScreen, area: Rect) {
    use crate::console::action::Action as A;
    let t = ctx.t;
    let key = |act: A| {
        ctx.keymap
            .keys_for(Context::Audit, act)
            .into_iter()
            .next()
            .unwrap_or_else(|| "?".into())
    };
    let items = [
        (A::AuditFamily, t.audit_key_family),
        (A::AuditActor, t.audit_key_actor),
        (A::AuditRefresh, t.audit_key_refresh),
        (A::Cancel, t.hint_close),
    ];
    let mut spans = Vec::new();
    for (act, label) in items {
        spans.push(Span::styled(key(act), ctx.style("hint.key")));
        spans.push(Span::styled(format!(" {label}  "), ctx.style("hint")));
    }
    if a.next.is_some() {
        spans.push(Span::styled(t.audit_more, ctx.style("hint")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
