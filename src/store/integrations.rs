//! The store's side of the HTTP channel API (`docs/channels.md`): integrations and their
//! secrets, the customers they name by external id, the answers given to idempotency keys,
//! and the webhook's delivery cursor. The queries are split from [`super::Read`] and
//! [`super::Tx`] into traits of their own, which those traits include.

use super::Result;
use crate::model::{Channel, CustomerId, Millis, SessionId};
use crate::protocol::CustomerView;

/// One integration: an app, mini-program or other backend that speaks the HTTP channel API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Integration {
    pub id: i64,
    pub name: String,
    pub channel: Channel,
    pub webhook_url: String,
    /// Hex; the HMAC key is the hex string's bytes (what the integration was shown).
    pub secret: String,
    /// The secret before the last rotation and until when (ms) it still verifies requests.
    pub previous: Option<(String, Millis)>,
    /// Every event of the integration's customers up to this id was delivered or skipped.
    pub webhook_cursor: i64,
}

impl Integration {
    /// The secrets a request may be signed with at `now`: the current one, and the previous
    /// one during its grace period.
    pub fn verifying_secrets(&self, now: Millis) -> Vec<&str> {
        let mut out = vec![self.secret.as_str()];
        if let Some((prev, until)) = &self.previous
            && *until > now
        {
            out.push(prev.as_str());
        }
        out
    }
}

/// A stored answer to an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotentAnswer {
    pub body_sha256: String,
    /// The JSON answered the first time.
    pub answer: String,
}

/// One customer-audience event of an integration's customer, for the webhook or catch-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelEvent {
    pub id: i64,
    /// The event's JSON, as a WebSocket customer would receive it.
    pub body: String,
    pub session: Option<SessionId>,
    pub customer: CustomerId,
    pub external_id: String,
}

pub trait IntegrationRead {
    fn integration(&mut self, name: &str) -> Result<Option<Integration>>;
    /// Every integration, by name.
    fn list_integrations(&mut self) -> Result<Vec<Integration>>;
    fn integration_customer(
        &mut self,
        integration: i64,
        external_id: &str,
    ) -> Result<Option<CustomerView>>;
    /// The integration and external id a customer came through, if any.
    fn customer_integration(&mut self, customer: CustomerId) -> Result<Option<(i64, String)>>;
    fn idempotent_answer(
        &mut self,
        integration: i64,
        key: &str,
    ) -> Result<Option<IdempotentAnswer>>;
    /// Up to `limit` customer-audience events after `cursor` of the integration's customers
    /// (of one session of them if `session` is given), oldest first.
    fn channel_events(
        &mut self,
        integration: i64,
        session: Option<SessionId>,
        cursor: i64,
        limit: u32,
    ) -> Result<Vec<ChannelEvent>>;
    /// The newest event id (0 when there is none).
    fn newest_event_id(&mut self) -> Result<i64>;
}

pub trait IntegrationTx {
    /// Stores a new integration (its `id` is ignored); a taken name is a `Conflict`.
    fn insert_integration(&mut self, integration: &Integration, now: Millis) -> Result<i64>;
    /// Sets a new secret; the old one keeps verifying until `previous_until`. `NotFound` for
    /// an unknown name.
    fn rotate_secret(&mut self, name: &str, secret: &str, previous_until: Millis) -> Result<()>;
    /// `NotFound` for an unknown name. Its customers and their conversations stay.
    fn delete_integration(&mut self, name: &str) -> Result<()>;
    fn insert_integration_customer(
        &mut self,
        integration: i64,
        external_id: &str,
        customer: CustomerId,
    ) -> Result<()>;
    /// Stores the answer to a key unless one is stored; returns the stored one and whether it
    /// is the one just given.
    fn put_idempotent_answer(
        &mut self,
        integration: i64,
        key: &str,
        answer: &IdempotentAnswer,
        now: Millis,
    ) -> Result<(IdempotentAnswer, bool)>;
    /// Moves the webhook cursor forward to `cursor` (never back).
    fn advance_webhook_cursor(&mut self, integration: i64, cursor: i64) -> Result<()>;
}
