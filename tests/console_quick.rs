//! The console's quick replies on the `App` without a terminal: the `/` picker ranks by the
//! conversation's intent and the agent's use, Enter puts the filled text in the composer and
//! counts a use, unknown variables are named on the status line; the manager creates, edits
//! and deletes replies and updates the list from the server's answer.

mod console_fixture;

use console_fixture::*;
use kefu::console::app::{App, Effect, Focus, NetEvent, Overlay, Tag};
use kefu::console::reply::{Reply, ReplyError};
use kefu::model::Role;
use kefu::protocol::{
    ApiError, ErrorCode, QuickRepliesReply, QuickReply, QuickReplySaveReply, QuickScope, Request,
};

fn reply(id: i64, scope: QuickScope, shortcut: &str, title: &str, body: &str) -> QuickReply {
    QuickReply {
        id,
        scope,
        owner: (scope == QuickScope::Personal).then_some(7),
        shortcut: shortcut.into(),
        title: title.into(),
        body: body.into(),
        ..Default::default()
    }
}

fn replies() -> Vec<QuickReply> {
    let mut refund = reply(
        2,
        QuickScope::Team,
        "refund",
        "退款",
        "{customer}您好，退款3天到账",
    );
    refund.intents = vec!["refund".into()];
    let mut bye = reply(
        3,
        QuickScope::Team,
        "bye",
        "Closing",
        "Bye {customer.nickname}!",
    );
    bye.uses = 9;
    vec![
        reply(
            1,
            QuickScope::Team,
            "hi",
            "Greeting",
            "您好{customer.nickname}，我是{agent.name}（@{agent.username}），会话 {session.id}/{session.group}，客户 {customer.id}",
        ),
        refund,
        bye,
        reply(
            4,
            QuickScope::Personal,
            "oops",
            "Typo",
            "Dear {custmer}, {{literal}}",
        ),
    ]
}

/// The list the server answers with, as the console receives it.
fn listed(app: &mut App, list: Vec<QuickReply>) {
    app.on_net(NetEvent::Reply {
        tag: Tag::QuickReplies,
        result: Ok(Reply::QuickReplies(QuickRepliesReply {
            quick_replies: list,
        })),
    });
}

fn requests(fx: &[Effect]) -> Vec<(Tag, Request)> {
    fx.iter()
        .filter_map(|f| match f {
            Effect::Request { tag, request } => Some((tag.clone(), request.clone())),
            _ => None,
        })
        .collect()
}

fn picker_order(app: &App) -> Vec<i64> {
    match &app.overlay {
        Some(Overlay::QuickReplies { picker }) => picker
            .matches
            .iter()
            .map(|i| app.quick_replies[*i].id)
            .collect(),
        other => panic!("no picker: {other:?}"),
    }
}

#[test]
fn slash_ranks_by_intent_and_use_and_enter_inserts_the_filled_text() {
    let mut app = workbench();
    app.focus = Focus::Compose;
    let fx = app.type_char('/');
    // The list is fetched again each time the picker opens.
    assert!(matches!(
        requests(&fx)[..],
        [(Tag::QuickReplies, Request::QuickReplies(_))]
    ));
    listed(&mut app, replies());
    // No intent yet: the much-used reply first.
    assert_eq!(picker_order(&app), [3, 1, 2, 4]);
    // The conversation is about a refund: the reply tagged `refund` comes first.
    app.sessions.get_mut(&1).unwrap().view.intent = Some("refund".into());
    app.refilter();
    assert_eq!(picker_order(&app), [2, 3, 1, 4]);

    // Typing narrows by shortcut first; Enter fills and inserts.
    typed(&mut app, "hi");
    assert_eq!(picker_order(&app)[0], 1);
    let fx = press(&mut app, "enter");
    assert!(app.overlay.is_none());
    assert_eq!(app.focus, Focus::Compose);
    assert_eq!(
        app.sessions[&1].draft.text(),
        "您好小明，我是Demo Agent（@demo），会话 1/aftersales，客户 11"
    );
    // The use is counted on the server and, once answered, in the ranking.
    let sent = requests(&fx);
    assert!(
        matches!(&sent[..], [(Tag::QuickReplyUsed(1), Request::QuickReplyUsed(u))] if u.quick_reply_id == 1),
        "{sent:?}"
    );
    app.on_net(NetEvent::Reply {
        tag: Tag::QuickReplyUsed(1),
        result: Ok(Reply::QuickReplyUsed(kefu::protocol::QuickReplyUsedReply {
            id: 1,
            uses: 20,
            last_used: NOW,
        })),
    });
    assert_eq!(app.quick_replies[0].uses, 20);
    // Nothing was left unfilled: no warning.
    assert!(app.notice.is_none(), "{:?}", app.notice);
}

