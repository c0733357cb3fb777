//! Contract: the event log per viewer, the knowledge base, quick replies, and `recover`.

use crate::support::*;
use kefu::model::{AuthorKind, Role, SessionState, Strategy};
use kefu::protocol::{Article, Event, QuickReply};
use kefu::store::{Audience, StoreError, Viewer};

pub fn events_per_viewer(open: Open) {
    let mut f = open();
    let store = &mut *f.store;
    write(store, |tx| {
        let events = [
            (1, Audience::Agent(1)),
            (2, Audience::Agent(2)),
            (3, Audience::Supervisors),
            (4, Audience::Customer(7)),
            (5, Audience::Agent(1)),
            (6, Audience::Customer(8)),
            (7, Audience::Agent(2)),
        ];
        for (id, audience) in events {
            tx.insert_event(id, audience, Some(1), &format!(r#"{{"n":{id}}}"#), 1)?;
        }
        Ok(())
    })
    .unwrap();
    let ids = |store: &dyn kefu::store::Store, viewer, cursor, limit| -> Vec<i64> {
        read(store, move |r| r.events_after(viewer, cursor, limit))
            .unwrap()
            .into_iter()
            .map(|(id, _)| id)
            .collect()
    };
    let agent1 = Viewer::Agent {
        id: 1,
        supervisor: false,
    };
    let sup2 = Viewer::Agent {
        id: 2,
        supervisor: true,
    };
    assert_eq!(ids(store, agent1, 0, 100), [1, 5]);
    // A supervisor sees their own and the supervisors' events.
    assert_eq!(ids(store, sup2, 0, 100), [2, 3, 7]);
    assert_eq!(ids(store, Viewer::Customer(7), 0, 100), [4]);
    assert_eq!(ids(store, Viewer::Customer(8), 0, 100), [6]);
    // The cursor is exclusive; the limit keeps the oldest.
    assert_eq!(ids(store, agent1, 1, 100), [5]);
    assert_eq!(ids(store, sup2, 2, 100), [3, 7]);
    assert_eq!(ids(store, sup2, 0, 2), [2, 3]);
    assert!(ids(store, agent1, 5, 100).is_empty());
    // Bodies come back as stored.
    let got = read(store, |r| r.events_after(Viewer::Customer(7), 0, 1)).unwrap();
    assert_eq!(got, [(4, r#"{"n":4}"#.to_string())]);
}

pub fn oldest_event_id(open: Open) {
    let mut f = open();
    let store = &mut *f.store;
    assert_eq!(read(store, |r| r.oldest_event_id()).unwrap(), 0);
    write(store, |tx| {
        tx.insert_event(42, Audience::Agent(1), None, "{}", 1)?;
        tx.insert_event(43, Audience::Supervisors, None, "{}", 1)?;
        Ok(())
    })
    .unwrap();
    assert_eq!(read(store, |r| r.oldest_event_id()).unwrap(), 42);
}

fn article(title: &str, keywords: &[&str], updated_at: i64) -> Article {
    Article {
        id: 0,
        title: title.into(),
        keywords: keywords.iter().map(|k| k.to_string()).collect(),
        lang: "en".into(),
        updated_at,
        body: format!("body of {title}"),
        ..Article::default()
    }
}

pub fn knowledge_base_search_and_get(open: Open) {
    let mut f = open();
    let store = &mut *f.store;
    let ids = write(store, |tx| {
        Ok([
            tx.insert_article(&article("Refund policy", &["refund", "money"], 10))?,
            tx.insert_article(&article("Shipping times", &["delivery"], 30))?,
            tx.insert_article(&article("退款到账时间", &["退款", "REFUND"], 20))?,
            tx.insert_article(&article("100% guarantee", &[], 5))?,
        ])
    })
    .unwrap();
    let [refund, shipping, tuikuan, guarantee] = ids;
    let search = |store: &dyn kefu::store::Store, q: &'static str, limit| -> Vec<i64> {
        read(store, move |r| r.kb_search(q, limit))
            .unwrap()
            .into_iter()
            .map(|a| a.id)
            .collect()
    };
    // An empty query lists by id; the limit holds.
    assert_eq!(
        search(store, "", 10),
        [refund, shipping, tuikuan, guarantee]
    );
    assert_eq!(search(store, "", 2), [refund, shipping]);
    // Title or keyword, ASCII case ignored, most recently updated first.
    assert_eq!(search(store, "ReFuNd", 10), [tuikuan, refund]);
    assert_eq!(search(store, "退款", 10), [tuikuan]);
    assert_eq!(search(store, "ship", 10), [shipping]);
    // `%` and `_` are plain characters, not wildcards.
    assert_eq!(search(store, "%", 10), [guarantee]);
    assert!(search(store, "_", 10).is_empty());
    let summary = read(store, |r| r.kb_search("money", 1)).unwrap();
    assert_eq!(summary[0].keywords, ["refund", "money"]);

    let got = read(store, move |r| r.kb_get(shipping)).unwrap().unwrap();
    assert_eq!(
        got,
        Article {
            id: shipping,
            ..article("Shipping times", &["delivery"], 30)
        }
    );
    assert_eq!(read(store, |r| r.kb_get(9_999)).unwrap(), None);
}

pub fn quick_replies(open: Open) {
    let mut f = open();
    let store = &mut *f.store;
    let reply = |shortcut: &str| QuickReply {
        id: 0,
        shortcut: shortcut.into(),
        title: format!("title {shortcut}"),
        body: "Hello {customer}, I am {agent}.".into(),
        ..Default::default()
    };
    let (hi, bye) = write(store, |tx| {
        let hi = tx.insert_quick_reply(&reply("hi"))?;
        let bye = tx.insert_quick_reply(&reply("bye"))?;
        let e = refused(tx, |tx| tx.insert_quick_reply(&reply("hi")).map(drop));
        assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
        Ok((hi, bye))
    })
    .unwrap();
    // In the order they were added.
    assert_eq!(
        read(store, |r| r.list_quick_replies()).unwrap(),
        [
            QuickReply {
                id: hi,
                ..reply("hi")
            },
            QuickReply {
                id: bye,
                ..reply("bye")
            }
        ]
    );

    // Personal replies: shortcuts are unique per owner; use counts are per agent.
    let (ann, bo, mine) = write(store, |tx| {
        let ann = tx.insert_agent(&agent("qr-ann", Role::Agent, &[]))?;
        let bo = tx.insert_agent(&agent("qr-bo", Role::Agent, &[]))?;
        let personal = |owner| QuickReply {
            scope: kefu::protocol::QuickScope::Personal,
            owner: Some(owner),
            ..reply("hi")
        };
        let mine = tx.insert_quick_reply(&personal(ann))?;
        tx.insert_quick_reply(&personal(bo))?;
        let e = refused(tx, |tx| tx.insert_quick_reply(&personal(ann)).map(drop));
        assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
        assert_eq!(tx.record_quick_reply_use(bye, ann, 5)?, 1);
        assert_eq!(tx.record_quick_reply_use(bye, ann, 9)?, 2);
        assert_eq!(tx.record_quick_reply_use(bye, bo, 7)?, 1);
        let e = refused(tx, |tx| tx.record_quick_reply_use(9_999, ann, 1).map(drop));
        assert!(matches!(e, StoreError::NotFound(_)), "{e:?}");
        Ok((ann, bo, mine))
    })
    .unwrap();
    let of_ann = read(store, |r| r.quick_replies_of(ann, 100)).unwrap();
    assert_eq!(
        of_ann
            .iter()
            .map(|q| (q.id, q.uses, q.last_used))
            .collect::<Vec<_>>(),
        [(hi, 0, None), (bye, 2, Some(9)), (mine, 0, None)]
    );
    assert_eq!(read(store, |r| r.count_quick_replies(Some(bo))).unwrap(), 1);
    assert_eq!(read(store, |r| r.count_quick_replies(None)).unwrap(), 2);
    assert_eq!(
        read(store, |r| r.quick_reply_by_shortcut(Some(ann), "hi"))
            .unwrap()
            .map(|q| q.id),
        Some(mine)
    );
    // An update keeps the owner; a delete takes the use counts along.
    let saved = write(store, |tx| {
        let mut q = tx.quick_reply(mine)?.unwrap();
        q.title = "changed".into();
        q.owner = None;
        let saved = tx.save_quick_reply(&q, 50)?;
        assert!(tx.delete_quick_reply(bye)?);
        assert!(!tx.delete_quick_reply(bye)?);
        Ok(saved)
    })
    .unwrap();
    assert_eq!(
        (saved.owner, saved.title.as_str(), saved.updated_at),
        (Some(ann), "changed", 50)
    );
    assert_eq!(
        read(store, |r| r.quick_replies_of(bo, 100)).unwrap().len(),
        2
    );
}

pub fn recover_returns_what_start_up_needs(open: Open) {
    let mut f = open();
    let store = &mut *f.store;
    let empty = store.recover().unwrap();
    assert!(empty.agents.is_empty() && empty.groups.is_empty());
    assert!(empty.open_sessions.is_empty() && empty.sent.is_empty());
    assert_eq!(
        (
            empty.max_event_id,
            empty.max_session_id,
            empty.max_customer_id
        ),
        (0, 0, 0)
    );

    let (ann, open_offered, queued) = write(store, |tx| {
        let ann = tx.insert_agent(&agent("ann", Role::Agent, &[]))?;
        let mut offered = seed_session(tx, 1, 1)?;
        offered.state = SessionState::Offered;
        tx.put_session(&offered, Some((ann, 5_000)))?;
        let queued = seed_session(tx, 2, 2)?;
        let mut ended = seed_session(tx, 3, 9)?;
        ended.state = SessionState::Ended;
        tx.put_session(&ended, None)?;
        tx.upsert_group("vip", Strategy::Manual)?;
        // Keyed messages of open sessions are remembered for retries; others are not.
        tx.insert_message(&message(1, 1, AuthorKind::Customer, Some("k1")))?;
        tx.insert_message(&message(1, 2, AuthorKind::Agent, None))?;
        tx.insert_message(&message(2, 1, AuthorKind::Customer, Some("k2")))?;
        tx.insert_message(&message(3, 1, AuthorKind::Customer, Some("k3")))?;
        tx.insert_event(17, Audience::Agent(ann), Some(1), "{}", 1)?;
        tx.insert_event(12, Audience::Supervisors, None, "{}", 1)?;
        let offered = tx.session(1)?.expect("session 1");
        let queued = tx.session(queued.id)?.expect("session 2");
        Ok((ann, offered, queued))
    })
    .unwrap();

    let r = store.recover().unwrap();
    assert_eq!(r.agents.iter().map(|a| a.id).collect::<Vec<_>>(), [ann]);
    assert_eq!(
        r.groups,
        [
            ("general".to_string(), Strategy::LeastBusy),
            ("vip".to_string(), Strategy::Manual)
        ]
    );
    assert_eq!(
        r.open_sessions,
        [(open_offered, Some((ann, 5_000))), (queued, None)]
    );
    let keys: Vec<_> = r
        .sent
        .iter()
        .map(|m| (m.session_id, m.client_msg_id.clone()))
        .collect();
    assert_eq!(
        keys,
        [(1, Some("k1".to_string())), (2, Some("k2".to_string()))]
    );
    assert_eq!(
        (r.max_event_id, r.max_session_id, r.max_customer_id),
        (17, 3, 9)
    );
}

/// A message's events stored by reference replay as the message's own `message` event, byte
/// for byte what the server sends live; beside bodies stored whole, in cursor order.
pub fn message_events_replay_the_stored_message(open: Open) {
    let mut f = open();
    let store = &mut *f.store;
    let mut m = message(1, 1, AuthorKind::Customer, Some("k1"));
    m.body = "退款 \"quoted\" \\ \u{1F389}\n".into();
    let live = serde_json::to_string(&Event::Message { message: m.clone() }).unwrap();
    write(store, |tx| {
        seed_session(tx, 1, 7)?;
        tx.insert_message(&m)?;
        tx.insert_message_event(5, Audience::Customer(7), 1, 1, 1)?;
        tx.insert_event(6, Audience::Customer(7), Some(1), r#"{"n":6}"#, 1)?;
        tx.insert_message_event(7, Audience::Agent(1), 1, 1, 1)?;
        Ok(())
    })
    .unwrap();
    assert_eq!(
        read(store, |r| r.events_after(Viewer::Customer(7), 0, 10)).unwrap(),
        [(5, live.clone()), (6, r#"{"n":6}"#.to_string())]
    );
    let agent1 = Viewer::Agent {
        id: 1,
        supervisor: false,
    };
    assert_eq!(
        read(store, |r| r.events_after(agent1, 5, 10)).unwrap(),
        [(7, live)]
    );
    // The session's last_seq follows its messages.
    assert_eq!(read(store, |r| r.session(1)).unwrap().unwrap().last_seq, 1);
}
