//! The History screen in the console's `App` (S19): opening it, the request a filter line
//! sends, results, paging with `before_id` and back, opening a conversation read-only and
//! going back, errors, stale replies, and opening it from the profile. Pure: replies are fed
//! through the normal reply path.

mod console_fixture;
mod console_history_support;

use console_fixture::{NOW, press, typed};
use console_history_support::*;
use kefu::console::app::{Effect, Focus, NetEvent, Overlay};
use kefu::console::i18n::Lang;
use kefu::console::keymap::Context;
use kefu::console::reply::ReplyError;
use kefu::model::Channel;
use kefu::protocol::{ApiError, ErrorCode};

fn requests(fx: &[Effect]) -> usize {
    fx.iter()
        .filter(|f| matches!(f, Effect::Request { .. }))
        .count()
}

#[test]
fn alt_h_opens_history_and_enter_sends_the_parsed_filter() {
    let mut app = app();
    assert!(
        press(&mut app, "alt-h").is_empty(),
        "opening asks nothing yet"
    );
    assert!(is_open(&app));
    assert_eq!(app.context(), Context::History);
    // Letters (even `a`, `e`, `?` that the session list binds) go to the filter line.
    typed(
        &mut app,
        "tag:退款 agent:alice after:2026-11-01 channel:web 没到账 ?",
    );
    assert_eq!(
        history_of(&app).filter,
        "tag:退款 agent:alice after:2026-11-01 channel:web 没到账 ?"
    );
    press(&mut app, "backspace backspace");
    let (_, q) = one_search(&press(&mut app, "enter"));
    assert_eq!(q.tags, ["退款"]);
    assert_eq!(q.agent.as_deref(), Some("alice"));
    assert_eq!(q.channel, Some(Channel::Web));
    assert_eq!(q.text.as_deref(), Some("没到账"));
    // Midnight of 2026-11-01 in Shanghai is 16:00 UTC the day before.
    assert_eq!(q.after, Some(1_793_462_400_000));
    assert_eq!(q.before_id, None, "the first page");
    assert!(history_of(&app).loading);
}

#[test]
fn a_reply_fills_the_list_and_arrows_select() {
    let mut app = app();
    press(&mut app, "alt-h");
    typed(&mut app, "退款");
    let (g, _) = one_search(&press(&mut app, "enter"));
    app.on_net(search_reply(
        g,
        vec![hit(3, "小明"), hit(2, "Bob"), hit(1, "Carol")],
        Some(1),
    ));
    let h = history_of(&app);
    assert!(!h.loading);
    assert_eq!(h.hits.len(), 3);
    assert_eq!((h.page(), h.next), (1, Some(1)));
    press(&mut app, "down down down down");
    assert_eq!(history_of(&app).selected, 2, "stops at the last");
    press(&mut app, "up");
    assert_eq!(history_of(&app).selected, 1);
    press(&mut app, "home");
    assert_eq!(history_of(&app).selected, 0);
}

#[test]
fn paging_sends_before_id_and_back_asks_for_the_page_before() {
    let mut app = app();
    press(&mut app, "alt-h");
    typed(&mut app, "tag:vip");
    let (g1, _) = one_search(&press(&mut app, "enter"));
    app.on_net(search_reply(g1, vec![hit(30, "a"), hit(21, "b")], Some(21)));
    let (g2, q2) = one_search(&press(&mut app, "pagedown"));
    assert_eq!(q2.before_id, Some(21));
    assert_eq!(q2.tags, ["vip"], "the same filter");
    // A second pagedown before the page came is not a third page.
    assert!(press(&mut app, "pagedown").is_empty());
    app.on_net(search_reply(g2, vec![hit(20, "c"), hit(12, "d")], Some(12)));
    assert_eq!(history_of(&app).page(), 2);
    let (g3, q3) = one_search(&press(&mut app, "pagedown"));
    assert_eq!(q3.before_id, Some(12));
    app.on_net(search_reply(g3, vec![hit(5, "e")], None));
    assert_eq!(history_of(&app).page(), 3);
    assert!(press(&mut app, "pagedown").is_empty(), "the last page");
    let (g, back) = one_search(&press(&mut app, "pageup"));
    assert_eq!(back.before_id, Some(21), "page 2 again");
    app.on_net(search_reply(g, vec![hit(20, "c"), hit(12, "d")], Some(12)));
    assert_eq!(history_of(&app).page(), 2);
    let (_, first) = one_search(&press(&mut app, "pageup"));
    assert_eq!(first.before_id, None, "page 1 again");
    assert_eq!(history_of(&app).page(), 1);
    assert!(
        press(&mut app, "pageup").is_empty(),
        "nothing before page 1"
    );
}

