//! Agent sign-in on the hub: `login` (password checked on the bounded hashing pool), `resume`
//! (token), `change_password` and `logout`, and what makes a connection a working agent.

use super::hub::{Auth, Endpoint, Hub, HubMsg, Owed};
use super::outbox::ConnId;
use super::respond::Responder;
use crate::auth;
use crate::model::{AgentId, AgentStatus, now_ms};
use crate::protocol::request::{ChangePassword, Login, Resume};
use crate::protocol::{ApiError, Empty, ErrorCode, Event, LoginReply, StatusReason, TokenReply};
use crate::store::{AgentRow, Audience, Viewer};

/// Why a login failed, for the throttle and the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LoginFailure {
    /// Unknown username or wrong password (indistinguishable on purpose).
    Password,
    /// Right password, wrong second-factor code.
    SecondFactor,
}

/// The answer when the hashing pool is full.
fn busy() -> ApiError {
    ApiError::new(
        ErrorCode::RateLimited,
        "the server is busy checking passwords; try again in a moment",
    )
}

impl Hub {
    /// Marks the connection as having a credential check (a login, or a customer's start or
    /// resume) in flight; `Err` if it already has one: pipelined logins would otherwise queue
    /// up hashing work, and pipelined starts would each create a customer before the first
    /// one's quota is charged.
    pub(super) fn begin_auth(&mut self, conn: ConnId) -> Result<(), ApiError> {
        let Some(c) = self.conns.get_mut(&conn) else {
            return Err(ApiError::unauthorized("the connection is closing"));
        };
        if c.auth_in_flight {
            let what = match c.endpoint {
                Endpoint::Agent => {
                    "a login is already being checked on this connection; wait for its reply"
                }
                Endpoint::Customer => {
                    "a conversation is already being started or resumed on this connection; \
                     wait for its reply"
                }
            };
            return Err(ApiError::new(ErrorCode::RateLimited, what));
        }
        c.auth_in_flight = true;
        Ok(())
    }

    pub(super) fn end_auth(&mut self, conn: ConnId) {
        self.login_attempt_over(conn);
        if let Some(c) = self.conns.get_mut(&conn) {
            c.auth_in_flight = false;
        }
    }

    pub(super) fn login(&mut self, r: Responder<LoginReply>, conn: ConnId, auth: Auth, q: Login) {
        if auth != Auth::None {
            return self.answer(
                r,
                Err(ApiError::conflict("this connection is already logged in")),
            );
        }
        if let Err(e) = self.begin_auth(conn) {
            return self.answer(r, Err(e));
        }
        let Some(permit) = self.hasher.reserve() else {
            self.end_auth(conn);
            return self.answer(r, Err(busy()));
        };
        let Login {
            username,
            password,
            cursor,
            totp,
        } = q;
        if let Err(e) = self.login_gate(conn, &username) {
            self.end_auth(conn);
            return self.answer(r, Err(e));
        }
        let lookup = username.clone();
        self.read_then(
            // Groups made with `kefu admin` since start-up reach routing here.
            // With the account's stored throttle state (`login_throttle`) and the groups it
            // supervises (`permit`).
            move |rd| {
                let row = rd.agent_by_username(&lookup)?;
                let throttle = match &row {
                    Some(a) => rd.login_state(a.id)?,
                    None => Default::default(),
                };
                let supervises = super::permit::supervision_of(rd, row.as_ref())?;
                Ok((row, throttle, rd.list_groups()?, supervises))
            },
            move |hub, read| {
                let (row, throttle, groups, supervises) = match read {
                    Ok(v) => v,
                    Err(e) => {
                        hub.end_auth(conn);
                        return hub.answer(r, Err(e));
                    }
                };
                hub.sync_groups(groups);
                if let Some((agent, groups)) = supervises {
                    hub.set_supervision(agent, groups);
                }
                if let Err(e) = hub.account_gate(conn, row.as_ref().map(|a| a.id), throttle) {
                    hub.end_auth(conn);
                    return hub.answer(r, Err(e));
                }
                let inbox = hub.inbox.clone();
                permit.run(move || {
                    let ok = match &row {
                        Some(r) => auth::verify_password(&password, &r.password_hash),
                        None => {
                            // Same work as a real check, so timing does not reveal names.
                            let _ = auth::verify_password(&password, auth::dummy_hash());
                            false
                        }
                    };
                    let row = if ok { row } else { None };
                    let _ = inbox.send(HubMsg::Continue(Box::new(move |hub| {
                        hub.finish_password_login(r, conn, username, row, totp, cursor)
                    })));
                });
            },
        );
    }

