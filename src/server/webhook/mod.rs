//! Webhooks of the HTTP channel API (`docs/channels.md`): what an integration's customers
//! are told (agent and bot replies, an agent joining, the end and its rating request) is
//! POSTed to the integration's URL, signed like the API's requests.
//!
//! The outbox is the event log itself: the customer-side events are already stored durably
//! and in order, so each integration keeps only a delivery cursor (`integrations.
//! webhook_cursor`). One sender task per integration reads the events after it, POSTs them
//! one at a time in cursor order, and moves the cursor on after each 2xx (a small write
//! through the hub). A failure is retried — the same event, with exponential backoff and
//! jitter (`backoff`) — before anything later is sent: so nothing is skipped, and a restart
//! re-sends at most the events delivered since the last stored cursor (at-least-once; the
//! receiver de-duplicates on `event_id`). The price of one cursor per integration: a
//! receiver that keeps refusing one conversation's event holds back the others too.

pub(crate) mod backoff;
mod http;

pub(crate) use http::post;
pub use http::post_reading;

use super::hub::{Hub, HubMsg, HubTx};
use crate::config::WebhooksConfig;
use crate::model::now_ms;
use crate::store::ReadPool;
use crate::store::integrations::{ChannelEvent, Integration};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Semaphore, watch};

/// Events read per batch.
const BATCH: u32 = 100;
/// How often the list of integrations is read again (added, removed, rotated ones).
const RESCAN: Duration = Duration::from_secs(1);

/// The JSON POSTed for one event (and returned by the catch-up endpoint).
pub fn payload(integration: &str, e: &ChannelEvent) -> String {
    let name = serde_json::to_string(integration).unwrap_or_else(|_| "\"\"".into());
    let ext = serde_json::to_string(&e.external_id).unwrap_or_else(|_| "\"\"".into());
    let session = e
        .session
        .map(|s| s.to_string())
        .unwrap_or_else(|| "null".into());
    format!(
        r#"{{"event_id":{},"integration":{name},"conversation_id":{session},"customer_id":{},"external_customer_id":{ext},"event":{}}}"#,
        e.id, e.customer, e.body
    )
}

/// Whether the webhook carries this event: everything the customer is told, except the
/// customer's own messages (the integration sent them).
fn for_webhook(e: &ChannelEvent) -> bool {
    let v: serde_json::Value = match serde_json::from_str(&e.body) {
        Ok(v) => v,
        Err(_) => return true,
    };
    // (An internal note never reaches a customer's audience; should one, it is not sent.)
    !(v["kind"] == "message"
        && (v["message"]["author_kind"] == "customer" || v["message"]["internal"] == true))
}

/// Starts the senders; they stop when `stop` turns true.
pub fn start(
    hub: HubTx,
    readers: Arc<ReadPool>,
    config: WebhooksConfig,
    stop: watch::Receiver<bool>,
) {
    tokio::spawn(supervise(hub, readers, config, stop));
}

/// Keeps one sender per integration running.
async fn supervise(
    hub: HubTx,
    readers: Arc<ReadPool>,
    config: WebhooksConfig,
    mut stop: watch::Receiver<bool>,
) {
    let slots = Arc::new(Semaphore::new(config.max_concurrent));
    let mut running: HashMap<i64, tokio::task::JoinHandle<()>> = HashMap::new();
    loop {
        if *stop.borrow() {
            break;
        }
        match read(&readers, |rd| rd.list_integrations()).await {
            Ok(list) => {
                // A removed integration's sender stops, even one retrying a receiver that is
                // down (it would otherwise POST with the old secret for ever).
                running.retain(|id, t| {
                    let keep = !t.is_finished() && list.iter().any(|i| i.id == *id);
                    if !keep {
                        t.abort();
                    }
                    keep
                });
                for i in list {
                    if running.contains_key(&i.id) {
                        continue;
                    }
                    let sender = Sender {
                        hub: hub.clone(),
                        readers: readers.clone(),
                        config: config.clone(),
                        slots: slots.clone(),
                        stop: stop.clone(),
                        id: i.id,
                        name: i.name.clone(),
                    };
                    running.insert(i.id, tokio::spawn(sender.run(i.webhook_cursor)));
                }
            }
            Err(e) => tracing::warn!(error = %e, "webhooks: cannot list the integrations"),
        }
        tokio::select! {
            _ = tokio::time::sleep(RESCAN) => {}
            _ = stop.changed() => {}
        }
    }
    for (_, t) in running {
        t.abort();
    }
}

/// One integration's sender.
struct Sender {
    hub: HubTx,
    readers: Arc<ReadPool>,
    config: WebhooksConfig,
    slots: Arc<Semaphore>,
    stop: watch::Receiver<bool>,
    id: i64,
    name: String,
}

enum Step {
    /// Delivered (or skipped) up to this cursor.
    Advanced(i64),
    Idle,
    /// Nothing for the integration up to this cursor: move past it, then wait.
    Quiet(i64),
    /// The integration is gone (removed, or replaced under the same name).
    Gone,
}

