//! Row shapes: the SELECT lists and the functions that decode their rows into model types.

use super::error::Res;
use crate::model::{AgentId, Channel, EndReason, Millis, SessionState};
use crate::protocol::{CustomerView, MessageView, SessionView};
use crate::store::{AgentRow, StoreError};
use rusqlite::Row;

pub(super) fn parse<T: std::str::FromStr<Err = String>>(s: String) -> Res<T> {
    s.parse().map_err(|e| StoreError::BadRow(e).into())
}

pub(super) fn tags_json(tags: &[String]) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "[]".into())
}

pub(super) fn parse_tags(s: &str) -> Res<Vec<String>> {
    serde_json::from_str(s).map_err(|e| StoreError::BadRow(format!("tags: {e}")).into())
}

/// Runs a query and decodes every row.
pub(super) fn collect<T>(
    stmt: &mut rusqlite::CachedStatement<'_>,
    params: impl rusqlite::Params,
    decode: impl Fn(&Row) -> Res<T>,
) -> Res<Vec<T>> {
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode(row)?);
    }
    Ok(out)
}

pub(super) const AGENT_SELECT: &str = "SELECT a.id, a.username, a.display_name, a.employee_no,
    a.contact, a.role, a.password_hash, a.must_change_password, a.max_sessions, a.status,
    (SELECT COALESCE(json_group_array(group_name), '[]') FROM
        (SELECT group_name FROM group_members WHERE agent_id = a.id ORDER BY group_name))
    FROM agents a";

pub(super) fn agent(r: &Row) -> Res<AgentRow> {
    Ok(AgentRow {
        id: r.get(0)?,
        username: r.get(1)?,
        display_name: r.get(2)?,
        employee_no: r.get(3)?,
        contact: r.get(4)?,
        role: parse(r.get(5)?)?,
        password_hash: r.get(6)?,
        must_change_password: r.get(7)?,
        max_sessions: r.get(8)?,
        status: parse(r.get(9)?)?,
        groups: parse_tags(&r.get::<_, String>(10)?)?,
    })
}

pub(super) const CUSTOMER_SELECT: &str =
    "SELECT c.id, c.external_id, c.nickname, c.channel, c.vip, c.tags FROM customers c";

/// A customer from the six columns starting at `at`.
pub(super) fn customer(r: &Row, at: usize) -> Res<CustomerView> {
    Ok(CustomerView {
        id: r.get(at)?,
        external_id: r.get(at + 1)?,
        nickname: r.get(at + 2)?,
        channel: parse::<Channel>(r.get(at + 3)?)?,
        vip: r.get(at + 4)?,
        tags: parse_tags(&r.get::<_, String>(at + 5)?)?,
    })
}

/// `last_seq` is the newest stored message's seq: messages do not update the session row
/// (the column still holds what the last whole-row write put there).
pub(super) const SESSION_SELECT: &str =
    "SELECT s.id, s.channel, s.state, s.group_name, s.assignee, s.priority,
    s.intent, s.tags, s.follow_up, s.created_at, s.queued_at, s.offered_at, s.accepted_at,
    s.first_human_reply_at, s.ended_at, s.end_reason, s.csat,
    max(s.last_seq, COALESCE((SELECT max(seq) FROM messages WHERE session_id = s.id), 0)),
    s.waiting_since,
    s.offered_to, s.offer_expires_at,
    c.id, c.external_id, c.nickname, c.channel, c.vip, c.tags,
    s.context, s.offline, s.csat_comment, s.replied_at, s.reminded_at, s.bot, s.menu, s.follow_up_at,
    s.ends_at, s.pending_end
    FROM sessions s JOIN customers c ON c.id = s.customer_id";

