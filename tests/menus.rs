//! Self-service menus (`docs/menus.md`) on a real server with real WebSocket clients and a real
//! HTTP receiver for the lookup webhook: an agent sends a customer to a menu (and loses the
//! conversation), the customer navigates by number and by words, an article node answers from
//! the knowledge base, a lookup node POSTs the input (signed) and shows the answer — or the
//! fallback when the receiver fails or is too slow — and `0` / 人工 / too many inputs not
//! understood return the customer to the queue, where the next agent sees the path taken. A
//! restart keeps the position.

mod channel_support;
mod common;

use common::*;
use kefu::client::Client;
use kefu::config::ServerConfig;
use kefu::model::{AuthorKind, Role};
use kefu::protocol::{Article, Event, MenuReturnReason, MessageView};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

const SECRET: &str = "menu-lookup-secret-0123456789abcdef";

fn menu_text(lookup_port: u16) -> String {
    format!(
        r#"title = "Shop self-service"
group = "aftersales"

[nodes.main]
prompt = "请选择 / Please choose:"
options = [
  {{ key = 1, label = "订单查询 Order status", keywords = ["物流", "parcel"], to = "order" }},
  {{ key = 2, label = "退换货 Returns", keywords = ["退货", "refund"], to = "returns" }},
  {{ key = 3, label = "慢查询 Slow", to = "slow" }},
]

[nodes.order]
prompt = "请输入订单号 / Your order number:"
lookup = {{ url = "http://127.0.0.1:{lookup_port}/order", fallback = "FALLBACK: try later" }}

[nodes.slow]
prompt = "slow lookup:"
lookup = {{ url = "http://127.0.0.1:{lookup_port}/slow", timeout_ms = 300, fallback = "SLOW FALLBACK" }}

[nodes.returns]
prompt = "退换货 / Returns:"
options = [
  {{ key = 1, label = "退款政策 Refund policy", to = "policy" }},
  {{ key = 2, label = "上门取件 Pick-up", keywords = ["取件"], to = "pickup" }},
]

[nodes.policy]
article = 1
then = "returns"

[nodes.pickup]
article = 2
then = "returns"
"#
    )
}

fn config(lookup_port: u16) -> ServerConfig {
    let mut c = config_with_groups(&["general", "aftersales"]);
    let tree: toml::Table = toml::from_str(&menu_text(lookup_port)).unwrap();
    c.menus.trees.insert("shop".into(), tree);
    c.menus.lookup_secret = Some(SECRET.into());
    c.menus.max_lookups = 4;
    c
}

fn seed(dir: &Path) {
    let mut store = kefu::server::open_store(dir, &config(9)).unwrap();
    for (title, body) in [
        ("退款政策", "收到退货后 3 个工作日内退款。POLICY-BODY"),
        ("上门取件", "快递员上门取件。PICKUP-BODY"),
    ] {
        let a = Article {
            title: title.into(),
            body: body.into(),
            lang: "zh".into(),
            updated_at: 1,
            ..Article::default()
        };
        store
            .transaction(&mut |tx| tx.save_article(&a).map(|_| ()))
            .unwrap();
    }
}

/// A request the receiver got: its path, headers (lower-case names) and body.
#[derive(Debug)]
struct Got {
    path: String,
    headers: Vec<(String, String)>,
    body: Value,
}

/// A real HTTP receiver for the lookup webhook: `/order` answers from the input (`500` for
/// input `FAIL`), `/slow` never answers. Every request is reported on the channel.
async fn receiver() -> (u16, mpsc::UnboundedReceiver<Got>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let (head, body) = loop {
                    let n = sock.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let head = text[..end].to_string();
                        let len: usize = head
                            .lines()
                            .find_map(|l| {
                                let (k, v) = l.split_once(':')?;
                                k.eq_ignore_ascii_case("content-length")
                                    .then(|| v.trim().parse().ok())?
                            })
                            .unwrap_or(0);
                        if buf.len() >= end + 4 + len {
                            break (head, buf[end + 4..end + 4 + len].to_vec());
                        }
                    }
                };
                let mut lines = head.lines();
                let path = lines
                    .next()
                    .and_then(|l| l.split(' ').nth(1))
                    .unwrap_or_default()
                    .to_string();
                let headers = lines
                    .filter_map(|l| l.split_once(':'))
                    .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                    .collect();
                let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                let input = body["input"].as_str().unwrap_or_default().to_string();
                let _ = tx.send(Got {
                    path: path.clone(),
                    headers,
                    body,
                });
                if path == "/slow" {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    return;
                }
                let (status, answer) = if input == "FAIL" {
                    ("500 Internal Server Error", "{}".to_string())
                } else if input == "BIG" {
                    // Over `[menus] max_response_bytes` (64 KiB by default).
                    ("200 OK", json!({"answer": "x".repeat(70_000)}).to_string())
                } else {
                    (
                        "200 OK",
                        json!({"answer": format!("订单 {input} 已发货\u{1b}[2J")}).to_string(),
                    )
                };
                let response = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                    answer.len()
                );
                let _ = sock.write_all(response.as_bytes()).await;
            });
        }
    });
    (port, rx)
}

