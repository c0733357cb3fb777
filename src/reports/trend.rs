//! Trend buckets: hours or days in the report's time zone (a day is midnight to midnight
//! there, 23 or 25 hours long on a daylight-saving change; an hour starts on the local hour),
//! and the waiting-customer line: how many customers waited in a queue, averaged over each
//! bucket and at most at once, from the conversations' queue intervals.

use crate::model::Millis;
use crate::protocol::TrendStep;
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// Most buckets a trend has (a leap year of days, or 366 days of hours).
pub const MAX_BUCKETS: usize = 366 * 24 + 2;

const HOUR_MS: i64 = 3_600_000;

/// The start of every bucket that overlaps `[from, to)`, oldest first (the first one may
/// start before `from`).
pub fn bucket_starts(
    from: Millis,
    to: Millis,
    step: TrendStep,
    tz: &TimeZone,
) -> Result<Vec<Millis>, String> {
    let mut out = Vec::new();
    let mut at = floor(from, step, tz)?;
    while at < to && out.len() < MAX_BUCKETS {
        out.push(at);
        at = next(at, step, tz)?;
    }
    Ok(out)
}

fn zoned(ms: Millis, tz: &TimeZone) -> Result<jiff::ZonedDateTime, String> {
    Timestamp::from_millisecond(ms)
        .map(|t| t.to_zoned_datetime(tz.clone()))
        .map_err(|e| format!("time {ms} is out of range: {e}"))
}

fn floor(ms: Millis, step: TrendStep, tz: &TimeZone) -> Result<Millis, String> {
    let z = zoned(ms, tz)?;
    match step {
        TrendStep::Day => z
            .start_of_day()
            .map(|d| d.timestamp().as_millisecond())
            .map_err(|e| e.to_string()),
        TrendStep::Hour => {
            let local = ms + i64::from(z.offset().seconds()) * 1000;
            Ok(ms - local.rem_euclid(HOUR_MS))
        }
    }
}

fn next(at: Millis, step: TrendStep, tz: &TimeZone) -> Result<Millis, String> {
    match step {
        TrendStep::Day => zoned(at, tz)?
            .tomorrow()
            .and_then(|d| d.start_of_day())
            .map(|d| d.timestamp().as_millisecond())
            .map_err(|e| e.to_string()),
        // Re-floored: a change of offset by a part of an hour moves the local hour's start.
        TrendStep::Hour => {
            let n = floor(at + HOUR_MS, step, tz)?;
            Ok(if n > at { n } else { at + HOUR_MS })
        }
    }
}

/// The bucket holding `at`, if any (`starts` sorted; the last bucket ends at `to`).
pub fn bucket_of(starts: &[Millis], to: Millis, at: Millis) -> Option<usize> {
    if at >= to {
        return None;
    }
    starts.partition_point(|s| *s <= at).checked_sub(1)
}

/// Waiting customers per bucket: (average, most at once) over the part of each bucket inside
/// `[from, end)`. `waits` are `[start, end)` intervals.
pub fn waiting(
    starts: &[Millis],
    from: Millis,
    end: Millis,
    waits: &[(Millis, Millis)],
) -> Vec<(f64, u64)> {
    // -1 sorts before +1 at the same instant: a hand-over is not two at once.
    let mut events: Vec<(Millis, i64)> = Vec::with_capacity(waits.len() * 2);
    for &(a, b) in waits {
        let (a, b) = (a.max(from), b.min(end));
        if b > a {
            events.push((a, 1));
            events.push((b, -1));
        }
    }
    events.sort_unstable();
    let mut out = Vec::with_capacity(starts.len());
    let (mut level, mut i) = (0i64, 0usize);
    for (k, &start) in starts.iter().enumerate() {
        let bucket_end = starts.get(k + 1).copied().unwrap_or(end.max(start));
        let (lo, hi) = (start.max(from), bucket_end.min(end));
        if hi <= lo {
            out.push((0.0, 0));
            continue;
        }
        while i < events.len() && events[i].0 <= lo {
            level += events[i].1;
            i += 1;
        }
        let (mut cursor, mut area, mut most) = (lo, 0i128, level);
        while i < events.len() && events[i].0 < hi {
            let t = events[i].0;
            area += i128::from(level) * i128::from(t - cursor);
            cursor = t;
            while i < events.len() && events[i].0 == t {
                level += events[i].1;
                i += 1;
            }
            most = most.max(level);
        }
        area += i128::from(level) * i128::from(hi - cursor);
        let avg = area as f64 / (hi - lo) as f64;
        out.push((avg, u64::try_from(most).unwrap_or(0)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> Millis {
        s.parse::<Timestamp>().unwrap().as_millisecond()
    }

    #[test]
    fn days_follow_the_zone_and_its_daylight_saving() {
        // Europe/Berlin springs forward on 2026-03-29: that day has 23 hours.
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let starts = bucket_starts(
            ms("2026-03-28T12:00:00Z"),
            ms("2026-03-30T12:00:00Z"),
            TrendStep::Day,
            &tz,
        )
        .unwrap();
        assert_eq!(
            starts,
            vec![
                ms("2026-03-27T23:00:00Z"),
                ms("2026-03-28T23:00:00Z"),
                ms("2026-03-29T22:00:00Z"),
            ]
        );
        assert_eq!(starts[2] - starts[1], 23 * HOUR_MS);
    }

    #[test]
    fn hours_start_on_the_local_hour() {
        // India is UTC+5:30: local hours start at :30 UTC.
        let tz = TimeZone::get("Asia/Kolkata").unwrap();
        let starts = bucket_starts(
            ms("2026-01-01T00:00:00Z"),
            ms("2026-01-01T02:00:00Z"),
            TrendStep::Hour,
            &tz,
        )
        .unwrap();
        assert_eq!(
            starts,
            vec![
                ms("2025-12-31T23:30:00Z"),
                ms("2026-01-01T00:30:00Z"),
                ms("2026-01-01T01:30:00Z"),
            ]
        );
        assert_eq!(
            bucket_of(
                &starts,
                ms("2026-01-01T02:00:00Z"),
                ms("2026-01-01T00:29:59Z")
            ),
            Some(0)
        );
        assert_eq!(
            bucket_of(
                &starts,
                ms("2026-01-01T02:00:00Z"),
                ms("2026-01-01T02:00:00Z")
            ),
            None
        );
    }

    #[test]
    fn waiting_average_and_most_at_once() {
        // Buckets [0,100) and [100,200); two customers overlap in 50..80, one waits 150..250.
        let w = waiting(
            &[0, 100],
            0,
            200,
            &[(20, 80), (50, 120), (150, 250), (120, 150)],
        );
        // Bucket 1: 60 + 50 = 110 ms of waiting over 100 ms; two at once.
        assert_eq!(w[0], (1.1, 2));
        // Bucket 2: 20 (50..120 part) + 30 + 50 = 100 over 100; a hand-over at 120 and at
        // 150 is never two at once.
        assert_eq!(w[1], (1.0, 1));
    }
}
