//! The Reports screen's periods, pure: today / this week (Monday start) / this month / a typed
//! custom range (`2026-11-01..2026-11-15`, both days included), each turned into the `[from,
//! to)` milliseconds of `report.get` in the agent's time zone, so a day is a local day even
//! across a daylight-saving change. Moving to the previous or next period keeps its kind.

use crate::model::Millis;
use crate::protocol::TrendStep;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Span, Unit};

/// The longest range the server reports on (`report.get` refuses more).
pub const MAX_DAYS: i64 = 366;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodKind {
    Day,
    Week,
    Month,
    Custom,
}

/// Local days `[start, end)`: `end` is the first day not included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub kind: PeriodKind,
    pub start: Date,
    pub end: Date,
}

/// Why a typed range or a period could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodError {
    /// Not `YYYY-MM-DD..YYYY-MM-DD` (or a single `YYYY-MM-DD`).
    Unreadable,
    EndBeforeStart,
    /// Longer than [`MAX_DAYS`].
    TooLong,
    /// Outside what the calendar or the time zone can represent.
    OutOfRange,
}

/// Today's date in `tz`.
pub fn local_date(now: Millis, tz: &TimeZone) -> Result<Date, PeriodError> {
    let ts = jiff::Timestamp::from_millisecond(now).map_err(|_| PeriodError::OutOfRange)?;
    Ok(ts.to_zoned_datetime(tz.clone()).date())
}

fn add_days(d: Date, n: i64) -> Result<Date, PeriodError> {
    d.checked_add(Span::new().days(n))
        .map_err(|_| PeriodError::OutOfRange)
}

fn add_months(d: Date, n: i64) -> Result<Date, PeriodError> {
    d.checked_add(Span::new().months(n))
        .map_err(|_| PeriodError::OutOfRange)
}

/// Whole days from `a` to `b`.
fn days_between(a: Date, b: Date) -> Result<i64, PeriodError> {
    a.until((Unit::Day, b))
        .map(|s| i64::from(s.get_days()))
        .map_err(|_| PeriodError::OutOfRange)
}

/// The first moment of local day `d` (midnight, or the first moment after a gap at midnight).
fn day_start(d: Date, tz: &TimeZone) -> Result<Millis, PeriodError> {
    let z = d
        .to_zoned_datetime(tz.clone())
        .and_then(|z| z.start_of_day())
        .map_err(|_| PeriodError::OutOfRange)?;
    Ok(z.timestamp().as_millisecond())
}

impl Period {
    /// The period of `kind` that contains `today` (a custom one is just that day).
    pub fn containing(kind: PeriodKind, today: Date) -> Result<Period, PeriodError> {
        let start = match kind {
            PeriodKind::Day | PeriodKind::Custom => today,
            PeriodKind::Week => {
                add_days(today, -i64::from(today.weekday().to_monday_zero_offset()))?
            }
            PeriodKind::Month => today.first_of_month(),
        };
        let end = match kind {
            PeriodKind::Day | PeriodKind::Custom => add_days(start, 1)?,
            PeriodKind::Week => add_days(start, 7)?,
            PeriodKind::Month => add_months(start, 1)?,
        };
        Ok(Period { kind, start, end })
    }

    /// A custom range of the days `first..=last`.
    pub fn custom(first: Date, last: Date) -> Result<Period, PeriodError> {
        if last < first {
            return Err(PeriodError::EndBeforeStart);
        }
        let end = add_days(last, 1)?;
        if days_between(first, end)? > MAX_DAYS {
            return Err(PeriodError::TooLong);
        }
        Ok(Period {
            kind: PeriodKind::Custom,
            start: first,
            end,
        })
    }

    /// The period `n` periods later (earlier for a negative `n`), of the same kind and length.
    pub fn shifted(&self, n: i64) -> Result<Period, PeriodError> {
        let (start, end) = match self.kind {
            PeriodKind::Day => (add_days(self.start, n)?, add_days(self.end, n)?),
            PeriodKind::Week => (add_days(self.start, 7 * n)?, add_days(self.end, 7 * n)?),
            PeriodKind::Month => {
                let s = add_months(self.start.first_of_month(), n)?;
                (s, add_months(s, 1)?)
            }
            PeriodKind::Custom => {
                let len = days_between(self.start, self.end)?;
                (add_days(self.start, len * n)?, add_days(self.end, len * n)?)
            }
        };
        Ok(Period {
            kind: self.kind,
            start,
            end,
        })
    }

    /// `[from, to)` in milliseconds: local midnight of the first day to local midnight after
    /// the last, in `tz`.
    pub fn range(&self, tz: &TimeZone) -> Result<(Millis, Millis), PeriodError> {
        Ok((day_start(self.start, tz)?, day_start(self.end, tz)?))
    }

