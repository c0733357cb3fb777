//! The console's follow-up and transfer dialogs on plain state (issue 10, S11/S12): `f6` / `f`
//! open the follow-up dialog on an unmarked conversation and unmark a marked one; the choices
//! and typed times become `remind_at` in the agent's zone; a fired reminder alerts and shows
//! on the Follow-up section; the transfer dialog keeps the note and shows the reason when
//! refused, and "queue anyway" resends with `queue: true`. Snapshots at 120×40 and 80×24.

mod console_fixture;

use console_fixture::*;
use kefu::console::action::Action;
use kefu::console::app::{AlertKind, App, Effect, NetEvent, Overlay, Tag, TransferChoice};
use kefu::console::reply::{Reply, ReplyError};
use kefu::model::{AgentStatus, AuthorKind, Role, SessionState};
use kefu::protocol::{
    AgentInfo, ApiError, DirectoryReply, ErrorCode, Event, FollowUpReply, Request, SessionRef,
    TransferTarget,
};

/// The workbench in UTC (the fixture's clock is 2026-11-23 10:00 UTC), session 1 selected.
fn app() -> App {
    let mut app = workbench();
    app.followup.tz = jiff::tz::TimeZone::UTC;
    app.select(1);
    app
}

fn follow_up_request(fx: &[Effect]) -> kefu::protocol::request::FollowUp {
    match fx {
        [
            Effect::Request {
                tag: Tag::FollowUp(_),
                request: Request::FollowUp(f),
            },
        ] => f.clone(),
        other => panic!("expected one follow-up request: {other:?}"),
    }
}

fn marked(app: &mut App, id: i64, at: Option<i64>) {
    app.on_net(NetEvent::Reply {
        tag: Tag::FollowUp(id),
        result: Ok(Reply::FollowUp(FollowUpReply {
            follow_up: true,
            follow_up_at: at,
        })),
    });
}

#[test]
fn f6_opens_the_dialog_and_the_choices_become_reminder_times() {
    let mut app = app();
    assert!(press(&mut app, "f6").is_empty());
    assert!(matches!(app.overlay, Some(Overlay::FollowUp(_))));
    // "no reminder" is the first choice: a bare mark.
    let f = follow_up_request(&app.update(Action::Confirm));
    assert_eq!((f.session_id, f.pending, f.remind_at), (1, true, None));
    assert!(app.overlay.is_none());

    for (downs, want) in [
        (1, NOW + 30 * 60_000),
        (2, NOW + 60 * 60_000),
        // Tomorrow 09:00 UTC.
        (3, NOW + 23 * 3_600_000),
    ] {
        let mut app = self::app();
        press(&mut app, "f6");
        for _ in 0..downs {
            app.update(Action::SelectNext);
        }
        let f = follow_up_request(&app.update(Action::Confirm));
        assert_eq!(f.remind_at, Some(want), "{downs}");
    }
}

#[test]
fn a_typed_time_is_read_in_the_agents_zone_and_a_bad_one_is_explained() {
    let mut app = app();
    press(&mut app, "f6");
    typed(&mut app, "soon");
    assert!(app.update(Action::Confirm).is_empty(), "nothing sent");
    let Some(Overlay::FollowUp(d)) = &app.overlay else {
        panic!("the dialog stays open")
    };
    assert!(d.error.as_deref().unwrap().contains("15:30"), "{d:?}");
    app.update(Action::ClearLine);
    typed(&mut app, "15:30");
    let f = follow_up_request(&app.update(Action::Confirm));
    assert_eq!(f.remind_at, Some(NOW + 5 * 3_600_000 + 30 * 60_000));
    // In Shanghai (UTC+8) 15:30 has passed: tomorrow's.
    let mut app = self::app();
    app.followup.tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    press(&mut app, "f6");
    typed(&mut app, "15:30");
    let f = follow_up_request(&app.update(Action::Confirm));
    assert_eq!(f.remind_at, Some(NOW + 21 * 3_600_000 + 30 * 60_000));
    let mut app = self::app();
    press(&mut app, "f6");
    typed(&mut app, "+45m");
    let f = follow_up_request(&app.update(Action::Confirm));
    assert_eq!(f.remind_at, Some(NOW + 45 * 60_000));
}