async fn setup(dir: &Path, port: u16) -> TestServer {
    seed(dir);
    add_agent(dir, "ann", &["general", "aftersales"], Role::Agent, None);
    TestServer::start(dir, config(port)).await
}

/// The next message from the menu (or, with `System`, the server's line).
async fn next_from(c: &mut Client, kind: AuthorKind) -> MessageView {
    let (_, ev) = c
        .wait_event(
            WAIT,
            |e| matches!(e, Event::Message { message } if message.author_kind == kind),
        )
        .await
        .unwrap_or_else(|e| panic!("waiting for a {kind:?} message: {e}"));
    let Event::Message { message } = ev else {
        unreachable!()
    };
    message
}

async fn say(c: &mut Client, session: i64, body: &str) {
    let id = format!("{body}-{}", kefu::model::now_ms());
    c.call(
        "message.send",
        json!({"session_id": session, "client_msg_id": id, "body": body}),
    )
    .await
    .unwrap();
}

/// Says `body` and returns the menu's next message.
async fn ask(c: &mut Client, session: i64, body: &str) -> String {
    say(c, session, body).await;
    next_from(c, AuthorKind::Bot).await.body
}

/// A customer served by ann, then sent by her to `target`; returns the menu's first message.
async fn in_menu(
    server: &TestServer,
    ann: &mut Client,
    nickname: &str,
    target: &str,
) -> (Client, i64, String, String) {
    let (mut c, session, token) = server.customer(nickname, Some("general")).await;
    assert_eq!(accept_next_offer(ann).await, session);
    ann.call(
        "session.transfer",
        json!({"session_id": session, "to": {"menu": target}}),
    )
    .await
    .unwrap();
    let first = next_from(&mut c, AuthorKind::Bot).await.body;
    (c, session, token, first)
}

#[tokio::test]
async fn a_customer_sent_to_a_menu_navigates_and_returns_to_people_with_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let (port, _got) = receiver().await;
    let server = setup(dir.path(), port).await;
    let mut ann = server.agent("ann").await;

    // The transfer directory lists the menu and its nodes.
    let d = ann.call("directory", json!({})).await.unwrap();
    assert_eq!(d["menus"][0]["name"], "shop", "{d}");
    let nodes: Vec<&str> = d["menus"][0]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(nodes[0], "main", "{d}");
    assert!(nodes.contains(&"returns"), "{d}");

    let (mut c, session, _, first) = in_menu(&server, &mut ann, "lin", "shop").await;
    assert!(first.starts_with("请选择"), "{first}");
    assert!(first.contains("1. 订单查询 Order status"), "{first}");
    assert!(first.contains("0. 人工"), "{first}");
    // The agent lost it at once: told, and can no longer write.
    ann.wait_event(
        WAIT,
        |e| matches!(e, Event::SessionRemoved { session_id, .. } if *session_id == session),
    )
    .await
    .unwrap();
    let r = ann
        .call(
            "message.send",
            json!({"session_id": session, "client_msg_id": "x", "body": "still here?"}),
        )
        .await;
    assert_eq!(api_code(r), kefu::protocol::ErrorCode::Forbidden);
    assert_eq!(
        stored_session(&open_db(dir.path()), session),
        ("menu".into(), None)
    );

    // By words (a keyword), then by number: an article answers, then its menu again.
    let shown = ask(&mut c, session, "我想退货").await;
    assert!(shown.starts_with("退换货 / Returns:"), "{shown}");
    let answer = ask(&mut c, session, "1").await;
    assert!(answer.starts_with("退款政策"), "{answer}");
    assert!(answer.contains("POLICY-BODY"), "{answer}");
    let again = next_from(&mut c, AuthorKind::Bot).await.body;
    assert!(again.starts_with("退换货 / Returns:"), "{again}");
    // By a label's words, in English.
    let answer = ask(&mut c, session, "pick-up please").await;
    assert!(answer.contains("PICKUP-BODY"), "{answer}");
    next_from(&mut c, AuthorKind::Bot).await;
    // Not understood: a hint and the same menu.
    let hint = ask(&mut c, session, "9").await;
    assert!(hint.contains("没有这个编号"), "{hint}");
    assert!(hint.contains("1. 退款政策"), "{hint}");

    // 人工: back to people, in the menu's group, with the path for the next agent.
    say(&mut c, session, "转人工").await;
    let line = next_from(&mut c, AuthorKind::System).await;
    assert!(line.body.contains("转接人工"), "{}", line.body);
    let offered = wait_offer(&mut ann, session).await.session;
    assert_eq!(offered.group, "aftersales");
    let m = offered.menu.expect("the offer carries the menu's record");
    let ret = m.returned.expect("returned");
    assert_eq!(ret.reason, MenuReturnReason::Requested);
    assert_eq!(ret.group, "aftersales");
    let labels: Vec<&str> = m.path.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Shop self-service",
            "退换货 Returns",
            "退款政策 Refund policy",
            "上门取件 Pick-up",
            "人工 / agent"
        ],
        "{:?}",
        m.path
    );
    assert_eq!(m.path[1].input.as_deref(), Some("我想退货"));
    assert_eq!(m.path[2].input.as_deref(), Some("1"));
    assert_eq!(m.path[4].input.as_deref(), Some("转人工"));
    assert_eq!(m.by.as_deref(), Some("Agent ann"));
    assert_eq!(stored_session(&open_db(dir.path()), session).0, "offered");
    server.stop().await;
}

