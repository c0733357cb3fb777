//! Drawing: panels are pure functions of `App` (plus theme, keymap and the text table).
//! Every string that came from the network goes through `sanitize` here, at the last moment.

mod chat;
mod help;
mod list;
mod overlay;
mod side;
mod status;

pub use chat::{message_height, transcript_height};

use crate::console::app::{App, Focus};
use crate::console::i18n::{Text, text};
use crate::console::keymap::Keymap;
use crate::console::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders};

/// Below this width the profile sidebar folds away (toggle it to see it).
pub const FOLD_SIDEBAR_BELOW: u16 = 100;

/// What every panel needs to draw itself.
pub struct Ctx<'a> {
    pub app: &'a App,
    pub theme: &'a Theme,
    pub keymap: &'a Keymap,
    pub t: &'static Text,
}

impl Ctx<'_> {
    pub fn style(&self, scope: &str) -> Style {
        self.theme.style(scope)
    }

    /// A bordered panel whose border and title show whether it has the focus.
    pub fn panel(&self, title: String, focused: bool) -> Block<'static> {
        let (b, t) = if focused {
            ("border.focused", "title.focused")
        } else {
            ("border", "title")
        };
        Block::default()
            .borders(Borders::ALL)
            .border_type(if focused {
                BorderType::Thick
            } else {
                BorderType::Plain
            })
            .border_style(self.style(b))
            .title(Line::from(Span::styled(
                format!(" {title} "),
                self.style(t),
            )))
    }
}

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
        t: text(app.lang),
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

/// `s` cut to at most `max` display columns (unicode-width: CJK counts 2), ending in `…`
/// when something was cut. A wide character is never split.
pub fn ellipsize(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    if s.width() <= max {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        out.push(c);
        used += w;
    }
    if max > 0 {
        out.push('…');
    }
    std::borrow::Cow::Owned(out)
}

/// The first of `candidates` that fits in `max` columns, else the last one cut to fit.
/// For labels with shorter forms ("Web waiting 3m" → "waiting 3m" → "3m"): a value is never
/// cut in the middle of its unit while a shorter form fits.
pub fn first_fitting(candidates: &[String], max: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    candidates
        .iter()
        .find(|c| c.width() <= max)
        .cloned()
        .unwrap_or_else(|| {
            candidates
                .last()
                .map(|c| ellipsize(c, max).into_owned())
                .unwrap_or_default()
        })
}

/// "3m", "45s", "2h": compact durations for countdowns and waits.
pub fn short_duration(ms: i64) -> String {
    let s = (ms.max(0) + 999) / 1000;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m", s / 60),
        _ => format!("{}h", s / 3600),
    }
}

/// Local-time-free clock label (UTC HH:MM) for message times.
pub fn clock(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let day = secs.rem_euclid(86_400);
    format!("{:02}:{:02}", day / 3600, (day % 3600) / 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ellipsize_counts_display_columns() {
        assert_eq!(ellipsize("Alice VIP", 20), "Alice VIP");
        assert_eq!(ellipsize("Alice VIP", 6), "Alice…");
        // CJK is two columns each, and is never split.
        assert_eq!(ellipsize("欧阳娜娜的咨询", 7), "欧阳娜…");
        assert_eq!(ellipsize("欧阳娜娜的咨询", 6), "欧阳…");
        assert_eq!(ellipsize("abc", 1), "…");
        assert_eq!(ellipsize("abc", 0), "");
        let forms = [
            "Web waiting 3m".to_string(),
            "waiting 3m".into(),
            "3m".into(),
        ];
        assert_eq!(first_fitting(&forms, 20), "Web waiting 3m");
        assert_eq!(first_fitting(&forms, 12), "waiting 3m");
        assert_eq!(first_fitting(&forms, 3), "3m");
        assert_eq!(first_fitting(&forms, 1), "…");
    }
}
