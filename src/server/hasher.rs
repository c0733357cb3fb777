//! Password hashing off the hub on a bounded pool. argon2 costs tens of milliseconds and 19 MiB
//! per check, so a flood of logins must neither grow threads or memory without bound nor delay
//! message delivery: a fixed number of threads (about the number of cores) takes jobs from a
//! short queue. A caller first [`reserve`](Hasher::reserve)s a slot — refused when the queue is
//! full, so it can still answer `rate_limited` — then runs its job in it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};

type Job = Box<dyn FnOnce() + Send>;

/// A handle on the pool; the threads end when the last handle is dropped.
#[derive(Clone)]
pub struct Hasher {
    tx: mpsc::Sender<Job>,
    /// Jobs reserved, queued or running.
    taken: Arc<AtomicUsize>,
    /// Most jobs reserved, queued or running at once: threads + queue.
    slots: usize,
}

/// A reserved place in the pool; released if dropped without running a job.
pub struct Permit {
    hasher: Hasher,
    used: bool,
}

impl Hasher {
    /// `threads` workers (0: one per core) behind a queue of `queue` waiting jobs.
    pub fn start(threads: usize, queue: usize) -> std::io::Result<Hasher> {
        let threads = if threads == 0 {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        } else {
            threads
        };
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let taken = Arc::new(AtomicUsize::new(0));
        for i in 0..threads {
            let (rx, taken) = (rx.clone(), taken.clone());
            std::thread::Builder::new()
                .name(format!("kefu-hash-{i}"))
                .spawn(move || {
                    loop {
                        // Hold the lock only to take a job, not while running it.
                        let job = match rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        let Ok(job) = job else { return };
                        job();
                        taken.fetch_sub(1, Ordering::AcqRel);
                    }
                })?;
        }
        Ok(Hasher {
            tx,
            taken,
            slots: threads + queue,
        })
    }

    /// A slot for one job, or `None` when the pool is full.
    pub fn reserve(&self) -> Option<Permit> {
        let before = self.taken.fetch_add(1, Ordering::AcqRel);
        if before >= self.slots {
            self.taken.fetch_sub(1, Ordering::AcqRel);
            return None;
        }
        Some(Permit {
            hasher: self.clone(),
            used: false,
        })
    }
}

impl Permit {
    pub fn run(mut self, job: impl FnOnce() + Send + 'static) {
        self.used = true;
        if self.hasher.tx.send(Box::new(job)).is_err() {
            // The workers are gone (shutting down): the job is dropped with its reply guard.
            self.hasher.taken.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if !self.used {
            self.hasher.taken.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn runs_at_most_threads_at_once_and_refuses_beyond_the_queue() {
        let pool = Hasher::start(2, 3).unwrap();
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let (gate_tx, gate_rx) = mpsc::channel::<()>();
        let gate = Arc::new(Mutex::new(gate_rx));
        let (done_tx, done_rx) = mpsc::channel::<()>();
        let job = || {
            let (running, peak, gate, done) =
                (running.clone(), peak.clone(), gate.clone(), done_tx.clone());
            move || {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                let _ = gate.lock().unwrap().recv();
                running.fetch_sub(1, Ordering::SeqCst);
                let _ = done.send(());
            }
        };
        let mut accepted = 0;
        for _ in 0..10 {
            if let Some(p) = pool.reserve() {
                p.run(job());
                accepted += 1;
            }
        }
        // Two running, three waiting; the other five refused.
        assert_eq!(accepted, 5);
        assert!(pool.reserve().is_none());
        // Both workers busy at once, never more.
        let deadline = Instant::now() + Duration::from_secs(5);
        while running.load(Ordering::SeqCst) < 2 {
            assert!(Instant::now() < deadline, "the workers never both started");
            std::thread::sleep(Duration::from_millis(1));
        }
        for _ in 0..accepted {
            gate_tx.send(()).unwrap();
        }
        for _ in 0..accepted {
            done_rx.recv_timeout(Duration::from_secs(5)).unwrap();
        }
        assert_eq!(peak.load(Ordering::SeqCst), 2);
        let deadline = Instant::now() + Duration::from_secs(5);
        while pool.taken.load(Ordering::SeqCst) != 0 {
            assert!(Instant::now() < deadline, "slots never released");
            std::thread::sleep(Duration::from_millis(1));
        }
        // A permit dropped unused gives its slot back.
        let p = pool.reserve().unwrap();
        drop(p);
        assert_eq!(pool.taken.load(Ordering::SeqCst), 0);
    }
}