pub(super) fn session(r: &Row) -> Res<SessionView> {
    let end_reason: Option<String> = r.get(15)?;
    Ok(SessionView {
        id: r.get(0)?,
        channel: parse::<Channel>(r.get(1)?)?,
        state: parse::<SessionState>(r.get(2)?)?,
        group: r.get(3)?,
        assignee: r.get(4)?,
        priority: r.get(5)?,
        intent: r.get(6)?,
        tags: parse_tags(&r.get::<_, String>(7)?)?,
        follow_up: r.get(8)?,
        created_at: r.get(9)?,
        queued_at: r.get(10)?,
        offered_at: r.get(11)?,
        accepted_at: r.get(12)?,
        first_human_reply_at: r.get(13)?,
        ended_at: r.get(14)?,
        end_reason: end_reason.map(parse::<EndReason>).transpose()?,
        csat: r.get(16)?,
        last_seq: r.get(17)?,
        waiting_since: r.get(18)?,
        customer: customer(r, 21)?,
        // A context that no longer parses is shown as none rather than failing the read.
        context: r
            .get::<_, Option<String>>(27)?
            .and_then(|t| serde_json::from_str(&t).ok()),
        offline: r.get(28)?,
        csat_comment: r.get(29)?,
        replied_at: r.get(30)?,
        reminded_at: r.get(31)?,
        // Like the context: a bot record that no longer parses is shown as none.
        bot: r
            .get::<_, Option<String>>(32)?
            .and_then(|t| serde_json::from_str(&t).ok()),
        menu: r
            .get::<_, Option<String>>(33)?
            .and_then(|t| serde_json::from_str(&t).ok()),
        follow_up_at: r.get(34)?,
        ends_at: r.get(35)?,
        // A pending end that no longer parses is dropped with its deadline (nothing fires).
        pending_end: r
            .get::<_, Option<String>>(36)?
            .and_then(|t| serde_json::from_str(&t).ok()),
    })
}

/// The pending offer of a row of [`SESSION_SELECT`].
pub(super) fn offer(r: &Row) -> Res<Option<(AgentId, Millis)>> {
    let to: Option<AgentId> = r.get(19)?;
    let until: Option<Millis> = r.get(20)?;
    Ok(to.zip(until))
}

pub(super) const MESSAGE_SELECT: &str = "SELECT m.session_id, m.seq, m.author_kind, m.author_id,
    m.author_name, m.body, m.client_msg_id, m.created_at, m.internal FROM messages m";

pub(super) fn message(r: &Row) -> Res<MessageView> {
    message_at(r, 0)
}

/// A message from the nine columns of [`MESSAGE_SELECT`] starting at `at`.
fn message_at(r: &Row, at: usize) -> Res<MessageView> {
    Ok(MessageView {
        session_id: r.get(at)?,
        seq: r.get(at + 1)?,
        author_kind: parse(r.get(at + 2)?)?,
        author_id: r.get(at + 3)?,
        author_name: r.get(at + 4)?,
        body: r.get(at + 5)?,
        client_msg_id: r.get(at + 6)?,
        created_at: r.get(at + 7)?,
        internal: r.get(at + 8)?,
    })
}

/// An event as (id, body JSON) from `e.id, e.body, e.seq` and the message columns joined on
/// it: an event that names a message (`seq`) is that message's `message` event, serialised
/// as the hub serialised it when it was live.
pub(super) fn event(r: &Row) -> Res<(i64, String)> {
    let id: i64 = r.get(0)?;
    let seq: Option<i64> = r.get(2)?;
    if seq.is_none() {
        return Ok((id, r.get(1)?));
    }
    let found: Option<i64> = r.get(3)?;
    if found.is_none() {
        return Err(
            StoreError::BadRow(format!("event {id} names a message that is not stored")).into(),
        );
    }
    let event = crate::protocol::Event::Message {
        message: message_at(r, 3)?,
    };
    let body = serde_json::to_string(&event)
        .map_err(|e| StoreError::BadRow(format!("event {id}: {e}")))?;
    Ok((id, body))
}
