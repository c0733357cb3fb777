//! Business hours of a skill group: `Mon-Fri 09:00-12:00,13:00-18:00; Sat 10:00-14:00` in an
//! IANA time zone. Pure: whether it is open is asked for a given instant (the caller's clock).
//!
//! Grammar: rules separated by `;`; a rule is days then ranges. Days: `Mon`…`Sun`, a span
//! `Mon-Fri` (may wrap: `Sat-Mon`), or several joined by `,` (`Mon,Wed,Fri-Sat`). Ranges:
//! `HH:MM-HH:MM` joined by `,`, the end after the start (`24:00` ends at midnight); a range
//! does not run past midnight (write `Fri 22:00-24:00; Sat 00:00-02:00`).

use crate::model::Millis;
use jiff::tz::TimeZone;

/// Minutes of the week when the group is open: per weekday (Monday = 0), [start, end) ranges.
#[derive(Debug, Clone)]
pub struct OpenHours {
    days: [Vec<(u16, u16)>; 7],
    tz: TimeZone,
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// The named IANA time zone (from the bundled database, so it is the same on every host).
pub fn zone(name: &str) -> Result<TimeZone, String> {
    TimeZone::get(name).map_err(|_| {
        format!("`{name}` is not a known IANA time zone (e.g. `Asia/Shanghai`, `UTC`)")
    })
}

impl OpenHours {
    pub fn parse(text: &str, tz: TimeZone) -> Result<OpenHours, String> {
        let mut days: [Vec<(u16, u16)>; 7] = Default::default();
        let mut any = false;
        for rule in text.split(';').map(str::trim).filter(|r| !r.is_empty()) {
            let (day_part, range_part) = rule.split_once(char::is_whitespace).ok_or_else(|| {
                format!("`{rule}`: expected days then times, like `Mon-Fri 09:00-18:00`")
            })?;
            let which = parse_days(day_part)?;
            let mut ranges = Vec::new();
            for r in range_part.split(',').map(str::trim) {
                ranges.push(parse_range(r)?);
            }
            for d in which {
                days[d].extend(ranges.iter().copied());
            }
            any = true;
        }
        if !any {
            return Err(
                "empty; give rules like `Mon-Fri 09:00-18:00`, or leave it unset \
                        for always open"
                    .into(),
            );
        }
        Ok(OpenHours { days, tz })
    }

