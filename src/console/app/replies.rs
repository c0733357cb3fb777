//! What the app does with the replies to its requests (and with their errors). Replies arrive
//! typed: the network task read each as the reply type its request declares. Each tag goes
//! with one request, listed here next to its handler; a reply that does not fit its tag is a
//! bug of ours, logged and shown like an unreadable reply.

use super::net_events::line_of;
use super::scroll::merge_lines;
use super::*;
use crate::console::i18n::fill;
use crate::console::i18n::text;
use crate::console::reply::{Reply, ReplyError};
use crate::console::sanitize::inert_line;
use crate::model::SessionId;
use crate::protocol::{
    AcceptReply, DirectoryReply, ErrorCode, ProfileReply, SnapshotReply, TranscriptReply,
};

impl App {
    pub(super) fn on_reply(&mut self, tag: Tag, result: Result<Reply, ReplyError>) -> Vec<Effect> {
        let reply = match result {
            Ok(r) => r,
            Err(e) => return self.on_error(tag, e),
        };
        match (tag, reply) {
            (Tag::Snapshot, Reply::Snapshot(r)) => self.apply_snapshot(r),
            (Tag::Directory, Reply::Directory(r)) => self.on_directory(r),
            (Tag::KbList, Reply::KbSearch(r)) => self.on_kb_titles_page(true, r),
            (Tag::KbListMore(_), Reply::KbSearch(r)) => self.on_kb_titles_page(false, r),
            (Tag::KbFlow(tag), reply) => self.on_kb_flow_reply(tag, reply),
            (Tag::Notes(tag), reply) => self.on_notes_reply(tag, reply),
            (Tag::History(tag), reply) => self.on_history_reply(tag, reply),
            (Tag::Dash(tag), reply) => self.on_dash_reply(tag, reply),
            (Tag::Audit(tag), reply) => self.on_audit_reply(tag, reply),
            (Tag::Totp(tag), reply) => self.on_totp_reply(tag, reply),
            (Tag::KbFullText(generation), Reply::KbSearch(r)) => {
                self.merge_kb_hits(generation, r.articles)
            }
            (Tag::KbSent(id), Reply::KbSent(r)) => {
                self.on_kb_sent(id, r.sent);
                Vec::new()
            }
            (Tag::Suggest(generation), Reply::Suggest(r)) => self.on_suggest(generation, r),
            (Tag::KbGet(_), Reply::KbGet(r)) => {
                self.kb.bodies.insert(r.article.id, r.article.into());
                Vec::new()
            }
            (Tag::CcContacts, Reply::CcContacts(r)) => self.on_cc_contacts(r),
            (Tag::Cc(id), Reply::SessionCc(r)) => self.on_cc_queued(id, r),
            (Tag::QuickReplies, Reply::QuickReplies(r)) => {
                self.quick_replies = r.quick_replies;
                self.refilter();
                Vec::new()
            }
            (Tag::QuickReplyUsed(_), Reply::QuickReplyUsed(r)) => {
                self.on_quick_reply_used(r);
                Vec::new()
            }
            (Tag::QuickReplySave, Reply::QuickReplySave(r)) => {
                self.on_quick_reply_saved(r.quick_reply);
                self.quick_form_saved();
                Vec::new()
            }
            (Tag::QuickReplyDelete(id), Reply::QuickReplyDelete(_)) => {
                self.on_quick_reply_deleted(id);
                Vec::new()
            }
            (Tag::Transcript(id), Reply::Transcript(r)) => {
                if let Some(s) = self.sessions.get_mut(&id) {
                    // Lines that arrived live while it loaded are kept; one line per seq.
                    merge_lines(&mut s.lines, r.messages.into_iter().map(line_of).collect());
                    s.loaded = true;
                }
                Vec::new()
            }
            (Tag::OlderTranscript(id), Reply::Transcript(r)) => {
                self.on_older_page(id, r.messages.into_iter().map(line_of).collect())
            }
            (Tag::PastTranscript(id), Reply::Transcript(r)) => self.open_past(id, r),
            (Tag::Profile(id), Reply::Profile(r)) => self.on_profile(id, r),
            (Tag::Accept(id), Reply::Accept(r)) => self.on_accepted(id, r),
            (Tag::Reject(id), Reply::Reject(_)) => {
                self.remove_session(id);
                Vec::new()
            }
            (
                Tag::Send {
                    session,
                    client_msg_id,
                },
                Reply::SendMessage(ack),
            ) => {
                if let Some(line) = self.find_line(session, &client_msg_id) {
                    line.delivery = Delivery::Acked;
                    line.seq = Some(ack.seq);
                }
                // The ack stands for our message's event (the server sends us no copy).
                if let Some(s) = self.sessions.get_mut(&session) {
                    s.view.last_seq = s.view.last_seq.max(ack.seq);
                    s.view.waiting_since = None;
                }
                self.drop_orphan(&client_msg_id);
                Vec::new()
            }
            (Tag::Status(_), Reply::SetStatus(r)) => {
                self.status = r.status;
                self.status_requested = None;
                // The agent chose a status: nothing left to explain.
                self.nudge = None;
                Vec::new()
            }
            (Tag::Tag(id), Reply::Tag(r)) => {
                if let Some(s) = self.sessions.get_mut(&id) {
                    s.view.tags = r.tags;
                }
                Vec::new()
            }
            (Tag::FollowUp(id), Reply::FollowUp(r)) => {
                if let Some(s) = self.sessions.get_mut(&id) {
                    s.view.follow_up = r.follow_up;
                    s.view.follow_up_at = r.follow_up_at;
                }
                Vec::new()
            }
            (Tag::Transfer(id), Reply::Transfer(_)) => {
                self.transfer_done(id);
                self.remove_session(id);
                self.notice(format!("#{id} {}", text(self.lang).system_transferred));
                Vec::new()
            }
            (Tag::Ending(t), reply) => self.on_end_reply(t, reply),
            (Tag::Account(t), reply) => self.on_account_reply(t, reply),
            (Tag::Report(g), Reply::ReportGet(r)) => self.on_report(g, r),
            (Tag::ChangePassword, Reply::ChangePassword(_)) if self.totp_owed => {
                self.start_forced_enrolment()
            }
            (Tag::ChangePassword, Reply::ChangePassword(_)) => {
                if !matches!(self.status, AgentStatus::Online | AgentStatus::Busy) {
                    self.nudge = Some(StatusNudge::FirstLogin);
                }
                self.enter_workbench(false)
            }
            (Tag::Ignore, Reply::Typing(_)) => Vec::new(),
            (tag, reply) => {
                tracing::error!(
                    ?tag,
                    reply = reply.name(),
                    "a reply that does not fit its request"
                );
                let e = ReplyError::Unreadable {
                    request: reply.name(),
                    detail: format!("a {} reply for {tag:?}", reply.name()),
                };
                self.on_error(tag, e)
            }
        }
    }

