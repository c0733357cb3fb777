//! One conversation's contribution to a report, worked out once from its facts: its first
//! response (and who gave it), each agent reply that answers a customer message, and the
//! intervals its customer waited in a human queue. `docs/reports.md` gives the rules.

use super::facts::{Author, MessageFact, SessionFact, TransferFact};
use crate::model::{AgentId, Millis};

/// What one conversation adds to the metrics.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Analysis {
    /// First human reply − the moment it reached a human queue, and who wrote that reply
    /// (`None` when the reply's message is gone, e.g. purged).
    pub first_response: Option<(Option<AgentId>, u64)>,
    /// (replying agent, reply − the customer message it answers), in order.
    pub responses: Vec<(AgentId, u64)>,
    /// `[start, end)` intervals the customer waited for a human, oldest first.
    pub waits: Vec<(Millis, Millis)>,
}

fn gap(later: Millis, earlier: Millis) -> u64 {
    u64::try_from(later.saturating_sub(earlier)).unwrap_or(0)
}

/// Works out a conversation's part. `messages` and `transfers` are its own, oldest first;
/// `now` closes the wait of a conversation still queued.
pub fn analyse(
    s: &SessionFact,
    messages: &[MessageFact],
    transfers: &[TransferFact],
    now: Millis,
) -> Analysis {
    let Some(q0) = s.queued_at else {
        // The bot or a menu dealt with it: no human part at all.
        return Analysis::default();
    };
    let first_response = s.first_human_reply_at.map(|at| {
        let by = messages.iter().find_map(|m| match m.author {
            Author::Agent(a) if m.at >= at => Some(a),
            _ => None,
        });
        (by, gap(at, q0))
    });
    // A reply answers the oldest customer message not answered yet; a second reply in a row
    // answers nothing. Customer lines written before the human queue were the bot's.
    let mut responses = Vec::new();
    let mut pending: Option<Millis> = None;
    for m in messages {
        match m.author {
            Author::Customer if m.at >= q0 => {
                pending.get_or_insert(m.at);
            }
            Author::Customer => {}
            Author::Agent(a) => {
                if let Some(t) = pending.take() {
                    responses.push((a, gap(m.at, t)));
                }
            }
        }
    }
    Analysis {
        first_response,
        responses,
        waits: waits(s, q0, messages, transfers, now),
    }
}

/// The queue waits: from the first queue, and from each transfer that went to a queue (to a
/// group, or to a busy agent), until the next acceptance. The store keeps only the last
/// acceptance, so a wait followed by a later transfer ends at the first agent message after
/// it (or at that transfer). A direct transfer to an agent who took it at once waits nothing.
fn waits(
    s: &SessionFact,
    q0: Millis,
    messages: &[MessageFact],
    transfers: &[TransferFact],
    now: Millis,
) -> Vec<(Millis, Millis)> {
    // (time, starts a wait?)
    let mut marks = vec![(q0, true)];
    marks.extend(
        transfers
            .iter()
            .filter(|t| t.at >= q0)
            .map(|t| (t.at, t.to_agent.is_none() || t.queued)),
    );
    let closed = s.ended_at.unwrap_or(now);
    let mut out = Vec::new();
    for (i, &(start, waits)) in marks.iter().enumerate() {
        if !waits {
            continue;
        }
        let end = match marks.get(i + 1) {
            Some(&(next, _)) => first_reply_after(messages, start).map_or(next, |r| r.min(next)),
            None => match s.accepted_at {
                Some(a) if a >= start => a,
                _ => first_reply_after(messages, start).unwrap_or(closed),
            },
        }
        .min(closed);
        if end > start {
            out.push((start, end));
        }
    }
    out
}

fn first_reply_after(messages: &[MessageFact], at: Millis) -> Option<Millis> {
    messages
        .iter()
        .find(|m| matches!(m.author, Author::Agent(_)) && m.at >= at)
        .map(|m| m.at)
}
