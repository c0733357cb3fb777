//! The console's internal notes and @mentions, on the `App` and drawn to a test terminal:
//! note mode sends `note.add` (never `message.send`, no typing signal to the customer), the @
//! picker finds colleagues by name, username or employee number, a failed note is retried as
//! a note, a mention alerts, opens the conversation read-only with notes only, is read when
//! opened and leaves with the conversation's end; snapshots of the picker and the Mentions
//! section at 120×40 and 80×24.

mod console_fixture;

use console_fixture::*;
use kefu::console::app::notes_state::NotesTag;
use kefu::console::app::{AlertKind, App, Delivery, Effect, LayoutPrefs, NetEvent, Tag};
use kefu::console::i18n::Lang;
use kefu::console::reply::{Reply, ReplyError};
use kefu::model::{AgentStatus, AuthorKind, Role, SessionState};
use kefu::protocol::{
    AgentInfo, ApiError, Event, MentionView, MentionsReply, MessageAck, ProfileReply, Request,
    TranscriptReply,
};

fn colleague(id: i64, username: &str, name: &str, no: Option<&str>) -> AgentInfo {
    AgentInfo {
        id,
        username: username.into(),
        display_name: name.into(),
        employee_no: no.map(str::to_string),
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

fn with_colleagues() -> App {
    let mut app = workbench();
    app.directory = vec![
        me(),
        colleague(8, "bob", "Bob Li", Some("E-1024")),
        colleague(9, "carol", "Carol Chen", Some("E-2048")),
        colleague(10, "wang", "王芳", None),
    ];
    app
}

fn requests(fx: &[Effect]) -> Vec<&Request> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Request { request, .. } => Some(request),
            _ => None,
        })
        .collect()
}

fn mention(session: i64, seq: i64, by: &str) -> MentionView {
    MentionView {
        session_id: session,
        seq,
        by_id: 8,
        by_name: by.into(),
        customer: "李雷".into(),
        excerpt: "@demo 这个客户要退款，帮忙看看".into(),
        created_at: NOW - 5_000,
        read_at: None,
        open: true,
    }
}

/// A mention of us in session 5 (someone else's), its transcript loaded.
fn mentioned(app: &mut App) -> Vec<Effect> {
    let fx = app.on_net(ev(Event::Mentioned(mention(5, 3, "Bob Li"))));
    let mut s5 = session(5, customer(15, "李雷", false, &[]), SessionState::Active);
    s5.assignee = Some(8);
    s5.last_seq = 3;
    let mut note = msg(
        5,
        3,
        AuthorKind::Agent,
        "Bob Li",
        "@demo 这个客户要退款，帮忙看看",
        NOW - 5_000,
    );
    note.internal = true;
    let opened = app.on_net(NetEvent::Reply {
        tag: Tag::Notes(NotesTag::Open(5)),
        result: Ok(Reply::Transcript(TranscriptReply {
            session: s5,
            messages: vec![
                msg(5, 1, AuthorKind::Customer, "李雷", "我要退款", NOW - 60_000),
                msg(
                    5,
                    2,
                    AuthorKind::Agent,
                    "Bob Li",
                    "好的，请稍等",
                    NOW - 30_000,
                ),
                note,
            ],
        })),
    });
    // The profile is asked for; its answer fills the sidebar.
    let Some(Effect::Request { tag, .. }) = opened
        .iter()
        .find(|e| matches!(e, Effect::Request { request: Request::Profile(p), .. } if p.customer_id == 15))
    else {
        panic!("no profile request: {opened:?}")
    };
    app.on_net(NetEvent::Reply {
        tag: tag.clone(),
        result: Ok(Reply::Profile(ProfileReply {
            customer: customer(15, "李雷", false, &["VIP用户"]),
            sessions: vec![],
        })),
    });
    fx
}

