//! The console without a terminal, for end-to-end tests: the pure `App` driven by hand, its
//! effects carried out by the real network task against a real server. Alerts are kept so a
//! test can check what the agent would have been told.

use crate::common::PASSWORD;
use kefu::console::action::Action;
use kefu::console::app::{AlertKind, App, Effect, LayoutPrefs, NetEvent};
use kefu::console::i18n::Lang;
use kefu::console::net::{self, NetCmd};
use kefu::model::now_ms;
use std::time::Duration;
use tokio::sync::mpsc;

pub struct Console {
    pub app: App,
    pub net: mpsc::UnboundedSender<NetCmd>,
    pub events: mpsc::UnboundedReceiver<NetEvent>,
    /// Every alert (bell, notification) the app asked for, in order.
    pub alerts: Vec<(AlertKind, String)>,
}

#[allow(dead_code)] // each test file uses some of these
impl Console {
    /// Starts logging in as `user` (password `common::PASSWORD`); does not wait for it.
    pub fn start(server: &str, user: &str) -> Console {
        Console::start_with(server, user, net::NetOptions::default())
    }

    pub fn start_with(server: &str, user: &str, options: net::NetOptions) -> Console {
        let (tx, events) = mpsc::unbounded_channel();
        let net = net::spawn_with(tx, options);
        let mut c = Console {
            app: App::new(Lang::En, LayoutPrefs::default(), now_ms()),
            net,
            events,
            alerts: Vec::new(),
        };
        c.run(vec![Effect::Login {
            server: server.into(),
            username: user.into(),
            password: PASSWORD.into(),
        }]);
        c
    }

    /// Logs in and waits until the login went through.
    pub async fn signed_in(server: &str, user: &str) -> Console {
        let mut c = Console::start(server, user);
        c.until("signed in", |a| a.me.is_some() && a.login.is_none())
            .await;
        c
    }

    pub fn run(&mut self, effects: Vec<Effect>) {
        for fx in effects {
            match fx {
                Effect::Request { tag, request } => {
                    let _ = self.net.send(NetCmd::Request { tag, request });
                }
                Effect::Login {
                    server,
                    username,
                    password,
                } => {
                    let _ = self.net.send(NetCmd::Login {
                        server,
                        username,
                        password,
                    });
                }
                Effect::Alert { kind, title, .. } => self.alerts.push((kind, title)),
                _ => {}
            }
        }
    }

    pub fn act(&mut self, a: Action) {
        self.app.now = now_ms();
        let fx = self.app.update(a);
        self.run(fx);
    }

    pub fn type_text(&mut self, s: &str) {
        for c in s.chars() {
            let fx = self.app.type_char(c);
            self.run(fx);
        }
    }

    /// Feeds network events to the app until `done` holds (15 s at most).
    pub async fn until(&mut self, what: &str, mut done: impl FnMut(&App) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        while !done(&self.app) {
            let ev = tokio::time::timeout_at(deadline, self.events.recv())
                .await
                .unwrap_or_else(|_| panic!("timed out waiting for: {what}"))
                .expect("network task alive");
            self.app.now = now_ms();
            let fx = self.app.on_net(ev);
            self.run(fx);
        }
    }
}