#[test]
fn f_in_the_list_unmarks_a_marked_conversation() {
    let mut app = app();
    marked(&mut app, 1, Some(NOW + 60_000));
    app.focus = kefu::console::app::Focus::Sessions;
    let f = follow_up_request(&press(&mut app, "f"));
    assert_eq!((f.session_id, f.pending, f.remind_at), (1, false, None));
    assert!(app.overlay.is_none(), "no dialog to unmark");
}

#[test]
fn a_fired_reminder_and_the_customer_writing_alert_the_agent() {
    let mut app = app();
    marked(&mut app, 1, Some(NOW + 60_000));
    marked(&mut app, 2, None);
    // The section lists the one with the reminder before the one without.
    let order = app.order();
    let pos = |id| order.iter().position(|s| *s == id).unwrap();
    assert!(pos(1) < pos(2), "{order:?}");
    let fx = app.on_net(ev(Event::FollowUpDue { session_id: 2 }));
    assert!(
        matches!(&fx[..], [Effect::Alert { kind: AlertKind::FollowUp, body, .. }] if body == "Alice VIP"),
        "{fx:?}"
    );
    // Due first now.
    let order = app.order();
    assert!(
        order.iter().position(|s| *s == 2) < order.iter().position(|s| *s == 1),
        "{order:?}"
    );
    let fx = app.on_net(ev(Event::Message {
        message: msg(1, 9, AuthorKind::Customer, "小明", "订单号是 A123", NOW),
    }));
    assert!(
        fx.iter().any(|e| matches!(
            e,
            Effect::Alert {
                kind: AlertKind::FollowUp,
                ..
            }
        )),
        "{fx:?}"
    );
}

fn colleague(id: i64, username: &str, status: AgentStatus, connected: bool) -> AgentInfo {
    AgentInfo {
        id,
        username: username.into(),
        display_name: format!("Agent {username}"),
        role: Role::Agent,
        status,
        connected,
        active: 1,
        capacity: 5,
        groups: vec!["aftersales".into()],
        initials: None,
        color: None,
        employee_no: None,
    }
}

fn transfer_dialog() -> App {
    let mut app = app();
    app.update(Action::Transfer);
    app.on_net(NetEvent::Reply {
        tag: Tag::Directory,
        result: Ok(Reply::Directory(DirectoryReply {
            agents: vec![
                colleague(8, "bob", AgentStatus::Offline, false),
                colleague(9, "carol", AgentStatus::Online, true),
                colleague(10, "dave", AgentStatus::Away, true),
            ],
            groups: app.queues.clone(),
            menus: vec![],
        })),
    });
    app
}

#[test]
fn offline_agents_are_listed_last_and_marked() {
    let app = transfer_dialog();
    let Some(Overlay::Transfer { items, .. }) = &app.overlay else {
        panic!()
    };
    let agents: Vec<(&str, bool)> = items
        .iter()
        .filter_map(|i| match i {
            TransferChoice::Agent {
                username,
                available,
                ..
            } => Some((username.as_str(), *available)),
            _ => None,
        })
        .collect();
    assert_eq!(
        agents,
        vec![("carol", true), ("dave", true), ("bob", false)]
    );
    // Agents who cannot take it now come after the groups: the first rows are real choices.
    assert!(matches!(
        items.last(),
        Some(TransferChoice::Agent {
            available: false,
            ..
        })
    ));
    let first_group = items
        .iter()
        .position(|i| matches!(i, TransferChoice::Group { .. }))
        .expect("the groups are listed");
    assert_eq!(first_group, 2, "{items:?}");
}

