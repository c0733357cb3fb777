//! Requests: one struct per request type, gathered in the [`Request`] enum that a frame parses
//! into. Each struct names its reply type through [`Call`], so a client that sends a `Login`
//! can only decode a `LoginReply`, and a server handler can only answer with one.

pub use super::account::{
    AuditList, DeviceEnd, DevicesList, MeGet, MeUpdate, TokenRenew, TotpConfirm, TotpDisable,
    TotpEnroll,
};
pub use super::cc::{CcContacts, CcList, SessionCc};
pub use super::dashboard::{AgentSetStatus, DashboardWatch, TakeOver};
pub use super::ending::{EndCancel, TagsSuggest};
pub use super::history::{HistorySearch, HistorySession};
pub use super::kb_flow::{
    KbCheckIn, KbCheckins, KbProposalGet, KbProposals, KbPropose, KbReview, KbUpdates, KbWithdraw,
};
pub use super::notes::{MentionRead, MentionsList, NoteAdd};
pub use super::quick::{QuickReplyDelete, QuickReplySave, QuickReplyUsed};
use super::quick::{QuickReplySaveReply, QuickReplyUsedReply};
use super::reply::*;
pub use super::report::ReportGet;
use super::views::SessionContext;
use crate::model::{AgentStatus, Channel, CustomerId, EndReason, SessionId};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// A request and the shape of its successful reply.
pub trait Call: Into<Request> {
    type Reply: Serialize + DeserializeOwned;
}

/// Where a transfer goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferTarget {
    /// An agent by username.
    Agent(String),
    /// A skill group by name.
    Group(String),
    /// A self-service menu: `"menu"` (its start) or `"menu/node"` (`docs/menus.md`).
    Menu(String),
}

fn yes() -> bool {
    true
}

/// First frame on every connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hello {
    pub protocol: u32,
    #[serde(default)]
    pub client: Option<String>,
}

// ---- agents: account ----

/// Log in; with `cursor`, also replays every event after it.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Login {
    pub username: String,
    pub password: String,
    #[serde(default)]
    pub cursor: Option<i64>,
    /// The second factor, when the account has one: a 6-digit code from the authenticator
    /// app or one of the recovery codes. Without it such an account gets `totp_required`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp: Option<String>,
}

/// Resume with a token from `login`; with `cursor`, replays what was missed.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Resume {
    pub token: String,
    #[serde(default)]
    pub cursor: Option<i64>,
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangePassword {
    pub old_password: String,
    pub new_password: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Logout {}

// ---- agents: work ----

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetStatus {
    pub status: AgentStatus,
}

/// Accept an offer, or pick a queued session of a `manual` group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Accept {
    pub session_id: SessionId,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reject {
    pub session_id: SessionId,
}

/// The agent's sessions, offers and visible queues, with the cursor they are current at.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Snapshot {}

/// Agents and groups with their load, for the transfer dialog.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Directory {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub customer_id: CustomerId,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transfer {
    pub session_id: SessionId,
    pub to: TransferTarget,
    #[serde(default)]
    pub note: Option<String>,
    /// When the target cannot take it now (an offline agent, a group with nobody online),
    /// queue it anyway instead of refusing with `unavailable` (`transfer_ops`).
    #[serde(default)]
    pub queue: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tag {
    pub session_id: SessionId,
    #[serde(default)]
    pub add: Vec<String>,
    #[serde(default)]
    pub remove: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUp {
    pub session_id: SessionId,
    pub pending: bool,
    /// With `pending`: when to remind the assignee (ms since the epoch, in the future, at most
    /// 90 days ahead; see `docs/follow-up.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remind_at: Option<crate::model::Millis>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct End {
    pub session_id: SessionId,
    #[serde(default)]
    pub closing_message: Option<String>,
    #[serde(default)]
    pub outcome: Option<EndReason>,
    /// End once the customer has been silent this long (a customer message restarts the
    /// wait; `session.end_cancel` calls it off); absent or 0: now. `docs/ending.md`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_silence_secs: Option<u32>,
    /// Tags added first (as `session.tag` would), e.g. for a group that requires one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// Knowledge-base titles matching `query` (all of them when it is empty).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct KbSearch {
    #[serde(default)]
    pub query: String,
    #[serde(default)]
    pub limit: Option<u32>,
    /// With an empty query: where the page starts (the reply's `next_offset`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KbGet {
    pub article_id: i64,
}

/// Every stored version of an article, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KbHistory {
    pub article_id: i64,
}

/// With `article_id`: records that the agent sent that article to the customer of their
/// session. Either way: the articles sent in the session so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KbSent {
    pub session_id: SessionId,
    #[serde(default)]
    pub article_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct QuickReplies {}

// ---- customers ----

/// Start a conversation. `token` (from an earlier start) keeps the same customer identity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerStart {
    pub channel: Channel,
    #[serde(default)]
    pub nickname: Option<String>,
    #[serde(default)]
    pub external_id: Option<String>,
    /// Made by the shop's backend: see `docs/protocol.md` ("Customer identity").
    #[serde(default)]
    pub external_id_signature: Option<String>,
    /// Unix seconds after which `external_id_signature` is no longer accepted; signed with it.
    #[serde(default)]
    pub external_id_expires: Option<i64>,
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub token: Option<String>,
    /// What the channel knows about where the customer writes from (page, app), for agents.
    /// (Boxed: it would make every request as large as itself.)
    #[serde(default)]
    pub context: Option<Box<SessionContext>>,
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerResume {
    pub token: String,
    #[serde(default)]
    pub cursor: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    pub session_id: SessionId,
    pub stars: u8,
    /// Optional words with the stars; trimmed, at most 1000 characters.
    #[serde(default)]
    pub comment: Option<String>,
}

// ---- both ----

/// Send a message; a retry with the same `client_msg_id` gets the same ack, stored once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SendMessage {
    pub session_id: SessionId,
    pub client_msg_id: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Typing {
    pub session_id: SessionId,
    #[serde(default = "yes")]
    pub active: bool,
}

/// Messages of a session in seq order: those after `after_seq`, at most `limit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    pub session_id: SessionId,
    #[serde(default)]
    pub after_seq: Option<i64>,
    #[serde(default)]
    pub limit: Option<u32>,
}

