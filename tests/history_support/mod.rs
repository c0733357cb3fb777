//! The history fixture: four agents, three customers and thirty conversations written
//! straight into the store (as a server that ran before would have left them), every filter
//! with a known answer. See `tests/history.rs` for who sees what.
#![allow(dead_code)]

use crate::common::{self, TestServer};
use kefu::bench::history_data::{GenConversation, write_conversation};
use kefu::model::{AuthorKind, Channel, EndReason, Role, SessionState};
use kefu::protocol::{CustomerView, MessageView, SessionView};
use kefu::store::transfers::TransferRecord;
use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, Instant};

pub const ALICE: i64 = 1;
pub const BOB: i64 = 2;
pub const CAROL: i64 = 3;

pub fn day(d: &str) -> i64 {
    kefu::admin::parse_date(d, 0).unwrap()
}

fn customer(id: i64, nick: &str) -> CustomerView {
    CustomerView {
        id,
        external_id: Some(format!("u-{id}")),
        nickname: nick.into(),
        channel: Channel::Web,
        vip: false,
        tags: vec![],
    }
}

pub struct Conv<'a> {
    pub id: i64,
    pub customer: i64,
    pub group: &'a str,
    pub channel: Channel,
    pub assignee: Option<i64>,
    pub tags: &'a [&'a str],
    pub outcome: Option<EndReason>,
    pub csat: Option<u8>,
    pub intent: Option<&'a str>,
    pub created: i64,
    /// (author, body, note)
    pub messages: &'a [(AuthorKind, &'a str, bool)],
}

fn build(c: &Conv, customers: &[CustomerView]) -> GenConversation {
    let cust = customers[(c.customer - 1) as usize].clone();
    let messages: Vec<MessageView> = c
        .messages
        .iter()
        .enumerate()
        .map(|(i, (kind, body, note))| MessageView {
            session_id: c.id,
            seq: i as i64 + 1,
            author_kind: *kind,
            author_id: match kind {
                AuthorKind::Customer => Some(cust.id),
                _ => c.assignee,
            },
            author_name: match kind {
                AuthorKind::Customer => cust.nickname.clone(),
                _ => "agent".into(),
            },
            body: body.to_string(),
            client_msg_id: None,
            created_at: c.created + 1000 * (i as i64 + 1),
            internal: *note,
        })
        .collect();
    let open = c.outcome.is_none();
    GenConversation {
        session: SessionView {
            id: c.id,
            customer: cust,
            channel: c.channel,
            state: if open {
                SessionState::Active
            } else {
                SessionState::Ended
            },
            group: c.group.into(),
            assignee: c.assignee,
            priority: 0,
            intent: c.intent.map(str::to_string),
            tags: c.tags.iter().map(|t| t.to_string()).collect(),
            follow_up: false,
            created_at: c.created,
            queued_at: Some(c.created),
            offered_at: None,
            accepted_at: c.assignee.map(|_| c.created + 500),
            first_human_reply_at: None,
            ended_at: (!open).then_some(c.created + 60_000),
            end_reason: c.outcome,
            csat: c.csat,
            last_seq: messages.len() as i64,
            waiting_since: None,
            context: None,
            offline: false,
            csat_comment: None,
            replied_at: None,
            reminded_at: None,
            bot: None,
            menu: None,
            follow_up_at: None,
            ends_at: None,
            pending_end: None,
        },
        messages,
        transfers: vec![],
    }
}

use AuthorKind::{Agent as A, Customer as C};

