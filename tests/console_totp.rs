//! The console's second factor on plain state: the login form asks for the code when the
//! server says `totp_required` and logs in again with it (a wrong code keeps the password and
//! asks again); the enrolment screen (`alt-f`) shows the secret and a half-block QR code,
//! confirms a typed code, stays up with the server's reason, and shows the recovery codes
//! once; enrolment forced after login (`must_enroll_totp`) comes before the workbench.
//! Snapshots use a fixed secret, so the QR code is the same every run.

mod console_fixture;

use console_fixture::*;
use kefu::console::action::Action;
use kefu::console::app::totp_state::TotpStage;
use kefu::console::app::{App, Effect, LayoutPrefs, NetEvent, Overlay, Tag};
use kefu::console::i18n::Lang;
use kefu::console::reply::{Reply, ReplyError};
use kefu::protocol::account::{TotpConfirmReply, TotpEnrollReply};
use kefu::protocol::{ApiError, ErrorCode, Request};

const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

fn enroll_reply() -> NetEvent {
    let bytes = kefu::totp::secret_from_base32(SECRET).unwrap();
    NetEvent::Reply {
        tag: Tag::Totp(kefu::console::app::totp_state::TotpTag::Enroll),
        result: Ok(Reply::TotpEnroll(TotpEnrollReply {
            secret: SECRET.into(),
            uri: kefu::totp::otpauth_uri(&bytes, "alice"),
        })),
    }
}

fn codes() -> Vec<String> {
    (0..10).map(|i| format!("abc{i}-defg-hjkm")).collect()
}

fn confirm_reply() -> NetEvent {
    NetEvent::Reply {
        tag: Tag::Totp(kefu::console::app::totp_state::TotpTag::Confirm),
        result: Ok(Reply::TotpConfirm(TotpConfirmReply {
            recovery_codes: codes(),
        })),
    }
}

fn stage(app: &App) -> TotpStage {
    match &app.overlay {
        Some(Overlay::TwoFactor(s)) => s.stage.clone(),
        other => panic!("no 2FA screen: {other:?}"),
    }
}

fn asks_enroll(fx: &[Effect]) -> bool {
    fx.iter().any(|f| {
        matches!(
            f,
            Effect::Request {
                request: Request::TotpEnroll(_),
                ..
            }
        )
    })
}

#[test]
fn the_login_form_asks_for_the_code_and_logs_in_again_with_it() {
    let mut app = App::new(Lang::En, LayoutPrefs::default(), NOW)
        .with_login("ws://h:1".into(), "alice".into());
    typed(&mut app, "correct-horse-1!");
    let fx = press(&mut app, "enter");
    assert!(matches!(fx.as_slice(), [Effect::Login { .. }]), "{fx:?}");
    app.on_net(NetEvent::TotpRequired {
        message: "this account has two-factor sign-in".into(),
    });
    let form = app.login.as_ref().unwrap();
    assert_eq!(form.totp.as_deref(), Some(""));
    assert_eq!(form.field, 3, "the cursor is on the code");
    let screen = screen(&render(&app, 80, 24, "dark"));
    assert!(screen.contains("2FA code"), "{screen}");
    insta::assert_snapshot!("login_asks_for_the_code_80x24", screen);
    // Enter with no code does not send.
    assert!(press(&mut app, "enter").is_empty());
    typed(&mut app, "287082");
    let fx = press(&mut app, "enter");
    match fx.as_slice() {
        [
            Effect::LoginWithCode {
                username,
                password,
                totp,
                ..
            },
        ] => {
            assert_eq!(username, "alice");
            assert_eq!(password, "correct-horse-1!");
            assert_eq!(totp, "287082");
        }
        other => panic!("expected a login with the code: {other:?}"),
    }
    // A wrong code: the password stays, the code is typed again.
    app.on_net(NetEvent::LoginFailed {
        message: "the two-factor code is wrong (or too old)".into(),
        bad_credentials: true,
    });
    let form = app.login.as_ref().unwrap();
    assert_eq!(form.password, "correct-horse-1!");
    assert_eq!(form.totp.as_deref(), Some(""));
    assert_eq!(form.field, 3);
    assert!(!form.busy);
}

