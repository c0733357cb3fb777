//! The supervisor's live view (`alt-w`, supervisors and admins): a full-screen overlay fed by
//! the server's `dashboard` frames (`dashboard.watch` on when it opens, off when it closes,
//! on again after a reconnect), and the actions on the selected agent or conversation: set
//! their status (a small picker), take the conversation over, reassign it (the Transfer
//! dialog), watch it read-only in the main view, or whisper (a note in it). The state is in
//! `dashboard_state`, the drawing in `ui::dashboard`.

use super::dashboard_state::{DashScreen, DashTag, PICK_STATUSES};
use super::effect::request;
use super::net_events::line_of;
use super::*;
use crate::console::action::Action;
use crate::console::i18n::text;
use crate::console::reply::Reply;
use crate::model::SessionId;
use crate::protocol::request as req;
use crate::protocol::{AgentSetStatus, DashboardView, DashboardWatch, TakeOver};

fn watch(on: bool) -> Effect {
    request(
        Tag::Dash(DashTag::Watch(on)),
        DashboardWatch {
            on,
            session_id: None,
        },
    )
}

impl App {
    fn dash(&mut self) -> Option<&mut DashScreen> {
        match &mut self.overlay {
            Some(Overlay::Dashboard(d)) => Some(d),
            _ => None,
        }
    }

    /// `alt-w`: opens the dashboard (supervisors and admins), or says why not.
    pub(super) fn open_dashboard(&mut self) -> Vec<Effect> {
        let allowed = self.me.as_ref().is_some_and(|m| m.role.sees_all());
        if !allowed {
            self.notice(text(self.lang).dash_forbidden);
            return Vec::new();
        }
        self.overlay = Some(Overlay::Dashboard(DashScreen::default()));
        vec![watch(true)]
    }

    fn close_dashboard(&mut self) -> Vec<Effect> {
        self.overlay = None;
        vec![watch(false)]
    }

    /// Keys while the dashboard is open (hook in `dialogs::update_overlay`).
    pub(super) fn dashboard_action(&mut self, action: Action) -> Vec<Effect> {
        use Action as A;
        let Some(d) = self.dash() else {
            return Vec::new();
        };
        let down = matches!(
            action,
            A::SelectNext | A::CursorDown | A::ScrollDown | A::NextSession
        );
        let up = matches!(
            action,
            A::SelectPrev | A::CursorUp | A::ScrollUp | A::PrevSession
        );
        if let Some(i) = d.picker {
            let n = PICK_STATUSES.len();
            match action {
                _ if down => d.picker = Some((i + 1) % n),
                _ if up => d.picker = Some((i + n - 1) % n),
                A::Confirm | A::DashStatus => {
                    d.picker = None;
                    let Some(agent) = d.selected_agent().map(|a| a.id) else {
                        return Vec::new();
                    };
                    let status = PICK_STATUSES[i];
                    let tag = Tag::Dash(DashTag::SetStatus { agent, status });
                    return vec![request(
                        tag,
                        AgentSetStatus {
                            agent_id: agent,
                            status,
                        },
                    )];
                }
                A::Cancel => d.picker = None,
                _ => {}
            }
            return Vec::new();
        }
        match action {
            A::Dashboard | A::Cancel | A::Quit => self.close_dashboard(),
            A::Help => {
                let fx = self.close_dashboard();
                self.overlay = Some(Overlay::Help(HelpState::default()));
                fx
            }
            _ if down => {
                d.step(true);
                Vec::new()
            }
            _ if up => {
                d.step(false);
                Vec::new()
            }
            A::DashNextConversation | A::NextField => {
                d.next_conv();
                Vec::new()
            }
            A::DashStatus => {
                let current = d.selected_agent().map(|a| a.status);
                if current.is_some() {
                    d.picker = PICK_STATUSES
                        .iter()
                        .position(|s| Some(*s) == current)
                        .or(Some(0));
                }
                Vec::new()
            }
            A::DashTakeOver => match d.selected_session_id() {
                Some(id) => vec![request(
                    Tag::Dash(DashTag::TakeOver(id)),
                    TakeOver { session_id: id },
                )],
                None => self.no_conversation(),
            },
            A::DashReassign => match d.selected_session_id() {
                Some(id) => self.dash_reassign(id),
                None => self.no_conversation(),
            },
            A::DashWatch | A::Confirm | A::Open => match d.selected_session_id() {
                Some(id) => self.dash_open(id, false),
                None => self.no_conversation(),
            },
            A::DashWhisper => match d.selected_session_id() {
                Some(id) => self.dash_open(id, true),
                None => self.no_conversation(),
            },
            _ => Vec::new(),
        }
    }

