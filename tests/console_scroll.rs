//! Scrolling the transcript on plain `App` state, drawn with ratatui's test backend: every
//! loaded line is reachable (long messages included), home/end in the chat, older messages
//! paged in from the server, and a new message not moving a scrolled-back view.

#[path = "support/app_fixture.rs"]
mod app_fixture;

use app_fixture::*;
use kefu::console::action::Action;
use kefu::console::app::{Focus, Tag};
use kefu::model::SessionState;
use kefu::protocol::{Event, MessageView};

#[test]
fn every_loaded_line_can_be_scrolled_to() {
    let (mut app, _) = with_session(60);
    let mut messages: Vec<MessageView> =
        (1..=60).map(|n| msg(1, n, &format!("line {n}"))).collect();
    // A 200-line message in the middle must not cut off what comes before it.
    messages[29].body = (1..=200)
        .map(|n| format!("long {n}"))
        .collect::<Vec<_>>()
        .join("\n");
    app.on_net(transcript_reply(Tag::Transcript(1), messages));
    app.focus = Focus::Chat;
    let screen = render(&app, 80, 24);
    assert!(screen.contains("line 60") && !screen.contains("line 1\n"));
    for _ in 0..400 {
        app.update(Action::ScrollUp);
    }
    let screen = render(&app, 80, 24);
    assert!(
        screen.contains("  line 1 "),
        "the first message is reachable:\n{screen}"
    );
    // The top is the top: more scrolling does not move past it into empty space.
    let at_top = app.sessions[&1].scroll;
    app.update(Action::PageUp);
    assert_eq!(app.sessions[&1].scroll, at_top);
    // One step back down moves exactly one row.
    app.update(Action::ScrollDown);
    assert_eq!(app.sessions[&1].scroll, at_top - 1);
    // End: back to the newest.
    press(&mut app, "end");
    assert_eq!(app.sessions[&1].scroll, 0);
    assert_eq!(app.selected, Some(1));
    let screen = render(&app, 80, 24);
    assert!(screen.contains("line 60"), "{screen}");
}

#[test]
fn home_and_end_in_the_chat_go_to_the_first_and_last_message_not_to_other_sessions() {
    let (mut app, _) = with_session(5);
    // A second session, so switching would be visible.
    app.on_net(ev(Event::Session {
        session: session(2, 0, SessionState::Active),
    }));
    app.on_net(transcript_reply(
        Tag::Transcript(1),
        (1..=40).map(|n| msg(1, n, &format!("line {n}"))).collect(),
    ));
    app.focus = Focus::Chat;
    render(&app, 80, 24);
    press(&mut app, "home");
    assert_eq!(app.selected, Some(1), "home stays in this session");
    let screen = render(&app, 80, 24);
    assert!(screen.contains("  line 1 "), "{screen}");
    press(&mut app, "end");
    assert_eq!(app.selected, Some(1), "end stays in this session");
    assert!(render(&app, 80, 24).contains("line 40"));
    // In the session list, home/end still move between sessions.
    app.focus = Focus::Sessions;
    press(&mut app, "end");
    assert_eq!(app.selected, Some(2));
}

#[test]
fn scrolling_past_the_oldest_loaded_message_pages_older_ones_in() {
    let (mut app, fx) = with_session(250);
    // Opening asks for the newest page only.
    let reqs = transcript_requests(&fx);
    assert_eq!(reqs.len(), 1, "{fx:?}");
    assert_eq!(reqs[0].0, Tag::Transcript(1));
    assert_eq!(reqs[0].1.after_seq, Some(150));
    app.on_net(transcript_reply(
        Tag::Transcript(1),
        (151..=250)
            .map(|n| msg(1, n, &format!("line {n}")))
            .collect(),
    ));
    app.focus = Focus::Chat;
    render(&app, 80, 24);
    let mut asked = Vec::new();
    for _ in 0..300 {
        asked.extend(transcript_requests(&app.update(Action::ScrollUp)));
    }
    assert_eq!(asked.len(), 1, "one page at a time: {asked:?}");
    assert_eq!(asked[0].0, Tag::OlderTranscript(1));
    assert_eq!(asked[0].1.after_seq, Some(50));
    assert_eq!(asked[0].1.limit, Some(100));
    let before = app.sessions[&1].scroll;
    app.on_net(transcript_reply(
        Tag::OlderTranscript(1),
        (51..=150)
            .map(|n| msg(1, n, &format!("line {n}")))
            .collect(),
    ));
    assert_eq!(app.sessions[&1].lines.len(), 200);
    assert_eq!(
        app.sessions[&1].scroll, before,
        "the view stays where it was"
    );
    // Home pages in everything left, then shows the first message.
    let fx = press(&mut app, "home");
    let reqs = transcript_requests(&fx);
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].1.after_seq, Some(0));
    assert_eq!(reqs[0].1.limit, Some(50));
    let fx = app.on_net(transcript_reply(
        Tag::OlderTranscript(1),
        (1..=50).map(|n| msg(1, n, &format!("line {n}"))).collect(),
    ));
    assert!(transcript_requests(&fx).is_empty(), "nothing older than 1");
    let seqs: Vec<i64> = app.sessions[&1]
        .lines
        .iter()
        .filter_map(|l| l.seq)
        .collect();
    assert_eq!(
        seqs,
        (1..=250).collect::<Vec<_>>(),
        "each message once, in order"
    );
    let screen = render(&app, 80, 24);
    assert!(screen.contains("  line 1 "), "{screen}");
    // Scrolling up at the very first message asks for nothing more.
    assert!(transcript_requests(&app.update(Action::ScrollUp)).is_empty());
}

#[test]
fn a_new_message_while_scrolled_back_keeps_the_view_still() {
    let (mut app, _) = with_session(40);
    app.on_net(transcript_reply(
        Tag::Transcript(1),
        (1..=40).map(|n| msg(1, n, &format!("line {n}"))).collect(),
    ));
    app.focus = Focus::Chat;
    render(&app, 80, 24);
    for _ in 0..10 {
        app.update(Action::ScrollUp);
    }
    let before = render(&app, 80, 24);
    app.on_net(ev(Event::Message {
        message: msg(1, 41, "a new one"),
    }));
    let after = render(&app, 80, 24);
    let chat = |s: &str| -> Vec<String> {
        s.lines()
            .skip(1)
            .take(15)
            .map(|l| l.chars().skip(31).take(40).collect())
            .collect()
    };
    assert_eq!(chat(&before), chat(&after));
}
