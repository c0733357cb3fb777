//! Reports (S20, S26; `docs/reports.md`): service metrics of a time range computed from what
//! the store holds, so they are right after a restart. The store reads plain rows
//! ([`facts`]) in one range scan per table; everything else here is pure computation, shared
//! by `report.get` (on the server's read pool) and `kefu admin report` (straight from the
//! data dir), so both print the same numbers.

pub mod acc;
pub mod analyse;
pub mod compute;
pub mod facts;
#[cfg(test)]
mod fixture;
#[cfg(test)]
mod fixture_tests;
pub mod render;
pub mod request;
pub mod status;
pub mod svg;
pub mod trend;

pub use request::{Asker, ReportError, check};

use crate::model::Millis;
use crate::protocol::{ReportGet, ReportReply};
use crate::store::Read;

/// Checks `q` for `asker`, reads its facts from `rd` and computes the report. `default_tz` is
/// the server's `[reports] time_zone`; `now` ends the time of whatever is still going on.
/// The entry point of `report.get`, `kefu admin report` and the benchmark.
pub fn report(
    rd: &mut dyn Read,
    q: &ReportGet,
    asker: Asker,
    default_tz: Option<&str>,
    now: Millis,
) -> Result<ReportReply, ReportError> {
    let checked = check(q, asker, default_tz)?;
    let facts = rd.report_facts(q.from, q.to)?;
    Ok(compute_checked(&facts, q, &checked, now))
}

/// The computation alone, on facts already read (tests, benchmarks).
pub fn compute_checked(
    facts: &facts::ReportFacts,
    q: &ReportGet,
    checked: &request::Checked,
    now: Millis,
) -> ReportReply {
    let mut reply = compute::compute(facts, q, checked, now);
    reply.tz = checked.tz_name.clone();
    reply
}