    fn no_conversation(&mut self) -> Vec<Effect> {
        self.notice(text(self.lang).dash_no_conversation);
        Vec::new()
    }

    /// Reassign: the Transfer dialog for that conversation (the dashboard closes).
    fn dash_reassign(&mut self, session: SessionId) -> Vec<Effect> {
        let mut fx = self.close_dashboard();
        let items = self.transfer_items();
        let matches = (0..items.len()).collect();
        self.overlay = Some(Overlay::Transfer {
            session,
            items,
            picker: Picker {
                matches,
                ..Default::default()
            },
            note: String::new(),
            on_note: false,
            status: Default::default(),
        });
        fx.push(request(Tag::Directory, req::Directory {}));
        fx
    }

    /// Watch (read-only, live) or whisper (a note) in a conversation: ours is just selected;
    /// another is opened read-only and followed (its messages reach us live).
    fn dash_open(&mut self, session: SessionId, whisper: bool) -> Vec<Effect> {
        let mut fx = self.close_dashboard();
        if self.sessions.contains_key(&session) {
            fx.extend(self.dash_show(session, whisper));
            return fx;
        }
        let transcript = req::Transcript {
            session_id: session,
            after_seq: None,
            limit: None,
        };
        fx.push(request(
            Tag::Dash(DashTag::Follow(session)),
            DashboardWatch {
                on: true,
                session_id: Some(session),
            },
        ));
        fx.push(request(
            Tag::Dash(DashTag::Open { session, whisper }),
            transcript,
        ));
        fx
    }

    /// Selects the conversation; a whisper starts a note in its composer.
    fn dash_show(&mut self, session: SessionId, whisper: bool) -> Vec<Effect> {
        let fx = self.select(session);
        if whisper {
            let watched = self.notes.watching.contains(&session);
            if !watched {
                self.notes.note_mode.insert(session);
            }
            self.focus = Focus::Compose;
        } else {
            self.focus = Focus::Chat;
        }
        fx
    }

    /// A `dashboard` frame (hook in `net_events`): shown if the dashboard is open.
    pub(super) fn on_dashboard_frame(&mut self, view: DashboardView) -> Vec<Effect> {
        if let Some(d) = self.dash() {
            d.view = Some(view);
        }
        Vec::new()
    }

    /// After a (re)connection the server knows no watcher: subscribe again if open.
    pub(super) fn dashboard_on_connect(&mut self) -> Vec<Effect> {
        if self.dash().is_some() {
            vec![watch(true)]
        } else {
            Vec::new()
        }
    }

    pub(super) fn on_dash_reply(&mut self, tag: DashTag, reply: Reply) -> Vec<Effect> {
        let t = text(self.lang);
        match (tag, reply) {
            (DashTag::Watch(true), Reply::DashboardWatch(v)) => self.on_dashboard_frame(v),
            (DashTag::Open { session, whisper }, Reply::Transcript(r)) => {
                if r.session.state == crate::model::SessionState::Ended {
                    self.notice(t.dash_ended);
                    return Vec::new();
                }
                let lines: Vec<ChatLine> = r.messages.into_iter().map(line_of).collect();
                if let std::collections::btree_map::Entry::Vacant(slot) =
                    self.sessions.entry(session)
                {
                    let mut entry = SessionEntry::new(r.session);
                    entry.read_only = true;
                    entry.loaded = true;
                    entry.lines = lines;
                    slot.insert(entry);
                    // Shown with the conversations we follow, notes only (`notes`).
                    self.notes.watching.insert(session);
                }
                self.dash_show(session, whisper)
            }
            (DashTag::SetStatus { .. }, Reply::AgentSetStatus(_)) => {
                self.notice(t.dash_status_set);
                Vec::new()
            }
            (DashTag::TakeOver(id), Reply::TakeOver(_)) => {
                self.notice(crate::console::i18n::fill(
                    t.dash_taken,
                    &[("id", &id.to_string())],
                ));
                Vec::new()
            }
            _ => Vec::new(),
        }
    }
}
