//! Suggested replies and message intents on plain `App` state: a new customer message in the
//! focused session asks for suggestions once typing… pauses (debounced), a stale answer (an
//! older request, another session) is dropped, the adopt key fills the composer (a quick
//! reply with `{customer}` filled), the strip fits 80×24 in Chinese, and a message's intent
//! shows next to it, sanitised.

#[path = "support/app_fixture.rs"]
mod app_fixture;

use app_fixture::*;
use kefu::console::app::suggest::SUGGEST_DEBOUNCE_MS;
use kefu::console::app::{App, Effect, Focus, NetEvent, Tag};
use kefu::console::i18n::Lang;
use kefu::console::reply::Reply;
use kefu::protocol::{
    ArticleStatus, ArticleSummary, Event, QuickReply, Request, ServerFrame, SuggestReply,
    SuggestedArticle, SuggestedQuickReply,
};

/// The `session.suggest` requests among `fx`: (generation, session).
fn suggest_requests(fx: &[Effect]) -> Vec<(u64, i64)> {
    fx.iter()
        .filter_map(|f| match f {
            Effect::Request {
                tag: Tag::Suggest(g),
                request: Request::Suggest(q),
            } => Some((*g, q.session_id)),
            _ => None,
        })
        .collect()
}

/// Lets the debounce pass and returns what went out.
fn after_pause(app: &mut App) -> Vec<(u64, i64)> {
    assert!(
        suggest_requests(&app.suggest_due()).is_empty(),
        "not before the pause"
    );
    app.now += SUGGEST_DEBOUNCE_MS;
    suggest_requests(&app.suggest_due())
}

fn reply(session: i64, for_seq: i64) -> SuggestReply {
    SuggestReply {
        session_id: session,
        for_seq: Some(for_seq),
        intent: Some("refund".into()),
        intent_zh: "退款".into(),
        intent_en: "Refund".into(),
        articles: vec![SuggestedArticle {
            article: ArticleSummary {
                id: 11,
                title: "售后政策".into(),
                keywords: vec![],
                lang: "zh".into(),
                updated_at: 0,
                category: "退款".into(),
                tags: vec![],
                questions: vec![],
                status: ArticleStatus::Published,
                snippet: None,
            },
            body: "签收后7天内可申请无理由退货。".into(),
            score: 1.5,
        }],
        quick_replies: vec![SuggestedQuickReply { id: 5, score: 0.4 }],
    }
}

fn answer(generation: u64, r: SuggestReply) -> NetEvent {
    NetEvent::Reply {
        tag: Tag::Suggest(generation),
        result: Ok(Reply::Suggest(r)),
    }
}

/// Session 1 open and focused, its transcript loaded with customer message 1, quick reply 5.
fn ready() -> App {
    let (mut app, _) = with_session(1);
    app.selected = Some(1);
    app.on_net(transcript_reply(
        Tag::Transcript(1),
        vec![msg(1, 1, "我想退货")],
    ));
    app.quick_replies = vec![QuickReply {
        id: 5,
        shortcut: "ret".into(),
        title: "退货说明".into(),
        body: "{customer} 您好，请在订单页申请退货".into(),
        ..Default::default()
    }];
    app
}

#[test]
fn a_new_customer_message_asks_for_suggestions_after_a_pause() {
    let mut app = ready();
    let first = after_pause(&mut app);
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].1, 1);
    // Asked once: nothing more until something changes.
    app.now += 10 * SUGGEST_DEBOUNCE_MS;
    assert!(suggest_requests(&app.suggest_due()).is_empty());
    app.on_net(answer(first[0].0, reply(1, 1)));
    assert_eq!(app.suggestions().len(), 2);
    // A new customer message: asked again, for it.
    app.on_net(ev(Event::Message {
        message: msg(1, 2, "还有运费怎么算"),
    }));
    let again = after_pause(&mut app);
    assert_eq!(again.len(), 1);
    assert!(again[0].0 > first[0].0);
}

#[test]
fn stale_answers_are_dropped() {
    let mut app = ready();
    let (g1, _) = after_pause(&mut app)[0];
    app.on_net(ev(Event::Message {
        message: msg(1, 2, "还有运费怎么算"),
    }));
    let (g2, _) = after_pause(&mut app)[0];
    // Answers to the first request arrive late: dropped, whatever they are for.
    app.on_net(answer(g1, reply(1, 1)));
    app.on_net(answer(g1, reply(1, 2)));
    assert!(app.suggestions().is_empty());
    // An answer for an older message, even to the latest request: dropped.
    app.on_net(answer(g2, reply(1, 1)));
    assert!(app.suggestions().is_empty());
    // An answer for another session: dropped.
    app.on_net(answer(g2, reply(2, 2)));
    assert!(app.suggestions().is_empty());
    app.on_net(answer(g2, reply(1, 2)));
    assert_eq!(app.suggestions().len(), 2);
}

#[test]
fn the_adopt_key_fills_the_composer() {
    let mut app = ready();
    let (g, _) = after_pause(&mut app)[0];
    app.on_net(answer(g, reply(1, 1)));
    // The answer labels the message it is for (in the console's language).
    assert_eq!(
        app.message_intent_label(1, Some(1)).as_deref(),
        Some("Refund")
    );
    // The profile names the conversation's intent the same way once a message was labelled.
    assert_eq!(app.intent_label(1, "refund"), "Refund");
    assert_eq!(app.intent_label(1, "invoice"), "invoice");
    assert_eq!(app.intent_label(2, "refund"), "refund");
    // The article first…
    press(&mut app, "alt-y");
    assert_eq!(app.focus, Focus::Compose);
    let draft = app.current().unwrap().draft.text();
    assert_eq!(draft, "签收后7天内可申请无理由退货。");
    press(&mut app, "ctrl-u");
    // …then the quick reply, with the customer's name filled in.
    press(&mut app, "alt-g");
    press(&mut app, "alt-y");
    let draft = app.current().unwrap().draft.text();
    let nick = app.current().unwrap().view.customer.nickname.clone();
    assert_eq!(draft, format!("{nick} 您好，请在订单页申请退货"));
    // Nothing to adopt: a notice, the composer untouched.
    let (mut bare, _) = with_session(0);
    bare.selected = Some(1);
    press(&mut bare, "alt-y");
    assert!(bare.current().unwrap().draft.text().is_empty());
    assert!(bare.notice.is_some());
}

#[test]
fn the_strip_and_the_intent_label_fit_80_by_24_in_chinese() {
    let mut app = ready();
    app.lang = Lang::Zh;
    let (g, _) = after_pause(&mut app)[0];
    app.on_net(answer(g, reply(1, 1)));
    app.on_net(NetEvent::Frame(ServerFrame::MessageIntent {
        session_id: 1,
        seq: 1,
        intent: "refund".into(),
        confidence: 0.9,
        zh: "退款\u{1b}[31m".into(),
        en: "Refund".into(),
    }));
    let screen = render(&app, 80, 24);
    assert!(screen.contains("推荐"), "{screen}");
    assert!(screen.contains("1 文章 售后政策"), "{screen}");
    assert!(screen.contains("2 快捷 退货说明"), "{screen}");
    assert!(screen.contains("· 退款"), "{screen}");
    assert!(!screen.contains('\u{1b}'), "sanitised: {screen}");
    // Too small for the list: the highlighted entry alone, or nothing.
    let small = render(&app, 80, 12);
    assert!(small.contains("售后政策"), "{small}");
    assert!(!small.contains("退货说明"), "{small}");
    let tiny = render(&app, 60, 8);
    assert!(!tiny.contains("售后政策"), "{tiny}");
}
