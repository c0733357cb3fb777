//! What the app and the I/O loop say to each other: the [`Effect`]s `update` asks for (protocol
//! requests tagged with what their reply is for, login, alerts, saving), and the [`NetEvent`]s
//! the network task reports back. Plain data plus the small constructors every part of the app
//! uses to ask for a request.

use super::kb_flow_state::KbFlowTag;
use super::state::LayoutPrefs;
use crate::console::reply::{Reply, ReplyError};
use crate::model::{AgentStatus, Millis, SessionId};
use crate::protocol::Request;
use crate::protocol::request as req;

/// What a reply is for, so the app knows what to do with it. Each tag goes with one request
/// type (named in `replies.rs`, where its reply is handled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tag {
    Snapshot,
    Directory,
    KbList,
    /// A further page of titles, from this offset (appended).
    KbListMore(u32),
    /// The knowledge base's workflow (`kb_flow.rs`): proposals, their review, updates.
    KbFlow(KbFlowTag),
    /// A full-text search made for the query of this generation (`KbState::generation`).
    KbFullText(u64),
    KbGet(i64),
    /// An article sent in this session, recorded on it.
    KbSent(SessionId),
    QuickReplies,
    /// Suggested replies asked for with this generation (`SuggestState::generation`).
    Suggest(u64),
    /// A quick reply saved from the manager.
    QuickReplySave,
    QuickReplyDelete(i64),
    QuickReplyUsed(i64),
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
    /// The address book for the CC dialog.
    CcContacts,
    /// A CC of this session asked for.
    Cc(SessionId),
    /// Ending a conversation (`end.rs`): the end, its cancel, tag suggestions.
    Ending(super::end_state::EndTag),
    ChangePassword,
    /// Internal notes and mentions (`notes.rs`).
    Notes(super::notes_state::NotesTag),
    /// The History screen (`history.rs`): searches, and the conversation opened from it.
    History(super::history_state::HistoryTag),
    /// The supervisor's live view and its actions (`dashboard`).
    Dash(super::dashboard_state::DashTag),
    /// Fire and forget (typing).
    Ignore,
    /// A `report.get` of the Reports screen, numbered so only the latest answer is shown.
    Report(u64),
    /// An `audit.list` of the Audit screen (`audit`).
    Audit(super::audit_state::AuditTag),
    /// The agent's own account (`account.rs`).
    Account(super::account_state::AccountTag),
    /// Two-factor enrolment (`totp`).
    Totp(super::totp_state::TotpTag),
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
    /// The same with the second-factor code the server asked for (`totp_required`).
    LoginWithCode {
        server: String,
        username: String,
        password: String,
        totp: String,
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
    /// Open `$EDITOR` on `text` (a knowledge-base proposal); the result comes back through
    /// `App::on_edited` with the same purpose.
    EditText {
        purpose: super::kb_flow_state::EditPurpose,
        text: String,
    },
    Quit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    Offer,
    Message,
    Mention,
    /// A follow-up reminder fired, or the customer of a follow-up conversation wrote.
    FollowUp,
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
    /// The password was right; the account has a second factor: the login form asks for
    /// the code. `message` is the server's, for people.
    TotpRequired {
        message: String,
    },
    /// Said just before `Connected`: the role requires a second factor not enrolled yet;
    /// only enrolment (and logout) work until it is confirmed.
    MustEnrollTotp,
    /// Messages kept on disk from an earlier run, being sent again now.
    OutboxRestored(Vec<crate::console::outbox::PendingSend>),
    /// Something the agent should know that is not an error of a request (e.g. the outbox
    /// file could not be written).
    Warning(String),
    /// The server ended this sign-in (close 1008: logout elsewhere, password change, idle,
    /// disabled…), with its reason; the network task waits for a new login.
    SignedOut {
        reason: String,
    },
    Frame(crate::protocol::ServerFrame),
    /// The reply to the request sent with `tag`, read as that request's reply type.
    Reply {
        tag: Tag,
        result: Result<Reply, ReplyError>,
    },
}

/// A request effect; its reply comes back with `tag`.
pub fn request(tag: Tag, request: impl Into<Request>) -> Effect {
    Effect::Request {
        tag,
        request: request.into(),
    }
}

/// The first page of knowledge-base titles, searched locally as the agent types; the
/// replies ask for the next pages (`kb_flow.rs`).
pub fn kb_list() -> Effect {
    let all = req::KbSearch {
        query: String::new(),
        limit: Some(KB_TITLES_PAGE),
        offset: None,
    };
    request(Tag::KbList, all)
}

/// Titles per `kb.search` page (the server's most).
pub const KB_TITLES_PAGE: u32 = 200;
