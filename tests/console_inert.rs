//! Network text on every path to the screen is made inert: hostile strings (CSI, OSC 52
//! clipboard, OSC title, C1 controls, bidi overrides, zero-width and tag characters) are put
//! into every field the console shows — nicknames, tags, profile fields, knowledge-base titles
//! and bodies, notices, transfer notes, typing names, directory entries, queue names, quick
//! replies, login errors, alerts — and the rendered buffers must hold no raw control or
//! format character, while each field's text is still there with its visible marks.

mod console_fixture;

use console_fixture::*;
use kefu::console::action::Action;
use kefu::console::app::{App, Effect, Focus, KbArticle, KbTitle, LayoutPrefs, NetEvent, Tag};
use kefu::console::i18n::Lang;
use kefu::console::reply::{Reply, ReplyError};
use kefu::model::{AgentStatus, AuthorKind, Role, SessionState, Strategy};
use kefu::protocol::{
    AgentInfo, ApiError, DirectoryReply, Event, QueueInfo, ServerFrame, TranscriptReply,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// A hostile string labelled `tag`: bidi override, 8-bit CSI, an OSC 52 clipboard write
/// (ESC … BEL), a zero-width space and an invisible tag character.
fn evil(tag: &str) -> String {
    format!("{tag}\u{202e}\u{9b}\x1b]52;c;eA==\x07\u{200b}\u{e0041}")
}

/// What `evil(tag)` must look like on screen.
fn shown(tag: &str) -> String {
    format!("{tag}⟦U+202E⟧⟦U+009B⟧␛]52;c;eA==␇⟦U+200B⟧⟦U+E0041⟧")
}

/// Characters that must never reach a terminal cell from the network.
fn raw(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200b}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{feff}'
                | '\u{e0000}'..='\u{e007f}'
        )
}

fn assert_inert(term: &Terminal<TestBackend>) {
    for (i, cell) in term.backend().buffer().content().iter().enumerate() {
        assert!(
            !cell.symbol().chars().any(raw),
            "raw {:?} in cell {i}",
            cell.symbol()
        );
    }
}

