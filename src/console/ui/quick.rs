//! The quick-reply picker (scope, shortcut, title, and a preview of the filled text of the
//! selected reply) and the quick-reply manager (its list, the delete question, the edit form).
//! Everything shown came from the server: it goes through the sanitiser like all such text.

use super::ctx::Ctx;
use super::fields::{field_line, pick_list};
use super::popup::{centered, popup};
use crate::console::app::layout::wrap;
use crate::console::app::quick_manager::{
    FIELD_BODY, FIELD_INTENTS, FIELD_SCOPE, FIELD_SHORTCUT, FIELD_TITLE,
};
use crate::console::app::{Picker, QuickForm, QuickManager};
use crate::console::i18n::fill;
use crate::console::sanitize::inert_line;
use crate::protocol::{QuickReply, QuickScope};
use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

/// Lines of preview under the picker's list.
const PREVIEW_LINES: u16 = 4;

fn label(ctx: &Ctx, q: &QuickReply) -> String {
    let scope = match q.scope {
        QuickScope::Team => ctx.t.quick_scope_team,
        QuickScope::Personal => ctx.t.quick_scope_mine,
    };
    format!("[{scope}] /{}  {}", q.shortcut, q.title)
}

pub fn draw_picker(frame: &mut Frame, ctx: &Ctx, picker: &Picker, area: Rect) {
    let t = ctx.t;
    let app = ctx.app;
    let inner = popup(frame, ctx, centered(area, 76, 20), t.quick_replies_title);
    let parts = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Min(2), Constraint::Length(PREVIEW_LINES + 2)])
        .split(inner);
    let labels: Vec<String> = app.quick_replies.iter().map(|q| label(ctx, q)).collect();
    pick_list(frame, ctx, picker, &labels, parts[0], true);
    // The selected reply as it will be inserted.
    let mut lines = vec![Line::from(Span::styled(
        "─".repeat(parts[1].width as usize),
        ctx.style("hint"),
    ))];
    let selected = picker
        .matches
        .get(picker.selected)
        .and_then(|i| app.quick_replies.get(*i));
    if let Some(q) = selected {
        let filled = app.fill_quick_reply(q);
        let rows: Vec<String> = filled
            .text
            .lines()
            .flat_map(|l| wrap(&inert_line(l), parts[1].width as usize))
            .take(PREVIEW_LINES as usize)
            .collect();
        lines.extend(
            rows.into_iter()
                .map(|r| Line::from(Span::styled(r, ctx.style("dialog")))),
        );
    }
    while lines.len() < PREVIEW_LINES as usize + 1 {
        lines.push(Line::raw(""));
    }
    lines.push(Line::from(Span::styled(
        t.quick_picker_hint,
        ctx.style("hint"),
    )));
    frame.render_widget(Paragraph::new(lines), parts[1]);
}

pub fn draw_manager(frame: &mut Frame, ctx: &Ctx, m: &QuickManager, area: Rect) {
    let t = ctx.t;
    let inner = popup(frame, ctx, centered(area, 78, 22), t.quick_manager_title);
    if let Some(form) = &m.form {
        return draw_form(frame, ctx, form, inner);
    }
    let parts = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Min(2), Constraint::Length(2)])
        .split(inner);
    let mut labels: Vec<String> = ctx
        .app
        .quick_replies
        .iter()
        .map(|q| {
            let intents = if q.intents.is_empty() {
                String::new()
            } else {
                format!("  · {}", q.intents.join(" "))
            };
            format!("{}{intents}", label(ctx, q))
        })
        .collect();
    // The "new" row is looked up as the last label (see `pick_list`).
    labels.push(t.quick_new.to_string());
    pick_list(
        frame,
        ctx,
        &m.picker,
        &labels,
        parts[0],
        m.confirm_delete.is_none(),
    );
    let foot = match m.confirm_delete {
        Some(id) => {
            let title = ctx
                .app
                .quick_replies
                .iter()
                .find(|q| q.id == id)
                .map(|q| inert_line(&q.title).into_owned())
                .unwrap_or_default();
            Span::styled(
                fill(t.quick_delete_ask, &[("t", &title)]),
                ctx.style("error"),
            )
        }
        None => Span::styled(t.quick_manager_hint, ctx.style("hint")),
    };
    frame.render_widget(
        Paragraph::new(vec![Line::raw(""), Line::from(foot)]),
        parts[1],
    );
}

/// One single-line field of the form; notes where the cursor goes when it has the focus.
fn field(
    ctx: &Ctx,
    (lines, cursor): (&mut Vec<Line<'static>>, &mut Option<(u16, u16)>),
    (name, value): (&str, &str),
    focused: bool,
    width: u16,
) {
    let label = format!("{name}: ");
    let shown = inert_line(value).into_owned();
    if focused {
        *cursor = Some((
            2 + (label.width() + shown.width()) as u16,
            lines.len() as u16,
        ));
    }
    lines.push(field_line(ctx, &label, &shown, focused, width));
}

/// The form in tab order: shortcut, title, text (several lines), intents, scope.
fn draw_form(frame: &mut Frame, ctx: &Ctx, form: &QuickForm, area: Rect) {
    let t = ctx.t;
    let w = area.width;
    let mut lines: Vec<Line> = Vec::new();
    let mut cursor: Option<(u16, u16)> = None;
    let on = |f: usize| form.field == f;
    field(
        ctx,
        (&mut lines, &mut cursor),
        (t.quick_field_shortcut, &form.shortcut),
        on(FIELD_SHORTCUT),
        w,
    );
    field(
        ctx,
        (&mut lines, &mut cursor),
        (t.quick_field_title, &form.title),
        on(FIELD_TITLE),
        w,
    );
    lines.push(Line::from(Span::styled(
        format!("  {}:", t.quick_field_body),
        ctx.style("profile.label"),
    )));
    let body_lines: Vec<&str> = form.body.split('\n').collect();
    for (i, l) in body_lines.iter().enumerate() {
        let shown = inert_line(l).into_owned();
        if on(FIELD_BODY) && i + 1 == body_lines.len() {
            cursor = Some((2 + shown.width() as u16, lines.len() as u16));
        }
        lines.push(field_line(ctx, "", &shown, on(FIELD_BODY), w));
    }
    field(
        ctx,
        (&mut lines, &mut cursor),
        (t.quick_field_intents, &form.intents),
        on(FIELD_INTENTS),
        w,
    );
    if form.scope_choice {
        let scope = if form.team {
            t.quick_scope_team
        } else {
            t.quick_scope_mine
        };
        let scope = format!("‹ {scope} ›");
        lines.push(field_line(
            ctx,
            &format!("{}: ", t.quick_field_scope),
            &scope,
            on(FIELD_SCOPE),
            w,
        ));
    }
    lines.push(Line::raw(""));
    if let Some(e) = &form.error {
        for r in wrap(&inert_line(e), w as usize) {
            lines.push(Line::from(Span::styled(r, ctx.style("error"))));
        }
    }
    lines.push(Line::from(Span::styled(
        t.quick_form_hint,
        ctx.style("hint"),
    )));
    // Long bodies: keep the cursor's line in view.
    let scroll = cursor
        .map(|(_, y)| y.saturating_sub(area.height.saturating_sub(4)))
        .unwrap_or(0);
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), area);
    if let Some((x, y)) = cursor {
        let y = y.saturating_sub(scroll);
        if y < area.height {
            frame.set_cursor_position(Position::new(
                (area.x + x).min(area.right().saturating_sub(1)),
                area.y + y,
            ));
        }
    }
}
