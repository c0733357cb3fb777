//! The permission table walked over the wire: every request type, sent by each kind of actor
//! (a plain agent, a supervisor limited to another group, a supervisor of every group, an
//! admin) about resources that are not theirs — a conversation of the `general` group served
//! by alice, alice's customer, alice's knowledge-base proposal, a team quick reply of
//! `general`, the whole team — must be refused `forbidden` exactly where
//! `docs/permissions.md` says so, and not refused elsewhere. The expectations are read from
//! the documented table (its cells), not from the code under test. Also: a group supervisor
//! may act in their own group; a denial is audited and the audit is bounded per agent;
//! `kefu admin agent set-role` ends the agent's sign-ins and the new role applies. (HTTP
//! routes: `tests/permission_http.rs`.)

mod common;
mod raw;

use common::*;
use kefu::client::Client;
use kefu::model::Role;
use kefu::protocol::{ErrorCode, Request};
use serde_json::{Value, json};
use std::collections::HashMap;

/// One row of the documented table, for one request: the four cells and whether the request
/// only lists.
struct Documented {
    cells: [String; 4],
    list: bool,
}

/// The first table of `docs/permissions.md`, by request wire name.
fn documented() -> HashMap<String, Documented> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/permissions.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let mut rows = HashMap::new();
    for line in doc.lines() {
        let cols: Vec<&str> = line.split('|').map(str::trim).collect();
        // | action | requests | agent | group supervisor | supervisor | admin | means |
        // Rows asked by handlers only name their requests in parentheses, or none.
        if cols.len() != 9 || !cols[1].contains("(`") || !cols[2].starts_with('`') {
            continue;
        }
        for req in cols[2].split(", ") {
            let list = req.ends_with(" (list)");
            let name = req.trim_end_matches(" (list)").trim_matches('`');
            let cells = [3, 4, 5, 6].map(|i| cols[i].to_string());
            let twice = rows.insert(name.to_string(), Documented { cells, list });
            assert!(twice.is_none(), "`{name}` is in two rows");
        }
    }
    rows
}

/// What the documented cell means for a request about a resource that is not the actor's and
/// belongs to `general` (or to no group), sent by someone who supervises at most `vip`.
fn refused(d: &Documented, column: usize) -> bool {
    match d.cells[column].as_str() {
        "yes" | "-" => false,
        "no" => true,
        "own" | "own + groups" | "groups" => !d.list,
        other => panic!("unknown cell `{other}`"),
    }
}

const COLUMNS: [&str; 4] = ["agnes", "gina", "sue", "adam"];

async fn try_call(c: &mut Client, kind: &str, body: Value) -> Result<Value, ErrorCode> {
    match c.call(kind, body).await {
        Ok(v) => Ok(v),
        Err(kefu::client::ClientError::Api(e)) => Err(e.code),
        Err(e) => panic!("{kind}: {e}"),
    }
}

async fn login(server: &TestServer, name: &str) -> Client {
    let mut c = Client::connect(&server.url("agent")).await.unwrap();
    c.call("login", json!({"username": name, "password": PASSWORD}))
        .await
        .unwrap();
    c
}

/// The people and the things that are not the walkers'.
struct World {
    session: i64,
    customer: i64,
    proposal: i64,
    team_reply: i64,
    agnes_id: i64,
}

