//! What CC (抄送) reports to `/metrics`: CCs queued, attempts by outcome (delivered, retried,
//! given up), each by kind (e-mail, webhook), and how many wait in the outbox now.

use super::exposition::{Exposition, Kind};
use super::primitives::{Counter, Gauge};
use crate::protocol::{CcKind, CcState};

const KINDS: [CcKind; 2] = [CcKind::Email, CcKind::Webhook];

fn at(kind: CcKind) -> usize {
    match kind {
        CcKind::Email => 0,
        CcKind::Webhook => 1,
    }
}

#[derive(Debug, Default)]
pub struct CcMetrics {
    queued: [Counter; 2],
    delivered: [Counter; 2],
    retried: [Counter; 2],
    failed: [Counter; 2],
    /// CCs not yet delivered or given up, as the sender last read them.
    pub pending: Gauge,
}

impl CcMetrics {
    pub fn queued(&self, kind: CcKind) {
        self.queued[at(kind)].inc();
    }

    /// An attempt ended: delivered, to be retried (`Pending`), or given up.
    pub fn attempted(&self, kind: CcKind, state: CcState) {
        let i = at(kind);
        match state {
            CcState::Delivered => self.delivered[i].inc(),
            CcState::Pending => self.retried[i].inc(),
            CcState::Failed => self.failed[i].inc(),
        }
    }

    pub fn render(&self, e: &mut Exposition) {
        e.family(
            "kefu_cc_queued_total",
            Kind::Counter,
            "CCs of conversations requested, by kind.",
        );
        for k in KINDS {
            e.sample(
                "kefu_cc_queued_total",
                &[("kind", k.as_str())],
                self.queued[at(k)].get(),
            );
        }
        e.family(
            "kefu_cc_attempts_total",
            Kind::Counter,
            "CC delivery attempts, by kind and outcome (delivered, retry, failed: given up).",
        );
        for k in KINDS {
            for (outcome, c) in [
                ("delivered", &self.delivered),
                ("retry", &self.retried),
                ("failed", &self.failed),
            ] {
                e.sample(
                    "kefu_cc_attempts_total",
                    &[("kind", k.as_str()), ("outcome", outcome)],
                    c[at(k)].get(),
                );
            }
        }
        e.family(
            "kefu_cc_pending",
            Kind::Gauge,
            "CCs waiting in the outbox for their first or next attempt.",
        );
        e.sample("kefu_cc_pending", &[], self.pending.get());
    }
}
