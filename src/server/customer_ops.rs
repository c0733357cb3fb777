//! Requests on the customer endpoint (start, resume, rate), and what both sides share:
//! messages, typing, transcripts and profiles.

use super::conn::ConnId;
use super::hub::{Auth, Hub, Live, ack_of};
use crate::auth;
use crate::model::{
    AuthorKind, Channel, CustomerId, SessionId, SessionState, now_ms, priority_for,
};
use crate::protocol::{
    ApiError, CustomerView, Event, MessageView, Request, ServerFrame, SessionView,
};
use crate::store::{Audience, Principal, Viewer};
use serde_json::{Value, json};
use std::collections::HashMap;

const MAX_NICKNAME_CHARS: usize = 64;
const MAX_CLIENT_MSG_ID: usize = 128;
/// Most messages one transcript request returns.
const MAX_TRANSCRIPT: u32 = 500;

impl Hub {
    pub fn customer_request(
        &mut self,
        conn: ConnId,
        auth: Auth,
        id: &Value,
        request: Request,
    ) -> Result<Option<Value>, ApiError> {
        let now = now_ms();
        match request {
            Request::CustomerStart {
                channel,
                nickname,
                external_id,
                external_id_signature,
                group,
                token,
            } => {
                // An external id names a customer and their history: only the shop's backend may
                // vouch for it, by signing it with the shared identity secret.
                if let (Some(secret), Some(ext)) =
                    (&self.config.auth.customer_identity_secret, &external_id)
                {
                    let expected = auth::sign_identity(secret, ext);
                    let given = external_id_signature
                        .as_deref()
                        .unwrap_or_default()
                        .to_ascii_lowercase();
                    if !auth::constant_time_eq(expected.as_bytes(), given.as_bytes()) {
                        return Err(ApiError::unauthorized(
                            "external_id needs a valid external_id_signature (HMAC-SHA256 by the site's backend)",
                        ));
                    }
                }
                let group = group.unwrap_or_else(|| self.config.routing.default_group.clone());
                if !self.engine.has_group(&group) {
                    return Err(ApiError::not_found(format!("no skill group `{group}`")));
                }
                let nickname = nickname.unwrap_or_default().trim().to_string();
                if nickname.chars().count() > MAX_NICKNAME_CHARS {
                    return Err(ApiError::invalid(format!(
                        "nickname over {MAX_NICKNAME_CHARS} characters"
                    )));
                }
                let known = match auth {
                    Auth::Customer(c) => Some(c),
                    _ => None,
                };
                let fresh_id = self.next_customer_id;
                self.next_customer_id += 1;
                let id = id.clone();
                let token_hash = token.as_deref().map(auth::token_hash);
                let read = move |tx: &mut dyn crate::store::Tx| {
                    // Who is this? This connection's customer, a token, an external id, or new.
                    let mut customer = None;
                    if let Some(c) = known {
                        customer = tx.customer(c)?;
                    }
                    // A token is reused only if it really identified the customer.
                    let mut valid_token = None;
                    if let (None, Some(h)) = (&customer, &token_hash)
                        && let Some(Principal::Customer(c)) = tx.token(h, now)?
                    {
                        customer = tx.customer(c)?;
                        valid_token = customer.as_ref().map(|_| h.clone());
                    }
                    if let (None, Some(ext)) = (&customer, &external_id) {
                        customer = tx.customer_by_external_id(ext)?;
                    }
                    let customer = match customer {
                        Some(c) => c,
                        None => {
                            let nick = if nickname.is_empty() {
                                format!("guest-{fresh_id}")
                            } else {
                                nickname
                            };
                            let c = CustomerView {
                                id: fresh_id,
                                external_id,
                                nickname: nick,
                                channel,
                                vip: false,
                                tags: Vec::new(),
                            };
                            tx.insert_customer(&c, now)?;
                            c
                        }
                    };
                    Ok((customer, valid_token.filter(|_| known.is_none())))
                };
                self.read_then(read, move |hub, (customer, reuse_token)| {
                    hub.finish_customer_start(conn, id, customer, channel, group, reuse_token)
                });
                Ok(None)
            }
            Request::CustomerResume { token, cursor } => {
                if auth != Auth::None {
                    return Err(ApiError::conflict("this connection is already identified"));
                }
                let id = id.clone();
                let hash = auth::token_hash(&token);
                let lookup = hash.clone();
                self.read_then(
                    move |tx| match tx.token(&lookup, now)? {
                        Some(Principal::Customer(c)) => tx.customer(c),
                        _ => Ok(None),
                    },
                    move |hub, customer| {
                        hub.finish_customer_resume(conn, id, customer, hash, cursor)
                    },
                );
                Ok(None)
            }
            other => {
                let Auth::Customer(customer) = auth else {
                    return Err(ApiError::unauthorized(
                        "start or resume a conversation first",
                    ));
                };
                self.customer_action(customer, other)
            }
        }
    }

