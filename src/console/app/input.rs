//! Keys and pasted text: the keymap turns chords into actions; unbound printable keys are
//! typed into whatever text field has the focus (composer, KB query, dialog fields, login).

use super::effect::request;
use super::*;
use crate::console::action::Action;
use crate::console::i18n::text;
use crate::console::keymap::{Context, KeyChord, KeyResult, Keymap};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

impl App {
    /// The keymap context for the current focus and overlay.
    pub fn context(&self) -> Context {
        if let Some(ctx) = self.reports_context() {
            return ctx;
        }
        if let Some(Overlay::History(_)) = &self.overlay {
            return Context::History;
        }
        if let Some(Overlay::Dashboard(_)) = &self.overlay {
            return Context::Dashboard;
        }
        if let Some(Overlay::Audit(_)) = &self.overlay {
            return Context::Audit;
        }
        if let Some(Overlay::Account(_)) = &self.overlay {
            return Context::Account;
        }
        if self.overlay.is_some() || self.login.is_some() {
            return Context::Dialog;
        }
        match self.focus {
            Focus::Sessions | Focus::Profile => Context::Sessions,
            Focus::Chat => Context::Chat,
            Focus::Compose => Context::Compose,
            Focus::Kb => Context::Kb,
        }
    }

    pub fn on_key(&mut self, key: KeyEvent, keymap: &Keymap) -> Vec<Effect> {
        let fx = self.key(key, keymap);
        self.history_back_from_help();
        // The user is active: the run loop renews the sign-in (`renew_due`).
        self.account.last_key = self.now;
        fx
    }

    fn key(&mut self, key: KeyEvent, keymap: &Keymap) -> Vec<Effect> {
        if key.kind == KeyEventKind::Release {
            return Vec::new();
        }
        let chord = KeyChord::from_event(&key);
        // The help overlay is a pager with fixed keys; what it does not take goes on.
        if let Some(fx) = self.help_key(chord) {
            self.pending_keys.clear();
            return fx;
        }
        let ctx = self.context();
        match keymap.feed(ctx, &mut self.pending_keys, chord) {
            KeyResult::Action(a) => {
                if self.login.is_some() {
                    self.login_action(a)
                } else {
                    self.update(a)
                }
            }
            KeyResult::Pending => Vec::new(),
            KeyResult::Unbound => match key.code {
                KeyCode::Char(c)
                    if !key
                        .modifiers
                        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
                {
                    self.type_char(c)
                }
                _ => Vec::new(),
            },
        }
    }

    /// Bracketed paste: the whole text goes into the focused field at once.
    pub fn on_paste(&mut self, text: &str) -> Vec<Effect> {
        let mut fx = Vec::new();
        if let Some(Overlay::History(_)) = &self.overlay {
            return self.history_paste(text);
        }
        if self.login.is_some() || self.overlay.is_some() || self.focus != Focus::Compose {
            for c in text.chars().filter(|c| !c.is_control()) {
                fx.extend(self.type_char(c));
            }
            return fx;
        }
        if let Some(s) = self.current_mut() {
            s.draft.insert_str(text);
        }
        fx
    }

