//! The console's second factor against the real server, through the real network task and
//! its reply decoding: an enrolled agent's login is asked for the code (`totp_required`) and
//! goes through with it; an admin whose role requires 2FA is taken to enrolment, confirms
//! with a code computed from the secret the screen shows, and gets to work.

mod common;
mod raw;
use common::*;
use kefu::console::action::Action;
use kefu::console::app::totp_state::TotpStage;
use kefu::console::app::{App, Effect, LoginForm, Overlay};
use kefu::console::keymap::Keymap;
use kefu::console::net::NetCmd;
use kefu::model::Role;
use kefu::totp;
use serde_json::json;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[path = "support/net_console.rs"]
mod net_console;
use net_console::Console;

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Waits until the clock is early in a 30-second step (the test then stays within it).
async fn early_in_a_step() -> u64 {
    let deadline = std::time::Instant::now() + Duration::from_secs(31);
    loop {
        let now = unix_now();
        if (1..=20).contains(&(now % 30)) {
            return now;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the clock does not move"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Carries out effects the shared console driver leaves alone (the login with a code).
fn run(c: &mut Console, fx: Vec<Effect>) {
    for f in fx {
        match f {
            Effect::LoginWithCode {
                server,
                username,
                password,
                totp,
            } => {
                let _ = c.net.send(NetCmd::LoginWithCode {
                    server,
                    username,
                    password,
                    totp,
                });
            }
            other => c.run(vec![other]),
        }
    }
}

fn enter(app: &mut App) -> Vec<Effect> {
    let km = Keymap::builtin("default").unwrap();
    app.on_key(
        crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Enter,
            crossterm::event::KeyModifiers::NONE,
        ),
        &km,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_enrolled_agent_signs_in_with_the_code_from_the_login_form() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    // Alice enrolled earlier (with the step before now's code).
    let t0 = early_in_a_step().await;
    let mut a = raw::Raw::connect(&server.url("agent")).await;
    a.call("login", json!({"username": "alice", "password": PASSWORD}))
        .await
        .unwrap();
    let r = a.call("totp.enroll", json!({})).await.unwrap();
    let secret = totp::secret_from_base32(r["secret"].as_str().unwrap()).unwrap();
    a.call(
        "totp.confirm",
        json!({"code": totp::code_at(&secret, t0 - 30).unwrap()}),
    )
    .await
    .unwrap();

    let addr = format!("ws://{}", server.addr);
    let mut c = Console::start(&addr, "alice");
    c.app.login = Some(LoginForm {
        server: addr.clone(),
        username: "alice".into(),
        password: PASSWORD.into(),
        busy: true,
        ..Default::default()
    });
    c.until("asked for the code", |a| {
        a.login.as_ref().is_some_and(|f| f.totp.is_some())
    })
    .await;
    assert!(c.app.me.is_none(), "not signed in without the code");
    c.type_text(&totp::code_at(&secret, t0).unwrap());
    let fx = enter(&mut c.app);
    run(&mut c, fx);
    c.until("signed in with the code", |a| {
        a.me.is_some() && a.login.is_none()
    })
    .await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_who_must_enrol_does_so_then_works() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "root", &["general"], Role::Admin, None);
    let mut config = kefu::config::ServerConfig::default();
    config.auth.require_2fa = vec![Role::Admin];
    let server = TestServer::start(dir.path(), config).await;
    let addr = format!("ws://{}", server.addr);
    let t0 = early_in_a_step().await;
    let mut c = Console::start(&addr, "root");
    c.until("the secret is shown", |a| {
        matches!(&a.overlay, Some(Overlay::TwoFactor(s)) if matches!(s.stage, TotpStage::Scan { .. }))
    })
    .await;
    let Some(Overlay::TwoFactor(s)) = &c.app.overlay else {
        unreachable!()
    };
    assert!(s.forced);
    let TotpStage::Scan { secret, uri } = s.stage.clone() else {
        unreachable!()
    };
    assert!(uri.starts_with("otpauth://totp/kefu:root?"), "{uri}");
    let secret = totp::secret_from_base32(&secret).unwrap();
    c.type_text(&totp::code_at(&secret, t0).unwrap());
    c.act(Action::Confirm);
    c.until("the recovery codes", |a| {
        matches!(&a.overlay, Some(Overlay::TwoFactor(s)) if matches!(&s.stage, TotpStage::Codes(codes) if codes.len() == 10))
    })
    .await;
    c.act(Action::Confirm);
    // The workbench loads: the snapshot and the directory come back (refused before).
    c.until("the directory", |a| !a.directory.is_empty()).await;
    assert!(c.app.overlay.is_none());
    server.stop().await;
}