    pub(super) fn resume(&mut self, r: Responder<LoginReply>, conn: ConnId, auth: Auth, q: Resume) {
        if auth != Auth::None {
            return self.answer(
                r,
                Err(ApiError::conflict("this connection is already logged in")),
            );
        }
        if let Err(e) = self.begin_auth(conn) {
            return self.answer(r, Err(e));
        }
        let hash = auth::token_hash(&q.token);
        let lookup = hash.clone();
        let now = now_ms();
        // Not expired, not idle, account not disabled (`sign_ins`).
        let idle_since = now.saturating_sub(self.idle_ms());
        self.read_then(
            move |rd| {
                let row = match rd.agent_sign_in(&lookup, now, idle_since)? {
                    Some(a) => rd.agent_by_id(a)?,
                    None => None,
                };
                let totp_on = super::totp_ops::read_totp_on(rd, row.as_ref())?;
                let supervises = super::permit::supervision_of(rd, row.as_ref())?;
                Ok((row, rd.list_groups()?, totp_on, supervises))
            },
            move |hub, read| {
                let (row, groups, totp_on, supervises) = match read {
                    Ok(v) => v,
                    Err(e) => {
                        hub.end_auth(conn);
                        return hub.answer(r, Err(e));
                    }
                };
                hub.sync_groups(groups);
                hub.note_totp(row.as_ref(), totp_on);
                if let Some((agent, groups)) = supervises {
                    hub.set_supervision(agent, groups);
                }
                hub.finish_agent_auth(r, conn, row, Some(hash), q.cursor)
            },
        );
    }

    /// After the password check (`row` is `None` when it failed): the second factor, then the
    /// throttle's bookkeeping, then the login itself.
    fn finish_password_login(
        &mut self,
        r: Responder<LoginReply>,
        conn: ConnId,
        username: String,
        row: Option<AgentRow>,
        totp: Option<String>,
        cursor: Option<i64>,
    ) {
        let Some(row) = row else {
            self.login_failed(conn, &username, LoginFailure::Password);
            return self.finish_agent_auth(r, conn, None, None, cursor);
        };
        self.second_factor(
            conn,
            row,
            totp,
            Box::new(move |hub, checked| match checked {
                // Said only now that the password (and second factor) were right.
                Ok(row) => hub.unless_disabled(r, conn, row, move |hub, r, row| {
                    hub.login_succeeded(conn, &row);
                    hub.finish_agent_auth(r, conn, Some(row), None, cursor)
                }),
                Err(e) => {
                    // A missing code is a question, not a failure; a wrong one is a failure.
                    if e.code != ErrorCode::TotpRequired {
                        hub.login_failed(conn, &username, LoginFailure::SecondFactor);
                    }
                    hub.end_auth(conn);
                    hub.answer(r, Err(e))
                }
            }),
        );
    }

    /// Brings routing's skill groups (and their strategies) up to date with the store.
    fn sync_groups(&mut self, groups: Vec<(String, crate::model::Strategy)>) {
        for (name, strategy) in groups {
            self.engine.upsert_group(&name, strategy);
        }
    }

