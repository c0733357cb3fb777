//! The console's `App` on plain state: actions, key sequences in keymap syntax, and drawing
//! (insta snapshots at 120×40 and 80×24 with a fixed clock, plus cell-style checks).

use crossterm::event::{KeyEvent, KeyEventKind, KeyEventState};
use kefu::console::app::{App, Effect, Focus, LayoutPrefs, NetEvent, Overlay, Tag};
use kefu::console::i18n::Lang;
use kefu::console::keymap::{Keymap, parse_keys};
use kefu::console::theme::Theme;
use kefu::model::{AgentStatus, AuthorKind, Channel, Role, SessionState};
use kefu::protocol::{AgentInfo, CustomerView, Event, MessageView, ServerFrame, SessionView};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

/// 2026-11-23 10:00:00 UTC: every snapshot uses this clock.
const NOW: i64 = 1_795_428_000_000;

fn keymap() -> Keymap {
    Keymap::builtin("default").expect("default keymap")
}

/// Presses keys written in keymap syntax, e.g. `press(&mut app, "j j a")`.
fn press(app: &mut App, keys: &str) -> Vec<Effect> {
    let km = keymap();
    let mut fx = Vec::new();
    for chord in parse_keys(keys).expect("key syntax") {
        let ev = KeyEvent {
            code: chord.code,
            modifiers: chord.mods,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        };
        fx.extend(app.on_key(ev, &km));
    }
    fx
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        app.type_char(c);
    }
}

fn customer(id: i64, nick: &str, vip: bool, tags: &[&str]) -> CustomerView {
    CustomerView {
        id,
        external_id: Some(format!("ext-{id}")),
        nickname: nick.into(),
        channel: Channel::Web,
        vip,
        tags: tags.iter().map(|t| t.to_string()).collect(),
    }
}

fn session(id: i64, c: CustomerView, state: SessionState) -> SessionView {
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
    }
}

fn me() -> AgentInfo {
    AgentInfo {
        id: 7,
        username: "demo".into(),
        display_name: "Demo Agent".into(),
        role: Role::Agent,
        status: AgentStatus::Online,
        connected: true,
        active: 2,
        capacity: 5,
        groups: vec!["aftersales".into()],
    }
}

fn msg(session: i64, seq: i64, kind: AuthorKind, name: &str, body: &str, at: i64) -> MessageView {
    MessageView {
        session_id: session,
        seq,
        author_kind: kind,
        author_id: Some(1),
        author_name: name.into(),
        body: body.into(),
        client_msg_id: Some(format!("m{seq}")),
        created_at: at,
    }
}

fn ev(event: Event) -> NetEvent {
    NetEvent::Frame(ServerFrame::Event { cursor: 1, event })
}

/// A workbench with an offer, two active sessions (one VIP waiting long) and a transcript.
fn workbench() -> App {
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
    let snapshot = json!({
        "agent": me(),
        "sessions": [s1, s2],
        "offers": [{"session": session(3, customer(13, "张三", false, &["投诉用户"]), SessionState::Offered), "expires_at": NOW + 25_000}],
        "queued": [],
        "queues": [{"group": "aftersales", "strategy": "least_busy", "waiting": 4}],
        "cursor": 10,
    });
    app.on_net(NetEvent::Reply {
        tag: Tag::Snapshot,
        result: Ok(snapshot),
    });
    app.on_net(NetEvent::Reply {
        tag: Tag::Transcript(1),
        result: Ok(json!({"messages": [
            msg(1, 1, AuthorKind::Customer, "小明", "我的快递三天了还没到，订单号 A123", NOW - 120_000),
            msg(1, 2, AuthorKind::Agent, "Demo Agent", "您好，我来帮您查一下。", NOW - 60_000),
            msg(1, 3, AuthorKind::Customer, "小明", "好的，谢谢", NOW - 30_000),
        ]})),
    });
    app.on_net(NetEvent::Reply {
        tag: Tag::Profile(1),
        result: Ok(json!({"customer": customer(11, "小明", false, &[]), "sessions": [
            {"id": 1, "created_at": NOW, "tags": [], "end_reason": null, "state": "active", "csat": null},
            {"id": 0, "created_at": NOW - 86_400_000 * 3, "tags": ["物流问题-已解决"], "end_reason": "resolved", "state": "ended", "csat": 5},
        ]})),
    });
    app.select(1);
    app
}

