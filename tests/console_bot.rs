//! The console shows the agent what the answering bot did before handing a conversation over:
//! the profile panel's "Bot" line with the hand-off's reason and the turns it answered.

#[path = "support/app_fixture.rs"]
mod app_fixture;

use app_fixture::*;
use kefu::console::app::{App, LayoutPrefs, NetEvent, Tag};
use kefu::console::i18n::Lang;
use kefu::console::reply::Reply;
use kefu::model::SessionState;
use kefu::protocol::{BotInfo, BotOutcome, Handoff, HandoffReason, SnapshotReply};

fn app_with(bot: Option<BotInfo>, lang: Lang) -> App {
    let mut app = App::new(lang, LayoutPrefs::default(), NOW);
    app.on_net(NetEvent::Connected {
        agent: me(),
        must_change_password: false,
        resumed: false,
    });
    let mut view = session(1, 0, SessionState::Active);
    view.bot = bot;
    app.on_net(NetEvent::Reply {
        tag: Tag::Snapshot,
        result: Ok(Reply::Snapshot(SnapshotReply {
            agent: Some(me()),
            offers: vec![],
            sessions: vec![view],
            queued: vec![],
            queues: vec![],
            cursor: 1,
        })),
    });
    app
}

fn handed_off() -> BotInfo {
    BotInfo {
        turns: 3,
        answers: 1,
        unanswered: 0,
        handoff: Some(Handoff {
            reason: HandoffReason::Requested,
            at: NOW - 60_000,
        }),
        outcome: Some(BotOutcome::HandedOff),
    }
}

#[test]
fn the_profile_says_why_the_bot_handed_off() {
    let screen = render(&app_with(Some(handed_off()), Lang::En), 200, 50);
    // (The panel wraps the line: its pieces.)
    for piece in [
        "Bot: handed off",
        "customer asked for a person",
        "1 answered",
    ] {
        assert!(screen.contains(piece), "{piece:?} in {screen}");
    }
    let screen = render(&app_with(Some(handed_off()), Lang::Zh), 200, 50);
    assert!(screen.contains("客户要求转人工"), "{screen}");
    let screen = render(&app_with(None, Lang::En), 200, 50);
    assert!(
        !screen.contains("Bot:"),
        "no bot line without the bot: {screen}"
    );
}