    /// Completes login/resume once the store answered and the password was checked.
    /// `row` is `None` when the credentials or token were wrong.
    fn finish_agent_auth(
        &mut self,
        r: Responder<LoginReply>,
        conn: ConnId,
        row: Option<AgentRow>,
        token_hash: Option<String>,
        cursor: Option<i64>,
    ) {
        self.end_auth(conn);
        self.metrics
            .login_checked(token_hash.is_none(), row.is_some());
        if !self.conns.contains_key(&conn) {
            return r.abandon();
        }
        let Some(row) = row else {
            let msg = if token_hash.is_some() {
                "the token is invalid or expired; log in again"
            } else {
                "invalid username or password"
            };
            return self.answer(r, Err(ApiError::unauthorized(msg)));
        };
        let agent = row.id;
        let must_change = row.must_change_password;
        self.refresh_agent(row);
        let must_enroll = self.must_enroll_totp(agent);
        let (token, hash) = match token_hash {
            Some(h) => (None, h),
            None => {
                let t = auth::new_token();
                let h = auth::token_hash(&t);
                self.push_sign_in(conn, h.clone(), agent);
                (Some(t), h)
            }
        };
        if let Some(c) = self.conns.get_mut(&conn) {
            c.auth = if must_change {
                Auth::AgentPending(agent, Owed::Password)
            } else if must_enroll {
                Auth::AgentPending(agent, Owed::SecondFactor)
            } else {
                Auth::Agent(agent)
            };
            c.token_hash = Some(hash);
        }
        self.touch_sign_in(conn);
        if let Some(e) = self.agents.get_mut(&agent) {
            e.conns.insert(conn);
        }
        let reply = LoginReply {
            token,
            agent: self.agent_info(agent),
            must_change_password: must_change,
            must_enroll_totp: must_enroll,
            cursor: self.head(),
        };
        self.answer(r, Ok(reply));
        if !must_change && !must_enroll {
            self.activate(conn, agent, cursor);
        }
    }

    /// A fully logged-in connection: replay what it missed, then let routing know it is here.
    /// The routing step runs as the hub's next message so its events follow the replay.
    pub(super) fn activate(&mut self, conn: ConnId, agent: AgentId, cursor: Option<i64>) {
        if let Some(cursor) = cursor
            && let Some(out) = self.conns.get(&conn).map(|c| c.out.clone())
        {
            let viewer = Viewer::Agent {
                id: agent,
                // Role-level: a group supervisor's replay still holds other groups' session
                // updates (live delivery is filtered by group: `permit`).
                supervisor: self
                    .agents
                    .get(&agent)
                    .is_some_and(|e| e.row.role.sees_all()),
            };
            self.replay(&out, viewer, cursor);
        }
        let _ = self.inbox.send(HubMsg::Continue(Box::new(move |hub| {
            let fx = hub.engine.connect(agent, now_ms());
            hub.apply(fx);
        })));
    }

    pub(super) fn change_password(
        &mut self,
        r: Responder<TokenReply>,
        conn: ConnId,
        auth: Auth,
        q: ChangePassword,
    ) {
        let agent = match auth {
            Auth::Agent(a) | Auth::AgentPending(a, _) => a,
            _ => return self.answer(r, Err(ApiError::unauthorized("log in first"))),
        };
        if let Err(e) = auth::check_password_policy(&q.new_password, &self.agent_name(agent)) {
            return self.answer(r, Err(ApiError::invalid(e)));
        }
        if q.old_password == q.new_password {
            return self.answer(
                r,
                Err(ApiError::invalid(
                    "the new password must differ from the old one",
                )),
            );
        }
        if let Err(e) = self.begin_auth(conn) {
            return self.answer(r, Err(e));
        }
        let Some(permit) = self.hasher.reserve() else {
            self.end_auth(conn);
            return self.answer(r, Err(busy()));
        };
        // The stored row, not the hub's copy: `kefu admin` may have reset the password (and
        // deleted this connection's token) since this agent logged in.
        let token = self.conns.get(&conn).and_then(|c| c.token_hash.clone());
        self.read_then(
            move |tx| {
                let alive = match &token {
                    Some(h) => tx.token(h, 0)?.is_some(),
                    None => false,
                };
                Ok(if alive { tx.agent_by_id(agent)? } else { None })
            },
            move |hub, row| {
                let row = match row {
                    Ok(row) => row,
                    Err(e) => {
                        hub.end_auth(conn);
                        return hub.answer(r, Err(e));
                    }
                };
                let Some(row) = row else {
                    hub.end_auth(conn);
                    // Answered before the close, so the client learns why.
                    r.send(Err(ApiError::unauthorized(super::revoke::REVOKED_REASON)));
                    return hub.revoke_conn(conn);
                };
                let inbox = hub.inbox.clone();
                permit.run(move || {
                    let outcome = if auth::verify_password(&q.old_password, &row.password_hash) {
                        auth::hash_password(&q.new_password).map_err(|e| {
                            tracing::error!(error = %e, "password hashing failed");
                            ApiError::internal()
                        })
                    } else {
                        Err(ApiError::unauthorized("the current password is wrong"))
                    };
                    let _ = inbox.send(HubMsg::Continue(Box::new(move |hub| {
                        hub.finish_change_password(r, conn, agent, outcome)
                    })));
                });
            },
        );
    }

