//! The console's state: plain data, no I/O. `App` owns everything the screen shows.

use crate::console::composer::Composer;
use crate::console::i18n::Lang;
use crate::console::keymap::KeyChord;
use crate::model::{AgentStatus, Millis, SessionId};
use crate::protocol::{AgentInfo, Article, ArticleSummary, QueueInfo, SessionView, Snippet};
use serde::{Deserialize, Serialize};
use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};

/// Which panel has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Sessions,
    Chat,
    Compose,
    Profile,
    Kb,
}

pub use super::chat_line::{ChatLine, Delivery};

/// A past session in the profile sidebar.
#[derive(Debug, Clone, PartialEq)]
pub struct PastSession {
    pub id: SessionId,
    pub created_at: Millis,
    pub tags: Vec<String>,
    pub end_reason: Option<crate::model::EndReason>,
    pub state: crate::model::SessionState,
    pub csat: Option<u8>,
    /// The customer's words with the rating.
    pub csat_comment: Option<String>,
    /// Seq of its last message, so opening it fetches the newest page first.
    pub last_seq: i64,
}

impl From<SessionView> for PastSession {
    fn from(v: SessionView) -> Self {
        PastSession {
            id: v.id,
            created_at: v.created_at,
            tags: v.tags,
            end_reason: v.end_reason,
            state: v.state,
            csat: v.csat,
            csat_comment: v.csat_comment,
            last_seq: v.last_seq,
        }
    }
}

/// One conversation in the list: an offer, an active session, or one opened read-only.
#[derive(Debug, Clone)]
pub struct SessionEntry {
    pub view: SessionView,
    /// Set while it is an offer to us: when it expires.
    pub offer_expires: Option<Millis>,
    pub transfer_note: Option<(String, Option<String>)>,
    pub lines: Vec<ChatLine>,
    /// Transcript fetched from the server (else only live lines are known).
    pub loaded: bool,
    pub unread: usize,
    /// Who is typing on the customer's side, until when.
    pub typing: Option<(String, Millis)>,
    pub past: Option<Vec<PastSession>>,
    /// A past session opened from the profile: shown, never written to.
    pub read_only: bool,
    /// For a read-only session: the session whose profile it was opened from.
    pub opened_from: Option<SessionId>,
    /// Screen rows scrolled up from the bottom (0 = following the newest message).
    pub scroll: usize,
    /// An older page of the transcript is on its way.
    pub loading_older: bool,
    /// Home was pressed: keep paging older messages in until the first one, then show it.
    pub jump_top: bool,
    pub draft: Composer,
    /// When we last told the customer we are typing (throttles typing frames).
    pub typing_sent_at: Millis,
}

impl SessionEntry {
    pub fn new(view: SessionView) -> SessionEntry {
        SessionEntry {
            view,
            offer_expires: None,
            transfer_note: None,
            lines: Vec::new(),
            loaded: false,
            unread: 0,
            typing: None,
            past: None,
            read_only: false,
            opened_from: None,
            scroll: 0,
            loading_older: false,
            jump_top: false,
            draft: Composer::default(),
            typing_sent_at: 0,
        }
    }

    pub fn is_offer(&self) -> bool {
        self.offer_expires.is_some()
    }

    /// Seq of the oldest message loaded (seqs are 1, 2, 3… per session).
    pub fn oldest_seq(&self) -> Option<i64> {
        self.lines.iter().filter_map(|l| l.seq).min()
    }

    /// Messages not yet acknowledged by the server (waiting in the outbox, or refused).
    pub fn unsent(&self) -> usize {
        self.lines
            .iter()
            .filter(|l| l.delivery != Delivery::Acked)
            .count()
    }
}

/// A knowledge-base article title (all are fetched once; searched locally).
#[derive(Debug, Clone, PartialEq)]
pub struct KbTitle {
    pub id: i64,
    pub title: String,
    pub keywords: Vec<String>,
}

