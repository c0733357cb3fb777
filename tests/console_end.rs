//! The console's End dialog and pending end (issue 10, S16–S18) on plain `App` state: the
//! customer and conversation named, phrases picked or typed (statements by default, the
//! team's `closing` quick replies offered), required tags refused locally and by the server
//! with what was typed kept, suggestions, the outcome's visible marker, "end when silent"
//! with its countdown and `alt-x` cancel, and the rating arriving. Snapshots at 120×40 and
//! 80×24 with CJK names.

mod console_fixture;

use console_fixture::*;
use kefu::console::action::Action;
use kefu::console::app::{App, Effect, EndField, EndTag, LayoutPrefs, NetEvent, Overlay, Tag};
use kefu::console::i18n::Lang;
use kefu::console::reply::{Reply, ReplyError};
use kefu::model::{EndReason, SessionState, Strategy};
use kefu::protocol::request as req;
use kefu::protocol::{
    ApiError, EndReply, ErrorCode, Event, PendingEnd, QueueInfo, QuickReply, RatingInfo, Request,
    SnapshotReply, TagCount, TagsSuggestReply,
};

/// A Chinese console serving 王小二 in 售后, a group that requires tags, 12 messages in.
fn zh_app() -> App {
    let mut app = App::new(Lang::Zh, LayoutPrefs::default(), NOW);
    app.on_net(NetEvent::Connected {
        agent: me(),
        must_change_password: false,
        resumed: false,
    });
    let mut s = session(5, customer(21, "王小二", false, &[]), SessionState::Active);
    s.group = "售后".into();
    s.last_seq = 12;
    let snapshot = SnapshotReply {
        agent: Some(me()),
        sessions: vec![s],
        offers: vec![],
        queued: vec![],
        queues: vec![QueueInfo {
            group: "售后".into(),
            strategy: Strategy::LeastBusy,
            waiting: 0,
            require_tags: true,
        }],
        cursor: 10,
    };
    app.on_net(NetEvent::Reply {
        tag: Tag::Snapshot,
        result: Ok(Reply::Snapshot(snapshot)),
    });
    app.quick_replies = vec![QuickReply {
        id: 9,
        shortcut: "bye".into(),
        title: "道别".into(),
        body: "{customer.nickname}，感谢您的耐心，祝您购物愉快！".into(),
        intents: vec!["closing".into()],
        ..Default::default()
    }];
    app.select(5);
    app
}

fn dialog(app: &App) -> &kefu::console::app::EndDialog {
    match &app.overlay {
        Some(Overlay::End(d)) => d,
        other => panic!("the End dialog is not open: {other:?}"),
    }
}

fn reply(app: &mut App, tag: EndTag, result: Result<Reply, ReplyError>) -> Vec<Effect> {
    app.on_net(NetEvent::Reply {
        tag: Tag::Ending(tag),
        result,
    })
}

