//! Reports (issue 11, S20/S26) against a real server: conversations scripted over WebSocket
//! (a note between a customer message and the reply, a transfer to a colleague, a rating, an
//! unrated one, one the customer leaves before anyone takes it), then `report.get` checked
//! against the stored times, the same after a restart, the same from `kefu admin report`
//! (JSON), and the CSV and SVG outputs; permissions and bad input.

mod common;

use common::*;
use kefu::client::Client;
use kefu::model::{Role, now_ms};
use kefu::protocol::{ErrorCode, ReportReply};
use serde_json::{Value, json};
use std::time::Duration;

async fn say(c: &mut Client, session: i64, id: &str, body: &str) {
    c.call(
        "message.send",
        json!({"session_id": session, "client_msg_id": id, "body": body}),
    )
    .await
    .unwrap();
}

async fn report(c: &mut Client, q: Value) -> ReportReply {
    serde_json::from_value(c.call("report.get", q).await.unwrap()).unwrap()
}

/// (first_human_reply_at − created_at) of a stored session.
fn first_response(db: &rusqlite::Connection, session: i64) -> i64 {
    db.query_row(
        "SELECT first_human_reply_at - created_at FROM sessions WHERE id = ?1",
        [session],
        |r| r.get(0),
    )
    .unwrap()
}

/// The stored time of the message with this body.
fn at(db: &rusqlite::Connection, body: &str) -> i64 {
    db.query_row(
        "SELECT created_at FROM messages WHERE body = ?1",
        [body],
        |r| r.get(0),
    )
    .unwrap()
}

fn avg(v: &[i64]) -> u64 {
    let n = v.len() as i64;
    ((v.iter().sum::<i64>() + n / 2) / n) as u64
}

fn row<'a>(r: &'a ReportReply, key: &str) -> &'a kefu::protocol::Metrics {
    &r.rows
        .iter()
        .find(|x| x.key == key)
        .unwrap_or_else(|| panic!("no {key}"))
        .metrics
}

/// Is `s` well-formed XML as far as an SVG viewer cares: every tag closed in order, no bare
/// `<` or `&` in text or attributes.
fn well_formed(s: &str) -> bool {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        let text = &rest[..i];
        if text.split('&').skip(1).any(|e| {
            !["amp;", "lt;", "gt;", "quot;", "apos;"]
                .iter()
                .any(|x| e.starts_with(x))
        }) {
            return false;
        }
        let Some(j) = rest[i..].find('>') else {
            return false;
        };
        let tag = &rest[i + 1..i + j];
        if tag.contains('<') {
            return false;
        }
        if let Some(name) = tag.strip_prefix('/') {
            if stack.pop().as_deref() != Some(name.trim()) {
                return false;
            }
        } else if !tag.ends_with('/') {
            stack.push(tag.split_whitespace().next().unwrap_or("").to_string());
        }
        rest = &rest[i + j + 1..];
    }
    stack.is_empty() && rest.trim().is_empty()
}

