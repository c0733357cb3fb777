//! Internal notes and @mentions on the hub (`docs/notes.md`). A note is a message with
//! `internal` set that only agents ever see: it is delivered to the assignee, to supervisors
//! and admins (their own audience), to every colleague mentioned in the conversation so far,
//! and to its author — never to the customer's audience, so neither their connections, their
//! replay, their transcript nor a channel webhook can carry it.
//!
//! A mentioned colleague gets a durable `mentioned` event and, while the conversation is
//! open, may read it (transcript, profile, live messages) and add notes; nothing else. The
//! `NoteBook` (`note_book`) remembers who was mentioned where (rebuilt from the store at start-up) and
//! forgets a conversation when it ends, which is when that access ends.

use super::hub::Hub;
use super::note_book::read_only;
use super::outbox::ConnId;
use super::respond::Responder;
use crate::model::{AgentId, AuthorKind, SessionId, now_ms};
use crate::permissions::{Action, Resource};
use crate::protocol::{
    ApiError, Event, MAX_MENTIONS, MentionRead, MentionReadReply, MentionView, MentionsList,
    MentionsReply, MessageAck, MessageView, NoteAdd, excerpt,
};
use crate::store::Audience;
use crate::store::notes::NewMention;

const MAX_CLIENT_MSG_ID: usize = 128;
/// Most mentions `mentions.list` returns.
const MAX_LISTED: u32 = 200;

impl Hub {
    /// The agent may write a note: the session is open and theirs, they are a supervisor or
    /// admin, or they were mentioned in it.
    fn may_note(&self, agent: AgentId, session: SessionId) -> Result<(), ApiError> {
        let Some(l) = self.live.get(&session) else {
            return Err(ApiError::not_found(format!("no open session {session}")));
        };
        let own = l.view.assignee == Some(agent) || self.notes.watches(agent, session);
        let groups = [l.view.group.as_str()];
        let target = format!("session:{session}");
        self.permit(agent, Action::AddNote, Resource::of(own, &groups), &target)
    }

    /// The error for an action a mentioned colleague may not take (`check_session` hook):
    /// clearer than "not assigned to you".
    pub fn watcher_error(&self, agent: AgentId, session: SessionId) -> Option<ApiError> {
        self.notes
            .watches(agent, session)
            .then(|| read_only(session))
    }

    /// The agent may read the conversation's customer through a mention (transcript, profile).
    pub fn watches_customer(&self, agent: AgentId, customer: crate::model::CustomerId) -> bool {
        self.live
            .values()
            .any(|l| l.view.customer.id == customer && self.notes.watches(agent, l.view.id))
    }

    /// The mentioned usernames as agents: unknown ones are `invalid`, all named at once.
    fn mentioned_agents(
        &self,
        author: AgentId,
        names: &[String],
    ) -> Result<Vec<AgentId>, ApiError> {
        if names.len() > MAX_MENTIONS {
            return Err(ApiError::invalid(format!(
                "a note may mention at most {MAX_MENTIONS} colleagues"
            )));
        }
        let mut found = Vec::new();
        let mut unknown = Vec::new();
        for n in names {
            let n = n.trim().trim_start_matches('@');
            match self.agent_by_username(n) {
                Some(a) if a == author || found.contains(&a) => {}
                Some(a) => found.push(a),
                None => unknown.push(format!("@{n}")),
            }
        }
        if !unknown.is_empty() {
            return Err(ApiError::invalid(format!(
                "no such colleague: {}",
                unknown.join(", ")
            )));
        }
        Ok(found)
    }

