//! Quick replies over real WebSockets against a real server and SQLite file: saving, editing
//! and deleting team and personal replies, who may see and change which, use counts (kept
//! across a restart), the bounds, and `kefu admin quick-reply` (import with bad rows,
//! re-import without duplicates, export).

mod common;

use common::*;
use kefu::client::Client;
use kefu::model::Role;
use kefu::protocol::{ErrorCode, QuickReply, QuickScope};
use serde_json::{Value, json};

async fn list(c: &mut Client) -> Vec<QuickReply> {
    let r = c.call("quick_replies.list", json!({})).await.unwrap();
    serde_json::from_value(r["quick_replies"].clone()).unwrap()
}

fn shortcuts(list: &[QuickReply]) -> Vec<String> {
    list.iter()
        .map(|q| format!("{}:{}", q.scope.as_str(), q.shortcut))
        .collect()
}

async fn save(c: &mut Client, fields: Value) -> Result<QuickReply, kefu::client::ClientError> {
    let r = c.call("quick_replies.save", fields).await?;
    Ok(serde_json::from_value(r["quick_reply"].clone()).unwrap())
}

fn setup(dir: &std::path::Path) -> (i64, i64) {
    let alice = add_agent(dir, "alice", &["sales"], Role::Agent, None);
    let bob = add_agent(dir, "bob", &["sales"], Role::Agent, None);
    add_agent(dir, "sup", &["vip"], Role::Supervisor, None);
    (alice, bob)
}

#[tokio::test]
async fn team_and_personal_replies_with_their_permissions() {
    let dir = tempfile::tempdir().unwrap();
    let (alice_id, _) = setup(dir.path());
    let server = TestServer::start(dir.path(), config_with_groups(&["sales", "vip"])).await;
    let mut alice = server.agent("alice").await;
    let mut bob = server.agent("bob").await;
    let mut sup = server.agent("sup").await;
    assert!(list(&mut alice).await.is_empty());

    // Personal replies: the caller's own.
    let sig = save(
        &mut alice,
        json!({"scope": "personal", "shortcut": "sig", "title": "Sign-off",
               "body": "— {agent.name}", "intents": ["Thanks"]}),
    )
    .await
    .unwrap();
    assert_eq!(sig.scope, QuickScope::Personal);
    assert_eq!(sig.owner, Some(alice_id));
    assert_eq!(sig.intents, ["thanks"]);
    assert!(sig.created_at > 0 && sig.updated_at == sig.created_at);

    // Team replies only by supervisors.
    let team = json!({"scope": "team", "shortcut": "hi", "title": "Greeting",
                      "body": "您好{customer.nickname}，我是{agent.name}。"});
    assert_eq!(
        api_code(alice.call("quick_replies.save", team.clone()).await),
        ErrorCode::Forbidden
    );
    let hi = save(&mut sup, team).await.unwrap();
    assert_eq!((hi.scope, hi.owner), (QuickScope::Team, None));
    let vip = save(
        &mut sup,
        json!({"shortcut": "vip", "title": "VIP", "body": "尊敬的会员", "group": "vip"}),
    )
    .await
    .unwrap();
    assert_eq!(vip.group.as_deref(), Some("vip"));
    assert_eq!(
        api_code(
            sup.call(
                "quick_replies.save",
                json!({"shortcut": "x", "title": "X", "body": "x", "group": "nope"})
            )
            .await
        ),
        ErrorCode::NotFound
    );

    // Unknown variables are refused with a message naming them.
    let bad = alice
        .call(
            "quick_replies.save",
            json!({"scope": "personal", "shortcut": "b", "title": "B", "body": "Hi {custmer}"}),
        )
        .await;
    match bad {
        Err(kefu::client::ClientError::Api(e)) => {
            assert_eq!(e.code, ErrorCode::Invalid);
            assert!(e.message.contains("{custmer}"), "{}", e.message);
        }
        other => panic!("{other:?}"),
    }
    // Bounds: 4000 characters of body.
    let long = "长".repeat(4001);
    assert_eq!(
        api_code(
            alice
                .call(
                    "quick_replies.save",
                    json!({"scope": "personal", "shortcut": "l", "title": "L", "body": long})
                )
                .await
        ),
        ErrorCode::Invalid
    );

    // Who sees what: the team's (a group's only for its members and supervisors) and one's own.
    assert_eq!(
        shortcuts(&list(&mut alice).await),
        ["team:hi", "personal:sig"]
    );
    assert_eq!(shortcuts(&list(&mut bob).await), ["team:hi"]);
    assert_eq!(shortcuts(&list(&mut sup).await), ["team:hi", "team:vip"]);

    // Another agent's personal reply does not exist for bob, whatever he tries.
    let edit = json!({"quick_reply_id": sig.id, "scope": "personal", "shortcut": "sig", "title": "Mine now",
                      "body": "x"});
    assert_eq!(
        api_code(bob.call("quick_replies.save", edit.clone()).await),
        ErrorCode::NotFound
    );
    assert_eq!(
        api_code(
            bob.call("quick_replies.delete", json!({"quick_reply_id": sig.id}))
                .await
        ),
        ErrorCode::NotFound
    );
    assert_eq!(
        api_code(
            bob.call("quick_replies.used", json!({"quick_reply_id": sig.id}))
                .await
        ),
        ErrorCode::NotFound
    );
    // Nor for a supervisor.
    assert_eq!(
        api_code(sup.call("quick_replies.save", edit).await),
        ErrorCode::NotFound
    );
    // Agents cannot change or delete team replies.
    let team_edit =
        json!({"quick_reply_id": hi.id, "shortcut": "hi", "title": "Mine", "body": "x"});
    assert_eq!(
        api_code(alice.call("quick_replies.save", team_edit).await),
        ErrorCode::Forbidden
    );
    assert_eq!(
        api_code(
            alice
                .call("quick_replies.delete", json!({"quick_reply_id": hi.id}))
                .await
        ),
        ErrorCode::Forbidden
    );

    // Shortcuts are unique per owner: bob may have his own `sig`, alice not a second one.
    save(
        &mut bob,
        json!({"scope": "personal", "shortcut": "sig", "title": "Bob's", "body": "Bob"}),
    )
    .await
    .unwrap();
    assert_eq!(
        api_code(
            alice
                .call(
                    "quick_replies.save",
                    json!({"scope": "personal", "shortcut": "sig", "title": "2", "body": "2"})
                )
                .await
        ),
        ErrorCode::Conflict
    );

    // The owner edits (the scope stays), and deletes.
    let edited = save(
        &mut alice,
        json!({"quick_reply_id": sig.id, "scope": "personal", "shortcut": "sig2", "title": "Signature",
               "body": "Regards, {agent}"}),
    )
    .await
    .unwrap();
    assert_eq!((edited.id, edited.title.as_str()), (sig.id, "Signature"));
    assert_eq!(
        api_code(
            sup.call(
                "quick_replies.save",
                json!({"quick_reply_id": hi.id, "scope": "personal", "shortcut": "hi", "title": "t",
                       "body": "b"})
            )
            .await
        ),
        ErrorCode::Invalid
    );
    let mine: Vec<QuickReply> = list(&mut alice).await;
    assert_eq!(mine[1].shortcut, "sig2");
    alice
        .call("quick_replies.delete", json!({"quick_reply_id": sig.id}))
        .await
        .unwrap();
    assert_eq!(shortcuts(&list(&mut alice).await), ["team:hi"]);

    // Supervisors change and delete team replies.
    sup.call("quick_replies.delete", json!({"quick_reply_id": vip.id}))
        .await
        .unwrap();
    assert_eq!(shortcuts(&list(&mut sup).await), ["team:hi"]);
    server.stop().await;
}

