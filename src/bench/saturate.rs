//! `--saturate`: the highest offered rate a server sustains — every message acked and
//! delivered, p99 customer→agent (from the schedule) under 50 ms. The search doubles the rate
//! from the starting one until a step fails, then bisects between the best that held and the
//! first that did not, down to a few per cent. Each step is a fresh server and a full window.

/// The search, apart from measuring: ask [`Search::next`] for a rate, measure it, tell
/// [`Search::record`] whether it held.
#[derive(Debug, Clone, PartialEq)]
pub struct Search {
    start: u64,
    max: u64,
    /// Stop when the gap between held and failed is at most this share of the held rate.
    resolution: f64,
    good: Option<u64>,
    bad: Option<u64>,
}

/// Rates are rounded to this, so the steps read well and a search ends.
const STEP: u64 = 100;
/// Below this a failing server is not worth bisecting further.
const MIN_RATE: u64 = 100;

impl Search {
    pub fn new(start: u64, max: u64, resolution: f64) -> Search {
        Search {
            start: start.clamp(MIN_RATE, max.max(MIN_RATE)),
            max: max.max(MIN_RATE),
            resolution,
            good: None,
            bad: None,
        }
    }

    /// The next rate to measure, or `None` when the search is over.
    pub fn next(&self) -> Option<u64> {
        match (self.good, self.bad) {
            (None, None) => Some(self.start),
            (Some(g), None) => (g < self.max).then(|| (g * 2).min(self.max)),
            (None, Some(b)) => {
                let half = round(b / 2);
                (half >= MIN_RATE && half < b).then_some(half)
            }
            (Some(g), Some(b)) => {
                let gap = (g as f64 * self.resolution).max(STEP as f64);
                let mid = round(g + (b - g) / 2);
                ((b - g) as f64 > gap && mid > g && mid < b).then_some(mid)
            }
        }
    }

    pub fn record(&mut self, rate: u64, held: bool) {
        if held {
            self.good = Some(self.good.map_or(rate, |g| g.max(rate)));
        } else {
            self.bad = Some(self.bad.map_or(rate, |b| b.min(rate)));
        }
    }

    /// The highest rate that held so far.
    pub fn best(&self) -> Option<u64> {
        self.good
    }
}

fn round(rate: u64) -> u64 {
    (rate + STEP / 2) / STEP * STEP
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs a search against a server that holds every rate up to `limit`.
    fn search(limit: u64, start: u64, max: u64) -> (Option<u64>, Vec<u64>) {
        let mut s = Search::new(start, max, 0.05);
        let mut tried = Vec::new();
        while let Some(rate) = s.next() {
            assert!(!tried.contains(&rate), "{rate} measured twice: {tried:?}");
            tried.push(rate);
            s.record(rate, rate <= limit);
            assert!(tried.len() < 30, "the search does not end: {tried:?}");
        }
        (s.best(), tried)
    }

    #[test]
    fn doubles_then_bisects_to_within_five_per_cent() {
        let (best, tried) = search(13_700, 2_000, 100_000);
        assert_eq!(&tried[..4], &[2_000, 4_000, 8_000, 16_000]);
        let best = best.unwrap();
        assert!(best <= 13_700 && best as f64 >= 13_700.0 * 0.95, "{best}");
        assert!(tried.len() <= 10, "{tried:?}");
    }

    #[test]
    fn stops_at_the_cap_and_walks_down_from_a_failing_start() {
        assert_eq!(search(u64::MAX, 2_000, 30_000).0, Some(30_000));
        let (best, tried) = search(700, 2_000, 100_000);
        assert_eq!(&tried[..2], &[2_000, 1_000]);
        let best = best.unwrap();
        assert!((650..=700).contains(&best), "{best} {tried:?}");
        assert_eq!(search(0, 2_000, 100_000).0, None);
    }
}
