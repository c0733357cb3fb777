//! The console's flow on plain `App` state, drawn with ratatui's test backend: the quit
//! dialog's unsent messages, the banner that explains an automatic status change, sign-in
//! dialogs, errors shown whole, read-only past sessions; and the binary refusing to start
//! without a terminal.

#[path = "support/app_fixture.rs"]
mod app_fixture;

use app_fixture::*;
use kefu::console::action::Action;
use kefu::console::app::{
    App, ConnState, Effect, Focus, LayoutPrefs, NetEvent, Overlay, StatusNudge, Tag,
};
use kefu::console::i18n::Lang;
use kefu::console::outbox::PendingSend;
use kefu::console::reply::{Reply, ReplyError};
use kefu::console::theme::Theme;
use kefu::model::{AgentStatus, EndReason, SessionState};
use kefu::protocol::request::{SendMessage, SetStatus};
use kefu::protocol::{
    AgentInfo, ApiError, Event, MessageAck, ProfileReply, Request, StatusReason, StatusReply,
    TokenReply, TranscriptReply, WithdrawnReason,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

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
        message: SendMessage {
            session_id: 99,
            client_msg_id: "c7-1-1".into(),
            body: "left from last time".into(),
        },
        queued_at: NOW,
    }]));
    // Session 1 ends; nothing active, one restored message still unacknowledged.
    app.on_net(ev(Event::SessionRemoved {
        session_id: 1,
        reason: kefu::protocol::RemovedReason::Ended,
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
    // The customer is waiting for an answer, which this is.
    app.sessions.get_mut(&99).unwrap().view.waiting_since = Some(NOW - 1_000);
    app.on_net(NetEvent::Reply {
        tag: Tag::Send {
            session: 99,
            client_msg_id: "c7-1-1".into(),
        },
        result: Ok(Reply::SendMessage(MessageAck {
            session_id: 99,
            seq: 4,
            created_at: NOW,
            cursor: Some(12),
        })),
    });
    assert_eq!(app.unsent_count(), 0);
    // The ack is all the server sends this connection for its own message.
    let s = &app.sessions[&99];
    assert_eq!(s.view.last_seq, 4);
    assert!(s.view.waiting_since.is_none());
    assert!(
        s.lines
            .iter()
            .any(|l| l.body == "left from last time" && l.seq == Some(4))
    );
}

#[test]
fn an_automatic_away_shows_why_and_the_key_to_go_online() {
    let (mut app, _) = with_session(0);
    app.on_net(ev(Event::Status {
        status: AgentStatus::Away,
        reason: Some(StatusReason::MissedOffers),
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
            request: Request::SetStatus(SetStatus {
                status: AgentStatus::Online
            }),
            ..
        }
    )));
    app.on_net(ev(Event::Status {
        status: AgentStatus::Online,
        reason: None,
    }));
    app.on_net(NetEvent::Reply {
        tag: Tag::Status(AgentStatus::Online),
        result: Ok(Reply::SetStatus(StatusReply {
            status: AgentStatus::Online,
        })),
    });
    assert_eq!(app.nudge, None);
    assert!(!render(&app, 120, 30).contains("go online"));

    // Set offline by the server after a disconnect, or by signing out elsewhere: each says so.
    for (reason, nudge, words) in [
        (
            StatusReason::Disconnected,
            StatusNudge::Disconnected(AgentStatus::Offline),
            "while disconnected",
        ),
        (
            StatusReason::LoggedOut,
            StatusNudge::LoggedOut(AgentStatus::Offline),
            "signed out elsewhere",
        ),
    ] {
        app.status = AgentStatus::Online;
        app.nudge = None;
        app.on_net(ev(Event::Status {
            status: AgentStatus::Offline,
            reason: Some(reason),
        }));
        assert_eq!(app.nudge, Some(nudge));
        let banner = render(&app, 120, 30).lines().next().unwrap().to_string();
        assert!(
            banner.contains(words) && banner.contains("alt-o"),
            "{banner}"
        );
    }
    // The reason is what counts, even when the status did not change (a replay after a
    // reconnect may bring it after the sign-in already said offline).
    app.nudge = None;
    app.on_net(ev(Event::Status {
        status: AgentStatus::Offline,
        reason: Some(StatusReason::Disconnected),
    }));
    assert_eq!(
        app.nudge,
        Some(StatusNudge::Disconnected(AgentStatus::Offline))
    );
}

#[test]
fn a_status_change_without_a_reason_is_changed_elsewhere_even_after_a_missed_offer() {
    let (mut app, _) = with_session(0);
    // An offer of ours timed out just now…
    app.on_net(ev(Event::Offer {
        session: session(5, 0, SessionState::Offered),
        expires_at: NOW + 1_000,
        transfer_note: None,
        transferred_by: None,
    }));
    app.now = NOW + 1_000;
    app.on_net(ev(Event::OfferWithdrawn {
        session_id: 5,
        reason: WithdrawnReason::Timeout,
    }));
    // …but the status change that follows has no reason: another sign-in of ours did it.
    app.on_net(ev(Event::Status {
        status: AgentStatus::Away,
        reason: None,
    }));
    assert_eq!(
        app.nudge,
        Some(StatusNudge::ChangedElsewhere(AgentStatus::Away))
    );
    let banner = render(&app, 120, 30).lines().next().unwrap().to_string();
    assert!(banner.contains("another sign-in"), "{banner}");
    // Asking for away ourselves is not explained back to us.
    app.nudge = None;
    app.status = AgentStatus::Busy;
    press(&mut app, "f7");
    app.on_net(ev(Event::Status {
        status: AgentStatus::Away,
        reason: None,
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
            employee_no: None,
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
        err.contains("10 characters") && err.contains("most common") && err.contains("username"),
        "{err}"
    );
    // The server's refusal says the same, in the console's language.
    app.lang = Lang::Zh;
    app.on_net(NetEvent::Reply {
        tag: Tag::ChangePassword,
        result: Err(ReplyError::Api(ApiError::invalid(
            "the password needs at least 10 characters",
        ))),
    });
    let err = app.login.as_ref().unwrap().error.clone().unwrap();
    assert!(err.contains("10 个字符"), "{err}");
    app.lang = Lang::En;
    app.on_net(NetEvent::Reply {
        tag: Tag::ChangePassword,
        result: Ok(Reply::ChangePassword(TokenReply {
            token: "t".into(),
            cursor: 1,
        })),
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
    let mut earlier = session(0, 320, SessionState::Ended);
    earlier.created_at = 1_700_000_000_000;
    earlier.end_reason = Some(EndReason::Resolved);
    app.on_net(NetEvent::Reply {
        tag: Tag::Profile(1),
        result: Ok(Reply::Profile(ProfileReply {
            customer: session(1, 0, SessionState::Active).customer,
            sessions: vec![earlier],
        })),
    });
    app.focus = Focus::Profile;
    let fx = app.update(Action::Open);
    let reqs = transcript_requests(&fx);
    assert_eq!(reqs[0].0, Tag::PastTranscript(0));
    assert_eq!(reqs[0].1.after_seq, Some(220), "its newest page first");
    let mut past = session(0, 320, SessionState::Ended);
    past.created_at = 1_700_000_000_000;
    app.on_net(NetEvent::Reply {
        tag: Tag::PastTranscript(0),
        result: Ok(Reply::Transcript(TranscriptReply {
            session: past,
            messages: vec![msg(0, 320, "long ago")],
        })),
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
        result: Err(ReplyError::Api(ApiError::forbidden(long))),
    });
    let screen = render(&app, 80, 24);
    assert!(
        screen.contains("end of message"),
        "wrapped, not cut:\n{screen}"
    );
}