#[test]
fn note_mode_sends_a_note_with_its_mentions_and_never_a_message() {
    let mut app = with_colleagues();
    press(&mut app, "alt-t");
    assert!(app.notes.in_note_mode(1));
    typed(&mut app, "refund ok? @");
    assert!(app.notes.picker.is_some(), "@ opens the picker");
    // By employee number.
    typed(&mut app, "2048");
    let p = app.notes.picker.as_ref().unwrap();
    assert_eq!(p.items[p.picker.matches[0]].username, "carol");
    let mut fx = press(&mut app, "enter");
    assert!(app.notes.picker.is_none());
    assert_eq!(app.current().unwrap().draft.text(), "refund ok? @carol ");
    // Typing the whole username works too; enter takes the highlighted one, then sends.
    typed(&mut app, "and @bob");
    fx.extend(press(&mut app, "enter enter"));
    let reqs = requests(&fx);
    assert_eq!(reqs.len(), 1, "{fx:?}");
    let Request::NoteAdd(n) = reqs[0] else {
        panic!("{reqs:?}")
    };
    assert_eq!(n.session_id, 1);
    assert_eq!(n.body, "refund ok? @carol and @bob ");
    assert_eq!(n.mentions, ["carol", "bob"]);
    let line = app.current().unwrap().lines.last().unwrap().clone();
    assert!(line.internal);
    assert_eq!(line.delivery, Delivery::Sending);
    // Acked.
    app.on_net(NetEvent::Reply {
        tag: Tag::Notes(NotesTag::Add {
            session: 1,
            client_msg_id: line.client_msg_id.clone().unwrap(),
        }),
        result: Ok(Reply::NoteAdd(MessageAck {
            session_id: 1,
            seq: 4,
            created_at: NOW,
            cursor: Some(11),
        })),
    });
    assert_eq!(
        app.current().unwrap().lines.last().unwrap().delivery,
        Delivery::Acked
    );
    // Back to the customer: a message again.
    press(&mut app, "alt-t");
    assert!(!app.notes.in_note_mode(1));
    typed(&mut app, "hi");
    let fx = press(&mut app, "enter");
    assert!(
        matches!(requests(&fx)[..], [Request::SendMessage(_)]),
        "{fx:?}"
    );
}

#[test]
fn typing_a_note_tells_the_customer_nothing() {
    let mut app = with_colleagues();
    press(&mut app, "alt-t");
    let mut fx = Vec::new();
    for c in "内部：这位客户上周投诉过".chars() {
        fx.extend(app.type_char(c));
    }
    assert!(fx.is_empty(), "no typing signal for a note: {fx:?}");
    // While a message to the customer does signal.
    press(&mut app, "alt-t");
    press(&mut app, "ctrl-u");
    let fx = app.type_char('x');
    assert!(matches!(requests(&fx)[..], [Request::Typing(_)]), "{fx:?}");
}

#[test]
fn the_picker_closes_on_esc_and_backspace_over_the_at() {
    let mut app = with_colleagues();
    press(&mut app, "alt-t");
    typed(&mut app, "@b");
    assert_eq!(app.notes.picker.as_ref().unwrap().picker.query, "b");
    press(&mut app, "backspace backspace");
    assert!(app.notes.picker.is_none());
    assert_eq!(app.current().unwrap().draft.text(), "");
    typed(&mut app, "@ca");
    press(&mut app, "esc");
    assert!(app.notes.picker.is_none());
    assert_eq!(app.current().unwrap().draft.text(), "@ca", "left as typed");
    // A word break ends the mention too.
    typed(&mut app, " @");
    assert!(app.notes.picker.is_some());
    typed(&mut app, " ");
    assert!(app.notes.picker.is_none());
}

#[test]
fn a_failed_note_is_retried_as_a_note_never_as_a_message() {
    let mut app = with_colleagues();
    press(&mut app, "alt-t");
    typed(&mut app, "secret remark");
    let fx = press(&mut app, "enter");
    let Some(Effect::Request { tag, .. }) = fx.first() else {
        panic!("{fx:?}")
    };
    app.on_net(NetEvent::Reply {
        tag: tag.clone(),
        result: Err(ReplyError::NotConnected),
    });
    assert_eq!(
        app.current().unwrap().lines.last().unwrap().delivery,
        Delivery::Failed
    );
    press(&mut app, "alt-t");
    let fx = press(&mut app, "alt-r");
    let reqs = requests(&fx);
    assert_eq!(reqs.len(), 1, "{fx:?}");
    assert!(matches!(reqs[0], Request::NoteAdd(n) if n.body == "secret remark"));
}

