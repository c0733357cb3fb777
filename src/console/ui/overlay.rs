//! Pop-ups over the workbench (transfer, tag, end, quick replies, quit) and the login
//! screen; the help overlay and the which-key popup are in `help`.

use super::Ctx;
use crate::console::app::NEW_TAG;
use crate::console::app::{LoginForm, Overlay, Picker};
use crate::console::sanitize::inert_line;
use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

/// A centred rectangle of at most `w`×`h` inside `area`.
pub(super) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

pub(super) fn popup(frame: &mut Frame, ctx: &Ctx, area: Rect, title: &str) -> Rect {
    frame.render_widget(Clear, area);
    let block = ctx
        .panel(title.to_string(), true)
        .style(ctx.style("dialog"));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

pub fn draw(frame: &mut Frame, ctx: &Ctx, overlay: &Overlay, area: Rect) {
    let t = ctx.t;
    match overlay {
        Overlay::Help(help) => super::help::draw(frame, ctx, help, area),
        Overlay::Quit => {
            let inner = popup(frame, ctx, centered(area, 50, 6), t.quit_title);
            let n = ctx.app.active_count().to_string();
            let text = vec![
                Line::from(crate::console::i18n::fill(t.quit_confirm, &[("n", &n)])),
                Line::raw(""),
                Line::from(Span::styled(
                    format!("{} · {}", t.confirm_hint, t.cancel_hint),
                    ctx.style("hint"),
                )),
            ];
            frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), inner);
        }
        Overlay::End {
            phrase, resolved, ..
        } => {
            let inner = popup(frame, ctx, centered(area, 64, 8), t.end_title);
            let sel = |on: bool| {
                if on {
                    ctx.style("dialog.selected")
                } else {
                    ctx.style("dialog")
                }
            };
            let text = vec![
                Line::from(Span::styled(
                    t.end_closing_phrase,
                    ctx.style("profile.label"),
                )),
                Line::from(Span::styled(format!("› {phrase}"), ctx.style("composer"))),
                Line::raw(""),
                Line::from(vec![
                    Span::styled(format!(" {} ", t.end_outcome_resolved), sel(*resolved)),
                    Span::raw("  "),
                    Span::styled(format!(" {} ", t.end_outcome_unresolved), sel(!*resolved)),
                ]),
                Line::from(Span::styled(
                    format!("{} · {}", t.confirm_hint, t.cancel_hint),
                    ctx.style("hint"),
                )),
            ];
            frame.render_widget(Paragraph::new(text), inner);
            let x = inner.x + 2 + phrase.width() as u16;
            frame.set_cursor_position(Position::new(
                x.min(inner.right().saturating_sub(1)),
                inner.y + 1,
            ));
        }
        Overlay::Transfer {
            items,
            picker,
            note,
            on_note,
            ..
        } => {
            let inner = popup(frame, ctx, centered(area, 70, 18), t.transfer_title);
            let labels: Vec<String> = items.iter().map(|i| i.label().to_string()).collect();
            let parts = Layout::default()
                .direction(Direction::Vertical)
                .constraints([Constraint::Min(3), Constraint::Length(2)])
                .split(inner);
            pick_list(frame, ctx, picker, &labels, parts[0], !*on_note);
            let style = if *on_note {
                ctx.style("dialog.selected")
            } else {
                ctx.style("dialog")
            };
            let note_line = vec![
                Line::from(vec![
                    Span::styled(format!("{}: ", t.transfer_note), ctx.style("profile.label")),
                    Span::styled(note.clone(), style),
                ]),
                Line::from(Span::styled(
                    format!("{} · {}", t.confirm_hint, t.cancel_hint),
                    ctx.style("hint"),
                )),
            ];
            frame.render_widget(Paragraph::new(note_line), parts[1]);
        }
        Overlay::Tag { items, picker, .. } => {
            let inner = popup(frame, ctx, centered(area, 50, 14), t.tag_title);
            let mut labels: Vec<String> = items.clone();
            labels.push(crate::console::i18n::fill(
                t.tag_new,
                &[("t", picker.query.trim())],
            ));
            pick_list(frame, ctx, picker, &labels, inner, true);
        }
        Overlay::QuickReplies { picker } => {
            let inner = popup(frame, ctx, centered(area, 70, 16), t.quick_replies_title);
            let labels: Vec<String> = ctx
                .app
                .quick_replies
                .iter()
                .map(|q| {
                    format!(
                        "/{} {} — {}",
                        q.shortcut,
                        q.title,
                        q.body.replace('\n', " ")
                    )
                })
                .collect();
            pick_list(frame, ctx, picker, &labels, inner, true);
        }
    }
}

