//! The routing server: HTTP + WebSocket front (axum), the hub that owns routing state, and the
//! committer that owns the database. `run(listener, config, data_dir, shutdown)` is the whole
//! server; `kefu serve` and the tests both call it.
//!
//! Inside: `listen` (the accept loop: caps, timeouts, shutdown) → the handlers here (`origin`
//! checked before the upgrade) → `conn` (one task per WebSocket, writing through `ws_writer`)
//! → `hub` (one task, all decisions; handlers in `agent_auth`, `agent_ops`, `customer_ops`,
//! `session_ops`, `kb_ops`, routing effects in `effects`) → `batch` → the store's committer
//! thread; `outbox` and `respond` carry frames back; `hasher` checks passwords off the hub.

mod acks;
mod agent_auth;
mod agent_ops;
pub mod api;
mod audit_ops;
mod batch;
mod bot_book;
mod bot_ops;
mod cc_ops;
mod cc_sender;
mod conn;
mod customer_close;
mod customer_ops;
mod dashboard_book;
mod dashboard_ops;
mod dashboard_view;
mod denial_log;
mod devices_ops;
mod dispatch;
mod effects;
mod end_ops;
mod followup_book;
mod followup_ops;
mod hasher;
mod history_chore;
mod history_ops;
mod housekeeping;
mod http_gate;
mod hub;
mod identity;
mod idle;
mod in_flight;
mod intent_book;
mod intent_ops;
mod kb_ops;
mod kb_review_ops;
mod listen;
mod login_book;
mod login_rules;
mod login_throttle;
mod me_ops;
mod menu_lookup;
mod menu_ops;
mod note_book;
mod note_ops;
pub(crate) mod origin;
mod outbox;
mod pending;
mod permit;
mod prune_chore;
mod quick_ops;
mod quotas;
mod report_ops;
mod respond;
mod revoke;
mod session_ops;
mod sign_ins;
mod suggest_ops;
mod suggest_rank;
mod tls;
mod totp_check;
mod totp_ops;
mod transfer_ops;
mod waiting_ops;
mod waiting_room;
mod web;
pub(crate) mod webhook;
mod ws_writer;

pub use conn::IN_FLIGHT_PER_CONNECTION;
/// How the reason of a close 1008 that ends a sign-in starts (`docs/accounts.md`).
pub use revoke::SIGNED_OUT as SIGNED_OUT_PREFIX;

