//! Fixtures for the contract: a fresh store, one-line transactions and reads, model builders.

use kefu::model::{AgentStatus, AuthorKind, Channel, Role, SessionState};
use kefu::protocol::{CustomerView, MessageView, SessionView};
use kefu::store::{AgentRow, Read, Result, Store, StoreError, Tx};

/// A fresh, empty store and whatever must live as long as it (a temp dir, a schema).
pub struct Fresh {
    pub store: Box<dyn Store>,
    pub _keep: Box<dyn std::any::Any>,
}

pub type Open = fn() -> Fresh;

/// Runs `f` in one transaction, committed if it returns `Ok`.
pub fn write<T>(store: &mut dyn Store, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T> {
    let mut f = Some(f);
    let mut out = None;
    store.transaction(&mut |tx| {
        if let Some(f) = f.take() {
            out = Some(f(tx)?);
        }
        Ok(())
    })?;
    Ok(out.expect("the transaction ran its closure"))
}

/// Runs `f` on a new reader's snapshot.
pub fn read<T>(store: &dyn Store, f: impl FnOnce(&mut dyn Read) -> Result<T>) -> Result<T> {
    let mut reader = store.reader()?;
    let mut f = Some(f);
    let mut out = None;
    reader.snapshot(&mut |r| {
        if let Some(f) = f.take() {
            out = Some(f(r)?);
        }
        Ok(())
    })?;
    Ok(out.expect("the snapshot ran its closure"))
}

/// Runs `f` in a savepoint and returns the refusal it must end with. Backends such as Postgres
/// abort the whole transaction on an error outside a savepoint, so refusals are tested inside.
pub fn refused(tx: &mut dyn Tx, f: impl FnOnce(&mut dyn Tx) -> Result<()>) -> StoreError {
    let mut f = Some(f);
    let e = tx
        .savepoint(&mut |tx| match f.take() {
            Some(f) => f(tx),
            None => Ok(()),
        })
        .expect_err("the store should refuse this");
    assert!(!e.is_fatal(), "a refusal, not a fatal error: {e:?}");
    e
}

pub fn agent(username: &str, role: Role, groups: &[&str]) -> AgentRow {
    AgentRow {
        id: 0,
        username: username.into(),
        display_name: format!("Agent {username}"),
        employee_no: Some(format!("E-{username}")),
        contact: None,
        role,
        password_hash: format!("hash-of-{username}"),
        must_change_password: true,
        max_sessions: Some(3),
        status: AgentStatus::Offline,
        groups: groups.iter().map(|g| g.to_string()).collect(),
    }
}

pub fn customer(id: i64, external_id: Option<&str>) -> CustomerView {
    CustomerView {
        id,
        external_id: external_id.map(str::to_string),
        nickname: format!("customer {id}"),
        channel: Channel::Web,
        vip: false,
        tags: vec![],
    }
}

pub fn session(id: i64, customer: &CustomerView, state: SessionState) -> SessionView {
    SessionView {
        id,
        customer: customer.clone(),
        channel: customer.channel,
        state,
        group: "general".into(),
        assignee: None,
        priority: 0,
        intent: None,
        tags: vec![],
        follow_up: false,
        follow_up_at: None,
        created_at: 1_000 + id,
        queued_at: Some(1_000 + id),
        offered_at: None,
        accepted_at: None,
        first_human_reply_at: None,
        ended_at: None,
        end_reason: None,
        csat: None,
        last_seq: 0,
        waiting_since: None,
        context: None,
        offline: false,
        csat_comment: None,
        replied_at: None,
        reminded_at: None,
        bot: None,
        menu: None,
        ends_at: None,
        pending_end: None,
    }
}

pub fn message(session: i64, seq: i64, kind: AuthorKind, cmid: Option<&str>) -> MessageView {
    MessageView {
        session_id: session,
        seq,
        author_kind: kind,
        author_id: Some(match kind {
            AuthorKind::Agent => 1,
            _ => 7,
        }),
        author_name: format!("{kind:?}"),
        body: format!("message {seq} of session {session}"),
        client_msg_id: cmid.map(str::to_string),
        created_at: 2_000 + seq,
        internal: false,
    }
}

/// A customer with one queued session in group `general` (which is created).
pub fn seed_session(tx: &mut dyn Tx, session_id: i64, customer_id: i64) -> Result<SessionView> {
    tx.upsert_group("general", Default::default())?;
    let c = customer(customer_id, None);
    if tx.customer(customer_id)?.is_none() {
        tx.insert_customer(&c, 1)?;
    }
    let s = session(session_id, &c, SessionState::Queued);
    tx.put_session(&s, None)?;
    Ok(s)
}
