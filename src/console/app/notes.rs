//! Internal notes in the console (`docs/notes.md`): the note mode of the composer
//! (`toggle_note`), the keys of notes, the @ picker of colleagues, and sending (and
//! re-sending) notes. Mentions of us are in `notes_mentions.rs`; the other files call in here
//! through one-line hooks.

use super::effect::request;
use super::notes_state::{Colleague, MentionPicker, NotesTag, notes_text};
use super::*;
use crate::console::action::Action;
use crate::model::SessionId;
use crate::protocol::MAX_MENTIONS;
use crate::protocol::request as req;

/// Colleagues the picker lists at most.
const PICKER_ROWS: usize = 50;

impl App {
    /// At sign-in: the unread mentions (they survive a restart of the console).
    pub(super) fn notes_on_login(&mut self) -> Vec<Effect> {
        vec![request(
            Tag::Notes(NotesTag::List),
            req::MentionsList { all: false },
        )]
    }

    /// The keys of notes, and the keys the open @ picker takes; `None` lets `update` go on.
    pub(super) fn notes_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        if self.notes.picker.is_some() && self.focus == Focus::Compose {
            match action {
                Action::Send | Action::Confirm | Action::NextField | Action::FocusNext => {
                    return Some(self.pick_mention());
                }
                Action::Cancel => {
                    self.notes.picker = None;
                    return Some(Vec::new());
                }
                Action::CursorUp | Action::SelectPrev | Action::HistoryPrev => {
                    self.move_picker(false);
                    return Some(Vec::new());
                }
                Action::CursorDown | Action::SelectNext | Action::HistoryNext => {
                    self.move_picker(true);
                    return Some(Vec::new());
                }
                Action::DeleteBack => {
                    self.picker_backspace();
                    return Some(Vec::new());
                }
                // Anything else leaves the mention as typed.
                _ => self.notes.picker = None,
            }
        }
        let current = self.selected;
        let watching = current.is_some_and(|id| self.notes.watching.contains(&id));
        match action {
            Action::ToggleNote => Some(self.toggle_note()),
            Action::NextMention => Some(self.next_mention()),
            Action::Send if current.is_some_and(|id| self.notes.in_note_mode(id)) => {
                Some(self.send_note())
            }
            Action::FocusCompose if watching => {
                self.focus = Focus::Compose;
                Some(Vec::new())
            }
            Action::RetryFailed if watching => Some(self.retry_failed_notes()),
            _ => None,
        }
    }

    /// A character typed in a note: `@` opens the picker, and while it is open the typed
    /// text filters it. `None` when the composer is not writing a note.
    pub(super) fn notes_char(&mut self, c: char) -> Option<Vec<Effect>> {
        let id = self.selected?;
        if !self.notes.in_note_mode(id) {
            return None;
        }
        if self.focus == Focus::Chat && self.notes.watching.contains(&id) {
            // Typing on the chat starts a note, as it starts a message elsewhere.
            self.focus = Focus::Compose;
        }
        if self.focus != Focus::Compose {
            return None;
        }
        if c == '/' && self.sessions.get(&id).is_some_and(|s| s.draft.is_empty()) {
            return None;
        }
        let s = self.sessions.get_mut(&id)?;
        s.draft.insert_char(c);
        // No typing signal: the customer must not see that someone writes a note.
        if let Some(p) = &mut self.notes.picker {
            if c.is_whitespace() {
                self.notes.picker = None;
            } else {
                p.picker.query.push(c);
                self.refilter_mentions();
            }
        } else if c == '@' {
            self.open_mention_picker(id);
        }
        Some(Vec::new())
    }

    /// Note mode on or off for the selected session (the composer's frame shows which).
    fn toggle_note(&mut self) -> Vec<Effect> {
        let Some(id) = self.selected else {
            return Vec::new();
        };
        if self.notes.watching.contains(&id) {
            // Mentioned only: notes are all we may write.
            self.notice(notes_text(self.lang).notes_only);
            self.focus = Focus::Compose;
            return Vec::new();
        }
        if self.writable() != Some(id) {
            return Vec::new();
        }
        if self.notes.note_mode.remove(&id) {
            self.notes.picker = None;
        } else {
            self.notes.note_mode.insert(id);
        }
        self.focus = Focus::Compose;
        Vec::new()
    }

    /// Colleagues for the picker: everyone in the directory but us.
    fn colleagues(&self) -> Vec<Colleague> {
        let me = self.me.as_ref().map(|m| m.id);
        self.directory
            .iter()
            .filter(|a| Some(a.id) != me)
            .map(|a| Colleague {
                username: a.username.clone(),
                display_name: a.display_name.clone(),
                employee_no: a.employee_no.clone(),
            })
            .collect()
    }

    fn open_mention_picker(&mut self, session: SessionId) {
        let items = self.colleagues();
        self.notes.picker = Some(MentionPicker {
            session,
            items,
            picker: Default::default(),
        });
        self.refilter_mentions();
    }

    fn refilter_mentions(&mut self) {
        let Some(p) = &mut self.notes.picker else {
            return;
        };
        let hay: Vec<String> = p.items.iter().map(Colleague::haystack).collect();
        let mut matches = fuzzy_rank(&p.picker.query, hay.iter().map(String::as_str));
        matches.truncate(PICKER_ROWS);
        p.picker.matches = matches;
        p.picker.selected = 0;
    }

    fn move_picker(&mut self, down: bool) {
        if let Some(p) = &mut self.notes.picker {
            let n = p.picker.matches.len();
            if n > 0 {
                p.picker.selected = if down {
                    (p.picker.selected + 1) % n
                } else {
                    (p.picker.selected + n - 1) % n
                };
            }
        }
    }

    fn picker_backspace(&mut self) {
        let Some(id) = self.selected else {
            return;
        };
        if let Some(s) = self.sessions.get_mut(&id) {
            s.draft.backspace();
        }
        let Some(p) = &mut self.notes.picker else {
            return;
        };
        // Deleting the `@` itself closes the picker.
        if p.picker.query.pop().is_none() {
            self.notes.picker = None;
        } else {
            self.refilter_mentions();
        }
    }

    /// Replaces the typed text after `@` with the chosen colleague's username.
    fn pick_mention(&mut self) -> Vec<Effect> {
        let Some(p) = self.notes.picker.take() else {
            return Vec::new();
        };
        let Some(c) = p
            .picker
            .matches
            .get(p.picker.selected)
            .and_then(|i| p.items.get(*i))
        else {
            return Vec::new();
        };
        if let Some(s) = self.sessions.get_mut(&p.session) {
            for _ in p.picker.query.chars() {
                s.draft.backspace();
            }
            s.draft.insert_str(&format!("{} ", c.username));
        }
        Vec::new()
    }

    /// The usernames a note mentions: `@name` words that are colleagues in the directory.
    pub fn mentions_in(&self, body: &str) -> Vec<String> {
        let known = self.colleagues();
        let mut found: Vec<String> = Vec::new();
        for word in
            body.split(|c: char| c.is_whitespace() || "，,。.:：;；!！?？()（）".contains(c))
        {
            let Some(name) = word.strip_prefix('@') else {
                continue;
            };
            if known.iter().any(|c| c.username == name) && !found.iter().any(|f| f == name) {
                found.push(name.to_string());
            }
        }
        found.truncate(MAX_MENTIONS);
        found
    }

    fn send_note(&mut self) -> Vec<Effect> {
        let Some(id) = self.selected else {
            return Vec::new();
        };
        let body = match self.sessions.get_mut(&id) {
            Some(s) if !s.draft.text().trim().is_empty() => {
                let body = s.draft.take();
                s.draft.push_history(body.clone());
                body
            }
            _ => return Vec::new(),
        };
        let Some(client_msg_id) = self.push_sending(id, &body, true) else {
            return Vec::new();
        };
        let mentions = self.mentions_in(&body);
        vec![note_request(id, client_msg_id, body, mentions)]
    }

    /// Sends the failed notes of the selected session again (same ids: stored once).
    pub(super) fn retry_failed_notes(&mut self) -> Vec<Effect> {
        let Some(id) = self.selected else {
            return Vec::new();
        };
        let failed: Vec<(String, String)> = self
            .sessions
            .get_mut(&id)
            .map(|s| {
                s.lines
                    .iter_mut()
                    .filter(|l| l.internal && l.delivery == Delivery::Failed)
                    .filter_map(|l| {
                        l.delivery = Delivery::Sending;
                        Some((l.client_msg_id.clone()?, l.body.clone()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        failed
            .into_iter()
            .map(|(cmid, body)| {
                let mentions = self.mentions_in(&body);
                note_request(id, cmid, body, mentions)
            })
            .collect()
    }
}

fn note_request(
    session: SessionId,
    client_msg_id: String,
    body: String,
    mentions: Vec<String>,
) -> Effect {
    let tag = Tag::Notes(NotesTag::Add {
        session,
        client_msg_id: client_msg_id.clone(),
    });
    let note = req::NoteAdd {
        session_id: session,
        client_msg_id,
        body,
        mentions,
    };
    request(tag, note)
}
