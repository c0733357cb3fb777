//! What retention reports to `/metrics`: rows pruned, how long the last step held the writer,
//! where the kept event log starts and how old its oldest event is.

use super::exposition::{Exposition, Kind};
use super::primitives::{Counter, Gauge};
use crate::model::Millis;
use crate::store::Pruned;

#[derive(Debug, Default)]
pub struct RetentionMetrics {
    events_pruned: Counter,
    tokens_pruned: Counter,
    idempotency_pruned: Counter,
    pages_freed: Counter,
    /// Microseconds the last prune step took inside the writer's transaction.
    last_step_micros: Gauge,
    /// Every event below this id is gone.
    floor: Gauge,
    /// `created_at` of the oldest event kept (ms); 0 when none.
    oldest_at: Gauge,
}

impl RetentionMetrics {
    /// A prune step committed; it ran for `micros` inside the writer.
    pub fn step(&self, p: &Pruned, micros: u64) {
        self.events_pruned.add(p.events);
        self.tokens_pruned.add(p.tokens);
        self.idempotency_pruned.add(p.idempotency_keys);
        self.pages_freed.add(p.pages_freed);
        self.last_step_micros
            .set(i64::try_from(micros).unwrap_or(i64::MAX));
        self.floor.set(p.floor);
        self.oldest_at.set(p.oldest.map_or(0, |(_, at)| at));
    }

    pub fn render(&self, e: &mut Exposition, now: Millis) {
        e.family(
            "kefu_events_pruned_total",
            Kind::Counter,
            "Events deleted by retention ([storage] event_retention).",
        );
        e.sample("kefu_events_pruned_total", &[], self.events_pruned.get());
        e.family(
            "kefu_tokens_pruned_total",
            Kind::Counter,
            "Expired customer and agent tokens deleted.",
        );
        e.sample("kefu_tokens_pruned_total", &[], self.tokens_pruned.get());
        e.family(
            "kefu_idempotency_keys_pruned_total",
            Kind::Counter,
            "HTTP API idempotency answers deleted after a day.",
        );
        e.sample(
            "kefu_idempotency_keys_pruned_total",
            &[],
            self.idempotency_pruned.get(),
        );
        e.family(
            "kefu_pages_freed_total",
            Kind::Counter,
            "Free database pages handed back to the file system after pruning (4 KiB each).",
        );
        e.sample("kefu_pages_freed_total", &[], self.pages_freed.get());
        e.family(
            "kefu_prune_step_seconds",
            Kind::Gauge,
            "How long the last retention step held the writer, in seconds.",
        );
        e.sample(
            "kefu_prune_step_seconds",
            &[],
            self.last_step_micros.get() as f64 / 1e6,
        );
        e.family(
            "kefu_events_floor",
            Kind::Gauge,
            "Every event below this id is deleted: a resume from an older cursor gets reload.",
        );
        e.sample("kefu_events_floor", &[], self.floor.get());
        e.family(
            "kefu_oldest_event_age_seconds",
            Kind::Gauge,
            "Age of the oldest event kept, in seconds (0 when none is kept or none pruned yet).",
        );
        let at = self.oldest_at.get();
        let age = if at > 0 {
            (now - at).max(0) as f64 / 1e3
        } else {
            0.0
        };
        e.sample("kefu_oldest_event_age_seconds", &[], age);
    }
}
