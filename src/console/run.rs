//! The console's I/O loop: terminal in, network in, `App` in the middle, frames out. Draws only
//! when something changed (at most ~60 frames/s), one buffered write per frame; idle costs a
//! timer tick a second for the countdowns.

use crate::console::app::{AlertKind, App, Effect, NetEvent};
use crate::console::config::{self, ConsoleConfig, NotifyStyle};
use crate::console::i18n::Lang;
use crate::console::keymap::Keymap;
use crate::console::net::{self, NetCmd};
use crate::console::theme::Theme;
use crate::model::now_ms;
use crossterm::event::{Event as TermEvent, EventStream};
use futures_util::StreamExt;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

pub struct Options {
    pub server: Option<String>,
    pub user: Option<String>,
    /// Log in at once with this password (demo); else the login screen asks.
    pub password: Option<String>,
    pub lang: Option<String>,
    /// Whether a successful login is written back to config.toml.
    pub remember: bool,
    /// A CA (PEM) to trust for `wss://` besides the public roots (`--ca`; remembered).
    pub ca: Option<PathBuf>,
    /// The console's data directory (its log and the outbox of unsent messages); without one
    /// unsent messages live in memory only.
    pub data_dir: Option<PathBuf>,
}

/// Refuses to start without a terminal on stdin and stdout (raw mode and the full screen need
/// one): `what` is the command, e.g. "kefu console".
pub fn require_terminal(what: &str) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        Ok(())
    } else {
        anyhow::bail!("{what} needs a terminal (try ssh -t)")
    }
}

/// Everything loaded before the full screen opens, so errors print plainly.
pub struct Loaded {
    pub config: ConsoleConfig,
    pub config_dir: Option<PathBuf>,
    pub keymap: Keymap,
    pub theme: Theme,
    pub lang: Lang,
}

pub fn load(lang_flag: Option<&str>) -> anyhow::Result<Loaded> {
    let config_dir = config::config_dir();
    let config = ConsoleConfig::load(config_dir.as_deref())?;
    let keymap = Keymap::load(&config.keymap, config_dir.as_deref())?;
    // Fitted to what the terminal can show (NO_COLOR, COLORTERM, TERM).
    let theme = Theme::load(&config.theme, config_dir.as_deref())?
        .for_depth(crate::console::theme::ColorDepth::from_env());
    let env_lang = crate::console::i18n::env_locale();
    let lang = Lang::detect(lang_flag, config.lang.as_deref(), env_lang.as_deref());
    Ok(Loaded {
        config,
        config_dir,
        keymap,
        theme,
        lang,
    })
}

pub async fn run(opts: Options, loaded: Loaded) -> anyhow::Result<()> {
    // Before anything touches the terminal: without one, raw mode would fail half-way.
    require_terminal("kefu console")?;
    let Loaded {
        config,
        config_dir,
        keymap,
        theme,
        lang,
    } = loaded;
    let layout = config::load_layout(config_dir.as_deref());
    let server = opts
        .server
        .or(config.server.clone())
        .unwrap_or_else(|| "ws://127.0.0.1:7800".into());
    let user = opts.user.or(config.username.clone()).unwrap_or_default();
    // Remembered as an absolute path: the next start may be from another directory.
    let flag_ca = opts.ca.map(|p| std::path::absolute(&p).unwrap_or(p));
    // A CA file that cannot be read stops here, before the full screen opens.
    let ca = flag_ca.clone().or(config.ca.clone());
    let tls = ca
        .as_deref()
        .map(|p| crate::tls_trust::client_config(Some(p)))
        .transpose()?;
    let mut app = App::new(lang, layout, now_ms());
    app.outbox_durable = opts.data_dir.is_some();
    let (ev_tx, mut ev_rx) = mpsc::unbounded_channel::<NetEvent>();
    let net = net::spawn_with(
        ev_tx,
        net::NetOptions {
            outbox_dir: opts.data_dir.clone(),
            tls,
            ..Default::default()
        },
    );
    match opts.password {
        Some(password) => {
            let _ = net.send(NetCmd::Login {
                server,
                username: user,
                password,
            });
        }
        None => app = app.with_login(server, user),
    }

    let mut terminal = ratatui::init();
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste);
    let result = event_loop(
        &mut terminal,
        &mut app,
        &keymap,
        &theme,
        &config,
        config_dir.as_deref(),
        &net,
        &mut ev_rx,
        Remember {
            on: opts.remember,
            ca: flag_ca.as_deref(),
        },
    )
    .await;
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
    ratatui::restore();
    let _ = net.send(NetCmd::Shutdown);
    result
}

/// What a successful login writes back to config.toml: server, username, and `--ca` if given.
struct Remember<'a> {
    on: bool,
    ca: Option<&'a std::path::Path>,
}

