//! What the app does with what the network task reports: connection changes and server
//! events (replies are in `replies.rs`).

use super::effect::{kb_list, request};
use super::*;
use crate::console::i18n::text;
use crate::console::sanitize::inert_line;
use crate::model::SessionId;
use crate::model::{AuthorKind, SessionState};
use crate::protocol::request as req;
use crate::protocol::{Event, MessageView, RemovedReason, ServerFrame, SessionView, StatusReason};

impl App {
    pub fn on_net(&mut self, ev: NetEvent) -> Vec<Effect> {
        let t = text(self.lang);
        match ev {
            NetEvent::Connecting => {
                self.conn = ConnState::Connecting;
                Vec::new()
            }
            NetEvent::Disconnected { retry_at, reason } => {
                self.conn = ConnState::Disconnected { retry_at, reason };
                Vec::new()
            }
            NetEvent::LoginFailed {
                message,
                bad_credentials,
            } => {
                let message = inert_line(&message).into_owned();
                match &mut self.login {
                    // A wrong second-factor code: the password was right; type the code again.
                    Some(form) if bad_credentials && form.totp.is_some() => {
                        form.error = Some(message);
                        form.busy = false;
                        form.totp = Some(String::new());
                        form.field = 3;
                    }
                    Some(form) => {
                        form.error = Some(message);
                        form.busy = false;
                        // A wrong password is not left in the field to be sent again.
                        if bad_credentials {
                            form.password.clear();
                            form.field = 2;
                        }
                    }
                    None => self.notice(message),
                }
                Vec::new()
            }
            NetEvent::TotpRequired { message } => {
                match &mut self.login {
                    Some(form) => {
                        form.totp = Some(String::new());
                        form.field = 3;
                        form.busy = false;
                        form.error = Some(t.login_code_needed.to_string());
                    }
                    None => self.notice(inert_line(&message).into_owned()),
                }
                Vec::new()
            }
            NetEvent::MustEnrollTotp => {
                self.totp_owed = true;
                Vec::new()
            }
            NetEvent::OutboxRestored(sends) => {
                self.restore_outbox(sends);
                Vec::new()
            }
            NetEvent::Warning(message) => {
                self.notice(inert_line(&message).into_owned());
                Vec::new()
            }
            NetEvent::Connected {
                agent,
                must_change_password,
                resumed,
            } => {
                self.conn = ConnState::Connected;
                self.status = agent.status;
                self.me = Some(agent);
                if must_change_password {
                    let form = self.login.get_or_insert_with(LoginForm::default);
                    form.new_password = Some((String::new(), String::new()));
                    form.field = 3;
                    form.busy = false;
                    form.error = Some(t.login_must_change.to_string());
                    return Vec::new();
                }
                if self.totp_owed {
                    if matches!(self.overlay, Some(Overlay::TwoFactor(_))) {
                        return Vec::new();
                    }
                    return self.start_forced_enrolment();
                }
                self.enter_workbench(resumed)
            }
            NetEvent::SignedOut { reason } => self.on_signed_out(reason),
            NetEvent::Frame(frame) => self.on_frame(frame),
            NetEvent::Reply { tag, result } => self.on_reply(tag, result),
        }
    }

    /// Leaves the login screen and loads what the workbench shows.
    pub(super) fn enter_workbench(&mut self, resumed: bool) -> Vec<Effect> {
        let mut fx = Vec::new();
        if let Some(form) = self.login.take() {
            self.account.server = form.server.clone();
            fx.push(Effect::RememberLogin {
                server: form.server,
                username: form.username,
            });
        }
        if !resumed {
            if self.layout.show_kb && self.kb.titles.is_empty() {
                fx.push(kb_list());
            }
            fx.push(request(Tag::Snapshot, req::Snapshot {}));
            fx.push(request(Tag::QuickReplies, req::QuickReplies {}));
            fx.push(request(Tag::Directory, req::Directory {}));
            fx.extend(self.account_on_login());
            fx.extend(self.kb_flow_on_login());
            fx.extend(self.notes_on_login());
        }
        fx.extend(self.dashboard_on_connect());
        fx
    }

    fn on_frame(&mut self, frame: ServerFrame) -> Vec<Effect> {
        match frame {
            ServerFrame::Event { event, .. } => self.on_event(event),
            ServerFrame::Typing {
                session_id,
                name,
                active,
                ..
            } => {
                let until = self.now + 6_000;
                if let Some(s) = self.sessions.get_mut(&session_id) {
                    s.typing = active.then(|| (inert_line(&name).into_owned(), until));
                }
                Vec::new()
            }
            ServerFrame::Queues { queues } => {
                self.queues = queues;
                Vec::new()
            }
            ServerFrame::Reload { .. } => vec![request(Tag::Snapshot, req::Snapshot {})],
            ServerFrame::MessageIntent {
                session_id,
                seq,
                intent,
                zh,
                en,
                ..
            } => {
                let intent = super::suggest::MessageIntent { intent, zh, en };
                self.on_message_intent(session_id, seq, intent);
                Vec::new()
            }
            ServerFrame::Dashboard(v) => self.on_dashboard_frame(*v),
            ServerFrame::AgentUpdated { agent } => self.on_agent_updated(agent),
            // Agents never get these (customer frames).
            ServerFrame::Reply { .. } | ServerFrame::Waiting(_) => Vec::new(),
        }
    }

