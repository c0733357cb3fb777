//! CC (抄送) end to end: a real server, real WebSocket clients, a real SMTP server and real
//! HTTP receivers (`cc_support`). The transcript reaches a mailbox by SMTP (subject naming
//! the conversation and customer, Chinese intact) and each webhook format, signed; a receiver
//! that refuses and then fails for a while still gets it; a CC pending when the server stops
//! is delivered after the restart; a busy mailbox is retried and an unknown one given up;
//! bad requests get clear errors and limits hold. (Config checks: `cc_config.rs`.)

mod cc_support;
mod common;

use cc_support::*;
use common::*;
use kefu::client::Client;
use kefu::config::{
    CcConfig, CcContact, CcFormat, CcWebhook, ServerConfig, SmtpConfig, SmtpSecurity,
};
use kefu::model::Role;
use kefu::protocol::{CcState, ErrorCode, Event};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::Duration;

const SECRET: &str = "cc-test-secret-0123456789";

fn smtp(addr: SocketAddr) -> SmtpConfig {
    SmtpConfig {
        host: "127.0.0.1".into(),
        port: Some(addr.port()),
        security: SmtpSecurity::None,
        allow_insecure: false,
        username: None,
        password: None,
        password_file: None,
        password_env: None,
        from: "客服 <kefu@shop.example.com>".into(),
        timeout_secs: 5,
        hello_name: Some("kefu.test".into()),
    }
}

fn hook(name: &str, url: String, format: CcFormat) -> CcWebhook {
    CcWebhook {
        name: name.into(),
        url,
        secret: SECRET.into(),
        format,
    }
}

/// Quick retries, so the tests wait for conditions, not for the default backoff.
fn cc_config(webhooks: Vec<CcWebhook>, contacts: Vec<CcContact>) -> CcConfig {
    CcConfig {
        webhooks,
        contacts,
        retry_base_ms: 50,
        retry_max_ms: 200,
        poll_ms: 20,
        connect_timeout_ms: 1000,
        request_timeout_ms: 2000,
        ..Default::default()
    }
}

fn config(smtp_at: Option<SocketAddr>, cc: CcConfig) -> ServerConfig {
    let mut c = config_with_groups(&["general"]);
    c.smtp = smtp_at.map(smtp);
    c.cc = cc;
    c.conversations.timezone = "Asia/Shanghai".into();
    c
}

/// An agent serving a customer who wrote, and was answered: (agent, customer, session).
async fn conversation(server: &TestServer) -> (Client, Client, i64) {
    let mut agent = server.agent("alice").await;
    let (mut customer, session, _) = server.customer("张三", None).await;
    assert_eq!(accept_next_offer(&mut agent).await, session);
    customer
        .call(
            "message.send",
            json!({"session_id": session, "client_msg_id": "c1", "body": "我的包裹在哪里？"}),
        )
        .await
        .unwrap();
    wait_message(&mut agent, "我的包裹在哪里？").await;
    agent
        .call(
            "message.send",
            json!({"session_id": session, "client_msg_id": "a1", "body": "已经发货了，明天到。"}),
        )
        .await
        .unwrap();
    (agent, customer, session)
}

async fn cc(agent: &mut Client, session: i64, to: Value) -> Result<i64, kefu::client::ClientError> {
    agent
        .call(
            "session.cc",
            json!({"session_id": session, "to": to, "include_notes": false}),
        )
        .await
        .map(|r| r["cc_id"].as_i64().unwrap())
}

/// Waits for the `cc_status` event of `cc_id`.
async fn final_status(agent: &mut Client, cc_id: i64) -> kefu::protocol::CcInfo {
    let (_, ev) = agent
        .wait_event(
            WAIT,
            |e| matches!(e, Event::CcStatus { cc } if cc.cc_id == cc_id),
        )
        .await
        .expect("a cc_status event");
    let Event::CcStatus { cc } = ev else {
        unreachable!()
    };
    cc
}

async fn next_post(r: &mut Receiver) -> Post {
    tokio::time::timeout(WAIT, r.posts.recv())
        .await
        .expect("a POST in time")
        .unwrap()
}

