//! `history.search` on SQLite. Without text: one query over `sessions` with every filter,
//! newest first by id, a page at a time (`id < before_id`). Text alone: the full-text index
//! is walked newest first (its rowids are `session << 24 | seq`), a hit per new conversation.
//! Text with filters (or a plain agent's scope): the filters and the index seek each other
//! ([`leapfrog`]). Either walk stops at a full page — or at the deadline, with a `next` to go
//! on from.

use super::error::Res;
use super::rows::{parse, parse_tags};
use crate::history::access::{self, Scope};
use crate::history::query::Query;
use crate::history::{SEQ_BITS, split_rowid, text};
use crate::model::SessionId;
use crate::protocol::{HistoryHit, HistorySearchReply, HitLine};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params_from_iter};
use std::time::Instant;

/// The filters as an SQL condition on `sessions s`, with their parameters in order.
fn filters(q: &Query, scope: &Scope) -> (String, Vec<Value>) {
    let mut sql = vec![];
    let mut p: Vec<Value> = vec![];
    if let Some(c) = &q.customer {
        let mut any = vec![];
        if let Some(id) = c.id {
            any.push("id = ?".to_string());
            p.push(Value::Integer(id));
        }
        if let Some(t) = &c.text {
            any.push("external_id = ?".into());
            p.push(Value::Text(t.clone()));
            any.push(r"nickname LIKE ? ESCAPE '\'".into());
            p.push(Value::Text(format!("%{}%", like_escape(t))));
        }
        sql.push(format!(
            "s.customer_id IN (SELECT id FROM customers WHERE {})",
            any.join(" OR ")
        ));
    }
    // A time range is also an id range (the server numbers conversations as they start), found
    // at the ends of the `created_at` index: the walk newest first by id then stays inside
    // it. The exact times are checked too (`+`: not through that index).
    if let Some(a) = q.after {
        sql.push(
            "s.id >= COALESCE((SELECT MIN(id) FROM sessions WHERE created_at =
                (SELECT MIN(created_at) FROM sessions WHERE created_at >= ?)), 9223372036854775807)
             AND +s.created_at >= ?"
                .into(),
        );
        p.extend([Value::Integer(a), Value::Integer(a)]);
    }
    if let Some(b) = q.before {
        sql.push(
            "s.id <= COALESCE((SELECT MAX(id) FROM sessions WHERE created_at =
                (SELECT MAX(created_at) FROM sessions WHERE created_at < ?)), 0)
             AND +s.created_at < ?"
                .into(),
        );
        p.extend([Value::Integer(b), Value::Integer(b)]);
    }
    for t in &q.tags {
        sql.push("s.id IN (SELECT session_id FROM history_tags WHERE tag = ?)".into());
        p.push(Value::Text(t.clone()));
    }
    if let Some(a) = &q.agent {
        sql.push(
            "s.id IN (SELECT h.session_id FROM history_agents h JOIN agents a
                ON a.id = h.agent_id WHERE a.username = ?)"
                .into(),
        );
        p.push(Value::Text(a.clone()));
    }
    let mut eq = |col: &str, v: Option<String>| {
        if let Some(v) = v {
            sql.push(format!("s.{col} = ?"));
            p.push(Value::Text(v));
        }
    };
    eq("group_name", q.group.clone());
    eq("channel", q.channel.map(|c| c.as_str().to_string()));
    eq("end_reason", q.outcome.map(|o| o.as_str().to_string()));
    eq("intent", q.intent.clone());
    if q.outcome.is_some() {
        sql.push("s.state = 'ended'".into());
    }
    if let Some(m) = q.csat_min {
        sql.push("s.csat >= ?".into());
        p.push(Value::Integer(m.into()));
    }
    if let Some(m) = q.csat_max {
        sql.push("s.csat <= ?".into());
        p.push(Value::Integer(m.into()));
    }
    match q.open {
        Some(true) => sql.push("s.state <> 'ended'".into()),
        Some(false) => sql.push("s.state = 'ended'".into()),
        None => {}
    }
    if *scope != Scope::All {
        let (cond, ids) = access::sql(scope);
        sql.push(cond);
        p.extend(ids.into_iter().map(|v| match v {
            access::Param::Int(i) => Value::Integer(i),
            access::Param::Text(t) => Value::Text(t),
        }));
    }
    if sql.is_empty() {
        sql.push("1".into());
    }
    (sql.join(" AND "), p)
}