    fn on_event(&mut self, event: Event) -> Vec<Effect> {
        let t = text(self.lang);
        let me = self.me.as_ref().map(|m| m.id);
        match event {
            Event::Offer {
                session,
                expires_at,
                transfer_note,
                transferred_by,
            } => {
                let id = session.id;
                let who = inert_line(&session.customer.nickname).into_owned();
                let entry = self.upsert_session(session, Some(expires_at));
                entry.transfer_note = transfer_note.map(|n| (n, transferred_by));
                let mut fx = vec![Effect::Alert {
                    kind: AlertKind::Offer,
                    title: t.offer_new.to_string(),
                    body: who,
                }];
                if self.selected.is_none() {
                    fx.extend(self.select(id));
                }
                fx
            }
            // Whatever the reason (rejected, timed out, we left, reassigned), the offer is gone;
            // a status change it caused comes with its own reason.
            Event::OfferWithdrawn { session_id, .. } => {
                if self.sessions.get(&session_id).is_some_and(|s| s.is_offer()) {
                    self.remove_session(session_id);
                }
                Vec::new()
            }
            Event::Session { session } => self.on_session(session, me),
            Event::SessionRemoved { session_id, reason } => {
                if self.sessions.contains_key(&session_id) {
                    self.remove_session(session_id);
                    let msg = match reason {
                        RemovedReason::Transferred => t.system_transferred,
                        RemovedReason::Ended => t.system_ended,
                        RemovedReason::Requeued => t.system_requeued,
                        RemovedReason::TakenOver => t.system_taken_over,
                    };
                    self.notice(format!("#{session_id} {msg}"));
                }
                Vec::new()
            }
            Event::Message { message } => self.on_message(message),
            Event::SessionRated(info) => self.on_rated(info),
            Event::IntentEffect(info) => {
                self.on_intent_effect(info);
                Vec::new()
            }
            Event::Status { status, reason } => {
                self.on_status_event(status, reason);
                Vec::new()
            }
            Event::KbProposal { proposal } => self.on_kb_proposal_event(proposal),
            Event::CcStatus { cc } => self.on_cc_status(cc),
            Event::FollowUpDue { session_id } => self.on_follow_up_due(session_id),
            Event::Mentioned(m) => self.on_mentioned(m),
            Event::AgentJoined { .. } | Event::SessionEnded { .. } | Event::Transferred { .. } => {
                Vec::new()
            }
        }
    }

    fn on_session(&mut self, view: SessionView, me: Option<i64>) -> Vec<Effect> {
        if self.notes_on_session(&view) {
            return Vec::new();
        }
        let id = view.id;
        let ours = view.assignee.is_some() && view.assignee == me;
        if view.state == SessionState::Ended || !ours {
            // Ended, or no longer ours (a supervisor sees every session's updates: ignore others).
            if self
                .sessions
                .get(&id)
                .is_some_and(|s| !s.read_only && !s.is_offer())
            {
                self.remove_session(id);
            }
            return Vec::new();
        }
        self.upsert_session(view, None);
        Vec::new()
    }

    fn on_message(&mut self, m: MessageView) -> Vec<Effect> {
        let t = text(self.lang);
        let selected = self.selected;
        let looking = matches!(self.focus, Focus::Chat | Focus::Compose);
        // Only mentioned here (`notes`): followed quietly.
        let watched = self.notes.watching.contains(&m.session_id);
        let Some(s) = self.sessions.get_mut(&m.session_id) else {
            return Vec::new();
        };
        s.view.last_seq = s.view.last_seq.max(m.seq);
        // Our own message coming back: it is acknowledged.
        if m.author_kind == AuthorKind::Agent
            && let Some(line) = s
                .lines
                .iter_mut()
                .find(|l| l.client_msg_id.is_some() && l.client_msg_id == m.client_msg_id)
        {
            line.seq = Some(m.seq);
            line.delivery = Delivery::Acked;
            if !m.internal {
                s.view.waiting_since = None;
            }
            return Vec::new();
        }
        if s.lines.iter().any(|l| l.seq == Some(m.seq)) {
            return Vec::new();
        }
        match m.author_kind {
            AuthorKind::Customer => {
                s.view.waiting_since.get_or_insert(m.created_at);
                s.typing = None;
            }
            // A colleague's note is no answer: the customer still waits.
            _ if m.internal => {}
            _ => s.view.waiting_since = None,
        }
        let from_customer = m.author_kind == AuthorKind::Customer;
        let who = inert_line(&m.author_name).into_owned();
        let preview: String = inert_line(&m.body).chars().take(80).collect();
        let id = s.view.id;
        s.lines.push(line_of(m));
        self.keep_view_on_new_line(id);
        let Some(s) = self.sessions.get_mut(&id) else {
            return Vec::new();
        };
        let mut fx = Vec::new();
        if from_customer && (selected != Some(s.view.id) || !looking) {
            s.unread += 1;
        }
        if from_customer && !watched {
            fx.push(Effect::Alert {
                // The customer of a follow-up conversation wrote: what the agent waited for.
                kind: if s.view.follow_up {
                    AlertKind::FollowUp
                } else {
                    AlertKind::Message
                },
                title: format!("{} · {who}", t.customer),
                body: preview,
            });
        }
        fx
    }

