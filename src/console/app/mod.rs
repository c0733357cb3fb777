//! The console's brain: `App` state plus pure transitions. Keys become [`Action`]s through the
//! keymap; `update(Action)` and `on_net(NetEvent)` change state and return [`Effect`]s for the
//! I/O loop to carry out (requests, bell, notifications). No sockets, no terminal, no clock:
//! tests drive it directly.

mod actions;
mod dialogs;
mod help;
pub use dialogs::{NEW_TAG, fuzzy_rank};
pub use help::HelpState;
mod input;
mod net_events;
mod replies;
mod scroll;
pub mod state;

pub use scroll::PAGE;

pub use state::*;

use crate::console::i18n::{Lang, fill, text};
use crate::console::reply::{Reply, ReplyError};
use crate::model::{AgentStatus, Millis, SessionId};
use crate::protocol::Request;

/// What a reply is for, so the app knows what to do with it. Each tag goes with one request
/// type (named in `replies.rs`, where its reply is handled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tag {
    Snapshot,
    Directory,
    KbList,
    KbGet(i64),
    QuickReplies,
    Transcript(SessionId),
    /// A page of older messages, fetched while scrolling back.
    OlderTranscript(SessionId),
    /// A past session opened read-only from the profile.
    PastTranscript(SessionId),
    Profile(SessionId),
    Accept(SessionId),
    Reject(SessionId),
    Send {
        session: SessionId,
        client_msg_id: String,
    },
    Status(AgentStatus),
    Tag(SessionId),
    FollowUp(SessionId),
    Transfer(SessionId),
    End(SessionId),
    ChangePassword,
    /// Fire and forget (typing).
    Ignore,
}

/// What the app asks the outside world to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// A protocol request; its reply comes back as `NetEvent::Reply` with the same tag.
    /// `message.send` requests are kept in the network outbox until acknowledged.
    Request {
        tag: Tag,
        request: Request,
    },
    /// Connect and log in (from the login screen).
    Login {
        server: String,
        username: String,
        password: String,
    },
    /// Something happened that may deserve the bell and/or a desktop notification; the
    /// notification centre settings decide. Text is sanitised.
    Alert {
        kind: AlertKind,
        title: String,
        body: String,
    },
    SaveLayout(LayoutPrefs),
    /// Remember server and username in the config file after a successful login.
    RememberLogin {
        server: String,
        username: String,
    },
    Quit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    Offer,
    Message,
    Mention,
}

/// What the network task reports.
#[allow(clippy::large_enum_variant)] // short-lived; boxing would spoil pattern matching
#[derive(Debug, Clone, PartialEq)]
pub enum NetEvent {
    Connecting,
    /// Authenticated (first login or resume after a reconnect).
    Connected {
        agent: crate::protocol::AgentInfo,
        must_change_password: bool,
        resumed: bool,
    },
    Disconnected {
        retry_at: Millis,
        /// Why, for people (and the log).
        reason: String,
    },
    /// Login failed before the workbench could open; `message` is for people.
    /// `bad_credentials` when the server refused the username or password.
    LoginFailed {
        message: String,
        bad_credentials: bool,
    },
    /// Messages kept on disk from an earlier run, being sent again now.
    OutboxRestored(Vec<crate::console::outbox::PendingSend>),
    /// Something the agent should know that is not an error of a request (e.g. the outbox
    /// file could not be written).
    Warning(String),
    Frame(crate::protocol::ServerFrame),
    /// The reply to the request sent with `tag`, read as that request's reply type.
    Reply {
        tag: Tag,
        result: Result<Reply, ReplyError>,
    },
}

/// How long a customer may wait before the wait colour turns "long", then "overdue".
pub const WAIT_LONG_MS: Millis = 60_000;
pub const WAIT_OVERDUE_MS: Millis = 180_000;

/// One row of the session list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Heading(&'static str),
    Session(SessionId),
    /// A queued session of a manual group, pickable with accept.
    Queued(SessionId),
}

impl App {
    pub fn new(lang: Lang, layout: LayoutPrefs, now: Millis) -> App {
        App {
            lang,
            login: None,
            me: None,
            status: AgentStatus::Offline,
            conn: ConnState::Connecting,
            sessions: Default::default(),
            selected: None,
            focus: Focus::Sessions,
            overlay: None,
            queues: Vec::new(),
            pickable: Vec::new(),
            directory: Vec::new(),
            kb: KbState::default(),
            quick_replies: Vec::new(),
            layout,
            pending_keys: Vec::new(),
            now,
            notice: None,
            next_msg: 1,
            known_tags: Vec::new(),
            should_quit: false,
            profile_selected: 0,
            viewport: Default::default(),
            status_requested: None,
            nudge: None,
            orphans: Vec::new(),
            outbox_durable: false,
        }
    }

    /// The app with the login screen up.
    pub fn with_login(mut self, server: String, username: String) -> App {
        let field = if username.is_empty() { 1 } else { 2 };
        self.login = Some(LoginForm {
            server,
            username,
            field,
            ..Default::default()
        });
        self
    }

