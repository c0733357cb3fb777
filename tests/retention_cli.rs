//! `kefu admin compact`, `purge` and `audit` as an operator runs them: compaction shrinks a
//! database created before incremental auto-vacuum once its events are pruned, and refuses
//! while a server has the data dir; bad dates are refused with one line; audit lists purges.

mod common;

use common::*;
use kefu::config::ServerConfig;
use kefu::store::{Audience, Retention, Store};
use std::path::Path;

fn db_bytes(dir: &Path) -> u64 {
    let len = |n: &str| std::fs::metadata(dir.join(n)).map_or(0, |m| m.len());
    len("kefu.db") + len("kefu.db-wal")
}

#[tokio::test]
async fn compact_shrinks_an_old_database_after_a_prune_and_refuses_beside_a_server() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A database as kefu created them before incremental auto-vacuum.
    drop(kefu::store::open(d, &Default::default()).unwrap());
    {
        let db = open_db(d);
        db.pragma_update(None, "auto_vacuum", "NONE").unwrap();
        db.execute_batch("VACUUM").unwrap();
    }
    let mut store = kefu::store::open(d, &Default::default()).unwrap();
    let old = kefu::model::now_ms() - 30 * 86_400_000;
    store
        .transaction(&mut |tx| {
            for id in 1..=20_000 {
                let body = format!(r#"{{"kind":"note","pad":"{}"}}"#, "x".repeat(300));
                tx.insert_event(id, Audience::Supervisors, None, &body, old)?;
            }
            Ok(())
        })
        .unwrap();
    let week = Retention {
        max_age_ms: Some(7 * 86_400_000),
        max_events: None,
    };
    let mut more = true;
    while more {
        store
            .transaction(&mut |tx| {
                let p = tx.prune(&week, kefu::model::now_ms(), 2000, &[])?;
                more = p.events > 0;
                Ok(())
            })
            .unwrap();
    }
    drop(store);
    {
        let db = open_db(d);
        db.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
    }
    let before = db_bytes(d);
    assert!(
        before > 6_000_000,
        "the pruned rows' pages are still in the file: {before}"
    );

    // Not beside a running server.
    let server = TestServer::start(d, ServerConfig::default()).await;
    // Serving (so its store is open).
    kefu::client::Client::connect(&server.url("agent"))
        .await
        .unwrap()
        .close()
        .await;
    let (code, out, err) = admin_cmd(d, &["compact"]);
    assert_eq!((code, out.as_str()), (1, ""), "{err}");
    assert!(err.contains("in use"), "{err}");
    server.stop().await;

    let (code, out, err) = admin_cmd(d, &["compact"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("compacted "), "{out}");
    let after = db_bytes(d);
    assert!(after < before / 10, "{before} → {after}");
    // From now on it gives pages back by itself.
    let mode: i64 = open_db(d)
        .pragma_query_value(None, "auto_vacuum", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, 2);
}

#[test]
fn purge_takes_clear_dates_and_audit_lists_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (code, out, err) = admin_cmd(d, &["purge", "--before", "yesterday"]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(err.contains("`yesterday` is not a date"), "{err}");
    let (code, out, _) = admin_cmd(d, &["audit"]);
    assert_eq!((code, out.as_str()), (0, ""), "nothing was purged");

    let (code, out, err) = admin_cmd(d, &["purge", "--before", "2026-01-01"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "purged 0 conversations, 0 messages, 0 events, 0 tokens, 0 customers\n"
    );
    let (code, out, _) = admin_cmd(d, &["audit", "--action", "purge"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert!(lines[0].contains(" purge "), "{out}");
    assert!(lines[0].contains(r#""before":"2026-01-01""#), "{out}");
    let (_, out, _) = admin_cmd(d, &["audit", "--action", "login"]);
    assert_eq!(out, "");
}