fn end_request(fx: &[Effect]) -> req::End {
    fx.iter()
        .find_map(|e| match e {
            Effect::Request {
                request: Request::End(end),
                ..
            } => Some(end.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no session.end in {fx:?}"))
}

#[test]
fn the_dialog_opens_with_a_statement_and_asks_for_tag_suggestions() {
    let mut app = zh_app();
    let fx = app.update(Action::End);
    assert!(
        matches!(fx.as_slice(), [Effect::Request { request: Request::TagsSuggest(q), .. }] if q.prefix.is_empty()),
        "{fx:?}"
    );
    let d = dialog(&app);
    assert_eq!(d.phrase, "感谢您的咨询，祝您生活愉快！");
    assert!(
        !d.phrase.ends_with('？') && !d.phrase.ends_with('?'),
        "a statement"
    );
    assert!(
        d.phrases
            .contains(&"王小二，感谢您的耐心，祝您购物愉快！".to_string()),
        "the team's closing quick reply, filled in: {:?}",
        d.phrases
    );
    assert!(d.require_tags);
    assert_eq!(d.messages, Some(12));
    assert_eq!(d.nickname, "王小二");
}

#[test]
fn a_phrase_is_picked_from_the_list_or_typed() {
    let mut app = zh_app();
    app.update(Action::End);
    app.update(Action::SelectNext);
    assert_eq!(dialog(&app).phrase, "王小二，感谢您的耐心，祝您购物愉快！");
    app.update(Action::ClearLine);
    typed(&mut app, "再见");
    assert_eq!(dialog(&app).phrase, "再见");
    assert_eq!(dialog(&app).phrase_at, None, "typed: no list entry chosen");
}

#[test]
fn a_required_tag_keeps_the_dialog_open_and_what_was_typed() {
    let mut app = zh_app();
    app.update(Action::End);
    app.update(Action::ClearLine);
    typed(&mut app, "好的再见");
    let fx = app.update(Action::Confirm);
    assert!(fx.is_empty(), "nothing sent without a tag: {fx:?}");
    let d = dialog(&app);
    assert!(
        d.error.as_deref().unwrap().contains("标签"),
        "{:?}",
        d.error
    );
    assert_eq!(d.field, EndField::Tags, "the tags field gets the keyboard");
    assert_eq!(d.phrase, "好的再见", "what was typed is kept");
    // Suggestions arrive; typing narrows them; enter adds the highlighted one.
    let generation = d.generation;
    reply(
        &mut app,
        EndTag::Suggest(generation),
        Ok(Reply::TagsSuggest(TagsSuggestReply {
            tags: vec![
                TagCount {
                    tag: "物流问题".into(),
                    count: 9,
                },
                TagCount {
                    tag: "退款".into(),
                    count: 3,
                },
            ],
        })),
    );
    assert_eq!(dialog(&app).matching(), ["物流问题", "退款"]);
    typed(&mut app, "退");
    assert_eq!(dialog(&app).matching(), ["退款"]);
    app.update(Action::SelectNext);
    app.update(Action::Confirm);
    assert_eq!(dialog(&app).tags, ["退款"]);
    // An empty tag input: enter ends, with the tag and the typed phrase.
    let fx = app.update(Action::Confirm);
    let end = end_request(&fx);
    assert_eq!(end.tags, ["退款"]);
    assert_eq!(end.closing_message.as_deref(), Some("好的再见"));
    assert_eq!(end.after_silence_secs, None, "now, by default");
    // The server refuses anyway (say, the rule changed): its reason shows, nothing is lost.
    let e = ApiError::new(
        ErrorCode::Invalid,
        "conversations of group `售后` must be tagged",
    );
    reply(&mut app, EndTag::End(5), Err(ReplyError::Api(e)));
    let d = dialog(&app);
    assert!(d.error.as_deref().unwrap().contains("must be tagged"));
    assert!(!d.sending);
    assert_eq!(
        (d.phrase.as_str(), d.tags.clone()),
        ("好的再见", vec!["退款".to_string()])
    );
}

#[test]
fn the_outcome_and_the_silence_wait_are_chosen_with_markers() {
    let mut app = workbench();
    app.update(Action::End);
    app.update(Action::NextField); // tags
    app.update(Action::NextField); // outcome
    let screen0 = screen(&render(&app, 120, 40, "dark"));
    assert!(
        screen0.contains("(•) Resolved  ( ) Unresolved"),
        "{screen0}"
    );
    app.update(Action::CursorRight);
    let screen1 = screen(&render(&app, 120, 40, "dark"));
    assert!(
        screen1.contains("( ) Resolved  (•) Unresolved"),
        "{screen1}"
    );
    app.update(Action::NextField); // when
    typed(&mut app, "3");
    assert!(dialog(&app).wait, "typing minutes chooses waiting");
    let screen2 = screen(&render(&app, 120, 40, "dark"));
    assert!(
        screen2.contains("( ) now  (•) when the customer is silent for 3 min"),
        "{screen2}"
    );
    let end = end_request(&app.update(Action::Confirm));
    assert_eq!(end.outcome, Some(EndReason::Unresolved));
    assert_eq!(end.after_silence_secs, Some(180));
    // The server starts the countdown: the dialog closes, the list and title count down.
    reply(
        &mut app,
        EndTag::End(1),
        Ok(Reply::End(EndReply {
            session_id: 1,
            ends_at: Some(NOW + 180_000),
        })),
    );
    assert!(app.overlay.is_none());
    assert!(
        app.sessions.contains_key(&1),
        "still open while it counts down"
    );
    app.now = NOW + 60_000;
    let screen3 = screen(&render(&app, 120, 40, "dark"));
    assert!(screen3.contains("ends in 2:00"), "{screen3}");
    assert!(
        screen3.contains("alt-x cancel end"),
        "the status bar says how: {screen3}"
    );
    // alt-x cancels it.
    let fx = press(&mut app, "alt-x");
    assert!(
        matches!(fx.as_slice(), [Effect::Request { request: Request::EndCancel(c), .. }] if c.session_id == 1),
        "{fx:?}"
    );
    reply(
        &mut app,
        EndTag::Cancel(1),
        Ok(Reply::EndCancel(EndReply {
            session_id: 1,
            ends_at: None,
        })),
    );
    assert_eq!(app.sessions[&1].view.ends_at, None);
    let screen4 = screen(&render(&app, 120, 40, "dark"));
    assert!(!screen4.contains("ends in"), "{screen4}");
    // With nothing pending, alt-x says so and sends nothing.
    assert!(press(&mut app, "alt-x").is_empty());
    assert!(app.notice.as_ref().unwrap().0.contains("No end is pending"));
}

#[test]
fn a_customer_message_moves_the_countdown_the_server_announces() {
    let mut app = workbench();
    let mut v = app.sessions[&1].view.clone();
    v.ends_at = Some(NOW + 120_000);
    v.pending_end = Some(PendingEnd {
        silence_secs: 120,
        outcome: EndReason::Resolved,
    });
    app.on_net(ev(Event::Session { session: v.clone() }));
    assert!(screen(&render(&app, 120, 40, "dark")).contains("ends in 2:00"));
    v.ends_at = Some(NOW + 150_000);
    app.on_net(ev(Event::Session { session: v }));
    assert!(screen(&render(&app, 120, 40, "dark")).contains("ends in 2:30"));
}

#[test]
fn the_rating_arrives_in_the_status_line_and_the_history() {
    let mut app = workbench();
    app.on_net(ev(Event::SessionRated(RatingInfo {
        session_id: 0,
        customer_id: 11,
        nickname: "小明\u{1b}[31m".into(),
        stars: 4,
        comment: Some("很快，谢谢".into()),
        rated_at: NOW,
    })));
    let (notice, _) = app.notice.clone().unwrap();
    assert!(
        notice.contains("★★★★☆") && notice.contains("很快，谢谢"),
        "{notice}"
    );
    assert!(!notice.contains('\u{1b}'), "sanitised: {notice:?}");
    let past = app.sessions[&1].past.as_ref().unwrap();
    let p = past.iter().find(|p| p.id == 0).unwrap();
    assert_eq!(
        (p.csat, p.csat_comment.as_deref()),
        (Some(4), Some("很快，谢谢"))
    );
}

#[test]
fn end_dialog_snapshots() {
    let mut app = zh_app();
    app.update(Action::End);
    insta::assert_snapshot!(
        "end_dialog_zh_120x40",
        screen(&render(&app, 120, 40, "dark"))
    );
    app.update(Action::Confirm);
    insta::assert_snapshot!(
        "end_dialog_zh_tag_required_80x24",
        screen(&render(&app, 80, 24, "dark"))
    );
    let mut en = workbench();
    en.update(Action::End);
    insta::assert_snapshot!(
        "end_dialog_en_120x40",
        screen(&render(&en, 120, 40, "dark"))
    );
    insta::assert_snapshot!("end_dialog_en_80x24", screen(&render(&en, 80, 24, "dark")));
}

#[test]
fn phrases_and_names_from_the_network_are_drawn_inert() {
    let mut app = zh_app();
    app.quick_replies[0].body = "再见\u{1b}[2J\u{202e}".into();
    app.update(Action::End);
    app.update(Action::SelectNext);
    let term = render(&app, 120, 40, "dark");
    for cell in term.backend().buffer().content() {
        assert!(
            !cell
                .symbol()
                .chars()
                .any(|c| c.is_control() || c == '\u{202e}'),
            "raw {:?}",
            cell.symbol()
        );
    }
    let shown = screen(&term);
    assert!(
        shown.contains("再见␛[2J⟦U+202E⟧"),
        "visibly marked: {shown}"
    );
}

#[test]
fn opened_again_while_pending_the_dialog_shows_that_end() {
    let mut app = workbench();
    let mut v = app.sessions[&1].view.clone();
    v.ends_at = Some(NOW + 300_000);
    v.pending_end = Some(PendingEnd {
        silence_secs: 300,
        outcome: EndReason::Unresolved,
    });
    app.on_net(ev(Event::Session { session: v }));
    app.update(Action::End);
    let d = dialog(&app);
    assert!(d.wait && !d.resolved && d.wait_mins == 5, "{d:?}");
}

#[test]
fn a_conversation_ended_underneath_the_dialog_closes_it() {
    let mut app = zh_app();
    app.update(Action::End);
    assert!(matches!(app.overlay, Some(Overlay::End(_))));
    // The customer left (or a supervisor ended it): nothing is left for the dialog to end.
    let mut v = app.sessions[&5].view.clone();
    v.state = SessionState::Ended;
    v.end_reason = Some(EndReason::CustomerLeft);
    app.on_net(ev(Event::Session { session: v }));
    assert!(app.overlay.is_none(), "{:?}", app.overlay);
    assert!(!app.sessions.contains_key(&5));
}