    pub fn notice(&mut self, text: impl Into<String>) {
        self.notice = Some((text.into(), self.now + 5_000));
    }

    /// Sessions in list order: offers, active, pending follow-up, read-only, then pickable queue.
    pub fn rows(&self) -> Vec<Row> {
        let t = text(self.lang);
        let mut offers: Vec<&SessionEntry> =
            self.sessions.values().filter(|s| s.is_offer()).collect();
        offers.sort_by_key(|s| (s.offer_expires, s.view.id));
        let active: Vec<&SessionEntry> = self
            .sessions
            .values()
            .filter(|s| !s.is_offer() && !s.read_only && !s.view.follow_up)
            .collect();
        let follow: Vec<&SessionEntry> = self
            .sessions
            .values()
            .filter(|s| !s.is_offer() && !s.read_only && s.view.follow_up)
            .collect();
        let past: Vec<&SessionEntry> = self.sessions.values().filter(|s| s.read_only).collect();
        let mut rows = Vec::new();
        for (heading, list) in [
            (t.offers_heading, offers),
            (t.active_heading, active),
            (t.followup_heading, follow),
            (t.read_only, past),
        ] {
            if !list.is_empty() {
                rows.push(Row::Heading(heading));
                rows.extend(list.iter().map(|s| Row::Session(s.view.id)));
            }
        }
        if !self.pickable.is_empty() {
            rows.push(Row::Heading(t.queue_heading));
            rows.extend(self.pickable.iter().map(|s| Row::Queued(s.id)));
        }
        rows
    }

    /// Session ids in list order (what next/previous and 1–9 walk through).
    pub fn order(&self) -> Vec<SessionId> {
        self.rows()
            .into_iter()
            .filter_map(|r| match r {
                Row::Session(id) | Row::Queued(id) => Some(id),
                Row::Heading(_) => None,
            })
            .collect()
    }

    pub fn current(&self) -> Option<&SessionEntry> {
        self.selected.and_then(|id| self.sessions.get(&id))
    }

    pub fn current_mut(&mut self) -> Option<&mut SessionEntry> {
        self.selected.and_then(|id| self.sessions.get_mut(&id))
    }

    /// How urgently a session needs the agent: offer > waiting too long > VIP/complaint > unread.
    pub fn attention(&self, s: &SessionEntry) -> u8 {
        if s.is_offer() {
            4
        } else if s
            .view
            .waiting_since
            .is_some_and(|w| self.now - w >= WAIT_LONG_MS)
        {
            3
        } else if (s.view.customer.vip || is_complaint(&s.view))
            && (s.unread > 0 || s.view.waiting_since.is_some())
        {
            2
        } else if s.unread > 0 {
            1
        } else {
            0
        }
    }

    /// Active sessions (not offers, not read-only), for the quit confirmation.
    pub fn active_count(&self) -> usize {
        self.sessions
            .values()
            .filter(|s| !s.is_offer() && !s.read_only)
            .count()
    }

    /// Messages written but not acknowledged by the server (in the outbox or refused).
    pub fn unsent_count(&self) -> usize {
        self.sessions
            .values()
            .map(SessionEntry::unsent)
            .sum::<usize>()
            + self.orphans.len()
    }

    /// Selects a session, marks it read and fetches what the panels need.
    pub fn select(&mut self, id: SessionId) -> Vec<Effect> {
        if self.selected != Some(id) {
            self.profile_selected = 0;
        }
        self.selected = Some(id);
        let mut fx = Vec::new();
        if let Some(s) = self.sessions.get_mut(&id) {
            s.unread = 0;
            s.scroll = 0;
            s.jump_top = false;
            if !s.loaded {
                fx.push(scroll::newest_page(
                    Tag::Transcript(id),
                    id,
                    s.view.last_seq,
                ));
            }
            if s.past.is_none() && !s.read_only {
                let profile = crate::protocol::request::Profile {
                    customer_id: s.view.customer.id,
                };
                fx.push(actions::request(Tag::Profile(id), profile));
            }
        }
        fx
    }

    /// A fresh client_msg_id, unique for this console run.
    pub fn new_msg_id(&mut self) -> String {
        let n = self.next_msg;
        self.next_msg += 1;
        let me = self.me.as_ref().map(|m| m.id).unwrap_or(0);
        format!("c{me}-{}-{n}", self.now)
    }
}

/// "1 message …" or "{n} messages …": `one` for exactly one, else `many` with `{n}` filled.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        one.to_string()
    } else {
        fill(many, &[("n", &n.to_string())])
    }
}

pub fn is_complaint(view: &crate::protocol::SessionView) -> bool {
    let c = |t: &String| t == "complaint" || t.contains("投诉");
    view.customer.tags.iter().any(c)
        || view.tags.iter().any(c)
        || view.intent.as_deref() == Some("complaint")
}
