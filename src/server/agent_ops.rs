//! Requests on the agent endpoint: login and password change, status, offers, and the actions
//! an agent takes on a session (transfer, tag, follow-up, end).

use super::conn::ConnId;
use super::hub::{Auth, Hub, HubMsg};
use crate::auth;
use crate::model::{AgentId, AgentStatus, EndReason, SessionId, SessionState, now_ms};
use crate::protocol::{AgentInfo, ApiError, Event, QueueInfo, Request, TransferTarget};
use crate::routing::RouteError;
use crate::store::{AgentRow, Audience, Principal, Viewer};
use serde_json::{Value, json};

/// Longest tag accepted, in characters.
const MAX_TAG_CHARS: usize = 64;
const MAX_NOTE_CHARS: usize = 2000;

pub fn route_error(e: RouteError) -> ApiError {
    match e {
        RouteError::UnknownSession => ApiError::not_found(e.to_string()),
        RouteError::UnknownAgent | RouteError::UnknownGroup(_) => {
            ApiError::not_found(e.to_string())
        }
        RouteError::NotOffered | RouteError::AtCapacity(_) | RouteError::Unavailable(_) => {
            ApiError::conflict(e.to_string())
        }
    }
}

impl Hub {
    fn require_agent(&self, auth: Auth) -> Result<AgentId, ApiError> {
        match auth {
            Auth::Agent(a) => Ok(a),
            Auth::AgentPending(_) => Err(ApiError::forbidden(
                "you must change your password first (change_password)",
            )),
            _ => Err(ApiError::unauthorized("log in first (login or resume)")),
        }
    }

    fn sees_all(&self, agent: AgentId) -> bool {
        self.agents
            .get(&agent)
            .is_some_and(|e| e.row.role.sees_all())
    }

