//! The web chat with the answering bot in front, in a real headless Chromium: the bot's
//! messages are marked as the bot's, it answers from the knowledge base, and the page's
//! "talk to a person" button hands the conversation to the agent, who sees why.

#[path = "web_widget/browser.rs"]
#[allow(dead_code)]
mod browser;
mod common;

use browser::Browser;
use common::*;
use kefu::model::Role;
use kefu::protocol::{Article, Event, HandoffReason};
use std::time::Duration;

const T: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_shows_the_bot_and_its_button_hands_off() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["presales"], Role::Agent, None);
    let mut config = config_with_groups(&["presales"]);
    config.groups[0].bot = Some(true);
    {
        let mut store = kefu::server::open_store(dir.path(), &config).unwrap();
        let refund = Article {
            title: "Refund policy".into(),
            body: "Refunds reach your card within 5 business days.".into(),
            questions: vec!["How do I get a refund?".into()],
            lang: "en".into(),
            updated_at: 1,
            ..Article::default()
        };
        store
            .transaction(&mut |tx| tx.save_article(&refund).map(|_| ()))
            .unwrap();
    }
    let server = TestServer::start(dir.path(), config).await;
    let addr = server.addr;
    let mut alice = server.agent("alice").await;
    let b = Browser::start().await;
    b.c.goto(&format!("http://{addr}/chat?lang=en&group=presales"))
        .await
        .unwrap();
    b.wait(
        "the bot's greeting, marked as the bot's, and the button",
        "return document.querySelector('#log .msg.bot .badge')?.textContent === 'Bot' \
         && !document.getElementById('human').hidden",
        T,
    )
    .await;
    let input = b.find("#input").await;
    input.send_keys("how can I get a refund?").await.unwrap();
    input.send_keys("\u{E007}").await.unwrap();
    b.wait(
        "the bot's answer from the knowledge base",
        "return Array.from(document.querySelectorAll('#log .msg.bot .body')).some(e => \
         e.textContent.startsWith('Refund policy'))",
        T,
    )
    .await;
    b.click("#human").await;
    b.wait(
        "the button gone and the hand-off line shown",
        "return document.getElementById('human').hidden && Array.from(document.querySelectorAll('#log .msg .body')).some(e => \
         e.textContent.startsWith('Connecting you to a person'))",
        T,
    )
    .await;
    let (_, ev) = alice
        .wait_event(T, |e| matches!(e, Event::Offer { .. }))
        .await
        .unwrap();
    let Event::Offer { session, .. } = ev else {
        unreachable!()
    };
    let bot = session.bot.unwrap();
    assert_eq!(bot.handoff.unwrap().reason, HandoffReason::Requested);
    assert_eq!(bot.answers, 1);
    server.stop().await;
}