use crate::config::ServerConfig;
use crate::metrics::{Metrics, MetricsAccess};
use crate::store::committer::Committer;
use crate::store::{ReadPool, Store};
use axum::Router;
use axum::extract::{ConnectInfo, Extension, State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hub::{Endpoint, Hub, HubMsg, HubTx};
use listen::Slot;
use origin::Origin;
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Largest frame the WebSocket layer reads at all; frames between the protocol limit (64 KiB)
/// and this get a `too_large` reply, larger ones close the connection with 1009.
const HARD_FRAME_LIMIT: usize = 1024 * 1024;

/// After the shutdown signal, connections get this long to finish (WebSockets to take their
/// 1001 close frame, HTTP requests to complete); then the rest are dropped.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

#[derive(Clone)]
struct AppState {
    hub: HubTx,
    conn: conn::ConnSettings,
    /// Origins besides the server's own that may open WebSockets.
    origins: Arc<Vec<Origin>>,
    /// Turns true at the end of the shutdown grace: every connection ends.
    hard_stop: watch::Receiver<bool>,
    /// Why the store stopped, once it has: `/healthz` turns unhealthy.
    failure: Arc<Mutex<Option<String>>>,
    metrics: Arc<Metrics>,
    /// Who may read `/metrics` (`[metrics] allow`).
    metrics_access: Arc<MetricsAccess>,
}

/// Opens the database in `data_dir` (creating it), writes the configured skill groups, and
/// returns the store ready for [`run`].
pub fn open_store(data_dir: &Path, config: &ServerConfig) -> anyhow::Result<Box<dyn Store>> {
    let mut store = crate::store::open(data_dir, &config.storage.options())?;
    store.transaction(&mut |tx| {
        for g in &config.groups {
            tx.upsert_group(&g.name, g.strategy)?;
        }
        Ok(())
    })?;
    Ok(store)
}

/// Serves until `shutdown` resolves or the store fails, then commits what is in flight and
/// closes every socket with a close frame. A store failure is returned as an error (after the
/// close frames went out), so `kefu serve` exits non-zero and a supervisor restarts it.
pub async fn run(
    listener: TcpListener,
    config: ServerConfig,
    data_dir: PathBuf,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    config.validate()?;
    identity::log_mode(&config.auth);
    // A missing or bad certificate or key stops the start here, naming the file.
    let front = tls::front(&config.tls)?;
    let mut store = open_store(&data_dir, &config)?;
    let recovered = store.recover()?;
    // An intent file that does not parse, or routes to a group that does not exist, stops
    // the start here, with the reason.
    let intents = intent_book::load_intents(&config, |g| {
        config.groups.iter().any(|c| c.name == g) || recovered.groups.iter().any(|(n, _)| n == g)
    })?;
    // Self-service menus: one that does not parse or check stops the start, with every
    // problem's file and line.
    let menus = menu_ops::load_menus(&config, |g| {
        config.groups.iter().any(|c| c.name == g) || recovered.groups.iter().any(|(n, _)| n == g)
    })?;
    let readers = Arc::new(ReadPool::open(&*store, &config.storage.options())?);
    // The knowledge-base index follows the store with a read connection of its own.
    let store_for_index = store.reader()?;
    // So does the history index's chore (`history_chore`).
    let store_for_history = store.reader()?;
    let metrics = Metrics::new();
    let (fatal_tx, fatal_rx) = tokio::sync::oneshot::channel();
    let (committer, writer) = Committer::start_with_metrics(store, metrics.clone(), move |e| {
        let _ = fatal_tx.send(e);
    })?;
    let hasher = hasher::Hasher::start(config.limits.hash_threads, config.limits.hash_queue)?;
    let (hub_tx, hub_rx) = hub::channel(config.limits.request_queue);
    let history_committer = committer.clone();
    let mut hub = Hub::new(
        config.clone(),
        recovered,
        committer,
        hub_tx.clone(),
        hasher,
        readers.clone(),
        metrics.clone(),
    );
    hub.kb_index = Some(kb_ops::open_index(&data_dir, &config, store_for_index)?);
    hub.intents = intent_book::IntentBook::new(intents);
    hub.menus = Arc::new(menus);
    let hub_task = tokio::spawn(hub.run(hub_rx));

    let failure = Arc::new(Mutex::new(None));
    let (stop_tx, stop_rx) = watch::channel(false);
    let (hard_tx, hard_rx) = watch::channel(false);
    let limits = &config.limits;
    let origins = config
        .channels
        .web
        .allowed_origins
        .iter()
        .filter_map(|o| Origin::parse(o))
        .collect();
    let settings = conn::ConnSettings {
        rate_per_sec: limits.rate_per_sec,
        rate_burst: limits.rate_burst,
        outbox_frames: limits.outbox_frames,
        ping_interval_secs: limits.ping_interval_secs,
        idle_timeout_secs: limits.idle_timeout_secs,
        hello_timeout_secs: limits.hello_timeout_secs,
        auth_timeout_secs: limits.auth_timeout_secs,
        metrics: metrics.clone(),
    };
    let descriptors = listen::raise_descriptor_limit();
    let gate = listen::Gate::new(
        listen::connection_cap(limits.max_connections, descriptors),
        limits.max_connections_per_address,
        &limits.per_address_exempt,
        limits.agent_reserved_connections,
    );
    let header_timeout = Duration::from_secs(limits.header_timeout_secs);
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_scrape))
        .route("/ws/agent", get(ws_agent))
        .route("/ws/customer", get(ws_customer))
        .merge(web::routes(&config.channels.web.allowed_origins))
        .merge(api::router(
            hub_tx.clone(),
            readers.clone(),
            config.api.clone(),
        ))
        .route_layer(axum::middleware::from_fn(http_gate::http_gate))
        .with_state(AppState {
            hub: hub_tx.clone(),
            conn: settings,
            origins: Arc::new(origins),
            hard_stop: hard_rx.clone(),
            failure: failure.clone(),
            metrics_access: Arc::new(MetricsAccess::new(&config.metrics.allow)),
            metrics: metrics.clone(),
        });

    cc_sender::start(
        hub_tx.clone(),
        readers.clone(),
        &config,
        metrics,
        stop_rx.clone(),
    )?;
    history_chore::start(history_committer, store_for_history, stop_rx.clone());
    webhook::start(
        hub_tx.clone(),
        readers,
        config.webhooks.clone(),
        stop_rx.clone(),
    );
    let stopper = hub_tx.clone();
    let failed = failure.clone();
    tokio::spawn(async move {
        tokio::select! {
            _ = shutdown => tracing::info!("shutting down"),
            Ok(e) = fatal_rx => {
                tracing::error!(error = %e, "the store failed; shutting down");
                if let Ok(mut f) = failed.lock() {
                    *f = Some(e.to_string());
                }
            }
        }
        let _ = stopper.send(HubMsg::Shutdown);
        let _ = stop_tx.send(true);
    });
    if let Some(certs) = &front.certs {
        tls::reload_on_sighup(certs.clone(), stop_rx.clone())?;
    }
    tracing::info!(
        addr = %listener.local_addr()?, data_dir = %data_dir.display(), tls = front.tls.is_some(),
        "kefu serving"
    );
    listen::accept_loop(
        listener,
        app,
        gate.clone(),
        header_timeout,
        front,
        stop_rx,
        hard_rx,
    )
    .await;
    // Stopped accepting. Connections get the grace from now; the hub's last batch commits
    // and queues a 1001 close frame for every WebSocket meanwhile.
    let grace_ends = tokio::time::Instant::now() + SHUTDOWN_GRACE;
    drop(hub_tx);
    hub_task.await?;
    // The hub dropped its committer handle; the writer drains the queue and exits.
    tokio::task::spawn_blocking(move || writer.join())
        .await?
        .map_err(|_| anyhow::anyhow!("the writer thread panicked"))?;
    if !gate.drained(grace_ends).await {
        tracing::info!("dropping connections still open after the shutdown grace");
        let _ = hard_tx.send(true);
        gate.drained(tokio::time::Instant::now() + SHUTDOWN_GRACE)
            .await;
    }
    let failure = failure.lock().ok().and_then(|f| f.clone());
    match failure {
        Some(e) => Err(anyhow::anyhow!("stopped because the store failed: {e}")),
        None => Ok(()),
    }
}