#[test]
fn alt_f_enrols_shows_the_qr_code_confirms_and_shows_the_recovery_codes_once() {
    let mut app = workbench();
    let fx = press(&mut app, "alt-f");
    assert!(asks_enroll(&fx), "{fx:?}");
    assert!(stage(&app) == TotpStage::Starting);
    app.on_net(enroll_reply());
    assert!(matches!(stage(&app), TotpStage::Scan { .. }));
    // Only the code field takes text; enter sends it.
    typed(&mut app, "287 082");
    let fx = app.update(Action::Confirm);
    match fx.as_slice() {
        [
            Effect::Request {
                request: Request::TotpConfirm(q),
                ..
            },
        ] => assert_eq!(q.code, "287 082"),
        other => panic!("expected totp.confirm: {other:?}"),
    }
    // Refused: the screen stays with the reason, the code can be typed again.
    app.on_net(NetEvent::Reply {
        tag: Tag::Totp(kefu::console::app::totp_state::TotpTag::Confirm),
        result: Err(ReplyError::Api(ApiError::new(
            ErrorCode::Invalid,
            "that code does not match",
        ))),
    });
    let big = screen(&render(&app, 100, 40, "dark"));
    assert!(big.contains("that code does not match"), "{big}");
    assert!(big.contains("JBSW Y3DP EHPK 3PXP"), "{big}");
    assert!(big.contains('▀') && big.contains('▄'), "a QR code:\n{big}");
    for _ in 0..7 {
        app.update(Action::DeleteBack);
    }
    typed(&mut app, "123456");
    insta::assert_snapshot!("totp_enrol_100x40", screen(&render(&app, 100, 40, "dark")));
    // Too small for the QR code: the secret is still there, and a word about the size.
    let small = screen(&render(&app, 80, 24, "dark"));
    assert!(small.contains("Enlarge the window"), "{small}");
    assert!(small.contains("JBSW Y3DP"), "{small}");
    insta::assert_snapshot!("totp_enrol_80x24", small);

    app.update(Action::Confirm);
    app.on_net(confirm_reply());
    let shown = screen(&render(&app, 100, 40, "dark"));
    for c in codes() {
        assert!(shown.contains(&c), "{c} in\n{shown}");
    }
    insta::assert_snapshot!("totp_recovery_codes_100x40", shown);
    assert!(app.update(Action::Confirm).is_empty());
    assert!(app.overlay.is_none(), "shown once, then gone");
}

#[test]
fn help_shows_over_the_screen_and_esc_leaves_a_voluntary_enrolment() {
    let mut app = workbench();
    press(&mut app, "alt-f");
    app.on_net(enroll_reply());
    press(&mut app, "f1");
    assert!(matches!(app.overlay, Some(Overlay::Help(_))));
    press(&mut app, "esc");
    assert!(
        matches!(stage(&app), TotpStage::Scan { .. }),
        "back from help"
    );
    press(&mut app, "esc");
    assert!(app.overlay.is_none());
}

#[test]
fn a_role_that_requires_2fa_enrols_before_the_workbench() {
    let mut app = App::new(Lang::En, LayoutPrefs::default(), NOW)
        .with_login("ws://h:1".into(), "root".into());
    app.on_net(NetEvent::MustEnrollTotp);
    let fx = app.on_net(NetEvent::Connected {
        agent: me(),
        must_change_password: false,
        resumed: false,
    });
    assert!(app.login.is_none());
    assert!(asks_enroll(&fx), "{fx:?}");
    assert!(
        !fx.iter().any(|f| matches!(
            f,
            Effect::Request {
                request: Request::Snapshot(_),
                ..
            }
        )),
        "no workbench yet: {fx:?}"
    );
    app.on_net(enroll_reply());
    // Esc does not leave; it says why.
    press(&mut app, "esc");
    assert!(matches!(app.overlay, Some(Overlay::TwoFactor(_))));
    let shown = screen(&render(&app, 100, 40, "dark"));
    assert!(shown.contains("Your role requires two-factor"), "{shown}");
    typed(&mut app, "287082");
    app.update(Action::Confirm);
    app.on_net(confirm_reply());
    // Done: the workbench loads.
    let fx = app.update(Action::Confirm);
    assert!(app.overlay.is_none());
    assert!(
        fx.iter().any(|f| matches!(
            f,
            Effect::Request {
                request: Request::Snapshot(_),
                ..
            }
        )),
        "{fx:?}"
    );
    assert!(!app.totp_owed);
}