    fn finish_change_password(
        &mut self,
        r: Responder<TokenReply>,
        conn: ConnId,
        agent: AgentId,
        outcome: Result<String, ApiError>,
    ) {
        self.end_auth(conn);
        if !self.conns.contains_key(&conn) {
            return r.abandon();
        }
        let hash = match outcome {
            Ok(h) => h,
            Err(e) => return self.answer(r, Err(e)),
        };
        let was_pending = self
            .conns
            .get(&conn)
            .is_some_and(|c| c.auth == Auth::AgentPending(agent, Owed::Password));
        // A role that requires a second factor enrols next (`LoginReply.must_enroll_totp`);
        // a connection already at work stays at work.
        let must_enroll = was_pending && self.must_enroll_totp(agent);
        if let Some(e) = self.agents.get_mut(&agent) {
            e.row.password_hash = hash.clone();
            e.row.must_change_password = false;
        }
        self.write(move |tx| tx.set_password(agent, &hash, false));
        // Every earlier token died with the old password; this connection gets a new one.
        let token = auth::new_token();
        let token_hash = auth::token_hash(&token);
        self.push_sign_in(conn, token_hash.clone(), agent);
        if let Some(c) = self.conns.get_mut(&conn) {
            c.auth = if must_enroll {
                Auth::AgentPending(agent, Owed::SecondFactor)
            } else {
                Auth::Agent(agent)
            };
            c.token_hash = Some(token_hash);
        }
        // The agent's other connections logged in with tokens that no longer exist.
        self.revoke_other_conns(agent, conn);
        let cursor = self.head();
        self.answer(r, Ok(TokenReply { token, cursor }));
        if was_pending && !must_enroll {
            self.activate(conn, agent, None);
        }
    }

    pub(super) fn logout(&mut self, conn: ConnId, auth: Auth) -> Result<Empty, ApiError> {
        let agent = match auth {
            Auth::Agent(a) | Auth::AgentPending(a, _) => a,
            _ => return Err(ApiError::unauthorized("not logged in")),
        };
        if let Some(hash) = self.conns.get_mut(&conn).and_then(|c| c.token_hash.take()) {
            // Other connections resumed with the same token end with it.
            self.sign_out_token(&hash, Some(conn), super::revoke::REASON_LOGGED_OUT);
            self.write(move |tx| tx.delete_token(&hash));
            let name = self.agent_name(agent);
            self.audit(&name, crate::audit::LOGOUT, &name, serde_json::json!({}));
        }
        if let Some(c) = self.conns.get_mut(&conn) {
            c.auth = Auth::None;
        }
        let last = self.agents.get_mut(&agent).map(|e| {
            e.conns.remove(&conn);
            e.conns.is_empty()
        });
        // Logging out of the last console is a deliberate leave: offers go back now.
        if last == Some(true) && auth == Auth::Agent(agent) {
            let now = now_ms();
            let fx = self
                .engine
                .set_status(agent, AgentStatus::Offline, now)
                .map_err(super::agent_ops::route_error)?;
            self.set_status_row(agent, AgentStatus::Offline);
            let ev = Event::Status {
                status: AgentStatus::Offline,
                reason: Some(StatusReason::LoggedOut),
            };
            self.emit(Audience::Agent(agent), None, &ev);
            self.apply(fx);
            self.engine.disconnect(agent, now);
        }
        Ok(Empty {})
    }
}