fn like_escape(s: &str) -> String {
    s.replace('\\', r"\\")
        .replace('%', r"\%")
        .replace('_', r"\_")
}

pub(super) fn search(
    c: &Connection,
    q: &Query,
    scope: &Scope,
    deadline: Instant,
) -> Res<HistorySearchReply> {
    let (cond, params) = filters(q, scope);
    let limit = q.limit as usize;
    let mut hits = Vec::new();
    let mut next = None;
    match &q.text {
        None => {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT s.id FROM sessions s WHERE s.id < ? AND {cond} ORDER BY s.id DESC LIMIT ?"
            ))?;
            let all = std::iter::once(Value::Integer(q.before_id))
                .chain(params)
                .chain(std::iter::once(Value::Integer(q.limit as i64 + 1)));
            let ids: Vec<SessionId> = stmt
                .query_map(params_from_iter(all), |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for id in ids.iter().take(limit) {
                if let Some(h) = hit(c, *id)? {
                    hits.push(h);
                }
            }
            if ids.len() > limit {
                next = hits.last().map(|h| h.session_id);
            }
        }
        Some(tq) if q.has_filters() || *scope != Scope::All => {
            (hits, next) = leapfrog(
                c,
                q,
                tq,
                &cond,
                &params,
                deadline,
                access::sees_notes(scope),
            )?;
        }
        // Text alone: one walk down the index, a conversation per new session id.
        Some(tq) => {
            let top = q
                .before_id
                .checked_shl(SEQ_BITS)
                .filter(|t| t >> SEQ_BITS == q.before_id);
            let mut walk = c.prepare_cached(
                "SELECT rowid FROM history_fts WHERE history_fts MATCH ?1 AND rowid < ?2
                  ORDER BY rowid DESC",
            )?;
            let mut rows = walk.query(rusqlite::params![tq.fts, top.unwrap_or(i64::MAX)])?;
            let notes = access::sees_notes(scope);
            // The conversation being looked at, and whether it is in (None: not decided).
            let mut current: Option<(SessionId, Option<bool>)> = None;
            let mut seen = 0u32;
            while let Some(row) = rows.next()? {
                let (session, seq) = split_rowid(row.get(0)?);
                seen += 1;
                if seen.is_multiple_of(64) && Instant::now() >= deadline {
                    // Everything above this conversation was looked at.
                    next = Some(session + 1);
                    break;
                }
                match current {
                    Some((s, Some(_))) if s == session => continue,
                    Some((s, None)) if s == session => {}
                    _ => {
                        if hits.len() == limit {
                            next = hits.last().map(|h: &HistoryHit| h.session_id);
                            break;
                        }
                        current = Some((session, None));
                    }
                }
                let Some(line) = line(c, session, seq, &tq.terms)? else {
                    continue;
                };
                if line.internal && !notes {
                    continue;
                }
                current = Some((session, Some(true)));
                if let Some(mut h) = hit(c, session)? {
                    h.line = Some(line);
                    hits.push(h);
                }
            }
        }
    }
    Ok(HistorySearchReply { hits, next })
}

