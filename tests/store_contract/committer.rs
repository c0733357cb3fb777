//! Contract: the committer over a backend. One refused job is rolled back alone; follow-ups
//! run after the commit, in submission order; a fatal error stops the writer once.

use crate::support::*;
use kefu::model::Strategy;
use kefu::store::committer::{AfterCommit, Committer};
use kefu::store::{Reader, Result, StoreError, Tx};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

/// Does a committed snapshot (another connection) have this group?
fn committed(reader: &Mutex<Box<dyn Reader>>, group: &str) -> bool {
    let mut found = false;
    let mut reader = reader.lock().unwrap();
    reader
        .snapshot(&mut |r| {
            found = r.list_groups()?.iter().any(|(g, _)| g == group);
            Ok(())
        })
        .unwrap();
    found
}

/// A job whose first run blocks the writer until `release` says so, so that everything
/// submitted meanwhile goes into the next transaction together.
fn gate(c: &Committer) -> mpsc::Sender<()> {
    let (release, released) = mpsc::channel::<()>();
    let (started_tx, started) = mpsc::channel();
    c.submit(move |_| {
        let _ = started_tx.send(());
        let _ = released.recv_timeout(WAIT);
        Ok(None)
    })
    .unwrap();
    started.recv_timeout(WAIT).unwrap();
    release
}

/// Sends on drop: tells whether a job's captured values were dropped (a reply guard answers).
struct DropFlag(mpsc::Sender<&'static str>, &'static str);
impl Drop for DropFlag {
    fn drop(&mut self) {
        let _ = self.0.send(self.1);
    }
}

fn add_group(
    name: &'static str,
    after: impl FnOnce() + Send + 'static,
) -> impl FnOnce(&mut dyn Tx) -> Result<Option<AfterCommit>> + Send + 'static {
    move |tx| {
        tx.upsert_group(name, Strategy::LeastBusy)?;
        Ok(Some(Box::new(after) as AfterCommit))
    }
}

pub fn a_refused_job_is_rolled_back_alone(open: Open) {
    let f = open();
    let reader = Arc::new(Mutex::new(f.store.reader().unwrap()));
    let fatal = Arc::new(AtomicUsize::new(0));
    let fatal2 = fatal.clone();
    let (c, writer) = Committer::start(f.store, move |_| {
        fatal2.fetch_add(1, Ordering::SeqCst);
    })
    .unwrap();
    let release = gate(&c);
    let (done_tx, done) = mpsc::channel();
    let d = done_tx.clone();
    c.submit(add_group("one", move || d.send("one after").unwrap()))
        .unwrap();
    let flag = DropFlag(done_tx.clone(), "refused job dropped");
    let d = done_tx.clone();
    c.submit(move |tx| {
        let _keep = &flag;
        tx.upsert_group("refused", Strategy::LeastBusy)?;
        tx.set_password(12345, "hash", true)?;
        Ok(Some(
            Box::new(move || d.send("refused after").unwrap()) as AfterCommit
        ))
    })
    .unwrap();
    let d = done_tx.clone();
    let r = reader.clone();
    c.submit(move |tx| {
        // Same transaction as job "one" (it sees it), not yet committed (a reader does not).
        assert!(tx.list_groups()?.iter().any(|(g, _)| g == "one"));
        assert!(!committed(&r, "one"));
        tx.upsert_group("three", Strategy::LeastBusy)?;
        Ok(Some(
            Box::new(move || d.send("three after").unwrap()) as AfterCommit
        ))
    })
    .unwrap();
    drop(done_tx);
    release.send(()).unwrap();
    let events: Vec<_> = (0..3).map(|_| done.recv_timeout(WAIT).unwrap()).collect();
    assert_eq!(events, ["refused job dropped", "one after", "three after"]);
    drop(c);
    writer.join().unwrap();
    assert_eq!(fatal.load(Ordering::SeqCst), 0, "a refusal is not fatal");
    assert!(committed(&reader, "one") && committed(&reader, "three"));
    assert!(!committed(&reader, "refused"));
}

