//! Shared by the console's `App` tests: a logged-in app with sessions and transcripts built
//! from protocol types, keys in keymap syntax, and drawing to ratatui's test backend.
#![allow(dead_code)]

use crossterm::event::{KeyEvent, KeyEventKind, KeyEventState};
use kefu::console::app::{App, Effect, LayoutPrefs, NetEvent, Tag};
use kefu::console::i18n::Lang;
use kefu::console::keymap::{Keymap, parse_keys};
use kefu::console::reply::Reply;
use kefu::console::theme::Theme;
use kefu::model::{AgentStatus, AuthorKind, Channel, Role, SessionState};
use kefu::protocol::request::Transcript;
use kefu::protocol::{
    AgentInfo, CustomerView, Event, MessageView, Request, ServerFrame, SessionView, SnapshotReply,
    TranscriptReply,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

pub const NOW: i64 = 1_795_428_000_000;

pub fn keymap() -> Keymap {
    Keymap::builtin("default").unwrap()
}

pub fn press(app: &mut App, keys: &str) -> Vec<Effect> {
    let km = keymap();
    let mut fx = Vec::new();
    for chord in parse_keys(keys).unwrap() {
        fx.extend(app.on_key(
            KeyEvent {
                code: chord.code,
                modifiers: chord.mods,
                kind: KeyEventKind::Press,
                state: KeyEventState::NONE,
            },
            &km,
        ));
    }
    fx
}

pub fn me() -> AgentInfo {
    AgentInfo {
        employee_no: None,
        id: 7,
        username: "demo".into(),
        display_name: "Demo Agent".into(),
        role: Role::Agent,
        status: AgentStatus::Online,
        connected: true,
        active: 1,
        capacity: 5,
        groups: vec!["aftersales".into()],
        initials: None,
        color: None,
    }
}

pub fn session(id: i64, last_seq: i64, state: SessionState) -> SessionView {
    SessionView {
        id,
        channel: Channel::Web,
        customer: CustomerView {
            id: 100 + id,
            external_id: None,
            nickname: format!("Customer {id}"),
            channel: Channel::Web,
            vip: false,
            tags: vec![],
        },
        state,
        group: "aftersales".into(),
        assignee: Some(7),
        priority: 0,
        intent: None,
        tags: vec![],
        follow_up: false,
        follow_up_at: None,
        created_at: NOW - 600_000,
        queued_at: None,
        offered_at: None,
        accepted_at: None,
        first_human_reply_at: None,
        ended_at: None,
        end_reason: None,
        csat: None,
        last_seq,
        waiting_since: None,
        context: None,
        offline: false,
        csat_comment: None,
        replied_at: None,
        reminded_at: None,
        bot: None,
        menu: None,
        ends_at: None,
        pending_end: None,
    }
}

pub fn msg(session: i64, seq: i64, body: &str) -> MessageView {
    MessageView {
        session_id: session,
        seq,
        author_kind: AuthorKind::Customer,
        author_id: Some(1),
        author_name: "Customer".into(),
        body: body.into(),
        client_msg_id: None,
        created_at: NOW - 100_000 + seq,
        internal: false,
    }
}

pub fn ev(event: Event) -> NetEvent {
    NetEvent::Frame(ServerFrame::Event { cursor: 1, event })
}

/// Logged in, with one active session whose last message is `last_seq`; returns the app and
/// the effects of opening it.
pub fn with_session(last_seq: i64) -> (App, Vec<Effect>) {
    let mut app = App::new(Lang::En, LayoutPrefs::default(), NOW);
    app.on_net(NetEvent::Connected {
        agent: me(),
        must_change_password: false,
        resumed: false,
    });
    let fx = app.on_net(NetEvent::Reply {
        tag: Tag::Snapshot,
        result: Ok(Reply::Snapshot(SnapshotReply {
            agent: Some(me()),
            offers: vec![],
            sessions: vec![session(1, last_seq, SessionState::Active)],
            queued: vec![],
            queues: vec![],
            cursor: 1,
        })),
    });
    (app, fx)
}

/// The reply to a transcript request of session 1 (`tag` says which).
pub fn transcript_reply(tag: Tag, messages: Vec<MessageView>) -> NetEvent {
    let last = messages.iter().map(|m| m.seq).max().unwrap_or(0);
    NetEvent::Reply {
        tag,
        result: Ok(Reply::Transcript(TranscriptReply {
            session: session(1, last, SessionState::Active),
            messages,
        })),
    }
}

pub fn render(app: &App, w: u16, h: u16) -> String {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    let theme = Theme::builtin("dark").unwrap();
    let km = keymap();
    term.draw(|f| kefu::console::ui::draw(f, app, &theme, &km))
        .unwrap();
    let buf = term.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut skip = 0;
        for x in 0..buf.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            out.push_str(sym);
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
        }
        out.push('\n');
    }
    out
}

/// The `session.transcript` requests among `fx`, as (tag, request).
pub fn transcript_requests(fx: &[Effect]) -> Vec<(Tag, Transcript)> {
    fx.iter()
        .filter_map(|f| match f {
            Effect::Request {
                tag,
                request: Request::Transcript(t),
            } => Some((tag.clone(), t.clone())),
            _ => None,
        })
        .collect()
}
