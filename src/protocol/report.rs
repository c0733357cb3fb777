//! Reports (S20, S26): `report.get` computes the service metrics of a time range from what
//! the store holds (sessions, messages, transfers, ratings, the agents' status changes), so
//! they are right after a restart. Definitions: `docs/reports.md`. `kefu admin report` prints
//! the same numbers as a table, CSV, JSON or an SVG chart.

use crate::model::Millis;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Whose conversations a report counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportScope {
    /// The caller's own work (个人业绩); every agent may ask.
    #[default]
    Me,
    /// Everyone's (supervisors and admins; `forbidden` for plain agents).
    Team,
}

/// How a team report is broken down into rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportBy {
    Agent,
    Group,
    Channel,
    /// A conversation with several tags counts in each tag's row (rows do not add up).
    Tag,
    Intent,
}

/// The width of a trend bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrendStep {
    Hour,
    Day,
}

/// `[from, to)` in milliseconds; at most 366 days. Day and hour buckets follow `tz`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportGet {
    pub from: Millis,
    pub to: Millis,
    #[serde(default)]
    pub scope: ReportScope,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<ReportBy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trend: Option<TrendStep>,
    /// An IANA time zone (`Asia/Shanghai`); default: the server's `[reports] time_zone`, else
    /// UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tz: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportReply {
    pub from: Millis,
    pub to: Millis,
    pub tz: String,
    pub scope: ReportScope,
    pub totals: Metrics,
    /// With `by`: one row per agent / group / channel / tag / intent, biggest first.
    #[serde(default)]
    pub rows: Vec<ReportRow>,
    /// With `trend`: one point per bucket, oldest first, empty buckets included.
    #[serde(default)]
    pub trend: Vec<TrendPoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportRow {
    /// What the row is: a username, group, channel, tag or intent name (`-` for none).
    pub key: String,
    /// For display: the agent's display name, else the key.
    pub label: String,
    pub metrics: Metrics,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// The bucket's start.
    pub at: Millis,
    /// Conversations that reached a human queue in the bucket.
    pub arrivals: u64,
    /// Conversations handled (ended) in the bucket.
    pub handled: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_response_avg_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csat_avg: Option<f64>,
    /// Customers waiting in a queue, averaged over the bucket, and the most at once.
    pub waiting_avg: f64,
    pub waiting_max: u64,
}

/// The metrics of a set of conversations; an average of nothing is absent, not 0.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Metrics {
    /// Conversations an agent served that ended in the range.
    pub handled: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_response_avg_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_response_median_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_avg_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution_avg_ms: Option<u64>,
    /// Conversations ended in the range, and those ended as resolved.
    pub ended: u64,
    pub resolved: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution_rate: Option<f64>,
    /// Conversations asked to rate, and those rated.
    pub surveyed: u64,
    pub rated: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csat_avg: Option<f64>,
    /// Share of rated conversations with 4 or 5 stars.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csat_good_share: Option<f64>,
    /// rated ÷ surveyed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csat_response_rate: Option<f64>,
    pub transfers_in: u64,
    pub transfers_out: u64,
    /// Milliseconds spent in each status (`online`, `busy`, `away`, `offline`) within the
    /// range; only for the personal report and `by: agent` rows.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub status_ms: BTreeMap<String, u64>,
}