    /// The agent may act on the session: it is open and theirs, or they are a supervisor.
    pub fn check_session(&self, agent: AgentId, session: SessionId) -> Result<(), ApiError> {
        let Some(l) = self.live.get(&session) else {
            return Err(ApiError::not_found(format!("no open session {session}")));
        };
        if l.view.assignee == Some(agent) || self.sees_all(agent) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "session {session} is not assigned to you"
            )))
        }
    }

    pub fn agent_request(
        &mut self,
        conn: ConnId,
        auth: Auth,
        id: &Value,
        request: Request,
    ) -> Result<Option<Value>, ApiError> {
        let now = now_ms();
        match request {
            Request::Login {
                username,
                password,
                cursor,
            } => {
                if auth != Auth::None {
                    return Err(ApiError::conflict("this connection is already logged in"));
                }
                let id = id.clone();
                self.read_then(
                    move |tx| {
                        // Groups made with `kefu admin` since start-up reach routing here.
                        Ok((tx.agent_by_username(&username)?, tx.list_groups()?))
                    },
                    move |hub, (row, groups)| {
                        hub.sync_groups(groups);
                        let inbox = hub.inbox.clone();
                        // argon2 takes tens of milliseconds: never on the hub.
                        hub.rt.spawn_blocking(move || {
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
                                hub.finish_agent_auth(conn, id, row, None, cursor)
                            })));
                        });
                    },
                );
                Ok(None)
            }
            Request::Resume { token, cursor } => {
                if auth != Auth::None {
                    return Err(ApiError::conflict("this connection is already logged in"));
                }
                let id = id.clone();
                let hash = auth::token_hash(&token);
                let lookup = hash.clone();
                self.read_then(
                    move |tx| {
                        let row = match tx.token(&lookup, now)? {
                            Some(Principal::Agent(a)) => tx.agent_by_id(a)?,
                            _ => None,
                        };
                        Ok((row, tx.list_groups()?))
                    },
                    move |hub, (row, groups)| {
                        hub.sync_groups(groups);
                        hub.finish_agent_auth(conn, id, row, Some(hash), cursor)
                    },
                );
                Ok(None)
            }
            Request::ChangePassword {
                old_password,
                new_password,
            } => {
                let agent = match auth {
                    Auth::Agent(a) | Auth::AgentPending(a) => a,
                    _ => return Err(ApiError::unauthorized("log in first")),
                };
                auth::check_password_policy(&new_password).map_err(ApiError::invalid)?;
                if old_password == new_password {
                    return Err(ApiError::invalid(
                        "the new password must differ from the old one",
                    ));
                }
                let stored = self
                    .agents
                    .get(&agent)
                    .map(|e| e.row.password_hash.clone())
                    .unwrap_or_default();
                let (inbox, id) = (self.inbox.clone(), id.clone());
                self.rt.spawn_blocking(move || {
                    let outcome = if auth::verify_password(&old_password, &stored) {
                        auth::hash_password(&new_password).map_err(|e| {
                            tracing::error!(error = %e, "password hashing failed");
                            ApiError::internal()
                        })
                    } else {
                        Err(ApiError::unauthorized("the current password is wrong"))
                    };
                    let _ = inbox.send(HubMsg::Continue(Box::new(move |hub| {
                        hub.finish_change_password(conn, id, agent, outcome)
                    })));
                });
                Ok(None)
            }
            Request::Logout => {
                let agent = match auth {
                    Auth::Agent(a) | Auth::AgentPending(a) => a,
                    _ => return Err(ApiError::unauthorized("not logged in")),
                };
                if let Some(hash) = self.conns.get_mut(&conn).and_then(|c| c.token_hash.take()) {
                    self.batch.work.push(Box::new(move |tx| {
                        tx.delete_token(&hash)?;
                        Ok(None)
                    }));
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
                    let fx = self
                        .engine
                        .set_status(agent, AgentStatus::Offline, now)
                        .map_err(route_error)?;
                    self.set_status_row(agent, AgentStatus::Offline);
                    let ev = Event::Status {
                        status: AgentStatus::Offline,
                    };
                    self.emit(Audience::Agent(agent), None, &ev);
                    self.apply(fx);
                    self.engine.disconnect(agent, now);
                }
                Ok(Some(json!({})))
            }
            other => {
                let agent = self.require_agent(auth)?;
                self.agent_action(agent, other, now)
            }
        }
    }

    /// Brings routing's skill groups (and their strategies) up to date with the store.
    fn sync_groups(&mut self, groups: Vec<(String, crate::model::Strategy)>) {
        for (name, strategy) in groups {
            self.engine.upsert_group(&name, strategy);
        }
    }

    fn set_status_row(&mut self, agent: AgentId, status: AgentStatus) {
        if let Some(e) = self.agents.get_mut(&agent) {
            e.row.status = status;
        }
        self.batch.statuses.push((agent, status));
    }

    /// Completes login/resume once the store answered and the password was checked.
    /// `row` is `None` when the credentials or token were wrong.
    fn finish_agent_auth(
        &mut self,
        conn: ConnId,
        id: Value,
        row: Option<AgentRow>,
        token_hash: Option<String>,
        cursor: Option<i64>,
    ) {
        let Some(out) = self.conns.get(&conn).map(|c| c.out.clone()) else {
            return;
        };
        let Some(row) = row else {
            let msg = if token_hash.is_some() {
                "the token is invalid or expired; log in again"
            } else {
                "invalid username or password"
            };
            self.reply_err(&out, &id, &ApiError::unauthorized(msg));
            return;
        };
        let agent = row.id;
        let must_change = row.must_change_password;
        self.refresh_agent(row);
        let (token, hash) = match token_hash {
            Some(h) => (None, h),
            None => {
                let t = auth::new_token();
                let h = auth::token_hash(&t);
                self.push_token(h.clone(), agent);
                (Some(t), h)
            }
        };
        if let Some(c) = self.conns.get_mut(&conn) {
            c.auth = if must_change {
                Auth::AgentPending(agent)
            } else {
                Auth::Agent(agent)
            };
            c.token_hash = Some(hash);
        }
        if let Some(e) = self.agents.get_mut(&agent) {
            e.conns.insert(conn);
        }
        let profile = self.agent_info(agent);
        self.reply(
            &out,
            &id,
            json!({"token": token, "agent": profile, "must_change_password": must_change, "cursor": self.head()}),
        );
        if !must_change {
            self.activate(conn, agent, cursor);
        }
    }

    fn push_token(&mut self, hash: String, agent: AgentId) {
        let now = now_ms();
        let expires = now + (self.config.auth.agent_token_hours * 3_600_000) as i64;
        self.batch.work.push(Box::new(move |tx| {
            tx.insert_token(&hash, Principal::Agent(agent), expires, now)?;
            Ok(None)
        }));
    }

    /// A fully logged-in connection: replay what it missed, then let routing know it is here.
    /// The routing step runs as the hub's next message so its events follow the replay.
    fn activate(&mut self, conn: ConnId, agent: AgentId, cursor: Option<i64>) {
        if let Some(cursor) = cursor
            && let Some(out) = self.conns.get(&conn).map(|c| c.out.clone())
        {
            let viewer = Viewer::Agent {
                id: agent,
                supervisor: self.sees_all(agent),
            };
            self.replay(&out, viewer, cursor);
        }
        let _ = self.inbox.send(HubMsg::Continue(Box::new(move |hub| {
            let fx = hub.engine.connect(agent, now_ms());
            hub.apply(fx);
        })));
    }

    fn finish_change_password(
        &mut self,
        conn: ConnId,
        id: Value,
        agent: AgentId,
        outcome: Result<String, ApiError>,
    ) {
        let Some(out) = self.conns.get(&conn).map(|c| c.out.clone()) else {
            return;
        };
        let hash = match outcome {
            Ok(h) => h,
            Err(e) => return self.reply_err(&out, &id, &e),
        };
        let was_pending = self
            .conns
            .get(&conn)
            .is_some_and(|c| c.auth == Auth::AgentPending(agent));
        if let Some(e) = self.agents.get_mut(&agent) {
            e.row.password_hash = hash.clone();
            e.row.must_change_password = false;
        }
        self.batch.work.push(Box::new(move |tx| {
            tx.set_password(agent, &hash, false)?;
            Ok(None)
        }));
        // Every earlier token died with the old password; this connection gets a new one.
        let token = auth::new_token();
        let token_hash = auth::token_hash(&token);
        self.push_token(token_hash.clone(), agent);
        if let Some(c) = self.conns.get_mut(&conn) {
            c.auth = Auth::Agent(agent);
            c.token_hash = Some(token_hash);
        }
        self.reply(&out, &id, json!({"token": token, "cursor": self.head()}));
        if was_pending {
            self.activate(conn, agent, None);
        }
    }

    pub fn agent_info(&self, agent: AgentId) -> Option<AgentInfo> {
        let e = self.agents.get(&agent)?;
        let load = self.engine.agent_load(agent)?;
        Some(AgentInfo {
            id: agent,
            username: e.row.username.clone(),
            display_name: e.row.display_name.clone(),
            role: e.row.role,
            status: load.status,
            connected: load.connected,
            active: load.active,
            capacity: load.capacity,
            groups: e.row.groups.clone(),
        })
    }

    fn queue_infos(&self) -> Vec<QueueInfo> {
        self.engine
            .queue_lengths()
            .into_iter()
            .map(|(group, strategy, waiting)| QueueInfo {
                group,
                strategy,
                waiting,
            })
            .collect()
    }

    /// Requests that need a logged-in agent with a changed password.
    fn agent_action(
        &mut self,
        agent: AgentId,
        request: Request,
        now: i64,
    ) -> Result<Option<Value>, ApiError> {
        match request {
            Request::SetStatus { status } => {
                let fx = self
                    .engine
                    .set_status(agent, status, now)
                    .map_err(route_error)?;
                self.set_status_row(agent, status);
                self.emit(Audience::Agent(agent), None, &Event::Status { status });
                self.apply(fx);
                Ok(Some(json!({"status": status})))
            }
            Request::Accept { session_id } => {
                let fx = self
                    .engine
                    .accept(agent, session_id, now)
                    .map_err(route_error)?;
                self.apply(fx);
                let view = self.live.get(&session_id).map(|l| l.view.clone());
                Ok(Some(json!({"session": view})))
            }
            Request::Reject { session_id } => {
                let fx = self
                    .engine
                    .reject(agent, session_id, now)
                    .map_err(route_error)?;
                self.apply(fx);
                Ok(Some(json!({})))
            }
            Request::Snapshot => Ok(Some(self.snapshot(agent))),
            Request::Directory => {
                let mut agents: Vec<AgentInfo> = self
                    .agents
                    .keys()
                    .filter_map(|a| self.agent_info(*a))
                    .collect();
                agents.sort_by(|a, b| a.username.cmp(&b.username));
                Ok(Some(
                    json!({"agents": agents, "groups": self.queue_infos()}),
                ))
            }
            Request::Profile { customer_id } => {
                let allowed = self.sees_all(agent)
                    || self.live.values().any(|l| {
                        l.view.customer.id == customer_id
                            && (l.view.assignee == Some(agent)
                                || self.engine.offer(l.view.id).is_some_and(|o| o.0 == agent))
                    });
                if !allowed {
                    return Err(ApiError::forbidden("you serve no session of this customer"));
                }
                self.read_profile(agent, customer_id);
                Ok(None)
            }
            Request::Transcript {
                session_id,
                after_seq,
                limit,
            } => {
                let serving: Vec<i64> = self
                    .live
                    .values()
                    .filter(|l| {
                        l.view.assignee == Some(agent)
                            || self.engine.offer(l.view.id).is_some_and(|o| o.0 == agent)
                    })
                    .map(|l| l.view.customer.id)
                    .collect();
                let all = self.sees_all(agent);
                self.read_transcript(session_id, after_seq, limit, move |s| {
                    all || serving.contains(&s.customer.id)
                });
                Ok(None)
            }
            Request::Transfer {
                session_id,
                to,
                note,
            } => {
                self.check_session(agent, session_id)?;
                let note = note.unwrap_or_default();
                if note.chars().count() > MAX_NOTE_CHARS {
                    return Err(ApiError::invalid(format!(
                        "the note is over {MAX_NOTE_CHARS} characters"
                    )));
                }
                let by = self.agents.get(&agent).map(|e| e.row.display_name.clone());
                let fx = match &to {
                    TransferTarget::Group(g) => self.engine.transfer_to_group(session_id, g, now),
                    TransferTarget::Agent(username) => {
                        let target = self
                            .agents
                            .values()
                            .find(|e| &e.row.username == username)
                            .map(|e| e.row.id)
                            .ok_or_else(|| ApiError::not_found(format!("no agent `{username}`")))?;
                        self.engine.transfer_to_agent(session_id, target, now)
                    }
                }
                .map_err(route_error)?;
                if let Some(l) = self.live.get_mut(&session_id) {
                    l.view.queued_at = Some(now);
                }
                self.transfer_notes.insert(session_id, (note, by));
                self.apply_with(fx, "transferred");
                // The note is for the next offer only; if none was made it stays for the queue.
                Ok(Some(json!({"session_id": session_id})))
            }
            Request::Tag {
                session_id,
                add,
                remove,
            } => {
                self.check_session(agent, session_id)?;
                for t in &add {
                    let t = t.trim();
                    if t.is_empty() || t.chars().count() > MAX_TAG_CHARS {
                        return Err(ApiError::invalid(format!(
                            "tags must be 1–{MAX_TAG_CHARS} characters"
                        )));
                    }
                }
                let Some(l) = self.live.get_mut(&session_id) else {
                    return Err(ApiError::not_found("gone"));
                };
                l.view.tags.retain(|t| !remove.contains(t));
                for t in add {
                    let t = t.trim().to_string();
                    if !l.view.tags.contains(&t) {
                        l.view.tags.push(t);
                    }
                }
                let tags = l.view.tags.clone();
                self.touch(session_id);
                self.announce_session(session_id);
                Ok(Some(json!({"tags": tags})))
            }
            Request::FollowUp {
                session_id,
                pending,
            } => {
                self.check_session(agent, session_id)?;
                if let Some(l) = self.live.get_mut(&session_id) {
                    l.view.follow_up = pending;
                }
                self.touch(session_id);
                self.announce_session(session_id);
                Ok(Some(json!({"follow_up": pending})))
            }
            Request::End {
                session_id,
                closing_message,
                outcome,
            } => {
                self.check_session(agent, session_id)?;
                if let Some(text) = closing_message.filter(|t| !t.trim().is_empty()) {
                    self.post_message(
                        crate::model::AuthorKind::Agent,
                        agent,
                        session_id,
                        format!("end-{session_id}-{now}"),
                        text,
                    )?;
                }
                self.end_session(session_id, outcome.unwrap_or_default(), now);
                Ok(Some(json!({"session_id": session_id})))
            }
            Request::SendMessage {
                session_id,
                client_msg_id,
                body,
            } => {
                self.check_session(agent, session_id)?;
                if self
                    .live
                    .get(&session_id)
                    .is_some_and(|l| l.view.state != SessionState::Active)
                {
                    return Err(ApiError::conflict("accept the session before writing"));
                }
                let ack = self.post_message(
                    crate::model::AuthorKind::Agent,
                    agent,
                    session_id,
                    client_msg_id,
                    body,
                )?;
                Ok(Some(ack))
            }
            Request::Typing { session_id, active } => {
                self.check_session(agent, session_id)?;
                self.typing(crate::model::AuthorKind::Agent, agent, session_id, active);
                Ok(Some(json!({})))
            }
            Request::KbSearch { .. } | Request::KbGet { .. } | Request::QuickReplies => {
                self.kb_request(request)
            }
            _ => Err(ApiError::invalid(
                "this request is for the customer endpoint",
            )),
        }
    }

    fn snapshot(&self, agent: AgentId) -> Value {
        let (offered, active) = self.engine.sessions_of(agent);
        let offers: Vec<Value> = offered
            .iter()
            .filter_map(|s| {
                let l = self.live.get(s)?;
                let (_, expires_at) = self.engine.offer(*s)?;
                Some(json!({"session": l.view, "expires_at": expires_at}))
            })
            .collect();
        let sessions: Vec<_> = active
            .iter()
            .filter_map(|s| self.live.get(s).map(|l| &l.view))
            .collect();
        // Queued sessions the agent may pick (manual groups) or, for supervisors, all of them.
        let groups = self.engine.agent_groups(agent).cloned().unwrap_or_default();
        let all = self.sees_all(agent);
        let pickable: Vec<_> = self
            .engine
            .queue_lengths()
            .into_iter()
            .filter(|(g, strategy, _)| {
                all || (groups.contains(g) && *strategy == crate::model::Strategy::Manual)
            })
            .flat_map(|(g, _, _)| self.engine.queue(&g))
            .filter_map(|s| self.live.get(&s).map(|l| &l.view))
            .collect();
        json!({
            "agent": self.agent_info(agent),
            "offers": offers,
            "sessions": sessions,
            "queued": pickable,
            "queues": self.queue_infos(),
            "cursor": self.head(),
        })
    }

    /// Ends an open session: the customer is told and asked for a rating.
    pub fn end_session(&mut self, session: SessionId, reason: EndReason, now: i64) {
        let Some(l) = self.live.get_mut(&session) else {
            return;
        };
        l.view.state = SessionState::Ended;
        l.view.ended_at = Some(now);
        l.view.end_reason = Some(reason);
        l.view.waiting_since = None;
        let customer = l.view.customer.id;
        self.announce_session(session);
        let fx = self.engine.end(session, now);
        self.apply_with(fx, "ended");
        self.emit(
            Audience::Customer(customer),
            Some(session),
            &Event::SessionEnded {
                session_id: session,
                reason,
                survey: true,
            },
        );
        self.forget(session);
    }
}
