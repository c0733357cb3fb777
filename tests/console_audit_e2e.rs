//! The Audit screen end to end: the console's App and its real network task against the real
//! server. An admin opens it (f12) and sees the log newest first — an entry `kefu admin`
//! wrote and a take-over the server wrote — then narrows it to one family of actions, which
//! the server filters.

mod common;
use common::*;
use kefu::console::action::Action;
use kefu::console::app::Overlay;
use kefu::console::app::audit_state::AuditScreen;
use kefu::model::Role;

#[path = "support/net_console.rs"]
mod net_console;
use net_console::Console;

fn audit(c: &Console) -> &AuditScreen {
    match &c.app.overlay {
        Some(Overlay::Audit(a)) => a,
        other => panic!("the Audit screen is not open: {other:?}"),
    }
}

fn loaded(a: &kefu::console::app::App) -> bool {
    matches!(&a.overlay, Some(Overlay::Audit(s)) if !s.loading)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_reads_and_filters_the_log_from_the_console() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "root", &["general"], Role::Admin, None);
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    // Written by `kefu admin` (the real binary).
    let (code, _, err) = admin_cmd(dir.path(), &["group", "add", "vip"]);
    assert_eq!(code, 0, "{err}");
    let server = TestServer::start(dir.path(), config_with_groups(&["general"])).await;
    let url = format!("ws://{}", server.addr);
    // Written by the server: root takes alice's conversation over.
    let mut alice = server.agent("alice").await;
    let (_cust, session, _) = server.customer("小明", Some("general")).await;
    assert_eq!(accept_next_offer(&mut alice).await, session);
    let mut root = server.agent("root").await;
    root.call(
        "session.take_over",
        serde_json::json!({"session_id": session}),
    )
    .await
    .unwrap();

    let mut console = Console::signed_in(&url, "root").await;
    console.act(Action::Audit);
    console.until("the first page", loaded).await;
    let a = audit(&console);
    assert_eq!(a.error, None);
    // The server also audits every login (`login.*`); these are the other entries.
    let others: Vec<_> = a
        .entries
        .iter()
        .filter(|e| !e.action.starts_with("login."))
        .collect();
    let actions: Vec<&str> = others.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["session.take_over", "group.add"], "newest first");
    assert_eq!(others[0].actor, "root");
    assert_eq!(others[1].target, "vip");

    // `a` cycles to the `login` family, then on to `permission`, `session`: the server filters.
    for _ in 0..3 {
        console.act(Action::AuditFamily);
    }
    console.until("the session family", loaded).await;
    let a = audit(&console);
    assert_eq!(a.family(), Some("session"));
    let actions: Vec<&str> = a.entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["session.take_over"]);

    // A non-admin's console does not open it.
    let mut other = Console::signed_in(&url, "alice").await;
    other.act(Action::Audit);
    assert!(other.app.overlay.is_none());
    server.stop().await;
}
