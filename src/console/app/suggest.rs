//! Suggested replies and per-message intents in the console. Without the agent typing
//! anything, when the focused session's newest customer message changes (or the focus moves
//! to another session), a `session.suggest` goes out after a short pause; the answer shows as
//! a numbered strip over the composer. One key cycles the highlight, another adopts the
//! highlighted entry into the composer (an article's body, or a quick reply's body with
//! `{customer}`/`{agent}` filled). Answers for another session, an older message or an older
//! request are dropped. The `message_intent` frames label customer messages in the chat.

use super::effect::{Effect, Tag, request};
pub use super::suggest_state::*;
use super::{App, Focus};
use crate::console::i18n::{Lang, fill, text};
use crate::model::{AuthorKind, Millis, SessionId};
use crate::protocol::SuggestReply;
use crate::protocol::request as req;

impl App {
    /// The session suggestions are for, and its newest customer message's seq as far as the
    /// console knows (none before the transcript loaded: the server finds it).
    fn suggest_target(&self) -> Option<(SessionId, Option<i64>)> {
        let id = self.writable()?;
        let s = self.sessions.get(&id)?;
        // Lines are in seq order: the newest customer line is the last one (called after
        // every event, so it must not walk a long transcript).
        let seq = s
            .lines
            .iter()
            .rev()
            .filter(|l| l.author_kind == AuthorKind::Customer)
            .find_map(|l| l.seq);
        Some((id, seq))
    }

    /// The suggestion request whose pause is over, if any; schedules one when the focused
    /// session or its newest customer message changed. The run loop calls this after every
    /// event (like [`App::kb_due`]).
    pub fn suggest_due(&mut self) -> Vec<Effect> {
        let target = self.suggest_target();
        let st = &mut self.suggest;
        if target.is_none() || target == st.asked {
            st.due = None;
            return Vec::new();
        }
        let Some(want) = target else {
            return Vec::new();
        };
        match st.due {
            Some((at, key)) if key == want => {
                if self.now < at {
                    return Vec::new();
                }
                st.due = None;
                st.asked = Some(want);
                st.generation += 1;
                if st.reply.as_ref().is_some_and(|r| r.session_id != want.0) {
                    st.reply = None;
                }
                let q = req::Suggest { session_id: want.0 };
                vec![request(Tag::Suggest(st.generation), q)]
            }
            _ => {
                st.due = Some((self.now + SUGGEST_DEBOUNCE_MS, want));
                Vec::new()
            }
        }
    }

    /// When the pending suggestion request is due.
    pub fn suggest_deadline(&self) -> Option<Millis> {
        self.suggest.due.map(|(at, _)| at)
    }

    /// An answer: kept when it is for the latest request and still for the focused session.
    pub(super) fn on_suggest(&mut self, generation: u64, r: SuggestReply) -> Vec<Effect> {
        let st = &mut self.suggest;
        if generation != st.generation || self.selected != Some(r.session_id) {
            return Vec::new();
        }
        if let Some((_, Some(seq))) = st.asked
            && r.for_seq.is_some_and(|f| f < seq)
        {
            return Vec::new();
        }
        // The answer names the message it is for: no need to ask again for the same one.
        st.asked = Some((r.session_id, r.for_seq.or(st.asked.and_then(|a| a.1))));
        st.selected = 0;
        // It also labels that message (sent, maybe, before the session was ours).
        if let (Some(seq), Some(intent)) = (r.for_seq, &r.intent) {
            let label = MessageIntent {
                intent: intent.clone(),
                zh: r.intent_zh.clone(),
                en: r.intent_en.clone(),
            };
            self.on_message_intent(r.session_id, seq, label);
        }
        self.suggest.reply = Some(r);
        Vec::new()
    }

