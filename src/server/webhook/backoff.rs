//! How long a webhook waits before its next attempt: exponential from `base`, capped at
//! `max`, with jitter (a random 50–100 % of the step) so receivers coming back are not hit by
//! every sender at once. Pure.

use std::time::Duration;

/// The wait after the failed attempt number `attempt` (0 for the first), with `random` in
/// [0, 1).
pub fn delay(attempt: u32, base_ms: u64, max_ms: u64, random: f64) -> Duration {
    let step = base_ms
        .saturating_mul(1u64.checked_shl(attempt.min(40)).unwrap_or(u64::MAX))
        .min(max_ms);
    let jitter = 0.5 + 0.5 * random.clamp(0.0, 1.0);
    Duration::from_millis(((step as f64) * jitter) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_then_caps_with_jitter_between_half_and_all() {
        assert_eq!(delay(0, 1000, 300_000, 1.0), Duration::from_millis(1000));
        assert_eq!(delay(0, 1000, 300_000, 0.0), Duration::from_millis(500));
        assert_eq!(delay(3, 1000, 300_000, 1.0), Duration::from_millis(8000));
        assert_eq!(
            delay(20, 1000, 300_000, 1.0),
            Duration::from_millis(300_000)
        );
        assert_eq!(
            delay(u32::MAX, 1000, 300_000, 0.0),
            Duration::from_millis(150_000)
        );
    }
}