/// Recommended replies for the newest customer message of a session (agents who may see it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggest {
    pub session_id: SessionId,
}

/// Secrets stay out of logs: these requests print their type only.
macro_rules! redacted_debug {
    ($($ty:ident),+) => {$(
        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($ty), " { <redacted> }"))
            }
        }
    )+};
}
redacted_debug!(Login, Resume, ChangePassword, CustomerResume);

/// Declares the `Request` enum (wire name → struct) and each struct's reply type.
macro_rules! requests {
    ($($wire:literal => $ty:ident => $reply:ty),+ $(,)?) => {
        /// Every request a client can make. Which ones an endpoint and a login state allow is
        /// decided by the server (`forbidden` / `unauthorized` otherwise).
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "type")]
        pub enum Request {
            $(#[serde(rename = $wire)] $ty($ty),)+
        }

        impl Request {
            /// Every wire name, in the order above (the permission table checks it has them all).
            pub const KINDS: &'static [&'static str] = &[$($wire,)+];

            /// The wire name, e.g. `session.accept`.
            pub fn kind(&self) -> &'static str {
                match self { $(Request::$ty(_) => $wire,)+ }
            }
        }

        $(
            impl From<$ty> for Request {
                fn from(r: $ty) -> Request { Request::$ty(r) }
            }
            impl Call for $ty {
                type Reply = $reply;
            }
        )+
    };
}

requests! {
    "hello" => Hello => HelloReply,
    "login" => Login => LoginReply,
    "resume" => Resume => LoginReply,
    "change_password" => ChangePassword => TokenReply,
    "logout" => Logout => Empty,
    "status.set" => SetStatus => StatusReply,
    "session.accept" => Accept => AcceptReply,
    "session.reject" => Reject => Empty,
    "snapshot" => Snapshot => SnapshotReply,
    "directory" => Directory => DirectoryReply,
    "customer.profile" => Profile => ProfileReply,
    "session.transfer" => Transfer => SessionRef,
    "session.tag" => Tag => TagsReply,
    "session.follow_up" => FollowUp => FollowUpReply,
    "session.end" => End => super::EndReply,
    "session.end_cancel" => EndCancel => super::EndReply,
    "tags.suggest" => TagsSuggest => super::TagsSuggestReply,
    "kb.search" => KbSearch => KbSearchReply,
    "kb.get" => KbGet => KbGetReply,
    "kb.history" => KbHistory => KbHistoryReply,
    "kb.sent" => KbSent => KbSentReply,
    "kb.propose" => KbPropose => super::kb_flow::KbProposeReply,
    "kb.proposals" => KbProposals => super::kb_flow::KbProposalsReply,
    "kb.proposal" => KbProposalGet => super::kb_flow::KbProposalReply,
    "kb.review" => KbReview => super::kb_flow::KbReviewReply,
    "kb.withdraw" => KbWithdraw => super::kb_flow::KbReviewReply,
    "kb.updates" => KbUpdates => super::kb_flow::KbUpdatesReply,
    "kb.check_in" => KbCheckIn => super::kb_flow::KbCheckInReply,
    "kb.checkins" => KbCheckins => super::kb_flow::KbCheckinsReply,
    "quick_replies.list" => QuickReplies => QuickRepliesReply,
    "quick_replies.save" => QuickReplySave => QuickReplySaveReply,
    "quick_replies.delete" => QuickReplyDelete => Empty,
    "quick_replies.used" => QuickReplyUsed => QuickReplyUsedReply,
    "customer.start" => CustomerStart => CustomerStartReply,
    "customer.resume" => CustomerResume => CustomerResumeReply,
    "session.rate" => Rate => RateReply,
    "message.send" => SendMessage => MessageAck,
    "typing" => Typing => Empty,
    "session.transcript" => Transcript => TranscriptReply,
    "session.suggest" => Suggest => super::SuggestReply,
    "session.cc" => SessionCc => super::SessionCcReply,
    "cc.contacts" => CcContacts => super::CcContactsReply,
    "cc.list" => CcList => super::CcListReply,
    "note.add" => NoteAdd => MessageAck,
    "mentions.list" => MentionsList => super::MentionsReply,
    "mention.read" => MentionRead => super::MentionReadReply,
    "history.search" => HistorySearch => super::HistorySearchReply,
    "history.session" => HistorySession => super::HistorySessionReply,
    "report.get" => ReportGet => super::ReportReply,
    "dashboard.watch" => DashboardWatch => super::DashboardView,
    "agent.set_status" => AgentSetStatus => StatusReply,
    "session.take_over" => TakeOver => SessionRef,
    "totp.enroll" => TotpEnroll => super::account::TotpEnrollReply,
    "totp.confirm" => TotpConfirm => super::account::TotpConfirmReply,
    "totp.disable" => TotpDisable => Empty,
    "devices.list" => DevicesList => super::account::DevicesReply,
    "devices.end" => DeviceEnd => Empty,
    "token.renew" => TokenRenew => super::account::TokenRenewReply,
    "me.get" => MeGet => super::account::MeReply,
    "me.update" => MeUpdate => super::account::MeReply,
    "audit.list" => AuditList => super::account::AuditListReply,
}
