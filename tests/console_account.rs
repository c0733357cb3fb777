//! The console's side of accounts: the Account screen (f10) asks for the profile and the
//! devices, saves the form with `me.update`, ends the selected device (not the current one);
//! typing renews the sign-in at most once a minute; a close 1008 goes back to the login form
//! with "Signed out: <reason>"; a colleague's `agent_updated` reaches the directory; the
//! signature fills `{agent.signature}`. Snapshot of the screen with a hostile client string.

mod console_fixture;

use console_fixture::*;
use kefu::console::app::account_state::AccountTag;
use kefu::console::app::{Effect, NetEvent, Overlay, Tag};
use kefu::console::i18n::Lang;
use kefu::console::reply::Reply;
use kefu::model::Role;
use kefu::protocol::account::{DeviceView, DevicesReply, MeReply};
use kefu::protocol::{Empty, Request, ServerFrame};

const HOSTILE: &str = "\u{1b}]0;pwned\u{7}evil\u{202e}exe";

fn requests(fx: &[Effect]) -> Vec<(Tag, Request)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Request { tag, request } => Some((tag.clone(), request.clone())),
            _ => None,
        })
        .collect()
}

fn my_profile() -> MeReply {
    MeReply {
        id: 7,
        username: "demo".into(),
        display_name: "Demo Agent".into(),
        initials: Some("DA".into()),
        color: Some("blue".into()),
        contact: Some("ext. 42".into()),
        signature: Some("— Demo, 售后".into()),
        language: Some("zh".into()),
        role: Role::Agent,
        groups: vec!["aftersales".into()],
        supervises: Vec::new(),
        supervises_all: false,
        totp_enabled: false,
        totp_required: false,
    }
}

fn devices() -> Vec<DeviceView> {
    let d = |id, client: Option<&str>, current| DeviceView {
        id,
        created_at: NOW - 3_600_000,
        last_used_at: NOW - 60_000,
        expires_at: NOW + 3_540_000,
        client: client.map(str::to_string),
        address: Some("10.0.0.5".into()),
        connected: true,
        current,
    };
    vec![d(3, Some("kefu-console"), true), d(5, Some(HOSTILE), false)]
}

fn reply(app: &mut kefu::console::app::App, tag: AccountTag, r: Reply) -> Vec<Effect> {
    app.on_net(NetEvent::Reply {
        tag: Tag::Account(tag),
        result: Ok(r),
    })
}

/// The Account screen open with the profile and the devices answered.
fn open(lang: Lang) -> kefu::console::app::App {
    let mut app = workbench();
    app.lang = lang;
    let fx = press(&mut app, "f10");
    let asked: Vec<&str> = requests(&fx).iter().map(|(_, r)| r.kind()).collect();
    assert_eq!(asked, ["me.get", "devices.list"]);
    reply(&mut app, AccountTag::Me, Reply::MeGet(my_profile()));
    reply(
        &mut app,
        AccountTag::Devices,
        Reply::DevicesList(DevicesReply { devices: devices() }),
    );
    app
}

fn screen_state(
    app: &kefu::console::app::App,
) -> &kefu::console::app::account_state::AccountScreen {
    match &app.overlay {
        Some(Overlay::Account(s)) => s,
        other => panic!("the Account screen is not open: {other:?}"),
    }
}

#[test]
fn the_form_saves_the_profile_with_me_update() {
    let mut app = open(Lang::En);
    assert_eq!(screen_state(&app).fields[4], "— Demo, 售后");
    // Initials: clear, type, save.
    press(&mut app, "down ctrl-u");
    typed(&mut app, "DX");
    let fx = press(&mut app, "enter");
    let sent = requests(&fx);
    let [(Tag::Account(AccountTag::Save), Request::MeUpdate(q))] = sent.as_slice() else {
        panic!("{sent:?}")
    };
    assert_eq!(q.initials.as_deref(), Some("DX"));
    assert_eq!(q.signature.as_deref(), Some("— Demo, 售后"));
    // A refusal is shown on the screen, the typing kept.
    app.on_net(NetEvent::Reply {
        tag: Tag::Account(AccountTag::Save),
        result: Err(kefu::console::reply::ReplyError::Api(
            kefu::protocol::ApiError::invalid("initials: must be one or two characters"),
        )),
    });
    let s = screen_state(&app);
    assert_eq!(s.fields[1], "DX");
    assert!(s.error.as_deref().unwrap().contains("initials"), "{s:?}");
    let mut saved = my_profile();
    saved.initials = Some("DX".into());
    reply(&mut app, AccountTag::Save, Reply::MeUpdate(saved));
    let s = screen_state(&app);
    assert_eq!(
        (s.error.clone(), s.done.as_deref()),
        (None, Some("Profile saved."))
    );
    press(&mut app, "esc");
    assert!(app.overlay.is_none());
}

