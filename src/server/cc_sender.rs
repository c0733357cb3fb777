//! The CC sender: delivers the outbox's due CCs (`cc_outbox`, see `cc_ops`) by SMTP
//! (`lettre`) or as a signed webhook POST, a few at once, and records each attempt through
//! the hub. A failure is tried again later with exponential backoff and jitter (the channel
//! webhooks' `backoff`), until `cc.max_attempts` attempts or `cc.max_age_secs` — or at once
//! for a permanent SMTP refusal (5xx) — after which the CC is recorded as failed. Everything
//! it needs is in the row, so after a restart the pending rows are simply due again
//! (at-least-once: a CC delivered just before a crash, before its record committed, is sent
//! again; webhook receivers can de-duplicate on `cc_id`).

use super::hub::{HubMsg, HubTx};
use super::webhook::{backoff, post, read};
use crate::cc::{CcDoc, mail_subject, mail_text, webhook_body};
use crate::config::{CcConfig, ServerConfig, SmtpConfig, SmtpSecurity};
use crate::metrics::Metrics;
use crate::model::now_ms;
use crate::protocol::CcKind;
use crate::store::ReadPool;
use crate::store::cc::{CcOutcome, DueCc};
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// Longest error kept with a CC (from a mail server or our own).
const MAX_ERROR_CHARS: usize = 300;

/// The SMTP side, built once at start.
struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The whole of one mail (connect, every command, the data) takes at most this long.
    deadline: Duration,
}

impl Mailer {
    fn new(s: &SmtpConfig) -> anyhow::Result<Mailer> {
        let builder = match s.security {
            SmtpSecurity::Starttls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&s.host)?
            }
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&s.host)?,
            SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host),
        };
        let timeout = Duration::from_secs(s.timeout_secs);
        let mut builder = builder.port(s.port()).timeout(Some(timeout));
        if let Some(name) = &s.hello_name {
            builder = builder.hello_name(ClientId::Domain(name.clone()));
        }
        let password = s
            .password()
            .map_err(|e| anyhow::anyhow!("smtp.password: {e}"))?;
        if let (Some(user), Some(password)) = (&s.username, password) {
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        let from = s
            .from
            .parse()
            .map_err(|e| anyhow::anyhow!("smtp.from: {e}"))?;
        Ok(Mailer {
            transport: builder.build(),
            from,
            deadline: timeout * 4,
        })
    }
}

/// Why an attempt failed, and whether trying again can help.
struct Failure {
    error: String,
    permanent: bool,
}

impl Failure {
    fn retry(error: impl Into<String>) -> Failure {
        Failure {
            error: error.into(),
            permanent: false,
        }
    }

    fn permanent(error: impl Into<String>) -> Failure {
        Failure {
            error: error.into(),
            permanent: true,
        }
    }
}

struct Sender {
    hub: HubTx,
    cc: CcConfig,
    mailer: Option<Mailer>,
    metrics: Arc<Metrics>,
}

/// Starts the sender (it stops when `stop` turns true); fails when `[smtp]` cannot be used
/// (its password file unreadable, say), so the server does not start half-configured.
pub fn start(
    hub: HubTx,
    readers: Arc<ReadPool>,
    config: &ServerConfig,
    metrics: Arc<Metrics>,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let mailer = config.smtp.as_ref().map(Mailer::new).transpose()?;
    let sender = Arc::new(Sender {
        hub,
        cc: config.cc.clone(),
        mailer,
        metrics,
    });
    tokio::spawn(sender.run(readers, stop));
    Ok(())
}

/// Removes a CC from the in-flight set when its attempt ends, however it ends.
struct InFlight(i64, Arc<Mutex<HashSet<i64>>>);

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Ok(mut set) = self.1.lock() {
            set.remove(&self.0);
        }
    }
}

