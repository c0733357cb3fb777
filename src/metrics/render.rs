//! Every metric of the server, rendered as a scrape in the Prometheus text format
//! ([`super::exposition`]).

use super::exposition::{Exposition, Kind};
use super::{AUTHORS, CODES, ENDPOINTS, LOGIN_METHODS, Metrics, STATES, process};

/// An error code as the wire spells it (`rate_limited`).
fn wire_name(code: crate::protocol::ErrorCode) -> String {
    match serde_json::to_value(code) {
        Ok(serde_json::Value::String(s)) => s,
        _ => format!("{code:?}"),
    }
}

impl Metrics {
    /// The whole exposition: reads atomics and one small published list, nothing else.
    pub fn render(&self) -> String {
        let mut e = Exposition::default();
        e.family(
            "kefu_build_info",
            Kind::Gauge,
            "Always 1; the version of the running server in a label.",
        );
        e.sample(
            "kefu_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))],
            1,
        );
        e.family(
            "process_start_time_seconds",
            Kind::Gauge,
            "Start time of the process since the Unix epoch, in seconds.",
        );
        e.sample("process_start_time_seconds", &[], self.start_time_seconds());
        process::render(&mut e);

        e.family(
            "kefu_connections",
            Kind::Gauge,
            "WebSocket connections open now, by endpoint.",
        );
        for (endpoint, g) in ENDPOINTS.iter().zip(&self.connections) {
            e.sample("kefu_connections", &[("endpoint", endpoint)], g.get());
        }
        e.family(
            "kefu_queue_length",
            Kind::Gauge,
            "Conversations waiting in each skill group's queue.",
        );
        let queues = self.queues.lock().map(|q| q.clone()).unwrap_or_default();
        for (group, n) in &queues {
            e.sample("kefu_queue_length", &[("group", group)], n);
        }
        e.family(
            "kefu_sessions",
            Kind::Gauge,
            "Open conversations by state (refreshed every second).",
        );
        for (state, g) in STATES.iter().zip(&self.sessions) {
            e.sample("kefu_sessions", &[("state", state.as_str())], g.get());
        }
        e.family(
            "kefu_hub_inbox_depth",
            Kind::Gauge,
            "Messages waiting for the hub (requests, connection events, continuations).",
        );
        e.sample("kefu_hub_inbox_depth", &[], self.hub_inbox.get());
        e.family(
            "kefu_committer_queue_depth",
            Kind::Gauge,
            "Store jobs waiting for the writer thread.",
        );
        e.sample(
            "kefu_committer_queue_depth",
            &[],
            self.committer_queue.get(),
        );
        e.family(
            "kefu_commit_batch_jobs",
            Kind::Histogram,
            "Jobs committed together in one transaction (one fsync).",
        );
        e.histogram("kefu_commit_batch_jobs", &self.commit_jobs.snapshot());
        e.family(
            "kefu_commit_duration_seconds",
            Kind::Histogram,
            "Time to run and commit one transaction, fsync included, in seconds.",
        );
        e.histogram(
            "kefu_commit_duration_seconds",
            &self.commit_seconds.snapshot(),
        );
        e.family(
            "kefu_messages_stored_total",
            Kind::Counter,
            "Chat messages committed to disk, by author kind.",
        );
        for (author, c) in AUTHORS.iter().zip(&self.messages_stored) {
            let labels = [("author", author.as_str())];
            e.sample("kefu_messages_stored_total", &labels, c.get());
        }
        e.family(
            "kefu_frames_sent_total",
            Kind::Counter,
            "Text frames written to WebSockets (replies, events, queue updates).",
        );
        e.sample("kefu_frames_sent_total", &[], self.frames_sent.get());
        e.family(
            "kefu_error_replies_total",
            Kind::Counter,
            "Error replies sent, by error code.",
        );
        for (code, c) in CODES.iter().zip(&self.error_replies) {
            let code = wire_name(*code);
            e.sample("kefu_error_replies_total", &[("code", &code)], c.get());
        }
        e.family(
            "kefu_login_attempts_total",
            Kind::Counter,
            "Agent credential checks (password logins and token resumes).",
        );
        for (method, c) in LOGIN_METHODS.iter().zip(&self.login_attempts) {
            e.sample("kefu_login_attempts_total", &[("method", method)], c.get());
        }
        e.family(
            "kefu_login_failures_total",
            Kind::Counter,
            "Agent credential checks that failed (wrong password, unknown user, bad token).",
        );
        for (method, c) in LOGIN_METHODS.iter().zip(&self.login_failures) {
            e.sample("kefu_login_failures_total", &[("method", method)], c.get());
        }
        self.retention.render(&mut e, crate::model::now_ms());
        self.bot.render(&mut e);
        self.cc.render(&mut e);
        e.finish()
    }
}