#[tokio::test]
async fn uses_are_counted_per_agent_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let server = TestServer::start(dir.path(), config_with_groups(&["sales", "vip"])).await;
    let mut sup = server.agent("sup").await;
    let hi = save(
        &mut sup,
        json!({"shortcut": "hi", "title": "Hi", "body": "Hi"}),
    )
    .await
    .unwrap();
    let bye = save(
        &mut sup,
        json!({"shortcut": "bye", "title": "Bye", "body": "Bye"}),
    )
    .await
    .unwrap();
    let mut alice = server.agent("alice").await;
    let mut bob = server.agent("bob").await;
    for _ in 0..2 {
        alice
            .call("quick_replies.used", json!({"quick_reply_id": bye.id}))
            .await
            .unwrap();
    }
    let r = bob
        .call("quick_replies.used", json!({"quick_reply_id": bye.id}))
        .await
        .unwrap();
    assert_eq!(r["uses"], 1);
    assert_eq!(
        api_code(
            alice
                .call("quick_replies.used", json!({"quick_reply_id": 999}))
                .await
        ),
        ErrorCode::NotFound
    );
    let a = list(&mut alice).await;
    assert_eq!((a[0].id, a[0].uses, a[0].last_used), (hi.id, 0, None));
    assert_eq!((a[1].id, a[1].uses), (bye.id, 2));
    assert!(a[1].last_used.is_some());
    // The ranking puts the used one first for an empty query.
    let ranked = kefu::quick::rank("", None, &a, kefu::model::now_ms());
    assert_eq!(ranked[0].0, 1);
    server.stop().await;

    // Counts are on disk.
    let server = TestServer::start(dir.path(), config_with_groups(&["sales", "vip"])).await;
    let mut alice = server.agent("alice").await;
    let mut bob = server.agent("bob").await;
    assert_eq!(list(&mut alice).await[1].uses, 2);
    assert_eq!(list(&mut bob).await[1].uses, 1);
    server.stop().await;
}

