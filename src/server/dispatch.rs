//! Which handler answers which request, on which endpoint and in which login state. Handlers
//! answered at once return their typed reply ([`Hub::now`]); those that read or hash first take
//! the [`Responder`] and answer later.

use super::hub::{Auth, Endpoint, Hub};
use super::outbox::{ConnId, Outbox};
use super::respond::Responder;
use crate::model::{AgentId, AuthorKind};
use crate::protocol::{ApiError, Request};
use serde::Serialize;
use serde_json::Value;

impl Hub {
    pub(super) fn dispatch(&mut self, conn: ConnId, id: Value, request: Request) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        let (endpoint, auth, out) = (c.endpoint, c.auth, c.out.clone());
        match endpoint {
            Endpoint::Agent => self.agent_request(conn, auth, out, id, request),
            Endpoint::Customer => self.customer_request(conn, auth, out, id, request),
        }
    }

    /// Handles a request that is answered at once (after the commit of what it changed).
    fn now<R: Serialize>(
        &mut self,
        out: Outbox,
        id: Value,
        handler: impl FnOnce(&mut Hub) -> Result<R, ApiError>,
    ) {
        let r = Responder::new(out, id);
        let result = handler(self);
        self.answer(r, result);
    }

    /// Requests on the agent endpoint.
    fn agent_request(&mut self, conn: ConnId, auth: Auth, out: Outbox, id: Value, req: Request) {
        let agent = || require_agent(auth);
        // Any request of a logged-in agent counts as using the sign-in (`sign_ins`).
        self.touch_sign_in(conn);
        // The permission table's role-level gate (`permit`); handlers check resources.
        if let Auth::Agent(a) = auth
            && let Err(e) = self.gate(a, &req)
        {
            return self.now(out, id, |_| Err::<(), _>(e));
        }
        match req {
            Request::Login(q) => self.login(Responder::new(out, id), conn, auth, q),
            Request::Resume(q) => self.resume(Responder::new(out, id), conn, auth, q),
            Request::ChangePassword(q) => {
                self.change_password(Responder::new(out, id), conn, auth, q)
            }
            Request::Logout(_) => self.now(out, id, |h| h.logout(conn, auth)),
            Request::SetStatus(q) => self.now(out, id, |h| h.set_status(agent()?, q.status)),
            Request::Accept(q) => self.now(out, id, |h| h.accept(agent()?, q.session_id)),
            Request::Reject(q) => self.now(out, id, |h| h.reject(agent()?, q.session_id)),
            Request::Snapshot(_) => self.now(out, id, |h| Ok(h.snapshot(agent()?))),
            Request::Directory(_) => self.now(out, id, |h| {
                agent()?;
                Ok(h.directory())
            }),
            Request::Transfer(q) => self.now(out, id, |h| h.transfer(agent()?, q)),
            Request::Tag(q) => self.now(out, id, |h| h.tag(agent()?, q)),
            Request::FollowUp(q) => self.now(out, id, |h| h.follow_up(agent()?, q)),
            Request::End(q) => self.now(out, id, |h| h.end(agent()?, q)),
            Request::EndCancel(q) => self.now(out, id, |h| h.end_cancel(agent()?, q)),
            Request::TagsSuggest(q) => {
                let r = Responder::new(out, id);
                match agent() {
                    Ok(_) => self.tags_suggest(r, q),
                    Err(e) => self.answer(r, Err(e)),
                }
            }
            Request::SendMessage(q) => self.now(out, id, |h| h.agent_send(conn, agent()?, q)),
            Request::Typing(q) => self.now(out, id, |h| {
                let a = agent()?;
                h.check_session(a, q.session_id)?;
                h.typing(AuthorKind::Agent, a, q.session_id, q.active);
                Ok(crate::protocol::Empty {})
            }),
            Request::Profile(q) => {
                let r = Responder::new(out, id);
                match agent() {
                    Ok(a) => self.profile(r, a, q.customer_id),
                    Err(e) => self.answer(r, Err(e)),
                }
            }
            Request::Transcript(q) => {
                let r = Responder::new(out, id);
                match agent() {
                    Ok(a) => self.agent_transcript(r, a, q),
                    Err(e) => self.answer(r, Err(e)),
                }
            }
            Request::KbSearch(q) => {
                let r = Responder::new(out, id);
                match agent() {
                    Ok(_) => self.kb_search(r, q),
                    Err(e) => self.answer(r, Err(e)),
                }
            }
            Request::KbGet(q) => {
                let r = Responder::new(out, id);
                match agent() {
                    Ok(a) => self.kb_get(r, a, q.article_id),
                    Err(e) => self.answer(r, Err(e)),
                }
            }
            Request::KbHistory(q) => {
                let r = Responder::new(out, id);
                match agent() {
                    Ok(a) => self.kb_history(r, a, q.article_id),
                    Err(e) => self.answer(r, Err(e)),
                }
            }
            Request::KbSent(q) => {
                let r = Responder::new(out, id);
                match agent() {
                    Ok(a) => self.kb_sent(r, a, q),
                    Err(e) => self.answer(r, Err(e)),
                }
            }
            req @ (Request::KbPropose(_)
            | Request::KbProposals(_)
            | Request::KbProposalGet(_)
            | Request::KbReview(_)
            | Request::KbWithdraw(_)
            | Request::KbUpdates(_)
            | Request::KbCheckIn(_)
            | Request::KbCheckins(_)) => match agent() {
                Ok(a) => self.kb_flow_request(a, out, id, req),
                Err(e) => self.now(out, id, |_| Err::<(), _>(e)),
            },
            Request::QuickReplies(_) => {
                let r = Responder::new(out, id);
                match agent() {
                    Ok(a) => self.quick_replies(r, a),
                    Err(e) => self.answer(r, Err(e)),
                }
            }
            Request::QuickReplySave(q) => {
                let r = Responder::new(out, id);
                match agent() {
                    Ok(a) => self.quick_reply_save(r, a, q),
                    Err(e) => self.answer(r, Err(e)),
                }
            }
            Request::QuickReplyDelete(q) => {
                let r = Responder::new(out, id);
                match agent() {
                    Ok(a) => self.quick_reply_delete(r, a, q.quick_reply_id),
                    Err(e) => self.answer(r, Err(e)),
                }
            }
            Request::QuickReplyUsed(q) => {
                let r = Responder::new(out, id);
                match agent() {
                    Ok(a) => self.quick_reply_used(r, a, q.quick_reply_id),
                    Err(e) => self.answer(r, Err(e)),
                }
            }
            Request::Suggest(q) => {
                let r = Responder::new(out, id);
                match agent() {
                    Ok(a) => self.suggest(r, a, q.session_id),
                    Err(e) => self.answer(r, Err(e)),
                }
            }
            Request::SessionCc(q) => {
                let r = Responder::new(out, id);
                match agent() {
                    Ok(a) => self.session_cc(r, a, q),
                    Err(e) => self.answer(r, Err(e)),
                }
            }
            Request::CcContacts(_) => self.now(out, id, |h| h.cc_contacts(agent()?)),
            Request::CcList(q) => {
                let r = Responder::new(out, id);
                match agent() {
                    Ok(a) => self.cc_list(r, a, q),
                    Err(e) => self.answer(r, Err(e)),
                }
            }
            Request::NoteAdd(q) => self.now(out, id, |h| h.note_add(conn, agent()?, q)),
            Request::MentionsList(q) => {
                let r = Responder::new(out, id);
                match agent() {
                    Ok(a) => self.mentions_list(r, a, q),
                    Err(e) => self.answer(r, Err(e)),
                }
            }
            Request::MentionRead(q) => {
                let r = Responder::new(out, id);
                match agent() {
                    Ok(a) => self.mention_read(r, a, q),
                    Err(e) => self.answer(r, Err(e)),
                }
            }
            Request::HistorySearch(q) => {
                let r = Responder::new(out, id);
                match agent() {
                    Ok(a) => self.history_search(r, a, q),
                    Err(e) => self.answer(r, Err(e)),
                }
            }

            Request::HistorySession(q) => {
                let r = Responder::new(out, id);
                match agent() {
                    Ok(a) => self.history_session(r, a, q),
                    Err(e) => self.answer(r, Err(e)),
                }
            }

            Request::ReportGet(q) => {
                let r = Responder::new(out, id);
                match agent() {
                    Ok(a) => self.report_get(r, a, q),
                    Err(e) => self.answer(r, Err(e)),
                }
            }

            Request::DashboardWatch(q) => {
                let r = Responder::new(out, id);
                match agent() {
                    Ok(a) => self.dashboard_watch(r, conn, a, q),
                    Err(e) => self.answer(r, Err(e)),
                }
            }

            Request::AgentSetStatus(q) => self.now(out, id, |h| h.agent_set_status(agent()?, q)),

            Request::TakeOver(q) => self.now(out, id, |h| h.take_over(agent()?, q)),

            // Issue 12: each handler checks the connection's login state itself (the
            // second-factor requests are also allowed while enrolment is owed).
            Request::TotpEnroll(q) => self.totp_enroll(Responder::new(out, id), conn, auth, q),
            Request::TotpConfirm(q) => self.totp_confirm(Responder::new(out, id), conn, auth, q),
            Request::TotpDisable(q) => self.totp_disable(Responder::new(out, id), conn, auth, q),
            Request::DevicesList(q) => self.devices_list(Responder::new(out, id), conn, auth, q),
            Request::DeviceEnd(q) => self.device_end(Responder::new(out, id), conn, auth, q),
            Request::TokenRenew(q) => self.token_renew(Responder::new(out, id), conn, auth, q),
            Request::MeGet(q) => self.me_get(Responder::new(out, id), conn, auth, q),
            Request::MeUpdate(q) => self.me_update(Responder::new(out, id), conn, auth, q),
            Request::AuditList(q) => self.audit_list(Responder::new(out, id), conn, auth, q),

            Request::Hello(_) => self.now(out, id, |_| Err::<(), _>(already_greeted())),
            Request::CustomerStart(_) | Request::CustomerResume(_) | Request::Rate(_) => {
                self.now(out, id, |_| {
                    agent()?;
                    Err::<(), _>(ApiError::invalid(
                        "this request is for the customer endpoint",
                    ))
                })
            }
        }
    }

    /// Requests on the customer endpoint.
    fn customer_request(&mut self, conn: ConnId, auth: Auth, out: Outbox, id: Value, req: Request) {
        let customer = || match auth {
            Auth::Customer(c) => Ok(c),
            _ => Err(ApiError::unauthorized(
                "start or resume a conversation first",
            )),
        };
        match req {
            Request::CustomerStart(q) => {
                self.customer_start(Responder::new(out, id), conn, auth, q)
            }
            Request::CustomerResume(q) => {
                self.customer_resume(Responder::new(out, id), conn, auth, q)
            }
            Request::Rate(q) => {
                let r = Responder::new(out, id);
                match customer() {
                    Ok(c) => self.rate(r, c, q),
                    Err(e) => self.answer(r, Err(e)),
                }
            }
            Request::SendMessage(q) => {
                self.now(out, id, |h| h.customer_send_metered(conn, customer()?, q))
            }
            Request::End(q) => self.now(out, id, |h| h.customer_end(customer()?, q)),
            Request::Typing(q) => self.now(out, id, |h| {
                let c = customer()?;
                h.own_session(c, q.session_id)?;
                h.typing(AuthorKind::Customer, c, q.session_id, q.active);
                Ok(crate::protocol::Empty {})
            }),
            Request::Transcript(q) => {
                let r = Responder::new(out, id);
                match customer() {
                    Ok(c) => self.customer_transcript(r, c, q),
                    Err(e) => self.answer(r, Err(e)),
                }
            }
            Request::Hello(_) => self.now(out, id, |_| Err::<(), _>(already_greeted())),
            _ => self.now(out, id, |_| {
                customer()?;
                Err::<(), _>(ApiError::invalid("this request is for the agent endpoint"))
            }),
        }
    }
}

/// The agent behind a connection that may work (logged in, password changed).
pub fn require_agent(auth: Auth) -> Result<AgentId, ApiError> {
    match auth {
        Auth::Agent(a) => Ok(a),
        Auth::AgentPending(_, super::hub::Owed::Password) => Err(ApiError::forbidden(
            "you must change your password first (change_password)",
        )),
        Auth::AgentPending(_, super::hub::Owed::SecondFactor) => Err(ApiError::forbidden(
            "your role requires two-factor sign-in: enrol first (totp.enroll, then \
             totp.confirm with a code from your authenticator app)",
        )),
        _ => Err(ApiError::unauthorized("log in first (login or resume)")),
    }
}

fn already_greeted() -> ApiError {
    ApiError::conflict("`hello` was already answered on this connection")
}