    /// A printable character typed where no binding took it.
    pub fn type_char(&mut self, c: char) -> Vec<Effect> {
        if let Some(form) = &mut self.login {
            if let Some(field) = login_field(form) {
                field.push(c);
            }
            form.error = None;
            return Vec::new();
        }
        if let Some(Overlay::QuickManager(_)) = &self.overlay {
            self.quick_manager_type(c);
            return Vec::new();
        }
        if let Some(Overlay::FollowUp(_)) = &self.overlay {
            self.follow_up_text(|s| s.push(c));
            return Vec::new();
        }
        if let Some(Overlay::End(_)) = &self.overlay {
            return self.end_type(c);
        }
        if let Some(Overlay::TwoFactor(_)) = &self.overlay {
            self.totp_type(c);
            return Vec::new();
        }
        if let Some(fx) = self.reports_char(c) {
            return fx;
        }
        if let Some(Overlay::History(_)) = &self.overlay {
            return self.history_type(c);
        }
        if let Some(Overlay::Account(_)) = &self.overlay {
            return self.account_type(c);
        }
        if self.overlay.is_some() {
            self.overlay_text(|s| s.push(c));
            return Vec::new();
        }
        if let Some(fx) = self.notes_char(c) {
            return fx;
        }
        match self.focus {
            Focus::Compose => {
                let Some(s) = self.current_mut() else {
                    return Vec::new();
                };
                if c == '/' && s.draft.is_empty() {
                    return self.open_quick_replies();
                }
                s.draft.insert_char(c);
                self.typing_signal()
            }
            Focus::Kb => {
                if let Some(fx) = self.kb_flow_char(c) {
                    return fx;
                }
                self.kb.query.push(c);
                self.refilter_kb()
            }
            Focus::Sessions | Focus::Chat => {
                // Typing on the chat starts a message, like most chat apps.
                if self.writable().is_some() && self.focus == Focus::Chat {
                    self.focus = Focus::Compose;
                    return self.type_char(c);
                }
                Vec::new()
            }
            Focus::Profile => Vec::new(),
        }
    }

    /// Tells the customer we are typing (at most once every few seconds per session).
    fn typing_signal(&mut self) -> Vec<Effect> {
        let Some(id) = self.writable() else {
            return Vec::new();
        };
        let now = self.now;
        match self.sessions.get_mut(&id) {
            Some(s) if now - s.typing_sent_at >= 3_000 => s.typing_sent_at = now,
            _ => return Vec::new(),
        }
        let typing = crate::protocol::request::Typing {
            session_id: id,
            active: true,
        };
        vec![request(Tag::Ignore, typing)]
    }

    /// Applies an edit to the text field of the open overlay and re-filters its list.
    fn overlay_text(&mut self, f: impl FnOnce(&mut String)) {
        match &mut self.overlay {
            Some(Overlay::Transfer {
                picker,
                note,
                on_note,
                status,
                ..
            }) => {
                if *on_note {
                    // The note changes nothing about the chosen target (nor a refusal of it).
                    f(note);
                    return;
                }
                // Another search, perhaps another target: the last refusal no longer applies.
                status.reset();
                f(&mut picker.query)
            }
            Some(Overlay::Tag { picker, .. }) | Some(Overlay::QuickReplies { picker }) => {
                f(&mut picker.query)
            }
            Some(Overlay::Cc(d)) => {
                f(&mut d.picker.query);
                d.refilter();
                return;
            }
            Some(Overlay::QuickManager(m)) => match &mut m.form {
                Some(form) => {
                    if let Some(field) = form.text_field() {
                        f(field);
                    }
                    return;
                }
                None => {
                    f(&mut m.picker.query);
                    m.picker.selected = 0;
                }
            },
            Some(Overlay::FollowUp(_)) => return self.follow_up_text(f),
            // Pasted text goes to the help overlay's filter line.
            Some(Overlay::Help(help)) => {
                help.filtering = true;
                help.scroll = 0;
                f(&mut help.filter);
                return;
            }
            _ => return,
        }
        self.refilter();
    }

    /// Editing actions in an overlay's text field.
    pub fn edit_overlay(&mut self, action: Action) {
        match action {
            Action::DeleteBack => self.overlay_text(|s| {
                s.pop();
            }),
            Action::DeleteWord => self.overlay_text(|s| {
                let keep = s
                    .trim_end()
                    .rfind(char::is_whitespace)
                    .map(|i| i + 1)
                    .unwrap_or(0);
                s.truncate(keep);
            }),
            Action::ClearLine => self.overlay_text(String::clear),
            _ => {}
        }
    }

