//! Retention on a real SQLite file, with "now" given: only what is older than the window goes,
//! batches are bounded, expired tokens go (and were unusable before), the floor outlives the
//! events, and the file gives its pages back.

use crate::store::sqlite::SqliteStore;
use crate::store::{Audience, Principal, Pruned, Retention, Store};

const DAY: i64 = 86_400_000;
const NOW: i64 = 1_000 * DAY;

fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("kefu.db")).unwrap();
    (dir, store)
}

/// Events `first..first+n`, the i-th created at `at(i)`.
fn add_events(store: &mut SqliteStore, ids: std::ops::Range<i64>, at: impl Fn(i64) -> i64) {
    store
        .transaction(&mut |tx| {
            for id in ids.clone() {
                let body = format!(r#"{{"kind":"note","pad":"{}"}}"#, "x".repeat(200));
                tx.insert_event(id, Audience::Agent(1), Some(1), &body, at(id))?;
            }
            Ok(())
        })
        .unwrap();
}

fn prune(store: &mut SqliteStore, policy: Retention, now: i64, batch: u32) -> Pruned {
    let mut out = Pruned::default();
    store
        .transaction(&mut |tx| {
            out = tx.prune(&policy, now, batch, &[])?;
            Ok(())
        })
        .unwrap();
    out
}

fn ids(store: &mut SqliteStore) -> Vec<i64> {
    let mut out = Vec::new();
    store
        .transaction(&mut |tx| {
            let viewer = crate::store::Viewer::Agent {
                id: 1,
                supervisor: false,
            };
            out = tx
                .events_after(viewer, 0, 100_000)?
                .into_iter()
                .map(|(id, _)| id)
                .collect();
            Ok(())
        })
        .unwrap();
    out
}

fn oldest(store: &mut SqliteStore) -> i64 {
    let mut out = 0;
    store
        .transaction(&mut |tx| {
            out = tx.oldest_event_id()?;
            Ok(())
        })
        .unwrap();
    out
}

fn window(days: i64) -> Retention {
    Retention {
        max_age_ms: Some(days * DAY),
        max_events: None,
    }
}

#[test]
fn only_events_older_than_the_window_go() {
    let (_dir, mut store) = store();
    // Ids 1..=100, one an hour, the newest at NOW.
    add_events(&mut store, 1..101, |id| NOW - (100 - id) * 3_600_000);
    // 2 days = 48 h: ids 52..=100 are at most 48 h old (id 52 exactly 48 h: kept).
    let p = prune(&mut store, window(2), NOW, 2000);
    assert_eq!(p.events, 51);
    assert_eq!(p.floor, 52);
    assert_eq!(p.oldest, Some((52, NOW - 48 * 3_600_000)));
    assert!(!p.more);
    assert_eq!(ids(&mut store), (52..101).collect::<Vec<_>>());
    assert_eq!(oldest(&mut store), 52);
    // Nothing more is due at the same time; no policy prunes nothing.
    assert_eq!(prune(&mut store, window(2), NOW, 2000).events, 0);
    assert_eq!(
        prune(&mut store, Retention::default(), NOW + 100 * DAY, 2000).events,
        0
    );
    assert_eq!(ids(&mut store).len(), 49);
}

#[test]
fn batches_are_bounded_and_resume_where_they_stopped() {
    let (_dir, mut store) = store();
    add_events(&mut store, 1..5001, |_| NOW - 10 * DAY);
    add_events(&mut store, 5001..5011, |_| NOW);
    let p = prune(&mut store, window(7), NOW, 2000);
    assert_eq!((p.events, p.floor, p.more), (2000, 2001, true));
    assert_eq!(oldest(&mut store), 2001);
    let p = prune(&mut store, window(7), NOW, 2000);
    assert_eq!((p.events, p.floor, p.more), (2000, 4001, true));
    let p = prune(&mut store, window(7), NOW, 2000);
    assert_eq!((p.events, p.floor, p.more), (1000, 5001, false));
    assert_eq!(ids(&mut store), (5001..5011).collect::<Vec<_>>());
}

#[test]
fn a_count_keeps_only_the_newest() {
    let (_dir, mut store) = store();
    add_events(&mut store, 1..101, |_| NOW);
    let policy = Retention {
        max_age_ms: None,
        max_events: Some(30),
    };
    let p = prune(&mut store, policy, NOW, 2000);
    assert_eq!((p.events, p.floor), (70, 71));
    assert_eq!(ids(&mut store), (71..101).collect::<Vec<_>>());
}

/// With every event gone, the floor still says which ids were handed out: a restart goes on
/// above them, and a resume from before them is too old.
#[test]
fn the_floor_outlives_the_events() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kefu.db");
    let mut store = SqliteStore::open(&path).unwrap();
    add_events(&mut store, 1..11, |_| NOW - 30 * DAY);
    let p = prune(&mut store, window(7), NOW, 2000);
    assert_eq!((p.events, p.floor, p.oldest), (10, 11, None));
    assert_eq!(oldest(&mut store), 11);
    drop(store);
    let mut store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.recover().unwrap().max_event_id, 10);
}

