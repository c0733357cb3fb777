//! The table's data: the actions with their rules and wording, which request is which action,
//! and the HTTP routes with who may call them.

use super::Rule;
use crate::protocol::Request;

/// Declares [`Action`] with, per action: its rule, what it is (for refusals and the docs),
/// and a note on which facts decide "own" and "groups".
macro_rules! actions {
    ($($(#[$doc:meta])* $name:ident => $rule:ident, $what:literal, $scope:literal;)+) => {
        /// Everything the table decides, one variant per row.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action {
            $($(#[$doc])* $name,)+
        }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$name,)+];

            pub fn rule(self) -> Rule {
                match self { $(Action::$name => Rule::$rule,)+ }
            }

            /// What it is, in a few words ("read a conversation").
            pub fn describe(self) -> &'static str {
                match self { $(Action::$name => $what,)+ }
            }

            /// What "own" and "groups" mean for it.
            pub fn scope(self) -> &'static str {
                match self { $(Action::$name => $scope,)+ }
            }
        }
    };
}

actions! {
    /// `hello`, `login`, `resume`: before login.
    Connect => Public, "connect and sign in", "";
    /// The customer endpoint's requests.
    CustomerRequest => Public, "a customer's request", "customer endpoint: their own conversation only";
    /// Their own account: password, sign-out, second factor, devices, token, profile.
    OwnAccount => Everyone, "manage your own account", "always their own account";
    /// Status, snapshot, directory, tag and CC-contact suggestions, their own mentions.
    Work => Everyone, "work as an agent", "what they see is their own (and their groups')";
    /// Search and read published articles; propose edits, follow updates, check in.
    UseKb => Everyone, "use the knowledge base", "published articles";
    /// List and use quick replies (team replies of their groups, their own).
    UseQuickReplies => Everyone, "use quick replies", "team replies of their groups and their own";
    /// `session.accept`, `session.reject`.
    AnswerOffer => Everyone, "accept or reject a conversation", "routing decides: an offer to them, or a queued conversation of a manual group of theirs; otherwise `conflict` (a late accept is a race, not a permission; supervisors have no extra rights)";
    /// `kb.withdraw`.
    WithdrawProposal => OwnOnly, "withdraw a knowledge-base proposal", "own: they proposed it";
    /// Write in, tag, transfer, follow up, end, CC, suggest for an open conversation.
    ActOnSession => OwnOrSupervised, "act on this conversation", "own: assigned to them; groups: the conversation's group";
    /// `note.add`.
    AddNote => OwnOrSupervised, "add a note to this conversation", "own: assigned to them or they were mentioned in it; groups: its group";
    /// Transcripts, history, customer profiles, CCs sent.
    ReadConversation => OwnOrSupervised, "read this conversation", "own: they served it, or serve its customer now; groups: its group (history search and CC lists: every group)";
    /// `kb.proposals`, `kb.proposal`.
    ReadProposals => OwnOrOverseers, "read this knowledge-base proposal", "own: they proposed it";
    /// `quick_replies.save`, `quick_replies.delete`.
    EditQuickReplies => OwnOrSupervised, "change this quick reply", "own: their personal replies; groups: a team reply's group (no group: every group)";
    /// `report.get`.
    ReadReports => OwnOrOverseers, "read this report", "own: their own figures (team figures are of every group)";
    /// Unpublished articles in `kb.get`, `kb.history`, proposals (asked by those handlers).
    ReadDrafts => Overseers, "read unpublished articles", "";
    /// `kb.review`, `kb.checkins`.
    ReviewKb => Overseers, "review knowledge-base edits", "";
    /// `dashboard.watch`: the floor, or following one conversation read-only.
    Dashboard => Supervisors, "watch the dashboard", "groups: a followed conversation's group; the whole floor is of every group";
    /// `agent.set_status`.
    SetAgentStatus => Supervisors, "set another agent's status", "groups: one of the agent's groups";
    /// `session.take_over`; also moving anyone's conversation (`session.transfer` of one not
    /// theirs is [`Action::ActOnSession`]).
    TakeOver => Supervisors, "take this conversation over", "groups: the conversation's group";
    /// `audit.list`.
    ReadAudit => Admins, "read the audit log", "";
    /// Menus, integrations, accounts and roles: `kefu admin` on the server's machine only.
    Administer => Admins, "administer menus, integrations and accounts", "";
}

