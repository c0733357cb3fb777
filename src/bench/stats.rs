//! Latency samples (microseconds) and their percentiles.

/// Percentiles of a set of samples, in microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Percentiles {
    pub count: usize,
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub p999: u64,
    pub max: u64,
}

/// Nearest-rank percentiles: the smallest sample with at least `p` of all samples at or
/// below it. `None` without samples.
pub fn percentiles(samples: &mut [u64]) -> Option<Percentiles> {
    if samples.is_empty() {
        return None;
    }
    samples.sort_unstable();
    let n = samples.len();
    let at = |p: f64| samples[((n as f64 * p).ceil() as usize).clamp(1, n) - 1];
    Some(Percentiles {
        count: n,
        p50: at(0.50),
        p90: at(0.90),
        p99: at(0.99),
        p999: at(0.999),
        max: samples[n - 1],
    })
}

/// Microseconds as milliseconds with two decimals.
pub fn ms(us: u64) -> String {
    format!("{:.2}", us as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut v: Vec<u64> = (1..=1000).rev().collect();
        let p = percentiles(&mut v).unwrap();
        assert_eq!(
            (p.count, p.p50, p.p90, p.p99, p.p999, p.max),
            (1000, 500, 900, 990, 999, 1000)
        );
        // One slow sample in a hundred is the p99 of 100 samples, not hidden below it.
        let mut v = vec![1; 99];
        v.push(500);
        assert_eq!(percentiles(&mut v).unwrap().p99, 1);
        v.push(500);
        assert_eq!(percentiles(&mut v).unwrap().p99, 500);
        assert_eq!(percentiles(&mut [7]).unwrap().p50, 7);
        assert_eq!(percentiles(&mut []), None);
        assert_eq!(ms(1234), "1.23");
    }
}