    fn customer_action(
        &mut self,
        customer: CustomerId,
        request: Request,
    ) -> Result<Option<Value>, ApiError> {
        let own = |hub: &Hub, session: SessionId| -> Result<(), ApiError> {
            match hub.live.get(&session) {
                Some(l) if l.view.customer.id == customer => Ok(()),
                Some(_) => Err(ApiError::forbidden(format!(
                    "session {session} is not yours"
                ))),
                None => Err(ApiError::not_found(format!("no open session {session}"))),
            }
        };
        match request {
            Request::SendMessage {
                session_id,
                client_msg_id,
                body,
            } => {
                own(self, session_id)?;
                let ack = self.post_message(
                    AuthorKind::Customer,
                    customer,
                    session_id,
                    client_msg_id,
                    body,
                )?;
                Ok(Some(ack))
            }
            Request::Typing { session_id, active } => {
                own(self, session_id)?;
                self.typing(AuthorKind::Customer, customer, session_id, active);
                Ok(Some(json!({})))
            }
            Request::Transcript {
                session_id,
                after_seq,
                limit,
            } => {
                self.read_transcript(session_id, after_seq, limit, move |s| {
                    s.customer.id == customer
                });
                Ok(None)
            }
            Request::Rate { session_id, stars } => {
                if !(1..=5).contains(&stars) {
                    return Err(ApiError::invalid("stars must be 1 to 5"));
                }
                let Some((out, id)) = self.pending_reply() else {
                    return Ok(None);
                };
                self.batch.work.push(Box::new(move |tx| {
                    let outcome = match tx.session(session_id)? {
                        None => Err(ApiError::not_found(format!("no session {session_id}"))),
                        Some(s) if s.customer.id != customer => Err(ApiError::forbidden(format!(
                            "session {session_id} is not yours"
                        ))),
                        Some(s) if s.state != SessionState::Ended => {
                            Err(ApiError::conflict("the conversation has not ended yet"))
                        }
                        Some(s) if s.csat.is_some() => {
                            Err(ApiError::conflict("this conversation is already rated"))
                        }
                        Some(mut s) => {
                            s.csat = Some(stars);
                            tx.put_session(&s, None)?;
                            Ok(json!({"session_id": session_id, "stars": stars}))
                        }
                    };
                    Ok(Some(reply_after(out, id, outcome)))
                }));
                Ok(None)
            }
            _ => Err(ApiError::invalid("this request is for the agent endpoint")),
        }
    }

    fn register_customer(&mut self, conn: ConnId, customer: CustomerId, token_hash: String) {
        if let Some(c) = self.conns.get_mut(&conn) {
            c.auth = Auth::Customer(customer);
            c.token_hash = Some(token_hash);
        }
        self.customer_conns
            .entry(customer)
            .or_default()
            .insert(conn);
    }

