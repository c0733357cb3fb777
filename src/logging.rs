//! Logging set-up for the server (stderr) and the console (a file: the screen is the terminal).
//! `RUST_LOG` chooses the level (default `info`), but the WebSocket library's frame dumps are
//! always cut: at TRACE they print every frame, and frames carry passwords and tokens.

use tracing::Metadata;
use tracing_subscriber::filter::{EnvFilter, FilterFn};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, fmt};

/// False for the events that would dump frame contents (passwords, tokens, messages).
pub fn shows_no_frames(meta: &Metadata<'_>) -> bool {
    let target = meta.target();
    let wire = target.starts_with("tungstenite") || target.starts_with("tokio_tungstenite");
    !(wire && *meta.level() == tracing::Level::TRACE)
}

/// Installs the global subscriber writing to `writer`; a second call does nothing.
pub fn init<W>(writer: W, ansi: bool)
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let env = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let layer = fmt::layer()
        .with_ansi(ansi)
        .with_writer(writer)
        .with_filter(env)
        .with_filter(FilterFn::new(shows_no_frames));
    let _ = tracing_subscriber::registry().with(layer).try_init();
}

/// The server's logging: stderr, coloured when it is a terminal.
pub fn init_stderr() {
    use std::io::IsTerminal;
    init(std::io::stderr, std::io::stderr().is_terminal());
}
