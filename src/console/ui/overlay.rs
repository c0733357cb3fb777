//! Pop-ups over the workbench (transfer, tag, end, quick replies, quit) and the login
//! screen; the help overlay and the which-key popup are in `help`.

use super::ctx::Ctx;
use super::fields::{field_line, pick_list};
use super::popup::{centered, popup};
use crate::console::app::layout::wrap;
use crate::console::app::{LoginForm, Overlay, plural};
use crate::console::sanitize::inert_line;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

pub fn draw(frame: &mut Frame, ctx: &Ctx, overlay: &Overlay, area: Rect) {
    let t = ctx.t;
    match overlay {
        Overlay::Help(help) => {
            // Over the screen it was opened from (e.g. Reports).
            if let Some(back) = &help.back {
                draw(frame, ctx, back, area);
            }
            super::help::draw(frame, ctx, help, area)
        }
        Overlay::Quit => quit(frame, ctx, area),
        Overlay::End(d) => super::end::draw(frame, ctx, d, area),
        Overlay::Transfer {
            items,
            picker,
            note,
            on_note,
            status,
            ..
        } => super::transfer::draw(frame, ctx, (items, picker, note, *on_note), status, area),
        Overlay::FollowUp(d) => super::followup::draw_dialog(frame, ctx, d, area),
        Overlay::Tag { items, picker, .. } => {
            let inner = popup(frame, ctx, centered(area, 50, 14), t.tag_title);
            let mut labels: Vec<String> = items.clone();
            labels.push(crate::console::i18n::fill(
                t.tag_new,
                &[("t", picker.query.trim())],
            ));
            pick_list(frame, ctx, picker, &labels, inner, true);
        }
        Overlay::QuickReplies { picker } => super::quick::draw_picker(frame, ctx, picker, area),
        Overlay::QuickManager(m) => super::quick::draw_manager(frame, ctx, m, area),
        Overlay::Cc(d) => super::cc::draw(frame, ctx, d, area),
        Overlay::Reports(r) => super::report::draw(frame, ctx, r, area),
        Overlay::History(h) => super::history::draw(frame, ctx, h, area),
        Overlay::Dashboard(d) => super::dashboard::draw(frame, ctx, d, area),
        Overlay::Audit(a) => super::audit::draw(frame, ctx, a, area),
        Overlay::Account(a) => super::account::draw(frame, ctx, a, area),
        Overlay::TwoFactor(s) => super::totp::draw(frame, ctx, s, area),
    }
}

/// `text` wrapped to `width` (errors and confirmations are never cut off).
fn wrapped(text: &str, width: u16, style: ratatui::style::Style) -> Vec<Line<'static>> {
    wrap(text, width as usize)
        .into_iter()
        .map(|r| Line::from(Span::styled(r, style)))
        .collect()
}

/// Quit: what would be left behind (active sessions, messages not yet sent) and whether
/// unsent messages survive (the outbox is kept on disk).
fn quit(frame: &mut Frame, ctx: &Ctx, area: Rect) {
    let (t, app) = (ctx.t, ctx.app);
    let width = 64.min(area.width);
    let inner_w = width.saturating_sub(2);
    let plain = ctx.style("dialog");
    let mut lines: Vec<Line> = Vec::new();
    let active = app.active_count();
    if active > 0 {
        let s = plural(active, t.quit_active_one, t.quit_active_many);
        lines.extend(wrapped(&s, inner_w, plain));
    }
    let unsent = app.unsent_count();
    if unsent > 0 {
        let s = plural(unsent, t.quit_unsent_one, t.quit_unsent_many);
        lines.extend(wrapped(&s, inner_w, ctx.style("error")));
        let fate = if app.outbox_durable {
            t.quit_unsent_kept
        } else {
            t.quit_unsent_lost
        };
        lines.extend(wrapped(fate, inner_w, plain));
    }
    lines.extend(wrapped(t.quit_anyway, inner_w, plain));
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        format!("{} · {}", t.confirm_hint, t.cancel_hint),
        ctx.style("hint"),
    )));
    let inner = popup(
        frame,
        ctx,
        centered(area, width, lines.len() as u16 + 2),
        t.quit_title,
    );
    frame.render_widget(Paragraph::new(lines), inner);
}

pub fn login(frame: &mut Frame, ctx: &Ctx, form: &LoginForm, area: Rect) {
    let t = ctx.t;
    let mask = |s: &str| "•".repeat(s.chars().count());
    let mut fields: Vec<(&str, String)> = vec![
        (t.login_server, form.server.clone()),
        (t.login_username, form.username.clone()),
        (t.login_password, mask(&form.password)),
    ];
    if let Some((a, b)) = &form.new_password {
        fields.push((t.login_new_password, mask(a)));
        fields.push((t.login_repeat_password, mask(b)));
    } else if let Some(code) = &form.totp {
        fields.push((t.login_code, code.clone()));
    }
    let width = 60.min(area.width);
    let inner_w = width.saturating_sub(2);
    let label_w = fields.iter().map(|(l, _)| l.width()).max().unwrap_or(8) + 2;
    let mut lines = Vec::new();
    for (i, (label, value)) in fields.iter().enumerate() {
        let pad = " ".repeat(label_w.saturating_sub(label.width()));
        lines.push(field_line(
            ctx,
            &format!("{label}{pad}"),
            value,
            i == form.field,
            inner_w,
        ));
        lines.push(Line::raw(""));
    }
    if let Some(e) = &form.error {
        lines.extend(wrapped(&inert_line(e), inner_w, ctx.style("error")));
    } else if form.busy {
        lines.push(Line::from(Span::styled(
            t.conn_connecting,
            ctx.style("hint"),
        )));
    }
    lines.push(Line::from(Span::styled(
        format!("{} · {}", t.confirm_hint, t.cancel_hint),
        ctx.style("hint"),
    )));
    let inner = popup(
        frame,
        ctx,
        centered(area, width, lines.len() as u16 + 2),
        t.login_title,
    );
    frame.render_widget(Paragraph::new(lines), inner);
    if let Some((_, value)) = fields.get(form.field) {
        let x = inner.x + 2 + label_w as u16 + value.width() as u16;
        frame.set_cursor_position(Position::new(
            x.min(inner.right().saturating_sub(1)),
            inner.y + 2 * form.field as u16,
        ));
    }
}