/// The action a request is. Exhaustive on purpose: a new request does not compile until it
/// has a row.
pub fn action_of(request: &Request) -> Action {
    use Request as R;
    match request {
        R::Hello(_) | R::Login(_) | R::Resume(_) => Action::Connect,
        R::CustomerStart(_) | R::CustomerResume(_) | R::Rate(_) => Action::CustomerRequest,
        R::ChangePassword(_)
        | R::Logout(_)
        | R::TotpEnroll(_)
        | R::TotpConfirm(_)
        | R::TotpDisable(_)
        | R::DevicesList(_)
        | R::DeviceEnd(_)
        | R::TokenRenew(_)
        | R::MeGet(_)
        | R::MeUpdate(_) => Action::OwnAccount,
        R::SetStatus(_)
        | R::Snapshot(_)
        | R::Directory(_)
        | R::TagsSuggest(_)
        | R::CcContacts(_)
        | R::MentionsList(_)
        | R::MentionRead(_) => Action::Work,
        R::KbSearch(_)
        | R::KbGet(_)
        | R::KbHistory(_)
        | R::KbPropose(_)
        | R::KbUpdates(_)
        | R::KbCheckIn(_) => Action::UseKb,
        R::QuickReplies(_) | R::QuickReplyUsed(_) => Action::UseQuickReplies,
        R::Accept(_) | R::Reject(_) => Action::AnswerOffer,
        R::KbWithdraw(_) => Action::WithdrawProposal,
        R::Transfer(_)
        | R::Tag(_)
        | R::FollowUp(_)
        | R::End(_)
        | R::EndCancel(_)
        | R::SendMessage(_)
        | R::Typing(_)
        | R::SessionCc(_)
        | R::KbSent(_)
        | R::Suggest(_) => Action::ActOnSession,
        R::NoteAdd(_) => Action::AddNote,
        R::Transcript(_)
        | R::Profile(_)
        | R::HistorySearch(_)
        | R::HistorySession(_)
        | R::CcList(_) => Action::ReadConversation,
        R::KbProposals(_) | R::KbProposalGet(_) => Action::ReadProposals,
        R::QuickReplySave(_) | R::QuickReplyDelete(_) => Action::EditQuickReplies,
        R::ReportGet(_) => Action::ReadReports,
        R::KbReview(_) | R::KbCheckins(_) => Action::ReviewKb,
        R::DashboardWatch(_) => Action::Dashboard,
        R::AgentSetStatus(_) => Action::SetAgentStatus,
        R::TakeOver(_) => Action::TakeOver,
        R::AuditList(_) => Action::ReadAudit,
    }
}

/// Who may call an HTTP route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpAccess {
    /// Anyone (the web widget's files, health, the API's description).
    Public,
    /// Addresses in `[metrics] allow` (`docs/operations.md`).
    MetricsAllowList,
    /// An integration that signs the request (`docs/channels.md`).
    SignedIntegration,
    /// A WebSocket: each request on it goes through the table above.
    WebSocket,
}

impl HttpAccess {
    pub fn describe(self) -> &'static str {
        match self {
            HttpAccess::Public => "anyone",
            HttpAccess::MetricsAllowList => "addresses in `[metrics] allow`",
            HttpAccess::SignedIntegration => "an integration's signed request",
            HttpAccess::WebSocket => "anyone may connect; each request: the table above",
        }
    }
}

/// Every HTTP route (the path as the router spells it) and who may call it. The server
/// refuses a route that is not here (`server::http_gate`).
pub const HTTP: &[(&str, &str, HttpAccess)] = &[
    ("GET", "/healthz", HttpAccess::Public),
    ("GET", "/metrics", HttpAccess::MetricsAllowList),
    ("GET", "/ws/agent", HttpAccess::WebSocket),
    ("GET", "/ws/customer", HttpAccess::WebSocket),
    ("GET", "/chat", HttpAccess::Public),
    ("GET", "/chat.css", HttpAccess::Public),
    ("GET", "/i18n.js", HttpAccess::Public),
    ("GET", "/conn.js", HttpAccess::Public),
    ("GET", "/render.js", HttpAccess::Public),
    ("GET", "/chat.js", HttpAccess::Public),
    ("GET", "/widget.js", HttpAccess::Public),
    ("POST", "/api/v1/messages", HttpAccess::SignedIntegration),
    (
        "GET",
        "/api/v1/conversations/{id}/events",
        HttpAccess::SignedIntegration,
    ),
    ("GET", "/api/v1/openapi.json", HttpAccess::Public),
];

