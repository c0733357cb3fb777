//! The Account screen (`f10`): the profile form, the signed-in devices (the current one
//! marked), what went right or wrong last, and the keys. Everything from the server is
//! sanitised.

use super::ctx::Ctx;
use super::fields::field_line;
use super::popup::{centered, popup};
use crate::console::action::Action;
use crate::console::app::account_state::{AccountScreen, FIELDS};
use crate::console::app::followup_state::short_time;
use crate::console::keymap::Context;
use crate::console::sanitize::inert_line;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

pub(super) fn draw(frame: &mut Frame, ctx: &Ctx, s: &AccountScreen, area: Rect) {
    let t = ctx.t;
    let height = (FIELDS + s.devices.len().max(1) + 8) as u16;
    let inner = popup(frame, ctx, centered(area, 76, height), t.account_title);
    let labels = [
        t.account_display_name,
        t.account_initials,
        t.account_color,
        t.account_contact,
        t.account_signature,
        t.account_language,
    ];
    let label_w = labels
        .iter()
        .map(|l| unicode_width::UnicodeWidthStr::width(*l))
        .max();
    let label_w = label_w.unwrap_or(0) + 2;
    let mut lines = vec![Line::from(Span::styled(
        t.account_profile,
        ctx.style("profile.label"),
    ))];
    for (i, (label, value)) in labels.iter().zip(&s.fields).enumerate() {
        // Padded by display width: CJK labels take two columns a character.
        let pad = label_w.saturating_sub(unicode_width::UnicodeWidthStr::width(*label));
        let label = format!("{label}{}", " ".repeat(pad));
        let value = inert_line(value).into_owned();
        lines.push(field_line(
            ctx,
            &label,
            &value,
            s.selected == i,
            inner.width,
        ));
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        t.account_devices,
        ctx.style("profile.label"),
    )));
    if s.devices.is_empty() {
        lines.push(Line::from(Span::styled(
            t.account_no_devices,
            ctx.style("dialog"),
        )));
    }
    let tz = &ctx.app.followup.tz;
    for (i, d) in s.devices.iter().enumerate() {
        let on = s.selected == FIELDS + i;
        let (mark, style) = if on {
            ("› ", ctx.style("dialog.selected"))
        } else {
            ("  ", ctx.style("dialog"))
        };
        let client = d
            .client
            .as_deref()
            .map(|c| inert_line(c).into_owned())
            .unwrap_or_else(|| t.account_unknown_client.to_string());
        let address = d
            .address
            .as_deref()
            .map(|a| inert_line(a).into_owned())
            .unwrap_or_default();
        let mut text = format!(
            "{mark}#{} {client} {address} · {} {}",
            d.id,
            t.account_last_used,
            short_time(d.last_used_at, ctx.app.now, tz)
        );
        if d.connected {
            text.push_str(&format!(" · {}", t.account_connected));
        }
        if d.current {
            text.push_str(&format!(" · ★ {}", t.account_this));
        }
        lines.push(Line::from(Span::styled(text, style)));
    }
    lines.push(Line::default());
    if let Some(e) = &s.error {
        lines.push(Line::from(Span::styled(
            inert_line(e).into_owned(),
            ctx.style("error"),
        )));
    } else if let Some(d) = &s.done {
        lines.push(Line::from(Span::styled(d.clone(), ctx.style("dialog"))));
    }
    lines.push(hint(ctx));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// The screen's keys, from the keymap.
fn hint(ctx: &Ctx) -> Line<'static> {
    let t = ctx.t;
    let key = |a: Action| {
        ctx.keymap
            .keys_for(Context::Account, a)
            .into_iter()
            .next()
            .unwrap_or_else(|| "?".into())
    };
    let items = [
        (Action::Confirm, t.account_key_save),
        (Action::AccountEndDevice, t.account_key_end),
        (Action::Cancel, t.hint_close),
    ];
    let text: Vec<String> = items
        .iter()
        .map(|(a, label)| format!("{} {label}", key(*a)))
        .collect();
    Line::from(Span::styled(text.join(" · "), ctx.style("hint")))
}
