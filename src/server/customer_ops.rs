//! The customer endpoint on the hub: starting or resuming a conversation (who the customer
//! is: this connection, a token, a signed external id, or someone new — within the address's
//! quotas), and metering what customers write. (Ending and rating: `customer_close`.)

use super::acks::AckWindow;
use super::hub::{Auth, Hub, Live};
use super::identity::{Claim, check_claim};
use super::outbox::ConnId;
use super::respond::Responder;
use crate::auth;
use crate::model::{AuthorKind, Channel, CustomerId, SessionState, now_ms, priority_for};
use crate::protocol::request::{CustomerResume, CustomerStart, SendMessage};
use crate::protocol::{
    ApiError, CustomerResumeReply, CustomerStartReply, CustomerView, ErrorCode, MessageAck,
    SessionContext, SessionView,
};
use crate::store::{Principal, Viewer};
use std::net::IpAddr;

const MAX_NICKNAME_CHARS: usize = 64;

/// A `customer.start` between its store read and its answer.
struct Start {
    conn: ConnId,
    peer: IpAddr,
    channel: Channel,
    group: String,
    reuse_token: Option<String>,
    context: Option<SessionContext>,
}

impl Hub {
    pub(super) fn customer_start(
        &mut self,
        r: Responder<CustomerStartReply>,
        conn: ConnId,
        auth: Auth,
        q: CustomerStart,
    ) {
        if let Err(e) = self.check_start(&q) {
            return self.answer(r, Err(e));
        }
        let Some(peer) = self.conns.get(&conn).map(|c| c.peer) else {
            return r.abandon();
        };
        let known = match auth {
            Auth::Customer(c) => Some(c),
            _ => None,
        };
        // An address over its quota may still return to a conversation it has open (by this
        // connection, a token or an external id), but gets no new customer and no new
        // conversation; a request that can only be new is refused before any work.
        let room = self.room_for_new(peer);
        let may_return = known.is_some() || q.token.is_some() || q.external_id.is_some();
        if let Err(e) = &room
            && !may_return
        {
            return self.answer(r, Err(e.clone()));
        }
        if let Err(e) = self.begin_auth(conn) {
            return self.answer(r, Err(e));
        }
        let may_create = room.is_ok();
        let CustomerStart {
            channel,
            nickname,
            external_id,
            group,
            token,
            context,
            ..
        } = q;
        let context = context.and_then(|c| SessionContext::normalized(*c));
        let group = group.unwrap_or_else(|| self.config.routing.default_group.clone());
        let nickname = nickname.unwrap_or_default().trim().to_string();
        let fresh_id = self.next_customer_id;
        self.next_customer_id += 1;
        let token_hash = token.as_deref().map(auth::token_hash);
        let now = now_ms();
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
                Some(c) => Some(c),
                None if may_create => {
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
                    Some(c)
                }
                None => None,
            };
            Ok((customer, valid_token.filter(|_| known.is_none())))
        };
        self.write_then(read, move |hub, (customer, reuse_token)| {
            hub.end_auth(conn);
            let start = Start {
                conn,
                peer,
                channel,
                group,
                reuse_token,
                context,
            };
            hub.finish_customer_start(r, customer, start)
        });
    }

    /// Checks a `customer.start` before anything is read or written.
    fn check_start(&self, q: &CustomerStart) -> Result<(), ApiError> {
        if let Some(ext) = &q.external_id {
            let claim = Claim {
                external_id: ext,
                signature: q.external_id_signature.as_deref(),
                expires: q.external_id_expires,
            };
            check_claim(&self.config.auth, &claim, now_ms() / 1000)?;
        }
        let group = q
            .group
            .as_deref()
            .unwrap_or(&self.config.routing.default_group);
        if !self.engine.has_group(group) {
            return Err(ApiError::not_found(format!("no skill group `{group}`")));
        }
        // Nobody of the group online, or outside its hours: the conversation still starts, as
        // a left message (`offline`) that waits for the first agent to come (`waiting_ops`).
        if let Some(c) = &q.context {
            c.check()?;
        }
        let nickname = q.nickname.as_deref().unwrap_or_default().trim();
        if nickname.chars().count() > MAX_NICKNAME_CHARS {
            return Err(ApiError::invalid(format!(
                "nickname over {MAX_NICKNAME_CHARS} characters"
            )));
        }
        Ok(())
    }

    /// Whether `peer` may open one more conversation now (`quotas`); charges nothing.
    fn room_for_new(&mut self, peer: IpAddr) -> Result<(), ApiError> {
        let live = &self.live;
        self.quotas
            .may_open(peer, now_ms(), |s| live.contains_key(&s))
            .map_err(ApiError::from)
    }

    /// A customer's message, within their quota of bytes per minute. A retry of a message
    /// already stored costs nothing (it stores nothing).
    pub(super) fn customer_send_metered(
        &mut self,
        conn: ConnId,
        customer: CustomerId,
        q: SendMessage,
    ) -> Result<MessageAck, ApiError> {
        self.own_session(customer, q.session_id)?;
        let key = (AuthorKind::Customer, customer, q.client_msg_id.clone());
        let retry = self
            .live
            .get(&q.session_id)
            .is_some_and(|l| l.acks.contains(&key));
        if !retry {
            self.quotas
                .charge_message(customer, q.body.len(), now_ms())?;
        }
        // A new message to the bot is its next turn (`bot_ops`), once stored.
        let to_bot = !retry
            && self
                .live
                .get(&q.session_id)
                .is_some_and(|l| l.view.state == SessionState::Bot);
        let heard = to_bot.then(|| (q.session_id, q.body.clone()));
        // A new message in a self-service menu is an input there (`menu_ops`), once stored.
        let to_menu = (!retry
            && self
                .live
                .get(&q.session_id)
                .is_some_and(|l| l.view.state == SessionState::Menu))
        .then(|| (q.session_id, q.body.clone()));
        let ack = self.customer_send(conn, customer, q)?;
        if let Some((session, text)) = heard {
            self.bot_hears(session, &text);
        }
        if let Some((session, text)) = to_menu {
            self.menu_hears(session, &text);
        }
        Ok(ack)
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

    /// `customer` is `None` when the address was over its quota and nobody was found.
    fn finish_customer_start(
        &mut self,
        r: Responder<CustomerStartReply>,
        customer: Option<CustomerView>,
        start: Start,
    ) {
        let Start {
            conn,
            peer,
            channel,
            group,
            reuse_token,
            context,
        } = start;
        let Some(c) = self.conns.get(&conn) else {
            return r.abandon();
        };
        let identified = c.token_hash.is_some();
        let Some(customer) = customer else {
            // Over quota when the store was read (room may have freed up since: say so).
            let e = self.room_for_new(peer).err().unwrap_or_else(|| {
                ApiError::new(
                    ErrorCode::RateLimited,
                    "your address was over its conversation quota a moment ago; retry now",
                )
            });
            return self.answer(r, Err(e));
        };
        // One open conversation per customer: starting again returns it. A new one must fit
        // the address's quota (checked again: other starts may have been booked meanwhile).
        let open = self.open_by_customer.get(&customer.id).copied();
        if open.is_none()
            && let Err(e) = self.room_for_new(peer)
        {
            return self.answer(r, Err(e));
        }
        let now = now_ms();
        let token = if identified {
            None // already identified on this connection
        } else if let Some(h) = reuse_token {
            self.register_customer(conn, customer.id, h);
            None
        } else {
            let t = auth::new_token();
            let h = auth::token_hash(&t);
            let expires = now.saturating_add(self.config.auth.customer_token_ms());
            let (cid, h2) = (customer.id, h.clone());
            self.write(move |tx| tx.insert_token(&h2, Principal::Customer(cid), expires, now));
            self.register_customer(conn, customer.id, h);
            Some(t)
        };
        let session = match open {
            Some(s) => s,
            None => {
                let s = self.open_session(customer.clone(), channel, group, context, now);
                self.quotas.opened(peer, s, now);
                s
            }
        };
        let state = self.live.get(&session).map(|l| l.view.state);
        let reply = CustomerStartReply {
            token,
            customer_id: customer.id,
            session_id: session,
            state,
            cursor: self.head(),
        };
        self.answer(r, Ok(reply));
        self.tell_waiting(session);
    }

    /// Opens a new conversation and queues it in `group`.
    pub(super) fn open_session(
        &mut self,
        customer: CustomerView,
        channel: Channel,
        group: String,
        context: Option<SessionContext>,
        now: i64,
    ) -> crate::model::SessionId {
        let sid = self.next_session_id;
        self.next_session_id += 1;
        let priority = priority_for(customer.vip, &customer.tags);
        let customer_id = customer.id;
        let view = SessionView {
            id: sid,
            customer,
            channel,
            state: SessionState::Queued,
            group: group.clone(),
            assignee: None,
            priority,
            intent: None,
            tags: Vec::new(),
            follow_up: false,
            follow_up_at: None,
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
            context,
            offline: !self.group_presence(&group, now).serving(),
            csat_comment: None,
            replied_at: None,
            reminded_at: None,
            bot: None,
            menu: None,
            ends_at: None,
            pending_end: None,
        };
        self.live.insert(
            sid,
            Live {
                view,
                acks: AckWindow::default(),
            },
        );
        self.open_by_customer.insert(customer_id, sid);
        self.touch(sid);
        // The answering bot meets it first where it fronts the group (`bot_ops`).
        if self.bot_meets(sid) {
            return sid;
        }
        match self.engine.enqueue(sid, &group, priority, now) {
            Ok(fx) => self.apply(fx),
            Err(e) => tracing::error!(error = %e, "enqueue failed"),
        }
        sid
    }

    pub(super) fn customer_resume(
        &mut self,
        r: Responder<CustomerResumeReply>,
        conn: ConnId,
        auth: Auth,
        q: CustomerResume,
    ) {
        if auth != Auth::None {
            let e = ApiError::conflict("this connection is already identified");
            return self.answer(r, Err(e));
        }
        if let Err(e) = self.begin_auth(conn) {
            return self.answer(r, Err(e));
        }
        let hash = auth::token_hash(&q.token);
        let lookup = hash.clone();
        let now = now_ms();
        self.read_then(
            move |rd| match rd.token(&lookup, now)? {
                Some(Principal::Customer(c)) => rd.customer(c),
                _ => Ok(None),
            },
            move |hub, customer| {
                hub.end_auth(conn);
                match customer {
                    Ok(customer) => hub.finish_customer_resume(r, conn, customer, hash, q.cursor),
                    Err(e) => hub.answer(r, Err(e)),
                }
            },
        );
    }

    fn finish_customer_resume(
        &mut self,
        r: Responder<CustomerResumeReply>,
        conn: ConnId,
        customer: Option<CustomerView>,
        token_hash: String,
        cursor: Option<i64>,
    ) {
        let Some(out) = self.conns.get(&conn).map(|c| c.out.clone()) else {
            return r.abandon();
        };
        let Some(customer) = customer else {
            let e = ApiError::unauthorized("the token is invalid or expired");
            return self.answer(r, Err(e));
        };
        self.register_customer(conn, customer.id, token_hash);
        let reply = CustomerResumeReply {
            customer_id: customer.id,
            session_id: self.open_by_customer.get(&customer.id).copied(),
            cursor: self.head(),
        };
        let open = reply.session_id;
        self.answer(r, Ok(reply));
        if let Some(s) = open {
            self.tell_waiting(s);
        }
        if let Some(c) = cursor {
            self.replay(&out, Viewer::Customer(customer.id), c);
        }
    }
}