#[tokio::test]
async fn scripted_conversations_give_the_stored_numbers_before_and_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_with_groups(&["sales"]);
    add_agent(dir.path(), "alice", &["sales"], Role::Agent, None);
    add_agent(dir.path(), "bob", &["sales"], Role::Agent, None);
    add_agent(dir.path(), "boss", &["sales"], Role::Supervisor, None);
    let from = now_ms() - 1000;
    let server = TestServer::start(dir.path(), config.clone()).await;
    let mut alice = server.agent("alice").await;

    // C1: alice answers, with a note in between that must not count as her reply; resolved,
    // 5 stars.
    let (mut c1, s1, _) = server.customer("c1", None).await;
    say(&mut c1, s1, "c1-1", "hi there").await;
    accept_next_offer(&mut alice).await;
    alice
        .call(
            "note.add",
            json!({"session_id": s1, "client_msg_id": "n1", "body": "checking the order"}),
        )
        .await
        .unwrap();
    // A gap, so a note counted as the reply would change the numbers.
    tokio::time::sleep(Duration::from_millis(40)).await;
    say(&mut alice, s1, "a1-1", "hello, how can I help?").await;
    wait_message(&mut c1, "hello, how can I help?").await;
    say(&mut c1, s1, "c1-2", "where is my parcel").await;
    wait_message(&mut alice, "where is my parcel").await;
    say(&mut alice, s1, "a1-2", "on its way").await;
    alice
        .call(
            "session.end",
            json!({"session_id": s1, "outcome": "resolved"}),
        )
        .await
        .unwrap();
    c1.call("session.rate", json!({"session_id": s1, "stars": 5}))
        .await
        .unwrap();

    // C2: alice answers first, transfers to bob, bob answers and ends it unresolved; the
    // customer does not rate.
    let (mut c2, s2, _) = server.customer("c2", None).await;
    say(&mut c2, s2, "c2-1", "hello?").await;
    accept_next_offer(&mut alice).await;
    say(&mut alice, s2, "a2-1", "one moment").await;
    let mut bob = server.agent("bob").await;
    alice
        .call(
            "session.transfer",
            json!({"session_id": s2, "to": {"agent": "bob"}}),
        )
        .await
        .unwrap();
    wait_offer(&mut bob, s2).await;
    bob.call("session.accept", json!({"session_id": s2}))
        .await
        .unwrap();
    say(&mut c2, s2, "c2-2", "still there?").await;
    wait_message(&mut bob, "still there?").await;
    say(&mut bob, s2, "b2-1", "yes, bob here").await;
    bob.call(
        "session.end",
        json!({"session_id": s2, "outcome": "unresolved"}),
    )
    .await
    .unwrap();

    // C3: the customer leaves before anyone takes it (no survey).
    alice
        .call("status.set", json!({"status": "busy"}))
        .await
        .unwrap();
    bob.call("status.set", json!({"status": "busy"}))
        .await
        .unwrap();
    let (mut c3, s3, _) = server.customer("c3", None).await;
    c3.call("session.end", json!({"session_id": s3}))
        .await
        .unwrap();

    // A fixed range, so the status time (and everything else) is the same later.
    let to = now_ms() + 1;
    while now_ms() <= to {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let team =
        json!({"from": from, "to": to, "scope": "team", "by": "agent", "tz": "Asia/Shanghai"});
    let mut boss = server.agent("boss").await;
    let r = report(&mut boss, team.clone()).await;
    let mine = report(&mut alice, json!({"from": from, "to": to})).await;

    // Permissions and bad input.
    let code = |r| api_code(r);
    assert_eq!(
        code(
            alice
                .call(
                    "report.get",
                    json!({"from": from, "to": to, "scope": "team"})
                )
                .await
        ),
        ErrorCode::Forbidden
    );
    assert_eq!(
        code(
            alice
                .call("report.get", json!({"from": from, "to": to, "by": "group"}))
                .await
        ),
        ErrorCode::Forbidden
    );
    for bad in [
        json!({"from": to, "to": from}),
        json!({"from": from, "to": from + 367 * 86_400_000i64}),
        json!({"from": from, "to": to, "tz": "Nowhere/Atlantis"}),
    ] {
        assert_eq!(code(boss.call("report.get", bad).await), ErrorCode::Invalid);
    }
    server.stop().await;

    // Expected numbers, from what was stored.
    let db = open_db(dir.path());
    let (fr1, fr2) = (first_response(&db, s1), first_response(&db, s2));
    let r1 = at(&db, "hello, how can I help?") - at(&db, "hi there");
    let r2 = at(&db, "on its way") - at(&db, "where is my parcel");
    let r3 = at(&db, "one moment") - at(&db, "hello?");
    let r4 = at(&db, "yes, bob here") - at(&db, "still there?");
    assert!(
        r1 >= 40,
        "the gap after the note is in the first response: {r1}"
    );
    drop(db);

    let t = &r.totals;
    assert_eq!((t.ended, t.handled, t.resolved), (3, 2, 1));
    assert_eq!(t.first_response_avg_ms, Some(avg(&[fr1, fr2])));
    assert_eq!(t.response_avg_ms, Some(avg(&[r1, r2, r3, r4])));
    assert_eq!((t.surveyed, t.rated, t.csat_avg), (2, 1, Some(5.0)));
    assert_eq!(t.csat_response_rate, Some(0.5));
    assert_eq!((t.transfers_in, t.transfers_out), (1, 1));
    let a = row(&r, "alice");
    assert_eq!((a.handled, a.resolved, a.rated), (1, 1, 1));
    // She wrote the first reply of both.
    assert_eq!(a.first_response_avg_ms, Some(avg(&[fr1, fr2])));
    assert_eq!(a.response_avg_ms, Some(avg(&[r1, r2, r3])));
    assert_eq!((a.transfers_in, a.transfers_out), (0, 1));
    assert!(a.status_ms.get("online").copied().unwrap_or(0) > 0, "{a:?}");
    let b = row(&r, "bob");
    assert_eq!((b.handled, b.resolved, b.surveyed, b.rated), (1, 0, 1, 0));
    assert_eq!(b.first_response_avg_ms, None);
    assert_eq!(b.response_avg_ms, Some(r4 as u64));
    assert_eq!((b.transfers_in, b.transfers_out), (1, 0));
    assert_eq!(row(&r, "-").ended, 1);
    assert_eq!(r.rows[0].label, "Agent alice");
    // The personal report is alice's row.
    assert_eq!(&mine.totals, a);

    // After a restart: the same numbers.
    let server = TestServer::start(dir.path(), config).await;
    let mut boss = server.agent("boss").await;
    assert_eq!(report(&mut boss, team).await, r);
    server.stop().await;

    // The command line, through the same computation: the same JSON.
    let (f, t) = (from.to_string(), to.to_string());
    let args = [
        "report",
        "--from",
        &f,
        "--to",
        &t,
        "--by",
        "agent",
        "--tz",
        "Asia/Shanghai",
    ];
    let (status, out, err) = admin_cmd(dir.path(), &[&args[..], &["--format", "json"]].concat());
    assert_eq!(status, 0, "{err}");
    let cli: ReportReply = serde_json::from_str(&out).unwrap();
    assert_eq!(cli, r);
    let (status, out, err) = admin_cmd(dir.path(), &[&args[..], &["--format", "csv"]].concat());
    assert_eq!(status, 0, "{err}");
    let mut lines = out.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("key,label,handled,first_response_avg_ms")
    );
    assert_eq!(out.lines().count(), 1 + r.rows.len() + 1);
    assert!(
        out.lines().last().unwrap().starts_with("total,total,2,"),
        "{out}"
    );
    let svg_path = dir.path().join("report.svg");
    let svg_arg = svg_path.to_str().unwrap();
    let (status, _, err) = admin_cmd(
        dir.path(),
        &[
            &args[..],
            &["--trend", "hour", "--format", "svg", "--out", svg_arg],
        ]
        .concat(),
    );
    assert_eq!(status, 0, "{err}");
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains("<polyline"), "a trend line");
    assert!(well_formed(&svg), "{svg}");
    let (status, out, _) = admin_cmd(dir.path(), &[&args[..], &["--agent", "alice"]].concat());
    assert_ne!(status, 0, "--agent with --by is refused");
    assert!(out.is_empty());
    let (status, out, err) = admin_cmd(
        dir.path(),
        &[
            "report", "--from", &f, "--to", &t, "--agent", "alice", "--format", "json",
        ],
    );
    assert_eq!(status, 0, "{err}");
    let cli: ReportReply = serde_json::from_str(&out).unwrap();
    assert_eq!(&cli.totals, a);
}

#[test]
fn the_well_formed_check_catches_broken_markup() {
    assert!(well_formed("<svg><text>a &amp; b</text><rect/></svg>"));
    assert!(!well_formed("<svg><text>a & b</text></svg>"));
    assert!(!well_formed("<svg><text>a</svg></text>"));
}
