//! The three kinds of value behind every metric: a [`Counter`] that only goes up, a [`Gauge`]
//! that goes both ways, and a [`Histogram`] with fixed buckets. All plain atomics, so recording
//! never takes a lock and never waits for a scrape.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// Counts events since start-up.
#[derive(Debug, Default)]
pub struct Counter(AtomicU64);

impl Counter {
    pub fn inc(&self) {
        self.add(1);
    }
    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A value that rises and falls: a depth, a number open right now.
#[derive(Debug, Default)]
pub struct Gauge(AtomicI64);

impl Gauge {
    pub fn inc(&self) {
        self.add(1);
    }
    pub fn dec(&self) {
        self.add(-1);
    }
    pub fn add(&self, n: i64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }
    pub fn set(&self, v: i64) {
        self.0.store(v, Ordering::Relaxed);
    }
    pub fn get(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Observations sorted into fixed buckets. Values are whole numbers of a small unit
/// (microseconds, jobs) so the sum is an integer add too; `scale` turns that unit into the
/// exposed base unit (1e6: microseconds → seconds).
#[derive(Debug)]
pub struct Histogram {
    /// Upper bounds (inclusive), ascending, in the recording unit.
    bounds: &'static [u64],
    /// Observations per bucket, not cumulative; the last one is above every bound.
    counts: Box<[AtomicU64]>,
    sum: AtomicU64,
    pub scale: f64,
}

/// What a scrape reads from a histogram: cumulative counts per bound, then `+Inf`.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramSnapshot {
    /// (upper bound in the exposed unit, observations ≤ it).
    pub buckets: Vec<(f64, u64)>,
    /// Every observation: the `+Inf` bucket and `_count`.
    pub count: u64,
    /// In the exposed unit.
    pub sum: f64,
}

impl Histogram {
    pub fn new(bounds: &'static [u64], scale: f64) -> Histogram {
        debug_assert!(bounds.windows(2).all(|w| w[0] < w[1]), "bounds ascend");
        Histogram {
            bounds,
            counts: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
            sum: AtomicU64::new(0),
            scale,
        }
    }

    pub fn observe(&self, value: u64) {
        let i = self.bounds.partition_point(|b| *b < value);
        self.counts[i].fetch_add(1, Ordering::Relaxed);
        self.sum.fetch_add(value, Ordering::Relaxed);
    }

    /// Cumulative counts; `count` is the last of them, so `+Inf` and `_count` always agree
    /// even while observations land during the read.
    pub fn snapshot(&self) -> HistogramSnapshot {
        let mut seen = 0;
        let mut buckets = Vec::with_capacity(self.bounds.len());
        for (bound, n) in self.bounds.iter().zip(self.counts.iter()) {
            seen += n.load(Ordering::Relaxed);
            buckets.push((*bound as f64 / self.scale, seen));
        }
        seen += self.counts[self.bounds.len()].load(Ordering::Relaxed);
        HistogramSnapshot {
            buckets,
            count: seen,
            sum: self.sum.load(Ordering::Relaxed) as f64 / self.scale,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_cumulative_and_bounds_inclusive() {
        static BOUNDS: [u64; 3] = [1, 4, 16];
        let h = Histogram::new(&BOUNDS, 1.0);
        for v in [0, 1, 2, 4, 5, 16, 17, 1000] {
            h.observe(v);
        }
        let s = h.snapshot();
        assert_eq!(s.buckets, vec![(1.0, 2), (4.0, 4), (16.0, 6)]);
        assert_eq!(s.count, 8);
        assert_eq!(s.sum, 1045.0);
    }

    #[test]
    fn the_scale_turns_the_recording_unit_into_the_exposed_one() {
        static MICROS: [u64; 2] = [500, 1_000_000];
        let h = Histogram::new(&MICROS, 1e6);
        h.observe(250);
        h.observe(2_000_000);
        let s = h.snapshot();
        assert_eq!(s.buckets, vec![(0.0005, 1), (1.0, 1)]);
        assert_eq!(s.count, 2);
        assert_eq!(s.sum, 2.00025);
    }

    #[test]
    fn gauges_go_both_ways() {
        let g = Gauge::default();
        g.inc();
        g.inc();
        g.dec();
        assert_eq!(g.get(), 1);
        g.set(-3);
        assert_eq!(g.get(), -3);
    }
}
