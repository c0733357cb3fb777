//! `kefu admin history search`: the same search as `history.search`, straight from the store
//! (as an admin: every conversation), printed as CSV or JSON for spreadsheets and scripts.
//! Text search uses the index the server keeps; without a running server, messages stored
//! since it stopped are not in it yet (`docs/history.md`).

use crate::admin::{format_time, parse_date};
use crate::history::access::Scope;
use crate::history::query;
use crate::model::{Channel, EndReason, now_ms};
use crate::protocol::{HISTORY_PAGE_MAX, HistoryHit, HistorySearch};
use crate::store::Store;
use std::time::{Duration, Instant};

#[derive(clap::Subcommand, Debug)]
pub enum HistoryCmd {
    /// Search conversations (all filters together), newest first.
    Search(SearchArgs),
}

#[derive(clap::Args, Debug)]
pub struct SearchArgs {
    /// Words that must all occur in one message (Chinese segmented, English stemmed);
    /// "quoted words" together.
    #[arg(long)]
    pub text: Option<String>,
    /// A customer: `#42` (id), an external id, or part of a nickname.
    #[arg(long)]
    pub customer: Option<String>,
    /// Started at or after: `YYYY-MM-DD` (UTC), `YYYY-MM-DDTHH:MM[:SS]Z` or `now`.
    #[arg(long)]
    pub after: Option<String>,
    /// Started before (same forms).
    #[arg(long)]
    pub before: Option<String>,
    /// A tag it carries (repeat for several: all of them).
    #[arg(long = "tag")]
    pub tags: Vec<String>,
    /// An agent (username) who served it.
    #[arg(long)]
    pub agent: Option<String>,
    #[arg(long)]
    pub group: Option<String>,
    /// web, app, mini_program or api.
    #[arg(long)]
    pub channel: Option<Channel>,
    /// resolved, unresolved, abandoned or customer_left.
    #[arg(long)]
    pub outcome: Option<EndReason>,
    #[arg(long)]
    pub csat_min: Option<u8>,
    #[arg(long)]
    pub csat_max: Option<u8>,
    #[arg(long)]
    pub intent: Option<String>,
    /// At most this many conversations.
    #[arg(long, default_value_t = 100)]
    pub limit: u32,
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

/// Most conversations one command prints.
pub const MAX_ROWS: u32 = 100_000;

/// Runs the search and prints it to stdout.
pub fn run(store: &mut dyn Store, cmd: HistoryCmd) -> anyhow::Result<()> {
    let HistoryCmd::Search(args) = cmd;
    let hits = search(store, &args)?;
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &hits)?;
            use std::io::Write;
            writeln!(out)?;
        }
        Format::Csv => write_csv(&mut out, &hits)?,
    }
    Ok(())
}

/// The hits of the search, page after page up to `--limit`.
pub fn search(store: &mut dyn Store, a: &SearchArgs) -> anyhow::Result<Vec<HistoryHit>> {
    if !(1..=MAX_ROWS).contains(&a.limit) {
        anyhow::bail!("--limit must be 1 to {MAX_ROWS}");
    }
    let now = now_ms();
    let date = |s: &Option<String>| s.as_deref().map(|s| parse_date(s, now)).transpose();
    let mut req = HistorySearch {
        text: a.text.clone(),
        customer: a.customer.clone(),
        after: date(&a.after)?,
        before: date(&a.before)?,
        tags: a.tags.clone(),
        agent: a.agent.clone(),
        group: a.group.clone(),
        channel: a.channel,
        outcome: a.outcome,
        csat_min: a.csat_min,
        csat_max: a.csat_max,
        intent: a.intent.clone(),
        open: None,
        before_id: None,
        limit: Some(HISTORY_PAGE_MAX.min(a.limit)),
    };
    query::check(&req).map_err(|e| anyhow::anyhow!(e))?;
    let mut reader = store.reader()?;
    let mut hits = Vec::new();
    loop {
        let q = query::check(&req).map_err(|e| anyhow::anyhow!(e))?;
        let mut page = None;
        let mut failed = None;
        reader.snapshot(&mut |rd| {
            let deadline = Instant::now() + Duration::from_secs(60);
            match rd.history_search(&q, &Scope::All, deadline) {
                Ok(p) => page = Some(p),
                Err(e) => failed = Some(e),
            }
            Ok(())
        })?;
        if let Some(e) = failed {
            return Err(e.into());
        }
        let Some(page) = page else { break };
        hits.extend(page.hits);
        match page.next {
            Some(next) if (hits.len() as u32) < a.limit => {
                req.before_id = Some(next);
                req.limit = Some(HISTORY_PAGE_MAX.min(a.limit - hits.len() as u32));
            }
            _ => break,
        }
    }
    hits.truncate(a.limit as usize);
    Ok(hits)
}

const HEADER: &str = "session_id,created_at,ended_at,customer_id,customer,external_id,channel,\
group,agent,outcome,csat,tags,intent,messages,matched_line";

/// RFC 4180 CSV, one conversation a line, times in UTC.
pub fn write_csv(out: &mut impl std::io::Write, hits: &[HistoryHit]) -> std::io::Result<()> {
    writeln!(out, "{HEADER}")?;
    for h in hits {
        let fields = [
            h.session_id.to_string(),
            format_time(h.created_at),
            h.ended_at.map(format_time).unwrap_or_default(),
            h.customer_id.to_string(),
            h.customer.clone(),
            h.external_id.clone().unwrap_or_default(),
            h.channel.to_string(),
            h.group.clone(),
            h.agent.clone().unwrap_or_default(),
            h.outcome.map(|o| o.to_string()).unwrap_or_default(),
            h.csat.map(|c| c.to_string()).unwrap_or_default(),
            h.tags.join(";"),
            h.intent.clone().unwrap_or_default(),
            h.messages.to_string(),
            h.line.as_ref().map(|l| l.text.clone()).unwrap_or_default(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        writeln!(out, "{}", line.join(","))?;
    }
    Ok(())
}

/// One CSV field: quoted when it holds a comma, quote or line break (quotes doubled). Text
/// that a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets a leading `'`:
/// these are customers' words.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_field("退款,快"), "\"退款,快\"");
    }
}