#[tokio::test]
async fn a_transcript_is_mailed_by_smtp_with_chinese_intact() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let (smtp_addr, mut mails) = smtp_server().await;
    let contacts = vec![CcContact {
        name: "主管 Lead".into(),
        email: Some("lead@shop.example.com".into()),
        webhook: None,
    }];
    let server = TestServer::start(
        dir.path(),
        config(Some(smtp_addr), cc_config(vec![], contacts)),
    )
    .await;
    let (mut agent, _customer, session) = conversation(&server).await;

    let book = agent.call("cc.contacts", json!({})).await.unwrap();
    assert_eq!(book["email"], true);
    assert_eq!(book["contacts"][0]["name"], "主管 Lead");
    assert_eq!(book["contacts"][0]["kind"], "email");

    let id = cc(&mut agent, session, json!({"contact": "主管 Lead"}))
        .await
        .unwrap();
    let mail = tokio::time::timeout(WAIT, mails.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(mail.to, vec!["<lead@shop.example.com>".to_string()]);
    assert_eq!(mail.from, "<kefu@shop.example.com>");
    assert_eq!(mail.hello, "kefu.test");
    let subject = mail.subject();
    assert!(
        subject.contains(&format!("#{session}")) && subject.contains("张三"),
        "{subject}"
    );
    assert!(
        mail.headers["content-type"]
            .to_ascii_lowercase()
            .contains("charset=utf-8")
    );
    let body = &mail.body;
    assert!(
        body.contains("客户 Customer · 张三\n  我的包裹在哪里？"),
        "{body}"
    );
    assert!(
        body.contains("客服 Agent · Agent alice\n  已经发货了，明天到。"),
        "{body}"
    );
    assert!(body.contains("(Asia/Shanghai)"), "{body}");

    let st = final_status(&mut agent, id).await;
    assert_eq!((st.state, st.attempts), (CcState::Delivered, 1));
    assert_eq!(st.contact.as_deref(), Some("主管 Lead"));
    let list = agent
        .call("cc.list", json!({"session_id": session}))
        .await
        .unwrap();
    assert_eq!(list["ccs"][0]["state"], "delivered");
    assert_eq!(list["ccs"][0]["target"], "lead@shop.example.com");
    server.stop().await;
}

