//! How the Reports screen writes numbers, pure: durations for people (`1m 05s`, `2h 10m`),
//! shares with one decimal (`85.0%`), star averages, and an absent value (an average of
//! nothing) as `—`, never as 0. Trend buckets are labelled in the report's time zone.

use super::ctx::Ctx;
use crate::model::Millis;
use crate::protocol::ReportBy;
use jiff::tz::TimeZone;

/// What an absent average shows.
pub const ABSENT: &str = "—";

/// `45s`, `1m 05s`, `2h 10m`, `3d 4h`: at most two units, the second padded so columns line
/// up; under a second but not zero is `<1s`.
pub fn duration(ms: u64) -> String {
    let s = (ms + 500) / 1000;
    match s {
        0 if ms > 0 => "<1s".to_string(),
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m {:02}s", s / 60, s % 60),
        3600..=86_399 => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d {}h", s / 86_400, (s % 86_400) / 3600),
    }
}

/// `duration`, or `—` when there is nothing to average.
pub fn opt_duration(ms: Option<u64>) -> String {
    ms.map_or_else(|| ABSENT.to_string(), duration)
}

/// A share in `[0, 1]` as a percentage with one decimal: `85.0%`; absent `—`.
pub fn percent(share: Option<f64>) -> String {
    match share {
        Some(x) if x.is_finite() => format!("{:.1}%", (x * 100.0).clamp(0.0, 100.0)),
        _ => ABSENT.to_string(),
    }
}

/// An average of stars with one decimal: `4.6`; absent `—`.
pub fn stars(avg: Option<f64>) -> String {
    match avg {
        Some(x) if x.is_finite() => format!("{:.1}", x.clamp(0.0, 5.0)),
        _ => ABSENT.to_string(),
    }
}

/// A bucket's label: `09:00` for hours, `11-23` for days, in `tz`.
pub fn bucket(at: Millis, hourly: bool, tz: &TimeZone) -> String {
    let Ok(ts) = jiff::Timestamp::from_millisecond(at) else {
        return "?".to_string();
    };
    let z = ts.to_zoned_datetime(tz.clone());
    if hourly {
        format!("{:02}:00", z.hour())
    } else {
        format!("{:02}-{:02}", z.month(), z.day())
    }
}

/// The short form of a bucket label for tight axes: `09` for hours, `23` for days.
pub fn bucket_short(at: Millis, hourly: bool, tz: &TimeZone) -> String {
    let Ok(ts) = jiff::Timestamp::from_millisecond(at) else {
        return "?".to_string();
    };
    let z = ts.to_zoned_datetime(tz.clone());
    if hourly {
        format!("{:02}", z.hour())
    } else {
        format!("{:02}", z.day())
    }
}

/// The name of a team report's breakdown, in the console's language.
pub fn by_label(ctx: &Ctx, by: ReportBy) -> &'static str {
    let t = ctx.t;
    match by {
        ReportBy::Agent => t.report_by_agent,
        ReportBy::Group => t.report_by_group,
        ReportBy::Channel => t.report_by_channel,
        ReportBy::Tag => t.report_by_tag,
        ReportBy::Intent => t.report_by_intent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_for_people() {
        assert_eq!(duration(0), "0s");
        assert_eq!(duration(400), "<1s");
        assert_eq!(duration(45_000), "45s");
        assert_eq!(duration(65_000), "1m 05s");
        assert_eq!(duration(59_600), "1m 00s");
        assert_eq!(duration(7_800_000), "2h 10m");
        assert_eq!(duration(3 * 86_400_000 + 4 * 3_600_000), "3d 4h");
        assert_eq!(opt_duration(None), "—");
        assert_eq!(opt_duration(Some(65_000)), "1m 05s");
    }

    #[test]
    fn shares_have_one_decimal_and_absent_is_a_dash() {
        assert_eq!(percent(Some(0.85)), "85.0%");
        assert_eq!(percent(Some(2.0 / 3.0)), "66.7%");
        assert_eq!(percent(Some(0.0)), "0.0%");
        assert_eq!(percent(Some(1.0)), "100.0%");
        assert_eq!(percent(None), "—");
        assert_eq!(percent(Some(f64::NAN)), "—");
        assert_eq!(stars(Some(4.5678)), "4.6");
        assert_eq!(stars(None), "—");
    }

    #[test]
    fn buckets_are_labelled_in_the_time_zone() {
        let sh = TimeZone::get("Asia/Shanghai").unwrap();
        // 2026-11-23 01:00 UTC is 09:00 in Shanghai.
        let at = 1_795_395_600_000;
        assert_eq!(bucket(at, true, &sh), "09:00");
        assert_eq!(bucket(at, false, &sh), "11-23");
        assert_eq!(bucket_short(at, true, &sh), "09");
        assert_eq!(bucket(at, true, &TimeZone::UTC), "01:00");
    }
}
