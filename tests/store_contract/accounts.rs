//! Contract: agents, skill groups and memberships, tokens, customers.

use crate::support::*;
use kefu::model::{AgentStatus, Channel, Role, Strategy};
use kefu::store::{Principal, StoreError};

pub fn agents_are_stored_and_found(open: Open) {
    let mut f = open();
    let store = &mut *f.store;
    let (a, b) = write(store, |tx| {
        tx.upsert_group("sales", Strategy::LeastBusy)?;
        tx.upsert_group("billing", Strategy::RoundRobin)?;
        let a = tx.insert_agent(&agent("ann", Role::Agent, &["sales", "billing"]))?;
        let b = tx.insert_agent(&agent("bob", Role::Supervisor, &[]))?;
        // Reads inside the transaction see its own writes.
        assert_eq!(tx.agent_by_id(a)?.unwrap().username, "ann");
        Ok((a, b))
    })
    .unwrap();
    assert!(a > 0 && b > a, "ids are assigned in order: {a}, {b}");

    let ann = read(store, |r| r.agent_by_username("ann"))
        .unwrap()
        .unwrap();
    let expected = kefu::store::AgentRow {
        id: a,
        // Groups come back sorted by name.
        groups: vec!["billing".into(), "sales".into()],
        ..agent("ann", Role::Agent, &[])
    };
    assert_eq!(ann, expected);
    assert_eq!(read(store, |r| r.agent_by_id(a)).unwrap(), Some(expected));
    let all = read(store, |r| r.list_agents()).unwrap();
    assert_eq!(
        all.iter().map(|r| (r.id, r.role)).collect::<Vec<_>>(),
        [(a, Role::Agent), (b, Role::Supervisor)]
    );
    assert_eq!(
        read(store, |r| r.agent_by_username("nobody")).unwrap(),
        None
    );
    assert_eq!(read(store, |r| r.agent_by_id(b + 100)).unwrap(), None);

    write(store, |tx| {
        let e = refused(tx, |tx| {
            tx.insert_agent(&agent("ann", Role::Admin, &[])).map(drop)
        });
        assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
        // An unknown group refuses the whole agent: nothing of it stays.
        let e = refused(tx, |tx| {
            tx.insert_agent(&agent("cat", Role::Agent, &["nope"]))
                .map(drop)
        });
        assert!(matches!(e, StoreError::NotFound(_)), "{e:?}");
        Ok(())
    })
    .unwrap();
    let names: Vec<String> = read(store, |r| r.list_agents())
        .unwrap()
        .into_iter()
        .map(|r| r.username)
        .collect();
    assert_eq!(names, ["ann", "bob"]);
}

pub fn agent_status_and_password(open: Open) {
    let mut f = open();
    let store = &mut *f.store;
    let (a, b) = write(store, |tx| {
        let a = tx.insert_agent(&agent("ann", Role::Agent, &[]))?;
        let b = tx.insert_agent(&agent("bob", Role::Agent, &[]))?;
        tx.insert_token("t-ann", Principal::Agent(a), 10_000, 1)?;
        tx.insert_token("t-bob", Principal::Agent(b), 10_000, 1)?;
        tx.set_agent_status(a, AgentStatus::Busy)?;
        tx.set_password(a, "new-hash", false)?;
        Ok((a, b))
    })
    .unwrap();
    let ann = read(store, |r| r.agent_by_id(a)).unwrap().unwrap();
    assert_eq!(ann.status, AgentStatus::Busy);
    assert_eq!(ann.password_hash, "new-hash");
    assert!(!ann.must_change_password);
    // A new password ends the agent's tokens, and only theirs.
    assert_eq!(read(store, |r| r.token("t-ann", 5)).unwrap(), None);
    assert_eq!(
        read(store, |r| r.token("t-bob", 5)).unwrap(),
        Some(Principal::Agent(b))
    );
    write(store, |tx| {
        let e = refused(tx, |tx| tx.set_password(b + 100, "x", true));
        assert!(matches!(e, StoreError::NotFound(_)), "{e:?}");
        Ok(())
    })
    .unwrap();
}