/// An internal note never reaches a CC's reader unless the agent asked for notes, and then it
/// is marked as one.
#[tokio::test]
async fn internal_notes_stay_out_of_a_mail_unless_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let (smtp_addr, mut mails) = smtp_server().await;
    let server = TestServer::start(
        dir.path(),
        config(Some(smtp_addr), cc_config(vec![], vec![])),
    )
    .await;
    let (mut agent, _customer, session) = conversation(&server).await;
    agent
        .call(
            "note.add",
            json!({"session_id": session, "client_msg_id": "n1", "body": "内部：客户上周也投诉过"}),
        )
        .await
        .unwrap();
    let to = json!({"email": "lead@shop.example.com"});
    cc(&mut agent, session, to.clone()).await.unwrap();
    let mail = tokio::time::timeout(WAIT, mails.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(mail.body.contains("已经发货了，明天到。"), "{}", mail.body);
    assert!(!mail.body.contains("客户上周也投诉过"), "{}", mail.body);

    agent
        .call(
            "session.cc",
            json!({"session_id": session, "to": to, "include_notes": true}),
        )
        .await
        .unwrap();
    let mail = tokio::time::timeout(WAIT, mails.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(mail.body.contains("客户上周也投诉过"), "{}", mail.body);
    assert!(mail.body.contains("Internal note"), "{}", mail.body);
    server.stop().await;
}

/// The outbox keeps a copy of the transcript: a purge of the conversation deletes it too.
#[tokio::test]
async fn a_purged_conversation_takes_its_ccs_with_it() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let (smtp_addr, mut mails) = smtp_server().await;
    let server = TestServer::start(
        dir.path(),
        config(Some(smtp_addr), cc_config(vec![], vec![])),
    )
    .await;
    let (mut agent, _customer, session) = conversation(&server).await;
    let id = cc(
        &mut agent,
        session,
        json!({"email": "lead@shop.example.com"}),
    )
    .await
    .unwrap();
    tokio::time::timeout(WAIT, mails.recv())
        .await
        .unwrap()
        .unwrap();
    final_status(&mut agent, id).await;
    agent
        .call("session.end", json!({"session_id": session}))
        .await
        .unwrap();
    let db = open_db(dir.path());
    let ccs = |db: &rusqlite::Connection| -> i64 {
        db.query_row("SELECT COUNT(*) FROM cc_outbox", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(ccs(&db), 1);
    let customer: i64 = db
        .query_row(
            "SELECT customer_id FROM sessions WHERE id = ?1",
            [session],
            |r| r.get(0),
        )
        .unwrap();
    let mut store = kefu::server::open_store(dir.path(), &Default::default()).unwrap();
    kefu::admin::purge(
        &mut *store,
        kefu::store::PurgeSpec {
            before: kefu::model::now_ms(),
            customer: Some(customer),
        },
        "now",
        "admin:test",
    )
    .unwrap();
    assert_eq!(
        ccs(&db),
        0,
        "the transcript copy went with the conversation"
    );
    server.stop().await;
}

#[tokio::test]
async fn each_webhook_format_is_posted_signed() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let mut rx = http_receiver(0).await;
    let base = format!("http://{}", rx.addr);
    let hooks = vec![
        hook("json", format!("{base}/json"), CcFormat::Json),
        hook("wecom", format!("{base}/wecom"), CcFormat::Wecom),
        hook("dingtalk", format!("{base}/ding"), CcFormat::Dingtalk),
        hook("slack", format!("{base}/slack"), CcFormat::Slack),
    ];
    let server = TestServer::start(dir.path(), config(None, cc_config(hooks, vec![]))).await;
    let (mut agent, _customer, session) = conversation(&server).await;
    // No [smtp]: typed addresses are refused, and the address book says so.
    let book = agent.call("cc.contacts", json!({})).await.unwrap();
    assert_eq!(book["email"], false);
    assert_eq!(
        book["webhooks"],
        json!(["json", "wecom", "dingtalk", "slack"])
    );

    for name in ["json", "wecom", "dingtalk", "slack"] {
        let id = cc(&mut agent, session, json!({"webhook": name}))
            .await
            .unwrap();
        let p = next_post(&mut rx).await;
        assert!(signature_ok(SECRET, &p), "{name}: bad signature");
        assert_eq!(p.headers["x-kefu-webhook"], name);
        assert_eq!(p.headers["x-kefu-cc-id"], id.to_string());
        assert_eq!(p.headers["content-type"], "application/json");
        let v: Value = serde_json::from_slice(&p.body).unwrap();
        match name {
            "json" => {
                assert_eq!(p.path, "/json");
                assert_eq!(v["conversation_id"], session);
                assert_eq!(v["customer"]["nickname"], "张三");
                assert_eq!(v["messages"][0]["author_kind"], "customer");
                assert_eq!(v["messages"][0]["body"], "我的包裹在哪里？");
                assert_eq!(v["messages"][1]["body"], "已经发货了，明天到。");
            }
            "wecom" => {
                assert_eq!(v["msgtype"], "markdown");
                let c = v["markdown"]["content"].as_str().unwrap();
                assert!(
                    c.contains("> 我的包裹在哪里？") && c.contains("张三"),
                    "{c}"
                );
            }
            "dingtalk" => {
                assert_eq!(v["msgtype"], "markdown");
                assert!(
                    v["markdown"]["title"]
                        .as_str()
                        .unwrap()
                        .contains(&format!("#{session}"))
                );
                assert!(
                    v["markdown"]["text"]
                        .as_str()
                        .unwrap()
                        .contains("> 已经发货了")
                );
            }
            _ => assert!(v["text"].as_str().unwrap().contains("> 我的包裹在哪里？")),
        }
        assert_eq!(final_status(&mut agent, id).await.state, CcState::Delivered);
    }
    // A tampered body would not verify.
    let mut p = Post {
        path: String::new(),
        headers: Default::default(),
        body: b"{}".to_vec(),
        status: 200,
    };
    p.headers.insert("x-kefu-timestamp".into(), "1".into());
    p.headers
        .insert("x-kefu-signature".into(), "sha256=00".into());
    assert!(!signature_ok(SECRET, &p));

    let m = metrics_text(&server).await;
    assert!(
        m.contains(r#"kefu_cc_queued_total{kind="webhook"} 4"#),
        "{m}"
    );
    assert!(
        m.contains(r#"kefu_cc_attempts_total{kind="webhook",outcome="delivered"} 4"#),
        "{m}"
    );
    server.stop().await;
}

async fn metrics_text(server: &TestServer) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out
}

/// A port nothing listens on (yet): connecting is refused.
async fn free_port() -> tokio::net::TcpListener {
    tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap()
}

/// Polls `cc.list` until `ok` holds for the CC.
async fn wait_cc(agent: &mut Client, id: i64, ok: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let list = agent.call("cc.list", json!({})).await.unwrap();
        if let Some(c) = list["ccs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["cc_id"] == id)
            && ok(c)
        {
            return c.clone();
        }
        assert!(tokio::time::Instant::now() < deadline, "cc {id}: {list}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_receiver_down_for_a_while_still_gets_it() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    // Refused at first: the port is reserved, then let go, with nobody listening.
    let reserved = free_port().await;
    let addr = reserved.local_addr().unwrap();
    drop(reserved);
    let hooks = vec![hook("ops", format!("http://{addr}/hook"), CcFormat::Json)];
    let server = TestServer::start(dir.path(), config(None, cc_config(hooks, vec![]))).await;
    let (mut agent, _customer, session) = conversation(&server).await;
    let id = cc(&mut agent, session, json!({"webhook": "ops"}))
        .await
        .unwrap();
    let c = wait_cc(&mut agent, id, |c| c["attempts"].as_u64().unwrap() >= 2).await;
    assert_eq!(c["state"], "pending");
    assert!(c["last_error"].as_str().unwrap().contains("connect"), "{c}");

    // Up now, but failing the next two POSTs with 500.
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let mut rx = http_receiver_on(listener, 2);
    let st = final_status(&mut agent, id).await;
    assert_eq!(st.state, CcState::Delivered);
    assert!(st.attempts >= 5, "{st:?}");
    let statuses: Vec<u16> = [
        next_post(&mut rx).await,
        next_post(&mut rx).await,
        next_post(&mut rx).await,
    ]
    .iter()
    .map(|p| p.status)
    .collect();
    assert_eq!(statuses, [500, 500, 200]);
    server.stop().await;
}

#[tokio::test]
async fn a_cc_pending_at_shutdown_is_delivered_after_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let reserved = free_port().await;
    let addr = reserved.local_addr().unwrap();
    drop(reserved);
    let hooks = vec![hook("ops", format!("http://{addr}/hook"), CcFormat::Json)];
    let cfg = config(None, cc_config(hooks, vec![]));
    let server = TestServer::start(dir.path(), cfg.clone()).await;
    let (mut agent, _customer, session) = conversation(&server).await;
    let id = cc(&mut agent, session, json!({"webhook": "ops"}))
        .await
        .unwrap();
    wait_cc(&mut agent, id, |c| c["attempts"].as_u64().unwrap() >= 1).await;
    drop(agent);
    server.stop().await;

    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let mut rx = http_receiver_on(listener, 0);
    let server = TestServer::start(dir.path(), cfg).await;
    let p = next_post(&mut rx).await;
    assert!(signature_ok(SECRET, &p));
    let v: Value = serde_json::from_slice(&p.body).unwrap();
    assert_eq!(
        (v["cc_id"].as_i64(), v["conversation_id"].as_i64()),
        (Some(id), Some(session))
    );
    let mut agent = Client::connect(&server.url("agent")).await.unwrap();
    login_online(&mut agent, "alice").await;
    wait_cc(&mut agent, id, |c| c["state"] == "delivered").await;
    server.stop().await;
}

#[tokio::test]
async fn bad_requests_get_clear_errors_and_limits_hold() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    add_agent(dir.path(), "bob", &["general"], Role::Agent, None);
    let (smtp_addr, _mails) = smtp_server().await;
    // Nothing listens here: every attempt fails, and the CC is given up after 3.
    let reserved = free_port().await;
    let dead = reserved.local_addr().unwrap();
    drop(reserved);
    let mut cc_cfg = cc_config(
        vec![hook("dead", format!("http://{dead}/"), CcFormat::Json)],
        vec![],
    );
    cc_cfg.per_agent_per_day = 3;
    cc_cfg.max_attempts = 3;
    let server = TestServer::start(dir.path(), config(Some(smtp_addr), cc_cfg)).await;
    let (mut alice, _customer, session) = conversation(&server).await;
    let mut bob = server.agent("bob").await;

    let code = |r: Result<i64, kefu::client::ClientError>| match r {
        Err(kefu::client::ClientError::Api(e)) => e.code,
        other => panic!("expected an error, got {other:?}"),
    };
    for bad in [
        "not-an-address",
        "a@b@c",
        "x\r\nBcc: evil@example.com",
        "Lead <l@x.cn>",
    ] {
        assert_eq!(
            code(cc(&mut alice, session, json!({"email": bad})).await),
            ErrorCode::Invalid,
            "{bad}"
        );
    }
    assert_eq!(
        code(cc(&mut alice, session, json!({"webhook": "nope"})).await),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(cc(&mut alice, session, json!({"contact": "nobody"})).await),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(cc(&mut alice, 999_999, json!({"webhook": "dead"})).await),
        ErrorCode::NotFound
    );
    // Only the assignee (and supervisors) may CC a conversation.
    assert_eq!(
        code(cc(&mut bob, session, json!({"webhook": "dead"})).await),
        ErrorCode::Forbidden
    );
    let bad_shape = alice
        .call(
            "session.cc",
            json!({"session_id": session, "to": {"fax": "1"}}),
        )
        .await;
    assert_eq!(api_code(bad_shape), ErrorCode::Invalid);

    let id = cc(&mut alice, session, json!({"webhook": "dead"}))
        .await
        .unwrap();
    let st = final_status(&mut alice, id).await;
    assert_eq!((st.state, st.attempts), (CcState::Failed, 3));
    assert!(st.last_error.unwrap().contains("connect"));
    cc(&mut alice, session, json!({"email": "a@shop.example.com"}))
        .await
        .unwrap();
    cc(&mut alice, session, json!({"email": "b@shop.example.com"}))
        .await
        .unwrap();
    // The fourth in 24 hours is one too many.
    assert_eq!(
        code(cc(&mut alice, session, json!({"email": "c@shop.example.com"})).await),
        ErrorCode::RateLimited
    );
    let m = metrics_text(&server).await;
    assert!(
        m.contains(r#"kefu_cc_attempts_total{kind="webhook",outcome="failed"} 1"#),
        "{m}"
    );
    assert!(
        m.contains(r#"kefu_cc_attempts_total{kind="webhook",outcome="retry"} 2"#),
        "{m}"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_busy_mailbox_is_tried_again_and_an_unknown_one_given_up_at_once() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    // The first RCPT gets a transient 451, the second a permanent 550.
    let (smtp_addr, mut mails) = smtp_server_refusing(&[451, 550]).await;
    let server = TestServer::start(
        dir.path(),
        config(Some(smtp_addr), cc_config(vec![], vec![])),
    )
    .await;
    let (mut agent, _customer, session) = conversation(&server).await;
    let busy = cc(
        &mut agent,
        session,
        json!({"email": "busy@shop.example.com"}),
    )
    .await
    .unwrap();
    // 451 → retried; the retry meets the 550 (permanent) → given up at once, not retried.
    let st = final_status(&mut agent, busy).await;
    assert_eq!((st.state, st.attempts), (CcState::Failed, 2), "{st:?}");
    let error = st.last_error.unwrap();
    assert!(error.contains("550"), "{error}");
    let ok = cc(&mut agent, session, json!({"email": "ok@shop.example.com"}))
        .await
        .unwrap();
    assert_eq!(final_status(&mut agent, ok).await.state, CcState::Delivered);
    let mail = tokio::time::timeout(WAIT, mails.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(mail.to, vec!["<ok@shop.example.com>".to_string()]);
    server.stop().await;
}
