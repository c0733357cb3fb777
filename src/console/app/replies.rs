//! What the app does with the replies to its requests (and with their errors).

use super::net_events::{line_of, parse};
use super::scroll::merge_lines;
use super::*;
use crate::console::sanitize::inert_line;
use crate::protocol::{MessageView, QueueInfo, SessionView};
use serde_json::Value;

impl App {
    pub(super) fn on_reply(
        &mut self,
        tag: Tag,
        result: Result<Value, crate::protocol::ApiError>,
    ) -> Vec<Effect> {
        let v = match result {
            Ok(v) => v,
            Err(e) => return self.on_error(tag, e),
        };
        match tag {
            Tag::Snapshot => self.apply_snapshot(&v),
            Tag::Directory => {
                self.directory = parse(&v, "agents").unwrap_or_default();
                if let Some(qs) = parse::<Vec<QueueInfo>>(&v, "groups") {
                    self.queues = qs;
                }
                if let Some(Overlay::Transfer { .. }) = &self.overlay {
                    let fresh = self.transfer_items();
                    if let Some(Overlay::Transfer { items, .. }) = &mut self.overlay {
                        *items = fresh;
                    }
                    self.refilter();
                }
                Vec::new()
            }
            Tag::KbList => {
                self.kb
                    .set_titles(parse(&v, "articles").unwrap_or_default());
                self.refilter_kb()
            }
            Tag::KbGet(_) => {
                if let Some(a) = parse::<KbArticle>(&v, "article") {
                    self.kb.bodies.insert(a.id, a);
                }
                Vec::new()
            }
            Tag::QuickReplies => {
                self.quick_replies = parse(&v, "quick_replies").unwrap_or_default();
                self.refilter();
                Vec::new()
            }
            Tag::Transcript(id) => {
                let messages: Vec<MessageView> = parse(&v, "messages").unwrap_or_default();
                if let Some(s) = self.sessions.get_mut(&id) {
                    // Lines that arrived live while it loaded are kept; one line per seq.
                    merge_lines(&mut s.lines, messages.into_iter().map(line_of).collect());
                    s.loaded = true;
                }
                Vec::new()
            }
            Tag::OlderTranscript(id) => {
                let messages: Vec<MessageView> = parse(&v, "messages").unwrap_or_default();
                self.on_older_page(id, messages.into_iter().map(line_of).collect())
            }
            Tag::PastTranscript(id) => {
                let Some(view) = parse::<SessionView>(&v, "session") else {
                    return Vec::new();
                };
                let mut entry = SessionEntry::new(view);
                entry.read_only = true;
                entry.opened_from = self.selected.filter(|s| *s != id);
                entry.loaded = true;
                entry.past = Some(Vec::new());
                entry.lines = parse::<Vec<MessageView>>(&v, "messages")
                    .unwrap_or_default()
                    .into_iter()
                    .map(line_of)
                    .collect();
                self.sessions.insert(id, entry);
                self.selected = Some(id);
                self.focus = Focus::Chat;
                Vec::new()
            }
            Tag::Profile(id) => {
                let past: Vec<PastSession> = parse(&v, "sessions").unwrap_or_default();
                if let Some(s) = self.sessions.get_mut(&id) {
                    s.past = Some(past.into_iter().filter(|p| p.id != id).collect());
                    if let Some(c) = parse(&v, "customer") {
                        s.view.customer = c;
                    }
                }
                Vec::new()
            }
            Tag::Accept(id) => {
                let view: Option<SessionView> = parse(&v, "session");
                self.pickable.retain(|p| p.id != id);
                if let Some(view) = view {
                    // Messages written while it was only offered did not reach us: fetch again.
                    self.upsert_session(view, None).loaded = false;
                }
                let fx = self.select(id);
                self.focus = Focus::Compose;
                fx
            }
            Tag::Reject(id) => {
                self.remove_session(id);
                Vec::new()
            }
            Tag::Send {
                session,
                client_msg_id,
            } => {
                if let Some(line) = self.find_line(session, &client_msg_id) {
                    line.delivery = Delivery::Acked;
                    line.seq = v.get("seq").and_then(Value::as_i64);
                }
                self.drop_orphan(&client_msg_id);
                Vec::new()
            }
            Tag::Status(s) => {
                self.status = s;
                self.status_requested = None;
                // The agent chose a status: nothing left to explain.
                self.nudge = None;
                Vec::new()
            }
            Tag::Tag(id) => {
                if let (Some(tags), Some(s)) =
                    (parse::<Vec<String>>(&v, "tags"), self.sessions.get_mut(&id))
                {
                    s.view.tags = tags;
                }
                Vec::new()
            }
            Tag::FollowUp(id) => {
                if let (Some(p), Some(s)) = (
                    v.get("follow_up").and_then(Value::as_bool),
                    self.sessions.get_mut(&id),
                ) {
                    s.view.follow_up = p;
                }
                Vec::new()
            }
            Tag::Transfer(id) => {
                self.remove_session(id);
                self.notice(format!("#{id} {}", text(self.lang).system_transferred));
                Vec::new()
            }
            Tag::End(id) => {
                self.remove_session(id);
                self.notice(format!("#{id} {}", text(self.lang).system_ended));
                Vec::new()
            }
            Tag::ChangePassword => {
                if !matches!(self.status, AgentStatus::Online | AgentStatus::Busy) {
                    self.nudge = Some(StatusNudge::FirstLogin);
                }
                self.enter_workbench(false)
            }
            Tag::Ignore => Vec::new(),
        }
    }

