//! [`Acc`]: sums and samples gathered for one row (or the totals), turned into the wire's
//! [`Metrics`] at the end. Averages are rounded to the nearest millisecond; an average of
//! nothing is absent.

use crate::model::EndReason;
use crate::protocol::Metrics;
use std::collections::BTreeMap;

use super::facts::SessionFact;

#[derive(Debug, Clone, Default)]
pub struct Acc {
    pub handled: u64,
    pub first_responses: Vec<u64>,
    pub response_sum: u128,
    pub responses: u64,
    pub resolution_sum: u128,
    pub ended: u64,
    pub resolved: u64,
    pub surveyed: u64,
    pub rated: u64,
    pub stars: u64,
    pub good: u64,
    pub transfers_in: u64,
    pub transfers_out: u64,
    pub status_ms: BTreeMap<String, u64>,
}

impl Acc {
    /// A conversation that ended in the range: ended/resolved, and if a person served it,
    /// handled with its resolution time and its rating.
    pub fn ended(&mut self, s: &SessionFact) {
        let Some(end) = s.ended_at else { return };
        self.ended += 1;
        if s.outcome == Some(EndReason::Resolved) {
            self.resolved += 1;
        }
        if s.assignee.is_some() {
            self.handled += 1;
            self.resolution_sum += u128::from(u64::try_from(end - s.created_at).unwrap_or(0));
        }
        if s.surveyed || s.csat.is_some() {
            self.surveyed += 1;
        }
        if let Some(c) = s.csat {
            self.rated += 1;
            self.stars += u64::from(c);
            if c >= 4 {
                self.good += 1;
            }
        }
    }

    pub fn response(&mut self, ms: u64) {
        self.response_sum += u128::from(ms);
        self.responses += 1;
    }

    /// Is there anything to show?
    pub fn is_empty(&self) -> bool {
        self.ended == 0
            && self.first_responses.is_empty()
            && self.responses == 0
            && self.transfers_in == 0
            && self.transfers_out == 0
            && self.status_ms.values().all(|v| *v == 0)
    }

    pub fn finish(mut self) -> Metrics {
        self.first_responses.sort_unstable();
        let fr = &self.first_responses;
        let fr_sum: u128 = fr.iter().map(|v| u128::from(*v)).sum();
        Metrics {
            handled: self.handled,
            first_response_avg_ms: avg(fr_sum, fr.len() as u64),
            first_response_median_ms: median(fr),
            response_avg_ms: avg(self.response_sum, self.responses),
            resolution_avg_ms: avg(self.resolution_sum, self.handled),
            ended: self.ended,
            resolved: self.resolved,
            resolution_rate: ratio(self.resolved, self.ended),
            surveyed: self.surveyed,
            rated: self.rated,
            csat_avg: ratio(self.stars, self.rated),
            csat_good_share: ratio(self.good, self.rated),
            csat_response_rate: ratio(self.rated, self.surveyed),
            transfers_in: self.transfers_in,
            transfers_out: self.transfers_out,
            status_ms: self.status_ms,
        }
    }
}

/// Rounded to the nearest whole unit.
pub fn avg(sum: u128, n: u64) -> Option<u64> {
    (n > 0).then(|| u64::try_from((sum + u128::from(n) / 2) / u128::from(n)).unwrap_or(u64::MAX))
}

pub fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// The middle value of sorted samples; of an even count, the mean of the two middle ones
/// (rounded down).
pub fn median(sorted: &[u64]) -> Option<u64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some(((u128::from(sorted[n / 2 - 1]) + u128::from(sorted[n / 2])) / 2) as u64),
    }
}