#[allow(clippy::too_many_arguments)]
async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    keymap: &Keymap,
    theme: &Theme,
    config: &ConsoleConfig,
    config_dir: Option<&std::path::Path>,
    net: &mpsc::UnboundedSender<NetCmd>,
    ev_rx: &mut mpsc::UnboundedReceiver<NetEvent>,
    remember: Remember<'_>,
) -> anyhow::Result<()> {
    let mut input = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let frame_gap = Duration::from_millis(16);
    let mut last_draw = Instant::now() - frame_gap;
    let mut dirty = true;
    loop {
        if dirty {
            let wait = frame_gap.saturating_sub(last_draw.elapsed());
            if wait.is_zero() {
                app.now = now_ms();
                terminal.draw(|f| crate::console::ui::draw(f, app, theme, keymap))?;
                last_draw = Instant::now();
                dirty = false;
            }
        }
        let redraw_in = if dirty {
            frame_gap.saturating_sub(last_draw.elapsed())
        } else {
            Duration::from_secs(3600)
        };
        // Wake up for the knowledge-base search waiting for typing to pause.
        let due = match (app.kb_deadline(), app.suggest_deadline()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let redraw_in = match due {
            Some(due) => redraw_in.min(Duration::from_millis(due.saturating_sub(now_ms()) as u64)),
            None => redraw_in,
        };
        let mut effects = tokio::select! {
            ev = input.next() => match ev {
                Some(Ok(TermEvent::Key(k))) => { app.now = now_ms(); app.on_key(k, keymap) }
                Some(Ok(TermEvent::Paste(s))) => { app.now = now_ms(); app.on_paste(&s) }
                Some(Ok(_)) => Vec::new(), // resize and the rest: just redraw
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(()),
            },
            ev = ev_rx.recv() => match ev {
                Some(ev) => { app.now = now_ms(); app.on_net(ev) }
                None => return Ok(()),
            },
            _ = tick.tick() => Vec::new(),
            _ = tokio::time::sleep(redraw_in) => Vec::new(),
        };
        app.now = now_ms();
        effects.extend(app.kb_due());
        effects.extend(app.suggest_due());
        effects.extend(app.renew_due());
        dirty = true;
        // A queue: an editor session's result brings effects of its own.
        let mut effects: std::collections::VecDeque<Effect> = effects.into();
        while let Some(fx) = effects.pop_front() {
            match fx {
                Effect::Request { tag, request } => {
                    let _ = net.send(NetCmd::Request { tag, request });
                }
                Effect::Login {
                    server,
                    username,
                    password,
                } => {
                    let _ = net.send(NetCmd::Login {
                        server,
                        username,
                        password,
                    });
                }
                Effect::LoginWithCode {
                    server,
                    username,
                    password,
                    totp,
                } => {
                    let _ = net.send(NetCmd::LoginWithCode {
                        server,
                        username,
                        password,
                        totp,
                    });
                }
                Effect::Alert { kind, title, body } => {
                    alert(terminal.backend_mut(), &config.alerts, kind, &title, &body)
                }
                Effect::SaveLayout(layout) => {
                    if let Some(d) = config_dir
                        && let Err(e) = config::save_layout(d, &layout)
                    {
                        tracing::warn!(error = %e, "cannot save the layout");
                    }
                }
                Effect::RememberLogin { server, username } => {
                    if remember.on
                        && let Some(d) = config_dir
                        && let Err(e) =
                            ConsoleConfig::remember_with_ca(d, &server, &username, remember.ca)
                    {
                        tracing::warn!(error = %e, "cannot remember the login");
                    }
                }
                Effect::EditText { purpose, text } => {
                    // The old event reader is dropped (its thread stops) so it cannot take the
                    // editor's keys; a fresh one reads again afterwards.
                    input = EventStream::new();
                    let outcome = crate::console::editor::edit_in_terminal(terminal, &text);
                    app.now = now_ms();
                    effects.extend(app.on_edited(purpose, outcome));
                }
                Effect::Quit => return Ok(()),
            }
        }
        if app.should_quit {
            return Ok(());
        }
    }
}

/// Bell and/or desktop notification, as the notification centre says. The text was sanitised;
/// BEL and ESC are stripped again because they would end the OSC sequence early.
fn alert(out: &mut impl Write, alerts: &config::Alerts, kind: AlertKind, title: &str, body: &str) {
    let (bell, notify) = match kind {
        AlertKind::Offer => (alerts.bell_on_offer, alerts.notify_on_offer),
        AlertKind::Message => (alerts.bell_on_message, alerts.notify_on_message),
        AlertKind::Mention => (alerts.bell_on_mention, alerts.notify_on_mention),
        AlertKind::FollowUp => (alerts.bell_on_follow_up, alerts.notify_on_follow_up),
    };
    let clean =
        |s: &str| -> String { s.chars().filter(|c| !c.is_control() && *c != ';').collect() };
    let mut bytes = Vec::new();
    if bell {
        bytes.push(0x07);
    }
    if notify {
        match alerts.notify_style {
            NotifyStyle::Osc777 => bytes.extend(
                format!("\x1b]777;notify;{};{}\x1b\\", clean(title), clean(body)).into_bytes(),
            ),
            NotifyStyle::Osc9 => {
                bytes.extend(format!("\x1b]9;{}: {}\x1b\\", clean(title), clean(body)).into_bytes())
            }
            NotifyStyle::None => {}
        }
    }
    if !bytes.is_empty() {
        let _ = out.write_all(&bytes);
        let _ = out.flush();
    }
}

/// Logs to `console.log` in `dir` (the screen is the terminal, so never to stderr): `RUST_LOG`
/// or `info`, appended, no colours, and never the WebSocket library's frame dumps (they would
/// write passwords and tokens at TRACE; see [`crate::logging`]). Without a usable file there is
/// no log.
pub fn init_file_logging(dir: &std::path::Path) {
    let _ = std::fs::create_dir_all(dir);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("console.log"));
    if let Ok(file) = file {
        crate::logging::init(std::sync::Mutex::new(file), false);
    }
}