    fn on_error(&mut self, tag: Tag, e: crate::protocol::ApiError) -> Vec<Effect> {
        let message = inert_line(&e.message).into_owned();
        match tag {
            Tag::Send {
                session,
                client_msg_id,
            } => {
                if let Some(line) = self.find_line(session, &client_msg_id) {
                    line.delivery = Delivery::Failed;
                }
                self.drop_orphan(&client_msg_id);
            }
            Tag::ChangePassword => {
                if let Some(form) = &mut self.login {
                    // The server checks the same policy; say what it is, in our language.
                    form.error = Some(if e.code == crate::protocol::ErrorCode::Invalid {
                        text(self.lang).login_policy_refused.to_string()
                    } else {
                        message.clone()
                    });
                    form.busy = false;
                    return Vec::new();
                }
            }
            Tag::OlderTranscript(id) => {
                if let Some(s) = self.sessions.get_mut(&id) {
                    s.loading_older = false;
                    s.jump_top = false;
                }
            }
            Tag::Status(_) => self.status_requested = None,
            Tag::Accept(id)
                if e.code == crate::protocol::ErrorCode::Conflict
                    && self.sessions.get(&id).is_some_and(|s| s.is_offer()) =>
            {
                self.remove_session(id);
            }
            Tag::Ignore => return Vec::new(),
            _ => {}
        }
        self.notice(message);
        Vec::new()
    }

    fn find_line(&mut self, session: SessionId, client_msg_id: &str) -> Option<&mut ChatLine> {
        self.sessions
            .get_mut(&session)?
            .lines
            .iter_mut()
            .find(|l| l.client_msg_id.as_deref() == Some(client_msg_id))
    }

    fn apply_snapshot(&mut self, v: &Value) -> Vec<Effect> {
        if let Some(agent) = parse(v, "agent") {
            self.me = Some(agent);
        }
        if let Some(status) = self.me.as_ref().map(|m| m.status) {
            // A fresh snapshot (after a reload) may be the first we hear of a status change.
            self.on_status_event(status);
        }
        self.queues = parse(v, "queues").unwrap_or_default();
        self.pickable = parse(v, "queued").unwrap_or_default();
        let sessions: Vec<SessionView> = parse(v, "sessions").unwrap_or_default();
        let offers: Vec<Value> = parse(v, "offers").unwrap_or_default();
        let mut keep: Vec<SessionId> = Vec::new();
        for view in sessions {
            keep.push(view.id);
            self.upsert_session(view, None);
        }
        for o in offers {
            let (Some(view), Some(exp)) = (
                parse::<SessionView>(&o, "session"),
                o.get("expires_at").and_then(Value::as_i64),
            ) else {
                continue;
            };
            keep.push(view.id);
            self.upsert_session(view, Some(exp));
        }
        self.sessions
            .retain(|id, s| s.read_only || keep.contains(id));
        match self.selected {
            Some(id) if self.sessions.contains_key(&id) => Vec::new(),
            _ => match self.order().first().copied() {
                Some(id) => self.select(id),
                None => Vec::new(),
            },
        }
    }
}