    /// The last day included.
    pub fn last_day(&self) -> Date {
        self.end.yesterday().unwrap_or(self.start)
    }

    /// Whether the period is a single day.
    pub fn one_day(&self) -> bool {
        days_between(self.start, self.end).is_ok_and(|d| d == 1)
    }

    /// Hourly trend for a single day ("today"), daily otherwise.
    pub fn trend(&self) -> TrendStep {
        if self.one_day() {
            TrendStep::Hour
        } else {
            TrendStep::Day
        }
    }

    /// Whether `today` falls in it.
    pub fn contains(&self, today: Date) -> bool {
        self.start <= today && today < self.end
    }

    /// The period as people write it: `2026-11-23`, `2026-11`, `2026-11-23..2026-11-29`.
    pub fn label(&self) -> String {
        match self.kind {
            PeriodKind::Month if self.start.day() == 1 => {
                format!("{:04}-{:02}", self.start.year(), self.start.month())
            }
            _ if self.one_day() => self.start.to_string(),
            _ => format!("{}..{}", self.start, self.last_day()),
        }
    }
}

/// A typed custom range: `2026-11-01..2026-11-15` (both days included; spaces allowed around
/// `..`), or one day `2026-11-01`.
pub fn parse_custom(text: &str) -> Result<Period, PeriodError> {
    let text = text.trim();
    let (a, b) = match text.split_once("..") {
        Some((a, b)) => (a.trim(), b.trim()),
        None => (text, text),
    };
    let date = |s: &str| -> Result<Date, PeriodError> {
        // Exactly YYYY-MM-DD: other spellings jiff accepts would surprise people.
        let ok = s.len() == 10 && s.as_bytes().get(4) == Some(&b'-');
        if !ok {
            return Err(PeriodError::Unreadable);
        }
        s.parse().map_err(|_| PeriodError::Unreadable)
    };
    Period::custom(date(a)?, date(b)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn tz(name: &str) -> TimeZone {
        TimeZone::get(name).unwrap()
    }

    fn millis(d: Date, h: i8, tz: &TimeZone) -> Millis {
        d.at(h, 0, 0, 0)
            .to_zoned_datetime(tz.clone())
            .unwrap()
            .timestamp()
            .as_millisecond()
    }

    #[test]
    fn today_is_the_local_day() {
        let sh = tz("Asia/Shanghai");
        // 2026-11-23 20:30 UTC is already the 24th in Shanghai.
        let now = millis(date(2026, 11, 23), 20, &TimeZone::UTC) + 30 * 60_000;
        let today = local_date(now, &sh).unwrap();
        assert_eq!(today, date(2026, 11, 24));
        let p = Period::containing(PeriodKind::Day, today).unwrap();
        let (from, to) = p.range(&sh).unwrap();
        assert_eq!(from, millis(date(2026, 11, 24), 0, &sh));
        assert_eq!(to - from, 24 * 3_600_000);
        // 16:00 UTC the day before.
        assert_eq!(from, millis(date(2026, 11, 23), 16, &TimeZone::UTC));
        assert_eq!(p.trend(), TrendStep::Hour);
        assert_eq!(p.label(), "2026-11-24");
    }

    #[test]
    fn a_week_starts_on_monday_across_month_and_year_ends() {
        // Thursday 2026-01-01: its week began on Monday 2025-12-29.
        let p = Period::containing(PeriodKind::Week, date(2026, 1, 1)).unwrap();
        assert_eq!((p.start, p.end), (date(2025, 12, 29), date(2026, 1, 5)));
        assert_eq!(p.label(), "2025-12-29..2026-01-04");
        assert_eq!(p.trend(), TrendStep::Day);
        // A Monday is its own week's start; a Sunday the last day of the week.
        let mon = Period::containing(PeriodKind::Week, date(2026, 11, 30)).unwrap();
        assert_eq!(
            (mon.start, mon.end),
            (date(2026, 11, 30), date(2026, 12, 7))
        );
        let sun = Period::containing(PeriodKind::Week, date(2026, 11, 29)).unwrap();
        assert_eq!(
            (sun.start, sun.end),
            (date(2026, 11, 23), date(2026, 11, 30))
        );
        // The week before, from the first week of the year.
        let prev = p.shifted(-1).unwrap();
        assert_eq!(
            (prev.start, prev.end),
            (date(2025, 12, 22), date(2025, 12, 29))
        );
        let utc = TimeZone::UTC;
        let (from, to) = p.range(&utc).unwrap();
        assert_eq!(to - from, 7 * 86_400_000);
    }

    #[test]
    fn a_month_and_its_neighbours() {
        let p = Period::containing(PeriodKind::Month, date(2026, 3, 31)).unwrap();
        assert_eq!((p.start, p.end), (date(2026, 3, 1), date(2026, 4, 1)));
        assert_eq!(p.label(), "2026-03");
        let feb = p.shifted(-1).unwrap();
        assert_eq!((feb.start, feb.end), (date(2026, 2, 1), date(2026, 3, 1)));
        let jan_next_year = Period::containing(PeriodKind::Month, date(2026, 12, 5))
            .unwrap()
            .shifted(1)
            .unwrap();
        assert_eq!(jan_next_year.start, date(2027, 1, 1));
        assert_eq!(jan_next_year.end, date(2027, 2, 1));
        assert!(p.contains(date(2026, 3, 31)) && !p.contains(date(2026, 4, 1)));
    }

    #[test]
    fn days_follow_daylight_saving_in_zones_that_have_it() {
        let ny = tz("America/New_York");
        // 2026-03-08: clocks jump from 02:00 to 03:00, a 23-hour day.
        let spring = Period::containing(PeriodKind::Day, date(2026, 3, 8)).unwrap();
        let (from, to) = spring.range(&ny).unwrap();
        assert_eq!(to - from, 23 * 3_600_000);
        assert_eq!(from, millis(date(2026, 3, 8), 5, &TimeZone::UTC));
        // 2026-11-01: 01:00 happens twice, a 25-hour day.
        let fall = Period::containing(PeriodKind::Day, date(2026, 11, 1)).unwrap();
        let (from, to) = fall.range(&ny).unwrap();
        assert_eq!(to - from, 25 * 3_600_000);
        // The week holding the change is 7 local days, one hour short.
        let week = Period::containing(PeriodKind::Week, date(2026, 3, 8)).unwrap();
        let (from, to) = week.range(&ny).unwrap();
        assert_eq!(to - from, 7 * 86_400_000 - 3_600_000);
        // Shanghai has no DST: the same day is 24 hours there.
        let (from, to) = spring.range(&tz("Asia/Shanghai")).unwrap();
        assert_eq!(to - from, 24 * 3_600_000);
    }

    #[test]
    fn a_day_with_no_midnight_starts_at_its_first_moment() {
        // America/Santiago skips 00:00–01:00 on 2026-09-06: the day starts at 01:00 local.
        let santiago = tz("America/Santiago");
        let p = Period::containing(PeriodKind::Day, date(2026, 9, 6)).unwrap();
        let (from, to) = p.range(&santiago).unwrap();
        assert_eq!(to - from, 23 * 3_600_000);
        assert_eq!(local_date(from, &santiago).unwrap(), date(2026, 9, 6));
        assert_eq!(local_date(from - 1, &santiago).unwrap(), date(2026, 9, 5));
    }

    #[test]
    fn custom_ranges_are_typed_with_both_days_included() {
        let p = parse_custom("2026-11-01..2026-11-15").unwrap();
        assert_eq!((p.start, p.end), (date(2026, 11, 1), date(2026, 11, 16)));
        assert_eq!(p.label(), "2026-11-01..2026-11-15");
        assert_eq!(p.trend(), TrendStep::Day);
        assert_eq!(parse_custom(" 2026-11-01 .. 2026-11-15 ").unwrap(), p);
        let one = parse_custom("2026-11-03").unwrap();
        assert_eq!((one.start, one.end), (date(2026, 11, 3), date(2026, 11, 4)));
        assert_eq!(one.trend(), TrendStep::Hour);
        // The previous custom range is as long, just before it.
        let prev = p.shifted(-1).unwrap();
        assert_eq!(
            (prev.start, prev.end),
            (date(2026, 10, 17), date(2026, 11, 1))
        );
        // A whole (leap) year fits; a day more does not.
        assert!(parse_custom("2028-01-01..2028-12-31").is_ok());
        assert_eq!(
            parse_custom("2026-01-01..2027-01-02"),
            Err(PeriodError::TooLong)
        );
    }

    #[test]
    fn custom_range_errors() {
        for bad in [
            "",
            "..",
            "yesterday",
            "2026-11-01..",
            "..2026-11-15",
            "2026-13-01..2026-13-02",
            "2026-02-30",
            "2026-11-01...2026-11-15",
            "2026/11/01..2026/11/15",
            "20261101",
            "2026-11-01..2026-11-15..2026-11-20",
            "2026-11-01T10:00..2026-11-15",
        ] {
            assert_eq!(parse_custom(bad), Err(PeriodError::Unreadable), "{bad:?}");
        }
        assert_eq!(
            parse_custom("2026-11-15..2026-11-01"),
            Err(PeriodError::EndBeforeStart)
        );
    }
}