/// Who may call a route (by its router path), or `None` when it is not in the table.
pub fn http_access(path: &str) -> Option<HttpAccess> {
    HTTP.iter().find(|(_, p, _)| *p == path).map(|(_, _, a)| *a)
}

/// Every request by wire name with its action, in the protocol's order, for the docs (a test
/// checks it against [`action_of`] and [`Request::KINDS`]).
pub const REQUESTS: &[(&str, Action)] = &[
    ("hello", Action::Connect),
    ("login", Action::Connect),
    ("resume", Action::Connect),
    ("change_password", Action::OwnAccount),
    ("logout", Action::OwnAccount),
    ("status.set", Action::Work),
    ("session.accept", Action::AnswerOffer),
    ("session.reject", Action::AnswerOffer),
    ("snapshot", Action::Work),
    ("directory", Action::Work),
    ("customer.profile", Action::ReadConversation),
    ("session.transfer", Action::ActOnSession),
    ("session.tag", Action::ActOnSession),
    ("session.follow_up", Action::ActOnSession),
    ("session.end", Action::ActOnSession),
    ("session.end_cancel", Action::ActOnSession),
    ("tags.suggest", Action::Work),
    ("kb.search", Action::UseKb),
    ("kb.get", Action::UseKb),
    ("kb.history", Action::UseKb),
    ("kb.sent", Action::ActOnSession),
    ("kb.propose", Action::UseKb),
    ("kb.proposals", Action::ReadProposals),
    ("kb.proposal", Action::ReadProposals),
    ("kb.review", Action::ReviewKb),
    ("kb.withdraw", Action::WithdrawProposal),
    ("kb.updates", Action::UseKb),
    ("kb.check_in", Action::UseKb),
    ("kb.checkins", Action::ReviewKb),
    ("quick_replies.list", Action::UseQuickReplies),
    ("quick_replies.save", Action::EditQuickReplies),
    ("quick_replies.delete", Action::EditQuickReplies),
    ("quick_replies.used", Action::UseQuickReplies),
    ("customer.start", Action::CustomerRequest),
    ("customer.resume", Action::CustomerRequest),
    ("session.rate", Action::CustomerRequest),
    ("message.send", Action::ActOnSession),
    ("typing", Action::ActOnSession),
    ("session.transcript", Action::ReadConversation),
    ("session.suggest", Action::ActOnSession),
    ("session.cc", Action::ActOnSession),
    ("cc.contacts", Action::Work),
    ("cc.list", Action::ReadConversation),
    ("note.add", Action::AddNote),
    ("mentions.list", Action::Work),
    ("mention.read", Action::Work),
    ("history.search", Action::ReadConversation),
    ("history.session", Action::ReadConversation),
    ("report.get", Action::ReadReports),
    ("dashboard.watch", Action::Dashboard),
    ("agent.set_status", Action::SetAgentStatus),
    ("session.take_over", Action::TakeOver),
    ("totp.enroll", Action::OwnAccount),
    ("totp.confirm", Action::OwnAccount),
    ("totp.disable", Action::OwnAccount),
    ("devices.list", Action::OwnAccount),
    ("devices.end", Action::OwnAccount),
    ("token.renew", Action::OwnAccount),
    ("me.get", Action::OwnAccount),
    ("me.update", Action::OwnAccount),
    ("audit.list", Action::ReadAudit),
];

/// Requests that list what their row allows and are never refused for it (an agent's
/// `history.search` finds only what they may read); every other request names one resource
/// and is refused `forbidden` when the row does not allow it.
pub const LISTS: &[&str] = &["history.search", "cc.list", "kb.proposals"];
