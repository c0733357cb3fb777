//! Storage faults, on real files: a lost or swapped database is refused at start-up, a database
//! deleted or replaced under a running store (or server) stops it before anything more is
//! acknowledged, and a full disk (simulated with the `max_bytes` size limit) is fatal and is
//! reported again by a restart while still full.

mod common;

use kefu::client::Client;
use kefu::model::Strategy;
use kefu::protocol::Article;
use kefu::store::committer::{AfterCommit, Committer};
use kefu::store::{self, FileChange, Store, StoreError, StoreOptions};
use serde_json::json;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

fn open(dir: &Path) -> Result<Box<dyn Store>, StoreError> {
    store::open(dir, &StoreOptions::default())
}

fn add_group(store: &mut dyn Store, name: &str) -> Result<(), StoreError> {
    store.transaction(&mut |tx| tx.upsert_group(name, Strategy::LeastBusy))
}

fn groups(store: &mut dyn Store) -> Vec<String> {
    let mut out = Vec::new();
    store
        .transaction(&mut |tx| {
            out = tx.list_groups()?.into_iter().map(|(g, _)| g).collect();
            Ok(())
        })
        .unwrap();
    out
}

/// A data dir holding a closed database with one group, `kept`.
fn used_data_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path()).unwrap();
    add_group(&mut store, "kept").unwrap();
    dir
}

#[test]
fn a_new_data_dir_gets_a_database_and_its_marker() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("new").join("data");
    let mut store = open(&dir).unwrap();
    add_group(&mut store, "kept").unwrap();
    drop(store);
    let id = std::fs::read_to_string(dir.join("kefu.id")).unwrap();
    let id = id.trim();
    assert!(
        id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()),
        "{id:?}"
    );
    // Reopening finds the same database and leaves the marker as it was.
    let mut store = open(&dir).unwrap();
    assert_eq!(groups(&mut store), ["kept"]);
    assert_eq!(
        std::fs::read_to_string(dir.join("kefu.id")).unwrap().trim(),
        id
    );
}

#[test]
fn an_empty_database_next_to_its_marker_is_refused() {
    let dir = used_data_dir();
    let db = dir.path().join("kefu.db");
    std::fs::File::create(&db).unwrap(); // truncates to 0 bytes
    let e = open(dir.path())
        .err()
        .expect("an empty kefu.db must be refused");
    assert!(
        matches!(&e, StoreError::Missing { empty: true, .. }),
        "{e:?}"
    );
    assert!(e.is_fatal());
    let msg = e.to_string();
    for part in [
        db.display().to_string(),
        "empty".into(),
        "backup".into(),
        format!("remove {}", dir.path().join("kefu.id").display()),
    ] {
        assert!(msg.contains(&part), "{msg:?} should mention {part:?}");
    }
    assert_eq!(std::fs::metadata(&db).unwrap().len(), 0, "left untouched");
    // Starting fresh is a deliberate act: remove the marker.
    std::fs::remove_file(dir.path().join("kefu.id")).unwrap();
    let mut store = open(dir.path()).unwrap();
    assert!(groups(&mut store).is_empty());
}

