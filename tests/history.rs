//! History search over a real server (`docs/history.md`): every filter on the fixture
//! (`history_support`), paging, the highlighted line, Chinese words inside longer ones and
//! English stems, notes, bad input, and a message sent live found a moment later.

mod common;
mod history_support;

use common::api_code;
use history_support::{day, ids, search, search_until, start};
use kefu::protocol::ErrorCode;
use serde_json::json;

#[tokio::test]
async fn every_filter_alone_and_together() {
    let dir = tempfile::tempdir().unwrap();
    history_support::fixture(dir.path());
    let server = start(dir.path()).await;
    let mut sup = server.agent("sup").await;
    let cases = [
        (json!({"text": "退款"}), vec![3, 1]),
        (json!({"text": "refund"}), vec![2]),
        (json!({"text": "REFUNDS"}), vec![2]),
        (json!({"text": "\"order was refunded\""}), vec![2]),
        (json!({"text": "\"refunded order\""}), vec![]),
        (json!({"text": "parcel where"}), vec![4]),
        (json!({"text": "parcel 退款"}), vec![]),
        (json!({"customer": "u-1"}), vec![5, 4, 1]),
        (json!({"customer": "#3"}), vec![3]),
        (json!({"customer": "三"}), vec![5, 4, 1]),
        (json!({"customer": "Lei", "limit": 2}), vec![30, 29]),
        (
            json!({"after": day("2026-11-01"), "before": day("2026-11-11")}),
            vec![3, 2],
        ),
        (json!({"tags": ["退款"]}), vec![3, 1]),
        (json!({"tags": ["发票", "vip"]}), vec![2]),
        (json!({"tags": ["退款", "vip"]}), vec![]),
        (json!({"agent": "alice"}), vec![2, 1]),
        (json!({"agent": "carol"}), vec![5, 4, 3]),
        (json!({"agent": "nobody"}), vec![]),
        (json!({"group": "support"}), vec![5, 4, 3]),
        (json!({"channel": "app"}), vec![2]),
        (json!({"outcome": "resolved"}), vec![4, 1]),
        (json!({"csat_min": 4}), vec![4, 1]),
        (json!({"csat_max": 2}), vec![2]),
        (json!({"csat_min": 3, "csat_max": 4}), vec![4]),
        (json!({"intent": "refund"}), vec![1]),
        (json!({"open": true}), vec![5]),
        (json!({"text": "退款", "agent": "carol"}), vec![3]),
        (
            json!({"text": "退款", "tags": ["退款"], "csat_min": 5}),
            vec![1],
        ),
        (
            json!({"group": "sales", "channel": "web", "outcome": "resolved"}),
            vec![1],
        ),
    ];
    for (q, want) in cases {
        let r = search(&mut sup, q.clone()).await;
        assert_eq!(ids(&r), want, "{q}: {r}");
        let paged = q.get("limit").is_some();
        assert_eq!(
            r.get("next").is_some(),
            paged,
            "{q}: one page unless limited: {r}"
        );
    }
    // What a hit carries.
    let r = search(&mut sup, json!({"text": "发票", "tags": ["vip"]})).await;
    assert_eq!(
        ids(&r),
        Vec::<i64>::new(),
        "发票 is a tag of 2, not in its messages"
    );
    let r = search(&mut sup, json!({"customer": "u-2", "channel": "app"})).await;
    let h = &r["hits"][0];
    assert_eq!(h["customer"], "Li Lei");
    assert_eq!(h["external_id"], "u-2");
    assert_eq!(h["agent"], "Agent bob");
    assert_eq!(h["outcome"], "unresolved");
    assert_eq!(h["csat"], 2);
    assert_eq!(h["tags"], json!(["发票", "vip"]));
    assert_eq!(h["messages"], 2);
    assert!(h.get("line").is_none(), "no text, no line: {h}");
    server.stop().await;
}