impl Sender {
    async fn run(mut self, mut cursor: i64) {
        loop {
            if *self.stop.borrow() {
                return;
            }
            let step = match self.step(cursor).await {
                Some(s) => s,
                None => return,
            };
            match step {
                Step::Advanced(c) => {
                    cursor = c;
                    // Past the events the webhook skips, too.
                    self.record(c);
                }
                Step::Quiet(c) => {
                    cursor = c;
                    self.record(c);
                    if !self.pause(Duration::from_millis(self.config.poll_ms)).await {
                        return;
                    }
                }
                Step::Idle => {
                    if !self.pause(Duration::from_millis(self.config.poll_ms)).await {
                        return;
                    }
                }
                Step::Gone => return,
            }
        }
    }

    /// Reads the next events and delivers them; `None` when stopped.
    async fn step(&mut self, cursor: i64) -> Option<Step> {
        let (id, name) = (self.id, self.name.clone());
        let read_result = read(&self.readers, move |rd| {
            let Some(i) = rd.integration(&name)?.filter(|i| i.id == id) else {
                return Ok(None);
            };
            let evs = rd.channel_events(id, None, cursor, BATCH)?;
            // In the same snapshot: when fewer than a batch came back, no event up to the
            // newest is the integration's beyond them, and the cursor may move past it (so a
            // quiet integration does not walk ever more of other customers' events).
            let newest = rd.newest_event_id()?;
            Ok(Some((i, evs, newest)))
        })
        .await;
        let (integration, events, newest) = match read_result {
            Ok(Some(v)) => v,
            Ok(None) => return Some(Step::Gone),
            Err(e) => {
                tracing::warn!(error = %e, integration = %self.name, "webhooks: read failed");
                return Some(Step::Idle);
            }
        };
        if events.is_empty() {
            if newest > cursor {
                return Some(Step::Quiet(newest));
            }
            return Some(Step::Idle);
        }
        let whole = events.len() < BATCH as usize;
        let mut done = cursor;
        for e in &events {
            if for_webhook(e) {
                self.deliver(&integration, e).await?;
                // Recorded event by event: a receiver that took this one does not get it
                // again after a restart, unless the server dies before this commit.
                self.record(e.id);
            }
            done = e.id;
        }
        if whole {
            done = done.max(newest);
        }
        Some(Step::Advanced(done))
    }

    /// Stores the cursor through the hub, in its next commit; not waited for (a crash before
    /// it re-sends what was delivered since, which at-least-once allows).
    fn record(&self, c: i64) {
        let id = self.id;
        let _ = self
            .hub
            .send(HubMsg::Continue(Box::new(move |hub: &mut Hub| {
                hub.write(move |tx| tx.advance_webhook_cursor(id, c))
            })));
    }

    /// POSTs one event until a 2xx; `None` when stopped first.
    async fn deliver(&mut self, integration: &Integration, e: &ChannelEvent) -> Option<()> {
        let body = payload(&integration.name, e).into_bytes();
        let mut attempt: u32 = 0;
        loop {
            let outcome = {
                let _slot = self.slots.acquire().await.ok()?;
                let ts = now_ms() / 1000;
                let signature = super::api::signature::sign(&integration.secret, ts, &body);
                http::post(
                    &integration.webhook_url,
                    &[
                        ("content-type", "application/json".to_string()),
                        (
                            super::api::signature::HEADER_INTEGRATION,
                            integration.name.clone(),
                        ),
                        (super::api::signature::HEADER_TIMESTAMP, ts.to_string()),
                        (super::api::signature::HEADER_SIGNATURE, signature),
                    ],
                    body.clone(),
                    Duration::from_millis(self.config.connect_timeout_ms),
                    Duration::from_millis(self.config.request_timeout_ms),
                )
                .await
            };
            match outcome {
                Ok(status) if (200..300).contains(&status) => return Some(()),
                Ok(status) => tracing::info!(
                    integration = %integration.name, event = e.id, status,
                    "webhook refused; retrying"
                ),
                Err(why) => tracing::info!(
                    integration = %integration.name, event = e.id, error = %why,
                    "webhook failed; retrying"
                ),
            }
            let wait = backoff::delay(
                attempt,
                self.config.retry_base_ms,
                self.config.retry_max_ms,
                rand::random::<f64>(),
            );
            attempt = attempt.saturating_add(1);
            if !self.pause(wait).await {
                return None;
            }
        }
    }

    /// Sleeps, or returns false at once when stopped.
    async fn pause(&mut self, d: Duration) -> bool {
        tokio::select! {
            _ = tokio::time::sleep(d) => !*self.stop.borrow(),
            _ = self.stop.changed() => false,
        }
    }
}

pub(crate) async fn read<T: Send + 'static>(
    pool: &ReadPool,
    f: impl FnOnce(&mut dyn crate::store::Read) -> crate::store::Result<T> + Send + 'static,
) -> Result<T, String> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    pool.submit(move |rd| {
        let _ = tx.send(f(rd));
    })
    .map_err(|e| e.to_string())?;
    match rx.await {
        Ok(r) => r.map_err(|e| e.to_string()),
        Err(_) => Err("the read was dropped".into()),
    }
}
