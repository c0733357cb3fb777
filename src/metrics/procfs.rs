//! What kefu reads from `/proc` about a process (itself for `/metrics`, the server under test
//! for the bench): CPU time per thread (from `task/*/stat` and `comm`), peak RSS (`VmHWM`),
//! current RSS and the load average. The parsers
//! are pure functions over the file's text, so they are tested on sample strings.

use std::collections::BTreeMap;

/// Clock ticks per second in `/proc/*/stat` (`USER_HZ`): 100 on every Linux architecture we
/// run on; the kernel converts to it whatever its internal tick is.
pub const TICKS_PER_SEC: u64 = 100;

/// `utime + stime` in clock ticks from one `/proc/<pid>/stat` (or `task/<tid>/stat`) line.
/// The command name in parentheses may itself hold spaces and parentheses, so the fields are
/// counted from the last `)`.
pub fn parse_stat_ticks(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the `)`: field 3 (state) is index 0, so utime (14) is 11 and stime (15) is 12.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// A `kB` figure such as `VmHWM:   83412 kB` from `/proc/<pid>/status`.
pub fn parse_status_kib(status: &str, key: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.split(':').next() == Some(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The 1-minute load average from `/proc/loadavg`.
pub fn parse_loadavg(text: &str) -> Option<f64> {
    text.split_whitespace().next()?.parse().ok()
}

/// CPU ticks of every thread of a process at one moment: thread id → (name, ticks).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CpuSnapshot {
    pub total: u64,
    pub threads: BTreeMap<u32, (String, u64)>,
}

/// CPU time between two snapshots, grouped by thread name (tokio's workers share one).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CpuDelta {
    pub total_ticks: u64,
    /// (thread name, how many threads, ticks), most ticks first.
    pub by_name: Vec<(String, usize, u64)>,
}

impl CpuSnapshot {
    /// Threads seen only in `after` count from zero; threads that ended in between are lost
    /// from the breakdown (not from the total, which is the process's own counter).
    pub fn delta(&self, after: &CpuSnapshot) -> CpuDelta {
        let mut groups: BTreeMap<String, (usize, u64)> = BTreeMap::new();
        for (tid, (name, ticks)) in &after.threads {
            let before = self.threads.get(tid).map_or(0, |(_, t)| *t);
            let g = groups.entry(name.clone()).or_default();
            g.0 += 1;
            g.1 += ticks.saturating_sub(before);
        }
        let mut by_name: Vec<_> = groups.into_iter().map(|(n, (c, t))| (n, c, t)).collect();
        by_name.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
        CpuDelta {
            total_ticks: after.total.saturating_sub(self.total),
            by_name,
        }
    }
}

/// Reads a process's CPU ticks, in total and per thread. `None` if it is gone.
pub fn cpu_snapshot(pid: u32) -> Option<CpuSnapshot> {
    let total = parse_stat_ticks(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)?;
    let mut threads = BTreeMap::new();
    for entry in std::fs::read_dir(format!("/proc/{pid}/task"))
        .ok()?
        .flatten()
    {
        let Some(tid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let path = entry.path();
        // A thread may end between listing and reading: skip it.
        let (Ok(stat), Ok(comm)) = (
            std::fs::read_to_string(path.join("stat")),
            std::fs::read_to_string(path.join("comm")),
        ) else {
            continue;
        };
        if let Some(ticks) = parse_stat_ticks(&stat) {
            threads.insert(tid, (comm.trim().to_string(), ticks));
        }
    }
    Some(CpuSnapshot { total, threads })
}

pub fn status_kib(pid: u32, key: &str) -> Option<u64> {
    parse_status_kib(
        &std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?,
        key,
    )
}

pub fn loadavg() -> Option<f64> {
    parse_loadavg(&std::fs::read_to_string("/proc/loadavg").ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_ticks_count_from_the_last_parenthesis() {
        // A real line, with a command name holding a space and a parenthesis.
        let line = "4242 (tokio (w) 1) S 1 4242 4242 0 -1 4194368 1534 0 0 0 \
                    731 219 0 0 20 0 5 0 123456 987654321 2048 18446744073709551615";
        assert_eq!(parse_stat_ticks(line), Some(731 + 219));
        assert_eq!(parse_stat_ticks("12 (x) S 1 2"), None);
        assert_eq!(parse_stat_ticks("no parenthesis"), None);
    }

    #[test]
    fn status_fields_by_exact_key() {
        let status = "Name:\tkefu\nVmPeak:\t  999 kB\nVmHWM:\t   83412 kB\nVmRSS:\t   80000 kB\n";
        assert_eq!(parse_status_kib(status, "VmHWM"), Some(83412));
        assert_eq!(parse_status_kib(status, "VmRSS"), Some(80000));
        assert_eq!(parse_status_kib(status, "VmSwap"), None);
        assert_eq!(parse_loadavg("2.22 1.40 0.97 6/123 9676\n"), Some(2.22));
    }

    #[test]
    fn deltas_group_threads_by_name_and_count_new_threads_from_zero() {
        let t = |v: &[(u32, &str, u64)]| CpuSnapshot {
            total: v.iter().map(|x| x.2).sum(),
            threads: v.iter().map(|&(i, n, c)| (i, (n.to_string(), c))).collect(),
        };
        let before = t(&[(1, "kefu", 5), (2, "tokio-rt", 10), (3, "tokio-rt", 20)]);
        let after = t(&[
            (1, "kefu", 5),
            (2, "tokio-rt", 40),
            (3, "tokio-rt", 30),
            (4, "kefu-commit", 7),
        ]);
        let d = before.delta(&after);
        assert_eq!(d.total_ticks, 47);
        assert_eq!(
            d.by_name,
            vec![
                ("tokio-rt".into(), 2, 40),
                ("kefu-commit".into(), 1, 7),
                ("kefu".into(), 1, 0)
            ]
        );
    }
}