    pub(super) fn note_add(
        &mut self,
        conn: ConnId,
        author: AgentId,
        q: NoteAdd,
    ) -> Result<MessageAck, ApiError> {
        let session = q.session_id;
        self.may_note(author, session)?;
        if q.client_msg_id.is_empty() || q.client_msg_id.len() > MAX_CLIENT_MSG_ID {
            return Err(ApiError::invalid(format!(
                "client_msg_id must be 1–{MAX_CLIENT_MSG_ID} bytes"
            )));
        }
        if q.body.trim().is_empty() {
            return Err(ApiError::invalid("the note is empty"));
        }
        let key = (AuthorKind::Agent, author, q.client_msg_id.clone());
        if let Some(ack) = self.live.get(&session).and_then(|l| l.acks.get(&key)) {
            return Ok(*ack);
        }
        let mentioned = self.mentioned_agents(author, &q.mentions)?;
        let by_name = self
            .agents
            .get(&author)
            .map(|e| e.row.display_name.clone())
            .unwrap_or_default();
        let now = now_ms();
        let Some(l) = self.live.get_mut(&session) else {
            return Err(ApiError::not_found(format!("no open session {session}")));
        };
        // A note takes the next seq (the agents' transcript keeps its place) but changes no
        // clock: it is not an answer to the customer.
        l.view.last_seq += 1;
        let message = MessageView {
            session_id: session,
            seq: l.view.last_seq,
            author_kind: AuthorKind::Agent,
            author_id: Some(author),
            author_name: by_name.clone(),
            body: q.body,
            client_msg_id: Some(q.client_msg_id),
            created_at: now,
            internal: true,
        };
        let (assignee, nickname) = (l.view.assignee, l.view.customer.nickname.clone());
        let seq = message.seq;
        let note_excerpt = excerpt(&message.body);
        for a in &mentioned {
            self.notes.add(session, *a);
        }
        let ev = Event::Message {
            message: message.clone(),
        };
        let body = serde_json::to_string(&ev).unwrap_or_else(|_| "{}".into());
        let mut ack = MessageAck::from(&message);
        self.batch.messages.push(message);
        // Agents who are not supervisors, each once; supervisors through their audience.
        let mut agents: Vec<AgentId> = assignee.into_iter().collect();
        agents.push(author);
        agents.extend(self.notes.watchers(session));
        agents.sort_unstable();
        agents.dedup();
        agents.retain(|a| !self.gets_supervisor_copy(*a, Some(session)));
        for a in agents {
            let except = (a == author).then_some(conn);
            let cursor = self.emit_message(Audience::Agent(a), (session, seq), &body, except);
            if a == author {
                ack.cursor = Some(cursor);
            }
        }
        let author_sup = self.gets_supervisor_copy(author, Some(session));
        let sup_except = author_sup.then_some(conn);
        let cursor = self.emit_message(Audience::Supervisors, (session, seq), &body, sup_except);
        if author_sup {
            ack.cursor = Some(cursor);
        }
        if !mentioned.is_empty() {
            let rows: Vec<NewMention> = mentioned
                .iter()
                .map(|a| NewMention {
                    session,
                    seq,
                    agent: *a,
                    by_id: author,
                    by_name: by_name.clone(),
                    at: now,
                })
                .collect();
            self.write(move |tx| tx.insert_mentions(&rows));
            for a in mentioned {
                let ev = Event::Mentioned(MentionView {
                    session_id: session,
                    seq,
                    by_id: author,
                    by_name: by_name.clone(),
                    customer: nickname.clone(),
                    excerpt: note_excerpt.clone(),
                    created_at: now,
                    read_at: None,
                    open: true,
                });
                self.emit(Audience::Agent(a), Some(session), &ev);
            }
        }
        if let Some(l) = self.live.get_mut(&session) {
            l.acks.insert(key, ack);
        }
        Ok(ack)
    }

    /// A customer's or agent's message also reaches the colleagues mentioned in the
    /// conversation (`post_message` hook): they follow it read-only while it is open.
    pub fn message_to_watchers(
        &mut self,
        session: SessionId,
        stored: (SessionId, i64),
        body: &str,
        assignee: Option<AgentId>,
    ) {
        for a in self.notes.watchers(session) {
            if Some(a) != assignee && !self.gets_supervisor_copy(a, Some(session)) {
                self.emit_message(Audience::Agent(a), stored, body, None);
            }
        }
        self.dashboard_readers_message(session, stored, body, assignee);
    }

    /// The conversation ended (`forget` hook): mentioned colleagues see it end, and their
    /// access ends with it.
    pub fn notes_session_over(&mut self, view: &crate::protocol::SessionView) {
        let session = view.id;
        let ev = Event::Session {
            session: view.clone(),
        };
        for a in self.notes.forget(session) {
            if Some(a) != view.assignee && !self.gets_supervisor_copy(a, Some(session)) {
                self.emit(Audience::Agent(a), Some(session), &ev);
            }
        }
    }

    pub(super) fn mentions_list(
        &mut self,
        r: Responder<MentionsReply>,
        agent: AgentId,
        q: MentionsList,
    ) {
        self.read_reply(r, move |rd| {
            let mentions = rd.mentions_of(agent, q.all, MAX_LISTED)?;
            Ok(Ok(MentionsReply { mentions }))
        });
    }

    pub(super) fn mention_read(
        &mut self,
        r: Responder<MentionReadReply>,
        agent: AgentId,
        q: MentionRead,
    ) {
        let session = q.session_id;
        let now = now_ms();
        self.write_then(
            move |tx| tx.read_mentions(agent, session, now),
            move |hub, read| {
                hub.answer(
                    r,
                    Ok(MentionReadReply {
                        session_id: session,
                        read,
                    }),
                )
            },
        );
    }
}
