//! Time per status: each agent's status changes (`agent_status_log`) cut into the report's
//! range. The status an agent had at `from` is their last change before it; the time before
//! their first recorded change is not counted (it is unknown), nor the time after `now`.

use super::facts::StatusFact;
use crate::model::{AgentId, Millis};
use std::collections::{BTreeMap, HashMap};

/// Milliseconds per status name, per agent, within `[from, min(to, now))`. `statuses` are
/// sorted by (agent, time).
pub fn split(
    statuses: &[StatusFact],
    from: Millis,
    to: Millis,
    now: Millis,
) -> HashMap<AgentId, BTreeMap<String, u64>> {
    let end = to.min(now);
    let mut out: HashMap<AgentId, BTreeMap<String, u64>> = HashMap::new();
    for (i, s) in statuses.iter().enumerate() {
        let next = statuses
            .get(i + 1)
            .filter(|n| n.agent == s.agent)
            .map_or(end, |n| n.at);
        let (a, b) = (s.at.max(from), next.min(end));
        if b <= a {
            continue;
        }
        *out.entry(s.agent)
            .or_default()
            .entry(s.status.as_str().to_string())
            .or_default() += u64::try_from(b - a).unwrap_or(0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AgentStatus::{Away, Offline, Online};

    fn st(agent: AgentId, status: crate::model::AgentStatus, at: Millis) -> StatusFact {
        StatusFact { agent, status, at }
    }

    #[test]
    fn time_is_cut_at_the_range_edges_and_now() {
        // Agent 1 online from before the range, away inside it, offline after it.
        // Agent 2's first change is inside the range: the time before it is unknown.
        let log = [
            st(1, Online, 50),
            st(1, Away, 300),
            st(1, Offline, 2_000),
            st(2, Online, 400),
        ];
        let m = split(&log, 100, 1_000, 10_000);
        assert_eq!(m[&1]["online"], 200); // 100..300
        assert_eq!(m[&1]["away"], 700); // 300..1000
        assert!(!m[&1].contains_key("offline"));
        assert_eq!(m[&2]["online"], 600); // 400..1000
        // A range reaching past now stops at now.
        let m = split(&log, 100, 1_000, 500);
        assert_eq!(m[&1]["away"], 200);
        assert_eq!(m[&2]["online"], 100);
    }
}
