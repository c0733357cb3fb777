//! The console's brain: `App` state plus pure transitions. Keys become [`Action`]s through the
//! keymap; `update(Action)` and `on_net(NetEvent)` change state and return [`Effect`]s for the
//! I/O loop to carry out (requests, bell, notifications). No sockets, no terminal, no clock:
//! tests drive it directly.
//!
//! One `App` (in `state`), its behaviour split by concern into `impl App` blocks: `actions`
//! (`update`), `input` (keys and paste), `dialogs`, `help`, `net_events` and `replies` (what
//! the network reports), `scroll`, `sessions` (the list and selection). `effect` holds what goes
//! in and out; `layout` the pure screen measures that scrolling and drawing share. Nothing
//! here knows the drawing side (`ui`): it reads this state.
//!
//! [`Action`]: crate::console::action::Action

mod account;
mod account_screen;
pub mod account_state;
mod actions;
mod audit;
pub mod audit_state;
mod cc;
mod cc_state;
mod chat_line;
mod dashboard;
pub mod dashboard_state;
mod dialogs;
mod effect;
mod end;
pub mod end_state;
pub mod end_text;
mod followup;
pub mod followup_state;
mod help;
mod history;
pub mod history_state;
mod input;
mod kb_flow;
mod kb_flow_state;
pub mod layout;
mod menu_choices;
mod net_events;
mod notes;
mod notes_mentions;
pub mod notes_state;
mod picker;
mod quick;
pub mod quick_manager;
mod quick_state;
mod replies;
mod report;
pub mod report_period;
pub mod report_state;
mod scroll;
mod sessions;
pub mod state;
pub mod suggest;
mod suggest_state;
mod totp;
pub mod totp_state;
pub mod transfer_dialog;
pub mod transfer_state;

pub use cc_state::{CcDialog, TYPED};
pub use effect::{AlertKind, Effect, NetEvent, Tag};
pub use end_state::{EndDialog, EndField, EndTag};
pub use kb_flow_state::{EditOutcome, EditPurpose, KbFlowState, KbFlowTag, KbView};
pub use picker::{NEW_TAG, fuzzy_rank};
pub use quick_state::{NEW_REPLY, QuickForm, QuickManager};
pub use report::range_error;
pub use report_state::{ReportLoad, ReportsScreen};
pub use scroll::PAGE;
pub use sessions::{Row, WAIT_LONG_MS, WAIT_OVERDUE_MS, is_complaint};
pub use state::*;

use crate::console::i18n::{Lang, fill};
use crate::model::{AgentStatus, Millis};

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
            menus: Vec::new(),
            kb: KbState::default(),
            suggest: Default::default(),
            kbflow: KbFlowState::default(),
            followup: Default::default(),
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
            notes: Default::default(),
            history_parked: None,
            account: Default::default(),
            totp_owed: false,
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
