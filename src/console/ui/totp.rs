//! The two-factor enrolment screen: the secret as text and as a QR code (`totp_qr`), the
//! code field, then the recovery codes shown once.

use super::ctx::Ctx;
use super::fields::field_line;
use super::popup::{centered, popup};
use crate::console::app::totp_state::{TotpScreen, TotpStage};
use crate::console::sanitize::inert_line;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

pub(super) fn draw(frame: &mut Frame, ctx: &Ctx, s: &TotpScreen, area: Rect) {
    let t = ctx.t;
    let hint = ctx.style("hint");
    let plain = ctx.style("dialog");
    let mut lines: Vec<Line> = Vec::new();
    if s.forced && !matches!(s.stage, TotpStage::Codes(_)) {
        lines.push(Line::from(Span::styled(t.totp_forced, plain)));
        lines.push(Line::raw(""));
    }
    let width = area.width.min(76);
    match &s.stage {
        TotpStage::Starting => lines.push(Line::from(Span::styled(t.totp_starting, hint))),
        TotpStage::Scan { secret, uri } => {
            lines.push(Line::from(Span::styled(t.totp_scan, plain)));
            let qr = super::totp_qr::qr_lines(uri).unwrap_or_default();
            // Room for the QR code, the texts around it and the frame.
            let fits = qr.len() as u16 + 10 <= area.height
                && qr.first().map_or(0, |l| l.chars().count()) as u16 + 4 <= width;
            if fits {
                let white = Style::default().fg(Color::White).bg(Color::Black);
                for row in qr {
                    lines.push(Line::from(Span::styled(row, white)));
                }
            } else {
                lines.push(Line::from(Span::styled(t.totp_too_small, hint)));
            }
            lines.push(Line::from(vec![
                Span::styled(format!("{}: ", t.totp_secret), ctx.style("profile.label")),
                Span::styled(grouped(&inert_line(secret)), plain),
            ]));
            lines.push(field_line(
                ctx,
                &format!("{}: ", t.totp_code),
                &s.code,
                true,
                width.saturating_sub(2),
            ));
        }
        TotpStage::Codes(codes) => {
            lines.push(Line::from(Span::styled(t.totp_codes_title, plain)));
            lines.push(Line::raw(""));
            for pair in codes.chunks(2) {
                let row: Vec<String> = pair.iter().map(|c| inert_line(c).into_owned()).collect();
                lines.push(Line::from(Span::styled(
                    format!("  {}", row.join("    ")),
                    ctx.style("dialog.selected"),
                )));
            }
            lines.push(Line::raw(""));
            lines.push(Line::from(Span::styled(t.totp_codes_hint, hint)));
        }
    }
    if let Some(e) = &s.error {
        lines.push(Line::from(Span::styled(
            inert_line(e).into_owned(),
            ctx.style("error"),
        )));
    } else if s.busy {
        lines.push(Line::from(Span::styled(t.conn_connecting, hint)));
    }
    if matches!(s.stage, TotpStage::Scan { .. }) {
        lines.push(Line::from(Span::styled(t.totp_confirm_hint, hint)));
    }
    // Rows after wrapping (long texts wrap rather than push the hint off the bottom).
    let inner_w = usize::from(width.saturating_sub(2)).max(1);
    let rows: usize = lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(inner_w))
        .sum();
    let height = (rows as u16 + 2).min(area.height);
    let inner = popup(frame, ctx, centered(area, width, height), t.totp_title);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// The secret in groups of four, as apps show and people type it.
fn grouped(secret: &str) -> String {
    secret
        .chars()
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}