#[test]
fn unknown_variables_stay_as_typed_and_are_named_on_the_status_line() {
    let mut app = workbench();
    app.focus = Focus::Compose;
    app.type_char('/');
    listed(&mut app, replies());
    typed(&mut app, "oops");
    press(&mut app, "enter");
    assert_eq!(app.sessions[&1].draft.text(), "Dear {custmer}, {literal}");
    let notice = app.notice.clone().map(|n| n.0).unwrap_or_default();
    assert!(notice.contains("{custmer}"), "{notice}");
    // The status line shows it.
    let screen = screen(&render(&app, 120, 40, "dark"));
    assert!(screen.contains("{custmer}"), "{screen}");
}

#[test]
fn the_picker_shows_scope_shortcut_title_and_the_filled_preview() {
    let mut app = workbench();
    app.focus = Focus::Compose;
    app.type_char('/');
    listed(&mut app, replies());
    typed(&mut app, "hi");
    for (w, h) in [(120, 40), (80, 24)] {
        let s = screen(&render(&app, w, h, "dark"));
        assert!(s.contains("[team] /hi  Greeting"), "{s}");
        assert!(s.contains("您好小明，我是Demo Agent"), "{s}");
    }
}

fn form_of(app: &App) -> kefu::console::app::QuickForm {
    match &app.overlay {
        Some(Overlay::QuickManager(m)) => m.form.clone().expect("a form"),
        other => panic!("no manager: {other:?}"),
    }
}

