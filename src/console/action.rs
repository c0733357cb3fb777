//! Everything a key can do in the console. Keymap files name these actions; `App::update`
//! interprets them. Adding an action means adding it here (with its name) and handling it there.

macro_rules! actions {
    ($($variant:ident => $name:literal : $help:literal),+ $(,)?) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action {
            $($variant),+
        }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),+];

            /// The name used in keymap files.
            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name),+ }
            }

            /// One line for the help overlay (English; the overlay translates the common ones).
            pub fn help(self) -> &'static str {
                match self { $(Action::$variant => $help),+ }
            }

            pub fn from_name(name: &str) -> Option<Action> {
                match name { $($name => Some(Action::$variant),)+ _ => None }
            }
        }
    };
}

actions! {
    // global
    Quit => "quit": "quit (asks to confirm while sessions are active)",
    Help => "help": "show every key binding",
    NextSession => "next_session": "next session",
    PrevSession => "prev_session": "previous session",
    Session1 => "session_1": "jump to session 1",
    Session2 => "session_2": "jump to session 2",
    Session3 => "session_3": "jump to session 3",
    Session4 => "session_4": "jump to session 4",
    Session5 => "session_5": "jump to session 5",
    Session6 => "session_6": "jump to session 6",
    Session7 => "session_7": "jump to session 7",
    Session8 => "session_8": "jump to session 8",
    Session9 => "session_9": "jump to session 9",
    NextAttention => "next_attention": "jump to the session that most needs attention",
    FocusNext => "focus_next": "focus the next panel",
    FocusPrev => "focus_prev": "focus the previous panel",
    FocusSessions => "focus_sessions": "focus the session list",
    FocusChat => "focus_chat": "focus the chat",
    FocusCompose => "focus_compose": "write in the composer",
    FocusProfile => "focus_profile": "focus the customer profile",
    KbSearch => "kb_search": "search the knowledge base",
    ToggleSidebar => "toggle_sidebar": "show or hide the profile sidebar",
    ToggleKbPanel => "toggle_kb_panel": "show or hide the knowledge-base panel",
    WidenList => "widen_list": "make the session list wider",
    NarrowList => "narrow_list": "make the session list narrower",
    WidenSidebar => "widen_sidebar": "make the sidebar wider",
    NarrowSidebar => "narrow_sidebar": "make the sidebar narrower",
    CycleStatus => "cycle_status": "change status: online → busy → away → offline",
    StatusOnline => "status_online": "set status online",
    StatusBusy => "status_busy": "set status busy",
    // session actions
    Accept => "accept": "accept the offered session",
    Reject => "reject": "reject the offered session",
    Transfer => "transfer": "transfer to an agent or skill group",
    Tag => "tag": "tag the session",
    End => "end": "end the session",
    ToggleFollowUp => "toggle_follow_up": "follow-up: mark with a reminder, or unmark",
    ToggleNote => "toggle_note": "write the next message as an internal note (only colleagues see it)",
    NextMention => "next_mention": "jump to the next conversation you were @mentioned in",
    CancelEnd => "cancel_end": "cancel the pending end (end when the customer is silent)",
    QuickReplies => "quick_replies": "manage quick replies (personal; team ones for supervisors)",
    Cc => "cc": "CC the transcript to an e-mail address or a team group (抄送)",
    Open => "open": "open the selected item",
    FirstItem => "first_item": "go to the first session, or to the first message in the chat",
    LastItem => "last_item": "go to the last session, or to the last message in the chat",
    // chat
    ScrollUp => "scroll_up": "scroll up",
    ScrollDown => "scroll_down": "scroll down",
    PageUp => "page_up": "scroll a page up",
    PageDown => "page_down": "scroll a page down",
    RetryFailed => "retry_failed": "resend messages that failed",
    // composer
    Send => "send": "send the message",
    Newline => "newline": "new line in the message",
    Cancel => "cancel": "cancel / close / leave the composer",
    HistoryPrev => "history_prev": "previous sent message",
    HistoryNext => "history_next": "next sent message",
    CursorLeft => "cursor_left": "cursor left",
    CursorRight => "cursor_right": "cursor right",
    CursorUp => "cursor_up": "cursor up a line",
    CursorDown => "cursor_down": "cursor down a line",
    CursorHome => "cursor_home": "start of line",
    CursorEnd => "cursor_end": "end of line",
    WordLeft => "word_left": "word left",
    WordRight => "word_right": "word right",
    DeleteBack => "delete_back": "delete the character before the cursor",
    DeleteForward => "delete_forward": "delete the character under the cursor",
    DeleteWord => "delete_word": "delete the word before the cursor",
    ClearLine => "clear_line": "clear the composer",
    // lists (kb, quick replies, dialogs)
    SelectNext => "select_next": "next item",
    SelectPrev => "select_prev": "previous item",
    KbSend => "kb_send": "send the article to the customer (一键发送)",
    KbInsert => "kb_insert": "insert the article into the composer to edit",
    SuggestNext => "suggest_next": "highlight the next suggested reply",
    SuggestAdopt => "suggest_adopt": "put the highlighted suggested reply into the composer",
    KbProposeEdit => "kb_propose_edit": "propose an edit of the selected article ($EDITOR)",
    KbProposeNew => "kb_propose_new": "propose a new article ($EDITOR)",
    KbUpdates => "kb_updates": "show the knowledge base's latest updates",
    KbCheckIn => "kb_check_in": "mark the latest updates read (check in)",
    KbProposals => "kb_proposals": "knowledge-base proposals: review (supervisors) or your own",
    History => "history": "History: search past conversations (from the profile: this customer's)",
    Confirm => "confirm": "confirm",
    NextField => "next_field": "next field",
    // reports (S20)
    Reports => "reports": "reports: your work, and the team's for supervisors, in charts",
    TwoFactor => "two_factor": "two-factor sign-in: enrol an authenticator app (QR code)",
    ReportToday => "report_today": "report of today",
    ReportWeek => "report_week": "report of this week (from Monday)",
    ReportMonth => "report_month": "report of this month",
    ReportCustom => "report_custom": "report of a range typed as 2026-11-01..2026-11-15",
    ReportScope => "report_scope": "personal or team report (team: supervisors and admins)",
    ReportBreakdown => "report_breakdown": "team rows by agent, group, channel, tag or intent",
    ReportPrev => "report_prev": "the previous period",
    ReportNext => "report_next": "the next period",
    ReportRefresh => "report_refresh": "ask for the report again",
    // the supervisor's live view (dashboard)
    Dashboard => "dashboard": "the supervisor's live view: queues, agents, service level (supervisors)",
    DashNextConversation => "dash_next_conversation": "dashboard: the selected agent's next conversation",
    DashStatus => "dash_status": "dashboard: set the selected agent's status",
    DashTakeOver => "dash_take_over": "dashboard: take the selected conversation over",
    DashReassign => "dash_reassign": "dashboard: reassign (transfer) the selected conversation",
    DashWatch => "dash_watch": "dashboard: watch the selected conversation live, read-only",
    DashWhisper => "dash_whisper": "dashboard: whisper to the agent (a note in the conversation)",
    // the audit log (admins)
    Audit => "audit": "the audit log: who did what, when (admins)",
    AuditFamily => "audit_family": "audit log: show the next family of actions (login, agent, …)",
    AuditActor => "audit_actor": "audit log: only the selected entry's actor (again: everyone)",
    AuditRefresh => "audit_refresh": "audit log: ask for the page again",
    // the agent's own account (issue 12)
    Account => "account": "Account: your profile and your signed-in devices",
    AccountEndDevice => "account_end_device": "Account: sign the selected device out",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for a in Action::ALL {
            assert!(seen.insert(a.name()), "duplicate name {}", a.name());
            assert_eq!(Action::from_name(a.name()), Some(*a));
        }
        assert_eq!(Action::from_name("launch_missiles"), None);
    }
}
