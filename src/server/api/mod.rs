//! The HTTP channel API (`docs/channels.md`): an integration's backend (an app, a
//! mini-program) delivers its customers' messages with `POST /api/v1/messages` and catches
//! up with `GET /api/v1/conversations/{id}/events`; replies go out by webhook
//! (`server::webhook`). Every request is signed (`signature`); this file holds the router,
//! the shared state, authentication, the per-integration rate limit and the error answers.
//! `messages` is the POST (and its part on the hub), `events` the GET.

mod events;
mod messages;
pub mod signature;

use super::hub::HubTx;
use crate::config::ApiConfig;
use crate::model::now_ms;
use crate::protocol::{ApiError, ErrorCode};
use crate::store::integrations::Integration;
use crate::store::{Read, ReadPool, StoreError};
use axum::Json;
use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;

/// Largest request body; the same as the WebSocket protocol's largest frame.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The OpenAPI 3.1 document of every `/api/v1` endpoint, served at `/api/v1/openapi.json`.
pub const OPENAPI: &str = include_str!("openapi.json");

/// Every route of the API, (method, path): the router is built from this list, and a test
/// checks it against [`OPENAPI`].
pub const ROUTES: &[(&str, &str)] = &[
    ("POST", "/api/v1/messages"),
    ("GET", "/api/v1/conversations/{id}/events"),
    ("GET", "/api/v1/openapi.json"),
];

#[derive(Clone)]
pub struct ApiState {
    hub: HubTx,
    readers: Arc<ReadPool>,
    config: ApiConfig,
    /// Request allowance per integration id.
    buckets: Arc<Mutex<HashMap<i64, Bucket>>>,
    /// Requests being handled; beyond `max_in_flight` the answer is 503.
    in_flight: Arc<Semaphore>,
}

/// The API's routes, to be merged into the server's router.
pub fn router<S: Clone + Send + Sync + 'static>(
    hub: HubTx,
    readers: Arc<ReadPool>,
    config: ApiConfig,
) -> Router<S> {
    let state = ApiState {
        hub,
        readers,
        in_flight: Arc::new(Semaphore::new(config.max_in_flight)),
        config,
        buckets: Arc::default(),
    };
    let mut router = Router::new();
    for (method, path) in ROUTES {
        router = router.route(path, route(method, path));
    }
    // Bodies are read with their own size and time limits (`messages::read_body`).
    router.with_state(state)
}

fn route(method: &str, path: &str) -> MethodRouter<ApiState> {
    match (method, path) {
        ("POST", "/api/v1/messages") => post(messages::post_message),
        ("GET", "/api/v1/conversations/{id}/events") => get(events::get_events),
        ("GET", "/api/v1/openapi.json") => get(openapi),
        // A row of ROUTES without a handler: answered 404 (and caught by the route test).
        _ => get(|| async { not_routed() }),
    }
}

fn not_routed() -> Response {
    fail(ApiError::not_found("no such API endpoint"))
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// The HTTP status of an error code.
pub fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::Unauthorized | ErrorCode::TotpRequired => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Conflict => StatusCode::CONFLICT,
        ErrorCode::Invalid | ErrorCode::UnsupportedVersion => StatusCode::BAD_REQUEST,
        ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// An error answer: `{code, message}` with the code's status.
pub fn fail(e: ApiError) -> Response {
    (status_of(e.code), Json(e)).into_response()
}

/// Runs a read on the read pool and waits for it.
async fn read<T: Send + 'static>(
    pool: &ReadPool,
    f: impl FnOnce(&mut dyn Read) -> crate::store::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    pool.submit(move |rd| {
        let _ = tx.send(f(rd));
    })
    .map_err(|e| match e {
        StoreError::Busy => ApiError::new(
            ErrorCode::Unavailable,
            "the server is busy reading; try again in a moment",
        ),
        _ => ApiError::new(ErrorCode::Unavailable, "the server is stopping"),
    })?;
    match rx.await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "an API read failed");
            Err(ApiError::internal())
        }
        Err(_) => Err(ApiError::internal()),
    }
}

impl ApiState {
    /// Who signed this request (`signature`), within their rate limit; `payload` is what was
    /// signed after the timestamp.
    /// One of the `[api] max_in_flight` places, taken before anything else of the request is
    /// read (a body that trickles in holds its place), or `unavailable`.
    fn admit(&self) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
        self.in_flight.clone().try_acquire_owned().map_err(|_| {
            ApiError::new(
                ErrorCode::Unavailable,
                "the server is handling too many API requests; retry in a moment",
            )
        })
    }

    async fn authenticate(
        &self,
        headers: &HeaderMap,
        payload: &[u8],
    ) -> Result<Integration, ApiError> {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let name = text(signature::HEADER_INTEGRATION)
            .map(str::trim)
            .filter(|n| !n.is_empty() && n.len() <= MAX_NAME_BYTES)
            .ok_or_else(|| ApiError::unauthorized("missing X-Kefu-Integration"))?
            .to_string();
        let lookup = name.clone();
        let integration = read(&self.readers, move |rd| rd.integration(&lookup))
            .await?
            .ok_or_else(|| ApiError::unauthorized(format!("no integration `{name}`")))?;
        let now = now_ms();
        signature::verify(
            &integration.verifying_secrets(now),
            text(signature::HEADER_TIMESTAMP),
            text(signature::HEADER_SIGNATURE),
            payload,
            now / 1000,
        )?;
        self.charge(integration.id, now)?;
        Ok(integration)
    }

    /// One request of the integration's allowance (`[api] rate_per_sec`, `rate_burst`).
    fn charge(&self, integration: i64, now: i64) -> Result<(), ApiError> {
        let mut buckets = self.buckets.lock().map_err(|_| ApiError::internal())?;
        let b = buckets.entry(integration).or_insert(Bucket {
            tokens: self.config.rate_burst,
            at: now,
        });
        let (rate, burst) = (self.config.rate_per_sec, self.config.rate_burst);
        b.tokens = (b.tokens + (now - b.at).max(0) as f64 / 1000.0 * rate).min(burst);
        b.at = now;
        if b.tokens < 1.0 {
            let wait = ((1.0 - b.tokens) / rate).ceil().max(1.0);
            return Err(ApiError::new(
                ErrorCode::RateLimited,
                format!(
                    "too many requests from this integration (api.rate_per_sec = {rate}); \
                     retry in {wait} s"
                ),
            ));
        }
        b.tokens -= 1.0;
        Ok(())
    }
}

/// Longest integration name.
pub const MAX_NAME_BYTES: usize = 64;

struct Bucket {
    tokens: f64,
    at: i64,
}
