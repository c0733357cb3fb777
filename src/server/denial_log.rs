//! How many permission denials reach the audit log: at most [`PER_MINUTE`] entries per agent
//! in each minute; the rest of that minute are counted and written as one summary entry when
//! the minute is over (so a looping client cannot flood the log, and nothing goes unrecorded).
//! Pure: the hub passes the clock.

use crate::model::{AgentId, Millis};
use std::collections::HashMap;

/// Entries written per agent per window.
pub const PER_MINUTE: u32 = 5;
const WINDOW_MS: Millis = 60_000;

#[derive(Debug, Clone, Copy)]
struct Window {
    start: Millis,
    written: u32,
    suppressed: u64,
}

/// The open windows, one per agent denied in the last minute (bounded by the agents).
#[derive(Debug, Default)]
pub struct DenialLog {
    windows: HashMap<AgentId, Window>,
}

/// What to do with one denial.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Write its entry.
    Write,
    /// Count it in the window's summary.
    Count,
}

impl DenialLog {
    /// Records a denial at `now`. Returns the verdict, and the count of a window this closed
    /// that must be written as a summary first.
    pub fn record(&mut self, agent: AgentId, now: Millis) -> (Verdict, Option<u64>) {
        let mut summary = None;
        let w = self.windows.entry(agent).or_insert(Window {
            start: now,
            written: 0,
            suppressed: 0,
        });
        if now - w.start >= WINDOW_MS {
            summary = (w.suppressed > 0).then_some(w.suppressed);
            *w = Window {
                start: now,
                written: 0,
                suppressed: 0,
            };
        }
        if w.written < PER_MINUTE {
            w.written += 1;
            (Verdict::Write, summary)
        } else {
            w.suppressed += 1;
            (Verdict::Count, summary)
        }
    }

    /// Closes the windows older than a minute; returns the summaries to write (agent, count).
    pub fn flush(&mut self, now: Millis) -> Vec<(AgentId, u64)> {
        let mut out = Vec::new();
        self.windows.retain(|agent, w| {
            if now - w.start < WINDOW_MS {
                return true;
            }
            if w.suppressed > 0 {
                out.push((*agent, w.suppressed));
            }
            false
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_per_minute_then_one_count() {
        let mut log = DenialLog::default();
        for i in 0..PER_MINUTE {
            assert_eq!(log.record(1, i as Millis), (Verdict::Write, None));
        }
        for i in 0..100 {
            assert_eq!(log.record(1, 1000 + i), (Verdict::Count, None));
        }
        // Another agent has their own allowance.
        assert_eq!(log.record(2, 2000), (Verdict::Write, None));
        assert!(log.flush(59_999).is_empty());
        assert_eq!(log.flush(60_000), vec![(1, 100)]);
        // Agent 2's window had nothing suppressed; both are gone.
        assert!(log.flush(62_000).is_empty());
        assert_eq!(log.record(1, 70_000), (Verdict::Write, None));
        for _ in 0..PER_MINUTE {
            log.record(1, 70_001);
        }
        assert_eq!(log.record(1, 130_000), (Verdict::Write, Some(1)));
    }
}
