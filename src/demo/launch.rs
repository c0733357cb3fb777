//! `kefu demo`: an embedded server on a temporary data dir, seeded, with the customer simulator
//! running, and the console logged in as the demo agent. Everything stops when the console quits.

use crate::config::{GroupConfig, ServerConfig};
use crate::model::{Strategy, now_ms};
use std::path::PathBuf;

/// The demo's data dir: removed when the demo ends (unless `keep` was asked for).
struct DemoDir {
    path: PathBuf,
    keep: bool,
}

impl Drop for DemoDir {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

pub struct DemoOptions {
    pub lang: Option<String>,
    /// Keep the data dir (and its logs) after quitting; it is printed on exit.
    pub keep: bool,
    /// Where to put the data dir (default: a fresh one in the system temp dir).
    pub data_dir: Option<PathBuf>,
}

/// Where the demo listens when that port is free.
pub const DEMO_ADDR: &str = "127.0.0.1:7880";

/// How long the demo agent has to accept an offer: long enough to look around the console
/// first (the server default of 30 s, missed twice, set a newcomer away within a minute).
pub const DEMO_OFFER_TIMEOUT_SECS: u64 = 180;

/// The server config of the demo: the seeded groups, default `presales`, a generous offer
/// timeout, and a random identity secret the simulator signs its customers' external ids with
/// (so the demo needs no `allow_unsigned_external_ids`: its customers are verified like a
/// shop's).
pub fn demo_config() -> ServerConfig {
    let group = |name: &str, strategy| GroupConfig {
        name: name.into(),
        strategy,
        hours: None,
        timezone: None,
        bot: None,
        ..Default::default()
    };
    let mut config = ServerConfig {
        groups: vec![
            group("presales", Strategy::LeastBusy),
            group("aftersales", Strategy::LeastBusy),
            group("logistics", Strategy::RoundRobin),
            group("vip", Strategy::Manual),
        ],
        ..Default::default()
    };
    // The answering bot meets presales and aftersales customers first (it answers from the
    // seeded knowledge base or hands off); logistics and VIP conversations go straight to people.
    for g in &mut config.groups {
        g.bot = Some(matches!(g.name.as_str(), "presales" | "aftersales"));
    }
    // The self-service menu agents can transfer to (f4 → "≡ shop"; `src/demo/menu_shop.toml`).
    if let Ok(tree) = toml::from_str::<toml::Table>(super::MENU) {
        config.menus.trees.insert("shop".into(), tree);
    }
    config.routing.default_group = "presales".into();
    config.routing.offer_timeout_secs = DEMO_OFFER_TIMEOUT_SECS;
    config.auth.customer_identity_secret = Some(crate::auth::new_token());
    config
}

pub fn run(opts: DemoOptions) -> anyhow::Result<()> {
    // No terminal, no demo: say so before seeding or starting anything.
    crate::console::run::require_terminal("kefu demo")?;
    // Console config errors are reported before anything starts.
    let loaded = crate::console::run::load(opts.lang.as_deref())?;
    let path = opts.data_dir.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("kefu-demo-{}-{}", std::process::id(), now_ms()))
    });
    let dir = DemoDir {
        path,
        keep: opts.keep,
    };
    std::fs::create_dir_all(&dir.path)?;
    // The screen belongs to the console: server and console both log to the demo dir.
    crate::console::run::init_file_logging(&dir.path);
    let config = demo_config();
    let identity_secret = config.auth.customer_identity_secret.clone();
    let info = {
        let mut store = crate::server::open_store(&dir.path, &config)?;
        let info = crate::demo::seed(&mut store, now_ms())?;
        // The demo agent starts online so offers arrive as soon as the console connects.
        crate::store::Store::transaction(&mut store, &mut |tx| {
            if let Some(a) = tx.agent_by_username(&info.username)? {
                tx.set_agent_status(a.id, crate::model::AgentStatus::Online)?;
            }
            Ok(())
        })?;
        info
    };
    let rt = tokio::runtime::Runtime::new()?;
    let result = rt.block_on(async {
        // A fixed port when it is free, so the customers' chat page has an address one can
        // know in advance (the console covers the screen); any free port otherwise.
        let listener = match tokio::net::TcpListener::bind(DEMO_ADDR).await {
            Ok(l) => l,
            Err(_) => tokio::net::TcpListener::bind("127.0.0.1:0").await?,
        };
        let addr = listener.local_addr()?;
        tracing::info!(%addr, data_dir = %dir.path.display(), "demo server listening");
        println!("kefu demo: customers' web chat at http://{addr}/chat (open it in a browser)");
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(crate::server::run(
            listener,
            config,
            dir.path.clone(),
            async move {
                let _ = stop_rx.await;
            },
        ));
        let (sim_stop, sim_rx) = tokio::sync::watch::channel(false);
        let base = format!("ws://{addr}");
        let sim = tokio::spawn(crate::demo::run(
            base.clone(),
            info.clone(),
            crate::demo::Pace {
                identity_secret,
                ..crate::demo::Pace::demo()
            },
            sim_rx,
        ));
        let opts = crate::console::run::Options {
            server: Some(base),
            user: Some(info.username.clone()),
            password: Some(info.password.clone()),
            lang: opts.lang,
            remember: false,
            ca: None,
            // The demo's data dir goes away when it ends: unsent messages would not survive.
            data_dir: None,
        };
        let console = crate::console::run::run(opts, loaded).await;
        let _ = sim_stop.send(true);
        let _ = sim.await;
        let _ = stop_tx.send(());
        if let Ok(Err(e)) = server.await {
            tracing::error!(error = %e, "demo server");
        }
        console
    });
    if opts.keep {
        println!("demo data kept in {}", dir.path.display());
    }
    result
}
