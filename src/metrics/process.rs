//! The usual `process_*` metrics, where the platform gives them cheaply: resident memory and
//! open file descriptors from `/proc` (Linux), the descriptor limit (Unix). Read at scrape
//! time, never on a request's path; what cannot be read is left out.

use super::exposition::{Exposition, Kind};

pub fn render(e: &mut Exposition) {
    if let Some(bytes) = resident_bytes() {
        e.family(
            "process_resident_memory_bytes",
            Kind::Gauge,
            "Resident memory size in bytes.",
        );
        e.sample("process_resident_memory_bytes", &[], bytes);
    }
    if let Some(n) = open_fds() {
        e.family(
            "process_open_fds",
            Kind::Gauge,
            "Number of open file descriptors.",
        );
        e.sample("process_open_fds", &[], n);
    }
    if let Some(n) = max_fds() {
        e.family(
            "process_max_fds",
            Kind::Gauge,
            "Maximum number of open file descriptors (the soft limit).",
        );
        e.sample("process_max_fds", &[], n);
    }
}

/// `VmRSS` from `/proc/self/status` (in kB there).
fn resident_bytes() -> Option<u64> {
    Some(super::procfs::status_kib(std::process::id(), "VmRSS")? * 1024)
}

fn open_fds() -> Option<usize> {
    // One directory entry per descriptor: a few milliseconds at 50,000 connections, once a
    // scrape.
    Some(std::fs::read_dir("/proc/self/fd").ok()?.count())
}

fn max_fds() -> Option<u64> {
    #[cfg(unix)]
    {
        rustix::process::getrlimit(rustix::process::Resource::Nofile).current
    }
    #[cfg(not(unix))]
    {
        None
    }
}
