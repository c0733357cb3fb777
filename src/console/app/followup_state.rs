//! The console's follow-up state and the pure parts of the follow-up dialog: the reminder
//! choices and reading a typed time (`15:30`, `2026-12-01 09:00`, `+45m`) in the agent's
//! time zone.

use crate::model::{Millis, SessionId};
use jiff::tz::TimeZone;
use std::collections::BTreeSet;

/// As the server allows (`docs/follow-up.md`).
pub const MAX_AHEAD_MS: Millis = 90 * 24 * 3600 * 1000;

/// Follow-up state of the app.
#[derive(Debug, Clone)]
pub struct FollowUpState {
    /// Conversations whose reminder fired and that were not opened since.
    pub due: BTreeSet<SessionId>,
    /// The agent's time zone ("tomorrow 9:00", typed times, times shown on the list).
    pub tz: TimeZone,
}

impl Default for FollowUpState {
    fn default() -> Self {
        FollowUpState {
            due: BTreeSet::new(),
            tz: TimeZone::system(),
        }
    }
}

/// What the dialog offers, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    NoReminder,
    In30Min,
    In1Hour,
    Tomorrow9,
    Typed,
}

pub const CHOICES: [Choice; 5] = [
    Choice::NoReminder,
    Choice::In30Min,
    Choice::In1Hour,
    Choice::Tomorrow9,
    Choice::Typed,
];

/// The open follow-up dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpDialog {
    pub session: SessionId,
    /// Index into [`CHOICES`].
    pub choice: usize,
    /// The typed time (used with [`Choice::Typed`]).
    pub typed: String,
    /// Why the typed time was not taken, for people.
    pub error: Option<String>,
}

impl FollowUpDialog {
    pub fn new(session: SessionId) -> Self {
        FollowUpDialog {
            session,
            choice: 0,
            typed: String::new(),
            error: None,
        }
    }

    pub fn current(&self) -> Choice {
        CHOICES
            .get(self.choice)
            .copied()
            .unwrap_or(Choice::NoReminder)
    }
}

/// Why a typed time was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeError {
    /// Not one of the accepted forms.
    Unreadable,
    Past,
    TooFar,
}

fn zoned(now: Millis, tz: &TimeZone) -> Option<jiff::ZonedDateTime> {
    Some(
        jiff::Timestamp::from_millisecond(now)
            .ok()?
            .to_zoned_datetime(tz.clone()),
    )
}

fn at_local(dt: jiff::civil::DateTime, tz: &TimeZone) -> Option<Millis> {
    Some(
        dt.to_zoned_datetime(tz.clone())
            .ok()?
            .timestamp()
            .as_millisecond(),
    )
}

/// When a choice reminds, from `now`; `Ok(None)` for no reminder.
pub fn remind_at(
    choice: Choice,
    typed: &str,
    now: Millis,
    tz: &TimeZone,
) -> Result<Option<Millis>, TimeError> {
    match choice {
        Choice::NoReminder => Ok(None),
        Choice::In30Min => Ok(Some(now + 30 * 60_000)),
        Choice::In1Hour => Ok(Some(now + 60 * 60_000)),
        Choice::Tomorrow9 => {
            let z = zoned(now, tz).ok_or(TimeError::Unreadable)?;
            let day = z.date().tomorrow().map_err(|_| TimeError::Unreadable)?;
            at_local(day.at(9, 0, 0, 0), tz)
                .map(Some)
                .ok_or(TimeError::Unreadable)
        }
        Choice::Typed => parse_time(typed, now, tz).map(Some),
    }
}