impl Sender {
    async fn run(self: Arc<Self>, readers: Arc<ReadPool>, mut stop: watch::Receiver<bool>) {
        let in_flight: Arc<Mutex<HashSet<i64>>> = Arc::default();
        let mut tasks = tokio::task::JoinSet::new();
        let poll = Duration::from_millis(self.cc.poll_ms);
        let most = self.cc.max_concurrent;
        loop {
            if *stop.borrow() {
                break;
            }
            let now = now_ms();
            let limit = (most * 4) as u32;
            match read(&readers, move |rd| {
                Ok((rd.cc_due(now, limit)?, rd.cc_pending()?))
            })
            .await
            {
                Ok((due, pending)) => {
                    self.metrics
                        .cc
                        .pending
                        .set(i64::try_from(pending).unwrap_or(i64::MAX));
                    for d in due {
                        let Ok(mut set) = in_flight.lock() else { break };
                        if set.len() >= most {
                            break;
                        }
                        if set.insert(d.info.cc_id) {
                            let guard = InFlight(d.info.cc_id, in_flight.clone());
                            tasks.spawn(self.clone().attempt(d, guard));
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "cc: cannot read the outbox"),
            }
            tokio::select! {
                _ = tokio::time::sleep(poll) => {}
                // An attempt ended (and was recorded): look for the next at once.
                _ = tasks.join_next(), if !tasks.is_empty() => {}
                _ = stop.changed() => {}
            }
        }
        tasks.abort_all();
    }

    /// One attempt, then its record (waited for, so the row is not picked again before).
    async fn attempt(self: Arc<Self>, d: DueCc, _guard: InFlight) {
        let (id, kind) = (d.info.cc_id, d.info.kind);
        let outcome = match self.deliver(&d).await {
            Ok(()) => CcOutcome::Delivered,
            Err(f) => {
                let error: String = crate::cc::one_line(&f.error, MAX_ERROR_CHARS);
                let wait = backoff::delay(
                    d.info.attempts,
                    self.cc.retry_base_ms,
                    self.cc.retry_max_ms,
                    rand::random::<f64>(),
                );
                let next_at = now_ms().saturating_add(wait.as_millis() as i64);
                let too_old = next_at
                    > d.info
                        .created_at
                        .saturating_add((self.cc.max_age_secs as i64).saturating_mul(1000));
                tracing::info!(cc = id, kind = kind.as_str(), error = %error, "cc attempt failed");
                if f.permanent || d.info.attempts + 1 >= self.cc.max_attempts || too_old {
                    CcOutcome::GaveUp { error }
                } else {
                    CcOutcome::Retry { error, next_at }
                }
            }
        };
        let (tx, rx) = tokio::sync::oneshot::channel();
        let sent = self.hub.send(HubMsg::Continue(Box::new(move |hub| {
            hub.cc_attempted(id, kind, outcome, tx)
        })));
        if sent.is_ok() {
            let _ = rx.await;
        }
    }

    async fn deliver(&self, d: &DueCc) -> Result<(), Failure> {
        let doc: CcDoc = serde_json::from_str(&d.doc)
            .map_err(|e| Failure::permanent(format!("the stored transcript is unreadable: {e}")))?;
        match d.info.kind {
            CcKind::Email => self.mail(&d.info.target, &doc).await,
            CcKind::Webhook => self.webhook(d.info.cc_id, &d.info.target, &doc).await,
        }
    }

    async fn mail(&self, to: &str, doc: &CcDoc) -> Result<(), Failure> {
        let Some(m) = &self.mailer else {
            return Err(Failure::permanent("no [smtp] section any more"));
        };
        let to: lettre::Address = to
            .parse()
            .map_err(|e| Failure::permanent(format!("bad address: {e}")))?;
        // Base64 keeps any UTF-8 (Chinese) intact through every relay.
        let body = SinglePart::builder()
            .header(ContentType::TEXT_PLAIN)
            .header(ContentTransferEncoding::Base64)
            .body(mail_text(doc));
        let message = Message::builder()
            .from(m.from.clone())
            .to(Mailbox::new(None, to))
            .subject(mail_subject(doc))
            .singlepart(body)
            .map_err(|e| Failure::permanent(format!("cannot build the mail: {e}")))?;
        match tokio::time::timeout(m.deadline, m.transport.send(message)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) if e.is_permanent() => Err(Failure::permanent(format!("SMTP: {e}"))),
            Ok(Err(e)) => Err(Failure::retry(format!("SMTP: {e}"))),
            Err(_) => Err(Failure::retry("SMTP: timed out")),
        }
    }

    async fn webhook(&self, cc_id: i64, name: &str, doc: &CcDoc) -> Result<(), Failure> {
        let Some(w) = self.cc.webhook(name) else {
            return Err(Failure::permanent(format!(
                "the CC webhook `{name}` is no longer configured"
            )));
        };
        let body = webhook_body(w.format, cc_id, doc);
        let ts = now_ms() / 1000;
        let signature = super::api::signature::sign(&w.secret, ts, &body);
        let headers = [
            ("content-type", "application/json".to_string()),
            (HEADER_WEBHOOK, w.name.clone()),
            (HEADER_CC_ID, cc_id.to_string()),
            (super::api::signature::HEADER_TIMESTAMP, ts.to_string()),
            (super::api::signature::HEADER_SIGNATURE, signature),
        ];
        let status = post(
            &w.url,
            &headers,
            body,
            Duration::from_millis(self.cc.connect_timeout_ms),
            Duration::from_millis(self.cc.request_timeout_ms),
        )
        .await
        .map_err(Failure::retry)?;
        if (200..300).contains(&status) {
            Ok(())
        } else {
            Err(Failure::retry(format!(
                "the receiver answered HTTP {status}"
            )))
        }
    }
}

/// The CC webhook's name, on every POST.
pub const HEADER_WEBHOOK: &str = "x-kefu-webhook";
/// The CC's id (the same on a retry: receivers de-duplicate on it).
pub const HEADER_CC_ID: &str = "x-kefu-cc-id";
