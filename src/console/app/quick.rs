//! The quick-reply picker (`/` in an empty composer): replies ranked by [`crate::quick::rank`]
//! (the typed query, the conversation's intent, the agent's use), their variables filled from
//! the selected conversation, the agent and the console's clock. Enter puts the filled text in
//! the composer (the agent edits, then sends) and counts a use on the server
//! (`quick_replies.used`); variables left unfilled are named on the status line.

use super::effect::{Effect, Tag, request};
use super::state::*;
use crate::console::i18n::{fill as fill_text, text};
use crate::protocol::QuickReply;
use crate::protocol::request as req;
use crate::quick::{Filled, Vars, fill};

impl App {
    /// Opens the picker; the list is fetched again each time (others may have changed team
    /// replies), the one we have is shown meanwhile.
    pub fn open_quick_replies(&mut self) -> Vec<Effect> {
        self.overlay = Some(Overlay::QuickReplies {
            picker: Picker::default(),
        });
        self.refilter();
        vec![request(Tag::QuickReplies, req::QuickReplies {})]
    }

    /// The picker's order for `query`: indexes into `quick_replies`, best first.
    pub fn rank_quick_replies(&self, query: &str) -> Vec<usize> {
        let intent = self.current().and_then(|s| s.view.intent.as_deref());
        crate::quick::rank(query, intent, &self.quick_replies, self.now)
            .into_iter()
            .map(|(i, _)| i)
            .collect()
    }

    /// What the variables stand for now: the selected conversation, us, the local clock.
    pub fn quick_vars(&self) -> Vars {
        let s = self.current().map(|s| &s.view);
        let me = self.me.as_ref();
        Vars {
            customer_nickname: s.map(|s| s.customer.nickname.clone()),
            customer_id: s.map(|s| s.customer.id.to_string()),
            agent_name: me.map(|m| m.display_name.clone()),
            agent_username: me.map(|m| m.username.clone()),
            agent_signature: self.account.me.as_ref().and_then(|m| m.signature.clone()),
            session_id: s.map(|s| s.id.to_string()),
            session_group: s.map(|s| s.group.clone()).filter(|g| !g.is_empty()),
            date: None,
            time: None,
        }
        .with_local_clock(self.now)
    }

    /// A reply's text with its variables filled in.
    pub fn fill_quick_reply(&self, reply: &QuickReply) -> Filled {
        fill(&reply.body, &self.quick_vars())
    }

    /// Fills `{customer}`, `{agent}` and the other variables in a text.
    pub fn fill_reply(&self, body: &str) -> String {
        fill(body, &self.quick_vars()).text
    }

    /// Puts the picked reply, filled in, into the composer; counts the use.
    pub(super) fn insert_quick_reply(&mut self, index: usize) -> Vec<Effect> {
        let Some(reply) = self.quick_replies.get(index).cloned() else {
            return Vec::new();
        };
        let filled = self.fill_quick_reply(&reply);
        if let Some(s) = self.current_mut() {
            s.draft.clear();
            s.draft.insert_str(&filled.text);
        }
        self.focus = Focus::Compose;
        let t = text(self.lang);
        let left: Vec<String> = filled
            .unknown
            .iter()
            .chain(&filled.missing)
            .map(|n| format!("{{{n}}}"))
            .collect();
        if !filled.unknown.is_empty() {
            self.notice(fill_text(t.quick_unknown_vars, &[("v", &left.join(" "))]));
        } else if !filled.missing.is_empty() {
            self.notice(fill_text(t.quick_missing_vars, &[("v", &left.join(" "))]));
        }
        let used = req::QuickReplyUsed {
            quick_reply_id: reply.id,
        };
        vec![request(Tag::QuickReplyUsed(reply.id), used)]
    }

    /// The server counted a use: the ranking sees it at once.
    pub(super) fn on_quick_reply_used(&mut self, r: crate::protocol::QuickReplyUsedReply) {
        if let Some(q) = self.quick_replies.iter_mut().find(|q| q.id == r.id) {
            q.uses = r.uses;
            q.last_used = Some(r.last_used);
        }
    }

    /// A saved reply replaces ours (or joins the list) without fetching the list again.
    pub(super) fn on_quick_reply_saved(&mut self, saved: QuickReply) {
        match self.quick_replies.iter_mut().find(|q| q.id == saved.id) {
            Some(q) => {
                let (uses, last_used) = (q.uses, q.last_used);
                *q = QuickReply {
                    uses,
                    last_used,
                    ..saved
                };
            }
            None => self.quick_replies.push(saved),
        }
        self.refilter();
    }

    pub(super) fn on_quick_reply_deleted(&mut self, id: i64) {
        self.quick_replies.retain(|q| q.id != id);
        self.refilter();
    }
}