/// A typed reminder time: `+45m` / `+2h` / `+1d` from now, `15:30` (today, or tomorrow when
/// that has passed), or `2026-12-01 09:00`; in the future and at most 90 days ahead.
pub fn parse_time(text: &str, now: Millis, tz: &TimeZone) -> Result<Millis, TimeError> {
    let text = text.trim();
    let at = if let Some(rel) = text.strip_prefix('+') {
        let rel = rel.trim();
        let split = rel
            .find(|c: char| !c.is_ascii_digit())
            .ok_or(TimeError::Unreadable)?;
        let (n, unit) = rel.split_at(split);
        let n: i64 = n.parse().map_err(|_| TimeError::Unreadable)?;
        let unit_ms = match unit.trim() {
            "m" | "min" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => return Err(TimeError::Unreadable),
        };
        now.checked_add(n.checked_mul(unit_ms).ok_or(TimeError::TooFar)?)
            .ok_or(TimeError::TooFar)?
    } else if let Some((date, time)) = text.split_once(' ') {
        let date: jiff::civil::Date = date.trim().parse().map_err(|_| TimeError::Unreadable)?;
        let (h, m) = hour_minute(time.trim())?;
        at_local(date.at(h, m, 0, 0), tz).ok_or(TimeError::Unreadable)?
    } else {
        let (h, m) = hour_minute(text)?;
        let z = zoned(now, tz).ok_or(TimeError::Unreadable)?;
        let today = at_local(z.date().at(h, m, 0, 0), tz).ok_or(TimeError::Unreadable)?;
        if today > now {
            today
        } else {
            let day = z.date().tomorrow().map_err(|_| TimeError::Unreadable)?;
            at_local(day.at(h, m, 0, 0), tz).ok_or(TimeError::Unreadable)?
        }
    };
    if at <= now {
        return Err(TimeError::Past);
    }
    if at - now > MAX_AHEAD_MS {
        return Err(TimeError::TooFar);
    }
    Ok(at)
}

fn hour_minute(text: &str) -> Result<(i8, i8), TimeError> {
    let (h, m) = text.split_once(':').ok_or(TimeError::Unreadable)?;
    let h: i8 = h.trim().parse().map_err(|_| TimeError::Unreadable)?;
    let m: i8 = m.trim().parse().map_err(|_| TimeError::Unreadable)?;
    if !(0..24).contains(&h) || !(0..60).contains(&m) {
        return Err(TimeError::Unreadable);
    }
    Ok((h, m))
}

/// A reminder time for the list and the dialog: `15:30` today, else `12-01 09:00`.
pub fn short_time(at: Millis, now: Millis, tz: &TimeZone) -> String {
    match (zoned(at, tz), zoned(now, tz)) {
        (Some(a), Some(n)) if a.date() == n.date() => a.strftime("%H:%M").to_string(),
        (Some(a), _) => a.strftime("%m-%d %H:%M").to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-25 14:00 in Shanghai (UTC+8).
    fn setup() -> (Millis, TimeZone) {
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        let now = at_local(jiff::civil::datetime(2026, 11, 25, 14, 0, 0, 0), &tz).unwrap();
        (now, tz)
    }

    fn local(at: Millis, tz: &TimeZone) -> String {
        zoned(at, tz)
            .unwrap()
            .strftime("%Y-%m-%d %H:%M")
            .to_string()
    }

    #[test]
    fn typed_times_read_in_the_agents_zone() {
        let (now, tz) = setup();
        let p = |s: &str| parse_time(s, now, &tz).map(|at| local(at, &tz));
        assert_eq!(p("15:30").unwrap(), "2026-11-25 15:30");
        assert_eq!(
            p("09:00").unwrap(),
            "2026-11-26 09:00",
            "passed today: tomorrow"
        );
        assert_eq!(p("2026-12-01 09:00").unwrap(), "2026-12-01 09:00");
        assert_eq!(p("+45m").unwrap(), "2026-11-25 14:45");
        assert_eq!(p(" +2h ").unwrap(), "2026-11-25 16:00");
        assert_eq!(p("+1d").unwrap(), "2026-11-26 14:00");
        assert_eq!(p("2026-11-01 09:00"), Err(TimeError::Past));
        assert_eq!(p("+91d"), Err(TimeError::TooFar));
        for bad in [
            "",
            "soon",
            "25:00",
            "12:60",
            "+5x",
            "+m",
            "2026-13-01 09:00",
            "+99999999999999d",
        ] {
            assert!(p(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_choices() {
        let (now, tz) = setup();
        let r = |c| remind_at(c, "", now, &tz).unwrap();
        assert_eq!(r(Choice::NoReminder), None);
        assert_eq!(r(Choice::In30Min), Some(now + 1_800_000));
        assert_eq!(r(Choice::In1Hour), Some(now + 3_600_000));
        assert_eq!(
            local(r(Choice::Tomorrow9).unwrap(), &tz),
            "2026-11-26 09:00"
        );
        assert_eq!(short_time(now + 3_600_000, now, &tz), "15:00");
        assert_eq!(
            short_time(r(Choice::Tomorrow9).unwrap(), now, &tz),
            "11-26 09:00"
        );
    }
}