#[test]
fn a_missing_database_next_to_its_marker_is_refused() {
    let dir = used_data_dir();
    let db = dir.path().join("kefu.db");
    std::fs::remove_file(&db).unwrap();
    let e = open(dir.path())
        .err()
        .expect("a missing kefu.db must be refused");
    assert!(
        matches!(&e, StoreError::Missing { empty: false, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("missing"), "{e}");
    assert!(!db.exists(), "no empty database was created in its place");
}

#[test]
fn an_empty_database_in_a_new_data_dir_is_a_fresh_start() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::File::create(dir.path().join("kefu.db")).unwrap();
    let mut store = open(dir.path()).unwrap();
    add_group(&mut store, "first").unwrap();
    assert!(dir.path().join("kefu.id").exists());
}

#[test]
fn another_database_copied_in_is_refused() {
    let (a, b) = (used_data_dir(), used_data_dir());
    let id_of = |d: &Path| {
        std::fs::read_to_string(d.join("kefu.id"))
            .unwrap()
            .trim()
            .to_string()
    };
    std::fs::copy(b.path().join("kefu.db"), a.path().join("kefu.db")).unwrap();
    let e = open(a.path())
        .err()
        .expect("a swapped database must be refused");
    let StoreError::WrongDatabase {
        expected, found, ..
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!((expected, found), (&id_of(a.path()), &id_of(b.path())));
    assert!(e.is_fatal());
    assert!(e.to_string().contains("another database"), "{e}");
}

#[test]
fn a_database_deleted_while_open_fails_fatally() {
    let dir = used_data_dir();
    let mut store = open(dir.path()).unwrap();
    add_group(&mut store, "before").unwrap();
    std::fs::remove_file(dir.path().join("kefu.db")).unwrap();
    let e = add_group(&mut store, "after").unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::Replaced {
                what: FileChange::Deleted,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.is_fatal());
    assert!(
        e.to_string().contains("was deleted while kefu was running"),
        "{e}"
    );
    assert!(store.reader().is_err(), "no reader on a deleted database");
}

#[test]
fn a_database_deleted_during_a_transaction_is_not_reported_committed() {
    let dir = used_data_dir();
    let db = dir.path().join("kefu.db");
    let mut store = open(dir.path()).unwrap();
    let e = store
        .transaction(&mut |tx| {
            tx.upsert_group("during", Strategy::LeastBusy)?;
            let _ = std::fs::remove_file(&db);
            Ok(())
        })
        .unwrap_err();
    assert!(matches!(e, StoreError::Replaced { .. }), "{e:?}");
}

#[test]
fn a_database_replaced_while_open_fails_fatally() {
    let (dir, other) = (used_data_dir(), used_data_dir());
    let mut store = open(dir.path()).unwrap();
    std::fs::rename(other.path().join("kefu.db"), dir.path().join("kefu.db")).unwrap();
    let e = add_group(&mut store, "after").unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::Replaced {
                what: FileChange::Replaced,
                ..
            }
        ),
        "{e:?}"
    );
    drop(store);
    // The old database's WAL is set aside, kept, so it cannot be applied to the newcomer.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().any(|n| n.starts_with("kefu.db-wal.orphaned-")),
        "{names:?}"
    );
    // And the next start refuses the stranger.
    let e = open(dir.path()).err().unwrap();
    assert!(matches!(e, StoreError::WrongDatabase { .. }), "{e:?}");
}

