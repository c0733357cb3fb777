//! What both endpoints do with a conversation: post a message, show typing, read a transcript,
//! and (agents) read the customer's profile. Who may do it is checked by the caller or here,
//! in one place per operation.

use super::hub::{Auth, Hub};
use super::outbox::ConnId;
use super::respond::Responder;
use crate::model::{AgentId, AuthorKind, CustomerId, SessionId, SessionState, now_ms};
use crate::protocol::request::{SendMessage, Transcript};
use crate::protocol::{
    ApiError, Event, MessageAck, MessageView, ProfileReply, ServerFrame, SessionView,
    TranscriptReply,
};
use crate::store::Audience;

const MAX_CLIENT_MSG_ID: usize = 128;
/// Most messages one transcript request returns.
const MAX_TRANSCRIPT: u32 = 500;
/// The author name of the server's own lines in a conversation.
pub const SYSTEM_NAME: &str = "kefu";
/// Sessions of a customer listed in their profile.
const PROFILE_SESSIONS: u32 = 50;

impl Hub {
    /// The customer's own open session, or why not.
    pub(super) fn own_session(
        &self,
        customer: CustomerId,
        session: SessionId,
    ) -> Result<(), ApiError> {
        match self.live.get(&session) {
            Some(l) if l.view.customer.id == customer => Ok(()),
            Some(_) => Err(ApiError::forbidden(format!(
                "session {session} is not yours"
            ))),
            None => Err(ApiError::not_found(format!("no open session {session}"))),
        }
    }

    pub(super) fn customer_send(
        &mut self,
        conn: ConnId,
        customer: CustomerId,
        q: SendMessage,
    ) -> Result<MessageAck, ApiError> {
        self.own_session(customer, q.session_id)?;
        self.post_message(AuthorKind::Customer, customer, q, Some(conn))
    }

    /// Stores a message and delivers it to both sides. A retry with a known `client_msg_id`
    /// gets the original ack and stores nothing. The `sender` connection gets the ack
    /// (carrying the event's cursor) instead of the event: it already has the message.
    pub fn post_message(
        &mut self,
        kind: AuthorKind,
        author: i64,
        q: SendMessage,
        sender: Option<ConnId>,
    ) -> Result<MessageAck, ApiError> {
        let SendMessage {
            session_id: session,
            client_msg_id,
            body,
        } = q;
        if client_msg_id.is_empty() || client_msg_id.len() > MAX_CLIENT_MSG_ID {
            return Err(ApiError::invalid(format!(
                "client_msg_id must be 1–{MAX_CLIENT_MSG_ID} bytes"
            )));
        }
        if body.trim().is_empty() {
            return Err(ApiError::invalid("the message is empty"));
        }
        let author_name = match kind {
            AuthorKind::Agent => self.agents.get(&author).map(|e| e.row.display_name.clone()),
            AuthorKind::System => Some(SYSTEM_NAME.to_string()),
            AuthorKind::Bot => Some(self.config.bot.name.clone()),
            _ => self
                .live
                .get(&session)
                .map(|l| l.view.customer.nickname.clone()),
        }
        .unwrap_or_default();
        let now = now_ms();
        let Some(l) = self.live.get_mut(&session) else {
            return Err(ApiError::not_found(format!("no open session {session}")));
        };
        let key = (kind, author, client_msg_id.clone());
        if let Some(ack) = l.acks.get(&key) {
            return Ok(*ack);
        }
        l.view.last_seq += 1;
        let classify = (kind == AuthorKind::Customer).then(|| (l.view.last_seq, body.clone()));
        let mut postponed = false;
        let message = MessageView {
            session_id: session,
            seq: l.view.last_seq,
            author_kind: kind,
            author_id: Some(author),
            author_name,
            body,
            client_msg_id: Some(client_msg_id),
            created_at: now,
            internal: false,
        };
        match kind {
            AuthorKind::Customer => {
                l.view.waiting_since.get_or_insert(now);
                // The customer is back: the silent-customer clock stops (`idle`).
                l.view.replied_at = None;
                l.view.reminded_at = None;
                // …and a pending end waits for silence from now on (`end_ops`).
                postponed = super::end_ops::postpone_end(&mut l.view, now);
            }
            // The server's own lines (the idle reminder) change no clock.
            AuthorKind::System => {}
            _ => {
                if kind == AuthorKind::Agent {
                    l.view.replied_at = Some(now);
                    l.view.reminded_at = None;
                }
                l.view.waiting_since = None;
                if kind == AuthorKind::Agent && l.view.state == SessionState::Active {
                    l.view.first_human_reply_at.get_or_insert(now);
                }
            }
        }
        let (customer, assignee) = (l.view.customer.id, l.view.assignee);
        self.touch(session);
        if postponed {
            self.announce_session(session);
        }
        // One serialisation for both audiences.
        let ev = Event::Message {
            message: message.clone(),
        };
        let body = serde_json::to_string(&ev).unwrap_or_else(|_| "{}".into());
        // The sender's own connection is spared the event only in the stream it reads.
        let (to_customer, to_agent) = match kind {
            AuthorKind::Customer => (sender, None),
            _ if assignee == Some(author) => (None, sender),
            _ => (None, None),
        };
        let mut ack = MessageAck::from(&message);
        let stored = (session, message.seq);
        // (Pushed before its events, which refer to it.)
        self.batch.messages.push(message);
        let c = self.emit_message(Audience::Customer(customer), stored, &body, to_customer);
        let a = assignee.map(|a| self.emit_message(Audience::Agent(a), stored, &body, to_agent));
        self.message_to_watchers(session, stored, &body, assignee);
        ack.cursor = match kind {
            AuthorKind::Customer => Some(c),
            _ => a.filter(|_| to_agent.is_some()),
        };
        if let Some(l) = self.live.get_mut(&session) {
            l.acks.insert(key, ack);
        }
        if let Some((seq, text)) = classify {
            self.note_intent(session, seq, &text);
        }
        Ok(ack)
    }

