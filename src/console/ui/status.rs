//! The status bar (status, connection, queues, key hints, notices) and the disconnect banner.

use super::ctx::Ctx;
use crate::console::action::Action;
use crate::console::app::layout::wrap;
use crate::console::app::{ConnState, StatusNudge};
use crate::console::i18n::fill;
use crate::console::keymap::Context;
use crate::console::sanitize::inert_line;
use crate::model::AgentStatus;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

/// The row above the workbench: the connection while it is not up, else why the agent is
/// not online (set away for missed offers, offline after a disconnect or a sign-out
/// elsewhere, changed elsewhere, first sign-in) and the key to go online.
pub fn banner(frame: &mut Frame, ctx: &Ctx, area: Rect) {
    let t = ctx.t;
    let text = match (&ctx.app.conn, ctx.app.nudge) {
        (ConnState::Disconnected { retry_at, .. }, _) => {
            let s = ((retry_at - ctx.app.now).max(0) + 999) / 1000;
            fill(t.conn_disconnected, &[("s", &s.to_string())])
        }
        (ConnState::Connecting, _) => t.conn_connecting.to_string(),
        (ConnState::Connected, Some(nudge)) => nudge_text(ctx, nudge),
        (ConnState::Connected, None) => String::new(),
    };
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(
            format!(" {text}"),
            ctx.style("banner"),
        )))
        .style(ctx.style("banner")),
        area,
    );
}

/// Why the agent is not online, and the key that fixes it.
fn nudge_text(ctx: &Ctx, nudge: StatusNudge) -> String {
    let t = ctx.t;
    let key = [Action::StatusOnline, Action::CycleStatus]
        .into_iter()
        .find_map(|a| ctx.keymap.keys_for(Context::Sessions, a).into_iter().next())
        .unwrap_or_else(|| "?".into());
    let (template, status) = match nudge {
        StatusNudge::MissedOffers(s) => (t.nudge_missed_offers, s),
        StatusNudge::Disconnected(s) => (t.nudge_disconnected, s),
        StatusNudge::LoggedOut(s) => (t.nudge_logged_out, s),
        StatusNudge::ChangedElsewhere(s) => (t.nudge_changed, s),
        StatusNudge::BySupervisor(s) => (t.nudge_supervisor, s),
        StatusNudge::FirstLogin => (t.nudge_first_login, ctx.app.status),
    };
    fill(
        template,
        &[("status", status_label(ctx, status)), ("key", &key)],
    )
}

fn status_label(ctx: &Ctx, s: AgentStatus) -> &'static str {
    match s {
        AgentStatus::Online => ctx.t.status_online,
        AgentStatus::Busy => ctx.t.status_busy,
        AgentStatus::Away => ctx.t.status_away,
        AgentStatus::Offline => ctx.t.status_offline,
    }
}

/// The status bar's style while disconnected: the theme's `status.disconnected`, or (for
/// themes without it, which would fall back to the plain bar) `banner.error`.
fn disconnected_style(ctx: &Ctx) -> Style {
    let own = ctx.style("status.disconnected");
    if own == ctx.style("status") {
        ctx.style("banner.error")
    } else {
        own
    }
}