impl From<ArticleSummary> for KbTitle {
    fn from(a: ArticleSummary) -> Self {
        KbTitle {
            id: a.id,
            title: a.title,
            keywords: a.keywords,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct KbArticle {
    pub id: i64,
    pub title: String,
    pub body: String,
}

impl From<Article> for KbArticle {
    fn from(a: Article) -> Self {
        KbArticle {
            id: a.id,
            title: a.title,
            body: a.body,
        }
    }
}

/// A canned answer, as the server lists it.
pub use super::picker::Picker;
pub use crate::protocol::QuickReply;

/// The knowledge-base search panel.
#[derive(Debug, Clone, Default)]
pub struct KbState {
    pub query: String,
    pub titles: Vec<KbTitle>,
    /// Lower-cased "title keywords" per title, built once so each keystroke only searches.
    pub keyed: Vec<String>,
    /// Indexes into `titles`, best match first.
    pub matches: Vec<usize>,
    /// The query `matches` answers; a longer query only searches within them.
    pub matched_query: String,
    pub selected: usize,
    /// Full articles fetched so far, by id.
    pub bodies: HashMap<i64, KbArticle>,
    /// Position in `titles` by article id.
    pub by_id: HashMap<i64, usize>,
    /// Bumped whenever the query changes: a full-text answer for an older one is dropped.
    pub generation: u64,
    /// The query the last full-text search was scheduled for.
    pub searched_query: String,
    /// When the scheduled full-text search goes out (debounced after the last keystroke).
    pub due: Option<Millis>,
    /// The server's snippets for the current query's hits, by id (text from the network,
    /// sanitised when drawn).
    pub snippets: HashMap<i64, Snippet>,
}

impl KbState {
    pub fn set_titles(&mut self, titles: Vec<KbTitle>) {
        self.keyed = titles
            .iter()
            .map(|t| format!("{} {}", t.title, t.keywords.join(" ")).to_lowercase())
            .collect();
        self.by_id = titles.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
        self.titles = titles;
        self.matched_query.clear();
        self.matches.clear();
    }

    /// The position of a title, added if it is not listed yet (a hit may be newer than the
    /// list fetched at start).
    pub fn index_of(&mut self, t: KbTitle) -> usize {
        if let Some(i) = self.by_id.get(&t.id) {
            return *i;
        }
        let i = self.titles.len();
        self.keyed
            .push(format!("{} {}", t.title, t.keywords.join(" ")).to_lowercase());
        self.by_id.insert(t.id, i);
        self.titles.push(t);
        i
    }
}

/// Panel sizes and visibility; saved to the config dir so the workbench is remembered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LayoutPrefs {
    pub list_width: u16,
    pub sidebar_width: u16,
    pub show_sidebar: bool,
    pub show_kb: bool,
}

impl Default for LayoutPrefs {
    fn default() -> Self {
        LayoutPrefs {
            list_width: 30,
            sidebar_width: 32,
            show_sidebar: true,
            show_kb: false,
        }
    }
}

/// The size of the transcript area at the last draw, so scrolling knows where the top is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatViewport {
    pub width: u16,
    pub height: u16,
}

impl Default for ChatViewport {
    /// What an 80×24 terminal gives the transcript, until the first draw says otherwise.
    fn default() -> Self {
        ChatViewport {
            width: 40,
            height: 16,
        }
    }
}

/// Why the status banner asks the agent to go online.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusNudge {
    /// The server set us away after offers went unanswered (`StatusReason::MissedOffers`).
    MissedOffers(AgentStatus),
    /// The server set us offline: disconnected past the grace period
    /// (`StatusReason::Disconnected`).
    Disconnected(AgentStatus),
    /// Signed out of the last connection elsewhere (`StatusReason::LoggedOut`).
    LoggedOut(AgentStatus),
    /// A supervisor set it (`StatusReason::Supervisor`).
    BySupervisor(AgentStatus),
    /// Another sign-in of ours changed the status (a change with no reason we did not ask for).
    ChangedElsewhere(AgentStatus),
    /// First sign-in done (the password was just set): the agent starts offline.
    FirstLogin,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnState {
    Connecting,
    Connected,
    /// Lost; the network task retries at `retry_at`.
    Disconnected {
        retry_at: Millis,
        /// Why the connection was lost, for people.
        reason: String,
    },
}

/// One target in the transfer dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferChoice {
    /// `available`: online and connected (others are listed last, greyed and marked).
    Agent {
        username: String,
        label: String,
        available: bool,
    },
    Group {
        name: String,
        label: String,
    },
    /// A self-service menu node: `"menu"` or `"menu/node"`.
    Menu {
        target: String,
        label: String,
    },
}

