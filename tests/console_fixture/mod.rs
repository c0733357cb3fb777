//! The console's `App` on plain data, shared by the console test files: a workbench with
//! an offer, two active sessions and a transcript at a fixed clock, key presses in keymap
//! syntax, and rendering to a test terminal.
#![allow(dead_code)]

use crossterm::event::{KeyEvent, KeyEventKind, KeyEventState};
use kefu::console::app::{App, Effect, LayoutPrefs, NetEvent, Tag};
use kefu::console::i18n::Lang;
use kefu::console::keymap::{Keymap, parse_keys};
use kefu::console::reply::Reply;
use kefu::console::theme::Theme;
use kefu::model::{AgentStatus, AuthorKind, Channel, EndReason, Role, SessionState, Strategy};
use kefu::protocol::{
    AgentInfo, CustomerView, Event, MessageView, OfferView, ProfileReply, QueueInfo, ServerFrame,
    SessionView, SnapshotReply, TranscriptReply,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// 2026-11-23 10:00:00 UTC: every snapshot uses this clock.
pub const NOW: i64 = 1_795_428_000_000;

pub fn keymap() -> Keymap {
    Keymap::builtin("default").expect("default keymap")
}

/// Presses keys written in keymap syntax, e.g. `press(&mut app, "j j a")`.
pub fn press(app: &mut App, keys: &str) -> Vec<Effect> {
    press_with(app, &keymap(), keys)
}

/// `press` with another keymap.
pub fn press_with(app: &mut App, km: &Keymap, keys: &str) -> Vec<Effect> {
    let mut fx = Vec::new();
    for chord in parse_keys(keys).expect("key syntax") {
        let ev = KeyEvent {
            code: chord.code,
            modifiers: chord.mods,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        };
        fx.extend(app.on_key(ev, km));
    }
    fx
}

pub fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        app.type_char(c);
    }
}

pub fn customer(id: i64, nick: &str, vip: bool, tags: &[&str]) -> CustomerView {
    CustomerView {
        id,
        external_id: Some(format!("ext-{id}")),
        nickname: nick.into(),
        channel: Channel::Web,
        vip,
        tags: tags.iter().map(|t| t.to_string()).collect(),
    }
}

pub fn session(id: i64, c: CustomerView, state: SessionState) -> SessionView {
    SessionView {
        id,
        channel: c.channel,
        customer: c,
        state,
        group: "aftersales".into(),
        assignee: Some(7),
        priority: 0,
        intent: None,
        tags: vec![],
        follow_up: false,
        follow_up_at: None,
        created_at: NOW - 600_000,
        queued_at: Some(NOW - 600_000),
        offered_at: None,
        accepted_at: Some(NOW - 500_000),
        first_human_reply_at: None,
        ended_at: None,
        end_reason: None,
        csat: None,
        last_seq: 0,
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

pub fn me() -> AgentInfo {
    AgentInfo {
        employee_no: None,
        id: 7,
        username: "demo".into(),
        display_name: "Demo Agent".into(),
        role: Role::Agent,
        status: AgentStatus::Online,
        connected: true,
        active: 2,
        capacity: 5,
        groups: vec!["aftersales".into()],
        initials: None,
        color: None,
    }
}

pub fn msg(
    session: i64,
    seq: i64,
    kind: AuthorKind,
    name: &str,
    body: &str,
    at: i64,
) -> MessageView {
    MessageView {
        session_id: session,
        seq,
        author_kind: kind,
        author_id: Some(1),
        author_name: name.into(),
        body: body.into(),
        client_msg_id: Some(format!("m{seq}")),
        created_at: at,
        internal: false,
    }
}

pub fn ev(event: Event) -> NetEvent {
    NetEvent::Frame(ServerFrame::Event { cursor: 1, event })
}

/// A workbench with an offer, two active sessions (one VIP waiting long) and a transcript.
pub fn workbench() -> App {
    let mut app = App::new(Lang::En, LayoutPrefs::default(), NOW);
    app.on_net(NetEvent::Connected {
        agent: me(),
        must_change_password: false,
        resumed: false,
    });
    let mut s1 = session(1, customer(11, "小明", false, &[]), SessionState::Active);
    s1.waiting_since = Some(NOW - 30_000);
    let mut s2 = session(
        2,
        customer(12, "Alice VIP", true, &["VIP用户"]),
        SessionState::Active,
    );
    s2.waiting_since = Some(NOW - 200_000);
    let offer = session(
        3,
        customer(13, "张三", false, &["投诉用户"]),
        SessionState::Offered,
    );
    let snapshot = SnapshotReply {
        agent: Some(me()),
        sessions: vec![s1.clone(), s2],
        offers: vec![OfferView {
            session: offer,
            expires_at: NOW + 25_000,
        }],
        queued: vec![],
        queues: vec![QueueInfo {
            group: "aftersales".into(),
            strategy: Strategy::LeastBusy,
            waiting: 4,
            require_tags: false,
        }],
        cursor: 10,
    };
    app.on_net(NetEvent::Reply {
        tag: Tag::Snapshot,
        result: Ok(Reply::Snapshot(snapshot)),
    });
    app.on_net(NetEvent::Reply {
        tag: Tag::Transcript(1),
        result: Ok(Reply::Transcript(TranscriptReply {
            session: s1.clone(),
            messages: vec![
                msg(
                    1,
                    1,
                    AuthorKind::Customer,
                    "小明",
                    "我的快递三天了还没到，订单号 A123",
                    NOW - 120_000,
                ),
                msg(
                    1,
                    2,
                    AuthorKind::Agent,
                    "Demo Agent",
                    "您好，我来帮您查一下。",
                    NOW - 60_000,
                ),
                msg(
                    1,
                    3,
                    AuthorKind::Customer,
                    "小明",
                    "好的，谢谢",
                    NOW - 30_000,
                ),
            ],
        })),
    });
    let mut current = s1;
    current.created_at = NOW;
    let mut earlier = session(0, customer(11, "小明", false, &[]), SessionState::Ended);
    earlier.created_at = NOW - 86_400_000 * 3;
    earlier.tags = vec!["物流问题-已解决".into()];
    earlier.end_reason = Some(EndReason::Resolved);
    earlier.csat = Some(5);
    app.on_net(NetEvent::Reply {
        tag: Tag::Profile(1),
        result: Ok(Reply::Profile(ProfileReply {
            customer: customer(11, "小明", false, &[]),
            sessions: vec![current, earlier],
        })),
    });
    app.select(1);
    app
}

pub fn render(app: &App, w: u16, h: u16, theme: &str) -> Terminal<TestBackend> {
    let theme = Theme::builtin(theme).expect("theme");
    render_with(app, w, h, &theme, &keymap())
}

/// `render` with any theme (e.g. converted for a colour depth) and keymap.
pub fn render_with(app: &App, w: u16, h: u16, theme: &Theme, km: &Keymap) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| kefu::console::ui::draw(f, app, theme, km))
        .unwrap();
    term
}

pub fn screen(term: &Terminal<TestBackend>) -> String {
    let buf = term.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..buf.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            line.push_str(sym);
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The text of columns `x0..x1` of each row (wide characters counted once).
pub fn columns(term: &Terminal<TestBackend>, x0: u16, x1: u16) -> Vec<String> {
    let buf = term.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            let mut line = String::new();
            let mut skip = 0;
            for x in x0..x1 {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                let sym = buf[(x, y)].symbol();
                line.push_str(sym);
                skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
            }
            line
        })
        .collect()
}