pub fn bar(frame: &mut Frame, ctx: &Ctx, area: Rect) {
    let (t, app) = (ctx.t, ctx.app);
    let (label, scope) = match app.status {
        AgentStatus::Online => (t.status_online, "status.online"),
        AgentStatus::Busy => (t.status_busy, "status.busy"),
        AgentStatus::Away => (t.status_away, "status.away"),
        AgentStatus::Offline => (t.status_offline, "status.offline"),
    };
    let mut spans = vec![Span::styled(format!(" ● {label} "), ctx.style(scope))];
    spans.push(match app.conn {
        ConnState::Connected => {
            Span::styled(format!(" {} ", t.conn_connected), ctx.style("status"))
        }
        ConnState::Connecting => {
            Span::styled(format!(" {} ", t.conn_connecting), ctx.style("status"))
        }
        ConnState::Disconnected { .. } => {
            Span::styled(format!(" ⚠ {} ", t.conn_lost), disconnected_style(ctx))
        }
    });
    let waiting: usize = app.queues.iter().map(|q| q.waiting).sum();
    if !app.queues.is_empty() {
        let groups: Vec<String> = app
            .queues
            .iter()
            .filter(|q| q.waiting > 0)
            .map(|q| format!("{}:{}", inert_line(&q.group), q.waiting))
            .collect();
        spans.push(Span::styled(
            format!(" {} {waiting} {} ", t.queue_heading, groups.join(" ")),
            ctx.style("status"),
        ));
    }
    // Supervisors: knowledge-base proposals waiting for review.
    if app.kbflow.pending > 0 && app.me.as_ref().is_some_and(|m| m.role.sees_all()) {
        spans.push(Span::styled(
            format!(" ✎ {} {} ", app.kbflow.pending, t.kb_pending),
            ctx.style("status"),
        ));
    }
    if let Some((msg, until)) = &app.notice
        && *until > app.now
    {
        let msg = inert_line(msg);
        let used: usize = spans.iter().map(|s| s.width()).sum();
        if used + msg.width() + 2 > area.width as usize {
            // Too long for the bar: the whole of it, wrapped, just above.
            toast(frame, ctx, area, &msg);
        }
        spans.push(Span::styled(format!(" {msg} "), ctx.style("error")));
    } else {
        for (action, label) in hints(ctx) {
            let keys = ctx.keymap.keys_for(ctx.app.context(), action);
            if let Some(k) = keys.first() {
                spans.push(Span::styled(format!(" {k}"), ctx.style("hint.key")));
                spans.push(Span::styled(format!(" {label}"), ctx.style("hint")));
            }
        }
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)).style(ctx.style("status")),
        area,
    );
}

/// A notice too long for the status bar, wrapped in a box above its right end (errors are
/// never cut off).
fn toast(frame: &mut Frame, ctx: &Ctx, bar: Rect, msg: &str) {
    let width = (bar.width * 2 / 3).max(20).min(bar.width);
    let rows = wrap(msg, width.saturating_sub(2) as usize);
    let height = (rows.len() as u16 + 2).min(bar.y);
    if height < 3 {
        return;
    }
    let area = Rect::new(bar.right() - width, bar.y - height, width, height);
    let lines: Vec<Line> = rows
        .into_iter()
        .map(|r| Line::from(Span::styled(r, ctx.style("error"))))
        .collect();
    frame.render_widget(ratatui::widgets::Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(
            ratatui::widgets::Block::default()
                .borders(ratatui::widgets::Borders::ALL)
                .border_style(ctx.style("error"))
                .style(ctx.style("dialog")),
        ),
        area,
    );
}

/// The most useful actions for the focused panel.
fn hints(ctx: &Ctx) -> Vec<(Action, &'static str)> {
    use crate::console::app::Focus;
    let (app, t) = (ctx.app, ctx.t);
    let mut v = vec![(Action::Help, t.hint_help)];
    match app.focus {
        Focus::Sessions | Focus::Chat | Focus::Profile => {
            if app.current().is_some_and(|s| s.is_offer()) {
                v.push((Action::Accept, t.hint_accept));
                v.push((Action::Reject, t.hint_reject));
            } else if app.current().is_some_and(|s| s.read_only) {
                // `end` closes a read-only past session.
                v.push((Action::End, t.hint_close));
            } else if app.writable().is_some() {
                v.push((Action::FocusCompose, t.hint_reply));
                v.push((Action::Transfer, t.hint_transfer));
                v.push((Action::Tag, t.hint_tag));
                v.push((Action::End, t.hint_end));
                if app.current().is_some_and(|s| s.view.ends_at.is_some()) {
                    let e = crate::console::app::end_text::end_text(app.lang);
                    v.push((Action::CancelEnd, e.hint_cancel));
                }
            }
            v.push((Action::NextAttention, t.hint_next));
            v.push((Action::KbSearch, t.hint_kb));
            v.push((Action::CycleStatus, t.hint_status));
        }
        Focus::Compose => {
            v.push((Action::Send, t.hint_send));
            v.push((Action::Newline, t.hint_newline));
            v.push((Action::Cancel, t.hint_back));
        }
        Focus::Kb => {
            v.push((Action::KbSend, t.hint_send));
            v.push((Action::KbInsert, t.hint_insert));
            v.push((Action::Cancel, t.hint_back));
        }
    }
    v
}
