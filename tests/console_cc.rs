//! The console's CC (抄送) dialog on the `App` without a terminal: `alt-e` asks for the
//! address book and opens the dialog; typing filters it fuzzily, a typed address becomes a
//! row of its own; tab toggles "include internal notes" (off by default, shown as `[ ]`/`[x]`);
//! enter sends `session.cc` with the chosen target; the status line reports queued, delivered
//! and failed. Snapshots of the dialog at 120×40 and 80×24.

mod console_fixture;

use console_fixture::*;
use kefu::cc::Target;
use kefu::console::app::{App, Effect, NetEvent, Overlay, Tag};
use kefu::console::reply::Reply;
use kefu::protocol::{
    CcContactView, CcContactsReply, CcInfo, CcKind, CcState, Event, Request, SessionCc,
    SessionCcReply,
};

fn requests(fx: &[Effect]) -> Vec<(Tag, Request)> {
    fx.iter()
        .filter_map(|f| match f {
            Effect::Request { tag, request } => Some((tag.clone(), request.clone())),
            _ => None,
        })
        .collect()
}

fn book() -> CcContactsReply {
    CcContactsReply {
        contacts: vec![
            CcContactView {
                name: "主管 Lead".into(),
                kind: CcKind::Email,
                address: "lead@shop.example.com".into(),
            },
            CcContactView {
                name: "物流群 Logistics".into(),
                kind: CcKind::Webhook,
                address: "logistics".into(),
            },
        ],
        webhooks: vec!["logistics".into(), "ops".into()],
        email: true,
    }
}

/// The workbench with the CC dialog open and the address book arrived.
fn open() -> App {
    let mut app = workbench();
    let fx = press(&mut app, "alt-e");
    assert_eq!(
        requests(&fx),
        vec![(Tag::CcContacts, Request::CcContacts(Default::default()))]
    );
    assert!(matches!(app.overlay, Some(Overlay::Cc(_))));
    app.on_net(NetEvent::Reply {
        tag: Tag::CcContacts,
        result: Ok(Reply::CcContacts(book())),
    });
    app
}

fn sent(fx: &[Effect]) -> SessionCc {
    match requests(fx).as_slice() {
        [(Tag::Cc(1), Request::SessionCc(q))] => q.clone(),
        other => panic!("expected one session.cc, got {other:?}"),
    }
}

#[test]
fn a_contact_is_picked_and_sent_without_notes_by_default() {
    let mut app = open();
    let Some(Overlay::Cc(d)) = &app.overlay else {
        panic!()
    };
    // Both contacts, then the webhook no contact names.
    assert_eq!(d.items.len(), 3);
    assert!(!d.include_notes);
    typed(&mut app, "logist");
    let q = sent(&press(&mut app, "enter"));
    assert_eq!(q.to, Target::Contact("物流群 Logistics".into()));
    assert!(!q.include_notes);
    assert!(app.overlay.is_none());
}

#[test]
fn a_typed_address_with_notes() {
    let mut app = open();
    typed(&mut app, "boss@shop.example.com");
    press(&mut app, "tab");
    let q = sent(&press(&mut app, "enter"));
    assert_eq!(q.to, Target::Email("boss@shop.example.com".into()));
    assert!(q.include_notes);
}

#[test]
fn a_bare_webhook_and_nothing_to_send() {
    let mut app = open();
    typed(&mut app, "ops");
    assert_eq!(
        sent(&press(&mut app, "enter")).to,
        Target::Webhook("ops".into())
    );
    // A query that matches nothing and is no address: enter does nothing, the dialog stays.
    let mut app = open();
    typed(&mut app, "zzzz-not-here");
    assert!(requests(&press(&mut app, "enter")).is_empty());
    assert!(matches!(app.overlay, Some(Overlay::Cc(_))));
    press(&mut app, "esc");
    assert!(app.overlay.is_none());
}

#[test]
fn the_status_line_follows_the_cc() {
    let mut app = open();
    press(&mut app, "enter");
    app.on_net(NetEvent::Reply {
        tag: Tag::Cc(1),
        result: Ok(Reply::SessionCc(SessionCcReply { cc_id: 42 })),
    });
    assert!(app.notice.as_ref().unwrap().0.contains("queued"));
    let mut info = CcInfo {
        cc_id: 42,
        session_id: 1,
        agent_id: 7,
        kind: CcKind::Email,
        target: "lead@shop.example.com".into(),
        contact: Some("主管 Lead".into()),
        include_notes: false,
        state: CcState::Delivered,
        attempts: 1,
        created_at: NOW,
        updated_at: NOW,
        last_error: None,
    };
    app.on_net(ev(Event::CcStatus { cc: info.clone() }));
    let n = &app.notice.as_ref().unwrap().0;
    assert!(n.contains("主管 Lead") && n.contains("delivered"), "{n}");
    info.state = CcState::Failed;
    info.attempts = 10;
    info.last_error = Some("SMTP: \u{1b}[31mrefused".into());
    app.on_net(ev(Event::CcStatus { cc: info }));
    let n = &app.notice.as_ref().unwrap().0;
    assert!(n.contains("FAILED after 10 attempts"), "{n}");
    assert!(
        !n.contains('\u{1b}'),
        "escapes from the network are shown, not obeyed: {n}"
    );
}

#[test]
fn cc_dialog_snapshots() {
    let mut app = open();
    typed(&mut app, "lead");
    insta::assert_snapshot!("cc_dialog_120x40", screen(&render(&app, 120, 40, "dark")));
    let mut app = open();
    typed(&mut app, "boss@shop.example.com");
    press(&mut app, "tab");
    insta::assert_snapshot!("cc_dialog_80x24", screen(&render(&app, 80, 24, "dark")));
}