/// A sample of each request about the world's resources; `fresh` is a conversation of alice's
/// made for this one call (for the requests that move or end it).
fn sample(kind: &str, w: &World, fresh: i64) -> Value {
    let s = w.session;
    match kind {
        "hello" => json!({"protocol": 1}),
        "login" => json!({"username": "alice", "password": PASSWORD}),
        "resume" => json!({"token": "0".repeat(64)}),
        "change_password" => json!({"old_password": "wrong-password-1!", "new_password": "x"}),
        "logout" => json!({}),
        "status.set" => json!({"status": "busy"}),
        "session.accept" | "session.reject" => json!({"session_id": s}),
        "snapshot" | "directory" | "cc.contacts" | "kb.check_in" | "kb.checkins" => json!({}),
        "customer.profile" => json!({"customer_id": w.customer}),
        // To a group nobody serves now: it waits there, and is not offered to alice again.
        "session.transfer" => {
            json!({"session_id": fresh, "to": {"group": "vip"}, "queue": true})
        }
        "session.tag" => json!({"session_id": s, "add": ["walked"]}),
        "session.follow_up" => json!({"session_id": s, "pending": false}),
        "session.end" | "session.take_over" => json!({"session_id": fresh}),
        "session.end_cancel" | "session.suggest" | "typing" | "session.transcript"
        | "history.session" | "mention.read" => json!({"session_id": s}),
        "tags.suggest" => json!({"prefix": "w"}),
        "kb.search" | "kb.updates" | "quick_replies.list" | "mentions.list" => json!({}),
        "kb.get" | "kb.history" => json!({"article_id": 1}),
        "kb.sent" => json!({"session_id": s}),
        "kb.propose" => propose("Opening hours"),
        "kb.proposals" => json!({}),
        "kb.proposal" | "kb.withdraw" => json!({"proposal_id": w.proposal}),
        "kb.review" => json!({"proposal_id": w.proposal, "approve": false, "comment": "no"}),
        "quick_replies.save" => json!({
            "quick_reply_id": w.team_reply, "scope": "team", "group": "general",
            "shortcut": "hi", "title": "Hello", "body": "Hello there"}),
        "quick_replies.delete" | "quick_replies.used" => json!({"quick_reply_id": w.team_reply}),
        "customer.start" => json!({"channel": "web"}),
        "customer.resume" => json!({"token": "0".repeat(64)}),
        "session.rate" => json!({"session_id": s, "stars": 5}),
        "message.send" => {
            json!({"session_id": s, "client_msg_id": format!("w{fresh}"), "body": "hi"})
        }
        "session.cc" => {
            json!({"session_id": s, "to": {"email": "lead@shop.example.com"}, "include_notes": false})
        }
        "cc.list" => json!({}),
        "note.add" => {
            json!({"session_id": s, "client_msg_id": format!("n{fresh}"), "body": "a note"})
        }
        "history.search" => json!({"text": "hi"}),
        "report.get" => json!({"from": 0, "to": 86_400_000, "scope": "team"}),
        "dashboard.watch" => json!({"on": false}),
        "agent.set_status" => json!({"agent_id": w.agnes_id, "status": "busy"}),
        "totp.enroll" | "devices.list" | "token.renew" | "me.get" => json!({}),
        "totp.confirm" | "totp.disable" => json!({"code": "000000"}),
        "devices.end" => json!({"device_id": 1}),
        "me.update" => json!({}),
        "audit.list" => json!({}),
        other => panic!("no sample for `{other}`: add one to the walk"),
    }
}

fn propose(title: &str) -> Value {
    json!({"title": title, "body": "Nine to five.", "category": "faq", "tags": [],
           "questions": [], "comment": ""})
}

/// Requests that move or end their conversation: each call gets a fresh one.
const FRESH: [&str; 3] = ["session.transfer", "session.end", "session.take_over"];
/// Requests that end the walker's sign-in: sent last.
const LAST: [&str; 1] = ["logout"];

/// Five agents: alice (agent, serves `general`), agnes (agent, `general`), gina (supervisor of
/// `vip` only), sue (supervisor of every group), adam (admin).
fn people(dir: &std::path::Path) -> i64 {
    add_agent(dir, "alice", &["general"], Role::Agent, Some(100));
    let agnes = add_agent(dir, "agnes", &["general"], Role::Agent, None);
    add_agent(dir, "gina", &["vip"], Role::Supervisor, None);
    add_agent(dir, "sue", &["general"], Role::Supervisor, None);
    add_agent(dir, "adam", &["general"], Role::Admin, None);
    let mut store = kefu::server::open_store(dir, &Default::default()).unwrap();
    kefu::admin::set_role(
        &mut store,
        "gina",
        Role::Supervisor,
        &["vip".into()],
        "test",
    )
    .unwrap();
    agnes
}

