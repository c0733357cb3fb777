//! The console's Dashboard (alt-w): only for supervisors; it subscribes when it opens and
//! unsubscribes when it closes, again after a reconnect; frames replace what it shows; its
//! keys act on the selected agent or conversation (status picker, take over, reassign, watch
//! read-only, whisper). Snapshots at 120×40 and 80×24 in zh and en, with CJK names and a
//! hostile nickname shown inert; waits and times in status tick on the console's clock.

mod console_fixture;

use console_fixture::*;
use kefu::console::app::dashboard_state::DashTag;
use kefu::console::app::{App, Effect, Focus, NetEvent, Overlay, Tag};
use kefu::console::i18n::Lang;
use kefu::console::reply::Reply;
use kefu::model::{AgentStatus, Role, SessionState};
use kefu::protocol::{
    DashAgent, DashQueue, DashSession, DashboardView, Request, ServerFrame, TranscriptReply,
};

const HOSTILE: &str = "\u{1b}]0;pwned\u{7}\u{1b}[31m坏人\u{202e}gnp.exe\u{1b}[2J";

fn view() -> DashboardView {
    let agent =
        |id: i64, user: &str, name: &str, status, active, sessions: Vec<DashSession>| DashAgent {
            id,
            username: user.into(),
            display_name: name.into(),
            status,
            status_since: NOW - 754_000,
            connected: true,
            active,
            capacity: 5,
            missed_offers: if id == 21 { 2 } else { 0 },
            groups: vec!["售前".into()],
            sessions,
        };
    let conv = |id: i64, customer: &str, waiting: bool| DashSession {
        session_id: id,
        customer: customer.into(),
        since: NOW - 300_000,
        waiting_since: waiting.then_some(NOW - 95_000),
    };
    DashboardView {
        at: NOW,
        service_level_secs: 20,
        service_level: Some(0.8571),
        queues: vec![
            DashQueue {
                group: "售前".into(),
                waiting: 3,
                oldest_since: Some(NOW - 125_000),
                arrivals_last_hour: 27,
                arrivals_5min: vec![0, 1, 2, 3, 2, 1, 4, 5, 3, 2, 2, 2],
                agents_online: 2,
                service_level: Some(0.9),
            },
            DashQueue {
                group: "aftersales".into(),
                waiting: 0,
                oldest_since: None,
                arrivals_last_hour: 4,
                arrivals_5min: vec![0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1],
                agents_online: 1,
                service_level: None,
            },
        ],
        agents: vec![
            agent(
                20,
                "lina",
                "李娜",
                AgentStatus::Online,
                2,
                vec![conv(101, "王小明", true), conv(102, HOSTILE, false)],
            ),
            agent(21, "bob", "Bob Li", AgentStatus::Away, 0, vec![]),
            agent(
                22,
                "evil",
                HOSTILE,
                AgentStatus::Busy,
                6,
                vec![conv(103, "张三", false)],
            ),
        ],
    }
}

fn supervisor(lang: Lang) -> App {
    let mut app = workbench();
    app.lang = lang;
    if let Some(me) = app.me.as_mut() {
        me.role = Role::Supervisor;
    }
    app
}

fn frame(v: DashboardView) -> NetEvent {
    NetEvent::Frame(ServerFrame::Dashboard(Box::new(v)))
}

/// The dashboard open with the fixture's view.
fn open(lang: Lang) -> App {
    let mut app = supervisor(lang);
    press(&mut app, "alt-w");
    app.on_net(frame(view()));
    app
}

fn requests(fx: &[Effect]) -> Vec<(Tag, Request)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Request { tag, request } => Some((tag.clone(), request.clone())),
            _ => None,
        })
        .collect()
}

fn watch_request(fx: &[Effect]) -> Option<bool> {
    requests(fx).into_iter().find_map(|(_, r)| match r {
        Request::DashboardWatch(w) if w.session_id.is_none() => Some(w.on),
        _ => None,
    })
}