#[test]
fn home_goes_back_to_the_first_page() {
    let mut app = app();
    press(&mut app, "alt-h");
    typed(&mut app, "x");
    let (g, _) = one_search(&press(&mut app, "enter"));
    app.on_net(search_reply(g, vec![hit(9, "a")], Some(9)));
    let (g, _) = one_search(&press(&mut app, "pagedown"));
    app.on_net(search_reply(g, vec![hit(4, "b")], Some(4)));
    let (_, q) = one_search(&press(&mut app, "home"));
    assert_eq!(q.before_id, None);
    assert_eq!(history_of(&app).page(), 1);
}

#[test]
fn a_filter_that_cannot_be_read_says_why_and_sends_nothing() {
    let mut app = app();
    press(&mut app, "alt-h");
    typed(&mut app, "tag:退款 foo:bar");
    let fx = press(&mut app, "enter");
    assert_eq!(requests(&fx), 0, "{fx:?}");
    let e = history_of(&app).error.clone().expect("an error");
    assert!(e.contains("`foo:`") && e.contains("tag:, agent:"), "{e}");
    // Typing again clears it; a fixed line goes out.
    press(&mut app, "ctrl-w");
    assert_eq!(history_of(&app).error, None);
    assert_eq!(history_of(&app).filter, "tag:退款 ");
    typed(&mut app, "csat:9");
    press(&mut app, "enter");
    let e = history_of(&app).error.clone().unwrap();
    assert!(e.contains("`csat:9`") && e.contains("4+"), "{e}");
    // In Chinese, in Chinese.
    app.lang = Lang::Zh;
    press(&mut app, "enter");
    let e = history_of(&app).error.clone().unwrap();
    assert!(e.contains("无法识别 `csat:9`"), "{e}");
}

#[test]
fn a_stale_reply_for_an_older_query_is_dropped() {
    let mut app = app();
    press(&mut app, "alt-h");
    typed(&mut app, "退款");
    let (old, _) = one_search(&press(&mut app, "enter"));
    typed(&mut app, " 到账");
    let (new, q) = one_search(&press(&mut app, "enter"));
    assert_ne!(old, new);
    assert_eq!(q.text.as_deref(), Some("退款 到账"));
    app.on_net(search_reply(new, vec![hit(8, "new")], None));
    app.on_net(search_reply(
        old,
        vec![hit(1, "old"), hit(2, "old")],
        Some(1),
    ));
    let h = history_of(&app);
    assert_eq!(h.hits.len(), 1);
    assert_eq!(h.hits[0].customer, "new");
    assert_eq!(h.next, None);
    // An error for the old one does not show either.
    app.on_net(NetEvent::Reply {
        tag: kefu::console::app::Tag::History(
            kefu::console::app::history_state::HistoryTag::Search(old),
        ),
        result: Err(ReplyError::Api(ApiError::new(
            ErrorCode::Unavailable,
            "old",
        ))),
    });
    assert_eq!(history_of(&app).failed, None);
}

#[test]
fn a_refused_search_is_shown_on_the_screen() {
    let mut app = app();
    press(&mut app, "alt-h");
    typed(&mut app, "x");
    let (g, _) = one_search(&press(&mut app, "enter"));
    app.on_net(NetEvent::Reply {
        tag: kefu::console::app::Tag::History(
            kefu::console::app::history_state::HistoryTag::Search(g),
        ),
        result: Err(ReplyError::Api(ApiError::new(
            ErrorCode::Unavailable,
            "history search is not available yet",
        ))),
    });
    let h = history_of(&app);
    assert!(!h.loading);
    assert_eq!(
        h.failed.as_deref(),
        Some("history search is not available yet")
    );
    assert_eq!(
        app.notice, None,
        "said on the screen, not in the status bar"
    );
}