#[test]
fn expired_tokens_go_and_were_unusable_already() {
    let (_dir, mut store) = store();
    store
        .transaction(&mut |tx| {
            tx.insert_customer(
                &crate::protocol::CustomerView {
                    id: 7,
                    external_id: None,
                    nickname: "c".into(),
                    channel: crate::model::Channel::Web,
                    vip: false,
                    tags: vec![],
                },
                0,
            )?;
            tx.insert_token("expired", Principal::Customer(7), NOW - 1, 0)?;
            tx.insert_token("at-now", Principal::Customer(7), NOW, 0)?;
            tx.insert_token("held", Principal::Customer(7), NOW - 5, 0)?;
            tx.insert_token("valid", Principal::Customer(7), NOW + 1, 0)?;
            Ok(())
        })
        .unwrap();
    let usable = |store: &mut SqliteStore, hash: &str, now: i64| {
        let mut out = None;
        store
            .transaction(&mut |tx| {
                out = tx.token(hash, now)?;
                Ok(())
            })
            .unwrap();
        out
    };
    // Before the prune: expired ones are refused at `now` but still stored.
    assert_eq!(usable(&mut store, "expired", NOW), None);
    assert_eq!(usable(&mut store, "at-now", NOW), None);
    assert_eq!(
        usable(&mut store, "expired", 0),
        Some(Principal::Customer(7))
    );
    let mut p = Pruned::default();
    store
        .transaction(&mut |tx| {
            p = tx.prune(&Retention::default(), NOW, 2000, &["held".to_string()])?;
            Ok(())
        })
        .unwrap();
    assert_eq!(p.tokens, 2);
    // Gone: not even a lookup at time 0 (existence) finds them.
    assert_eq!(usable(&mut store, "expired", 0), None);
    assert_eq!(usable(&mut store, "at-now", 0), None);
    // Held by a live connection: kept until it is let go.
    assert_eq!(usable(&mut store, "held", 0), Some(Principal::Customer(7)));
    assert_eq!(
        usable(&mut store, "valid", NOW),
        Some(Principal::Customer(7))
    );
}

#[test]
fn a_new_database_gives_pages_back_after_a_prune() {
    let (dir, mut store) = store();
    let path = dir.path().join("kefu.db");
    let mode: i64 = store
        .conn
        .pragma_query_value(None, "auto_vacuum", |r| r.get(0))
        .unwrap();
    assert_eq!(
        mode, 2,
        "a new database is created with incremental auto-vacuum"
    );
    add_events(&mut store, 1..20_001, |_| NOW - 30 * DAY);
    add_events(&mut store, 20_001..20_011, |_| NOW);
    // The store's own checkpoint thread may hold the checkpoint a moment: until it is whole.
    let checkpoint = |store: &mut SqliteStore| {
        for _ in 0..500 {
            let busy: i64 = store
                .conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))
                .unwrap();
            if busy == 0 {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("the checkpoint never completed");
    };
    checkpoint(&mut store);
    let full = std::fs::metadata(&path).unwrap().len();
    assert!(full > 4_000_000, "{full}");
    let mut freed = 0;
    loop {
        let p = prune(&mut store, window(7), NOW, 2000);
        freed += p.pages_freed;
        if !p.more && p.events == 0 {
            break;
        }
    }
    // Some pages may still be free (each step hands back a bounded number): finish them.
    while prune_vacuum_only(&mut store) > 0 {}
    checkpoint(&mut store);
    let after = std::fs::metadata(&path).unwrap().len();
    assert!(freed > 0);
    assert!(after < full / 4, "{full} → {after}");
}

/// Steps of the page hand-back alone (what the prune runs after deleting).
fn prune_vacuum_only(store: &mut SqliteStore) -> u64 {
    super::vacuum_some(&store.conn, 512).unwrap_or(0)
}

#[test]
fn events_a_webhook_has_not_delivered_are_kept() {
    let (_dir, mut store) = store();
    add_events(&mut store, 1..101, |id| NOW - (100 - id) * 3_600_000);
    let integration = crate::store::integrations::Integration {
        id: 0,
        name: "shop".into(),
        channel: crate::model::Channel::App,
        webhook_url: "http://127.0.0.1:9/hook".into(),
        secret: "s".into(),
        previous: None,
        webhook_cursor: 30,
    };
    store
        .transaction(&mut |tx| tx.insert_integration(&integration, NOW).map(|_| ()))
        .unwrap();
    // The window would keep 52.. only; the webhook has delivered up to 30.
    let p = prune(&mut store, window(2), NOW, 2000);
    assert_eq!(p.events, 30);
    assert_eq!(ids(&mut store), (31..101).collect::<Vec<_>>());
}

#[test]
fn idempotency_answers_go_after_a_day_in_batches() {
    use crate::model::Channel;
    use crate::store::integrations::{IdempotentAnswer, Integration};
    let (_dir, mut store) = store();
    let answer = IdempotentAnswer {
        body_sha256: "00".into(),
        answer: "{}".into(),
    };
    store
        .transaction(&mut |tx| {
            let shop = Integration {
                id: 0,
                name: "shop".into(),
                channel: Channel::Api,
                webhook_url: String::new(),
                secret: "00".into(),
                previous: None,
                webhook_cursor: 0,
            };
            let id = tx.insert_integration(&shop, NOW)?;
            for i in 0..5 {
                // Keys 0..3 are two days old, keys 3..5 an hour old.
                let at = if i < 3 { NOW - 2 * DAY } else { NOW - DAY / 24 };
                tx.put_idempotent_answer(id, &format!("k{i}"), &answer, at)?;
            }
            Ok(())
        })
        .unwrap();
    let policy = Retention::default();
    let first = prune(&mut store, policy, NOW, 2);
    assert_eq!((first.idempotency_keys, first.more), (2, true));
    let second = prune(&mut store, policy, NOW, 2);
    assert_eq!((second.idempotency_keys, second.more), (1, false));
    store
        .transaction(&mut |tx| {
            let id = 1;
            for i in 0..5 {
                let kept = tx.idempotent_answer(id, &format!("k{i}"))?.is_some();
                assert_eq!(kept, i >= 3, "k{i}");
            }
            Ok(())
        })
        .unwrap();
}