/// A new conversation of alice's in `general`.
async fn alices_new(server: &TestServer, alice: &mut Client, keep: &mut Vec<Client>) -> i64 {
    let (c, s, _) = server.customer("walk", None).await;
    keep.push(c);
    wait_offer(alice, s).await;
    alice
        .call("session.accept", json!({"session_id": s}))
        .await
        .unwrap();
    s
}

#[tokio::test]
async fn every_request_for_every_role_is_refused_exactly_where_the_table_says() {
    let table = documented();
    for kind in Request::KINDS {
        assert!(
            table.contains_key(*kind),
            "`{kind}` is not in docs/permissions.md"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let agnes_id = people(dir.path());
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut alice = server.agent("alice").await;
    let mut customers = Vec::new();
    let session = alices_new(&server, &mut alice, &mut customers).await;
    let customer =
        alice.call("snapshot", json!({})).await.unwrap()["sessions"][0]["customer"]["id"]
            .as_i64()
            .unwrap();
    let proposal = alice.call("kb.propose", propose("Returns")).await.unwrap()["proposal"]["id"]
        .as_i64()
        .unwrap();
    let mut walkers = Vec::new();
    for name in COLUMNS {
        walkers.push(login(&server, name).await);
    }
    let team_reply = walkers[3]
        .call(
            "quick_replies.save",
            json!({"scope": "team", "group": "general", "shortcut": "hi", "title": "Hi",
                   "body": "Hello"}),
        )
        .await
        .unwrap()["quick_reply"]["id"]
        .as_i64()
        .unwrap();
    let world = World {
        session,
        customer,
        proposal,
        team_reply,
        agnes_id,
    };

    let mut wrong = Vec::new();
    let mut walked = 0;
    let order = Request::KINDS
        .iter()
        .filter(|k| !LAST.contains(k))
        .chain(LAST.iter());
    for kind in order {
        let row = &table[*kind];
        for (column, who) in COLUMNS.iter().enumerate() {
            let fresh = if FRESH.contains(kind) {
                alices_new(&server, &mut alice, &mut customers).await
            } else {
                1_000_000 + walked
            };
            let got = try_call(&mut walkers[column], kind, sample(kind, &world, fresh)).await;
            walked += 1;
            let expect_refused = refused(row, column);
            let was_refused = got.as_ref().err() == Some(&ErrorCode::Forbidden);
            if expect_refused != was_refused {
                wrong.push(format!(
                    "{who} ({}) {kind}: expected {}, got {got:?}",
                    row.cells[column],
                    if expect_refused {
                        "forbidden"
                    } else {
                        "not forbidden"
                    }
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} mismatches:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert_eq!(walked as usize, Request::KINDS.len() * COLUMNS.len());
    server.stop().await;
}

#[tokio::test]
async fn a_group_supervisor_acts_in_their_groups_only() {
    let dir = tempfile::tempdir().unwrap();
    people(dir.path());
    add_agent(dir.path(), "victor", &["vip"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut alice = server.agent("alice").await;
    let mut victor = server.agent("victor").await;
    let mut keep = Vec::new();
    let general = alices_new(&server, &mut alice, &mut keep).await;
    let (_c, vip, _) = server.customer("v", Some("vip")).await;
    assert_eq!(accept_next_offer(&mut victor).await, vip);
    let mut gina = login(&server, "gina").await;
    for (kind, body) in [
        ("session.transcript", json!({"session_id": vip})),
        ("history.session", json!({"session_id": vip})),
        (
            "session.tag",
            json!({"session_id": vip, "add": ["checked"]}),
        ),
        ("dashboard.watch", json!({"session_id": vip})),
        ("session.take_over", json!({"session_id": vip})),
    ] {
        let mut elsewhere = body.clone();
        elsewhere["session_id"] = json!(general);
        try_call(&mut gina, kind, body)
            .await
            .unwrap_or_else(|e| panic!("gina {kind} in vip: {e:?}"));
        assert_eq!(
            try_call(&mut gina, kind, elsewhere).await.err(),
            Some(ErrorCode::Forbidden),
            "gina {kind} in general"
        );
    }
    // History search finds her group's conversations, not the others'.
    let found = gina.call("history.search", json!({})).await.unwrap();
    let ids: Vec<i64> = found["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["session_id"].as_i64())
        .collect();
    assert!(ids.contains(&vip) && !ids.contains(&general), "{found}");
    server.stop().await;
}

/// The `permission.denied` entries of an agent.
fn denials(dir: &std::path::Path, actor: &str) -> Vec<kefu::store::AuditEntry> {
    let mut store = kefu::server::open_store(dir, &Default::default()).unwrap();
    kefu::admin::audit(&mut store, 0, Some(kefu::audit::DENIED), 1000)
        .unwrap()
        .into_iter()
        .filter(|e| e.actor == actor)
        .collect()
}

#[tokio::test]
async fn denials_are_audited_a_few_per_minute() {
    let dir = tempfile::tempdir().unwrap();
    people(dir.path());
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut agnes = login(&server, "agnes").await;
    // A looping client: far more refusals than the allowance.
    for _ in 0..25 {
        assert_eq!(
            try_call(&mut agnes, "dashboard.watch", json!({}))
                .await
                .err(),
            Some(ErrorCode::Forbidden)
        );
    }
    // Each entry is committed with its reply, so all are on disk now.
    let entries = denials(dir.path(), "agnes");
    assert_eq!(entries.len(), 5, "{entries:?}");
    let first = &entries[0];
    assert_eq!(first.target, "dashboard.watch");
    assert!(first.detail.contains("supervisors"), "{}", first.detail);
    // Someone else's refusals have their own allowance.
    let mut alice = login(&server, "alice").await;
    try_call(&mut alice, "audit.list", json!({}))
        .await
        .unwrap_err();
    assert_eq!(denials(dir.path(), "alice").len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn set_role_ends_the_sign_ins_and_the_new_role_applies() {
    let dir = tempfile::tempdir().unwrap();
    people(dir.path());
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut alice = server.agent("alice").await;
    let mut keep = Vec::new();
    let session = alices_new(&server, &mut alice, &mut keep).await;
    let mut sue = raw::Raw::connect(&server.url("agent")).await;
    sue.call("login", json!({"username": "sue", "password": PASSWORD}))
        .await
        .unwrap();
    sue.call("session.transcript", json!({"session_id": session}))
        .await
        .unwrap();

    let (code, out, err) = admin_cmd(
        dir.path(),
        &[
            "agent",
            "set-role",
            "sue",
            "supervisor",
            "--supervises",
            "vip",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("supervisor of vip"), "{out}");
    assert!(
        sue.wait_close(WAIT).await.is_some(),
        "sue's connection stays open"
    );

    let mut sue = login(&server, "sue").await;
    assert_eq!(
        try_call(
            &mut sue,
            "session.transcript",
            json!({"session_id": session})
        )
        .await
        .err(),
        Some(ErrorCode::Forbidden)
    );
    let mut store = kefu::server::open_store(dir.path(), &Default::default()).unwrap();
    let roles = kefu::admin::audit(&mut store, 0, Some(kefu::audit::ROLE_SET), 10).unwrap();
    let last = roles.last().unwrap();
    assert_eq!(last.actor, kefu::audit::ADMIN_CLI);
    assert_eq!(last.target, "agent:sue");
    assert!(last.detail.contains("\"vip\""), "{}", last.detail);

    // Bad input: an unknown group or role changes nothing.
    let (code, _, err) = admin_cmd(
        dir.path(),
        &[
            "agent",
            "set-role",
            "sue",
            "supervisor",
            "--supervises",
            "nowhere",
        ],
    );
    assert_ne!(code, 0);
    assert!(err.contains("nowhere"), "{err}");
    let (code, _, _) = admin_cmd(dir.path(), &["agent", "set-role", "sue", "boss"]);
    assert_ne!(code, 0);
    let (code, _, err) = admin_cmd(
        dir.path(),
        &["agent", "set-role", "alice", "agent", "--supervises", "vip"],
    );
    assert_ne!(code, 0);
    assert!(err.contains("supervisor"), "{err}");
    server.stop().await;
}