#[test]
fn the_manager_creates_edits_and_deletes_personal_replies() {
    let mut app = workbench();
    let fx = press(&mut app, "f9");
    assert!(matches!(app.overlay, Some(Overlay::QuickManager(_))));
    assert!(matches!(
        requests(&fx)[..],
        [(Tag::QuickReplies, Request::QuickReplies(_))]
    ));
    listed(&mut app, replies());

    // The first row makes a new reply; an agent's is personal.
    press(&mut app, "enter");
    typed(&mut app, "sig");
    press(&mut app, "tab");
    typed(&mut app, "Signature");
    press(&mut app, "tab");
    typed(&mut app, "Regards,");
    press(&mut app, "alt-enter");
    typed(&mut app, "{agent.nam}");
    // Checked before sending, like the server does.
    let fx = press(&mut app, "enter");
    assert!(requests(&fx).is_empty());
    let error = form_of(&app).error.unwrap_or_default();
    assert!(error.contains("{agent.nam}"), "{error}");
    press(&mut app, "backspace");
    typed(&mut app, "e}");
    press(&mut app, "tab");
    typed(&mut app, "thanks");
    let fx = press(&mut app, "enter");
    let sent = requests(&fx);
    let [(Tag::QuickReplySave, Request::QuickReplySave(save))] = &sent[..] else {
        panic!("{sent:?}")
    };
    assert_eq!(save.scope, QuickScope::Personal);
    assert_eq!(save.body, "Regards,\n{agent.name}");
    assert_eq!(save.intents, ["thanks"]);
    assert_eq!(save.quick_reply_id, None);
    // A refusal stays in the form.
    app.on_net(NetEvent::Reply {
        tag: Tag::QuickReplySave,
        result: Err(ReplyError::Api(ApiError::new(
            ErrorCode::Conflict,
            "the shortcut `sig` is taken",
        ))),
    });
    assert!(form_of(&app).error.unwrap().contains("taken"));
    // The answer updates the list without a reload.
    let fx = press(&mut app, "enter");
    assert_eq!(requests(&fx).len(), 1);
    let mut saved = reply(
        9,
        QuickScope::Personal,
        "sig",
        "Signature",
        "Regards,\n{agent.name}",
    );
    saved.intents = vec!["thanks".into()];
    app.on_net(NetEvent::Reply {
        tag: Tag::QuickReplySave,
        result: Ok(Reply::QuickReplySave(QuickReplySaveReply {
            quick_reply: saved,
        })),
    });
    let Some(Overlay::QuickManager(m)) = &app.overlay else {
        panic!()
    };
    assert!(m.form.is_none());
    assert!(app.quick_replies.iter().any(|q| q.id == 9));

    // Edit: filter to it, Enter, change the title.
    typed(&mut app, "sig");
    press(&mut app, "down");
    press(&mut app, "enter");
    let form = form_of(&app);
    assert_eq!((form.id, form.shortcut.as_str()), (Some(9), "sig"));
    press(&mut app, "tab");
    press(&mut app, "ctrl-u");
    typed(&mut app, "Sign-off");
    let fx = press(&mut app, "enter");
    let sent = requests(&fx);
    let [(_, Request::QuickReplySave(save))] = &sent[..] else {
        panic!("{sent:?}")
    };
    assert_eq!(
        (save.quick_reply_id, save.title.as_str()),
        (Some(9), "Sign-off")
    );
    press(&mut app, "esc");

    // Delete asks first.
    let fx = press(&mut app, "delete");
    assert!(requests(&fx).is_empty());
    let fx = press(&mut app, "enter");
    let sent = requests(&fx);
    assert!(
        matches!(&sent[..], [(Tag::QuickReplyDelete(9), Request::QuickReplyDelete(d))] if d.quick_reply_id == 9),
        "{sent:?}"
    );
    app.on_net(NetEvent::Reply {
        tag: Tag::QuickReplyDelete(9),
        result: Ok(Reply::QuickReplyDelete(kefu::protocol::Empty {})),
    });
    assert!(!app.quick_replies.iter().any(|q| q.id == 9));
}

#[test]
fn agents_cannot_open_team_replies_for_editing_but_supervisors_choose_the_scope() {
    let mut app = workbench();
    press(&mut app, "f9");
    listed(&mut app, replies());
    typed(&mut app, "refund");
    press(&mut app, "down");
    press(&mut app, "enter");
    let Some(Overlay::QuickManager(m)) = &app.overlay else {
        panic!()
    };
    assert!(m.form.is_none());
    assert!(app.notice.as_ref().unwrap().0.contains("supervisors"));
    let fx = press(&mut app, "delete");
    assert!(requests(&fx).is_empty());
    press(&mut app, "esc");

    // A supervisor's new reply may be a team one.
    app.me.as_mut().unwrap().role = Role::Supervisor;
    press(&mut app, "f9");
    press(&mut app, "enter");
    typed(&mut app, "t");
    press(&mut app, "tab");
    typed(&mut app, "T");
    press(&mut app, "tab");
    typed(&mut app, "b");
    press(&mut app, "tab");
    press(&mut app, "tab");
    typed(&mut app, " ");
    assert!(form_of(&app).team);
    let fx = press(&mut app, "enter");
    let sent = requests(&fx);
    let [(_, Request::QuickReplySave(save))] = &sent[..] else {
        panic!("{sent:?}")
    };
    assert_eq!(save.scope, QuickScope::Team);
    // The form fits 80×24 with its scope switch.
    let s = screen(&render(&app, 80, 24, "dark"));
    assert!(s.contains("‹ team ›"), "{s}");
}
