//! The Reports screen's state (S20, S26): which period, whose work (personal or team) and how
//! a team report is broken down, and the answer (loading, a report, or why there is none).
//! Plain data plus the `report.get` it stands for; what keys do is in `report`.

use super::report_period::{Period, PeriodError};
use crate::model::Millis;
use crate::protocol::request::ReportGet;
use crate::protocol::{ErrorCode, ReportBy, ReportReply, ReportScope};
use jiff::tz::TimeZone;
use std::sync::atomic::{AtomicU64, Ordering};

/// Breakdowns in the order `b` cycles through them.
pub const BREAKDOWNS: [ReportBy; 5] = [
    ReportBy::Agent,
    ReportBy::Group,
    ReportBy::Channel,
    ReportBy::Tag,
    ReportBy::Intent,
];

/// Request numbers, unique for the whole run: a reply meant for a screen that was closed and
/// opened again must not pass for the new screen's.
static GENERATION: AtomicU64 = AtomicU64::new(1);

fn next_generation() -> u64 {
    GENERATION.fetch_add(1, Ordering::Relaxed)
}

/// What the screen has to show.
#[derive(Debug, Clone, PartialEq)]
pub enum ReportLoad {
    Loading,
    Ready(Box<ReportReply>),
    /// The server refused (`code`), or no answer came; `message` is sanitised, for people.
    Failed {
        code: Option<ErrorCode>,
        message: String,
    },
}

#[derive(Debug, Clone)]
pub struct ReportsScreen {
    pub period: Period,
    pub scope: ReportScope,
    /// The team breakdown (unused for the personal report).
    pub by: ReportBy,
    /// The agent's time zone: what "today" means, and how buckets are labelled.
    pub tz: TimeZone,
    /// The request the screen is waiting for or showing; older answers are dropped.
    pub generation: u64,
    pub load: ReportLoad,
    /// The custom range being typed (`2026-11-01..2026-11-15`), while it is.
    pub typing: Option<String>,
    /// Why the last typed range was refused.
    pub typing_error: Option<PeriodError>,
    /// First table row shown.
    pub scroll: usize,
}

impl ReportsScreen {
    pub fn new(period: Period, tz: TimeZone) -> ReportsScreen {
        ReportsScreen {
            period,
            scope: ReportScope::Me,
            by: ReportBy::Agent,
            tz,
            generation: 0,
            load: ReportLoad::Loading,
            typing: None,
            typing_error: None,
            scroll: 0,
        }
    }

    /// The `report.get` for what the screen shows now; `None` if the period cannot be placed
    /// in the time zone (dates at the calendar's ends).
    pub fn request(&self) -> Option<ReportGet> {
        let (from, to): (Millis, Millis) = self.period.range(&self.tz).ok()?;
        Some(ReportGet {
            from,
            to,
            scope: self.scope,
            by: (self.scope == ReportScope::Team).then_some(self.by),
            trend: Some(self.period.trend()),
            tz: self.tz.iana_name().map(str::to_string),
        })
    }

    /// A new request is going out: what it answers is the only answer taken.
    pub fn begin(&mut self) -> u64 {
        self.generation = next_generation();
        self.load = ReportLoad::Loading;
        self.scroll = 0;
        self.generation
    }

    pub fn next_breakdown(&mut self) {
        let i = BREAKDOWNS.iter().position(|b| *b == self.by).unwrap_or(0);
        self.by = BREAKDOWNS[(i + 1) % BREAKDOWNS.len()];
    }

    pub fn reply(&self) -> Option<&ReportReply> {
        match &self.load {
            ReportLoad::Ready(r) => Some(r),
            _ => None,
        }
    }
}
