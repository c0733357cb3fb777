//! The routing server: HTTP + WebSocket front (axum), the hub that owns routing state, and the
//! committer that owns the database. `run(listener, config, data_dir, shutdown)` is the whole
//! server; `kefu serve` and the tests both call it.
//!
//! Inside: `conn` (one task per WebSocket) → `hub` (one task, all decisions; handlers in
//! `agent_auth`, `agent_ops`, `customer_ops`, `session_ops`, `kb_ops`, routing effects in
//! `effects`) → `batch` → the store's committer thread; `outbox` and `respond` carry frames
//! back; `hasher` checks passwords off the hub.

mod agent_auth;
mod agent_ops;
mod batch;
mod conn;
mod customer_ops;
mod dispatch;
mod effects;
mod hasher;
mod housekeeping;
mod hub;
mod identity;
mod kb_ops;
mod outbox;
mod quotas;
mod respond;
mod revoke;
mod session_ops;

use crate::config::ServerConfig;
use crate::store::committer::Committer;
use crate::store::{ReadPool, Store};
use axum::Router;
use axum::extract::{ConnectInfo, State, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use hub::{Endpoint, Hub, HubMsg, HubTx};
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;

/// Largest frame the WebSocket layer reads at all; frames between the protocol limit (64 KiB)
/// and this get a `too_large` reply, larger ones drop the connection.
const HARD_FRAME_LIMIT: usize = 1024 * 1024;

#[derive(Clone)]
struct AppState {
    hub: HubTx,
    config: ServerConfig,
    /// Why the store stopped, once it has: `/healthz` turns unhealthy.
    failure: Arc<Mutex<Option<String>>>,
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
    let mut store = open_store(&data_dir, &config)?;
    let recovered = store.recover()?;
    let readers = Arc::new(ReadPool::open(&*store, &config.storage.options())?);
    let (fatal_tx, fatal_rx) = tokio::sync::oneshot::channel();
    let (committer, writer) = Committer::start(store, move |e| {
        let _ = fatal_tx.send(e);
    })?;
    let hasher = hasher::Hasher::start(config.limits.hash_threads, config.limits.hash_queue)?;
    let (hub_tx, hub_rx) = tokio::sync::mpsc::unbounded_channel();
    let hub = Hub::new(
        config.clone(),
        recovered,
        committer,
        hub_tx.clone(),
        hasher,
        readers,
    );
    let hub_task = tokio::spawn(hub.run(hub_rx));

    let failure = Arc::new(Mutex::new(None));
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/ws/agent", get(ws_agent))
        .route("/ws/customer", get(ws_customer))
        .with_state(AppState {
            hub: hub_tx.clone(),
            config,
            failure: failure.clone(),
        });

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
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
    tracing::info!(addr = %listener.local_addr()?, data_dir = %data_dir.display(), "kefu serving");
    let mut stop = stop_rx.clone();
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        let _ = stop.wait_for(|s| *s).await;
    })
    .await?;
    drop(hub_tx);
    hub_task.await?;
    // The hub dropped its committer handle; the writer drains the queue and exits.
    tokio::task::spawn_blocking(move || writer.join())
        .await?
        .map_err(|_| anyhow::anyhow!("the writer thread panicked"))?;
    // Let connection tasks write their close frames.
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
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

fn upgrade(
    ws: WebSocketUpgrade,
    state: AppState,
    endpoint: Endpoint,
    peer: SocketAddr,
) -> impl IntoResponse {
    let limits = &state.config.limits;
    let settings = conn::ConnSettings {
        rate_per_sec: limits.rate_per_sec,
        rate_burst: limits.rate_burst,
        outbox_frames: limits.outbox_frames,
        ping_interval_secs: limits.ping_interval_secs,
        idle_timeout_secs: limits.idle_timeout_secs,
    };
    // Small buffers: most connections are idle customers, and tungstenite's defaults
    // (128 KiB read buffer per socket) would cost over a gigabyte at 10,000 of them.
    ws.read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_message_size(HARD_FRAME_LIMIT)
        .max_frame_size(HARD_FRAME_LIMIT)
        .on_upgrade(move |socket| conn::serve(socket, endpoint, peer.ip(), state.hub, settings))
}

async fn ws_agent(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> impl IntoResponse {
    upgrade(ws, state, Endpoint::Agent, peer)
}

async fn ws_customer(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> impl IntoResponse {
    upgrade(ws, state, Endpoint::Customer, peer)
}
