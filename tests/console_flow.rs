//! The console's flow on plain `App` state, drawn with ratatui's test backend: scrolling back
//! through the whole transcript (and paging older messages in), the quit dialog's unsent
//! messages, the banner that explains an automatic status change, sign-in dialogs, read-only
//! past sessions; and the binary refusing to start without a terminal.

use crossterm::event::{KeyEvent, KeyEventKind, KeyEventState};
use kefu::console::action::Action;
use kefu::console::app::{
    App, ConnState, Effect, Focus, LayoutPrefs, NetEvent, Overlay, StatusNudge, Tag,
};
use kefu::console::i18n::Lang;
use kefu::console::keymap::{Keymap, parse_keys};
use kefu::console::outbox::PendingSend;
use kefu::console::theme::Theme;
use kefu::model::{AgentStatus, AuthorKind, Channel, Role, SessionState};
use kefu::protocol::{AgentInfo, CustomerView, Event, MessageView, ServerFrame, SessionView};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::{Value, json};

const NOW: i64 = 1_795_428_000_000;

fn keymap() -> Keymap {
    Keymap::builtin("default").unwrap()
}

fn press(app: &mut App, keys: &str) -> Vec<Effect> {
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

fn me() -> AgentInfo {
    AgentInfo {
        id: 7,
        username: "demo".into(),
        display_name: "Demo Agent".into(),
        role: Role::Agent,
        status: AgentStatus::Online,
        connected: true,
        active: 1,
        capacity: 5,
        groups: vec!["aftersales".into()],
    }
}

fn session(id: i64, last_seq: i64, state: SessionState) -> SessionView {
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
    }
}

fn msg(session: i64, seq: i64, body: &str) -> MessageView {
    MessageView {
        session_id: session,
        seq,
        author_kind: AuthorKind::Customer,
        author_id: Some(1),
        author_name: "Customer".into(),
        body: body.into(),
        client_msg_id: None,
        created_at: NOW - 100_000 + seq,
    }
}

fn ev(event: Event) -> NetEvent {
    NetEvent::Frame(ServerFrame::Event { cursor: 1, event })
}

/// Logged in, with one active session whose last message is `last_seq`; returns the app and
/// the effects of opening it.
fn with_session(last_seq: i64) -> (App, Vec<Effect>) {
    let mut app = App::new(Lang::En, LayoutPrefs::default(), NOW);
    app.on_net(NetEvent::Connected {
        agent: me(),
        must_change_password: false,
        resumed: false,
    });
    let fx = app.on_net(NetEvent::Reply {
        tag: Tag::Snapshot,
        result: Ok(
            json!({"agent": me(), "sessions": [session(1, last_seq, SessionState::Active)],
            "offers": [], "queued": [], "queues": []}),
        ),
    });
    (app, fx)
}

fn transcript_reply(tag: Tag, messages: Vec<MessageView>) -> NetEvent {
    NetEvent::Reply {
        tag,
        result: Ok(json!({"messages": messages})),
    }
}