    fn on_error(&mut self, tag: Tag, e: ReplyError) -> Vec<Effect> {
        let t = text(self.lang);
        let message = match &e {
            ReplyError::Api(e) => inert_line(&e.message).into_owned(),
            ReplyError::NotConnected => t.reply_not_connected.to_string(),
            ReplyError::Unreadable { request, .. } => {
                fill(t.reply_unreadable, &[("request", &inert_line(request))])
            }
        };
        let code = match &e {
            ReplyError::Api(e) => Some(e.code),
            _ => None,
        };
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
                    form.error = Some(if code == Some(ErrorCode::Invalid) {
                        t.login_policy_refused.to_string()
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
            Tag::Notes(nt) => self.on_notes_error(nt, &e),
            // The Reports screen says why, in place of the report.
            Tag::Report(g) => return self.on_report_error(g, &e),
            // Shown on the Audit screen, where it was asked.
            Tag::Audit(at) => {
                self.on_audit_error(at, &message);
                return Vec::new();
            }
            // Shown on the History screen, where it was asked.
            Tag::History(ht) => {
                self.on_history_error(ht, &message);
                return Vec::new();
            }
            Tag::Accept(id)
                if code == Some(ErrorCode::Conflict)
                    && self.sessions.get(&id).is_some_and(|s| s.is_offer()) =>
            {
                self.remove_session(id);
            }
            // The dialog stays open with the reason (and the note) in it.
            Tag::Transfer(id) if self.transfer_refused(id, code, &message) => return Vec::new(),
            // The form stays open with the server's reason in it.
            Tag::QuickReplySave if self.quick_form_failed(&message) => return Vec::new(),
            // The End dialog stays open with the server's reason in it.
            Tag::Ending(t) if self.end_failed(&t, &message) => return Vec::new(),
            // A use that was not counted only changes the ranking a little.
            Tag::QuickReplyUsed(_) if !matches!(e, ReplyError::Unreadable { .. }) => {
                return Vec::new();
            }
            // The fuzzy title matches stay; a failed full-text search is not worth a notice.
            Tag::KbFullText(_) => return Vec::new(),
            // A renewal that failed is tried again at the next key; a closed sign-in is
            // reported by the close itself.
            Tag::Account(super::account_state::AccountTag::Renew) => return Vec::new(),
            // Shown on the Account screen, where it was asked.
            Tag::Account(_) if self.account_failed(&message) => return Vec::new(),
            // The 2FA screen stays up with the reason in it.
            Tag::Totp(_) if self.totp_failed(&message) => return Vec::new(),
            // Suggestions are a hint: without them the strip stays empty.
            Tag::Suggest(_) => return Vec::new(),
            // Typing signals are best-effort; only a reply we could not read is worth a word.
            Tag::Ignore if !matches!(e, ReplyError::Unreadable { .. }) => return Vec::new(),
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

    fn on_directory(&mut self, r: DirectoryReply) -> Vec<Effect> {
        self.directory = r.agents;
        self.queues = r.groups;
        self.menus = r.menus;
        if let Some(Overlay::Transfer { .. }) = &self.overlay {
            let fresh = self.transfer_items();
            if let Some(Overlay::Transfer { items, .. }) = &mut self.overlay {
                *items = fresh;
            }
            self.refilter();
        }
        Vec::new()
    }

    /// A past session opened from the profile: shown read-only, with its transcript.
    fn open_past(&mut self, id: SessionId, r: TranscriptReply) -> Vec<Effect> {
        let mut entry = SessionEntry::new(r.session);
        entry.read_only = true;
        entry.opened_from = self.selected.filter(|s| *s != id);
        entry.loaded = true;
        entry.past = Some(Vec::new());
        entry.lines = r.messages.into_iter().map(line_of).collect();
        self.sessions.insert(id, entry);
        self.selected = Some(id);
        self.focus = Focus::Chat;
        Vec::new()
    }

    fn on_profile(&mut self, id: SessionId, r: ProfileReply) -> Vec<Effect> {
        if let Some(s) = self.sessions.get_mut(&id) {
            s.past = Some(
                r.sessions
                    .into_iter()
                    .filter(|p| p.id != id)
                    .map(PastSession::from)
                    .collect(),
            );
            s.view.customer = r.customer;
        }
        Vec::new()
    }

    fn on_accepted(&mut self, id: SessionId, r: AcceptReply) -> Vec<Effect> {
        self.pickable.retain(|p| p.id != id);
        if let Some(view) = r.session {
            // Messages written while it was only offered did not reach us: fetch again.
            self.upsert_session(view, None).loaded = false;
        }
        let fx = self.select(id);
        self.focus = Focus::Compose;
        fx
    }

    fn apply_snapshot(&mut self, r: SnapshotReply) -> Vec<Effect> {
        if let Some(agent) = r.agent {
            self.me = Some(agent);
        }
        if let Some(status) = self.me.as_ref().map(|m| m.status) {
            // A fresh snapshot (after a reload) may be the first we hear of a status change.
            self.on_status_event(status, None);
        }
        self.queues = r.queues;
        self.pickable = r.queued;
        let mut keep: Vec<SessionId> = Vec::new();
        for view in r.sessions {
            keep.push(view.id);
            self.upsert_session(view, None);
        }
        for offer in r.offers {
            keep.push(offer.session.id);
            self.upsert_session(offer.session, Some(offer.expires_at));
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