#[test]
fn enter_opens_a_hit_read_only_and_esc_goes_back_keeping_page_and_selection() {
    let mut app = app();
    press(&mut app, "alt-h");
    typed(&mut app, "退款");
    let (g, _) = one_search(&press(&mut app, "enter"));
    app.on_net(search_reply(g, vec![hit(9, "a")], Some(9)));
    let (g, _) = one_search(&press(&mut app, "pagedown"));
    app.on_net(search_reply(g, vec![hit(6, "b"), hit(5, "小明")], Some(5)));
    press(&mut app, "down");
    let fx = press(&mut app, "enter");
    let (session, pages) = opening(&fx);
    let (sg, id) = session.expect("history.session");
    assert_eq!(id, 5);
    assert_eq!(pages.len(), 1);
    let (tg, page) = &pages[0];
    assert_eq!(*tg, sg);
    assert_eq!(
        (page.session_id, page.after_seq, page.limit),
        (5, Some(0), Some(100)),
        "the first page of messages, oldest first"
    );
    app.on_net(session_reply(sg, 5));
    app.on_net(transcript_reply(sg, 5, messages(5), 4));
    let v = history_of(&app).view.as_ref().expect("open");
    assert_eq!(v.lines.len(), 4);
    assert!(v.lines[2].internal, "the note is kept as a note");
    assert!(v.complete);
    assert_eq!(v.detail.as_ref().unwrap().transfers.len(), 1);
    // Typing in the conversation does not edit the (hidden) filter line.
    typed(&mut app, "zz");
    assert_eq!(history_of(&app).filter, "退款");
    press(&mut app, "esc");
    let h = history_of(&app);
    assert!(h.view.is_none() && is_open(&app));
    assert_eq!((h.page(), h.selected), (2, 1));
    assert_eq!(h.hits.len(), 2);
    press(&mut app, "esc");
    assert!(!is_open(&app), "esc on the results closes History");
    // alt-h brings it back as it was.
    press(&mut app, "alt-h");
    let h = history_of(&app);
    assert!(is_open(&app));
    assert_eq!((h.page(), h.selected, h.filter.as_str()), (2, 1, "退款"));
}

#[test]
fn a_long_conversation_loads_page_by_page() {
    let mut app = app();
    press(&mut app, "alt-h");
    typed(&mut app, "x");
    let (g, _) = one_search(&press(&mut app, "enter"));
    app.on_net(search_reply(g, vec![hit(5, "小明")], None));
    let (session, _) = opening(&press(&mut app, "enter"));
    let (sg, _) = session.unwrap();
    let full: Vec<_> = (1..=100)
        .map(|seq| {
            console_fixture::msg(
                5,
                seq,
                kefu::model::AuthorKind::Customer,
                "小明",
                "第 n 条",
                NOW,
            )
        })
        .collect();
    app.on_net(transcript_reply(sg, 5, full, 150));
    assert!(!history_of(&app).view.as_ref().unwrap().complete);
    console_fixture::render(&app, 120, 40, "dark");
    let (_, pages) = opening(&press(&mut app, "end"));
    assert_eq!(pages.len(), 1, "at the bottom: the next page");
    assert_eq!(pages[0].1.after_seq, Some(100));
    assert!(
        opening(&press(&mut app, "pagedown")).1.is_empty(),
        "one at a time"
    );
    let rest: Vec<_> = (101..=150)
        .map(|seq| {
            console_fixture::msg(
                5,
                seq,
                kefu::model::AuthorKind::Customer,
                "小明",
                "后来",
                NOW,
            )
        })
        .collect();
    app.on_net(transcript_reply(sg, 5, rest, 150));
    let v = history_of(&app).view.as_ref().unwrap();
    assert_eq!(v.lines.len(), 150);
    assert!(v.complete);
    console_fixture::render(&app, 120, 40, "dark");
    assert!(opening(&press(&mut app, "end")).1.is_empty(), "all loaded");
}