#[test]
fn a_mention_alerts_opens_read_only_with_notes_only_and_is_read_when_opened() {
    let mut app = with_colleagues();
    let fx = mentioned(&mut app);
    assert!(
        fx.iter().any(
            |e| matches!(e, Effect::Alert { kind: AlertKind::Mention, title, .. }
            if title == "Bob Li mentioned you")
        ),
        "{fx:?}"
    );
    assert!(
        fx.iter().any(|e| matches!(
            e,
            Effect::Request {
                tag: Tag::Notes(NotesTag::Open(5)),
                ..
            }
        )),
        "{fx:?}"
    );
    let s = &app.sessions[&5];
    assert!(s.read_only);
    assert!(app.notes.watching.contains(&5));
    assert_eq!(s.past.as_deref(), Some(&[][..]), "the profile was fetched");
    assert!(s.lines.iter().any(|l| l.internal));
    assert_eq!(app.notes.unread_in(5), 1);
    // The same mention replayed after a reconnect alerts once.
    assert!(
        app.on_net(ev(Event::Mentioned(mention(5, 3, "Bob Li"))))
            .is_empty()
    );

    // alt-j opens it and marks it read.
    let fx = press(&mut app, "alt-j");
    assert_eq!(app.selected, Some(5));
    assert!(
        matches!(requests(&fx)[..], [Request::MentionRead(r)] if r.session_id == 5),
        "{fx:?}"
    );
    assert_eq!(app.notes.unread_in(5), 0);
    let fx = press(&mut app, "alt-j");
    assert!(requests(&fx).is_empty());

    // Read-only: no End dialog, transfer or tag; the composer writes notes only.
    press(&mut app, "alt-m");
    assert_eq!(app.focus, kefu::console::app::Focus::Compose);
    press(&mut app, "alt-t");
    assert!(app.notes.in_note_mode(5), "notes only");
    typed(&mut app, "@bob 已处理");
    let fx = press(&mut app, "enter");
    assert!(
        matches!(requests(&fx)[..], [Request::NoteAdd(n)] if n.session_id == 5 && n.mentions == ["bob"]),
        "{fx:?}"
    );
    for key in ["f4", "f5", "f6"] {
        let fx = press(&mut app, key);
        assert!(requests(&fx).is_empty(), "{key}: {fx:?}");
    }

    // The conversation ends: it leaves the list, and the access with it.
    let mut ended = session(5, customer(15, "李雷", false, &[]), SessionState::Ended);
    ended.assignee = Some(8);
    app.on_net(ev(Event::Session { session: ended }));
    assert!(!app.sessions.contains_key(&5));
    assert!(!app.notes.watching.contains(&5));
}

#[test]
fn unread_mentions_come_back_after_a_console_restart() {
    let mut app = App::new(Lang::En, LayoutPrefs::default(), NOW);
    let fx = app.on_net(NetEvent::Connected {
        agent: me(),
        must_change_password: false,
        resumed: false,
    });
    let Some(Effect::Request { tag, .. }) = fx.iter().find(|e| {
        matches!(
            e,
            Effect::Request {
                request: Request::MentionsList(_),
                ..
            }
        )
    }) else {
        panic!("{fx:?}")
    };
    let mut closed = mention(6, 2, "Carol");
    closed.open = false;
    let fx = app.on_net(NetEvent::Reply {
        tag: tag.clone(),
        result: Ok(Reply::MentionsList(MentionsReply {
            mentions: vec![mention(5, 3, "Bob Li"), closed],
        })),
    });
    let reqs = requests(&fx);
    assert!(
        matches!(reqs[..], [Request::Transcript(t)] if t.session_id == 5),
        "only the open conversation is fetched: {fx:?}"
    );
    assert_eq!(app.notes.unread.len(), 1);
}

#[test]
fn a_mention_by_a_hostile_name_is_shown_inert() {
    let mut app = with_colleagues();
    let mut m = mention(5, 3, "Eve\u{1b}]0;pwned\u{7}\u{202e}");
    m.excerpt = "look\u{1b}[2J here".into();
    let fx = app.on_net(ev(Event::Mentioned(m)));
    for e in &fx {
        if let Effect::Alert { title, body, .. } = e {
            for s in [title, body] {
                assert!(
                    !s.chars().any(|c| c.is_control() || c == '\u{202e}'),
                    "{s:?}"
                );
            }
        }
    }
}