fn render(app: &App, w: u16, h: u16) -> String {
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

/// The `session.transcript` requests among `fx`, as (tag, body).
fn transcript_requests(fx: &[Effect]) -> Vec<(Tag, Value)> {
    fx.iter()
        .filter_map(|f| match f {
            Effect::Request {
                tag,
                kind: "session.transcript",
                body,
            } => Some((tag.clone(), body.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn every_loaded_line_can_be_scrolled_to() {
    let (mut app, _) = with_session(60);
    let mut messages: Vec<MessageView> =
        (1..=60).map(|n| msg(1, n, &format!("line {n}"))).collect();
    // A 200-line message in the middle must not cut off what comes before it.
    messages[29].body = (1..=200)
        .map(|n| format!("long {n}"))
        .collect::<Vec<_>>()
        .join("\n");
    app.on_net(transcript_reply(Tag::Transcript(1), messages));
    app.focus = Focus::Chat;
    let screen = render(&app, 80, 24);
    assert!(screen.contains("line 60") && !screen.contains("line 1\n"));
    for _ in 0..400 {
        app.update(Action::ScrollUp);
    }
    let screen = render(&app, 80, 24);
    assert!(
        screen.contains("  line 1 "),
        "the first message is reachable:\n{screen}"
    );
    // The top is the top: more scrolling does not move past it into empty space.
    let at_top = app.sessions[&1].scroll;
    app.update(Action::PageUp);
    assert_eq!(app.sessions[&1].scroll, at_top);
    // One step back down moves exactly one row.
    app.update(Action::ScrollDown);
    assert_eq!(app.sessions[&1].scroll, at_top - 1);
    // End: back to the newest.
    press(&mut app, "end");
    assert_eq!(app.sessions[&1].scroll, 0);
    assert_eq!(app.selected, Some(1));
    let screen = render(&app, 80, 24);
    assert!(screen.contains("line 60"), "{screen}");
}

#[test]
fn home_and_end_in_the_chat_go_to_the_first_and_last_message_not_to_other_sessions() {
    let (mut app, _) = with_session(5);
    // A second session, so switching would be visible.
    app.on_net(ev(Event::Session {
        session: session(2, 0, SessionState::Active),
    }));
    app.on_net(transcript_reply(
        Tag::Transcript(1),
        (1..=40).map(|n| msg(1, n, &format!("line {n}"))).collect(),
    ));
    app.focus = Focus::Chat;
    render(&app, 80, 24);
    press(&mut app, "home");
    assert_eq!(app.selected, Some(1), "home stays in this session");
    let screen = render(&app, 80, 24);
    assert!(screen.contains("  line 1 "), "{screen}");
    press(&mut app, "end");
    assert_eq!(app.selected, Some(1), "end stays in this session");
    assert!(render(&app, 80, 24).contains("line 40"));
    // In the session list, home/end still move between sessions.
    app.focus = Focus::Sessions;
    press(&mut app, "end");
    assert_eq!(app.selected, Some(2));
}

#[test]
fn scrolling_past_the_oldest_loaded_message_pages_older_ones_in() {
    let (mut app, fx) = with_session(250);
    // Opening asks for the newest page only.
    let reqs = transcript_requests(&fx);
    assert_eq!(reqs.len(), 1, "{fx:?}");
    assert_eq!(reqs[0].0, Tag::Transcript(1));
    assert_eq!(reqs[0].1["after_seq"], 150);
    app.on_net(transcript_reply(
        Tag::Transcript(1),
        (151..=250)
            .map(|n| msg(1, n, &format!("line {n}")))
            .collect(),
    ));
    app.focus = Focus::Chat;
    render(&app, 80, 24);
    let mut asked = Vec::new();
    for _ in 0..300 {
        asked.extend(transcript_requests(&app.update(Action::ScrollUp)));
    }
    assert_eq!(asked.len(), 1, "one page at a time: {asked:?}");
    assert_eq!(asked[0].0, Tag::OlderTranscript(1));
    assert_eq!(asked[0].1["after_seq"], 50);
    assert_eq!(asked[0].1["limit"], 100);
    let before = app.sessions[&1].scroll;
    app.on_net(transcript_reply(
        Tag::OlderTranscript(1),
        (51..=150)
            .map(|n| msg(1, n, &format!("line {n}")))
            .collect(),
    ));
    assert_eq!(app.sessions[&1].lines.len(), 200);
    assert_eq!(
        app.sessions[&1].scroll, before,
        "the view stays where it was"
    );
    // Home pages in everything left, then shows the first message.
    let fx = press(&mut app, "home");
    let reqs = transcript_requests(&fx);
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].1["after_seq"], 0);
    assert_eq!(reqs[0].1["limit"], 50);
    let fx = app.on_net(transcript_reply(
        Tag::OlderTranscript(1),
        (1..=50).map(|n| msg(1, n, &format!("line {n}"))).collect(),
    ));
    assert!(transcript_requests(&fx).is_empty(), "nothing older than 1");
    let seqs: Vec<i64> = app.sessions[&1]
        .lines
        .iter()
        .filter_map(|l| l.seq)
        .collect();
    assert_eq!(
        seqs,
        (1..=250).collect::<Vec<_>>(),
        "each message once, in order"
    );
    let screen = render(&app, 80, 24);
    assert!(screen.contains("  line 1 "), "{screen}");
    // Scrolling up at the very first message asks for nothing more.
    assert!(transcript_requests(&app.update(Action::ScrollUp)).is_empty());
}

#[test]
fn a_new_message_while_scrolled_back_keeps_the_view_still() {
    let (mut app, _) = with_session(40);
    app.on_net(transcript_reply(
        Tag::Transcript(1),
        (1..=40).map(|n| msg(1, n, &format!("line {n}"))).collect(),
    ));
    app.focus = Focus::Chat;
    render(&app, 80, 24);
    for _ in 0..10 {
        app.update(Action::ScrollUp);
    }
    let before = render(&app, 80, 24);
    app.on_net(ev(Event::Message {
        message: msg(1, 41, "a new one"),
    }));
    let after = render(&app, 80, 24);
    let chat = |s: &str| -> Vec<String> {
        s.lines()
            .skip(1)
            .take(15)
            .map(|l| l.chars().skip(31).take(40).collect())
            .collect()
    };
    assert_eq!(chat(&before), chat(&after));
}

fn quit_screen(lang: Lang, unsent: usize, durable: bool) -> String {
    let (mut app, _) = with_session(0);
    app.lang = lang;
    app.outbox_durable = durable;
    app.selected = Some(1);
    app.focus = Focus::Compose;
    for n in 0..unsent {
        app.send_message(1, format!("reply {n}"));
    }
    app.update(Action::Quit);
    assert!(matches!(app.overlay, Some(Overlay::Quit)));
    render(&app, 100, 30)
}

#[test]
fn the_quit_dialog_counts_messages_not_yet_sent() {
    let one = quit_screen(Lang::En, 1, true);
    assert!(one.contains("1 message not yet sent."), "{one}");
    assert!(one.contains("1 session is active."), "{one}");
    assert!(
        one.contains("kept and sent after your next sign-in"),
        "{one}"
    );
    let two = quit_screen(Lang::En, 2, false);
    assert!(two.contains("2 messages not yet sent."), "{two}");
    assert!(two.contains("will be lost"), "{two}");
    let zh = quit_screen(Lang::Zh, 3, true);
    assert!(zh.contains("3 条消息尚未发送"), "{zh}");
    assert!(!quit_screen(Lang::En, 0, true).contains("not yet sent"));
}

#[test]
fn quitting_with_only_unsent_messages_still_asks() {
    let (mut app, _) = with_session(0);
    app.on_net(NetEvent::OutboxRestored(vec![PendingSend {
        session_id: 99,
        client_msg_id: "c7-1-1".into(),
        body: "left from last time".into(),
        queued_at: NOW,
    }]));
    // Session 1 ends; nothing active, one restored message still unacknowledged.
    app.on_net(ev(Event::SessionRemoved {
        session_id: 1,
        reason: "ended".into(),
    }));
    assert_eq!(app.active_count(), 0);
    assert_eq!(app.unsent_count(), 1);
    assert!(app.update(Action::Quit).is_empty());
    assert!(matches!(app.overlay, Some(Overlay::Quit)));
    // Its session shows up later: the message is shown there as sending.
    app.on_net(ev(Event::Session {
        session: session(99, 3, SessionState::Active),
    }));
    assert!(
        app.sessions[&99]
            .lines
            .iter()
            .any(|l| l.body == "left from last time")
    );
    assert_eq!(app.unsent_count(), 1);
    app.on_net(NetEvent::Reply {
        tag: Tag::Send {
            session: 99,
            client_msg_id: "c7-1-1".into(),
        },
        result: Ok(json!({"seq": 4})),
    });
    assert_eq!(app.unsent_count(), 0);
}

#[test]
fn an_automatic_away_shows_why_and_the_key_to_go_online() {
    let (mut app, _) = with_session(0);
    app.on_net(ev(Event::Offer {
        session: session(5, 0, SessionState::Offered),
        expires_at: NOW + 1_000,
        transfer_note: None,
        transferred_by: None,
    }));
    app.now = NOW + 1_000;
    app.on_net(ev(Event::OfferWithdrawn {
        session_id: 5,
        reason: "timeout".into(),
    }));
    app.on_net(ev(Event::Status {
        status: AgentStatus::Away,
    }));
    assert_eq!(
        app.nudge,
        Some(StatusNudge::MissedOffers(AgentStatus::Away))
    );
    let screen = render(&app, 120, 30);
    let banner = screen.lines().next().unwrap();
    assert!(
        banner.contains("offers went unanswered") && banner.contains("alt-o"),
        "{banner}"
    );
    // Going online (with the key the banner names) clears it.
    let fx = press(&mut app, "alt-o");
    assert!(fx.iter().any(|f| matches!(
        f,
        Effect::Request {
            kind: "status.set",
            ..
        }
    )));
    app.on_net(ev(Event::Status {
        status: AgentStatus::Online,
    }));
    app.on_net(NetEvent::Reply {
        tag: Tag::Status(AgentStatus::Online),
        result: Ok(json!({})),
    });
    assert_eq!(app.nudge, None);
    assert!(!render(&app, 120, 30).contains("go online"));

    // Offline from elsewhere (no missed offer): a different reason, same key.
    app.now += 60_000;
    app.on_net(ev(Event::Status {
        status: AgentStatus::Offline,
    }));
    assert_eq!(
        app.nudge,
        Some(StatusNudge::ChangedElsewhere(AgentStatus::Offline))
    );
    // Asking for away ourselves is not explained back to us.
    app.nudge = None;
    app.status = AgentStatus::Busy;
    press(&mut app, "f7");
    app.on_net(ev(Event::Status {
        status: AgentStatus::Away,
    }));
    assert_eq!(app.nudge, None);
}

fn login_app() -> App {
    App::new(Lang::En, LayoutPrefs::default(), NOW).with_login("ws://h:1".into(), "alice".into())
}

#[test]
fn a_wrong_password_is_cleared_and_the_error_wraps() {
    let mut app = login_app();
    for c in "secret-guess".chars() {
        app.type_char(c);
    }
    let long = "invalid username or password — and a long explanation that does not fit on one row of the sign-in dialog, ending here";
    app.on_net(NetEvent::LoginFailed {
        message: long.into(),
        bad_credentials: true,
    });
    let form = app.login.as_ref().unwrap();
    assert_eq!(form.password, "", "the wrong password is not kept");
    assert_eq!(form.field, 2, "the cursor is on the password");
    let screen = render(&app, 80, 24);
    assert!(
        screen.contains("ending here"),
        "wrapped, not cut:\n{screen}"
    );
    // Unreachable server: the password stays.
    let mut app = login_app();
    app.type_char('x');
    app.on_net(NetEvent::LoginFailed {
        message: "cannot reach".into(),
        bad_credentials: false,
    });
    assert_eq!(app.login.as_ref().unwrap().password, "x");
}

#[test]
fn the_focused_sign_in_field_is_marked() {
    let mut app = login_app();
    let marked = |app: &App| -> String {
        render(app, 80, 24)
            .lines()
            .find(|l| l.contains('›'))
            .unwrap_or_default()
            .to_string()
    };
    assert!(marked(&app).contains("Password"), "{}", marked(&app));
    press(&mut app, "tab");
    assert!(marked(&app).contains("Server"), "{}", marked(&app));
    // The marked field also carries the selection style.
    let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let theme = Theme::builtin("dark").unwrap();
    term.draw(|f| kefu::console::ui::draw(f, &app, &theme, &keymap()))
        .unwrap();
    let buf = term.backend().buffer();
    let selected = theme.style("dialog.selected");
    let row = (0..24)
        .find(|y| (0..80).any(|x| buf[(x, *y)].symbol() == "›"))
        .unwrap();
    let highlighted = (0..80)
        .filter(|x| buf[(*x, row)].bg == selected.bg.unwrap())
        .count();
    assert!(
        highlighted > 20,
        "the whole field is highlighted ({highlighted} cells)"
    );
}

#[test]
fn a_refused_new_password_states_the_policy_and_first_login_says_how_to_go_online() {
    let mut app = login_app();
    app.type_char('x');
    app.on_net(NetEvent::Connected {
        agent: AgentInfo {
            status: AgentStatus::Offline,
            ..me()
        },
        must_change_password: true,
        resumed: false,
    });
    for c in "short".chars() {
        app.type_char(c);
    }
    press(&mut app, "tab");
    for c in "short".chars() {
        app.type_char(c);
    }
    assert!(
        press(&mut app, "enter").is_empty(),
        "refused before sending"
    );
    let err = app.login.as_ref().unwrap().error.clone().unwrap();
    assert!(
        err.contains("10 characters") && err.contains("symbol"),
        "{err}"
    );
    // The server's refusal says the same, in the console's language.
    app.lang = Lang::Zh;
    app.on_net(NetEvent::Reply {
        tag: Tag::ChangePassword,
        result: Err(kefu::protocol::ApiError::invalid(
            "the password needs at least 10 characters",
        )),
    });
    let err = app.login.as_ref().unwrap().error.clone().unwrap();
    assert!(err.contains("10 个字符"), "{err}");
    app.lang = Lang::En;
    app.on_net(NetEvent::Reply {
        tag: Tag::ChangePassword,
        result: Ok(json!({"token": "t"})),
    });
    assert!(app.login.is_none());
    assert_eq!(app.nudge, Some(StatusNudge::FirstLogin));
    let banner = render(&app, 120, 30).lines().next().unwrap().to_string();
    assert!(banner.contains("press alt-o to go online"), "{banner}");
}

#[test]
fn the_status_bar_shows_a_lost_connection_in_its_own_style() {
    let (mut app, _) = with_session(0);
    let theme = Theme::builtin("dark").unwrap();
    let draw = |app: &App| {
        let mut term = Terminal::new(TestBackend::new(120, 30)).unwrap();
        term.draw(|f| kefu::console::ui::draw(f, app, &theme, &keymap()))
            .unwrap();
        term
    };
    let status_style_of = |term: &Terminal<TestBackend>, needle: &str| {
        let buf = term.backend().buffer();
        let y = 29;
        let row: String = (0..120).map(|x| buf[(x, y)].symbol().to_string()).collect();
        let x = row.find(needle).map(|i| row[..i].chars().count() as u16)?;
        Some((buf[(x, y)].fg, buf[(x, y)].bg))
    };
    let connected = draw(&app);
    let normal = status_style_of(&connected, "Connected").unwrap();
    app.on_net(NetEvent::Disconnected {
        retry_at: NOW + 3_000,
        reason: "the server closed the connection".into(),
    });
    assert!(matches!(app.conn, ConnState::Disconnected { .. }));
    let lost = draw(&app);
    let style = status_style_of(&lost, "Disconnected").expect("the status bar says so");
    assert_ne!(style, normal, "not the plain status-bar colours");
}

#[test]
fn a_read_only_past_session_shows_its_date_and_closes_with_the_key_in_the_hints() {
    let (mut app, _) = with_session(3);
    app.on_net(transcript_reply(Tag::Transcript(1), vec![msg(1, 1, "now")]));
    app.on_net(NetEvent::Reply {
        tag: Tag::Profile(1),
        result: Ok(
            json!({"customer": session(1, 0, SessionState::Active).customer, "sessions": [
                {"id": 0, "created_at": 1_700_000_000_000i64, "tags": [], "end_reason": "resolved",
                 "state": "ended", "csat": null, "last_seq": 320},
            ]}),
        ),
    });
    app.focus = Focus::Profile;
    let fx = app.update(Action::Open);
    let reqs = transcript_requests(&fx);
    assert_eq!(reqs[0].0, Tag::PastTranscript(0));
    assert_eq!(reqs[0].1["after_seq"], 220, "its newest page first");
    let mut past = session(0, 320, SessionState::Ended);
    past.created_at = 1_700_000_000_000;
    app.on_net(NetEvent::Reply {
        tag: Tag::PastTranscript(0),
        result: Ok(json!({"session": past, "messages": [msg(0, 320, "long ago")]})),
    });
    assert_eq!(app.selected, Some(0));
    let screen = render(&app, 120, 30);
    assert!(screen.contains("read-only · 2023-11-14"), "{screen}");
    let status = screen.lines().last().unwrap();
    assert!(status.contains("f8 close"), "{status}");
    press(&mut app, "f8");
    assert!(!app.sessions.contains_key(&0));
    assert_eq!(
        app.selected,
        Some(1),
        "back to the session it was opened from"
    );
}

#[test]
fn the_console_and_the_demo_refuse_to_start_without_a_terminal() {
    let config = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    for cmd in ["console", "demo"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_kefu"))
            .arg(cmd)
            .env("KEFU_CONFIG_DIR", config.path())
            .env("KEFU_DATA_DIR", data.path())
            .env("RUST_BACKTRACE", "0")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{cmd}: {stderr}");
        assert!(
            stderr.contains(&format!("kefu {cmd} needs a terminal (try ssh -t)")),
            "{cmd}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(out.stdout.is_empty(), "nothing drawn: {:?}", out.stdout);
    }
}

#[test]
fn a_long_error_after_a_dialog_is_shown_whole() {
    let (mut app, _) = with_session(0);
    let long = "the transfer was refused: agent bob is not a member of any group that may take \
                conversations from the aftersales queue, ask a supervisor — end of message";
    app.on_net(NetEvent::Reply {
        tag: Tag::Transfer(1),
        result: Err(kefu::protocol::ApiError::forbidden(long)),
    });
    let screen = render(&app, 80, 24);
    assert!(
        screen.contains("end of message"),
        "wrapped, not cut:\n{screen}"
    );
}
