//! `kefu admin report`: a report straight from the data dir, through the same computation as
//! `report.get` (`crate::reports::report`), so the numbers are the console's. Prints a table,
//! CSV, JSON or an SVG chart, to stdout or a file.

use crate::config::ServerConfig;
use crate::model::{Millis, now_ms};
use crate::protocol::{ReportBy, ReportGet, ReportReply, ReportScope, TrendStep};
use crate::reports::{Asker, render, svg};
use crate::store::Store;
use anyhow::{Context, anyhow};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
    Svg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    Agent,
    Group,
    Channel,
    Tag,
    Intent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Step {
    Day,
    Hour,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// Start: `YYYY-MM-DD` (midnight in --tz), `YYYY-MM-DDTHH:MM[:SS]Z` (UTC), `now`, or
    /// milliseconds since the epoch.
    #[arg(long)]
    pub from: String,
    /// End (not included), same forms; at most 366 days after --from.
    #[arg(long)]
    pub to: String,
    /// One row per agent, group, channel, tag or intent, with totals.
    #[arg(long, value_enum)]
    pub by: Option<By>,
    /// Add a trend per day or hour (in --tz).
    #[arg(long, value_enum)]
    pub trend: Option<Step>,
    /// IANA time zone of dates and buckets; default `[reports] time_zone`, else UTC.
    #[arg(long)]
    pub tz: Option<String>,
    /// One agent's personal report (their username) instead of the team's.
    #[arg(long)]
    pub agent: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write here instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// A date on the command line, in `tz` unless it says UTC (`Z`).
pub fn parse_date(text: &str, tz: &jiff::tz::TimeZone, now: Millis) -> anyhow::Result<Millis> {
    let t = text.trim();
    // Milliseconds since the epoch, as `report.get` takes them (exact ranges for scripts).
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse().map_err(|_| anyhow!("`{text}` is too large"));
    }
    if t.contains(['T', 't', ' ']) || t.eq_ignore_ascii_case("now") {
        return crate::admin::parse_date(t, now);
    }
    let date: jiff::civil::Date = t.parse().map_err(|_| {
        anyhow!("`{text}` is not a date like 2026-11-01, 2026-11-01T08:00Z or `now`")
    })?;
    let stamp = tz
        .to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
        .map_err(|e| anyhow!("`{text}`: {e}"))?;
    Ok(stamp.as_millisecond())
}

/// Builds the request the arguments describe (the agent's id is looked up by the caller).
pub fn request(
    args: &ReportArgs,
    default_tz: Option<&str>,
    now: Millis,
) -> anyhow::Result<ReportGet> {
    let tz_name = args.tz.as_deref().or(default_tz).unwrap_or("UTC");
    let tz = crate::routing::hours::zone(tz_name).map_err(|e| anyhow!(e))?;
    let by = args.by.map(|b| match b {
        By::Agent => ReportBy::Agent,
        By::Group => ReportBy::Group,
        By::Channel => ReportBy::Channel,
        By::Tag => ReportBy::Tag,
        By::Intent => ReportBy::Intent,
    });
    Ok(ReportGet {
        from: parse_date(&args.from, &tz, now)?,
        to: parse_date(&args.to, &tz, now)?,
        scope: if args.agent.is_some() {
            ReportScope::Me
        } else {
            ReportScope::Team
        },
        by,
        trend: args.trend.map(|s| match s {
            Step::Day => TrendStep::Day,
            Step::Hour => TrendStep::Hour,
        }),
        tz: Some(tz_name.to_string()),
    })
}

/// The report in the chosen format.
pub fn format(r: &ReportReply, f: Format) -> anyhow::Result<String> {
    Ok(match f {
        Format::Table => render::table(r),
        Format::Csv => render::csv(r)?,
        Format::Json => serde_json::to_string_pretty(r)? + "\n",
        Format::Svg => svg::svg(r),
    })
}

/// `kefu admin report`.
pub fn run(store: &dyn Store, args: ReportArgs, config: &ServerConfig) -> anyhow::Result<()> {
    let now = now_ms();
    let default_tz = config.reports.time_zone.as_deref();
    let q = request(&args, default_tz, now)?;
    let mut reader = store.reader()?;
    let mut out: Option<anyhow::Result<ReportReply>> = None;
    reader.snapshot(&mut |rd| {
        let agent = match &args.agent {
            Some(name) => match rd.agent_by_username(name)? {
                Some(a) => Some(a.id),
                None => {
                    out = Some(Err(anyhow!("no agent `{name}`")));
                    return Ok(());
                }
            },
            None => None,
        };
        let asker = Asker {
            agent,
            sees_all: true,
        };
        out = Some(crate::reports::report(rd, &q, asker, default_tz, now).map_err(Into::into));
        Ok(())
    })?;
    let reply = out.ok_or_else(|| anyhow!("the report was not computed"))??;
    let text = format(&reply, args.format)?;
    match &args.out {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => print!("{text}"),
    }
    Ok(())
}
