//! The console's Reports screen against the real in-process server: a scripted conversation
//! (a customer writes, alice accepts and answers, the customer answers back, alice ends it as
//! resolved, the customer rates 5 stars), then the console's App — over the real network
//! task — opens the Reports screen (alt-l) and shows alice's own day; a supervisor switches to
//! the team report by agent and sees alice's row; and a plain agent's team request is refused
//! by the server (`forbidden`) and shown on the screen.

mod common;
use common::*;
use kefu::console::action::Action;
use kefu::console::app::{App, ReportLoad};
use kefu::console::net::NetCmd;
use kefu::model::Role;
use kefu::protocol::{ErrorCode, Event, ReportScope};
use serde_json::json;

#[path = "support/net_console.rs"]
mod net_console;
use net_console::Console;

/// A console whose days are UTC days, whatever the machine's zone.
fn start_utc(server: &str, user: &str) -> Console {
    let mut c = Console::start(server, user);
    c.app.followup.tz = jiff::tz::TimeZone::UTC;
    c
}

/// Waits for the open Reports screen to have an answer (a report or a refusal).
async fn report(c: &mut Console, what: &str) -> ReportLoad {
    c.until(what, |a| {
        a.reports()
            .is_some_and(|r| !matches!(r.load, ReportLoad::Loading))
    })
    .await;
    c.app.reports().unwrap().load.clone()
}

fn render(app: &App, w: u16, h: u16) -> String {
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    let theme = kefu::console::theme::Theme::builtin("dark").unwrap();
    let km = kefu::console::keymap::Keymap::builtin("default").unwrap();
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_shows_the_days_report_from_the_real_server() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    add_agent(dir.path(), "sam", &["general"], Role::Supervisor, None);
    let server = TestServer::start(dir.path(), Default::default()).await;

    // The scripted conversation: served, answered, resolved, rated 5.
    let mut alice = server.agent("alice").await;
    let (mut cust, session, _) = server.customer("小明", None).await;
    wait_offer(&mut alice, session).await;
    alice
        .call("session.accept", json!({"session_id": session}))
        .await
        .unwrap();
    cust.call(
        "message.send",
        json!({"session_id": session, "client_msg_id": "c1", "body": "我的订单还没到"}),
    )
    .await
    .unwrap();
    wait_message(&mut alice, "我的订单还没到").await;
    alice
        .call(
            "message.send",
            json!({"session_id": session, "client_msg_id": "a1", "body": "请提供订单号"}),
        )
        .await
        .unwrap();
    wait_message(&mut cust, "请提供订单号").await;
    alice
        .call(
            "session.end",
            json!({"session_id": session, "outcome": "resolved"}),
        )
        .await
        .unwrap();
    cust.wait_event(WAIT, |e| matches!(e, Event::SessionEnded { .. }))
        .await
        .unwrap();
    cust.call("session.rate", json!({"session_id": session, "stars": 5}))
        .await
        .unwrap();

    // Alice's console: alt-l shows her day, over the real network path.
    let url = format!("ws://{}", server.addr);
    let mut console = start_utc(&url, "alice");
    console
        .until("logged in", |a| a.me.is_some() && a.login.is_none())
        .await;
    console.act(Action::Reports);
    let ReportLoad::Ready(reply) = report(&mut console, "alice's report").await else {
        panic!("{:?}", console.app.reports().map(|r| &r.load));
    };
    assert_eq!(reply.scope, ReportScope::Me);
    assert_eq!(reply.totals.handled, 1, "{reply:?}");
    assert_eq!(reply.totals.resolved, 1);
    assert_eq!(reply.totals.csat_avg, Some(5.0));
    assert!(reply.totals.first_response_avg_ms.is_some());
    // Today in hours: 24 buckets (UTC has no DST), the conversation in one of them.
    assert_eq!(reply.trend.len(), 24);
    assert_eq!(reply.trend.iter().map(|p| p.handled).sum::<u64>(), 1);
    let s = render(&console.app, 120, 40);
    assert!(
        s.contains("Reports · Personal") && s.contains("Handled"),
        "{s}"
    );
    assert!(s.contains("100.0% (1/1)"), "{s}");

    // A plain agent's team request (as if the console thought otherwise) is refused by the
    // server, and the screen says so.
    if let Some(me) = &mut console.app.me {
        me.role = Role::Supervisor;
    }
    console.act(Action::ReportScope);
    let load = report(&mut console, "the refusal").await;
    assert!(
        matches!(
            load,
            ReportLoad::Failed {
                code: Some(ErrorCode::Forbidden),
                ..
            }
        ),
        "{load:?}"
    );
    let s = render(&console.app, 80, 24);
    assert!(
        s.contains("Team reports are for supervisors and admins."),
        "{s}"
    );

    // Sam, a supervisor: the team by agent has alice's row.
    let mut sam = start_utc(&url, "sam");
    sam.until("logged in", |a| a.me.is_some() && a.login.is_none())
        .await;
    sam.act(Action::Reports);
    report(&mut sam, "sam's own report").await;
    sam.act(Action::ReportScope);
    let ReportLoad::Ready(team) = report(&mut sam, "the team report").await else {
        panic!("{:?}", sam.app.reports().map(|r| &r.load));
    };
    assert_eq!(team.scope, ReportScope::Team);
    assert_eq!(team.totals.handled, 1);
    let row = team
        .rows
        .iter()
        .find(|r| r.key == "alice")
        .expect("alice's row");
    assert_eq!(row.metrics.handled, 1);
    let s = render(&sam.app, 120, 40);
    assert!(s.contains("Agent alice"), "{s}");

    let _ = console.net.send(NetCmd::Shutdown);
    let _ = sam.net.send(NetCmd::Shutdown);
    server.stop().await;
}