#[tokio::test]
async fn a_lookup_posts_the_input_signed_and_shows_the_answer_or_the_fallback() {
    let dir = tempfile::tempdir().unwrap();
    let (port, mut got) = receiver().await;
    let server = setup(dir.path(), port).await;
    let mut ann = server.agent("ann").await;
    let (mut c, session, _, first) = in_menu(&server, &mut ann, "wu", "shop/order").await;
    assert!(first.starts_with("请输入订单号"), "{first}");

    // The receiver's answer, cleaned of control characters, then the menu again.
    let answer = ask(&mut c, session, "SO-12345").await;
    assert_eq!(answer, "订单 SO-12345 已发货[2J");
    let again = next_from(&mut c, AuthorKind::Bot).await.body;
    assert!(again.starts_with("请选择"), "{again}");
    let req = got.recv().await.unwrap();
    assert_eq!(req.path, "/order");
    assert_eq!(req.body["menu"], "shop");
    assert_eq!(req.body["node"], "order");
    assert_eq!(req.body["input"], "SO-12345");
    assert_eq!(req.body["session_id"], session);
    assert_eq!(req.body["customer"]["nickname"], "wu");
    // Signed like the channel API's webhooks: the receiver can verify it with the secret.
    let header = |name: &str| {
        req.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let raw = serde_json::to_vec(&req.body).unwrap();
    let ts: i64 = header("x-kefu-timestamp").unwrap().parse().unwrap();
    assert_eq!(
        header("x-kefu-signature").unwrap(),
        kefu::server::api::signature::sign(SECRET, ts, &raw)
    );

    // The receiver fails: the node's fallback, then the menu.
    say(&mut c, session, "1").await;
    next_from(&mut c, AuthorKind::Bot).await;
    let answer = ask(&mut c, session, "FAIL").await;
    assert_eq!(answer, "FALLBACK: try later");
    next_from(&mut c, AuthorKind::Bot).await;
    got.recv().await.unwrap();

    // A response over the size limit counts as failed, too.
    say(&mut c, session, "1").await;
    next_from(&mut c, AuthorKind::Bot).await;
    let answer = ask(&mut c, session, "BIG").await;
    assert_eq!(answer, "FALLBACK: try later");
    next_from(&mut c, AuthorKind::Bot).await;
    got.recv().await.unwrap();

    // The receiver does not answer within the node's 300 ms: the fallback.
    say(&mut c, session, "3").await;
    next_from(&mut c, AuthorKind::Bot).await;
    let answer = ask(&mut c, session, "anything").await;
    assert_eq!(answer, "SLOW FALLBACK");
    assert_eq!(got.recv().await.unwrap().path, "/slow");

    // That was the 4th lookup (`max_lookups = 4`): a 5th is refused, without a request.
    say(&mut c, session, "1").await;
    next_from(&mut c, AuthorKind::Bot).await;
    let refused = ask(&mut c, session, "SO-1").await;
    assert!(refused.contains("reply 0 for a person"), "{refused}");
    assert!(got.try_recv().is_err(), "no request was made");

    // What the next agent sees: the inputs and whether each lookup answered.
    say(&mut c, session, "0").await;
    let m = wait_offer(&mut ann, session).await.session.menu.unwrap();
    let lookups: Vec<(Option<&str>, Option<bool>)> = m
        .path
        .iter()
        .filter(|s| s.answered.is_some())
        .map(|s| (s.input.as_deref(), s.answered))
        .collect();
    assert_eq!(
        lookups,
        [
            (Some("SO-12345"), Some(true)),
            (Some("FAIL"), Some(false)),
            (Some("BIG"), Some(false)),
            (Some("anything"), Some(false))
        ]
    );
    assert_eq!(m.lookups, 4);
    // `0` returns to the menu's group.
    assert_eq!(m.returned.unwrap().reason, MenuReturnReason::Requested);
    server.stop().await;
}

#[tokio::test]
async fn inputs_not_understood_return_the_customer_after_max_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let (port, _got) = receiver().await;
    let server = setup(dir.path(), port).await;
    let mut ann = server.agent("ann").await;
    let (mut c, session, _, _) = in_menu(&server, &mut ann, "li", "shop").await;
    // A good input in between resets the count (max_invalid is 3).
    for input in ["blah", "42"] {
        let hint = ask(&mut c, session, input).await;
        assert!(hint.contains("1. 订单查询"), "{hint}");
    }
    ask(&mut c, session, "2").await;
    for input in ["qwerty", "asdf"] {
        ask(&mut c, session, input).await;
    }
    assert_eq!(stored_session(&open_db(dir.path()), session).0, "menu");
    say(&mut c, session, "zzz").await;
    let line = next_from(&mut c, AuthorKind::System).await;
    assert!(
        line.body.contains("Connecting you to a person"),
        "{}",
        line.body
    );
    let offered = wait_offer(&mut ann, session).await.session;
    let ret = offered.menu.unwrap().returned.unwrap();
    assert_eq!(ret.reason, MenuReturnReason::Invalid);
    assert_eq!(ret.group, "aftersales");
    server.stop().await;
}

