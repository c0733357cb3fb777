//! @mentions in the console (`docs/notes.md`): the `mentioned` event (alert, the
//! conversation opened read-only with notes only), the unread mentions kept across restarts
//! (`mentions.list` at sign-in), the Mentions section, `next_mention`, reading a mention when
//! its conversation is opened, and the replies of the notes requests. Note mode and the @
//! picker are in `notes.rs`.

use super::effect::request;
use super::net_events::line_of;
use super::notes_state::{NotesTag, notes_text};
use super::scroll::merge_lines;
use super::*;
use crate::console::i18n::fill;
use crate::console::reply::{Reply, ReplyError};
use crate::console::sanitize::inert_line;
use crate::model::{SessionId, SessionState};
use crate::protocol::request as req;
use crate::protocol::{MentionView, SessionView, TranscriptReply};

impl App {
    /// Someone mentioned us: alert, remember it unread, and show the conversation.
    pub(super) fn on_mentioned(&mut self, m: MentionView) -> Vec<Effect> {
        // A replay after a reconnect alerts no second time. (The sign-in's `mentions.list`
        // may have brought the same mention first: it still alerts here, once.)
        if !self.notes.alerted.insert((m.session_id, m.seq)) {
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
        if !self
            .notes
            .unread
            .iter()
            .any(|u| (u.session_id, u.seq) == (session, seq))
        {
            self.notes.unread.push(m);
        }
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
    pub(super) fn next_mention(&mut self) -> Vec<Effect> {
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

/// The transcript around a mention: from a little before the note (a page is 500 at most).
fn open_request(session: SessionId, seq: i64) -> Effect {
    let transcript = req::Transcript {
        session_id: session,
        after_seq: Some((seq - 200).max(0)),
        limit: None,
    };
    request(Tag::Notes(NotesTag::Open(session)), transcript)
}