/// Writes the fixture into `dir` (agents alice, bob, carol; supervisor sup).
pub fn fixture(dir: &Path) {
    common::add_agent(
        dir,
        "alice",
        &["sales", "support", "bulk"],
        Role::Agent,
        None,
    );
    common::add_agent(dir, "bob", &["sales"], Role::Agent, None);
    common::add_agent(dir, "carol", &["support"], Role::Agent, None);
    common::add_agent(dir, "sup", &["sales"], Role::Supervisor, None);
    let customers = vec![
        customer(1, "张三"),
        customer(2, "Li Lei"),
        customer(3, "王五"),
    ];
    let mut convs = vec![
        Conv {
            id: 1,
            customer: 1,
            group: "sales",
            channel: Channel::Web,
            assignee: Some(ALICE),
            tags: &["退款"],
            outcome: Some(EndReason::Resolved),
            csat: Some(5),
            intent: Some("refund"),
            created: day("2026-10-01"),
            messages: &[
                (C, "我要退款了", false),
                (A, "好的，马上处理", false),
                (A, "VIP客户注意 secretword", true),
            ],
        },
        Conv {
            id: 2,
            customer: 2,
            group: "sales",
            channel: Channel::App,
            assignee: Some(BOB),
            tags: &["发票", "vip"],
            outcome: Some(EndReason::Unresolved),
            csat: Some(2),
            intent: Some("invoice"),
            created: day("2026-11-02"),
            messages: &[
                (C, "My order was refunded twice", false),
                (A, "Let me check", false),
            ],
        },
        Conv {
            id: 3,
            customer: 3,
            group: "support",
            channel: Channel::Web,
            assignee: Some(CAROL),
            tags: &["退款"],
            outcome: Some(EndReason::Abandoned),
            csat: None,
            intent: None,
            created: day("2026-11-10"),
            messages: &[(C, "申请退货退款", false), (A, "收到", false)],
        },
        Conv {
            id: 4,
            customer: 1,
            group: "support",
            channel: Channel::MiniProgram,
            assignee: Some(CAROL),
            tags: &[],
            outcome: Some(EndReason::Resolved),
            csat: Some(4),
            intent: None,
            created: day("2026-11-12"),
            messages: &[(C, "where is my parcel", false)],
        },
        // Open: carol serves customer 1 now.
        Conv {
            id: 5,
            customer: 1,
            group: "support",
            channel: Channel::Web,
            assignee: Some(CAROL),
            tags: &[],
            outcome: None,
            csat: None,
            intent: None,
            created: day("2026-11-20"),
            messages: &[(C, "还在吗", false)],
        },
    ];
    for id in 6..=30 {
        convs.push(Conv {
            id,
            customer: 2,
            group: "bulk",
            channel: Channel::Api,
            assignee: None,
            tags: &[],
            outcome: Some(EndReason::Abandoned),
            csat: None,
            intent: None,
            created: day("2026-11-15") + id * 60_000,
            messages: &[(C, "分页测试 paging", false)],
        });
    }
    let mut store = kefu::server::open_store(dir, &kefu::config::ServerConfig::default()).unwrap();
    store
        .transaction(&mut |tx| {
            tx.upsert_group("bulk", kefu::model::Strategy::LeastBusy)?;
            for c in &customers {
                tx.insert_customer(c, day("2026-09-01"))?;
            }
            for c in &convs {
                let mut g = build(c, &customers);
                if c.id == 2 {
                    g.transfers.push(TransferRecord {
                        id: 0,
                        session_id: 2,
                        by_agent: Some(ALICE),
                        from_agent: Some(ALICE),
                        from_group: "sales".into(),
                        to_agent: Some(BOB),
                        to_group: "sales".into(),
                        note: "发票问题".into(),
                        queued: false,
                        at: c.created + 1500,
                    });
                }
                write_conversation(tx, &g)?;
            }
            Ok(())
        })
        .unwrap();
}

pub fn config() -> kefu::config::ServerConfig {
    common::config_with_groups(&["sales", "support", "bulk"])
}

/// The session ids of a search's hits.
pub fn ids(reply: &Value) -> Vec<i64> {
    reply["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["session_id"].as_i64().unwrap())
        .collect()
}

pub async fn search(c: &mut kefu::client::Client, q: Value) -> Value {
    c.call("history.search", q).await.unwrap()
}

/// Searches until `want` holds (the index lags by a second or two), or fails at the deadline.
pub async fn search_until(
    c: &mut kefu::client::Client,
    q: Value,
    want: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = search(c, q.clone()).await;
        if want(&r) {
            return r;
        }
        assert!(
            Instant::now() < deadline,
            "search {q} never gave what was wanted: {r}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Starts the server on the fixture and waits until every message is indexed.
pub async fn start(dir: &Path) -> TestServer {
    let server = TestServer::start(dir, config()).await;
    let mut sup = server.agent("sup").await;
    search_until(
        &mut sup,
        json!({"text": "分页测试", "limit": 100}),
        |r| ids(r).len() == 25,
    )
    .await;
    server
}
