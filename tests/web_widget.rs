//! The web chat channel end to end: the real server on 127.0.0.1:0, a real agent over
//! WebSocket, and the customer's side in a real headless Chromium driving `/chat` and
//! `/widget.js`. Also the plain-HTTP checks of what the web routes send (headers, sizes).

#[path = "web_widget/browser.rs"]
mod browser;
mod common;
#[path = "web_widget/foreign.rs"]
mod foreign;
#[path = "web_widget/headers.rs"]
mod headers;

use browser::Browser;
use common::*;
use kefu::model::Role;
use serde_json::json;
use std::time::Duration;

const T: Duration = Duration::from_secs(10);

/// The page's conversation id, once it has one and is connected.
async fn page_session(b: &Browser) -> i64 {
    b.wait(
        "the page to be connected with a conversation",
        "return document.body.dataset.conn === 'online' && document.body.dataset.session",
        T,
    )
    .await
    .as_str()
    .unwrap()
    .parse()
    .unwrap()
}

async fn type_and_send(b: &Browser, text: &str) {
    let input = b.find("#input").await;
    input.send_keys(text).await.unwrap();
    // Enter sends (WebDriver's key code for Enter).
    input.send_keys("\u{E007}").await.unwrap();
}

fn has_text(selector: &str, text: &str) -> String {
    format!(
        "return Array.from(document.querySelectorAll({sel})).some(e => e.textContent === {txt})",
        sel = serde_json::to_string(selector).unwrap(),
        txt = serde_json::to_string(text).unwrap()
    )
}

async fn agent_says(agent: &mut kefu::client::Client, session: i64, cid: &str, body: &str) {
    agent
        .call(
            "message.send",
            json!({"session_id": session, "client_msg_id": cid, "body": body}),
        )
        .await
        .unwrap();
}