/// Text with filters: the two sides, both newest first, seek each other ("leapfrog"): the
/// newest conversation the filters admit at or below a bound, then the newest matching
/// message at or below that conversation, until they agree. Each step is one indexed query,
/// so a selective filter with a common word and a rare word with a broad filter are both
/// a few dozen steps, not a walk over every match.
fn leapfrog(
    c: &Connection,
    q: &Query,
    tq: &text::TextQuery,
    cond: &str,
    params: &[Value],
    deadline: Instant,
    notes: bool,
) -> Res<(Vec<HistoryHit>, Option<SessionId>)> {
    let mut admitted = c.prepare_cached(&format!(
        "SELECT s.id FROM sessions s WHERE s.id <= ? AND {cond} ORDER BY s.id DESC LIMIT 1"
    ))?;
    let mut matched = c.prepare_cached(
        "SELECT rowid FROM history_fts WHERE history_fts MATCH ?1 AND rowid <= ?2
          ORDER BY rowid DESC LIMIT 1",
    )?;
    let mut hits: Vec<HistoryHit> = Vec::new();
    // Every conversation above `bound` has been decided.
    let mut bound = q.before_id.saturating_sub(1);
    let mut steps = 0u32;
    while bound > 0 {
        steps += 1;
        if steps.is_multiple_of(16) && Instant::now() >= deadline {
            return Ok((hits, Some(bound + 1)));
        }
        let Some(s) = admitted
            .query_row(
                params_from_iter(
                    std::iter::once(Value::Integer(bound)).chain(params.iter().cloned()),
                ),
                |r| r.get::<_, SessionId>(0),
            )
            .optional()?
        else {
            break;
        };
        let top = s
            .checked_shl(SEQ_BITS)
            .map_or(i64::MAX, |t| t | ((1 << SEQ_BITS) - 1));
        let Some(rowid) = matched
            .query_row(rusqlite::params![tq.fts, top], |r| r.get::<_, i64>(0))
            .optional()?
        else {
            break;
        };
        let (t, seq) = split_rowid(rowid);
        if t < s {
            bound = t;
            continue;
        }
        // t == s: the conversation is in; its newest matching message is the line.
        if hits.len() == q.limit as usize {
            let next = hits.last().map(|h| h.session_id);
            return Ok((hits, next));
        }
        let mut seq = seq;
        let mut shown = None;
        loop {
            match line(c, s, seq, &tq.terms)? {
                Some(l) if l.internal && !notes => {}
                found => {
                    shown = found;
                    break;
                }
            }
            // A note the caller may not see: the next older match in the same conversation.
            let Some(r) = matched
                .query_row(
                    rusqlite::params![tq.fts, (s << SEQ_BITS) | (seq - 1)],
                    |r| r.get::<_, i64>(0),
                )
                .optional()?
                .filter(|r| split_rowid(*r).0 == s && seq > 1)
            else {
                break;
            };
            seq = split_rowid(r).1;
        }
        if let Some(l) = shown
            && let Some(mut h) = hit(c, s)?
        {
            h.line = Some(l);
            hits.push(h);
        }
        bound = s - 1;
    }
    Ok((hits, None))
}

/// The matched message as a hit line.
fn line(
    c: &Connection,
    session: SessionId,
    seq: i64,
    terms: &std::collections::HashSet<String>,
) -> Res<Option<HitLine>> {
    let mut stmt = c.prepare_cached(
        "SELECT author_kind, author_name, body, internal, created_at FROM messages
          WHERE session_id = ?1 AND seq = ?2",
    )?;
    let row: Option<(String, String, String, bool, i64)> = stmt
        .query_row([session, seq], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?;
    let Some((kind, author_name, body, internal, created_at)) = row else {
        return Ok(None);
    };
    let (text, highlights) = text::hit_line(&body, terms);
    Ok(Some(HitLine {
        seq,
        author_kind: parse(kind)?,
        author_name,
        text,
        highlights,
        internal,
        created_at,
    }))
}

/// One conversation as a hit (without its line).
pub(super) fn hit(c: &Connection, session: SessionId) -> Res<Option<HistoryHit>> {
    let mut stmt = c.prepare_cached(
        "SELECT s.id, s.customer_id, cu.nickname, cu.external_id, s.channel, s.group_name,
                s.assignee, a.display_name, s.created_at, s.ended_at, s.end_reason, s.csat,
                s.tags, s.intent,
                (SELECT COUNT(*) FROM messages m WHERE m.session_id = s.id)
           FROM sessions s JOIN customers cu ON cu.id = s.customer_id
           LEFT JOIN agents a ON a.id = s.assignee
          WHERE s.id = ?1",
    )?;
    let mut rows = stmt.query([session])?;
    let Some(r) = rows.next()? else {
        return Ok(None);
    };
    let outcome: Option<String> = r.get(10)?;
    let tags: String = r.get(12)?;
    Ok(Some(HistoryHit {
        session_id: r.get(0)?,
        customer_id: r.get(1)?,
        customer: r.get(2)?,
        external_id: r.get(3)?,
        channel: parse(r.get(4)?)?,
        group: r.get(5)?,
        agent_id: r.get(6)?,
        agent: r.get(7)?,
        created_at: r.get(8)?,
        ended_at: r.get(9)?,
        outcome: outcome.map(parse).transpose()?,
        csat: r.get(11)?,
        tags: parse_tags(&tags)?,
        intent: r.get(13)?,
        messages: r.get(14)?,
        line: None,
    }))
}