#[tokio::test]
async fn the_matched_line_is_highlighted_in_characters() {
    let dir = tempfile::tempdir().unwrap();
    history_support::fixture(dir.path());
    let server = start(dir.path()).await;
    let mut sup = server.agent("sup").await;
    let r = search(&mut sup, json!({"text": "退款", "customer": "#1"})).await;
    let line = &r["hits"][0]["line"];
    assert_eq!(line["text"], "我要退款了", "{r}");
    assert_eq!(line["highlights"], json!([[2, 4]]));
    assert_eq!(line["author_kind"], "customer");
    assert_eq!(line["seq"], 1);
    let r = search(&mut sup, json!({"text": "退款", "customer": "#3"})).await;
    let line = &r["hits"][0]["line"];
    assert_eq!(
        line["text"], "申请退货退款",
        "a word inside a compound: {r}"
    );
    assert_eq!(line["highlights"], json!([[4, 6]]));
    let r = search(&mut sup, json!({"text": "refund"})).await;
    let line = &r["hits"][0]["line"];
    assert_eq!(line["text"], "My order was refunded twice");
    assert_eq!(
        line["highlights"],
        json!([[13, 21]]),
        "the stemmed word: {r}"
    );
    // A note is found and marked, for agents who may read the conversation.
    let r = search(&mut sup, json!({"text": "secretword"})).await;
    assert_eq!(ids(&r), [1]);
    assert_eq!(r["hits"][0]["line"]["internal"], true);
    server.stop().await;
}

#[tokio::test]
async fn pages_newest_first_with_next() {
    let dir = tempfile::tempdir().unwrap();
    history_support::fixture(dir.path());
    let server = start(dir.path()).await;
    let mut sup = server.agent("sup").await;
    for q in [
        json!({"group": "bulk"}),
        json!({"text": "分页测试"}),
        json!({"text": "分页测试", "group": "bulk"}),
    ] {
        let mut seen = Vec::new();
        let mut before: Option<i64> = None;
        let mut pages = 0;
        loop {
            let mut q = q.clone();
            q["limit"] = json!(10);
            if let Some(b) = before {
                q["before_id"] = json!(b);
            }
            let r = search(&mut sup, q.clone()).await;
            pages += 1;
            seen.extend(ids(&r));
            match r.get("next").and_then(|n| n.as_i64()) {
                Some(n) => {
                    assert_eq!(Some(&n), seen.last(), "next is the last hit: {r}");
                    before = Some(n);
                }
                None => break,
            }
            assert!(pages < 5, "{q}: too many pages");
        }
        assert_eq!(seen, (6..=30).rev().collect::<Vec<_>>(), "{q}");
        assert_eq!(pages, 3, "{q}");
    }
    server.stop().await;
}

#[tokio::test]
async fn bad_searches_are_invalid() {
    let dir = tempfile::tempdir().unwrap();
    history_support::fixture(dir.path());
    let server = common::TestServer::start(dir.path(), history_support::config()).await;
    let mut sup = server.agent("sup").await;
    for q in [
        json!({"text": "退".repeat(201)}),
        json!({"text": "，。！"}),
        json!({"limit": 0}),
        json!({"limit": 101}),
        json!({"csat_min": 9}),
        json!({"csat_min": 4, "csat_max": 2}),
        json!({"after": 10, "before": 5}),
        json!({"before_id": 0}),
        json!({"tags": ["a","b","c","d","e","f","g","h","i","j","k"]}),
    ] {
        let r = sup.call("history.search", q.clone()).await;
        assert_eq!(api_code(r), ErrorCode::Invalid, "{q}");
    }
    // Nothing was lost: the connection still answers.
    let r = search(&mut sup, json!({"group": "sales"})).await;
    assert_eq!(ids(&r), [2, 1]);
    server.stop().await;
}

#[tokio::test]
async fn a_message_sent_now_is_found_a_moment_later() {
    let dir = tempfile::tempdir().unwrap();
    history_support::fixture(dir.path());
    let server = start(dir.path()).await;
    let mut sup = server.agent("sup").await;
    let (mut customer, session, _) = server.customer("新客户", Some("sales")).await;
    customer
        .call("message.send", json!({"session_id": session, "body": "我的快递被压坏了 crushed parcel", "client_msg_id": "m1"}))
        .await
        .unwrap();
    for text in ["压坏", "crush"] {
        let r = search_until(&mut sup, json!({"text": text}), |r| !ids(r).is_empty()).await;
        assert_eq!(ids(&r), [session], "{text}");
        assert_eq!(
            r["hits"][0]["line"]["text"],
            "我的快递被压坏了 crushed parcel"
        );
    }
    server.stop().await;
}