/// A query line plus the ranked items, the selected one highlighted.
fn pick_list(
    frame: &mut Frame,
    ctx: &Ctx,
    picker: &Picker,
    labels: &[String],
    area: Rect,
    active: bool,
) {
    let mut lines = vec![Line::from(Span::styled(
        format!("🔍 {}", picker.query),
        ctx.style("composer"),
    ))];
    let height = area.height.saturating_sub(1) as usize;
    let offset = picker.selected.saturating_sub(height.saturating_sub(1));
    for (i, idx) in picker.matches.iter().enumerate().skip(offset).take(height) {
        let label = if *idx == NEW_TAG {
            labels.last().cloned()
        } else {
            labels.get(*idx).cloned()
        };
        let Some(label) = label else { continue };
        let scope = if i == picker.selected && active {
            "dialog.selected"
        } else {
            "dialog"
        };
        lines.push(Line::from(Span::styled(
            inert_line(&label).into_owned(),
            ctx.style(scope),
        )));
    }
    frame.render_widget(Paragraph::new(lines), area);
    if active {
        let x = area.x + 3 + picker.query.width() as u16;
        frame.set_cursor_position(Position::new(x.min(area.right().saturating_sub(1)), area.y));
    }
}

pub fn login(frame: &mut Frame, ctx: &Ctx, form: &LoginForm, area: Rect) {
    let t = ctx.t;
    let h = if form.new_password.is_some() { 14 } else { 11 };
    let inner = popup(frame, ctx, centered(area, 60, h), t.login_title);
    let mask = |s: &str| "•".repeat(s.chars().count());
    let mut fields: Vec<(&str, String)> = vec![
        (t.login_server, form.server.clone()),
        (t.login_username, form.username.clone()),
        (t.login_password, mask(&form.password)),
    ];
    if let Some((a, b)) = &form.new_password {
        fields.push((t.login_new_password, mask(a)));
        fields.push((t.login_repeat_password, mask(b)));
    }
    let label_w = fields.iter().map(|(l, _)| l.width()).max().unwrap_or(8) + 2;
    let mut lines = Vec::new();
    for (i, (label, value)) in fields.iter().enumerate() {
        let style = if i == form.field {
            ctx.style("dialog.selected")
        } else {
            ctx.style("dialog")
        };
        let pad = " ".repeat(label_w.saturating_sub(label.width()));
        lines.push(Line::from(vec![
            Span::styled(format!("{label}{pad}"), ctx.style("profile.label")),
            Span::styled(format!("{value} "), style),
        ]));
        lines.push(Line::raw(""));
    }
    if let Some(e) = &form.error {
        lines.push(Line::from(Span::styled(
            inert_line(e).into_owned(),
            ctx.style("error"),
        )));
    } else if form.busy {
        lines.push(Line::from(Span::styled(
            t.conn_connecting,
            ctx.style("hint"),
        )));
    } else {
        lines.push(Line::from(Span::styled(
            format!("{} · {}", t.confirm_hint, t.cancel_hint),
            ctx.style("hint"),
        )));
    }
    frame.render_widget(Paragraph::new(lines), inner);
    if let Some((_, value)) = fields.get(form.field) {
        let x = inner.x + label_w as u16 + value.width() as u16;
        frame.set_cursor_position(Position::new(
            x.min(inner.right().saturating_sub(1)),
            inner.y + 2 * form.field as u16,
        ));
    }
}