    /// The suggestions shown for the focused session, in strip order.
    pub fn suggestions(&self) -> Vec<SuggestEntry> {
        let Some(r) = self
            .suggest
            .reply
            .as_ref()
            .filter(|r| Some(r.session_id) == self.selected)
        else {
            return Vec::new();
        };
        let articles = r.articles.iter().map(|a| SuggestEntry::Article {
            title: a.article.title.clone(),
            body: a.body.clone(),
        });
        let quick = r.quick_replies.iter().filter_map(|q| {
            let qr = self.quick_replies.iter().find(|x| x.id == q.id)?;
            Some(SuggestEntry::QuickReply {
                title: qr.title.clone(),
                body: self.fill_reply(&qr.body),
            })
        });
        articles.chain(quick).collect()
    }

    pub(super) fn suggest_next(&mut self) -> Vec<Effect> {
        let n = self.suggestions().len();
        if n > 0 {
            self.suggest.selected = (self.suggest.selected + 1) % n;
        }
        Vec::new()
    }

    /// Puts the highlighted suggestion into the composer, to edit before sending.
    pub(super) fn suggest_adopt(&mut self) -> Vec<Effect> {
        let entries = self.suggestions();
        let Some(entry) = entries.get(self.suggest.selected.min(entries.len().saturating_sub(1)))
        else {
            self.notice(text(self.lang).suggest_none);
            return Vec::new();
        };
        let body = match entry {
            SuggestEntry::Article { body, .. } => body.trim().to_string(),
            SuggestEntry::QuickReply { body, .. } => body.clone(),
        };
        let Some(id) = self.writable() else {
            return Vec::new();
        };
        if let Some(s) = self.sessions.get_mut(&id) {
            s.draft.insert_str(&body);
        }
        self.focus = Focus::Compose;
        Vec::new()
    }

    /// A `message_intent` frame.
    pub(super) fn on_message_intent(
        &mut self,
        session: SessionId,
        seq: i64,
        intent: MessageIntent,
    ) {
        let map = &mut self.suggest.intents;
        map.insert((session, seq), intent);
        while map.len() > MAX_MESSAGE_INTENTS {
            map.pop_first();
        }
    }

    /// The label of a customer message's intent in the console's language, if known.
    pub fn message_intent_label(&self, session: SessionId, seq: Option<i64>) -> Option<String> {
        let i = self.suggest.intents.get(&(session, seq?))?;
        Some(self.intent_shown(i))
    }

    /// A conversation's intent (a catalog name, as the SessionView carries it) the way the
    /// chat labels it, when a message of that intent was labelled; else the name itself.
    pub fn intent_label(&self, session: SessionId, name: &str) -> String {
        let labelled = self
            .suggest
            .intents
            .range((session, i64::MIN)..=(session, i64::MAX))
            .map(|(_, i)| i)
            .find(|i| i.intent == name);
        match labelled {
            Some(i) => self.intent_shown(i),
            None => name.to_string(),
        }
    }

    fn intent_shown(&self, i: &MessageIntent) -> String {
        let shown = if self.lang == Lang::Zh { &i.zh } else { &i.en };
        if shown.is_empty() {
            i.intent.clone()
        } else if self.lang == Lang::Zh {
            // `退款 refund`: with the catalog name, which reports and the bot use.
            format!("{shown} {}", i.intent)
        } else {
            shown.clone()
        }
    }
}

impl App {
    /// An `intent_effect` event: a recognised intent raised a queued conversation's priority
    /// or moved it to another group. A notice says so (names sanitised).
    pub(super) fn on_intent_effect(&mut self, info: crate::protocol::IntentEffectInfo) {
        use crate::console::sanitize::inert_line;
        let t = text(self.lang);
        let id = info.session_id.to_string();
        let intent = inert_line(&info.intent).into_owned();
        let mut parts = Vec::new();
        if let Some(p) = info.priority {
            parts.push(fill(t.intent_effect_priority, &[("p", &p.to_string())]));
        }
        if let Some(g) = &info.route_group {
            parts.push(fill(t.intent_effect_group, &[("group", &inert_line(g))]));
        }
        let what = parts.join(", ");
        let line = fill(
            t.intent_effect,
            &[("id", &id), ("intent", &intent), ("what", &what)],
        );
        self.notice(line);
    }
}