#[test]
fn a_refused_transfer_keeps_the_dialog_and_the_note_and_can_be_queued_anyway() {
    let mut app = transfer_dialog();
    typed(&mut app, "bob");
    app.update(Action::NextField);
    typed(&mut app, "refund, order A123");
    let fx = app.update(Action::Confirm);
    let [
        Effect::Request {
            request: Request::Transfer(t),
            ..
        },
    ] = &fx[..]
    else {
        panic!("{fx:?}")
    };
    assert_eq!(t.to, TransferTarget::Agent("bob".into()));
    assert!(!t.queue);
    assert!(app.update(Action::Confirm).is_empty(), "sending: not twice");
    let reason =
        "Agent bob (bob) is offline; queue it anyway to let it wait in their group's queue";
    app.on_net(NetEvent::Reply {
        tag: Tag::Transfer(1),
        result: Err(ReplyError::Api(ApiError::new(
            ErrorCode::Unavailable,
            reason,
        ))),
    });
    let Some(Overlay::Transfer { note, status, .. }) = &app.overlay else {
        panic!("the dialog stays open")
    };
    assert_eq!(note, "refund, order A123");
    assert_eq!(status.refused.as_deref(), Some(reason));
    assert!(status.queue_offered);
    let screen80 = screen(&render(&app, 80, 24, "dark"));
    assert!(
        screen80.contains("Refused: Agent bob (bob) is offline"),
        "{screen80}"
    );
    assert!(screen80.contains("queue anyway"), "{screen80}");
    insta::assert_snapshot!("transfer_refused_80x24", screen80);
    // "Queue anyway": the same target and note, with `queue`.
    let fx = app.update(Action::Confirm);
    let [
        Effect::Request {
            request: Request::Transfer(t),
            ..
        },
    ] = &fx[..]
    else {
        panic!("{fx:?}")
    };
    assert!(t.queue);
    assert_eq!(t.note.as_deref(), Some("refund, order A123"));
    app.on_net(NetEvent::Reply {
        tag: Tag::Transfer(1),
        result: Ok(Reply::Transfer(SessionRef { session_id: 1 })),
    });
    assert!(app.overlay.is_none());
    assert!(!app.sessions.contains_key(&1));
}

#[test]
fn another_error_is_shown_without_queue_anyway() {
    let mut app = transfer_dialog();
    typed(&mut app, "carol");
    app.update(Action::Confirm);
    app.on_net(NetEvent::Reply {
        tag: Tag::Transfer(1),
        result: Err(ReplyError::Api(ApiError::new(
            ErrorCode::Conflict,
            "Agent carol (carol) already serves this conversation",
        ))),
    });
    let Some(Overlay::Transfer { status, .. }) = &app.overlay else {
        panic!()
    };
    assert!(!status.queue_offered && status.refused.is_some());
    let fx = app.update(Action::Confirm);
    assert!(
        matches!(&fx[..], [Effect::Request { request: Request::Transfer(t), .. }] if !t.queue),
        "{fx:?}"
    );
}

/// Three follow-up conversations: one due, one with a reminder today, one without.
fn follow_up_section() -> App {
    let mut app = app();
    let mut s4 = session(4, customer(14, "王女士", false, &[]), SessionState::Active);
    s4.follow_up = true;
    s4.follow_up_at = Some(NOW + 90 * 60_000);
    app.on_net(ev(Event::Session { session: s4 }));
    marked(&mut app, 1, None);
    marked(&mut app, 2, None);
    app.on_net(ev(Event::FollowUpDue { session_id: 2 }));
    app
}

#[test]
fn follow_up_section_snapshots() {
    let app = follow_up_section();
    let big = screen(&render(&app, 120, 40, "dark"));
    assert!(
        big.contains("★⏰ Alice VIP") && big.contains("⏰ 11:30"),
        "{big}"
    );
    insta::assert_snapshot!("follow_up_section_120x40", big);
    insta::assert_snapshot!(
        "follow_up_section_80x24",
        screen(&render(&app, 80, 24, "dark"))
    );
}