fn agent(id: i64, username: &str, name: &str) -> AgentInfo {
    AgentInfo {
        employee_no: None,
        id,
        username: username.into(),
        display_name: name.into(),
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

/// The workbench with hostile text in every network field, wide enough that nothing is cut.
fn hostile_workbench() -> App {
    let mut app = workbench();
    app.layout = LayoutPrefs {
        list_width: 70,
        sidebar_width: 80,
        show_sidebar: true,
        show_kb: true,
    };
    let s = app.sessions.get_mut(&1).expect("session 1");
    s.view.customer.nickname = evil("NICK");
    s.view.customer.external_id = Some(evil("EXTID"));
    s.view.customer.tags = vec![evil("CTAG")];
    s.view.tags = vec![evil("STAG")];
    s.view.intent = Some(evil("INTENT"));
    if let Some(past) = s.past.as_mut().and_then(|p| p.first_mut()) {
        past.tags = vec![evil("PTAG")];
    }
    app.on_net(ev(Event::Message {
        message: msg(
            1,
            4,
            AuthorKind::Customer,
            &evil("AUTHOR"),
            &evil("BODY"),
            NOW,
        ),
    }));
    app.on_net(NetEvent::Frame(ServerFrame::Typing {
        session_id: 1,
        author_kind: AuthorKind::Customer,
        name: evil("TYPING"),
        active: true,
    }));
    app.queues = vec![QueueInfo {
        group: evil("GROUP"),
        strategy: Strategy::LeastBusy,
        waiting: 2,
        require_tags: false,
    }];
    app.kb.set_titles(vec![KbTitle {
        id: 9,
        title: evil("KBTITLE"),
        keywords: vec![],
    }]);
    app.kb.bodies.insert(
        9,
        KbArticle {
            id: 9,
            title: evil("KBTITLE"),
            body: evil("KBBODY"),
        },
    );
    app.refilter_kb();
    app
}

#[test]
fn the_workbench_shows_hostile_fields_inert() {
    let mut app = hostile_workbench();
    app.select(1);
    let term = render(&app, 240, 60, "dark");
    assert_inert(&term);
    let screen = screen(&term);
    for tag in [
        "NICK", "EXTID", "CTAG", "STAG", "INTENT", "PTAG", "AUTHOR", "BODY", "TYPING", "GROUP",
        "KBTITLE", "KBBODY",
    ] {
        assert!(
            screen.contains(&shown(tag)),
            "{tag} not shown inert:\n{screen}"
        );
    }
}

#[test]
fn offers_transfer_notes_and_alerts_are_inert() {
    let mut app = hostile_workbench();
    let mut view = session(
        5,
        customer(15, &evil("OFFERNICK"), false, &[]),
        SessionState::Offered,
    );
    view.assignee = Some(7);
    let fx = app.on_net(ev(Event::Offer {
        session: view,
        expires_at: NOW + 30_000,
        transfer_note: Some(evil("NOTE")),
        transferred_by: Some(evil("BY")),
    }));
    // The alert (bell and desktop notification text) carries no control characters.
    let alerts: Vec<&Effect> = fx
        .iter()
        .filter(|f| matches!(f, Effect::Alert { .. }))
        .collect();
    assert!(!alerts.is_empty(), "{fx:?}");
    for a in &alerts {
        let Effect::Alert { title, body, .. } = a else {
            unreachable!()
        };
        assert!(!title.chars().chain(body.chars()).any(raw), "{a:?}");
        assert!(body.contains(&shown("OFFERNICK")), "{a:?}");
    }
    let fx = app.on_net(ev(Event::Message {
        message: msg(1, 5, AuthorKind::Customer, "x", &evil("PREVIEW"), NOW),
    }));
    for f in &fx {
        if let Effect::Alert { title, body, .. } = f {
            assert!(!title.chars().chain(body.chars()).any(raw), "{f:?}");
        }
    }
    app.select(5);
    let term = render(&app, 240, 60, "dark");
    assert_inert(&term);
    let screen = screen(&term);
    for tag in ["OFFERNICK", "NOTE", "BY"] {
        assert!(
            screen.contains(&shown(tag)),
            "{tag} not shown inert:\n{screen}"
        );
    }
}

#[test]
fn notices_dialogs_and_login_errors_are_inert() {
    let mut app = hostile_workbench();
    app.select(1);
    // A refusal from the server becomes a notice in the status bar.
    app.on_net(NetEvent::Reply {
        tag: Tag::Tag(1),
        result: Err(ReplyError::Api(ApiError::conflict(evil("NOTICE")))),
    });
    let term = render(&app, 240, 60, "dark");
    assert_inert(&term);
    assert!(
        screen(&term).contains(&shown("NOTICE")),
        "{}",
        screen(&term)
    );

    // The transfer dialog lists the directory's names and the queues' groups.
    app.directory = vec![agent(8, "bob", &evil("AGENTNAME"))];
    app.update(Action::Transfer);
    app.on_net(NetEvent::Reply {
        tag: Tag::Directory,
        result: Ok(Reply::Directory(DirectoryReply {
            agents: vec![agent(8, "bob", &evil("AGENTNAME"))],
            groups: app.queues.clone(),
            menus: vec![kefu::protocol::MenuEntry {
                name: "shop".into(),
                title: evil("MENUTITLE"),
                nodes: vec![kefu::protocol::MenuNodeEntry {
                    id: "main".into(),
                    label: "main".into(),
                }],
            }],
        })),
    });
    let term = render(&app, 240, 60, "dark");
    assert_inert(&term);
    let screen_text = screen(&term);
    assert!(screen_text.contains(&shown("AGENTNAME")), "{screen_text}");
    assert!(screen_text.contains(&shown("GROUP")), "{screen_text}");
    assert!(screen_text.contains(&shown("MENUTITLE")), "{screen_text}");
    app.update(Action::Cancel);

    // The tag dialog offers tags seen on the customer's sessions.
    app.update(Action::Tag);
    let term = render(&app, 240, 60, "dark");
    assert_inert(&term);
    assert!(screen(&term).contains(&shown("STAG")), "{}", screen(&term));
    app.update(Action::Cancel);

    // Quick replies come from the server too.
    let reply = |id, title: String, body: String| kefu::console::app::QuickReply {
        id,
        shortcut: "hi".into(),
        title,
        body,
        ..Default::default()
    };
    app.quick_replies = vec![
        reply(1, evil("QRTITLE"), "x".into()),
        reply(2, "t".into(), evil("QRBODY")),
    ];
    app.focus = Focus::Compose;
    app.type_char('/');
    let term = render(&app, 240, 60, "dark");
    assert_inert(&term);
    let screen_text = screen(&term);
    assert!(screen_text.contains(&shown("QRTITLE")), "{screen_text}");
    // The picker previews the selected reply's text.
    app.update(Action::SelectNext);
    let term = render(&app, 240, 60, "dark");
    assert_inert(&term);
    let screen_text = screen(&term);
    assert!(screen_text.contains(&shown("QRBODY")), "{screen_text}");

    // A login refused with a hostile message.
    let mut login =
        App::new(Lang::En, LayoutPrefs::default(), NOW).with_login("ws://h:1".into(), "a".into());
    login.on_net(NetEvent::LoginFailed {
        message: evil("LOGINERR"),
        bad_credentials: false,
    });
    let term = render(&login, 120, 30, "dark");
    assert_inert(&term);
    assert!(
        screen(&term).contains(&shown("LOGINERR")),
        "{}",
        screen(&term)
    );
}

#[test]
fn a_read_only_past_session_is_inert() {
    let mut app = hostile_workbench();
    app.focus = Focus::Profile;
    app.update(Action::Open);
    let mut past = session(
        0,
        customer(11, &evil("PASTNICK"), false, &[]),
        SessionState::Ended,
    );
    past.tags = vec![evil("PASTTAG")];
    app.on_net(NetEvent::Reply {
        tag: Tag::PastTranscript(0),
        result: Ok(Reply::Transcript(TranscriptReply {
            session: past,
            messages: vec![msg(
                0,
                1,
                AuthorKind::Agent,
                &evil("PASTAUTHOR"),
                &evil("PASTBODY"),
                NOW - 86_400_000,
            )],
        })),
    });
    let term = render(&app, 240, 60, "dark");
    assert_inert(&term);
    let screen = screen(&term);
    for tag in ["PASTNICK", "PASTAUTHOR", "PASTBODY"] {
        assert!(
            screen.contains(&shown(tag)),
            "{tag} not shown inert:\n{screen}"
        );
    }
}