impl TransferChoice {
    pub fn label(&self) -> &str {
        match self {
            TransferChoice::Agent { label, .. }
            | TransferChoice::Group { label, .. }
            | TransferChoice::Menu { label, .. } => label,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Overlay {
    Help(HelpState),
    Transfer {
        session: SessionId,
        items: Vec<TransferChoice>,
        picker: Picker,
        note: String,
        on_note: bool,
        /// Sending, or refused with a reason and perhaps "queue anyway" (`transfer_dialog`).
        status: super::transfer_state::TransferStatus,
    },
    Tag {
        session: SessionId,
        items: Vec<String>,
        picker: Picker,
    },
    /// Ending a conversation (`end.rs`).
    End(super::end_state::EndDialog),
    QuickReplies {
        picker: Picker,
    },
    /// Managing quick replies (`quick_manager`).
    QuickManager(super::quick_state::QuickManager),
    /// CC of the transcript (`cc`).
    Cc(super::cc_state::CcDialog),
    /// Marking a conversation for follow-up with a reminder (`followup`).
    FollowUp(super::followup_state::FollowUpDialog),
    /// The History screen, full-screen (`history`).
    History(Box<super::history_state::HistoryScreen>),
    /// The supervisor's live view, full screen (`dashboard`).
    Dashboard(super::dashboard_state::DashScreen),
    Quit,
    /// The Reports screen, full-screen (`report`).
    Reports(Box<super::report_state::ReportsScreen>),
    /// The audit log, full screen, for admins (`audit`).
    Audit(Box<super::audit_state::AuditScreen>),
    /// The Account screen: profile and signed-in devices (`account_screen`).
    Account(super::account_state::AccountScreen),
    /// Two-factor enrolment (`totp`).
    TwoFactor(Box<super::totp_state::TotpScreen>),
}

/// The help overlay: a pager over every binding, with a filter line (its keys are in `help`).
#[derive(Debug, Clone)]
pub struct HelpState {
    /// First line shown.
    pub scroll: usize,
    /// Only bindings whose keys, action or description contain every word are listed.
    pub filter: String,
    /// Typed characters go to the filter line.
    pub filtering: bool,
    /// (furthest scroll, page height) of the last frame drawn. The renderer records it: the
    /// app knows no screen size, and keys must not scroll past the end.
    pub extent: Cell<(usize, usize)>,
    /// The screen the help was opened from (e.g. Reports), back on top when help closes.
    pub back: Option<Box<Overlay>>,
}

impl Default for HelpState {
    fn default() -> Self {
        HelpState {
            scroll: 0,
            filter: String::new(),
            filtering: false,
            // Nothing drawn yet: no limit known.
            extent: Cell::new((usize::MAX, 10)),
            back: None,
        }
    }
}

/// The login screen.
#[derive(Debug, Clone, Default)]
pub struct LoginForm {
    pub server: String,
    pub username: String,
    pub password: String,
    /// Set when the server demands a new password.
    pub new_password: Option<(String, String)>,
    /// Set when the server asked for a second-factor code (`totp_required`): field 3.
    pub totp: Option<String>,
    /// Which field has the cursor (0 server, 1 user, 2 password, 3/4 new passwords, or 3
    /// the second-factor code).
    pub field: usize,
    pub error: Option<String>,
    pub busy: bool,
}

pub struct App {
    pub lang: Lang,
    /// The login form while not logged in; `None` on the workbench.
    pub login: Option<LoginForm>,
    pub me: Option<AgentInfo>,
    /// Our own account: profile, sign-in renewal (`account.rs`).
    pub account: super::account_state::AccountState,
    pub status: AgentStatus,
    pub conn: ConnState,
    pub sessions: BTreeMap<SessionId, SessionEntry>,
    pub selected: Option<SessionId>,
    pub focus: Focus,
    pub overlay: Option<Overlay>,
    pub queues: Vec<QueueInfo>,
    /// Queued sessions of manual groups we may pick.
    pub pickable: Vec<SessionView>,
    pub directory: Vec<AgentInfo>,
    /// Self-service menus from the directory (transfer targets).
    pub menus: Vec<crate::protocol::MenuEntry>,
    pub kb: KbState,
    /// Suggested replies and message intents (`suggest`).
    pub suggest: super::suggest_state::SuggestState,
    /// The knowledge base's workflow: updates, proposals, sent articles (`kb_flow.rs`).
    pub kbflow: super::kb_flow_state::KbFlowState,
    /// Fired follow-up reminders and the agent's time zone (`followup`).
    pub followup: super::followup_state::FollowUpState,
    pub quick_replies: Vec<QuickReply>,
    pub layout: LayoutPrefs,
    pub pending_keys: Vec<KeyChord>,
    /// The injected clock: set by the caller before each update.
    pub now: Millis,
    /// A short message for the status bar, until when.
    pub notice: Option<(String, Millis)>,
    /// Counter for client_msg_ids.
    pub next_msg: u64,
    /// Known tags, for the tag dialog.
    pub known_tags: Vec<String>,
    pub should_quit: bool,
    /// The highlighted past session in the profile sidebar (opened read-only with `open`).
    pub profile_selected: usize,
    /// Written by each draw: the transcript area, which scrolling clamps against.
    pub viewport: Cell<ChatViewport>,
    /// The status we asked for and have no answer to yet (so a `status` event for it is ours).
    pub status_requested: Option<AgentStatus>,
    /// Shown in the banner until the agent is online: why they are not, and the key to fix it.
    pub nudge: Option<StatusNudge>,
    /// Messages restored from the on-disk outbox whose session is not in the list (yet).
    pub orphans: Vec<(SessionId, ChatLine)>,
    /// The outbox is kept on disk: unsent messages survive quitting (the quit dialog says so).
    pub outbox_durable: bool,
    /// Internal notes and @mentions (`notes`).
    pub notes: super::notes_state::NotesState,
    /// The History screen while closed (or under help): alt-h brings it back as it was.
    pub history_parked: Option<Box<super::history_state::HistoryScreen>>,
    /// The role requires a second factor not enrolled yet: enrolment comes before work.
    pub totp_owed: bool,
}
