//! Who may see which past conversation (`history::access`), through `history.search`,
//! `history.session` and `session.transcript` alike; and the index after a restart, a lost
//! index and a purge.

mod common;
mod history_support;

use common::api_code;
use history_support::{ids, search, search_until, start};
use kefu::protocol::ErrorCode;
use serde_json::json;

#[tokio::test]
async fn agents_see_what_they_served_and_whom_they_serve_supervisors_everything() {
    let dir = tempfile::tempdir().unwrap();
    history_support::fixture(dir.path());
    let server = start(dir.path()).await;
    let mut alice = server.agent("alice").await;
    let mut bob = server.agent("bob").await;
    let mut carol = server.agent("carol").await;
    let mut sup = server.agent("sup").await;
    let everything = json!({"limit": 100, "before_id": 6});
    // alice served 1, and 2 until she transferred it to bob.
    assert_eq!(ids(&search(&mut alice, everything.clone()).await), [2, 1]);
    assert_eq!(ids(&search(&mut bob, everything.clone()).await), [2]);
    // carol served 3 and 4 and serves customer 1 now (5): she also sees 1, alice's.
    assert_eq!(
        ids(&search(&mut carol, everything.clone()).await),
        [5, 4, 3, 1]
    );
    assert_eq!(
        ids(&search(&mut sup, everything.clone()).await),
        [5, 4, 3, 2, 1]
    );
    // Text search obeys the same rule, notes included for those who may read.
    assert_eq!(
        ids(&search(&mut bob, json!({"text": "退款"})).await),
        Vec::<i64>::new()
    );
    assert_eq!(
        ids(&search(&mut carol, json!({"text": "secretword"})).await),
        [1]
    );
    assert_eq!(
        ids(&search(&mut bob, json!({"text": "secretword"})).await),
        Vec::<i64>::new()
    );

    // The transcript (notes and all) and the read-only view follow the same rule.
    let cases: [(&str, i64, bool); 8] = [
        ("alice", 1, true),
        ("alice", 2, true),
        ("alice", 3, false),
        ("bob", 1, false),
        ("bob", 2, true),
        ("carol", 1, true),
        ("carol", 2, false),
        ("sup", 3, true),
    ];
    for (who, session, ok) in cases {
        let c = match who {
            "alice" => &mut alice,
            "bob" => &mut bob,
            "carol" => &mut carol,
            _ => &mut sup,
        };
        let t = c
            .call("session.transcript", json!({"session_id": session}))
            .await;
        let v = c
            .call("history.session", json!({"session_id": session}))
            .await;
        if ok {
            let t = t.unwrap_or_else(|e| panic!("{who} reads {session}: {e:?}"));
            assert_eq!(t["session"]["id"], session);
            v.unwrap_or_else(|e| panic!("{who} opens {session}: {e:?}"));
        } else {
            assert_eq!(
                api_code(t),
                ErrorCode::Forbidden,
                "{who} transcript {session}"
            );
            assert_eq!(api_code(v), ErrorCode::Forbidden, "{who} view {session}");
        }
    }
    // The note is in the transcript for alice, who served it.
    let t = alice
        .call("session.transcript", json!({"session_id": 1}))
        .await
        .unwrap();
    assert!(
        t["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["internal"] == true),
        "{t}"
    );

    // The read-only view: the agent's name and the transfers with names.
    let v = alice
        .call("history.session", json!({"session_id": 2}))
        .await
        .unwrap();
    assert_eq!(v["agent"], "Agent bob");
    assert_eq!(v["session"]["csat"], 2);
    let t = &v["transfers"][0];
    assert_eq!(
        (&t["by"], &t["from_agent"], &t["to_agent"]),
        (
            &json!("Agent alice"),
            &json!("Agent alice"),
            &json!("Agent bob")
        )
    );
    assert_eq!(t["note"], "发票问题");
    let missing = sup
        .call("history.session", json!({"session_id": 999}))
        .await;
    assert_eq!(api_code(missing), ErrorCode::NotFound);
    server.stop().await;
}

#[tokio::test]
async fn the_index_is_rebuilt_after_a_restart_and_a_loss_and_forgets_a_purge() {
    let dir = tempfile::tempdir().unwrap();
    history_support::fixture(dir.path());
    let server = start(dir.path()).await;
    server.stop().await;
    // The index is lost (dropped): the next start builds it again from the messages.
    let db = common::open_db(dir.path());
    db.execute_batch("DROP TABLE history_fts").unwrap();
    drop(db);
    let server = history_support::start(dir.path()).await;
    let mut sup = server.agent("sup").await;
    let r = search_until(&mut sup, json!({"text": "退款"}), |r| ids(r) == [3, 1]).await;
    assert_eq!(ids(&r), [3, 1]);
    server.stop().await;

    // Conversation 3 was asked for a rating (reports' `session_surveys`).
    let db = common::open_db(dir.path());
    db.execute(
        "INSERT INTO session_surveys (session_id, at) VALUES (3, 1)",
        [],
    )
    .unwrap();
    drop(db);
    // Customer 3's conversations are purged: the index forgets them.
    let (code, out, err) =
        common::admin_cmd(dir.path(), &["purge", "--before", "now", "--customer", "3"]);
    assert_eq!(code, 0, "{out}{err}");
    let db = common::open_db(dir.path());
    let (lo, hi) = (3i64 << 24, (4i64 << 24) - 1);
    let left: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM history_fts WHERE rowid BETWEEN ?1 AND ?2",
            [lo, hi],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0, "the purged conversation's words are gone");
    let tags: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM history_tags WHERE session_id = 3",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tags, 0);
    let surveys: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM session_surveys WHERE session_id = 3",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(surveys, 0, "the purge forgets that it was surveyed");
    drop(db);
    let server = history_support::start(dir.path()).await;
    let mut sup = server.agent("sup").await;
    assert_eq!(ids(&search(&mut sup, json!({"text": "退款"})).await), [1]);
    assert_eq!(ids(&search(&mut sup, json!({"tags": ["退款"]})).await), [1]);
    server.stop().await;
}
