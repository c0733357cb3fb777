//! The audit log's readers (`docs/audit.md`): `audit.list` over the wire against the real server
//! (admins only, newest first, paged by `before_id`, filtered by time, actor and action family)
//! and `kefu admin` (the real binary) recording the commands that change things and exports —
//! without their secrets — and listing them with `--actor` and `--action FAMILY`.

mod common;

use common::*;
use kefu::model::Role;
use kefu::protocol::ErrorCode;
use kefu::store::AuditEntry;
use serde_json::{Value, json};

/// Appends entries straight to the store, as the server and `kefu admin` do.
fn seed(dir: &std::path::Path, entries: &[(i64, &str, &str, &str)]) {
    let mut store = kefu::server::open_store(dir, &kefu::config::ServerConfig::default()).unwrap();
    for (at, actor, action, target) in entries {
        let e = AuditEntry {
            id: 0,
            at: *at,
            actor: actor.to_string(),
            action: action.to_string(),
            target: target.to_string(),
            detail: json!({"n": at}).to_string(),
        };
        store
            .transaction(&mut |tx| tx.append_audit(&e).map(|_| ()))
            .unwrap();
    }
}

fn actions(r: &Value) -> Vec<String> {
    r["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{}@{}", e["action"].as_str().unwrap(), e["at"]))
        .collect()
}

#[tokio::test]
async fn admins_page_and_filter_the_log_others_are_refused() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    add_agent(d, "root", &["general"], Role::Admin, None);
    add_agent(d, "sup", &["general"], Role::Supervisor, None);
    add_agent(d, "alice", &["general"], Role::Agent, None);
    seed(
        d,
        &[
            (1000, "alice", "login.ok", "alice"),
            (2000, "10.0.0.9", "login.failed", "mallory"),
            (3000, "admin-cli:ops", "agent.add", "bob"),
            (4000, "alice", "login.logout", "alice"),
            (5000, "root", "session.take_over", "session:7"),
            // Not in the `login` family, though it starts with the same letters.
            (6000, "alice", "loginx.odd", "x"),
        ],
    );
    let server = TestServer::start(d, config_with_groups(&["general"])).await;

    let mut root = server.agent("root").await;
    // Newest first, two at a time, following `next`.
    let p1 = root
        .call("audit.list", json!({"limit": 2, "until": 5500}))
        .await
        .unwrap();
    assert_eq!(
        actions(&p1),
        ["session.take_over@5000", "login.logout@4000"]
    );
    let next = p1["next"].as_i64().expect("an older page");
    let p2 = root
        .call(
            "audit.list",
            json!({"limit": 2, "until": 5500, "before_id": next}),
        )
        .await
        .unwrap();
    assert_eq!(actions(&p2), ["agent.add@3000", "login.failed@2000"]);
    let p3 = root
        .call(
            "audit.list",
            json!({"limit": 2, "until": 5500, "before_id": p2["next"]}),
        )
        .await
        .unwrap();
    assert_eq!(actions(&p3), ["login.ok@1000"]);
    assert!(p3.get("next").is_none(), "the last page: {p3}");
    assert_eq!(p3["entries"][0]["detail"], json!({"n": 1000}));

    // A family is `login` and every `login.*`, not `loginx.*`.
    let r = root
        // (`until`: the server audits root's own login too, at the real time.)
        .call("audit.list", json!({"action": "login", "until": 6000}))
        .await
        .unwrap();
    assert_eq!(
        actions(&r),
        ["login.logout@4000", "login.failed@2000", "login.ok@1000"]
    );
    let r = root
        .call("audit.list", json!({"action": "login.failed"}))
        .await
        .unwrap();
    assert_eq!(actions(&r), ["login.failed@2000"]);
    let r = root
        .call(
            "audit.list",
            json!({"actor": "alice", "since": 1500, "until": 6000}),
        )
        .await
        .unwrap();
    assert_eq!(actions(&r), ["login.logout@4000"]);

    // Bad input is named.
    let e = root.call("audit.list", json!({"limit": 0})).await;
    assert_eq!(api_code(e), ErrorCode::Invalid);
    let e = root.call("audit.list", json!({"limit": 201})).await;
    assert_eq!(api_code(e), ErrorCode::Invalid);
    let e = root
        .call("audit.list", json!({"since": 5, "until": 4}))
        .await;
    assert_eq!(api_code(e), ErrorCode::Invalid);

    // Not for supervisors or agents, nor before login.
    for who in ["sup", "alice"] {
        let mut c = server.agent(who).await;
        let e = c.call("audit.list", json!({})).await;
        assert_eq!(api_code(e), ErrorCode::Forbidden, "{who}");
    }
    let mut anon = kefu::client::Client::connect(&server.url("agent"))
        .await
        .unwrap();
    let e = anon.call("audit.list", json!({})).await;
    assert_eq!(api_code(e), ErrorCode::Unauthorized);
    server.stop().await;
}

#[test]
fn admin_commands_are_recorded_without_their_secrets() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    let run = |args: &[&str]| {
        let (code, out, err) = admin_cmd(d, args);
        assert_eq!(code, 0, "{args:?}: {err}");
        out
    };
    run(&["group", "add", "vip"]);
    let out = run(&["agent", "add", "--username", "bob", "--name", "Bob"]);
    let password = out
        .lines()
        .find_map(|l| l.strip_prefix("initial password: "))
        .unwrap()
        .to_string();
    run(&["group", "add-member", "vip", "bob"]);
    let out = run(&["agent", "reset-password", "bob"]);
    let password2 = out.rsplit(": ").next().unwrap().trim().to_string();
    let out = run(&[
        "integration",
        "add",
        "shop",
        "--channel",
        "app",
        "--webhook",
        "https://shop.example.com/kefu",
    ]);
    let secret = out
        .lines()
        .find_map(|l| l.strip_prefix("secret: "))
        .unwrap()
        .to_string();
    let out = run(&["integration", "rotate-secret", "shop"]);
    let secret2 = out
        .lines()
        .next()
        .unwrap()
        .rsplit(": ")
        .next()
        .unwrap()
        .to_string();
    run(&["integration", "remove", "shop"]);
    run(&[
        "quick-reply",
        "add",
        "--shortcut",
        "hi",
        "--title",
        "Hi",
        "--body",
        "Hello!",
    ]);
    run(&["quick-reply", "export"]);

    let log = run(&["audit"]);
    for (i, action) in [
        "group.add",
        "agent.add",
        "group.join",
        "agent.reset_password",
        "integration.add",
        "integration.rotate_secret",
        "integration.remove",
        "quick_reply.add",
        "export.quick_replies",
    ]
    .iter()
    .enumerate()
    {
        let line = log
            .lines()
            .nth(i)
            .unwrap_or_else(|| panic!("{action}: {log}"));
        assert!(line.contains(&format!(" {action} ")), "{action}: {line}");
        assert!(line.contains("admin-cli"), "{line}");
    }
    for s in [&password, &password2, &secret, &secret2] {
        assert!(!log.contains(s.as_str()), "a secret in the log: {log}");
    }
    // A family, and an actor.
    let agents = run(&["audit", "--action", "agent"]);
    assert_eq!(agents.lines().count(), 2, "{agents}");
    let integrations = run(&["audit", "--action", "integration"]);
    assert_eq!(integrations.lines().count(), 3, "{integrations}");
    assert_eq!(run(&["audit", "--actor", "someone-else"]), "");
    let actor = log
        .lines()
        .next()
        .unwrap()
        .split_whitespace()
        .nth(4)
        .unwrap();
    assert_eq!(run(&["audit", "--actor", actor]).lines().count(), 9);
}