    fn finish_customer_start(
        &mut self,
        conn: ConnId,
        id: Value,
        customer: CustomerView,
        channel: Channel,
        group: String,
        reuse_token: Option<String>,
    ) {
        let Some(out) = self.conns.get(&conn).map(|c| c.out.clone()) else {
            return;
        };
        let now = now_ms();
        let token = match self.conns.get(&conn).and_then(|c| c.token_hash.clone()) {
            Some(_) => None, // already identified on this connection
            None => {
                if let Some(h) = reuse_token {
                    self.register_customer(conn, customer.id, h);
                    None
                } else {
                    let t = auth::new_token();
                    let h = auth::token_hash(&t);
                    let expires = now + (self.config.auth.customer_token_days * 86_400_000) as i64;
                    let cid = customer.id;
                    let h2 = h.clone();
                    self.batch.work.push(Box::new(move |tx| {
                        tx.insert_token(&h2, Principal::Customer(cid), expires, now)?;
                        Ok(None)
                    }));
                    self.register_customer(conn, customer.id, h);
                    Some(t)
                }
            }
        };
        // One open conversation per customer: starting again returns it.
        let session = match self.open_by_customer.get(&customer.id) {
            Some(s) => *s,
            None => {
                let sid = self.next_session_id;
                self.next_session_id += 1;
                let priority = priority_for(customer.vip, &customer.tags);
                let view = SessionView {
                    id: sid,
                    customer: customer.clone(),
                    channel,
                    state: SessionState::Queued,
                    group: group.clone(),
                    assignee: None,
                    priority,
                    intent: None,
                    tags: Vec::new(),
                    follow_up: false,
                    created_at: now,
                    queued_at: Some(now),
                    offered_at: None,
                    accepted_at: None,
                    first_human_reply_at: None,
                    ended_at: None,
                    end_reason: None,
                    csat: None,
                    last_seq: 0,
                    waiting_since: None,
                };
                self.live.insert(
                    sid,
                    Live {
                        view,
                        acks: HashMap::new(),
                    },
                );
                self.open_by_customer.insert(customer.id, sid);
                self.touch(sid);
                match self.engine.enqueue(sid, &group, priority, now) {
                    Ok(fx) => self.apply(fx),
                    Err(e) => tracing::error!(error = %e, "enqueue failed"),
                }
                sid
            }
        };
        let state = self.live.get(&session).map(|l| l.view.state);
        self.reply(
            &out,
            &id,
            json!({"token": token, "customer_id": customer.id, "session_id": session, "state": state, "cursor": self.head()}),
        );
    }

    fn finish_customer_resume(
        &mut self,
        conn: ConnId,
        id: Value,
        customer: Option<CustomerView>,
        token_hash: String,
        cursor: Option<i64>,
    ) {
        let Some(out) = self.conns.get(&conn).map(|c| c.out.clone()) else {
            return;
        };
        let Some(customer) = customer else {
            return self.reply_err(
                &out,
                &id,
                &ApiError::unauthorized("the token is invalid or expired"),
            );
        };
        self.register_customer(conn, customer.id, token_hash);
        let session = self.open_by_customer.get(&customer.id).copied();
        self.reply(
            &out,
            &id,
            json!({"customer_id": customer.id, "session_id": session, "cursor": self.head()}),
        );
        if let Some(c) = cursor {
            self.replay(&out, Viewer::Customer(customer.id), c);
        }
    }

