//! The permission table (`docs/permissions.md`; every request × role: `permission_table.rs`)
//! walked over the wire for a plain agent who serves the session, one who does not, a
//! supervisor and an admin; and the life of credentials: after `change_password`, `logout`
//! and a reset by an admin the old password and tokens fail, and an expired token fails.

mod common;

use common::*;
use kefu::client::Client;
use kefu::model::{Role, Strategy};
use kefu::protocol::ErrorCode;
use serde_json::{Value, json};

/// Sends a request and returns `Ok` or the error code.
async fn try_call(c: &mut Client, kind: &str, body: Value) -> Result<Value, ErrorCode> {
    match c.call(kind, body).await {
        Ok(v) => Ok(v),
        Err(kefu::client::ClientError::Api(e)) => Err(e.code),
        Err(e) => panic!("{kind}: {e}"),
    }
}

#[tokio::test]
async fn the_permission_table_holds_for_every_role() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    add_agent(dir.path(), "bob", &["general", "vip"], Role::Agent, None);
    add_agent(dir.path(), "sue", &["general"], Role::Supervisor, None);
    add_agent(dir.path(), "adam", &["general"], Role::Admin, None);
    {
        let mut store = kefu::server::open_store(dir.path(), &Default::default()).unwrap();
        kefu::admin::add_group(&mut store, "vip", Strategy::Manual).unwrap();
    }
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut alice = server.agent("alice").await;
    let (mut cust, s1, _) = server.customer("c1", None).await;
    assert_eq!(accept_next_offer(&mut alice).await, s1);
    alice
        .call("status.set", json!({"status": "busy"}))
        .await
        .unwrap();
    let customer_id =
        alice.call("snapshot", json!({})).await.unwrap()["sessions"][0]["customer"]["id"]
            .as_i64()
            .unwrap();
    let (_c2, s2, _) = server.customer("c2", Some("vip")).await;

    let mut logged_in = Vec::new();
    for name in ["bob", "sue", "adam"] {
        let mut c = Client::connect(&server.url("agent")).await.unwrap();
        c.call("login", json!({"username": name, "password": PASSWORD}))
            .await
            .unwrap();
        logged_in.push((name, c));
    }
    let mut bob = logged_in.remove(0).1;
    // Supervisors and admins.
    let mut others = logged_in;

    // Everyone may do these.
    for c in [&mut alice, &mut bob] {
        for (kind, body) in [
            ("status.set", json!({"status": "busy"})),
            ("snapshot", json!({})),
            ("directory", json!({})),
            ("kb.search", json!({"query": ""})),
            ("quick_replies.list", json!({})),
        ] {
            try_call(c, kind, body)
                .await
                .unwrap_or_else(|e| panic!("{kind}: {e:?}"));
        }
    }

    // Session actions: the assignee and supervisors/admins yes, another agent `forbidden`.
    let actions = |n: usize| {
        vec![
            (
                "session.tag",
                json!({"session_id": s1, "add": [format!("t{n}")]}),
            ),
            (
                "session.follow_up",
                json!({"session_id": s1, "pending": n.is_multiple_of(2)}),
            ),
            ("typing", json!({"session_id": s1, "active": true})),
            (
                "message.send",
                json!({"session_id": s1, "client_msg_id": format!("m{n}"), "body": "hi"}),
            ),
            ("session.transcript", json!({"session_id": s1})),
            ("customer.profile", json!({"customer_id": customer_id})),
        ]
    };
    for (kind, body) in actions(0) {
        assert!(
            try_call(&mut alice, kind, body).await.is_ok(),
            "alice {kind}"
        );
    }
    for (kind, body) in actions(1) {
        assert_eq!(
            try_call(&mut bob, kind, body).await.err(),
            Some(ErrorCode::Forbidden),
            "bob {kind}"
        );
    }
    for (i, (name, c)) in others.iter_mut().enumerate() {
        for (kind, body) in actions(10 + i) {
            assert!(try_call(c, kind, body).await.is_ok(), "{name} {kind}");
        }
    }
    // Not offered to bob: he cannot reject or accept it; nor transfer or end it.
    for (kind, body) in [
        ("session.reject", json!({"session_id": s1})),
        ("session.accept", json!({"session_id": s1})),
        (
            "session.transfer",
            json!({"session_id": s1, "to": {"group": "general"}}),
        ),
        ("session.end", json!({"session_id": s1})),
    ] {
        assert!(try_call(&mut bob, kind, body).await.is_err(), "bob {kind}");
    }

    // A manual queue: members pick; a supervisor outside the group has no extra rights.
    let pick = json!({"session_id": s2});
    assert!(
        try_call(&mut alice, "session.accept", pick.clone())
            .await
            .is_err()
    );
    assert!(
        try_call(&mut others[0].1, "session.accept", pick.clone())
            .await
            .is_err()
    );
    try_call(&mut bob, "session.accept", pick).await.unwrap();

    // A supervisor transfers alice's session; an admin ends it.
    let (_, sue) = &mut others[0];
    try_call(
        sue,
        "session.transfer",
        json!({"session_id": s1, "to": {"group": "general"}}),
    )
    .await
    .unwrap();
    let (_, adam) = &mut others[1];
    try_call(adam, "session.end", json!({"session_id": s1}))
        .await
        .unwrap();
    // Ended: the customer may rate it; alice served it, so she may still read it (issue 11:
    // `history::access`); bob, who never served it nor serves c1, may not.
    cust.call("session.rate", json!({"session_id": s1, "stars": 4}))
        .await
        .unwrap();
    try_call(&mut alice, "session.transcript", json!({"session_id": s1}))
        .await
        .unwrap();
    assert_eq!(
        try_call(&mut bob, "session.transcript", json!({"session_id": s1}))
            .await
            .err(),
        Some(ErrorCode::Forbidden)
    );
    server.stop().await;
}

