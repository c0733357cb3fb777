//! Drawing: panels are pure functions of `App` (plus theme, keymap and the text table).
//! Every string that came from the network goes through `sanitize` here, at the last moment.
//!
//! This file lays the panels out and draws them in order. The panels (`list`, `chat`,
//! `side`, `status`, `overlay`, `help`) do not use each other: what they share comes from
//! the leaves `ctx` (what a panel is drawn from), `text` (short texts measured in columns)
//! and `popup` (the pop-up frame), and text wrapping from `app::layout`, which scrolling
//! counts with too. Drawing reads the app; the app never knows it is drawn.

mod account;
mod audit;
mod bot_line;
mod cc;
mod chat;
mod ctx;
mod dashboard;
mod dashboard_agents;
mod dashboard_text;
mod end;
mod fields;
mod followup;
mod help;
mod history;
mod history_text;
mod history_view;
mod kb_flow;
mod list;
mod menu_line;
mod notes;
mod overlay;
mod popup;
mod quick;
mod report;
mod report_charts;
mod report_status;
mod report_text;
mod side;
mod status;
mod suggest;
mod text;
mod totp;
mod totp_qr;
mod transfer;

use crate::console::app::{App, Focus};
use crate::console::i18n;
use crate::console::keymap::Keymap;
use crate::console::theme::Theme;
use ctx::Ctx;
use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};

/// Below this width the profile sidebar folds away (toggle it to see it).
pub const FOLD_SIDEBAR_BELOW: u16 = 100;

/// The panel rectangles for a terminal size, from the layout preferences.
pub struct Areas {
    pub banner: Option<Rect>,
    pub list: Rect,
    pub chat: Rect,
    pub profile: Option<Rect>,
    pub kb: Option<Rect>,
    pub status: Rect,
}

pub fn areas(app: &App, area: Rect) -> Areas {
    // The banner row: the connection while it is down, or why the agent is not online.
    let disconnected =
        !matches!(app.conn, crate::console::app::ConnState::Connected) || app.nudge.is_some();
    let rows = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Length(u16::from(disconnected)),
            Constraint::Min(3),
            Constraint::Length(1),
        ])
        .split(area);
    let main = rows[1];
    let want_side = app.layout.show_sidebar
        && (area.width >= FOLD_SIDEBAR_BELOW || app.focus == Focus::Profile);
    // Narrow terminals keep the chat wide: the KB panel shows there only while in use.
    let want_kb =
        app.layout.show_kb && (area.width >= FOLD_SIDEBAR_BELOW || app.focus == Focus::Kb);
    let right_w = if want_side || want_kb {
        app.layout
            .sidebar_width
            .min(main.width / 3)
            .max(20.min(main.width / 3))
    } else {
        0
    };
    let list_w = app.layout.list_width.min(main.width / 3);
    let cols = Layout::default()
        .direction(Direction::Horizontal)
        .constraints([
            Constraint::Length(list_w),
            Constraint::Min(10),
            Constraint::Length(right_w),
        ])
        .split(main);
    let (profile, kb) = match (want_side, want_kb) {
        (true, true) => {
            let parts = Layout::default()
                .direction(Direction::Vertical)
                .constraints([Constraint::Percentage(45), Constraint::Percentage(55)])
                .split(cols[2]);
            (Some(parts[0]), Some(parts[1]))
        }
        (true, false) => (Some(cols[2]), None),
        (false, true) => (None, Some(cols[2])),
        (false, false) => (None, None),
    };
    Areas {
        banner: disconnected.then_some(rows[0]),
        list: cols[0],
        chat: cols[1],
        profile,
        kb,
        status: rows[2],
    }
}

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, keymap: &Keymap) {
    let ctx = Ctx {
        app,
        theme,
        keymap,
        t: i18n::text(app.lang),
    };
    let area = frame.area();
    frame.buffer_mut().set_style(area, ctx.style("base"));
    if let Some(form) = &app.login {
        overlay::login(frame, &ctx, form, area);
        return;
    }
    let a = areas(app, area);
    if let Some(b) = a.banner {
        status::banner(frame, &ctx, b);
    }
    list::draw(frame, &ctx, a.list);
    chat::draw(frame, &ctx, a.chat);
    notes::draw_picker(frame, &ctx, a.chat);
    if let Some(p) = a.profile {
        side::profile(frame, &ctx, p);
    }
    if let Some(k) = a.kb {
        side::kb(frame, &ctx, k);
    }
    status::bar(frame, &ctx, a.status);
    match &app.overlay {
        Some(o) => overlay::draw(frame, &ctx, o, area),
        None => help::which_key(frame, &ctx, area),
    }
}
