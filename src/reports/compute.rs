//! The report itself: every conversation analysed once (`analyse`), its parts credited to the
//! totals, the rows and the trend buckets by the rules of `docs/reports.md`:
//!
//! - conversations count by their end in `[from, to)`: ended, resolved, handled (a person
//!   served it), resolution time, rating, first response, response times;
//! - transfers count by their own time; arrivals by the time the conversation reached a
//!   human queue; waiting customers by the queue intervals; status time by the status log;
//! - `by: agent` and `scope: me`: handled, resolution and rating go to the last agent who
//!   served the conversation, the first response to whoever wrote it, each response time to
//!   the agent replying, a transfer out to the agent it left and in to the agent it reached.

use super::acc::{Acc, avg};
use super::analyse::{Analysis, analyse};
use super::facts::{MessageFact, ReportFacts, SessionFact, TransferFact};
use super::request::Checked;
use super::{status, trend};
use crate::model::{AgentId, Millis};
use crate::protocol::{ReportBy, ReportGet, ReportReply, ReportRow, ReportScope, TrendPoint};
use std::collections::HashMap;

/// Most rows a report has (the biggest; tags are free text, so `by: tag` could have many).
pub const MAX_ROWS: usize = 1000;

/// The row key of conversations nobody served, or without a tag or an intent.
pub const NONE_KEY: &str = "-";

/// Computes the report of `facts` (as the store read them for `q`).
pub fn compute(f: &ReportFacts, q: &ReportGet, c: &Checked, now: Millis) -> ReportReply {
    let mut ctx = Ctx::new(f, q, c, now);
    let (mut mi, mut ti) = (0, 0);
    for s in &f.sessions {
        let msgs = slice(&f.messages, &mut mi, s.id, |m: &MessageFact| m.session_id);
        let trs = slice(&f.transfers, &mut ti, s.id, |t: &TransferFact| t.session_id);
        let a = analyse(s, msgs, trs, now);
        ctx.session(s, &a);
        ctx.transfers(s, trs);
    }
    for (agent, split) in status::split(&f.statuses, q.from, q.to, now) {
        for (name, ms) in split {
            if let Some(acc) = ctx.agent_acc(Some(agent)) {
                *acc.status_ms.entry(name.clone()).or_default() += ms;
            }
            if ctx.me.is_none() {
                *ctx.totals.status_ms.entry(name).or_default() += ms;
            }
        }
    }
    ctx.finish()
}

/// The run of `items` (sorted by session) belonging to session `id`, moving `at` past it.
fn slice<'a, T>(items: &'a [T], at: &mut usize, id: i64, key: impl Fn(&T) -> i64) -> &'a [T] {
    while *at < items.len() && key(&items[*at]) < id {
        *at += 1;
    }
    let start = *at;
    while *at < items.len() && key(&items[*at]) == id {
        *at += 1;
    }
    &items[start..*at]
}

/// Per-bucket sums of the trend.
#[derive(Default, Clone)]
struct Bucket {
    arrivals: u64,
    handled: u64,
    fr_sum: u128,
    fr_n: u64,
    stars: u64,
    rated: u64,
}

struct Ctx<'a> {
    q: &'a ReportGet,
    now: Millis,
    /// `scope: me`: whose work.
    me: Option<AgentId>,
    names: HashMap<AgentId, (&'a str, &'a str)>,
    totals: Acc,
    rows: HashMap<String, Acc>,
    starts: Vec<Millis>,
    buckets: Vec<Bucket>,
    waits: Vec<(Millis, Millis)>,
}