fn render(app: &App, w: u16, h: u16, theme: &str) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    let theme = Theme::builtin(theme).expect("theme");
    let km = keymap();
    term.draw(|f| kefu::console::ui::draw(f, app, &theme, &km))
        .unwrap();
    term
}

fn screen(term: &Terminal<TestBackend>) -> String {
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

#[test]
fn next_and_jump_walk_the_list_in_display_order() {
    let mut app = workbench();
    assert_eq!(
        app.order(),
        vec![3, 1, 2],
        "offers first, then active sessions"
    );
    app.update(kefu::console::action::Action::Session1);
    assert_eq!(app.selected, Some(3));
    app.update(kefu::console::action::Action::NextSession);
    assert_eq!(app.selected, Some(1));
    app.update(kefu::console::action::Action::PrevSession);
    app.update(kefu::console::action::Action::PrevSession);
    assert_eq!(app.selected, Some(2), "wraps around");
}

#[test]
fn next_attention_prefers_offers_then_long_waits() {
    let mut app = workbench();
    app.update(kefu::console::action::Action::NextAttention);
    assert_eq!(app.selected, Some(3), "the offer first");
    app.update(kefu::console::action::Action::NextAttention);
    assert_eq!(
        app.selected,
        Some(2),
        "then the customer waiting over a minute"
    );
}

#[test]
fn accept_sends_a_request_and_the_reply_opens_the_composer() {
    let mut app = workbench();
    app.select(3);
    let fx = app.update(kefu::console::action::Action::Accept);
    assert!(
        matches!(
            &fx[..],
            [Effect::Request {
                tag: Tag::Accept(3),
                kind: "session.accept",
                ..
            }]
        ),
        "{fx:?}"
    );
    let view = session(
        3,
        customer(13, "张三", false, &["投诉用户"]),
        SessionState::Active,
    );
    app.on_net(NetEvent::Reply {
        tag: Tag::Accept(3),
        result: Ok(json!({"session": view})),
    });
    assert!(!app.sessions[&3].is_offer());
    assert_eq!(app.focus, Focus::Compose);
}

#[test]
fn typing_and_sending_goes_through_the_outbox_states() {
    let mut app = workbench();
    app.focus = Focus::Compose;
    typed(&mut app, "您好");
    let fx = app.send_draft();
    let Some(Effect::Request {
        tag: Tag::Send {
            session,
            client_msg_id,
        },
        kind: "message.send",
        body,
    }) = fx.first()
    else {
        panic!("{fx:?}")
    };
    assert_eq!((*session, body["body"].as_str()), (1, Some("您好")));
    let last = app.sessions[&1].lines.last().unwrap().clone();
    assert_eq!(last.delivery, kefu::console::app::Delivery::Sending);
    app.on_net(NetEvent::Reply {
        tag: Tag::Send {
            session: 1,
            client_msg_id: client_msg_id.clone(),
        },
        result: Err(kefu::protocol::ApiError::conflict("nope")),
    });
    assert_eq!(
        app.sessions[&1].lines.last().unwrap().delivery,
        kefu::console::app::Delivery::Failed
    );
    let fx = app.update(kefu::console::action::Action::RetryFailed);
    assert!(
        matches!(&fx[..], [Effect::Request { kind: "message.send", body, .. }] if body["client_msg_id"] == client_msg_id.as_str())
    );
    assert!(app.sessions[&1].draft.is_empty());
}

#[test]
fn slash_at_the_start_opens_quick_replies_with_variables_filled() {
    let mut app = workbench();
    app.quick_replies = vec![kefu::console::app::QuickReply {
        id: 1,
        shortcut: "hi".into(),
        title: "Greeting".into(),
        body: "您好{customer}，我是{agent}".into(),
    }];
    app.focus = Focus::Compose;
    app.type_char('/');
    assert!(matches!(app.overlay, Some(Overlay::QuickReplies { .. })));
    typed(&mut app, "hi");
    app.update(kefu::console::action::Action::Confirm);
    assert_eq!(app.sessions[&1].draft.text(), "您好小明，我是Demo Agent");
}

#[test]
fn a_customer_message_on_another_session_counts_as_unread_and_alerts() {
    let mut app = workbench();
    let fx = app.on_net(ev(Event::Message {
        message: msg(2, 1, AuthorKind::Customer, "Alice VIP", "hello?", NOW),
    }));
    assert_eq!(app.sessions[&2].unread, 1);
    assert!(fx.iter().any(|f| matches!(f, Effect::Alert { .. })));
    app.select(2);
    assert_eq!(app.sessions[&2].unread, 0);
}

#[test]
fn keys_in_keymap_syntax_drive_the_workbench() {
    let mut app = workbench();
    app.focus = Focus::Sessions;
    press(&mut app, "?");
    assert!(matches!(app.overlay, Some(Overlay::Help { .. })));
    press(&mut app, "esc");
    assert!(app.overlay.is_none());
    press(&mut app, "ctrl-q");
    assert!(
        matches!(app.overlay, Some(Overlay::Quit)),
        "quitting with active sessions asks first"
    );
    press(&mut app, "esc");
    assert!(!app.should_quit);
}

#[test]
fn transfer_dialog_picks_a_group_and_sends_the_note() {
    let mut app = workbench();
    app.update(kefu::console::action::Action::Transfer);
    typed(&mut app, "aftersales");
    app.update(kefu::console::action::Action::NextField);
    typed(&mut app, "needs refund");
    let fx = app.update(kefu::console::action::Action::Confirm);
    let Some(Effect::Request {
        kind: "session.transfer",
        body,
        ..
    }) = fx.first()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(body["to"], json!({"group": "aftersales"}));
    assert_eq!(body["note"], "needs refund");
}

#[test]
fn workbench_snapshots() {
    let app = workbench();
    insta::assert_snapshot!("workbench_120x40", screen(&render(&app, 120, 40, "dark")));
    insta::assert_snapshot!("workbench_80x24", screen(&render(&app, 80, 24, "dark")));
}

#[test]
fn dialog_and_login_snapshots() {
    let mut app = workbench();
    app.update(kefu::console::action::Action::End);
    insta::assert_snapshot!("end_dialog_80x24", screen(&render(&app, 80, 24, "dark")));
    let login = App::new(Lang::Zh, LayoutPrefs::default(), NOW)
        .with_login("ws://127.0.0.1:7800".into(), "alice".into());
    insta::assert_snapshot!("login_zh_80x24", screen(&render(&login, 80, 24, "dark")));
}

#[test]
fn the_theme_is_applied_to_cells() {
    let app = workbench();
    let term = render(&app, 120, 40, "dark");
    let theme = Theme::builtin("dark").unwrap();
    let buf = term.backend().buffer();
    // The status bar's first cell carries the online style.
    let online = theme.style("status.online");
    assert_eq!(buf[(1, 39)].fg, online.fg.unwrap_or(buf[(1, 39)].fg));
    // Some cell in the list is drawn in the overdue-wait style (Alice has waited 200 s).
    let overdue = theme.style("session.waiting.overdue");
    let found = (0..40).any(|y| {
        (0..40).any(|x| {
            buf[(x, y)].fg == overdue.fg.unwrap_or_default() && buf[(x, y)].symbol() != " "
        })
    });
    assert!(found, "overdue wait colour not found");
}

#[test]
fn escape_sequences_from_the_network_are_drawn_inert() {
    let mut app = workbench();
    let evil = "hi\x1b[2J\x1b]0;pwned\x07\x1b]52;c;ZXZpbA==\x07\u{202E}gnp.exe\r!";
    app.on_net(ev(Event::Message {
        message: msg(1, 4, AuthorKind::Customer, "小明\x1b[31m", evil, NOW),
    }));
    let term = render(&app, 120, 40, "dark");
    let buf = term.backend().buffer();
    for cell in buf.content() {
        for c in cell.symbol().chars() {
            assert!(!c.is_control(), "control char {:?} reached the screen", c);
            assert!(
                !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'),
                "bidi control on screen"
            );
        }
    }
    assert!(
        screen(&term).contains("pwned"),
        "the text is shown, just inert"
    );
}

#[test]
fn a_past_session_opens_read_only_from_the_profile() {
    use kefu::console::action::Action;
    let mut app = workbench();
    app.focus = Focus::Profile;
    let fx = app.update(Action::Open);
    assert!(
        matches!(
            &fx[..],
            [Effect::Request {
                tag: Tag::PastTranscript(0),
                kind: "session.transcript",
                ..
            }]
        ),
        "{fx:?}"
    );
    let mut past = session(0, customer(11, "小明", false, &[]), SessionState::Ended);
    past.tags = vec!["物流问题-已解决".into()];
    app.on_net(NetEvent::Reply {
        tag: Tag::PastTranscript(0),
        result: Ok(json!({"session": past, "messages": [msg(0, 1, AuthorKind::Customer, "小明", "上次的问题", NOW - 86_400_000)]})),
    });
    assert_eq!(app.selected, Some(0));
    assert!(app.sessions[&0].read_only);
    assert_eq!(app.writable(), None, "read-only: no composer, no actions");
    assert!(app.update(Action::Transfer).is_empty());
    let screen = screen(&render(&app, 120, 40, "dark"));
    assert!(
        screen.contains("上次的问题") && screen.contains("read-only"),
        "{screen}"
    );
    app.update(Action::End);
    assert!(
        !app.sessions.contains_key(&0),
        "closing a read-only session removes it"
    );
}

#[test]
fn vim_sequences_work_through_the_same_key_syntax() {
    let km = Keymap::builtin("vim").unwrap();
    let mut app = workbench();
    app.focus = Focus::Sessions;
    let feed = |app: &mut App, keys: &str| {
        for chord in parse_keys(keys).unwrap() {
            let ev = KeyEvent {
                code: chord.code,
                modifiers: chord.mods,
                kind: KeyEventKind::Press,
                state: KeyEventState::NONE,
            };
            app.on_key(ev, &km);
        }
    };
    feed(&mut app, "G");
    assert_eq!(app.selected, Some(2), "G: last item");
    feed(&mut app, "g g");
    assert_eq!(app.selected, Some(3), "g g: first item");
    feed(&mut app, "j j");
    assert_eq!(app.selected, Some(2));
}

#[test]
fn escape_from_the_composer_returns_to_the_list_keeping_the_draft() {
    let mut app = workbench();
    app.focus = Focus::Compose;
    typed(&mut app, "稍等");
    press(&mut app, "esc");
    assert_eq!(app.focus, Focus::Sessions);
    assert_eq!(app.sessions[&1].draft.text(), "稍等");
    press(&mut app, "n");
    assert_eq!(
        app.selected,
        Some(3),
        "single-letter keys work again: n jumps to the offer"
    );
}

#[test]
fn dialogs_move_in_place_and_close_on_confirm_or_cancel() {
    use kefu::console::action::Action;
    let mut app = workbench();
    app.update(Action::End);
    app.update(Action::NextField);
    let fx = app.update(Action::Confirm);
    let Some(Effect::Request {
        kind: "session.end",
        body,
        ..
    }) = fx.first()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(body["outcome"], "unresolved", "the outcome toggled");
    assert!(app.overlay.is_none());

    app.update(Action::Help);
    app.update(Action::PageDown);
    app.update(Action::ScrollUp);
    assert!(matches!(app.overlay, Some(Overlay::Help { scroll: 9 })));
    app.update(Action::Cancel);
    assert!(app.overlay.is_none());

    // Tags already used with this customer are offered; confirming picks the highlighted one.
    app.update(Action::Tag);
    let fx = app.update(Action::Confirm);
    let Some(Effect::Request {
        kind: "session.tag",
        body,
        ..
    }) = fx.first()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(body["add"], json!(["物流问题-已解决"]));
    assert!(app.overlay.is_none());

    app.update(Action::Quit);
    assert_eq!(app.update(Action::Confirm), vec![Effect::Quit]);
    assert!(app.should_quit);
}

/// The text of columns `x0..x1` of each row (wide characters counted once).
fn columns(term: &Terminal<TestBackend>, x0: u16, x1: u16) -> Vec<String> {
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

#[test]
fn a_narrow_session_list_keeps_names_readable_and_units_whole() {
    let mut app = workbench();
    app.sessions.get_mut(&1).unwrap().view.customer.nickname = "欧阳娜娜的售后咨询".into();
    // 45 columns: the list gets a third, 13 columns inside its border.
    let term = render(&app, 45, 24, "dark");
    let list = columns(&term, 1, 14);
    let all = list.join("\n");
    // Cut with an ellipsis at display width (CJK = 2 columns), not to a letter or two.
    assert!(all.contains("Alice V…"), "{all}");
    assert!(all.contains("欧阳娜娜…"), "{all}");
    // Alice has waited 200 s: "3m", with its unit.
    assert!(list.iter().any(|l| l.trim_end().ends_with("3m")), "{all}");
    assert!(!list.iter().any(|l| l.trim_end().ends_with(" 3")), "{all}");
    // The offer's countdown, whole.
    assert!(all.contains("25s"), "{all}");
}