#[tokio::test]
async fn unknown_menus_and_nodes_are_refused_and_the_agent_keeps_the_conversation() {
    let dir = tempfile::tempdir().unwrap();
    let (port, _got) = receiver().await;
    let server = setup(dir.path(), port).await;
    let mut ann = server.agent("ann").await;
    let (_c, session, _) = server.customer("zhao", Some("general")).await;
    accept_next_offer(&mut ann).await;
    for target in ["nope", "shop/nope"] {
        let r = ann
            .call(
                "session.transfer",
                json!({"session_id": session, "to": {"menu": target}}),
            )
            .await;
        assert_eq!(api_code(r), kefu::protocol::ErrorCode::NotFound, "{target}");
    }
    assert_eq!(
        stored_session(&open_db(dir.path()), session).0,
        "active",
        "still with ann"
    );
    ann.call(
        "message.send",
        json!({"session_id": session, "client_msg_id": "m1", "body": "still here"}),
    )
    .await
    .unwrap();
    server.stop().await;
}

#[tokio::test]
async fn a_restart_keeps_the_customer_at_their_node() {
    let dir = tempfile::tempdir().unwrap();
    let (port, _got) = receiver().await;
    let server = setup(dir.path(), port).await;
    let addr = server.addr.to_string();
    let mut ann = server.agent("ann").await;
    let (mut c, session, token, _) = in_menu(&server, &mut ann, "sun", "shop").await;
    let shown = ask(&mut c, session, "refund").await;
    assert!(shown.starts_with("退换货"), "{shown}");
    drop(c);
    drop(ann);
    server.stop().await;
    // The transfer to the menu is recorded like any other, for reports.
    let mut store = kefu::server::open_store(dir.path(), &config(port)).unwrap();
    let mut recorded = Vec::new();
    store
        .transaction(&mut |tx| {
            recorded = kefu::store::transfers::TransferRead::transfers_of(tx, session)?;
            Ok(())
        })
        .unwrap();
    drop(store);
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    assert_eq!(recorded[0].to_group, "menu:shop");
    assert_eq!(recorded[0].to_agent, None);

    let server = TestServer::start_on(&addr, dir.path(), config(port)).await;
    let mut ann = server.agent("ann").await;
    let snap = ann.call("snapshot", json!({})).await.unwrap();
    assert_eq!(snap["offers"], json!([]), "in no queue: {snap}");
    let mut c = Client::connect(&server.url("customer")).await.unwrap();
    let r = c
        .call("customer.resume", json!({"token": token}))
        .await
        .unwrap();
    assert_eq!(r["session_id"], session);
    // Still at `returns`: its option 2 is the pick-up article (main's 2 would be a menu).
    let answer = ask(&mut c, session, "2").await;
    assert!(answer.contains("PICKUP-BODY"), "{answer}");
    next_from(&mut c, AuthorKind::Bot).await;
    say(&mut c, session, "人工").await;
    let m = wait_offer(&mut ann, session).await.session.menu.unwrap();
    let labels: Vec<&str> = m.path.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Shop self-service",
            "退换货 Returns",
            "上门取件 Pick-up",
            "人工 / agent"
        ]
    );
    server.stop().await;
}

