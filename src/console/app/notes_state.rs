//! What the console keeps for internal notes and @mentions (`notes.rs` holds the logic):
//! which sessions write notes, the conversations opened through a mention, the unread
//! mentions, the open colleague picker — and the few texts of this feature, in both languages.

use super::picker::Picker;
use crate::console::i18n::Lang;
use crate::model::SessionId;
use crate::protocol::MentionView;
use std::collections::BTreeSet;

/// What a notes request's reply is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotesTag {
    /// `note.add` of the line with this client_msg_id.
    Add {
        session: SessionId,
        client_msg_id: String,
    },
    /// `mentions.list` at sign-in.
    List,
    /// `mention.read` of a conversation.
    Read(SessionId),
    /// The transcript of a conversation we were mentioned in, to show it read-only.
    Open(SessionId),
}

/// A colleague the picker offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Colleague {
    pub username: String,
    pub display_name: String,
    pub employee_no: Option<String>,
}

impl Colleague {
    /// What the fuzzy match searches: name, username and employee number.
    pub fn haystack(&self) -> String {
        format!(
            "{} {} {}",
            self.display_name,
            self.username,
            self.employee_no.as_deref().unwrap_or("")
        )
    }
}

/// The @ picker, open while a mention is being typed in a note.
#[derive(Debug, Clone, Default)]
pub struct MentionPicker {
    pub session: SessionId,
    pub items: Vec<Colleague>,
    /// `picker.query` is what was typed after the `@` (it is in the draft too).
    pub picker: Picker,
}

#[derive(Debug, Clone, Default)]
pub struct NotesState {
    /// Sessions whose composer writes notes.
    pub note_mode: BTreeSet<SessionId>,
    /// Conversations opened because we were mentioned in them: read-only, notes only.
    pub watching: BTreeSet<SessionId>,
    /// Unread mentions, oldest first (the order `next_mention` walks).
    pub unread: Vec<MentionView>,
    pub picker: Option<MentionPicker>,
    /// Mentions alerted in this run, (session, note seq): a replay does not alert again.
    pub alerted: BTreeSet<(SessionId, i64)>,
}

impl NotesState {
    pub fn in_note_mode(&self, session: SessionId) -> bool {
        self.note_mode.contains(&session) || self.watching.contains(&session)
    }

    pub fn unread_in(&self, session: SessionId) -> usize {
        self.unread
            .iter()
            .filter(|m| m.session_id == session)
            .count()
    }
}

/// The texts of notes and mentions.
pub struct NotesText {
    /// The composer's label in note mode (not colour alone).
    pub label: &'static str,
    pub placeholder: &'static str,
    /// The marker before a note in the transcript.
    pub marker: &'static str,
    pub heading: &'static str,
    pub picker_title: &'static str,
    pub picker_empty: &'static str,
    pub picker_hint: &'static str,
    pub no_unread: &'static str,
    /// `{name}` mentioned you.
    pub alert_title: &'static str,
    /// alt-t in a conversation we were only mentioned in.
    pub notes_only: &'static str,
    /// `{id}`: the conversation ended; the mention's access with it.
    pub ended: &'static str,
}

const EN: NotesText = NotesText {
    label: "Note — only colleagues see this",
    placeholder: "internal note; @ to mention a colleague",
    marker: "[note]",
    heading: "Mentions",
    picker_title: "Mention a colleague",
    picker_empty: "no colleague matches",
    picker_hint: "enter: mention · esc: close",
    no_unread: "No unread mentions",
    alert_title: "{name} mentioned you",
    notes_only: "You were mentioned here: notes only",
    ended: "#{id} ended: the mention's access ended with it",
};

const ZH: NotesText = NotesText {
    label: "内部备注 — 仅同事可见",
    placeholder: "内部备注；输入 @ 提及同事",
    marker: "[备注]",
    heading: "提及我的",
    picker_title: "提及同事",
    picker_empty: "没有匹配的同事",
    picker_hint: "回车：提及 · Esc：关闭",
    no_unread: "没有未读的提及",
    alert_title: "{name} 提及了你",
    notes_only: "你在此会话中被提及：只能写备注",
    ended: "#{id} 已结束：提及的查看权限随之结束",
};

pub fn notes_text(lang: Lang) -> &'static NotesText {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_fill_the_same_placeholders() {
        for (e, z) in [(EN.alert_title, ZH.alert_title), (EN.ended, ZH.ended)] {
            let names = |s: &str| s.matches('{').count();
            assert_eq!(names(e), names(z));
        }
    }
}