fn stored_bodies(dir: &std::path::Path, session: i64, body: &str) -> i64 {
    open_db(dir)
        .query_row(
            "SELECT count(*) FROM messages WHERE session_id = ?1 AND body = ?2",
            rusqlite::params![session, body],
            |r| r.get(0),
        )
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_chats_in_chromium_from_start_to_rating() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["presales"], Role::Agent, None);
    let (foreign_listener, foreign_port) = foreign::bind().await;
    let mut config = config_with_groups(&["presales"]);
    // The shop's origin may embed the chat; the same port under another name is a stranger.
    config.channels.web.allowed_origins = vec![format!("http://localhost:{foreign_port}")];
    let server = TestServer::start(dir.path(), config.clone()).await;
    let addr = server.addr;
    foreign::serve(foreign_listener, addr);
    let mut alice = server.agent("alice").await;
    let b = Browser::start().await;

    // Start: the page opens a conversation; the customer writes; Alice accepts and answers.
    b.c.goto(&format!("http://{addr}/chat?lang=en&group=presales"))
        .await
        .unwrap();
    let session = page_session(&b).await;
    let loaded = b
        .js("return performance.getEntriesByType('resource').map(e => e.name)")
        .await;
    let own = format!("http://{addr}/");
    let loaded: Vec<String> = serde_json::from_value(loaded).unwrap();
    assert!(loaded.len() >= 4, "the page's files: {loaded:?}");
    assert!(
        loaded.iter().all(|u| u.starts_with(&own)),
        "no third-party request: {loaded:?}"
    );
    type_and_send(&b, "hello from the browser").await;
    let accepted = accept_next_offer(&mut alice).await;
    assert_eq!(accepted, session, "Alice got the page's conversation");
    agent_says(&mut alice, session, "a1", "Hi, this is Alice").await;
    b.wait(
        "Alice's reply in the page",
        &has_text("#log .msg.them .body", "Hi, this is Alice"),
        T,
    )
    .await;
    b.wait(
        "the customer's message stored and delivered (two ticks)",
        "return Array.from(document.querySelectorAll('#log .msg.me')).some(e => \
         e.dataset.tick === 'delivered' && e.querySelector('.body').textContent === 'hello from the browser')",
        T,
    )
    .await;
    // Shift+Enter is a new line inside the message; Enter sends it.
    type_and_send(&b, "line one\u{E008}\u{E007}\u{E000}line two").await;
    let two_lines = wait_message(&mut alice, "line one\nline two").await;
    assert_eq!(two_lines.session_id, session);

    // Typing both ways: Alice's shows in the page; the page's reaches Alice.
    alice
        .call("typing", json!({"session_id": session, "active": true}))
        .await
        .unwrap();
    b.wait(
        "Alice's typing indicator",
        "return document.getElementById('typing').textContent.includes('is typing')",
        T,
    )
    .await;

    let input = b.find("#input").await;
    input.send_keys("typing…").await.unwrap();
    let deadline = tokio::time::Instant::now() + T;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match alice
            .next_frame(left)
            .await
            .expect("the customer's typing reaches Alice")
        {
            kefu::protocol::ServerFrame::Typing {
                session_id,
                author_kind: kefu::model::AuthorKind::Customer,
                active: true,
                ..
            } if session_id == session => break,
            _ => continue,
        }
    }
    input.clear().await.unwrap();

    // Network text is text: markup shows literally, and only http(s) becomes a link.
    let evil = "<img src=x onerror=alert(1)> see https://example.com/a?b=1 or javascript:alert(2)";
    agent_says(&mut alice, session, "a2", evil).await;
    b.wait(
        "the markup message shown as text",
        &has_text("#log .msg.them .body", evil),
        T,
    )
    .await;
    let checks = b
        .js(
            "const links = document.querySelectorAll('#log a'); return [\
             document.querySelectorAll('#log img').length, links.length, \
             links[0] && links[0].href, links[0] && links[0].rel, links[0] && links[0].target]",
        )
        .await;
    assert_eq!(
        checks,
        json!([
            0,
            1,
            "https://example.com/a?b=1",
            "noopener noreferrer",
            "_blank"
        ]),
        "no <img> element, one safe link"
    );
    let shot = b.screenshot("chat.png").await;
    assert!(std::fs::metadata(&shot).unwrap().len() > 1000);

    // Reload: same conversation, history drawn from the transcript.
    b.c.refresh().await.unwrap();
    assert_eq!(page_session(&b).await, session, "a reload continues");
    for text in ["hello from the browser", "Hi, this is Alice", evil] {
        b.wait("the history after reload", &has_text("#log .body", text), T)
            .await;
    }

    // A second tab (in Chinese, phone-sized) continues the same conversation.
    let first = b.c.window().await.unwrap();
    let tab = b.c.new_window(true).await.unwrap();
    b.c.switch_to_window(tab.handle).await.unwrap();
    b.c.set_window_size(375, 667).await.unwrap();
    b.c.goto(&format!("http://{addr}/chat?lang=zh&group=presales"))
        .await
        .unwrap();
    assert_eq!(page_session(&b).await, session, "a second tab continues");
    b.wait(
        "the history in the second tab",
        &has_text("#log .body", "Hi, this is Alice"),
        T,
    )
    .await;
    b.wait(
        "the Chinese strings",
        "return document.getElementById('title').textContent === '在线客服' && \
         document.getElementById('send').textContent === '发送'",
        T,
    )
    .await;
    b.screenshot("chat-375x667-zh.png").await;
    b.c.close_window().await.unwrap();
    b.c.switch_to_window(first).await.unwrap();

    // Offline: the server goes away; a message typed meanwhile is sent once it is back.
    server.stop().await;
    b.wait(
        "the page to notice the server is gone",
        "return document.body.dataset.conn === 'reconnecting'",
        T,
    )
    .await;
    type_and_send(&b, "typed while offline").await;
    b.wait(
        "the offline message kept as unsent",
        "return localStorage.getItem('kefu.outbox').includes('typed while offline')",
        T,
    )
    .await;
    let server = TestServer::start_on(&addr.to_string(), dir.path(), config).await;
    let mut alice = server.agent("alice").await;
    b.wait(
        "the offline message acknowledged after the reconnect",
        "return Array.from(document.querySelectorAll('#log .msg.me')).some(e => e.dataset.seq && \
         e.querySelector('.body').textContent === 'typed while offline') && \
         JSON.parse(localStorage.getItem('kefu.outbox')).length === 0",
        Duration::from_secs(40),
    )
    .await;
    assert_eq!(
        stored_bodies(dir.path(), session, "typed while offline"),
        1,
        "sent exactly once"
    );

    // The end: the stars show; 4 stars and a comment reach the server.
    alice
        .call(
            "session.end",
            json!({"session_id": session, "outcome": "resolved"}),
        )
        .await
        .unwrap();
    b.wait(
        "the rating form",
        "return !document.getElementById('survey').hidden",
        T,
    )
    .await;
    b.click("#stars button[data-stars='4']").await;
    b.find("#comment")
        .await
        .send_keys("quick and kind")
        .await
        .unwrap();
    b.screenshot("chat-rating.png").await;
    b.click("#rate-submit").await;
    b.wait(
        "the thanks",
        "return !document.getElementById('thanks').hidden",
        T,
    )
    .await;
    let csat: Option<i64> = open_db(dir.path())
        .query_row("SELECT csat FROM sessions WHERE id = ?1", [session], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(csat, Some(4), "the rating reached the server");

    // A new conversation after the end.
    b.click("#new-chat").await;
    b.wait(
        "a new conversation",
        &format!(
            "return document.body.dataset.session !== '{session}' && document.body.dataset.ended === 'false'"
        ),
        T,
    )
    .await;

    // End from the page: the conversation ends, or (on a server without customer ends) the
    // page says it could not, and nothing else breaks.
    b.click("#end").await;
    b.wait(
        "the End button to end the conversation or say why not",
        "return document.body.dataset.ended === 'true' || \
         document.getElementById('notice').textContent.includes('could not be ended')",
        T,
    )
    .await;

    // Another site's page cannot open the customer socket; the shop's listed origin can.
    b.c.goto(&format!("http://127.0.0.1:{foreign_port}/raw"))
        .await
        .unwrap();
    b.wait(
        "the foreign page's socket to be refused",
        "return document.getElementById('result').textContent === 'refused'",
        T,
    )
    .await;
    b.c.goto(&format!("http://localhost:{foreign_port}/raw"))
        .await
        .unwrap();
    b.wait(
        "the allowed shop's socket to open",
        "return document.getElementById('result').textContent === 'opened'",
        T,
    )
    .await;

    // The one-line widget tag on the shop's page: launcher, iframe panel, Escape closes.
    b.c.set_window_size(1024, 768).await.unwrap();
    b.c.goto(&format!("http://localhost:{foreign_port}/embed"))
        .await
        .unwrap();
    b.wait(
        "the launcher",
        "return !!document.getElementById('kefu-launcher')",
        T,
    )
    .await;
    b.click("#kefu-launcher").await;
    let frame = b.find("#kefu-frame").await;
    frame.enter_frame().await.unwrap();
    page_session(&b).await;
    b.c.enter_parent_frame().await.unwrap();
    b.screenshot("widget-open.png").await;
    let closed = "return document.getElementById('kefu-panel').style.display === 'none'";
    let launcher = b.find("#kefu-launcher").await;
    // Escape inside the chat closes the panel (the page asks the shop's page to).
    frame.enter_frame().await.unwrap();
    b.find("#input").await.send_keys("\u{E00C}").await.unwrap();
    b.c.enter_parent_frame().await.unwrap();
    b.wait("Escape in the chat to close the panel", closed, T)
        .await;
    // So do the close button and Escape on the shop's page itself.
    launcher.click().await.unwrap();
    b.wait(
        "the panel to open again",
        "return document.getElementById('kefu-panel').style.display === 'flex'",
        T,
    )
    .await;
    b.click("#kefu-close").await;
    b.wait("the close button to close the panel", closed, T)
        .await;
    launcher.click().await.unwrap();
    launcher.send_keys("\u{E00C}").await.unwrap();
    b.wait("Escape on the shop's page to close the panel", closed, T)
        .await;
    server.stop().await;
}