pub fn groups_and_members(open: Open) {
    let mut f = open();
    let store = &mut *f.store;
    let a = write(store, |tx| {
        tx.upsert_group("sales", Strategy::LeastBusy)?;
        tx.upsert_group("after-sales", Strategy::Manual)?;
        // Upserting again changes the strategy, not the number of groups.
        tx.upsert_group("sales", Strategy::RoundRobin)?;
        let a = tx.insert_agent(&agent("ann", Role::Agent, &[]))?;
        tx.add_member("sales", a)?;
        tx.add_member("sales", a)?;
        tx.add_member("after-sales", a)?;
        let e = refused(tx, |tx| tx.add_member("nope", a));
        assert!(matches!(e, StoreError::NotFound(_)), "{e:?}");
        Ok(a)
    })
    .unwrap();
    assert_eq!(
        read(store, |r| r.list_groups()).unwrap(),
        [
            ("after-sales".to_string(), Strategy::Manual),
            ("sales".to_string(), Strategy::RoundRobin)
        ]
    );
    let ann = read(store, |r| r.agent_by_id(a)).unwrap().unwrap();
    assert_eq!(ann.groups, ["after-sales", "sales"]);
}

pub fn tokens_expire_and_are_deleted(open: Open) {
    let mut f = open();
    let store = &mut *f.store;
    let a = write(store, |tx| {
        let a = tx.insert_agent(&agent("ann", Role::Agent, &[]))?;
        tx.insert_customer(&customer(5, None), 1)?;
        tx.insert_token("agent-token", Principal::Agent(a), 1_000, 1)?;
        tx.insert_token("customer-token", Principal::Customer(5), 2_000, 1)?;
        Ok(a)
    })
    .unwrap();
    let token = |store: &dyn kefu::store::Store, hash: &'static str, now| {
        read(store, move |r| r.token(hash, now)).unwrap()
    };
    assert_eq!(token(store, "agent-token", 999), Some(Principal::Agent(a)));
    // Expired at its expiry time, not one millisecond later.
    assert_eq!(token(store, "agent-token", 1_000), None);
    assert_eq!(
        token(store, "customer-token", 1_999),
        Some(Principal::Customer(5))
    );
    assert_eq!(token(store, "unknown", 0), None);
    write(store, |tx| tx.delete_token("customer-token")).unwrap();
    assert_eq!(token(store, "customer-token", 0), None);
    // Deleting what is not there is not an error.
    write(store, |tx| tx.delete_token("customer-token")).unwrap();
}

pub fn customers_and_external_ids(open: Open) {
    let mut f = open();
    let store = &mut *f.store;
    let mut vip = customer(3, Some("crm-3"));
    vip.vip = true;
    vip.tags = vec!["VIP用户".into(), "投诉用户".into()];
    vip.channel = Channel::MiniProgram;
    write(store, |tx| {
        tx.insert_customer(&vip, 1)?;
        // Customers without an external id never collide.
        tx.insert_customer(&customer(4, None), 1)?;
        tx.insert_customer(&customer(5, None), 1)?;
        let e = refused(tx, |tx| tx.insert_customer(&customer(6, Some("crm-3")), 1));
        assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
        Ok(())
    })
    .unwrap();
    assert_eq!(read(store, |r| r.customer(3)).unwrap(), Some(vip.clone()));
    assert_eq!(
        read(store, |r| r.customer_by_external_id("crm-3")).unwrap(),
        Some(vip.clone())
    );
    assert_eq!(read(store, |r| r.customer(6)).unwrap(), None);
    assert_eq!(
        read(store, |r| r.customer_by_external_id("crm-6")).unwrap(),
        None
    );

    let mut changed = vip.clone();
    changed.nickname = "Ms. Li".into();
    changed.external_id = Some("crm-33".into());
    changed.tags = vec![];
    write(store, |tx| tx.update_customer(&changed)).unwrap();
    assert_eq!(read(store, |r| r.customer(3)).unwrap(), Some(changed));
    assert_eq!(
        read(store, |r| r.customer_by_external_id("crm-3")).unwrap(),
        None
    );
}