    /// Typing indicators are ephemeral: sent to the other side now, never stored.
    pub fn typing(&mut self, kind: AuthorKind, author: i64, session: SessionId, active: bool) {
        let Some(l) = self.live.get(&session) else {
            return;
        };
        let (name, conns) = match kind {
            AuthorKind::Customer => {
                let Some(a) = l.view.assignee else { return };
                (
                    l.view.customer.nickname.clone(),
                    self.agents
                        .get(&a)
                        .map(|e| e.conns.clone())
                        .unwrap_or_default(),
                )
            }
            _ => (
                self.agents
                    .get(&author)
                    .map(|e| e.row.display_name.clone())
                    .unwrap_or_default(),
                self.customer_conns
                    .get(&l.view.customer.id)
                    .cloned()
                    .unwrap_or_default(),
            ),
        };
        let frame = ServerFrame::Typing {
            session_id: session,
            author_kind: kind,
            name,
            active,
        };
        let text = serde_json::to_string(&frame).unwrap_or_default();
        for c in conns {
            if let Some(conn) = self.conns.get(&c)
                && matches!(conn.auth, Auth::Agent(_) | Auth::Customer(_))
            {
                conn.out.send(text.clone());
            }
        }
    }

    /// An agent reads a transcript: of a session they serve now, of any past session of a
    /// customer they serve now, or any at all as a supervisor.
    pub(super) fn agent_transcript(
        &mut self,
        r: Responder<TranscriptReply>,
        agent: AgentId,
        q: Transcript,
    ) {
        // The one access rule (`history::access`): what they served, the customers they
        // serve now, or everything for supervisors.
        let scope = self.history_scope(agent);
        self.read_transcript(r, q, Some(agent), move |rd, s| {
            Ok(super::history_ops::may_read(rd, &scope, s)?.then(|| s.clone()))
        });
    }

    /// A customer reads one of their own sessions, without the agents' internal labels.
    pub(super) fn customer_transcript(
        &mut self,
        r: Responder<TranscriptReply>,
        customer: CustomerId,
        q: Transcript,
    ) {
        // Without internal notes (`note_ops`).
        self.read_transcript(r, q, None, move |_, s| {
            Ok((s.customer.id == customer).then(|| s.for_customer()))
        });
    }

    /// Reads a transcript once every acked message is on disk; `visible` decides whether the
    /// reader may see the session, and how; a `public` one holds no internal notes.
    fn read_transcript(
        &mut self,
        r: Responder<TranscriptReply>,
        q: Transcript,
        // The agent who reads (their refusals are audited); none: the customer (public).
        reader: Option<AgentId>,
        visible: impl FnOnce(
            &mut dyn crate::store::Read,
            &SessionView,
        ) -> crate::store::Result<Option<SessionView>>
        + Send
        + 'static,
    ) {
        let session = q.session_id;
        let limit = q.limit.unwrap_or(MAX_TRANSCRIPT).min(MAX_TRANSCRIPT);
        let after = q.after_seq.unwrap_or(0);
        let public = reader.is_none();
        let read = move |tx: &mut dyn crate::store::Read| {
            let Some(s) = tx.session(session)? else {
                return Ok(Err(ApiError::not_found(format!("no session {session}"))));
            };
            let Some(shown) = visible(tx, &s)? else {
                return Ok(Err(ApiError::forbidden(format!(
                    "you may not read session {session}"
                ))));
            };
            let messages = if public {
                tx.public_transcript(session, after, limit)?
            } else {
                tx.transcript(session, after, limit)?
            };
            Ok(Ok(TranscriptReply {
                session: shown,
                messages,
            }))
        };
        match reader {
            Some(a) => {
                let action = crate::permissions::Action::ReadConversation;
                self.read_reply_audited(r, a, action, format!("session:{session}"), read)
            }
            None => self.read_reply(r, read),
        }
    }

    /// A customer's profile with their recent sessions, for an agent serving them (or a
    /// supervisor).
    pub(super) fn profile(
        &mut self,
        r: Responder<ProfileReply>,
        agent: AgentId,
        customer: CustomerId,
    ) {
        // Own: they serve (or were mentioned in) an open session of the customer; groups:
        // the group of the customer's open session, if any.
        let own = self
            .live
            .values()
            .any(|l| l.view.customer.id == customer && self.serves(agent, l.view.id))
            || self.watches_customer(agent, customer);
        let group = self
            .open_by_customer
            .get(&customer)
            .and_then(|s| self.session_group(*s));
        let groups: Vec<&str> = group.into_iter().collect();
        let resource = crate::permissions::Resource::of(own, &groups);
        let action = crate::permissions::Action::ReadConversation;
        if let Err(e) = self.permit(agent, action, resource, &format!("customer:{customer}")) {
            return self.answer(r, Err(e));
        }
        self.read_reply(r, move |tx| {
            Ok(match tx.customer(customer)? {
                None => Err(ApiError::not_found(format!("no customer {customer}"))),
                Some(c) => Ok(ProfileReply {
                    customer: c,
                    sessions: tx.sessions_of_customer(customer, PROFILE_SESSIONS)?,
                }),
            })
        });
    }
}
