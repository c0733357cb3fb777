//! The console's `App` on plain state: actions, key sequences in keymap syntax, and drawing
//! (insta snapshots at 120×40 and 80×24 with a fixed clock, plus cell-style checks).

mod console_fixture;

use console_fixture::*;
use kefu::console::app::{App, Effect, Focus, LayoutPrefs, NetEvent, Overlay, Tag};
use kefu::console::i18n::Lang;
use kefu::console::keymap::Keymap;
use kefu::console::reply::{Reply, ReplyError};
use kefu::console::theme::Theme;
use kefu::model::{AuthorKind, EndReason, SessionState};
use kefu::protocol::request::{self as req, Accept};
use kefu::protocol::{AcceptReply, ApiError, Event, Request, TranscriptReply, TransferTarget};

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
                request: Request::Accept(Accept { session_id: 3 }),
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
        result: Ok(Reply::Accept(AcceptReply {
            session: Some(view),
        })),
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
        request: Request::SendMessage(message),
    }) = fx.first()
    else {
        panic!("{fx:?}")
    };
    assert_eq!((*session, message.body.as_str()), (1, "您好"));
    assert_eq!(message.session_id, 1);
    assert_eq!(&message.client_msg_id, client_msg_id);
    let last = app.sessions[&1].lines.last().unwrap().clone();
    assert_eq!(last.delivery, kefu::console::app::Delivery::Sending);
    app.on_net(NetEvent::Reply {
        tag: Tag::Send {
            session: 1,
            client_msg_id: client_msg_id.clone(),
        },
        result: Err(ReplyError::Api(ApiError::conflict("nope"))),
    });
    assert_eq!(
        app.sessions[&1].lines.last().unwrap().delivery,
        kefu::console::app::Delivery::Failed
    );
    let fx = app.update(kefu::console::action::Action::RetryFailed);
    assert!(
        matches!(&fx[..], [Effect::Request { request: Request::SendMessage(m), .. }] if &m.client_msg_id == client_msg_id && m.body == "您好"),
        "the retry is the same message: {fx:?}"
    );
    assert!(app.sessions[&1].draft.is_empty());
}

#[test]
fn joiners_the_agent_types_between_letters_are_sent_and_shown() {
    let mut app = workbench();
    app.focus = Focus::Compose;
    // Persian "I want" (a ZWNJ after می) and a family emoji (ZWJ sequence), key by key.
    let text = "می\u{200c}خواهم 👨\u{200d}👩\u{200d}👧";
    typed(&mut app, text);
    let fx = app.send_draft();
    let Some(Effect::Request {
        request: Request::SendMessage(message),
        ..
    }) = fx.first()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(message.body, text, "sent with its joiners");
    let screen = screen(&render(&app, 120, 40, "dark"));
    assert!(screen.contains("می\u{200c}خواهم"), "{screen}");
    assert!(
        !screen.contains("⟦U+200"),
        "shown as written, not marked:\n{screen}"
    );
}