    /// Editing actions on the composer or the KB query.
    pub fn edit(&mut self, action: Action) -> Vec<Effect> {
        if self.focus == Focus::Kb {
            match action {
                Action::DeleteBack => {
                    self.kb.query.pop();
                }
                Action::ClearLine => self.kb.query.clear(),
                Action::DeleteWord => {
                    let keep = self
                        .kb
                        .query
                        .trim_end()
                        .rfind(char::is_whitespace)
                        .map(|i| i + 1)
                        .unwrap_or(0);
                    self.kb.query.truncate(keep);
                }
                _ => return Vec::new(),
            }
            return self.refilter_kb();
        }
        if self.focus != Focus::Compose {
            return Vec::new();
        }
        let Some(s) = self.current_mut() else {
            return Vec::new();
        };
        let d = &mut s.draft;
        match action {
            Action::Newline => d.newline(),
            Action::HistoryPrev => {
                d.history_prev();
            }
            Action::HistoryNext => {
                d.history_next();
            }
            Action::CursorLeft => d.left(),
            Action::CursorRight => d.right(),
            // On the first/last line, up/down walk the sent-message history like a shell.
            Action::CursorUp if !d.up() => {
                d.history_prev();
            }
            Action::CursorDown if !d.down() => {
                d.history_next();
            }
            Action::CursorHome => d.home(),
            Action::CursorEnd => d.end(),
            Action::WordLeft => d.word_left(),
            Action::WordRight => d.word_right(),
            Action::DeleteBack => d.backspace(),
            Action::DeleteForward => d.delete(),
            Action::DeleteWord => d.delete_word(),
            Action::ClearLine => d.clear(),
            _ => {}
        }
        Vec::new()
    }

    /// Keymap actions on the login screen.
    fn login_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(form) = &mut self.login else {
            return Vec::new();
        };
        let fields = if form.new_password.is_some() {
            5
        } else if form.totp.is_some() {
            4
        } else {
            3
        };
        match action {
            Action::NextField | Action::SelectNext | Action::CursorDown => {
                form.field = (form.field + 1) % fields
            }
            Action::SelectPrev | Action::CursorUp => {
                form.field = (form.field + fields - 1) % fields
            }
            Action::DeleteBack => {
                if let Some(f) = login_field(form) {
                    f.pop();
                }
            }
            Action::ClearLine => {
                if let Some(f) = login_field(form) {
                    f.clear();
                }
            }
            Action::Cancel | Action::Quit => {
                self.should_quit = true;
                return vec![Effect::Quit];
            }
            Action::Confirm | Action::Send => return self.submit_login(),
            _ => {}
        }
        Vec::new()
    }

    fn submit_login(&mut self) -> Vec<Effect> {
        let t = text(self.lang);
        let Some(form) = &mut self.login else {
            return Vec::new();
        };
        if let Some((new, repeat)) = &form.new_password {
            if new != repeat {
                form.error = Some(t.login_error_mismatch.to_string());
                return Vec::new();
            }
            if crate::auth::check_password_policy(new, &form.username).is_err() {
                form.error = Some(t.login_policy_refused.to_string());
                return Vec::new();
            }
            form.busy = true;
            let change = crate::protocol::request::ChangePassword {
                old_password: form.password.clone(),
                new_password: new.clone(),
            };
            return vec![request(Tag::ChangePassword, change)];
        }
        if let Some(code) = form.totp.as_ref().map(|c| c.trim().to_string()) {
            if code.is_empty() || form.password.is_empty() {
                form.field = if form.password.is_empty() { 2 } else { 3 };
                return Vec::new();
            }
            form.busy = true;
            form.error = None;
            return vec![Effect::LoginWithCode {
                server: form.server.trim().to_string(),
                username: form.username.trim().to_string(),
                password: form.password.clone(),
                totp: code,
            }];
        }
        if form.username.trim().is_empty() || form.password.is_empty() {
            form.field = if form.username.trim().is_empty() {
                1
            } else {
                2
            };
            return Vec::new();
        }
        form.busy = true;
        form.error = None;
        vec![Effect::Login {
            server: form.server.trim().to_string(),
            username: form.username.trim().to_string(),
            password: form.password.clone(),
        }]
    }
}

/// The login field that has the cursor.
fn login_field(form: &mut LoginForm) -> Option<&mut String> {
    match form.field {
        0 => Some(&mut form.server),
        1 => Some(&mut form.username),
        2 => Some(&mut form.password),
        3 => match &mut form.new_password {
            Some(p) => Some(&mut p.0),
            None => form.totp.as_mut(),
        },
        4 => form.new_password.as_mut().map(|p| &mut p.1),
        _ => None,
    }
}
