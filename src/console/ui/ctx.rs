//! What every panel is drawn from: the app state, the theme, the keymap and the text table,
//! with the theme's styles and the bordered panel block every panel uses.

use crate::console::app::App;
use crate::console::i18n::Text;
use crate::console::keymap::Keymap;
use crate::console::theme::Theme;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders};

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