pub fn after_commit_work_runs_after_commit_in_submission_order(open: Open) {
    let f = open();
    let reader = Arc::new(Mutex::new(f.store.reader().unwrap()));
    let (c, writer) = Committer::start(f.store, |e| panic!("unexpected fatal error: {e}")).unwrap();
    let order = Arc::new(Mutex::new(Vec::new()));
    const NAMES: [&str; 6] = ["g0", "g1", "g2", "g3", "g4", "g5"];
    // Half in one batch behind a gate, half submitted while that batch commits.
    let release = gate(&c);
    for (i, name) in NAMES.iter().enumerate() {
        if i == 3 {
            release.send(()).unwrap();
        }
        let (order, reader) = (order.clone(), reader.clone());
        c.submit(add_group(name, move || {
            // By the time a follow-up runs, its write is visible to other connections.
            let visible = committed(&reader, name);
            order.lock().unwrap().push((i, visible));
        }))
        .unwrap();
    }
    drop(c);
    writer.join().unwrap();
    let order = order.lock().unwrap().clone();
    assert_eq!(order, (0..6).map(|i| (i, true)).collect::<Vec<_>>());
}

pub fn a_fatal_error_stops_the_writer_once(open: Open) {
    let f = open();
    let reader = Arc::new(Mutex::new(f.store.reader().unwrap()));
    let fatal = Arc::new(Mutex::new(Vec::new()));
    let fatal2 = fatal.clone();
    let (c, writer) = Committer::start(f.store, move |e| {
        fatal2.lock().unwrap().push(e.to_string());
    })
    .unwrap();
    let release = gate(&c);
    let (done_tx, done) = mpsc::channel();
    let d = done_tx.clone();
    c.submit(add_group("before", move || d.send("before after").unwrap()))
        .unwrap();
    let flag = DropFlag(done_tx.clone(), "fatal job dropped");
    c.submit(move |_tx| {
        let _keep = &flag;
        Err(StoreError::Io {
            path: "kefu.db".into(),
            detail: "simulated".into(),
        })
    })
    .unwrap();
    let d = done_tx.clone();
    let flag = DropFlag(done_tx.clone(), "later job dropped");
    c.submit(add_group("later", move || {
        let _keep = &flag;
        d.send("later after").unwrap()
    }))
    .unwrap();
    drop(done_tx);
    release.send(()).unwrap();
    writer.join().unwrap();
    // Nothing of the failed transaction is acknowledged: only drops, no follow-ups.
    let mut events: Vec<_> = done.iter().collect();
    events.sort();
    assert_eq!(events, ["fatal job dropped", "later job dropped"]);
    assert_eq!(fatal.lock().unwrap().len(), 1, "on_fatal is called once");
    assert!(fatal.lock().unwrap()[0].contains("simulated"));
    let e = c.submit(|_| Ok(None)).unwrap_err();
    assert!(matches!(e, StoreError::Closed), "{e:?}");
    assert!(!committed(&reader, "before") && !committed(&reader, "later"));
}

/// The backlog the hub's backpressure watches: jobs submitted and not yet through their
/// transaction, counted down when it ends, with a wake-up for whoever waits for room.
pub fn the_backlog_counts_jobs_until_their_transaction_ends(open: Open) {
    let f = open();
    let (c, writer) = Committer::start(f.store, |e| panic!("unexpected fatal error: {e}")).unwrap();
    let release = gate(&c);
    // The gate job itself is in the transaction being written.
    assert_eq!(c.backlog(), 1);
    let ran = Arc::new(AtomicUsize::new(0));
    for _ in 0..5 {
        let ran = ran.clone();
        c.submit(move |_| {
            ran.fetch_add(1, Ordering::SeqCst);
            Ok(None)
        })
        .unwrap();
    }
    assert_eq!(c.backlog(), 6);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    // No transaction has ended yet: nothing wakes a waiter.
    runtime.block_on(async {
        let early = tokio::time::timeout(Duration::from_millis(100), c.drained()).await;
        assert!(early.is_err(), "drained() resolved with the writer held");
    });
    release.send(()).unwrap();
    runtime.block_on(async {
        tokio::time::timeout(WAIT, async {
            while c.backlog() > 0 {
                c.drained().await;
            }
        })
        .await
        .expect("the backlog drains, and each transaction wakes the waiter");
    });
    assert_eq!(ran.load(Ordering::SeqCst), 5);
    drop(c);
    writer.join().unwrap();
}