    /// Stores a message and delivers it to both sides. A retry with a known `client_msg_id`
    /// gets the original ack and stores nothing.
    pub fn post_message(
        &mut self,
        kind: AuthorKind,
        author: i64,
        session: SessionId,
        client_msg_id: String,
        body: String,
    ) -> Result<Value, ApiError> {
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
            return Ok(ack.clone());
        }
        l.view.last_seq += 1;
        let message = MessageView {
            session_id: session,
            seq: l.view.last_seq,
            author_kind: kind,
            author_id: Some(author),
            author_name,
            body,
            client_msg_id: Some(client_msg_id),
            created_at: now,
        };
        match kind {
            AuthorKind::Customer => {
                l.view.waiting_since.get_or_insert(now);
            }
            _ => {
                l.view.waiting_since = None;
                if kind == AuthorKind::Agent && l.view.state == SessionState::Active {
                    l.view.first_human_reply_at.get_or_insert(now);
                }
            }
        }
        let ack = ack_of(&message);
        l.acks.insert(key, ack.clone());
        let (customer, assignee) = (l.view.customer.id, l.view.assignee);
        self.touch(session);
        let ev = Event::Message {
            message: message.clone(),
        };
        self.batch.messages.push(message);
        self.emit(Audience::Customer(customer), Some(session), &ev);
        if let Some(a) = assignee {
            self.emit(Audience::Agent(a), Some(session), &ev);
        }
        Ok(ack)
    }

    /// Typing indicators are ephemeral: sent to the other side now, never stored.
    pub fn typing(&mut self, kind: AuthorKind, author: i64, session: SessionId, active: bool) {
        let Some(l) = self.live.get(&session) else {
            return;
        };
        let (name, audience) = match kind {
            AuthorKind::Customer => (
                l.view.customer.nickname.clone(),
                l.view.assignee.map(Audience::Agent),
            ),
            _ => (
                self.agents
                    .get(&author)
                    .map(|e| e.row.display_name.clone())
                    .unwrap_or_default(),
                Some(Audience::Customer(l.view.customer.id)),
            ),
        };
        let Some(audience) = audience else { return };
        let frame = ServerFrame::Typing {
            session_id: session,
            author_kind: kind,
            name,
            active,
        };
        let text = serde_json::to_string(&frame).unwrap_or_default();
        let audience_conns = match audience {
            Audience::Agent(a) => self
                .agents
                .get(&a)
                .map(|e| e.conns.clone())
                .unwrap_or_default(),
            Audience::Customer(c) => self.customer_conns.get(&c).cloned().unwrap_or_default(),
            Audience::Supervisors => Default::default(),
        };
        for c in audience_conns {
            if let Some(conn) = self.conns.get(&c)
                && matches!(conn.auth, Auth::Agent(_) | Auth::Customer(_))
            {
                conn.out.send(text.clone());
            }
        }
    }

    /// Reads a transcript in the committer's order (so it includes every acked message) and
    /// replies to the connection that asked, if `allowed` accepts the session.
    pub fn read_transcript(
        &mut self,
        session: SessionId,
        after_seq: Option<i64>,
        limit: Option<u32>,
        allowed: impl FnOnce(&SessionView) -> bool + Send + 'static,
    ) {
        let Some((out, id)) = self.pending_reply() else {
            return;
        };
        let limit = limit.unwrap_or(MAX_TRANSCRIPT).min(MAX_TRANSCRIPT);
        self.batch.work.push(Box::new(move |tx| {
            let outcome = match tx.session(session)? {
                None => Err(ApiError::not_found(format!("no session {session}"))),
                Some(s) if !allowed(&s) => Err(ApiError::forbidden(format!(
                    "you may not read session {session}"
                ))),
                Some(s) => {
                    let messages = tx.transcript(session, after_seq.unwrap_or(0), limit)?;
                    Ok(json!({"session": s, "messages": messages}))
                }
            };
            Ok(Some(reply_after(out, id, outcome)))
        }));
    }

    /// A customer's profile with their recent sessions.
    pub fn read_profile(&mut self, _agent: i64, customer: CustomerId) {
        let Some((out, id)) = self.pending_reply() else {
            return;
        };
        self.batch.work.push(Box::new(move |tx| {
            let outcome = match tx.customer(customer)? {
                None => Err(ApiError::not_found(format!("no customer {customer}"))),
                Some(c) => {
                    let sessions = tx.sessions_of_customer(customer, 50)?;
                    Ok(json!({"customer": c, "sessions": sessions}))
                }
            };
            Ok(Some(reply_after(out, id, outcome)))
        }));
    }

    /// The connection and request id being handled, for replies produced inside a store job.
    pub(super) fn pending_reply(&self) -> Option<(super::conn::Outbox, Value)> {
        self.current
            .as_ref()
            .and_then(|(conn, id)| self.conns.get(conn).map(|c| (c.out.clone(), id.clone())))
    }
}

pub(super) fn reply_after(
    out: super::conn::Outbox,
    id: Value,
    outcome: Result<Value, ApiError>,
) -> crate::store::committer::AfterCommit {
    Box::new(move || {
        out.send(match outcome {
            Ok(v) => crate::protocol::reply_ok(&id, v),
            Err(e) => crate::protocol::reply_err(&id, &e),
        })
    })
}