impl<'a> Ctx<'a> {
    fn new(f: &'a ReportFacts, q: &'a ReportGet, c: &Checked, now: Millis) -> Ctx<'a> {
        let starts = match q.trend {
            Some(step) => trend::bucket_starts(q.from, q.to, step, &c.tz).unwrap_or_default(),
            None => Vec::new(),
        };
        Ctx {
            q,
            now,
            me: (q.scope == ReportScope::Me).then_some(c.me).flatten(),
            names: f
                .agents
                .iter()
                .map(|a| (a.id, (a.username.as_str(), a.display_name.as_str())))
                .collect(),
            totals: Acc::default(),
            rows: HashMap::new(),
            buckets: vec![Bucket::default(); starts.len()],
            starts,
            waits: Vec::new(),
        }
    }

    fn in_range(&self, t: Millis) -> bool {
        self.q.from <= t && t < self.q.to
    }

    fn by_agent(&self) -> bool {
        self.q.scope == ReportScope::Team && self.q.by == Some(ReportBy::Agent)
    }

    fn agent_key(&self, agent: Option<AgentId>) -> String {
        match agent {
            None => NONE_KEY.to_string(),
            Some(a) => self
                .names
                .get(&a)
                .map_or_else(|| format!("#{a}"), |(u, _)| u.to_string()),
        }
    }

    /// Where an agent's credit goes: the totals of their personal report, or their row.
    fn agent_acc(&mut self, agent: Option<AgentId>) -> Option<&mut Acc> {
        if let Some(me) = self.me {
            return (agent == Some(me)).then_some(&mut self.totals);
        }
        if self.by_agent() {
            let key = self.agent_key(agent);
            return Some(self.rows.entry(key).or_default());
        }
        None
    }

    /// The rows a conversation belongs to when broken down by something else than agents.
    fn keys(&self, s: &SessionFact) -> Vec<String> {
        let or_none = |v: Option<&String>| v.cloned().unwrap_or_else(|| NONE_KEY.into());
        match (self.q.scope, self.q.by) {
            (ReportScope::Team, Some(ReportBy::Group)) => vec![s.group.clone()],
            (ReportScope::Team, Some(ReportBy::Channel)) => vec![s.channel.clone()],
            (ReportScope::Team, Some(ReportBy::Intent)) => vec![or_none(s.intent.as_ref())],
            (ReportScope::Team, Some(ReportBy::Tag)) if s.tags.is_empty() => vec![NONE_KEY.into()],
            (ReportScope::Team, Some(ReportBy::Tag)) => s.tags.clone(),
            _ => Vec::new(),
        }
    }

    fn session(&mut self, s: &SessionFact, a: &Analysis) {
        let ended_in = s.ended_at.is_some_and(|t| self.in_range(t));
        let mine = self.me.is_none_or(|me| s.assignee == Some(me));
        if ended_in {
            // The conversation's own metrics: to the totals (team), each row, the last agent.
            if self.me.is_none() {
                self.totals.ended(s);
                if let Some((_, ms)) = a.first_response {
                    self.totals.first_responses.push(ms);
                }
                for &(_, ms) in &a.responses {
                    self.totals.response(ms);
                }
            }
            for key in self.keys(s) {
                let acc = self.rows.entry(key).or_default();
                acc.ended(s);
                if let Some((_, ms)) = a.first_response {
                    acc.first_responses.push(ms);
                }
                for &(_, ms) in &a.responses {
                    acc.response(ms);
                }
            }
            if let Some(acc) = self.agent_acc(s.assignee) {
                acc.ended(s);
            }
            if let Some((who, ms)) = a.first_response
                && let Some(acc) = self.agent_acc(who.or(s.assignee))
            {
                acc.first_responses.push(ms);
            }
            for &(who, ms) in &a.responses {
                if let Some(acc) = self.agent_acc(Some(who)) {
                    acc.response(ms);
                }
            }
        }
        if self.starts.is_empty() {
            return;
        }
        let (to, starts) = (self.q.to, &self.starts);
        if mine && let Some(b) = s.queued_at.and_then(|t| trend::bucket_of(starts, to, t)) {
            self.buckets[b].arrivals += 1;
        }
        if ended_in && let Some(b) = s.ended_at.and_then(|t| trend::bucket_of(starts, to, t)) {
            let bucket = &mut self.buckets[b];
            if mine && s.assignee.is_some() {
                bucket.handled += 1;
            }
            if let Some((who, ms)) = a.first_response
                && self.me.is_none_or(|me| who.or(s.assignee) == Some(me))
            {
                bucket.fr_sum += u128::from(ms);
                bucket.fr_n += 1;
            }
            if mine && let Some(c) = s.csat {
                bucket.stars += u64::from(c);
                bucket.rated += 1;
            }
        }
        if mine {
            self.waits.extend_from_slice(&a.waits);
        }
    }

    fn transfers(&mut self, s: &SessionFact, trs: &[TransferFact]) {
        for (i, t) in trs.iter().enumerate() {
            if !self.in_range(t.at) {
                continue;
            }
            if self.me.is_none() {
                self.totals.transfers_in += 1;
                self.totals.transfers_out += 1;
            }
            match (self.q.scope, self.q.by) {
                (ReportScope::Team, Some(ReportBy::Group)) => {
                    self.rows
                        .entry(t.from_group.clone())
                        .or_default()
                        .transfers_out += 1;
                    self.rows
                        .entry(t.to_group.clone())
                        .or_default()
                        .transfers_in += 1;
                }
                (ReportScope::Team, Some(ReportBy::Agent)) | (ReportScope::Me, _) => {
                    // To a group: whoever took it, known when it was the last transfer.
                    let reached = t.to_agent.or_else(|| {
                        (i + 1 == trs.len())
                            .then_some(s.assignee)
                            .flatten()
                            .filter(|a| Some(*a) != t.from_agent)
                    });
                    if let Some(from) = t.from_agent
                        && let Some(acc) = self.agent_acc(Some(from))
                    {
                        acc.transfers_out += 1;
                    }
                    if let Some(to) = reached
                        && let Some(acc) = self.agent_acc(Some(to))
                    {
                        acc.transfers_in += 1;
                    }
                }
                _ => {
                    for key in self.keys(s) {
                        self.rows.entry(key).or_default().transfers_out += 1;
                    }
                }
            }
        }
    }

    fn finish(self) -> ReportReply {
        let by_agent = self.by_agent();
        let end = self.q.to.min(self.now);
        let waiting = trend::waiting(&self.starts, self.q.from, end, &self.waits);
        let trend = self
            .starts
            .iter()
            .zip(self.buckets)
            .zip(waiting)
            .map(|((&at, b), (waiting_avg, waiting_max))| TrendPoint {
                at,
                arrivals: b.arrivals,
                handled: b.handled,
                first_response_avg_ms: avg(b.fr_sum, b.fr_n),
                csat_avg: (b.rated > 0).then(|| b.stars as f64 / b.rated as f64),
                waiting_avg,
                waiting_max,
            })
            .collect();
        let usernames: HashMap<&str, &str> = self.names.values().copied().collect();
        let mut rows: Vec<ReportRow> = self
            .rows
            .into_iter()
            .filter(|(_, acc)| !acc.is_empty())
            .map(|(key, acc)| ReportRow {
                label: match usernames.get(key.as_str()) {
                    Some(display) if by_agent => display.to_string(),
                    _ => key.clone(),
                },
                key,
                metrics: acc.finish(),
            })
            .collect();
        rows.sort_by(|a, b| {
            (b.metrics.handled, b.metrics.ended)
                .cmp(&(a.metrics.handled, a.metrics.ended))
                .then_with(|| a.key.cmp(&b.key))
        });
        rows.truncate(MAX_ROWS);
        ReportReply {
            from: self.q.from,
            to: self.q.to,
            tz: String::new(),
            scope: self.q.scope,
            totals: self.totals.finish(),
            rows,
            trend,
        }
    }
}