    /// Adds or refreshes a session in the list (an offer when `offer_expires` is set), keeping
    /// its transcript, draft and profile.
    pub(super) fn upsert_session(
        &mut self,
        view: SessionView,
        offer_expires: Option<Millis>,
    ) -> &mut SessionEntry {
        let id = view.id;
        if !self.sessions.contains_key(&id) {
            // Messages restored from the outbox for this session show in it now.
            let mut entry = SessionEntry::new(view.clone());
            let (mine, others) = std::mem::take(&mut self.orphans)
                .into_iter()
                .partition(|(sid, _)| *sid == id);
            self.orphans = others;
            entry.lines.extend(
                mine.into_iter()
                    .map(|(_, line): (SessionId, ChatLine)| line),
            );
            self.sessions.insert(id, entry);
        }
        let entry = self
            .sessions
            .entry(id)
            .or_insert_with(|| SessionEntry::new(view.clone()));
        entry.view = view;
        entry.offer_expires = offer_expires;
        entry
    }

    pub(super) fn remove_session(&mut self, id: SessionId) {
        self.sessions.remove(&id);
        // A dialog about it (end, transfer, tag, follow-up, CC) has nothing left to act on.
        let about = match &self.overlay {
            Some(Overlay::End(d)) => Some(d.session),
            Some(Overlay::FollowUp(d)) => Some(d.session),
            Some(Overlay::Cc(d)) => Some(d.session),
            Some(Overlay::Transfer { session, .. }) | Some(Overlay::Tag { session, .. }) => {
                Some(*session)
            }
            _ => None,
        };
        if about == Some(id) {
            self.overlay = None;
        }
        if self.selected == Some(id) {
            self.selected = self.order().first().copied();
            if matches!(self.focus, Focus::Compose) {
                self.focus = Focus::Sessions;
            }
        }
    }

    /// A `status` event. With a `reason` the server changed it on its own (missed offers, a
    /// disconnect past the grace period, signed out elsewhere); without one it is ours when we
    /// asked for it, else another sign-in's. Either way the banner says why and how to get
    /// back online.
    pub(super) fn on_status_event(&mut self, status: AgentStatus, reason: Option<StatusReason>) {
        let asked = self.status_requested == Some(status);
        let changed = status != self.status;
        self.status = status;
        if matches!(status, AgentStatus::Online | AgentStatus::Busy) {
            self.nudge = None;
            return;
        }
        let nudge = match reason {
            Some(StatusReason::MissedOffers) => StatusNudge::MissedOffers(status),
            Some(StatusReason::Disconnected) => StatusNudge::Disconnected(status),
            Some(StatusReason::LoggedOut) => StatusNudge::LoggedOut(status),
            Some(StatusReason::Supervisor) => StatusNudge::BySupervisor(status),
            None if changed && !asked => StatusNudge::ChangedElsewhere(status),
            None => return,
        };
        tracing::info!(?status, ?reason, "our status was changed for us");
        self.nudge = Some(nudge);
    }

    /// Messages kept on disk from an earlier run are being sent: show them as sending.
    fn restore_outbox(&mut self, sends: Vec<crate::console::outbox::PendingSend>) {
        let name = self
            .me
            .as_ref()
            .map(|m| m.display_name.clone())
            .unwrap_or_default();
        let n = sends.len();
        for p in sends {
            let session = p.message.session_id;
            let line = ChatLine {
                seq: None,
                author_kind: AuthorKind::Agent,
                author_name: name.clone(),
                body: p.message.body,
                created_at: p.queued_at,
                client_msg_id: Some(p.message.client_msg_id),
                delivery: Delivery::Sending,
                internal: false,
            };
            match self.sessions.get_mut(&session) {
                Some(s) => {
                    if !s
                        .lines
                        .iter()
                        .any(|l| l.client_msg_id == line.client_msg_id)
                    {
                        s.lines.push(line);
                    }
                }
                None => self.orphans.push((session, line)),
            }
        }
        let t = text(self.lang);
        let msg = plural(n, t.outbox_restored_one, t.outbox_restored_many);
        self.notice(msg);
    }

    pub(super) fn drop_orphan(&mut self, client_msg_id: &str) {
        self.orphans
            .retain(|(_, l)| l.client_msg_id.as_deref() != Some(client_msg_id));
    }
}

pub fn line_of(m: MessageView) -> ChatLine {
    ChatLine {
        seq: Some(m.seq),
        author_kind: m.author_kind,
        author_name: m.author_name,
        body: m.body,
        created_at: m.created_at,
        client_msg_id: m.client_msg_id,
        delivery: Delivery::Acked,
        internal: m.internal,
    }
}
