//! Internal notes and @mentions in the console (`docs/notes.md`): the note mode of the
//! composer (`toggle_note`), the @ picker of colleagues, sending notes, the `mentioned` event
//! (alert, the conversation opened read-only, notes only), the Mentions section and
//! `next_mention`. The other files call in here through one-line hooks.

use super::effect::request;
use super::net_events::line_of;
use super::notes_state::{Colleague, MentionPicker, NotesTag, notes_text};
use super::scroll::merge_lines;
use super::*;
use crate::console::action::Action;
use crate::console::i18n::fill;
use crate::console::reply::{Reply, ReplyError};
use crate::console::sanitize::inert_line;
use crate::model::{AuthorKind, SessionId, SessionState};
use crate::protocol::request as req;
use crate::protocol::{MAX_MENTIONS, MentionView, SessionView, TranscriptReply};

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
        let client_msg_id = self.new_msg_id();
        let name = self
            .me
            .as_ref()
            .map(|m| m.display_name.clone())
            .unwrap_or_default();
        let now = self.now;
        let Some(s) = self.sessions.get_mut(&id) else {
            return Vec::new();
        };
        s.lines.push(ChatLine {
            seq: None,
            author_kind: AuthorKind::Agent,
            author_name: name,
            body: body.clone(),
            created_at: now,
            client_msg_id: Some(client_msg_id.clone()),
            delivery: Delivery::Sending,
            internal: true,
        });
        s.scroll = 0;
        s.jump_top = false;
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

    /// Someone mentioned us: alert, remember it unread, and show the conversation.
    pub(super) fn on_mentioned(&mut self, m: MentionView) -> Vec<Effect> {
        if self
            .notes
            .unread
            .iter()
            .any(|u| (u.session_id, u.seq) == (m.session_id, m.seq))
        {
            return Vec::new();
        }
        let nt = notes_text(self.lang);
        let by = inert_line(&m.by_name).into_owned();
        let mut fx = vec![Effect::Alert {
            kind: AlertKind::Mention,
            title: fill(nt.alert_title, &[("name", &by)]),
            body: inert_line(&m.excerpt).into_owned(),
        }];
        let (session, seq, open) = (m.session_id, m.seq, m.open);
        self.notes.unread.push(m);
        if open && !self.sessions.contains_key(&session) {
            fx.push(open_request(session, seq));
        }
        fx
    }

    fn on_mentions_list(&mut self, list: Vec<MentionView>) -> Vec<Effect> {
        // Oldest first; mentions in conversations that ended cannot be opened any more.
        let mut open: Vec<MentionView> = list.into_iter().filter(|m| m.open).collect();
        open.reverse();
        let mut fx = Vec::new();
        for m in open {
            if self
                .notes
                .unread
                .iter()
                .any(|u| (u.session_id, u.seq) == (m.session_id, m.seq))
            {
                continue;
            }
            let open = open_request(m.session_id, m.seq);
            if !self.sessions.contains_key(&m.session_id) && !fx.contains(&open) {
                fx.push(open);
            }
            self.notes.unread.push(m);
        }
        fx
    }

    /// The transcript of a conversation we were mentioned in: shown read-only, notes only.
    fn open_watched(&mut self, id: SessionId, r: TranscriptReply) -> Vec<Effect> {
        if r.session.state == SessionState::Ended {
            self.notes.unread.retain(|m| m.session_id != id);
            return Vec::new();
        }
        let lines: Vec<ChatLine> = r.messages.into_iter().map(line_of).collect();
        match self.sessions.get_mut(&id) {
            // Ours (or already open): only the transcript is merged.
            Some(s) => merge_lines(&mut s.lines, lines),
            None => {
                let customer_id = r.session.customer.id;
                let mut entry = SessionEntry::new(r.session);
                entry.read_only = true;
                entry.loaded = true;
                entry.lines = lines;
                self.sessions.insert(id, entry);
                self.notes.watching.insert(id);
                // The customer's profile, which a mentioned colleague may read too.
                let profile = req::Profile { customer_id };
                return vec![request(Tag::Profile(id), profile)];
            }
        }
        Vec::new()
    }

    /// Jumps to the conversation of the oldest unread mention.
    fn next_mention(&mut self) -> Vec<Effect> {
        let target = self
            .notes
            .unread
            .iter()
            .map(|m| m.session_id)
            .find(|id| self.sessions.contains_key(id));
        match target {
            Some(id) => self.select(id),
            None => {
                self.notice(notes_text(self.lang).no_unread);
                Vec::new()
            }
        }
    }

    /// Selecting a conversation reads its mentions (`select` hook).
    pub(super) fn notes_on_select(&mut self, id: SessionId) -> Vec<Effect> {
        if self.notes.picker.as_ref().is_some_and(|p| p.session != id) {
            self.notes.picker = None;
        }
        if self.notes.unread_in(id) == 0 {
            return Vec::new();
        }
        self.notes.unread.retain(|m| m.session_id != id);
        vec![request(
            Tag::Notes(NotesTag::Read(id)),
            req::MentionRead { session_id: id },
        )]
    }

    /// A session update for a conversation we only watch (`on_session` hook): when it ends,
    /// so does our access, and it leaves the list. `true` when handled here.
    pub(super) fn notes_on_session(&mut self, view: &SessionView) -> bool {
        let id = view.id;
        if !self.notes.watching.contains(&id) {
            return false;
        }
        if view.state == SessionState::Ended {
            self.notes.watching.remove(&id);
            self.notes.unread.retain(|m| m.session_id != id);
            self.remove_session(id);
            let nt = notes_text(self.lang);
            self.notice(fill(nt.ended, &[("id", &id.to_string())]));
        } else if let Some(s) = self.sessions.get_mut(&id) {
            s.view = view.clone();
        }
        true
    }

    /// Conversations opened through a mention, for the Mentions section (unread first).
    pub fn watched_entries(&self) -> Vec<&SessionEntry> {
        let mut list: Vec<&SessionEntry> = self
            .notes
            .watching
            .iter()
            .filter_map(|id| self.sessions.get(id))
            .collect();
        list.sort_by_key(|s| (self.notes.unread_in(s.view.id) == 0, s.view.id));
        list
    }

    pub(super) fn on_notes_reply(&mut self, tag: NotesTag, reply: Reply) -> Vec<Effect> {
        match (tag, reply) {
            (
                NotesTag::Add {
                    session,
                    client_msg_id,
                },
                Reply::NoteAdd(ack),
            ) => {
                if let Some(l) = self.sessions.get_mut(&session).and_then(|s| {
                    s.lines
                        .iter_mut()
                        .find(|l| l.client_msg_id.as_deref() == Some(client_msg_id.as_str()))
                }) {
                    l.delivery = Delivery::Acked;
                    l.seq = Some(ack.seq);
                }
                if let Some(s) = self.sessions.get_mut(&session) {
                    s.view.last_seq = s.view.last_seq.max(ack.seq);
                }
                Vec::new()
            }
            (NotesTag::List, Reply::MentionsList(r)) => self.on_mentions_list(r.mentions),
            (NotesTag::Read(_), Reply::MentionRead(_)) => Vec::new(),
            (NotesTag::Open(id), Reply::Transcript(r)) => self.open_watched(id, r),
            (tag, reply) => {
                let e = ReplyError::Unreadable {
                    request: reply.name(),
                    detail: format!("a {} reply for {tag:?}", reply.name()),
                };
                self.on_notes_error(tag, &e);
                Vec::new()
            }
        }
    }

    /// A notes request failed: a note is marked failed (`retry_failed` sends it again); a
    /// mention whose conversation can no longer be opened is dropped.
    pub(super) fn on_notes_error(&mut self, tag: NotesTag, _e: &ReplyError) {
        match tag {
            NotesTag::Add {
                session,
                client_msg_id,
            } => {
                if let Some(l) = self.sessions.get_mut(&session).and_then(|s| {
                    s.lines
                        .iter_mut()
                        .find(|l| l.client_msg_id.as_deref() == Some(client_msg_id.as_str()))
                }) {
                    l.delivery = Delivery::Failed;
                }
            }
            NotesTag::Open(id) => self.notes.unread.retain(|m| m.session_id != id),
            NotesTag::List | NotesTag::Read(_) => {}
        }
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

/// The transcript around a mention: from a little before the note (a page is 500 at most).
fn open_request(session: SessionId, seq: i64) -> Effect {
    let transcript = req::Transcript {
        session_id: session,
        after_seq: Some((seq - 200).max(0)),
        limit: None,
    };
    request(Tag::Notes(NotesTag::Open(session)), transcript)
}