fn shown(app: &App) -> Option<DashboardView> {
    match &app.overlay {
        Some(Overlay::Dashboard(d)) => d.view.clone(),
        _ => None,
    }
}

#[test]
fn only_supervisors_open_it_and_it_subscribes_while_open() {
    let mut agent = workbench();
    let fx = press(&mut agent, "alt-w");
    assert!(agent.overlay.is_none());
    assert!(fx.is_empty(), "{fx:?}");
    assert!(
        agent
            .notice
            .as_ref()
            .is_some_and(|(n, _)| n.contains("supervisors")),
        "{:?}",
        agent.notice
    );

    let mut app = supervisor(Lang::En);
    let fx = press(&mut app, "alt-w");
    assert_eq!(watch_request(&fx), Some(true));
    assert!(matches!(app.overlay, Some(Overlay::Dashboard(_))));
    // The reply and later frames replace what is shown.
    app.on_net(frame(view()));
    assert_eq!(shown(&app), Some(view()));
    let mut v2 = view();
    v2.queues[0].waiting = 4;
    app.on_net(frame(v2.clone()));
    assert_eq!(shown(&app), Some(v2));
    // A reconnect subscribes again (the new connection is not watching).
    let fx = app.on_net(NetEvent::Connected {
        agent: {
            let mut m = me();
            m.role = Role::Supervisor;
            m
        },
        must_change_password: false,
        resumed: true,
    });
    assert_eq!(watch_request(&fx), Some(true));
    // Closing unsubscribes; a late frame is ignored; no re-subscription after a reconnect.
    let fx = press(&mut app, "esc");
    assert_eq!(watch_request(&fx), Some(false));
    assert!(app.overlay.is_none());
    app.on_net(frame(view()));
    assert!(app.overlay.is_none());
    let fx = app.on_net(NetEvent::Connected {
        agent: {
            let mut m = me();
            m.role = Role::Supervisor;
            m
        },
        must_change_password: false,
        resumed: true,
    });
    assert_eq!(watch_request(&fx), None);
    // alt-w toggles it closed too.
    press(&mut app, "alt-w");
    let fx = press(&mut app, "alt-w");
    assert_eq!(watch_request(&fx), Some(false));
}

#[test]
fn status_picker_and_take_over_act_on_the_selection() {
    let mut app = open(Lang::En);
    // Bob (second row): the picker starts at his status (away); up is busy.
    press(&mut app, "down s up");
    let fx = press(&mut app, "enter");
    let reqs = requests(&fx);
    assert_eq!(reqs.len(), 1, "{reqs:?}");
    match &reqs[0].1 {
        Request::AgentSetStatus(q) => {
            assert_eq!(q.agent_id, 21);
            assert_eq!(q.status, AgentStatus::Busy);
        }
        other => panic!("{other:?}"),
    }
    // Bob serves nothing: take over says so and sends nothing.
    let fx = press(&mut app, "t");
    assert!(requests(&fx).is_empty());
    // Back to 李娜, her second conversation, take it over.
    press(&mut app, "up tab");
    let fx = press(&mut app, "t");
    match &requests(&fx)[..] {
        [(Tag::Dash(DashTag::TakeOver(102)), Request::TakeOver(q))] => {
            assert_eq!(q.session_id, 102)
        }
        other => panic!("{other:?}"),
    }
    // Esc closes the picker first, then the dashboard.
    press(&mut app, "s esc");
    assert!(matches!(&app.overlay, Some(Overlay::Dashboard(d)) if d.picker.is_none()));
}

#[test]
fn reassign_opens_the_transfer_dialog_for_that_conversation() {
    let mut app = open(Lang::En);
    let fx = press(&mut app, "r");
    assert_eq!(watch_request(&fx), Some(false));
    match &app.overlay {
        Some(Overlay::Transfer { session, .. }) => assert_eq!(*session, 101),
        other => panic!("{other:?}"),
    }
}