#[test]
fn ctrl_d_ends_the_selected_device_but_not_this_one() {
    let mut app = open(Lang::En);
    // Down past the six fields: the current device first.
    let fx = press(&mut app, "down down down down down down ctrl-d");
    assert!(requests(&fx).is_empty());
    assert!(
        screen_state(&app)
            .error
            .as_deref()
            .unwrap()
            .contains("using")
    );
    let fx = press(&mut app, "down ctrl-d");
    let sent = requests(&fx);
    let [(Tag::Account(AccountTag::EndDevice(5)), Request::DeviceEnd(q))] = sent.as_slice() else {
        panic!("{sent:?}")
    };
    assert_eq!(q.device_id, 5);
    let fx = reply(
        &mut app,
        AccountTag::EndDevice(5),
        Reply::DeviceEnd(Empty {}),
    );
    let s = screen_state(&app);
    assert_eq!(s.devices.len(), 1);
    assert_eq!(s.done.as_deref(), Some("Device signed out."));
    // The list is asked for again.
    assert_eq!(requests(&fx)[0].1.kind(), "devices.list");
}

#[test]
fn typing_renews_the_sign_in_at_most_once_a_minute() {
    let mut app = workbench();
    let renewals = |fx: &[Effect]| {
        requests(fx)
            .iter()
            .filter(|(_, r)| matches!(r, Request::TokenRenew(_)))
            .count()
    };
    // Idle: nothing, however long.
    app.now = NOW + 61_000;
    assert_eq!(renewals(&app.renew_due()), 0);
    // A key: renewed (a minute after the login), then not again within the minute.
    press(&mut app, "alt-m");
    assert_eq!(renewals(&app.renew_due()), 1);
    app.now = NOW + 90_000;
    press(&mut app, "x");
    assert_eq!(renewals(&app.renew_due()), 0);
    app.now = NOW + 122_000;
    assert_eq!(renewals(&app.renew_due()), 1);
    assert_eq!(renewals(&app.renew_due()), 0);
}

#[test]
fn signed_out_goes_back_to_the_login_form_with_the_reason() {
    let mut app = open(Lang::En);
    app.on_net(NetEvent::SignedOut {
        reason: format!("ended from another device {HOSTILE}"),
    });
    assert!(app.overlay.is_none());
    let form = app.login.as_ref().expect("the login form");
    assert_eq!(form.username, "demo");
    let e = form.error.as_deref().unwrap();
    assert!(
        e.starts_with("Signed out: ended from another device"),
        "{e}"
    );
    assert!(
        !e.chars().any(|c| c.is_control() || c == '\u{202e}'),
        "{e:?}"
    );
    let s = screen(&render(&app, 80, 24, "dark"));
    assert!(s.contains("Signed out: ended from another device"), "{s}");
}

#[test]
fn a_colleagues_profile_change_reaches_the_directory() {
    let mut app = workbench();
    let mut bob = me();
    bob.id = 9;
    bob.username = "bob".into();
    bob.display_name = "Bob 王".into();
    bob.initials = Some("BW".into());
    app.on_net(NetEvent::Frame(ServerFrame::AgentUpdated { agent: bob }));
    let b = app
        .directory
        .iter()
        .find(|a| a.id == 9)
        .expect("bob listed");
    assert_eq!(b.initials.as_deref(), Some("BW"));
    let mut again = b.clone();
    again.display_name = "Bob".into();
    app.on_net(NetEvent::Frame(ServerFrame::AgentUpdated { agent: again }));
    assert_eq!(app.directory.iter().filter(|a| a.id == 9).count(), 1);
    assert_eq!(
        app.directory
            .iter()
            .find(|a| a.id == 9)
            .unwrap()
            .display_name,
        "Bob"
    );
}

#[test]
fn the_signature_fills_the_quick_reply_variable() {
    let mut app = workbench();
    assert!(
        app.fill_reply("{agent.signature}")
            .contains("{agent.signature}")
    );
    reply(&mut app, AccountTag::Me, Reply::MeGet(my_profile()));
    assert_eq!(app.fill_reply("Bye {agent.signature}"), "Bye — Demo, 售后");
}

#[test]
fn account_screen_snapshots() {
    for (lang, name) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        let mut app = open(lang);
        press(&mut app, "down down down down down down down");
        let s = screen(&render(&app, 100, 30, "dark"));
        assert!(!s.contains('\u{1b}'), "{s}");
        insta::assert_snapshot!(format!("account_{name}_100x30"), s);
    }
    let app = open(Lang::En);
    insta::assert_snapshot!("account_en_80x24", screen(&render(&app, 80, 24, "dark")));
}