#[tokio::test]
async fn an_agent_has_at_most_500_personal_replies() {
    let dir = tempfile::tempdir().unwrap();
    let (alice, _) = setup(dir.path());
    {
        let mut store =
            kefu::server::open_store(dir.path(), &kefu::config::ServerConfig::default()).unwrap();
        store
            .transaction(&mut |tx| {
                for i in 0..500 {
                    tx.insert_quick_reply(&QuickReply {
                        scope: QuickScope::Personal,
                        owner: Some(alice),
                        shortcut: format!("s{i}"),
                        title: "t".into(),
                        body: "b".into(),
                        ..Default::default()
                    })?;
                }
                Ok(())
            })
            .unwrap();
    }
    let server = TestServer::start(dir.path(), config_with_groups(&["sales", "vip"])).await;
    let mut alice = server.agent("alice").await;
    let r = alice
        .call(
            "quick_replies.save",
            json!({"scope": "personal", "shortcut": "one-more", "title": "t", "body": "b"}),
        )
        .await;
    assert_eq!(api_code(r), ErrorCode::Invalid);
    let mut bob = server.agent("bob").await;
    save(
        &mut bob,
        json!({"scope": "personal", "shortcut": "one-more", "title": "t", "body": "b"}),
    )
    .await
    .unwrap();
    assert_eq!(list(&mut alice).await.len(), 500);
    server.stop().await;
}

#[tokio::test]
async fn admin_import_reports_bad_rows_and_reimport_updates() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let csv = dir.path().join("qr.csv");
    std::fs::write(
        &csv,
        "shortcut,title,body,scope,owner,intents\n\
         hi,Greeting,\"Hi {customer.nickname}, I'm {agent.name}\",team,,greeting\n\
         bad,Bad,Dear {nobody},team,,\n\
         sig,Sign-off,\"Regards,\n{agent.name}\",personal,alice,thanks\n\
         ghost,Ghost,boo,personal,nobody,\n\
         退,退货,\"{customer}您好，退货请在七天内申请\",team,,refund\n",
    )
    .unwrap();
    let (code, out, err) = admin_cmd(
        dir.path(),
        &["quick-reply", "import", csv.to_str().unwrap()],
    );
    assert_ne!(code, 0);
    assert!(
        out.contains("3 created, 0 updated, 0 unchanged, 2 rejected"),
        "{out}"
    );
    assert!(err.contains("qr.csv:3: unknown variable {nobody}"), "{err}");
    assert!(err.contains("qr.csv:6: no agent `nobody`"), "{err}");

    // Re-import (a title changed): updated, not duplicated.
    let text = std::fs::read_to_string(&csv)
        .unwrap()
        .replace("Greeting", "Hello");
    std::fs::write(&csv, text).unwrap();
    let (_, out, _) = admin_cmd(
        dir.path(),
        &["quick-reply", "import", csv.to_str().unwrap()],
    );
    assert!(
        out.contains("0 created, 1 updated, 2 unchanged, 2 rejected"),
        "{out}"
    );

    let server = TestServer::start(dir.path(), config_with_groups(&["sales", "vip"])).await;
    let mut alice = server.agent("alice").await;
    let mut bob = server.agent("bob").await;
    let a = list(&mut alice).await;
    assert_eq!(shortcuts(&a), ["team:hi", "team:退", "personal:sig"]);
    assert_eq!(a[0].title, "Hello");
    assert_eq!(a[2].body, "Regards,\n{agent.name}");
    assert_eq!(a[1].intents, ["refund"]);
    assert_eq!(shortcuts(&list(&mut bob).await), ["team:hi", "team:退"]);
    server.stop().await;

    // Export, then import the export into a fresh database: the same replies.
    let out_path = dir.path().join("out.toml");
    let (code, _, err) = admin_cmd(
        dir.path(),
        &["quick-reply", "export", out_path.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = admin_cmd(
        dir.path(),
        &["quick-reply", "import", out_path.to_str().unwrap()],
    );
    assert_eq!(code, 0);
    assert!(
        out.contains("0 created, 0 updated, 3 unchanged, 0 rejected"),
        "{out}"
    );

    // add / edit / remove / list.
    let (code, out, err) = admin_cmd(
        dir.path(),
        &[
            "quick-reply",
            "add",
            "--shortcut",
            "x",
            "--title",
            "X",
            "--body",
            "{oops}",
        ],
    );
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("unknown variable {oops}"), "{err}");
    let (code, out, _) = admin_cmd(
        dir.path(),
        &[
            "quick-reply",
            "add",
            "--shortcut",
            "x",
            "--title",
            "X",
            "--body",
            "{date}",
            "--owner",
            "bob",
        ],
    );
    assert_eq!(code, 0);
    let id: i64 = out.trim().rsplit(' ').next().unwrap().parse().unwrap();
    let (code, _, _) = admin_cmd(
        dir.path(),
        &["quick-reply", "edit", &id.to_string(), "--title", "Today"],
    );
    assert_eq!(code, 0);
    let (_, out, _) = admin_cmd(dir.path(), &["quick-reply", "list"]);
    assert!(
        out.lines()
            .any(|l| l.contains("personal") && l.contains("bob") && l.contains("Today")),
        "{out}"
    );
    let (code, _, _) = admin_cmd(dir.path(), &["quick-reply", "remove", &id.to_string()]);
    assert_eq!(code, 0);
    let (code, _, err) = admin_cmd(dir.path(), &["quick-reply", "remove", &id.to_string()]);
    assert_ne!(code, 0);
    assert!(err.contains("no quick reply"), "{err}");
}