#[test]
fn follow_up_dialog_snapshots() {
    let mut app = app();
    press(&mut app, "f6");
    app.update(Action::SelectNext);
    insta::assert_snapshot!(
        "follow_up_dialog_120x40",
        screen(&render(&app, 120, 40, "dark"))
    );
    typed(&mut app, "yesterday");
    app.update(Action::Confirm);
    let small = screen(&render(&app, 80, 24, "dark"));
    assert!(small.contains("Type a time like"), "{small}");
    insta::assert_snapshot!("follow_up_dialog_error_80x24", small);
}

#[test]
fn a_console_that_was_away_drops_a_conversation_transferred_meanwhile() {
    // By the replayed event…
    let mut app = app();
    app.on_net(NetEvent::Disconnected {
        retry_at: NOW + 1_000,
        reason: "connection lost".into(),
    });
    app.on_net(NetEvent::Connected {
        agent: me(),
        must_change_password: false,
        resumed: true,
    });
    app.on_net(ev(Event::SessionRemoved {
        session_id: 1,
        reason: kefu::protocol::RemovedReason::Transferred,
    }));
    assert!(!app.sessions.contains_key(&1));
    assert_ne!(app.selected, Some(1));
    // …or by a snapshot that no longer lists it (a reload).
    let mut app = self::app();
    let keep = app.sessions[&2].view.clone();
    app.on_net(NetEvent::Reply {
        tag: Tag::Snapshot,
        result: Ok(Reply::Snapshot(kefu::protocol::SnapshotReply {
            agent: Some(me()),
            sessions: vec![keep],
            offers: vec![],
            queued: vec![],
            queues: vec![],
            cursor: 20,
        })),
    });
    assert!(!app.sessions.contains_key(&1));
    assert!(app.sessions.contains_key(&2));
}

#[test]
fn typing_the_note_keeps_the_target_and_a_new_search_forgets_the_refusal() {
    let mut app = transfer_dialog();
    app.update(Action::SelectNext); // dave
    app.update(Action::NextField);
    typed(&mut app, "note");
    let fx = app.update(Action::Confirm);
    assert!(
        matches!(&fx[..], [Effect::Request { request: Request::Transfer(t), .. }]
            if t.to == TransferTarget::Agent("dave".into())),
        "{fx:?}"
    );
    app.on_net(NetEvent::Reply {
        tag: Tag::Transfer(1),
        result: Err(ReplyError::Api(ApiError::new(
            ErrorCode::Unavailable,
            "Agent dave (dave) is at their limit of conversations",
        ))),
    });
    // Typing more note keeps "queue anyway"; searching again drops it.
    typed(&mut app, " more");
    let Some(Overlay::Transfer { status, .. }) = &app.overlay else {
        panic!()
    };
    assert!(status.queue_offered);
    app.update(Action::NextField);
    typed(&mut app, "carol");
    let Some(Overlay::Transfer { status, note, .. }) = &app.overlay else {
        panic!()
    };
    assert!(!status.queue_offered && status.refused.is_none());
    assert_eq!(note, "note more");
    let fx = app.update(Action::Confirm);
    assert!(
        matches!(&fx[..], [Effect::Request { request: Request::Transfer(t), .. }]
            if t.to == TransferTarget::Agent("carol".into()) && !t.queue),
        "{fx:?}"
    );
}

#[test]
fn the_profile_shows_the_reminder_even_while_the_customer_waits() {
    let mut app = follow_up_section();
    let mut s4 = app.sessions[&4].view.clone();
    s4.waiting_since = Some(NOW - 30_000);
    app.on_net(ev(Event::Session { session: s4 }));
    app.select(4);
    let big = screen(&render(&app, 120, 40, "dark"));
    // The list's second line shows the wait; the reminder is in the profile.
    assert!(big.contains("Follow up: ⏰ 11:30"), "{big}");
}