#[test]
fn replies_for_a_conversation_closed_or_reopened_are_dropped() {
    let mut app = app();
    press(&mut app, "alt-h");
    typed(&mut app, "x");
    let (g, _) = one_search(&press(&mut app, "enter"));
    app.on_net(search_reply(g, vec![hit(5, "小明"), hit(4, "b")], None));
    let (first, _) = opening(&press(&mut app, "enter"));
    press(&mut app, "esc down");
    let (second, _) = opening(&press(&mut app, "enter"));
    let (g1, g2) = (first.unwrap().0, second.unwrap().0);
    assert_ne!(g1, g2);
    app.on_net(transcript_reply(g1, 5, messages(5), 4));
    let v = history_of(&app).view.as_ref().unwrap();
    assert_eq!(v.session_id, 4);
    assert!(
        v.lines.is_empty(),
        "conversation 5's messages are not shown in 4"
    );
}

#[test]
fn from_the_profile_alt_h_searches_that_customers_conversations() {
    let mut app = app();
    press(&mut app, "alt-i");
    assert_eq!(app.focus, Focus::Profile);
    let (_, q) = one_search(&press(&mut app, "alt-h"));
    assert_eq!(q.customer.as_deref(), Some("#11"));
    assert_eq!(history_of(&app).filter, "customer:#11");
    assert_eq!(history_of(&app).ran.as_deref(), Some("customer:#11"));
}

#[test]
fn help_opens_over_history_and_closes_back_into_it() {
    let mut app = app();
    press(&mut app, "alt-h");
    typed(&mut app, "tag:vip");
    press(&mut app, "f1");
    assert!(matches!(app.overlay, Some(Overlay::Help(_))));
    press(&mut app, "esc");
    assert!(is_open(&app), "back in History");
    assert_eq!(history_of(&app).filter, "tag:vip");
}

#[test]
fn workbench_keys_leave_history_and_act() {
    let mut plain = app();
    press(&mut plain, "alt-1");
    let mut app = app();
    assert_ne!(app.selected, plain.selected);
    press(&mut app, "alt-h");
    press(&mut app, "alt-1");
    assert!(!is_open(&app));
    assert_eq!(
        app.selected, plain.selected,
        "as alt-1 does on the workbench"
    );
    press(&mut app, "alt-h");
    press(&mut app, "alt-h");
    assert!(!is_open(&app), "alt-h toggles");
}

#[test]
fn the_vim_keymap_opens_and_walks_history_too() {
    let vim = kefu::console::keymap::Keymap::builtin("vim").unwrap();
    let mut app = app();
    console_fixture::press_with(&mut app, &vim, "alt-h");
    assert!(is_open(&app));
    // j and k are letters of the filter here, not movement.
    console_fixture::press_with(&mut app, &vim, "j k");
    assert_eq!(history_of(&app).filter, "jk");
    console_fixture::press_with(&mut app, &vim, "ctrl-u");
    typed(&mut app, "x");
    let (g, _) = one_search(&console_fixture::press_with(&mut app, &vim, "enter"));
    app.on_net(search_reply(g, vec![hit(5, "a"), hit(4, "b")], Some(4)));
    console_fixture::press_with(&mut app, &vim, "ctrl-j");
    assert_eq!(history_of(&app).selected, 1);
    let (_, q) = one_search(&console_fixture::press_with(&mut app, &vim, "pagedown"));
    assert_eq!(q.before_id, Some(4));
    console_fixture::press_with(&mut app, &vim, "esc");
    assert!(!is_open(&app));
}

#[test]
fn pasted_text_goes_to_the_filter_line() {
    let mut app = app();
    press(&mut app, "alt-h");
    app.on_paste("tag:退款\r\n到账\u{1b}[2J");
    assert_eq!(
        history_of(&app).filter,
        "tag:退款  到账[2J",
        "line breaks are spaces, other control characters are dropped"
    );
}