#[test]
fn admin_menu_check_prints_each_problem_with_its_line_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path());
    let file = dir.path().join("help.toml");
    let run = |text: &str| {
        std::fs::write(&file, text).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_kefu"))
            .args(["admin", "--data-dir"])
            .arg(dir.path())
            .args(["menu", "check"])
            .arg(&file)
            .env_remove("KEFU_DATA_DIR")
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
        )
    };
    let f = file.display().to_string();
    // Article 1 exists (seeded), 5 does not; group `nope` does not.
    let (ok, out) = run(r#"[nodes.main]
prompt = "choose"
options = [
  { key = 1, label = "Policy", to = "policy" },
  { key = 2, label = "Missing", to = "missing" },
  { key = 2, label = "Twice", to = "people" },
]

[nodes.policy]
article = 1

[nodes.missing]
article = 5

[nodes.people]
queue = "nope"
"#);
    assert!(!ok, "{out}");
    assert!(
        out.contains(&format!("{f}:6:")),
        "duplicate number on line 6: {out}"
    );
    assert!(out.contains("option number 2 is used twice"), "{out}");
    // Structure first: fix it, then the references are checked against the store.
    let (ok, out) = run(r#"[nodes.main]
prompt = "choose"
options = [
  { key = 1, label = "Policy", to = "policy" },
  { key = 2, label = "Missing", to = "missing" },
  { key = 3, label = "People", to = "people" },
]

[nodes.policy]
article = 1

[nodes.missing]
article = 5

[nodes.people]
queue = "nope"
"#);
    assert!(!ok, "{out}");
    assert!(
        out.contains(&format!(
            "{f}:13:1: node `missing`: knowledge-base article 5 does not exist"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("{f}:15:1: node `people`: no group `nope`")),
        "{out}"
    );
    assert!(!out.contains("article 1 "), "{out}");
    let (ok, out) = run(
        "[nodes.main]\nprompt = \"p\"\noptions = [{ key = 1, label = \"x\", to = \"a\" }]\n[nodes.a]\narticle = 2\n",
    );
    assert!(ok, "{out}");
    assert!(out.contains("ok"), "{out}");
}

#[tokio::test]
async fn a_customer_of_the_http_channel_api_navigates_through_its_webhook() {
    use channel_support::{Receiver, add_integration, kinds, post_message};
    let dir = tempfile::tempdir().unwrap();
    let (port, _got) = receiver().await;
    let hook = Receiver::start().await;
    let secret = add_integration(dir.path(), "app", &hook.url());
    let server = setup(dir.path(), port).await;
    let addr = server.addr.to_string();
    let mut ann = server.agent("ann").await;
    let post = |text: &str, key: &str| {
        json!({"external_customer_id": "u-9", "nickname": "Wei", "text": text,
               "idempotency_key": key, "group": "general"})
    };
    let (status, out) = post_message(&addr, "app", &secret, &post("hello", "k1")).await;
    assert_eq!(status, 201, "{out}");
    let session = out["conversation_id"].as_i64().unwrap();
    assert_eq!(accept_next_offer(&mut ann).await, session);
    ann.call(
        "session.transfer",
        json!({"session_id": session, "to": {"menu": "shop"}}),
    )
    .await
    .unwrap();
    let has = |events: &[Value], start: &str| {
        kinds(events)
            .iter()
            .any(|k| k.starts_with(&format!("message:{start}")))
    };
    hook.wait_accepted("the menu's prompt", |e| has(e, "请选择"))
        .await;
    post_message(&addr, "app", &secret, &post("refund", "k2")).await;
    hook.wait_accepted("the returns menu", |e| has(e, "退换货 / Returns:"))
        .await;
    post_message(&addr, "app", &secret, &post("0", "k3")).await;
    let got = hook
        .wait_accepted("the hand-off line", |e| has(e, "正在为您转接人工客服"))
        .await;
    let line = got
        .iter()
        .find(|e| {
            e["event"]["message"]["body"]
                .as_str()
                .is_some_and(|b| b.starts_with("正在为您转接人工客服"))
        })
        .unwrap();
    assert_eq!(line["event"]["message"]["author_kind"], "system");
    let offered = wait_offer(&mut ann, session).await.session;
    assert_eq!(
        offered.menu.unwrap().path[1].input.as_deref(),
        Some("refund")
    );
    server.stop().await;
}

/// The demo's menu (`src/demo/menu_shop.toml`) answers from the demo's seeded knowledge base:
/// its article ids are those of the seed.
#[tokio::test]
async fn the_demo_menu_answers_from_the_seeded_knowledge_base() {
    let dir = tempfile::tempdir().unwrap();
    let info = {
        let mut store = kefu::server::open_store(dir.path(), &Default::default()).unwrap();
        kefu::demo::seed(&mut store, kefu::model::now_ms()).unwrap()
    };
    let server = TestServer::start(dir.path(), kefu::demo::demo_config()).await;
    let mut agent = Client::connect(&server.url("agent")).await.unwrap();
    agent
        .call(
            "login",
            json!({"username": info.username, "password": info.password}),
        )
        .await
        .unwrap();
    agent
        .call("status.set", json!({"status": "online"}))
        .await
        .unwrap();
    // Logistics: no bot in front, straight to the demo agent.
    let (mut c, session, _) = server.customer("Visitor", Some("logistics")).await;
    let offered = wait_offer(&mut agent, session).await.session;
    agent
        .call("session.accept", json!({"session_id": offered.id}))
        .await
        .unwrap();
    agent
        .call(
            "session.transfer",
            json!({"session_id": session, "to": {"menu": "shop"}}),
        )
        .await
        .unwrap();
    let first = next_from(&mut c, AuthorKind::Bot).await.body;
    assert!(first.contains("1. 订单查询"), "{first}");
    for (input, title) in [
        ("3", "发票开具"),
        ("2", "退换货"),
        ("1", "退款政策"),
        ("2", "退货流程"),
        ("3", "换货说明"),
    ] {
        let said = ask(&mut c, session, input).await;
        assert!(said.starts_with(title), "{input}: {said}");
        if title != "退换货" {
            next_from(&mut c, AuthorKind::Bot).await;
        }
    }
    server.stop().await;
}

/// A supervisor takes a customer out of a menu by transferring them to a group: back with
/// people, told so, and the next agent sees the path with why it ended.
#[tokio::test]
async fn a_supervisor_transfers_a_customer_out_of_a_menu() {
    let dir = tempfile::tempdir().unwrap();
    let (port, _got) = receiver().await;
    seed(dir.path());
    add_agent(
        dir.path(),
        "ann",
        &["general", "aftersales"],
        Role::Agent,
        None,
    );
    add_agent(dir.path(), "sue", &["general"], Role::Supervisor, None);
    let server = TestServer::start(dir.path(), config(port)).await;
    let mut ann = server.agent("ann").await;
    let mut sue = server.agent("sue").await;
    let (mut c, session, _, _) = in_menu(&server, &mut ann, "qian", "shop").await;
    // The agent who sent them there has no say any more.
    let r = ann
        .call(
            "session.transfer",
            json!({"session_id": session, "to": {"group": "aftersales"}}),
        )
        .await;
    assert_eq!(api_code(r), kefu::protocol::ErrorCode::Forbidden);

    sue.call(
        "session.transfer",
        json!({"session_id": session, "to": {"group": "aftersales"}, "note": "VIP, take over"}),
    )
    .await
    .unwrap();
    next_from(&mut c, AuthorKind::System).await;
    let offer = wait_offer(&mut ann, session).await;
    // The first offer is the transfer's own: with its note.
    assert_eq!(offer.note.as_deref(), Some("VIP, take over"));
    let offered = offer.session;
    assert_eq!(offered.group, "aftersales");
    let returned = offered.menu.unwrap().returned.unwrap();
    assert_eq!(returned.reason, MenuReturnReason::Taken);
    assert_eq!(returned.group, "aftersales");
    server.stop().await;
}