    /// Whether `now` (ms since the epoch) falls inside the hours, in the group's time zone.
    pub fn is_open(&self, now: Millis) -> bool {
        let Ok(ts) = jiff::Timestamp::from_millisecond(now) else {
            return true; // out of any calendar: do not turn customers away over it
        };
        let z = ts.to_zoned_datetime(self.tz.clone());
        let day = z.weekday().to_monday_zero_offset() as usize;
        let minute = z.hour() as u16 * 60 + z.minute() as u16;
        self.days[day % 7]
            .iter()
            .any(|&(start, end)| start <= minute && minute < end)
    }
}

fn day_index(name: &str) -> Result<usize, String> {
    let lower = name.trim().to_ascii_lowercase();
    DAYS.iter()
        .position(|d| lower == *d)
        .ok_or_else(|| format!("`{name}` is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun)"))
}

fn parse_days(text: &str) -> Result<Vec<usize>, String> {
    let mut out = Vec::new();
    for part in text.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                let (mut d, end) = (day_index(a)?, day_index(b)?);
                loop {
                    out.push(d);
                    if d == end {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => out.push(day_index(part)?),
        }
    }
    Ok(out)
}

fn parse_range(text: &str) -> Result<(u16, u16), String> {
    let (a, b) = text
        .split_once('-')
        .ok_or_else(|| format!("`{text}` is not a time range like 09:00-18:00"))?;
    let (start, end) = (parse_time(a)?, parse_time(b)?);
    if end <= start {
        return Err(format!(
            "`{text}`: the end must be after the start (split a range past midnight in two)"
        ));
    }
    Ok((start, end))
}

/// `HH:MM` as minutes of the day; `24:00` is the end of the day.
fn parse_time(text: &str) -> Result<u16, String> {
    let bad = || format!("`{text}` is not a time like 09:00");
    let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Milliseconds of a UTC civil time.
    fn utc(y: i16, mo: i8, d: i8, h: i8, mi: i8) -> Millis {
        jiff::civil::datetime(y, mo, d, h, mi, 0, 0)
            .to_zoned_datetime(TimeZone::UTC)
            .unwrap()
            .timestamp()
            .as_millisecond()
    }

    fn hours(text: &str, tz: &str) -> OpenHours {
        OpenHours::parse(text, zone(tz).unwrap()).unwrap()
    }

    #[test]
    fn weekdays_and_split_ranges_in_a_zone_without_dst() {
        // Shanghai is UTC+8 all year. 2026-11-23 is a Monday.
        let h = hours(
            "Mon-Fri 09:00-12:00,13:00-18:00; Sat 10:00-14:00",
            "Asia/Shanghai",
        );
        assert!(h.is_open(utc(2026, 11, 23, 1, 0))); // Mon 09:00 local
        assert!(!h.is_open(utc(2026, 11, 23, 0, 59))); // Mon 08:59
        assert!(!h.is_open(utc(2026, 11, 23, 4, 30))); // Mon 12:30, lunch
        assert!(h.is_open(utc(2026, 11, 23, 5, 0))); // Mon 13:00
        assert!(!h.is_open(utc(2026, 11, 23, 10, 0))); // Mon 18:00: the end is excluded
        assert!(h.is_open(utc(2026, 11, 28, 2, 0))); // Sat 10:00
        assert!(!h.is_open(utc(2026, 11, 29, 2, 0))); // Sun 10:00
        // Friday 23:30 UTC is already Saturday 07:30 in Shanghai: closed.
        assert!(!h.is_open(utc(2026, 11, 27, 23, 30)));
    }

    #[test]
    fn a_dst_zone_follows_the_local_clock() {
        // New York: UTC-4 in summer, UTC-5 in winter; 09:00 local is 13:00 or 14:00 UTC.
        let h = hours("Mon-Fri 09:00-17:00", "America/New_York");
        // Wednesday 2026-07-15 (summer).
        assert!(h.is_open(utc(2026, 7, 15, 13, 0)));
        assert!(!h.is_open(utc(2026, 7, 15, 12, 59)));
        // Wednesday 2026-01-14 (winter): 13:00 UTC is 08:00 local.
        assert!(!h.is_open(utc(2026, 1, 14, 13, 0)));
        assert!(h.is_open(utc(2026, 1, 14, 14, 0)));
    }

    #[test]
    fn day_lists_wraps_and_midnight() {
        let h = hours("sat-mon 00:00-24:00; Wed,Fri 08:00-09:00", "UTC");
        assert!(h.is_open(utc(2026, 11, 29, 23, 59))); // Sun
        assert!(h.is_open(utc(2026, 11, 23, 0, 0))); // Mon
        assert!(!h.is_open(utc(2026, 11, 24, 12, 0))); // Tue
        assert!(h.is_open(utc(2026, 11, 25, 8, 30))); // Wed
        assert!(!h.is_open(utc(2026, 11, 26, 8, 30))); // Thu
    }

    #[test]
    fn bad_hours_say_what_is_wrong() {
        let tz = || zone("UTC").unwrap();
        for (text, says) in [
            ("Mon-Fri", "expected days then times"),
            ("Mon-Fry 09:00-18:00", "`Fry` is not a day"),
            ("Mon 9:00-18:00", "`9:00` is not a time"),
            ("Mon 18:00-09:00", "the end must be after the start"),
            ("Mon 09:00-24:30", "`24:30` is not a time"),
            ("Mon 09:00", "not a time range"),
            (" ; ", "empty"),
        ] {
            let e = OpenHours::parse(text, tz()).unwrap_err();
            assert!(e.contains(says), "{text}: {e}");
        }
        assert!(zone("Mars/Olympus").unwrap_err().contains("IANA"));
    }
}