#[test]
fn watch_opens_read_only_and_whisper_writes_a_note() {
    for whisper in [false, true] {
        let mut app = open(Lang::En);
        let fx = press(&mut app, if whisper { "n" } else { "w" });
        let reqs = requests(&fx);
        assert!(
            reqs.iter().any(|(_, r)| matches!(r, Request::DashboardWatch(w) if w.session_id == Some(101) && w.on)),
            "{reqs:?}"
        );
        let (tag, _) = reqs
            .iter()
            .find(|(_, r)| matches!(r, Request::Transcript(t) if t.session_id == 101))
            .expect("a transcript request")
            .clone();
        let mut s = session(
            101,
            customer(31, "王小明", false, &[]),
            SessionState::Active,
        );
        s.assignee = Some(20);
        let m = msg(
            101,
            1,
            kefu::model::AuthorKind::Customer,
            "王小明",
            "在吗",
            NOW - 10_000,
        );
        app.on_net(NetEvent::Reply {
            tag,
            result: Ok(Reply::Transcript(TranscriptReply {
                session: s,
                messages: vec![m],
            })),
        });
        assert_eq!(app.selected, Some(101));
        let entry = app.sessions.get(&101).expect("opened");
        assert!(entry.read_only);
        assert_eq!(entry.lines.len(), 1);
        assert!(app.notes.in_note_mode(101));
        let want = if whisper { Focus::Compose } else { Focus::Chat };
        assert_eq!(app.focus, want);
        assert!(app.overlay.is_none());
    }
}

#[test]
fn waits_and_times_in_status_tick_on_the_console_clock() {
    let mut app = open(Lang::En);
    let before = screen(&render(&app, 120, 40, "dark"));
    assert!(before.contains("2:05"), "{before}");
    assert!(before.contains("12:34"), "{before}");
    app.now += 60_000;
    let after = screen(&render(&app, 120, 40, "dark"));
    assert!(after.contains("3:05"), "{after}");
    assert!(after.contains("13:34"), "{after}");
}

#[test]
fn hostile_names_are_inert() {
    for (w, h) in [(120, 40), (80, 24)] {
        let app = open(Lang::Zh);
        let term = render(&app, w, h, "dark");
        let buf = term.backend().buffer();
        for cell in buf.content() {
            for c in cell.symbol().chars() {
                assert!(
                    !c.is_control() && !('\u{202a}'..='\u{202e}').contains(&c),
                    "{c:?} drawn at {w}x{h}"
                );
            }
        }
        // Shown, as visible control pictures: the agent's name (the busy one) and the
        // customer's nickname (李娜's second conversation).
        let s = screen(&term);
        let row = |word: &str| s.lines().find(|l| l.contains(word)).unwrap_or_default();
        assert!(row("忙碌").contains("␛]0;pwned␇"), "{s}");
        assert!(row("李娜").contains("␛]0;pwned␇"), "{s}");
    }
}

#[test]
fn dashboard_snapshots() {
    for (lang, name) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        let mut app = open(lang);
        press(&mut app, "tab");
        insta::assert_snapshot!(
            format!("dashboard_{name}_120x40"),
            screen(&render(&app, 120, 40, "dark"))
        );
        insta::assert_snapshot!(
            format!("dashboard_{name}_80x24"),
            screen(&render(&app, 80, 24, "dark"))
        );
    }
    let mut app = open(Lang::Zh);
    press(&mut app, "down s");
    insta::assert_snapshot!(
        "dashboard_zh_status_picker_80x24",
        screen(&render(&app, 80, 24, "dark"))
    );
    let mut loading = supervisor(Lang::En);
    press(&mut loading, "alt-w");
    insta::assert_snapshot!(
        "dashboard_en_loading_80x24",
        screen(&render(&loading, 80, 24, "dark"))
    );
}