async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let failure = state.failure.lock().ok().and_then(|f| f.clone());
    match failure {
        None => (StatusCode::OK, "ok\n".to_string()),
        Some(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("unhealthy: the store cannot write: {e}\n"),
        ),
    }
}

async fn metrics_scrape(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    state
        .metrics_access
        .scrape(&state.metrics, peer.ip(), &headers)
}

fn upgrade(
    ws: WebSocketUpgrade,
    state: AppState,
    endpoint: Endpoint,
    peer: SocketAddr,
    slot: Arc<Slot>,
) -> Response {
    let AppState {
        hub,
        conn: settings,
        hard_stop,
        ..
    } = state;
    // Small buffers: most connections are idle customers, and tungstenite's defaults
    // (128 KiB buffers per socket) would cost over a gigabyte at 10,000 of them.
    // No `permessage-deflate`: it is not offered, so frames are sent as they are.
    ws.read_buffer_size(4 * 1024)
        .write_buffer_size(ws_writer::WRITE_BATCH_BYTES)
        .max_message_size(HARD_FRAME_LIMIT)
        .max_frame_size(HARD_FRAME_LIMIT)
        .on_upgrade(move |socket| {
            conn::serve(socket, endpoint, peer.ip(), hub, settings, hard_stop, slot)
        })
}

/// The 403 for a handshake whose `Origin` is neither the server's own nor allowed.
fn origin_refusal(state: &AppState, headers: &HeaderMap) -> Option<Response> {
    let origins: Vec<&str> = headers
        .get_all(header::ORIGIN)
        .iter()
        .map(|v| v.to_str().unwrap_or("?"))
        .collect();
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let why = origin::check(&origins, host, &state.origins).err()?;
    tracing::info!(reason = %why, "refused a WebSocket handshake");
    Some((StatusCode::FORBIDDEN, format!("{why}\n")).into_response())
}

async fn ws_agent(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Extension(slot): Extension<Arc<Slot>>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if let Some(refusal) = origin_refusal(&state, &headers) {
        return refusal;
    }
    upgrade(ws, state, Endpoint::Agent, peer, slot)
}

async fn ws_customer(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Extension(slot): Extension<Arc<Slot>>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if let Some(refusal) = origin_refusal(&state, &headers) {
        return refusal;
    }
    if !slot.room_for_customer() {
        let body = "the server is at its connection limit; try again later\n";
        let close = [(header::CONNECTION, "close")];
        return (StatusCode::SERVICE_UNAVAILABLE, close, body).into_response();
    }
    upgrade(ws, state, Endpoint::Customer, peer, slot)
}