#[test]
fn slash_at_the_start_opens_quick_replies_with_variables_filled() {
    let mut app = workbench();
    app.quick_replies = vec![kefu::console::app::QuickReply {
        id: 1,
        shortcut: "hi".into(),
        title: "Greeting".into(),
        body: "您好{customer}，我是{agent}".into(),
        ..Default::default()
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
        request: Request::Transfer(t),
        ..
    }) = fx.first()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(t.to, TransferTarget::Group("aftersales".into()));
    assert_eq!(t.note.as_deref(), Some("needs refund"));
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

/// The first cell at or after column `from` of row `y` whose text starts `text`.
fn find(
    term: &ratatui::Terminal<ratatui::backend::TestBackend>,
    y: u16,
    text: &str,
) -> Option<u16> {
    let row = &columns(term, 0, term.backend().buffer().area.width)[usize::from(y)];
    // `columns` collapses wide characters to one entry; map back to cell columns.
    let byte = row.find(text)?;
    let before = &row[..byte];
    Some(unicode_width::UnicodeWidthStr::width(before) as u16)
}

#[test]
fn the_theme_is_applied_to_cells() {
    let app = workbench();
    let term = render(&app, 120, 40, "dark");
    let theme = Theme::builtin("dark").unwrap();
    let buf = term.backend().buffer();
    // Every scope checked here must have its own colours, or the check could not fail.
    let colours = |scope: &str| {
        let s = theme.style(scope);
        (
            s.fg.unwrap_or_else(|| panic!("{scope} has no fg")),
            s.bg.unwrap_or_else(|| theme.style("base").bg.expect("base bg")),
        )
    };
    // The status bar starts with the online pill.
    let x = find(&term, 39, "● Online").expect("status pill");
    assert_eq!((buf[(x, 39)].fg, buf[(x, 39)].bg), colours("status.online"));
    // Alice has waited 200 s: her wait is drawn in the overdue style, on the list background.
    let y = (0..40)
        .find(|y| columns(&term, 0, 30)[*y as usize].contains("waiting 3m"))
        .expect("Alice's wait");
    let x = find(&term, y, "waiting 3m").expect("wait label");
    let overdue = colours("session.waiting.overdue");
    assert_eq!((buf[(x, y)].fg, buf[(x, y)].bg), overdue);
    // Xiaoming's 30 s wait is not overdue, and is drawn differently.
    let y = (0..40)
        .find(|y| columns(&term, 0, 30)[*y as usize].contains("waiting 30s"))
        .expect("Xiaoming's wait");
    let x = find(&term, y, "waiting 30s").expect("wait label");
    assert_eq!(
        (buf[(x, y)].fg, buf[(x, y)].bg),
        (
            theme.style("session.waiting").fg.expect("fg"),
            theme.style("session.selected").bg.expect("selection bg")
        ),
        "the selected row keeps the selection background under its markers"
    );
    // The customer's words in the chat pane, on the base background.
    let y = (0..40)
        .find(|y| {
            screen(&term)
                .lines()
                .nth(*y as usize)
                .is_some_and(|l| l.contains("好的，谢谢"))
        })
        .expect("customer message");
    let x = find(&term, y, "好的").expect("message text");
    assert_eq!((buf[(x, y)].fg, buf[(x, y)].bg), colours("chat.customer"));
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
    // Not merely dropped (ratatui drops control characters by itself): shown, as the README
    // promises, so the agent sees what was sent.
    let screen = screen(&term);
    assert!(
        screen.contains("hi␛[2J␛]0;pwned␇␛]52;c;ZXZpbA==␇⟦U+202E⟧gnp.exe␍!"),
        "{screen}"
    );
    assert!(screen.contains("小明␛[31m"), "{screen}");
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
                request: Request::Transcript(req::Transcript { session_id: 0, .. }),
            }]
        ),
        "{fx:?}"
    );
    let mut past = session(0, customer(11, "小明", false, &[]), SessionState::Ended);
    past.tags = vec!["物流问题-已解决".into()];
    app.on_net(NetEvent::Reply {
        tag: Tag::PastTranscript(0),
        result: Ok(Reply::Transcript(TranscriptReply {
            session: past,
            messages: vec![msg(
                0,
                1,
                AuthorKind::Customer,
                "小明",
                "上次的问题",
                NOW - 86_400_000,
            )],
        })),
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
    let feed = |app: &mut App, keys: &str| press_with(app, &km, keys);
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
    // Phrase → tags → outcome; down moves the outcome's marker.
    app.update(Action::NextField);
    app.update(Action::NextField);
    app.update(Action::SelectNext);
    let fx = app.update(Action::Confirm);
    let Some(Effect::Request {
        request: Request::End(end),
        ..
    }) = fx.first()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(
        end.outcome,
        Some(EndReason::Unresolved),
        "the outcome toggled"
    );
    // The End dialog waits for the server's answer (it may refuse, e.g. a required tag).
    assert!(matches!(&app.overlay, Some(Overlay::End(d)) if d.sending));
    app.update(Action::Cancel);
    assert!(app.overlay.is_none());

    app.update(Action::Help);
    app.update(Action::PageDown);
    app.update(Action::ScrollUp);
    assert!(matches!(&app.overlay, Some(Overlay::Help(h)) if h.scroll == 8));
    app.update(Action::Cancel);
    assert!(app.overlay.is_none());

    // Tags already used with this customer are offered; confirming picks the highlighted one.
    app.update(Action::Tag);
    let fx = app.update(Action::Confirm);
    let Some(Effect::Request {
        request: Request::Tag(tag),
        ..
    }) = fx.first()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(tag.add, ["物流问题-已解决"]);
    assert!(app.overlay.is_none());

    app.update(Action::Quit);
    assert_eq!(app.update(Action::Confirm), vec![Effect::Quit]);
    assert!(app.should_quit);
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
