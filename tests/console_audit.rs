//! The console's Audit screen (f12): only admins open it (others get a note on the status
//! line); it asks for a page of `audit.list` with its filters (action family with `a`, the
//! selected entry's actor with `u`), pages with pagedown/pageup, and shows only the latest
//! answer. Snapshots at 100×30 in en and zh with a hostile username shown inert.

mod console_fixture;

use console_fixture::*;
use kefu::console::app::audit_state::{AuditScreen, AuditTag};
use kefu::console::app::{App, Effect, NetEvent, Overlay, Tag};
use kefu::console::i18n::Lang;
use kefu::console::reply::Reply;
use kefu::model::Role;
use kefu::protocol::Request;
use kefu::protocol::account::{AuditEntryView, AuditList, AuditListReply};
use serde_json::json;

const HOSTILE: &str = "\u{1b}]0;pwned\u{7}\u{1b}[31mmallory\u{202e}";

fn admin(lang: Lang) -> App {
    let mut app = workbench();
    app.lang = lang;
    if let Some(me) = app.me.as_mut() {
        me.role = Role::Admin;
    }
    app
}

/// The one `audit.list` request among `fx`, with its tag.
fn asked(fx: &[Effect]) -> (AuditTag, AuditList) {
    let found: Vec<_> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Request {
                tag: Tag::Audit(t),
                request: Request::AuditList(q),
            } => Some((*t, q.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(found.len(), 1, "{fx:?}");
    found[0].clone()
}

fn entry(id: i64, at: i64, actor: &str, action: &str, target: &str) -> AuditEntryView {
    AuditEntryView {
        id,
        at,
        actor: actor.into(),
        action: action.into(),
        target: target.into(),
        detail: json!({"address": "198.51.100.7", "reason": "bad password"}),
    }
}

fn page() -> Vec<AuditEntryView> {
    vec![
        entry(9, NOW - 60_000, HOSTILE, "login.failed", HOSTILE),
        entry(8, NOW - 120_000, "admin-cli:ops", "agent.add", "李娜"),
        entry(7, NOW - 180_000, "root", "session.take_over", "session:42"),
        entry(6, NOW - 240_000, "alice", "login.ok", "alice"),
    ]
}

fn answer(app: &mut App, tag: AuditTag, entries: Vec<AuditEntryView>, next: Option<i64>) {
    app.on_net(NetEvent::Reply {
        tag: Tag::Audit(tag),
        result: Ok(Reply::AuditList(AuditListReply { entries, next })),
    });
}

fn screen_of(app: &App) -> &AuditScreen {
    match &app.overlay {
        Some(Overlay::Audit(a)) => a,
        other => panic!("the Audit screen is not open: {other:?}"),
    }
}

/// The screen open with the fixture's page.
fn open(lang: Lang) -> App {
    let mut app = admin(lang);
    let (tag, _) = asked(&press(&mut app, "f12"));
    answer(&mut app, tag, page(), Some(6));
    app
}

#[test]
fn only_admins_open_it() {
    for role in [Role::Agent, Role::Supervisor] {
        let mut app = workbench();
        if let Some(me) = app.me.as_mut() {
            me.role = role;
        }
        let fx = press(&mut app, "f12");
        assert!(fx.is_empty(), "{role:?}: {fx:?}");
        assert!(app.overlay.is_none());
        let s = screen(&render(&app, 100, 30, "dark"));
        assert!(s.contains("The audit log is for admins"), "{s}");
    }
    let mut app = admin(Lang::En);
    let (_, q) = asked(&press(&mut app, "f12"));
    assert_eq!(
        q,
        AuditList {
            limit: Some(50),
            ..Default::default()
        }
    );
    press(&mut app, "esc");
    assert!(app.overlay.is_none());
}

#[test]
fn filters_and_pages_ask_the_server_again() {
    let mut app = open(Lang::En);
    assert_eq!(screen_of(&app).entries.len(), 4);
    // Family: all → login.
    let (_, q) = asked(&press(&mut app, "a"));
    assert_eq!(q.action.as_deref(), Some("login"));
    assert_eq!(q.before_id, None);
    let (tag, _) = asked(&press(&mut app, "a"));
    assert_eq!(screen_of(&app).family(), Some("permission"));
    answer(&mut app, tag, page(), Some(6));
    // The selected entry's actor; again: everyone.
    press(&mut app, "down down");
    let (_, q) = asked(&press(&mut app, "u"));
    assert_eq!(q.actor.as_deref(), Some("root"));
    assert_eq!(q.action.as_deref(), Some("permission"));
    let (tag, q) = asked(&press(&mut app, "u"));
    assert_eq!(q.actor, None);
    answer(&mut app, tag, page(), Some(6));
    // Older page, then back.
    let (tag, q) = asked(&press(&mut app, "pagedown"));
    assert_eq!(q.before_id, Some(6));
    answer(
        &mut app,
        tag,
        vec![entry(5, NOW, "x", "purge", "all")],
        None,
    );
    assert!(press(&mut app, "pagedown").is_empty(), "no older page");
    let (_, q) = asked(&press(&mut app, "pageup"));
    assert_eq!(q.before_id, None);
}

#[test]
fn only_the_latest_answer_is_shown_and_errors_stay_on_the_screen() {
    let mut app = admin(Lang::En);
    let (first, _) = asked(&press(&mut app, "f12"));
    let (second, _) = asked(&press(&mut app, "r"));
    answer(&mut app, second, page(), None);
    answer(&mut app, first, vec![], None);
    assert_eq!(
        screen_of(&app).entries.len(),
        4,
        "the stale answer is dropped"
    );
    let (third, _) = asked(&press(&mut app, "r"));
    app.on_net(NetEvent::Reply {
        tag: Tag::Audit(third),
        result: Err(kefu::console::reply::ReplyError::Api(
            kefu::protocol::ApiError::forbidden("the audit log is for admins\u{1b}[2J"),
        )),
    });
    let a = screen_of(&app);
    assert_eq!(a.error.as_deref(), Some("the audit log is for admins␛[2J"));
    assert!(!a.loading);
}

#[test]
fn hostile_strings_are_inert() {
    let app = open(Lang::Zh);
    let term = render(&app, 100, 30, "dark");
    for cell in term.backend().buffer().content() {
        for c in cell.symbol().chars() {
            assert!(
                !c.is_control() && !('\u{202a}'..='\u{202e}').contains(&c),
                "{c:?} drawn"
            );
        }
    }
    assert!(screen(&term).contains("␛]0;pwned␇"));
}

#[test]
fn audit_snapshots() {
    for (lang, name) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        let mut app = open(lang);
        press(&mut app, "down");
        insta::assert_snapshot!(
            format!("audit_{name}_100x30"),
            screen(&render(&app, 100, 30, "dark"))
        );
    }
    let mut app = open(Lang::En);
    press(&mut app, "down");
    insta::assert_snapshot!("audit_en_80x24", screen(&render(&app, 80, 24, "dark")));
}
