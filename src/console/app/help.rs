//! The help overlay's keys: a pager over every binding (like `less`), with a filter line
//! (its state, [`HelpState`], is plain data in `state`). Its keys are fixed, as a pager's are:
//! j/k, arrows, PageUp/PageDown, space, g/G, Home/End scroll; q, ? and esc close; `/` (or any
//! other letter) starts the filter.

use super::*;
use crate::console::action::Action;
use crate::console::keymap::KeyChord;
use crossterm::event::{KeyCode, KeyModifiers};

/// How a key moves the help text.
enum Move {
    Lines(isize),
    Pages(isize),
    Top,
    Bottom,
}

impl HelpState {
    fn apply(&mut self, m: Move) {
        let (max, page) = self.extent.get();
        let page = page.saturating_sub(1).max(1) as isize;
        let target = match m {
            Move::Lines(n) => self.scroll as isize + n,
            Move::Pages(n) => self.scroll as isize + n * page,
            Move::Top => 0,
            Move::Bottom => max.min(isize::MAX as usize) as isize,
        };
        self.scroll = (target.max(0) as usize).min(max);
    }

    fn edit_filter(&mut self, f: impl FnOnce(&mut String)) {
        f(&mut self.filter);
        self.scroll = 0;
    }
}

fn movement(chord: &KeyChord, filtering: bool) -> Option<Move> {
    let ctrl = chord.mods.contains(KeyModifiers::CONTROL);
    let plain = chord.mods.is_empty();
    Some(match chord.code {
        KeyCode::Down => Move::Lines(1),
        KeyCode::Up => Move::Lines(-1),
        KeyCode::PageDown => Move::Pages(1),
        KeyCode::PageUp => Move::Pages(-1),
        KeyCode::Home => Move::Top,
        KeyCode::End => Move::Bottom,
        KeyCode::Char('n') if ctrl => Move::Lines(1),
        KeyCode::Char('p') if ctrl => Move::Lines(-1),
        KeyCode::Char('f' | 'd') if ctrl => Move::Pages(1),
        KeyCode::Char('b') if ctrl => Move::Pages(-1),
        // Letters are pager keys only while the filter line is not being typed in.
        _ if filtering || !plain => return None,
        KeyCode::Char('j') => Move::Lines(1),
        KeyCode::Char('k') => Move::Lines(-1),
        KeyCode::Char(' ') => Move::Pages(1),
        KeyCode::Char('g') => Move::Top,
        KeyCode::Char('G') => Move::Bottom,
        _ => return None,
    })
}

impl App {
    /// A key while the help overlay is open. `None`: not a help key, let the keymap have it.
    pub(super) fn help_key(&mut self, chord: KeyChord) -> Option<Vec<Effect>> {
        let Some(Overlay::Help(help)) = &mut self.overlay else {
            return None;
        };
        let typed = match chord.code {
            KeyCode::Char(c)
                if !chord
                    .mods
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                Some(c)
            }
            _ => None,
        };
        if let Some(m) = movement(&chord, help.filtering) {
            help.apply(m);
            return Some(Vec::new());
        }
        let mut close = false;
        match (chord.code, typed) {
            (KeyCode::Esc, _) => close = true,
            (_, Some('q' | '?')) if !help.filtering => close = true,
            (KeyCode::Enter, _) if help.filtering => help.filtering = false,
            (KeyCode::Enter, _) => close = true,
            (KeyCode::Backspace, _) => {
                if help.filter.is_empty() {
                    help.filtering = false;
                } else {
                    help.filtering = true;
                    help.edit_filter(|f| {
                        f.pop();
                    });
                }
            }
            (KeyCode::Char('u'), _) if chord.mods.contains(KeyModifiers::CONTROL) => {
                help.edit_filter(String::clear)
            }
            (_, Some('/')) if !help.filtering => help.filtering = true,
            (_, Some(c)) => {
                help.filtering = true;
                help.edit_filter(|f| f.push(c));
            }
            _ => return None,
        }
        if close {
            self.close_help();
        }
        Some(Vec::new())
    }

    /// Closes the help overlay, back to the screen it was opened from (if any).
    fn close_help(&mut self) {
        self.overlay = match self.overlay.take() {
            Some(Overlay::Help(h)) => h.back.map(|b| *b),
            other => other,
        };
    }

    /// Keymap actions while the help overlay is open (F1 and the like close it; scrolling
    /// actions scroll it).
    pub(super) fn help_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(Overlay::Help(help)) = &mut self.overlay else {
            return Vec::new();
        };
        use Action as A;
        match action {
            A::ScrollDown | A::SelectNext | A::CursorDown => help.apply(Move::Lines(1)),
            A::ScrollUp | A::SelectPrev | A::CursorUp => help.apply(Move::Lines(-1)),
            A::PageDown => help.apply(Move::Pages(1)),
            A::PageUp => help.apply(Move::Pages(-1)),
            A::FirstItem | A::CursorHome => help.apply(Move::Top),
            A::LastItem | A::CursorEnd => help.apply(Move::Bottom),
            A::DeleteBack => help.edit_filter(|f| {
                f.pop();
            }),
            A::ClearLine => help.edit_filter(String::clear),
            A::Cancel | A::Help | A::Confirm | A::Quit => self.close_help(),
            _ => {}
        }
        Vec::new()
    }
}