#[test]
fn a_refused_note_says_why() {
    let mut app = with_colleagues();
    press(&mut app, "alt-t");
    typed(&mut app, "x");
    let fx = press(&mut app, "enter");
    let Some(Effect::Request { tag, .. }) = fx.first() else {
        panic!()
    };
    app.on_net(NetEvent::Reply {
        tag: tag.clone(),
        result: Err(ReplyError::Api(ApiError::invalid(
            "no such colleague: @zed",
        ))),
    });
    assert!(app.notice.as_ref().unwrap().0.contains("@zed"));
}

/// The note picker over the workbench, and a note already in the transcript.
fn picker_screen() -> App {
    let mut app = with_colleagues();
    press(&mut app, "alt-t");
    typed(&mut app, "请帮忙看一下 @");
    app
}

fn mentions_screen() -> App {
    let mut app = with_colleagues();
    mentioned(&mut app);
    app
}

#[test]
fn mention_picker_snapshots() {
    let app = picker_screen();
    let wide = screen(&render(&app, 120, 40, "dark"));
    assert!(wide.contains("Note — only colleagues see this"), "{wide}");
    assert!(wide.contains("Carol Chen @carol #E-2048"), "{wide}");
    insta::assert_snapshot!("mention_picker_120x40", wide);
    let narrow = screen(&render(&app, 80, 24, "dark"));
    assert!(narrow.contains("@bob"), "{narrow}");
    insta::assert_snapshot!("mention_picker_80x24", narrow);
}

#[test]
fn mentions_section_snapshots() {
    let mut app = mentions_screen();
    let wide = screen(&render(&app, 120, 40, "dark"));
    assert!(wide.contains("Mentions"), "{wide}");
    assert!(wide.contains("@ 李雷"), "the unread marker: {wide}");
    insta::assert_snapshot!("mentions_section_120x40", wide);
    press(&mut app, "alt-j");
    let narrow = screen(&render(&app, 80, 24, "dark"));
    assert!(narrow.contains("[note]"), "{narrow}");
    insta::assert_snapshot!("mentions_section_opened_80x24", narrow);
    let opened = screen(&render(&app, 120, 40, "dark"));
    insta::assert_snapshot!("mentions_section_opened_120x40", opened);
    let before = mentions_screen();
    insta::assert_snapshot!(
        "mentions_section_80x24",
        screen(&render(&before, 80, 24, "dark"))
    );
}

#[test]
fn a_colleagues_note_leaves_the_customer_waiting() {
    let mut app = with_colleagues();
    assert!(app.sessions[&1].view.waiting_since.is_some());
    let mut note = msg(1, 4, AuthorKind::Agent, "Bob Li", "客户很急", NOW);
    note.internal = true;
    note.author_id = Some(8);
    app.on_net(ev(Event::Message { message: note }));
    let s = &app.sessions[&1];
    assert!(s.lines.last().unwrap().internal);
    assert!(
        s.view.waiting_since.is_some(),
        "a note is no answer to the customer"
    );
}

#[test]
fn a_watched_conversation_is_followed_without_message_alerts() {
    let mut app = with_colleagues();
    mentioned(&mut app);
    let fx = app.on_net(ev(Event::Message {
        message: msg(5, 4, AuthorKind::Customer, "李雷", "还在吗", NOW),
    }));
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Alert { .. })),
        "{fx:?}"
    );
    assert_eq!(app.sessions[&5].lines.last().unwrap().body, "还在吗");
}

#[test]
fn a_mention_listed_at_sign_in_still_alerts_when_its_event_follows() {
    let mut app = with_colleagues();
    app.on_net(NetEvent::Reply {
        tag: Tag::Notes(NotesTag::List),
        result: Ok(Reply::MentionsList(MentionsReply {
            mentions: vec![mention(5, 3, "Bob Li")],
        })),
    });
    let alerts = |fx: &[Effect]| {
        fx.iter()
            .filter(|e| {
                matches!(
                    e,
                    Effect::Alert {
                        kind: AlertKind::Mention,
                        ..
                    }
                )
            })
            .count()
    };
    let fx = app.on_net(ev(Event::Mentioned(mention(5, 3, "Bob Li"))));
    assert_eq!(alerts(&fx), 1, "{fx:?}");
    assert_eq!(app.notes.unread_in(5), 1, "listed once");
    let fx = app.on_net(ev(Event::Mentioned(mention(5, 3, "Bob Li"))));
    assert_eq!(alerts(&fx), 0, "a replay alerts no second time");
}
