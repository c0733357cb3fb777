//! Contract: savepoints and transactions roll back exactly their own writes; readers see
//! committed data only, from one snapshot; the read pool runs, refuses and drains.

use crate::support::*;
use kefu::model::{Role, Strategy};
use kefu::store::{ReadPool, StoreError, StoreOptions};
use std::sync::mpsc;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

fn group_names(store: &dyn kefu::store::Store) -> Vec<String> {
    read(store, |r| r.list_groups())
        .unwrap()
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

pub fn a_savepoint_rolls_back_only_its_own_writes(open: Open) {
    let mut f = open();
    let store = &mut *f.store;
    write(store, |tx| {
        tx.upsert_group("before", Strategy::LeastBusy)?;
        tx.savepoint(&mut |tx| tx.upsert_group("kept", Strategy::LeastBusy))?;
        let e = tx
            .savepoint(&mut |tx| {
                tx.upsert_group("dropped", Strategy::LeastBusy)?;
                tx.insert_agent(&agent("ann", Role::Agent, &["dropped", "missing"]))?;
                Ok(())
            })
            .unwrap_err();
        assert!(matches!(e, StoreError::NotFound(_)), "{e:?}");
        // Inside the transaction the failed savepoint is already gone.
        assert!(tx.agent_by_username("ann")?.is_none());
        tx.upsert_group("after", Strategy::LeastBusy)?;
        Ok(())
    })
    .unwrap();
    assert_eq!(group_names(store), ["after", "before", "kept"]);
    assert!(read(store, |r| r.list_agents()).unwrap().is_empty());
}

pub fn a_failed_transaction_leaves_nothing(open: Open) {
    let mut f = open();
    let store = &mut *f.store;
    let e = store
        .transaction(&mut |tx| {
            tx.upsert_group("lost", Strategy::LeastBusy)?;
            Err(StoreError::NotFound("the caller gave up".into()))
        })
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound(_)), "{e:?}");
    assert!(group_names(store).is_empty());
    // The store is still usable.
    write(store, |tx| tx.upsert_group("next", Strategy::LeastBusy)).unwrap();
    assert_eq!(group_names(store), ["next"]);
}

pub fn a_reader_sees_committed_writes_only(open: Open) {
    let mut f = open();
    let store = &mut *f.store;
    let mut reader = store.reader().unwrap();
    let seen = |reader: &mut Box<dyn kefu::store::Reader>| {
        let mut names = Vec::new();
        reader
            .snapshot(&mut |r| {
                names = r.list_groups()?.into_iter().map(|(n, _)| n).collect();
                Ok(())
            })
            .unwrap();
        names
    };
    store
        .transaction(&mut |tx| {
            tx.upsert_group("pending", Strategy::LeastBusy)?;
            assert!(
                seen(&mut reader).is_empty(),
                "a reader must not see an uncommitted write"
            );
            Ok(())
        })
        .unwrap();
    assert_eq!(seen(&mut reader), ["pending"]);
}

pub fn a_snapshot_does_not_move(open: Open) {
    let mut f = open();
    let store = &mut *f.store;
    write(store, |tx| tx.upsert_group("first", Strategy::LeastBusy)).unwrap();
    let mut reader = store.reader().unwrap();
    reader
        .snapshot(&mut |r| {
            assert_eq!(r.list_groups()?.len(), 1);
            // A commit in the middle of a snapshot is not seen by it.
            write(store, |tx| tx.upsert_group("second", Strategy::LeastBusy))?;
            assert_eq!(r.list_groups()?.len(), 1);
            Ok(())
        })
        .unwrap();
    assert_eq!(group_names(store).len(), 2);
}

fn pool_options(readers: usize, read_queue: usize) -> StoreOptions {
    StoreOptions {
        readers,
        read_queue,
        ..Default::default()
    }
}

pub fn read_pool_runs_jobs_on_committed_data(open: Open) {
    let mut f = open();
    let store = &mut *f.store;
    let pool = ReadPool::open(store, &pool_options(2, 16)).unwrap();
    write(store, |tx| tx.upsert_group("sales", Strategy::LeastBusy)).unwrap();
    let (tx, rx) = mpsc::channel();
    for i in 0..10 {
        let tx = tx.clone();
        pool.submit(move |r| {
            let _ = tx.send((i, r.list_groups().map(|g| g.len())));
        })
        .unwrap();
    }
    let mut done: Vec<_> = (0..10).map(|_| rx.recv_timeout(WAIT).unwrap()).collect();
    done.sort_by_key(|(i, _)| *i);
    for (i, groups) in done {
        assert_eq!(groups.unwrap(), 1, "job {i} saw the committed group");
    }
}

pub fn read_pool_refuses_when_full_and_drains_on_drop(open: Open) {
    let mut f = open();
    let store = &mut *f.store;
    let pool = ReadPool::open(store, &pool_options(1, 1)).unwrap();
    let (started_tx, started) = mpsc::channel();
    let (release, released) = mpsc::channel::<()>();
    // The only reader is kept busy until released.
    pool.submit(move |_| {
        let _ = started_tx.send(());
        let _ = released.recv_timeout(WAIT);
    })
    .unwrap();
    started.recv_timeout(WAIT).unwrap();
    let (ran_tx, ran) = mpsc::channel();
    pool.submit(move |r| {
        let _ = ran_tx.send(r.list_groups().is_ok());
    })
    .unwrap();
    // The queue holds one job: the next is refused at once, not queued.
    let e = pool
        .submit(|_| panic!("a refused job must not run"))
        .unwrap_err();
    assert!(matches!(e, StoreError::Busy), "{e:?}");
    assert!(!e.is_fatal());
    release.send(()).unwrap();
    // Dropping the pool runs what was queued, then joins its threads.
    drop(pool);
    assert_eq!(
        ran.try_recv(),
        Ok(true),
        "the queued job ran before drop returned"
    );
}

/// A session write that was rolled back (its savepoint, or its whole transaction) is not
/// taken as stored: putting the same row again writes it.
pub fn a_rolled_back_session_write_is_written_again(open: Open) {
    let mut f = open();
    let store = &mut *f.store;
    let s = write(store, |tx| seed_session(tx, 1, 1)).unwrap();
    let mut waiting = s.clone();
    waiting.waiting_since = Some(5_000);
    write(store, |tx| {
        let e = refused(tx, |tx| {
            tx.put_session(&waiting, None)?;
            Err(StoreError::Conflict("given up".into()))
        });
        assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
        assert_eq!(tx.session(1)?.unwrap().waiting_since, None);
        tx.put_session(&waiting, None)
    })
    .unwrap();
    assert_eq!(
        read(store, |r| r.session(1)).unwrap(),
        Some(waiting.clone())
    );

    let mut tagged = waiting.clone();
    tagged.tags = vec!["回访".into()];
    let e = store
        .transaction(&mut |tx| {
            tx.put_session(&tagged, None)?;
            Err(StoreError::NotFound("the caller gave up".into()))
        })
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound(_)), "{e:?}");
    assert_eq!(read(store, |r| r.session(1)).unwrap(), Some(waiting));
    write(store, |tx| tx.put_session(&tagged, None)).unwrap();
    assert_eq!(read(store, |r| r.session(1)).unwrap(), Some(tagged));
}
