//! The send schedule: each customer sends on fixed ticks, whatever the server does. A customer
//! that falls behind (its task was not run, a write blocked) sends the late messages at once,
//! and their latency still counts from when they were due: measuring only from the actual
//! write would leave out exactly the waits a slow server causes (coordinated omission).

use std::time::Duration;

/// Who sends when, all customers together offering `rate` messages per second for `window`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    pub customers: usize,
    /// Between two messages of one customer.
    pub interval: Duration,
    /// Messages each customer sends in the window.
    pub per_customer: u64,
}

impl Schedule {
    pub fn new(customers: usize, rate: u64, window: Duration) -> Schedule {
        let customers = customers.max(1);
        let per_sec = rate.max(1) as f64 / customers as f64;
        Schedule {
            customers,
            interval: Duration::from_secs_f64(1.0 / per_sec),
            per_customer: (per_sec * window.as_secs_f64()).round().max(1.0) as u64,
        }
    }

    #[cfg(test)]
    pub fn total(&self) -> u64 {
        self.per_customer * self.customers as u64
    }

    /// When customer `c` is due to send its `k`-th message, from the start of the window.
    /// Customers are spread over one interval so they do not send in lockstep.
    pub fn due(&self, c: usize, k: u64) -> Duration {
        let offset = self.interval.mul_f64(c as f64 / self.customers as f64);
        offset + self.interval.mul_f64(k as f64)
    }
}

/// The latency of an arrival at `now`, from the scheduled send and from the actual write
/// (all in microseconds on one clock). A write can only be at or after its schedule.
pub fn latencies(due: u64, written: u64, now: u64) -> (u64, u64) {
    (
        now.saturating_sub(due),
        now.saturating_sub(written.max(due)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_offers_the_rate_spread_over_customers() {
        let s = Schedule::new(200, 2000, Duration::from_secs(10));
        assert_eq!(s.interval, Duration::from_millis(100));
        assert_eq!((s.per_customer, s.total()), (100, 20_000));
        assert_eq!(s.due(0, 0), Duration::ZERO);
        assert_eq!(s.due(100, 0), Duration::from_millis(50));
        assert_eq!(s.due(100, 3), Duration::from_millis(350));
        // Every send is due inside the window.
        assert!(s.due(199, 99) < Duration::from_secs(10));
        // Fewer messages than customers still sends one each.
        assert_eq!(Schedule::new(10, 1, Duration::from_secs(1)).total(), 10);
    }

    #[test]
    fn a_late_write_counts_from_its_schedule() {
        // Due at 1,000 µs, written at 31,000 µs (the sender was held up 30 ms), arrived at
        // 32,000 µs: 31 ms from schedule, 1 ms from the write.
        assert_eq!(latencies(1_000, 31_000, 32_000), (31_000, 1_000));
        // On time: both the same.
        assert_eq!(latencies(1_000, 1_000, 1_500), (500, 500));
    }
}
