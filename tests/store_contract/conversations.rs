//! Contract: sessions, messages, transcripts and the idempotency key.

use crate::support::*;
use kefu::model::{AuthorKind, Channel, EndReason, SessionState};
use kefu::store::StoreError;

pub fn sessions_are_put_and_read(open: Open) {
    let mut f = open();
    let store = &mut *f.store;
    let (s, offer_to) = write(store, |tx| {
        let s = seed_session(tx, 10, 1)?;
        let a = tx.insert_agent(&agent("ann", kefu::model::Role::Agent, &[]))?;
        Ok((s, a))
    })
    .unwrap();
    assert_eq!(read(store, |r| r.session(10)).unwrap(), Some(s.clone()));
    assert_eq!(read(store, |r| r.session(11)).unwrap(), None);

    // Every field survives a round trip; putting again replaces the row.
    let mut full = s.clone();
    full.state = SessionState::Ended;
    full.assignee = Some(offer_to);
    full.priority = 5;
    full.intent = Some("complaint".into());
    full.tags = vec!["物流问题-已解决".into()];
    full.follow_up = true;
    full.offered_at = Some(1_100);
    full.accepted_at = Some(1_200);
    full.first_human_reply_at = Some(1_300);
    full.ended_at = Some(1_400);
    full.end_reason = Some(EndReason::Resolved);
    full.csat = Some(4);
    full.waiting_since = Some(1_250);
    write(store, |tx| tx.put_session(&full, Some((offer_to, 9_999)))).unwrap();
    assert_eq!(read(store, |r| r.session(10)).unwrap(), Some(full));

    // The session shows its customer as stored now.
    let mut c = s.customer.clone();
    c.nickname = "renamed".into();
    c.channel = Channel::App;
    write(store, |tx| tx.update_customer(&c)).unwrap();
    let got = read(store, |r| r.session(10)).unwrap().unwrap();
    assert_eq!(got.customer, c);
    assert_eq!(
        got.channel,
        Channel::Web,
        "the session keeps its own channel"
    );
}

pub fn sessions_of_a_customer_newest_first(open: Open) {
    let mut f = open();
    let store = &mut *f.store;
    write(store, |tx| {
        for id in [3, 1, 2] {
            seed_session(tx, id, 7)?;
        }
        seed_session(tx, 4, 8)?;
        Ok(())
    })
    .unwrap();
    let ids = |store: &dyn kefu::store::Store, customer, limit| -> Vec<i64> {
        read(store, move |r| r.sessions_of_customer(customer, limit))
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect()
    };
    assert_eq!(ids(store, 7, 10), [3, 2, 1]);
    assert_eq!(ids(store, 7, 2), [3, 2]);
    assert_eq!(ids(store, 8, 10), [4]);
    assert!(ids(store, 9, 10).is_empty());
}

pub fn transcript_pages_by_seq(open: Open) {
    let mut f = open();
    let store = &mut *f.store;
    write(store, |tx| {
        seed_session(tx, 1, 1)?;
        seed_session(tx, 2, 1)?;
        for seq in 1..=5 {
            let kind = if seq % 2 == 1 {
                AuthorKind::Customer
            } else {
                AuthorKind::Agent
            };
            tx.insert_message(&message(1, seq, kind, None))?;
        }
        tx.insert_message(&message(2, 1, AuthorKind::Customer, None))?;
        Ok(())
    })
    .unwrap();
    let seqs = |store: &dyn kefu::store::Store, after, limit| -> Vec<i64> {
        read(store, move |r| r.transcript(1, after, limit))
            .unwrap()
            .into_iter()
            .map(|m| m.seq)
            .collect()
    };
    assert_eq!(seqs(store, 0, 100), [1, 2, 3, 4, 5]);
    assert_eq!(seqs(store, 2, 2), [3, 4]);
    assert_eq!(seqs(store, 4, 100), [5]);
    assert!(seqs(store, 5, 100).is_empty());
    // Whole messages come back, and the session's last_seq follows its messages.
    let third = read(store, |r| r.transcript(1, 2, 1)).unwrap();
    assert_eq!(third, [message(1, 3, AuthorKind::Customer, None)]);
    assert_eq!(read(store, |r| r.session(1)).unwrap().unwrap().last_seq, 5);
    assert_eq!(read(store, |r| r.session(2)).unwrap().unwrap().last_seq, 1);
}

pub fn message_idempotency_key_is_unique(open: Open) {
    let mut f = open();
    let store = &mut *f.store;
    write(store, |tx| {
        seed_session(tx, 1, 1)?;
        seed_session(tx, 2, 1)?;
        tx.insert_message(&message(1, 1, AuthorKind::Customer, Some("m-1")))?;
        // Same seq again: refused.
        let e = refused(tx, |tx| {
            tx.insert_message(&message(1, 1, AuthorKind::Agent, None))
        });
        assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
        // Another author kind, another author, another session, or no key at all: fine.
        tx.insert_message(&message(1, 2, AuthorKind::Agent, Some("m-1")))?;
        let mut other_author = message(1, 3, AuthorKind::Customer, Some("m-1"));
        other_author.author_id = Some(99);
        tx.insert_message(&other_author)?;
        tx.insert_message(&message(2, 1, AuthorKind::Customer, Some("m-1")))?;
        tx.insert_message(&message(1, 4, AuthorKind::Customer, None))?;
        // Same key again with another seq (a retry older than the hub's ack window): stored
        // as a message of its own, without the key, never refused (a refusal would fail the
        // whole commit group).
        tx.insert_message(&message(1, 5, AuthorKind::Customer, Some("m-1")))?;
        Ok(())
    })
    .unwrap();
    let stored = read(store, |r| r.transcript(1, 0, 100)).unwrap();
    assert_eq!(
        stored.iter().map(|m| m.seq).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    assert_eq!(stored[0].author_kind, AuthorKind::Customer);
    assert_eq!(stored[0].client_msg_id.as_deref(), Some("m-1"));
    assert_eq!(
        stored[4].client_msg_id, None,
        "the late duplicate keeps no key"
    );
    assert_eq!(
        stored[4].body,
        message(1, 5, AuthorKind::Customer, None).body
    );
}

/// Start-up reads back the client_msg_ids of each open session's latest messages only, so a
/// long conversation does not make the hub remember every message it ever had.
pub fn recovery_reads_back_only_the_latest_keys(open: Open) {
    let mut f = open();
    let store = &mut *f.store;
    let window = kefu::protocol::IDEMPOTENCY_WINDOW as i64;
    let total = window + 50;
    write(store, |tx| {
        seed_session(tx, 1, 1)?;
        for seq in 1..=total {
            tx.insert_message(&message(
                1,
                seq,
                AuthorKind::Customer,
                Some(&format!("m{seq}")),
            ))?;
        }
        Ok(())
    })
    .unwrap();
    let sent = store.recover().unwrap().sent;
    assert_eq!(sent.len() as i64, window);
    assert_eq!(sent.first().map(|m| m.seq), Some(total - window + 1));
    assert_eq!(sent.last().map(|m| m.seq), Some(total));
}