#[tokio::test]
async fn before_login_and_before_the_password_change_nothing_else_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = kefu::server::open_store(dir.path(), &Default::default()).unwrap();
    let new = kefu::admin::NewAgent {
        username: "nina".into(),
        display_name: "Nina".into(),
        employee_no: None,
        contact: None,
        role: Role::Agent,
        groups: vec!["general".into()],
        max_sessions: None,
    };
    kefu::admin::add_agent_with_password(&mut store, new, PASSWORD, true).unwrap();
    drop(store);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let agent_only = [
        ("status.set", json!({"status": "online"})),
        ("snapshot", json!({})),
        ("directory", json!({})),
        ("session.accept", json!({"session_id": 1})),
        ("session.tag", json!({"session_id": 1, "add": ["x"]})),
        ("kb.search", json!({})),
        ("customer.profile", json!({"customer_id": 1})),
        ("session.transcript", json!({"session_id": 1})),
    ];
    let mut c = Client::connect(&server.url("agent")).await.unwrap();
    for (kind, body) in agent_only.clone() {
        assert_eq!(
            try_call(&mut c, kind, body).await.err(),
            Some(ErrorCode::Unauthorized),
            "{kind} before login"
        );
    }
    let r = c
        .call("login", json!({"username": "nina", "password": PASSWORD}))
        .await
        .unwrap();
    assert_eq!(r["must_change_password"], true);
    for (kind, body) in agent_only {
        assert_eq!(
            try_call(&mut c, kind, body).await.err(),
            Some(ErrorCode::Forbidden),
            "{kind} before the password change"
        );
    }
    let e = try_call(
        &mut c,
        "change_password",
        json!({"old_password": PASSWORD, "new_password": "short"}),
    )
    .await;
    assert_eq!(e.err(), Some(ErrorCode::Invalid));
    c.call(
        "change_password",
        json!({"old_password": PASSWORD, "new_password": "a-new-pass-3!"}),
    )
    .await
    .unwrap();
    c.call("snapshot", json!({})).await.unwrap();
    server.stop().await;
}

/// Logs in on a fresh connection: the token, or the error code.
async fn login(server: &TestServer, user: &str, password: &str) -> Result<String, ErrorCode> {
    let mut c = Client::connect(&server.url("agent")).await.unwrap();
    try_call(
        &mut c,
        "login",
        json!({"username": user, "password": password}),
    )
    .await
    .map(|r| r["token"].as_str().unwrap().to_string())
}

async fn resume(server: &TestServer, token: &str) -> Result<Value, ErrorCode> {
    let mut c = Client::connect(&server.url("agent")).await.unwrap();
    try_call(&mut c, "resume", json!({"token": token})).await
}

#[tokio::test]
async fn old_passwords_and_tokens_die() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;

    // change_password: the old password and every earlier token fail, the new one works.
    let old_token = login(&server, "alice", PASSWORD).await.unwrap();
    let mut c = Client::connect(&server.url("agent")).await.unwrap();
    c.call("login", json!({"username": "alice", "password": PASSWORD}))
        .await
        .unwrap();
    let changed = c
        .call(
            "change_password",
            json!({"old_password": PASSWORD, "new_password": "second-pass-2!"}),
        )
        .await
        .unwrap();
    let new_token = changed["token"].as_str().unwrap().to_string();
    assert_eq!(
        login(&server, "alice", PASSWORD).await.err(),
        Some(ErrorCode::Unauthorized)
    );
    assert_eq!(
        resume(&server, &old_token).await.err(),
        Some(ErrorCode::Unauthorized)
    );
    resume(&server, &new_token).await.unwrap();

    // logout: that token fails afterwards.
    c.call("logout", json!({})).await.unwrap();
    assert_eq!(
        resume(&server, &new_token).await.err(),
        Some(ErrorCode::Unauthorized)
    );

    // An admin's reset: the old password and tokens fail; the new one must be changed.
    let token = login(&server, "alice", "second-pass-2!").await.unwrap();
    let fresh = {
        let mut store = kefu::server::open_store(dir.path(), &Default::default()).unwrap();
        kefu::admin::reset_password(&mut store, "alice").unwrap()
    };
    assert_eq!(
        login(&server, "alice", "second-pass-2!").await.err(),
        Some(ErrorCode::Unauthorized)
    );
    assert_eq!(
        resume(&server, &token).await.err(),
        Some(ErrorCode::Unauthorized)
    );
    let mut c = Client::connect(&server.url("agent")).await.unwrap();
    let r = c
        .call("login", json!({"username": "alice", "password": fresh}))
        .await
        .unwrap();
    assert_eq!(r["must_change_password"], true);

    // An expired token fails even though it is stored.
    let expired = kefu::auth::new_token();
    {
        let mut store = kefu::server::open_store(dir.path(), &Default::default()).unwrap();
        let hash = kefu::auth::token_hash(&expired);
        let now = kefu::model::now_ms();
        store
            .transaction(&mut |tx| {
                let a = tx.agent_by_username("alice")?.unwrap().id;
                tx.insert_token(&hash, kefu::store::Principal::Agent(a), now - 1, now - 10)
            })
            .unwrap();
    }
    assert_eq!(
        resume(&server, &expired).await.err(),
        Some(ErrorCode::Unauthorized)
    );
    server.stop().await;
}
