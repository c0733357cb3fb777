//! Checking a `report.get` before anything is read: the range, the time zone, and who may ask
//! for what (everyone for their own work, supervisors and admins for the team).

use crate::model::{AgentId, Millis};
use crate::protocol::{ReportGet, ReportScope};
use jiff::tz::TimeZone;

/// The longest range a report covers.
pub const MAX_RANGE_MS: Millis = 366 * 24 * 3_600_000;
/// The longest range an hourly trend covers (a month and a day: 768 points).
pub const MAX_HOURLY_MS: Millis = 32 * 24 * 3_600_000;
/// The longest time-zone name taken.
const MAX_TZ_CHARS: usize = 64;

/// Who asks for a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Asker {
    /// The agent asking (`None`: the command line, which names an agent for `scope: me`).
    pub agent: Option<AgentId>,
    /// Supervisors and admins (and the command line) may see the team.
    pub sees_all: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Forbidden(String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// A request that passed the checks: its time zone resolved.
#[derive(Debug, Clone)]
pub struct Checked {
    pub tz: TimeZone,
    pub tz_name: String,
    /// Whose work `scope: me` counts.
    pub me: Option<AgentId>,
}

/// Checks `q` for `asker`; `default_tz` is the server's `[reports] time_zone`.
pub fn check(
    q: &ReportGet,
    asker: Asker,
    default_tz: Option<&str>,
) -> Result<Checked, ReportError> {
    let invalid = |m: &str| Err(ReportError::Invalid(m.to_string()));
    if q.from >= q.to {
        return invalid("`from` must be before `to`");
    }
    if q.to.saturating_sub(q.from) > MAX_RANGE_MS {
        return invalid("a report covers at most 366 days");
    }
    if q.trend == Some(crate::protocol::TrendStep::Hour) && q.to - q.from > MAX_HOURLY_MS {
        return invalid("an hourly trend covers at most 32 days; ask for `trend: day`");
    }
    let tz_name =
        q.tz.as_deref()
            .or(default_tz)
            .unwrap_or("UTC")
            .trim()
            .to_string();
    if tz_name.chars().count() > MAX_TZ_CHARS {
        return invalid("`tz` is too long for a time zone name");
    }
    let tz = crate::routing::hours::zone(&tz_name).map_err(ReportError::Invalid)?;
    match q.scope {
        ReportScope::Team if !asker.sees_all => {
            return Err(ReportError::Forbidden(
                "team reports are for supervisors and admins; ask for `scope: me` (your own work)"
                    .into(),
            ));
        }
        ReportScope::Me if q.by.is_some() => {
            let msg = if asker.sees_all {
                "`by` breaks down a team report: ask for `scope: team`"
            } else {
                "`by` breaks down a team report, which is for supervisors and admins"
            };
            return Err(if asker.sees_all {
                ReportError::Invalid(msg.into())
            } else {
                ReportError::Forbidden(msg.into())
            });
        }
        ReportScope::Me if asker.agent.is_none() => {
            return invalid("a personal report needs an agent (`--agent USER`)");
        }
        _ => {}
    }
    Ok(Checked {
        tz,
        tz_name,
        me: asker.agent,
    })
}