#[test]
fn a_database_truncated_while_open_fails_fatally() {
    let dir = used_data_dir();
    let mut store = open(dir.path()).unwrap();
    add_group(&mut store, "before").unwrap();
    std::fs::File::create(dir.path().join("kefu.db")).unwrap();
    let e = add_group(&mut store, "after").unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::Replaced {
                what: FileChange::Truncated,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn another_process_opening_and_closing_the_database_is_no_fault() {
    // `kefu admin` does this while the server runs.
    let dir = used_data_dir();
    let mut server = open(dir.path()).unwrap();
    add_group(&mut server, "one").unwrap();
    for name in ["two", "three"] {
        let mut admin = open(dir.path()).unwrap();
        add_group(&mut admin, name).unwrap();
    }
    add_group(&mut server, "four").unwrap();
    assert_eq!(groups(&mut server), ["four", "kept", "one", "three", "two"]);
}

#[test]
fn the_committer_acknowledges_nothing_after_the_file_is_deleted() {
    let dir = used_data_dir();
    let store = open(dir.path()).unwrap();
    let (fatal_tx, fatal) = mpsc::channel();
    let (c, writer) = Committer::start(store, move |e| fatal_tx.send(e).unwrap()).unwrap();
    let (ack_tx, acks) = mpsc::channel();
    let job = |name: &'static str| {
        let ack = ack_tx.clone();
        move |tx: &mut dyn kefu::store::Tx| {
            tx.upsert_group(name, Strategy::LeastBusy)?;
            Ok(Some(
                Box::new(move || ack.send(name).unwrap()) as AfterCommit
            ))
        }
    };
    c.submit(job("before")).unwrap();
    assert_eq!(acks.recv_timeout(WAIT).unwrap(), "before");
    std::fs::remove_file(dir.path().join("kefu.db")).unwrap();
    c.submit(job("after")).unwrap();
    let e = fatal.recv_timeout(WAIT).unwrap();
    assert!(matches!(e, StoreError::Replaced { .. }), "{e:?}");
    writer.join().unwrap();
    assert!(matches!(c.submit(job("later")), Err(StoreError::Closed)));
    drop((c, ack_tx));
    assert_eq!(acks.iter().collect::<Vec<_>>(), Vec::<&str>::new());
    assert!(fatal.try_recv().is_err(), "on_fatal is called once");
}

fn article(i: usize) -> Article {
    Article {
        id: 0,
        title: format!("article {i}"),
        keywords: vec![],
        lang: "en".into(),
        updated_at: i as i64,
        body: "x".repeat(8 * 1024),
        ..Article::default()
    }
}

#[test]
fn a_full_database_fails_fatally_and_a_restart_says_so() {
    let dir = tempfile::tempdir().unwrap();
    // Room for the schema (its many tables and indexes, the history index's FTS5 shadow
    // tables) and some dozens of articles.
    let limit = 1024 * 1024;
    let capped = StoreOptions {
        max_bytes: Some(limit),
        ..Default::default()
    };
    let mut store = store::open(dir.path(), &capped).unwrap();
    let mut stored = 0;
    let e = loop {
        let r = store.transaction(&mut |tx| tx.insert_article(&article(stored)).map(drop));
        match r {
            Ok(()) => stored += 1,
            Err(e) => break e,
        }
        assert!(stored < 1_000, "the size limit never took effect");
    };
    assert!(stored > 10, "the limit leaves room to work: {stored}");
    assert!(
        matches!(&e, StoreError::DiskFull { limit: Some(l), .. } if *l == limit),
        "{e:?}"
    );
    assert!(e.is_fatal());
    let msg = e.to_string();
    assert!(
        msg.contains(&dir.path().display().to_string()) && msg.contains("full"),
        "{msg}"
    );
    drop(store);

    // Still full: the restart fails at once, and says why.
    let e = store::open(dir.path(), &capped).err().expect("still full");
    assert!(matches!(e, StoreError::DiskFull { .. }), "{e:?}");
    assert!(e.to_string().contains("full"), "{e}");

    // With room again, everything committed before is there.
    let store = open(dir.path()).unwrap();
    let mut reader = store.reader().unwrap();
    reader
        .snapshot(&mut |r| {
            assert_eq!(r.kb_search("", 10_000)?.len(), stored);
            Ok(())
        })
        .unwrap();
}

#[test]
fn a_new_database_over_a_tiny_limit_is_refused_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let tiny = StoreOptions {
        max_bytes: Some(16 * 1024),
        ..Default::default()
    };
    let e = store::open(dir.path(), &tiny).err().expect("no room");
    assert!(matches!(e, StoreError::DiskFull { .. }), "{e:?}");
}

/// The bug this guards against: after `kefu.db` was deleted, the server went on acking
/// messages that were gone after a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_whose_database_is_deleted_acknowledges_nothing_more() {
    let dir = tempfile::tempdir().unwrap();
    common::add_agent(
        dir.path(),
        "alice",
        &["general"],
        kefu::model::Role::Agent,
        None,
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(kefu::server::run(
        listener,
        Default::default(),
        dir.path().to_path_buf(),
        std::future::pending(),
    ));
    let mut c = Client::connect(&format!("ws://{addr}/ws/customer"))
        .await
        .unwrap();
    let r = c
        .call("customer.start", json!({"channel": "web", "nickname": "n"}))
        .await
        .unwrap();
    let session = r["session_id"].as_i64().unwrap();
    let send = |n: u32| json!({"session_id": session, "client_msg_id": format!("m{n}"), "body": format!("m{n}")});
    c.call("message.send", send(1)).await.unwrap();
    std::fs::remove_file(dir.path().join("kefu.db")).unwrap();
    let id = c.send("message.send", send(2)).await.unwrap();
    // The server stops by itself...
    let stopped = tokio::time::timeout(WAIT, server).await;
    let result = stopped.expect("the server kept running without its database");
    // ...and says so (so `kefu serve` exits non-zero and a supervisor restarts it).
    let err = result
        .unwrap()
        .expect_err("a store failure must end run() with an error");
    assert!(err.to_string().contains("store failed"), "{err}");
    // ...so no reply can be produced any more; whatever it had queued is flushed within
    // milliseconds (the socket may also be closed): there must be no ack for message 2.
    c.timeout = Duration::from_secs(2);
    let r = c.reply_to(id).await;
    assert!(
        r.is_err(),
        "message 2 acknowledged after the database was deleted: {r:?}"
    );
}
