//! The knowledge-base panel: incremental search (each keystroke narrows the last result)
//! must always equal a fresh search for the same query, checked on seeded random titles and
//! typing (with backspaces); a snapshot of the panel with results; the server's full-text
//! hits merged after the debounce, answers for an older query dropped, snippets drawn inert;
//! and, against the real server, one key sends an article to the customer and records it.

mod common;
mod console_fixture;

use console_fixture::*;
use kefu::console::action::Action;
use kefu::console::app::{App, Effect, Focus, KbArticle, KbTitle, LayoutPrefs, NetEvent, Tag};
use kefu::console::i18n::Lang;
use kefu::console::reply::Reply;
use kefu::protocol::{ArticleSummary, KbSearchReply, Request, Snippet};

/// Reproducible pseudo-random numbers (xorshift64), no extra crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

const WORDS: [&str; 16] = [
    "退款",
    "物流",
    "快递",
    "发票",
    "会员",
    "refund",
    "Order",
    "order",
    "invoice",
    "VIP",
    "ab",
    "ba",
    "a b",
    "Ünïcode",
    "ΣΑΣ",
    "İstanbul",
];

fn titles(rng: &mut Rng, n: usize) -> Vec<KbTitle> {
    (0..n)
        .map(|i| {
            let words = 1 + rng.next() % 4;
            let title: Vec<&str> = (0..words).map(|_| *rng.pick(&WORDS)).collect();
            let keywords = (0..rng.next() % 3)
                .map(|_| rng.pick(&WORDS).to_string())
                .collect();
            KbTitle {
                id: i as i64,
                title: title.join(" "),
                keywords,
            }
        })
        .collect()
}

/// A fresh app's search for `query`.
fn fresh(titles: &[KbTitle], query: &str) -> Vec<usize> {
    let mut app = App::new(Lang::En, LayoutPrefs::default(), NOW);
    app.kb.set_titles(titles.to_vec());
    app.kb.query = query.to_string();
    app.refilter_kb();
    app.kb.matches
}

#[test]
fn incremental_search_equals_a_fresh_search() {
    // Characters of the titles, other cases, spaces, and some that match nothing.
    let alphabet: Vec<char> = WORDS
        .concat()
        .chars()
        .chain("ORDERΣσςi̇ xq".chars())
        .collect();
    let mut narrowed = 0;
    let mut emptied = 0;
    for seed in 1..=8u64 {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ seed.wrapping_mul(0x2545_f491_4f6c_dd1d));
        let titles = titles(&mut rng, 300);
        let mut app = workbench();
        app.kb.set_titles(titles.clone());
        app.focus = Focus::Kb;
        app.refilter_kb();
        for step in 0..400 {
            match rng.next() % 10 {
                0..=1 => {
                    app.update(Action::DeleteBack);
                }
                2 if step % 50 == 0 => {
                    app.update(Action::ClearLine);
                }
                _ => {
                    app.type_char(*rng.pick(&alphabet));
                }
            }
            let expected = fresh(&titles, &app.kb.query);
            assert_eq!(
                app.kb.matches, expected,
                "seed {seed}, step {step}: query {:?}",
                app.kb.query
            );
            if !expected.is_empty() && expected.len() < titles.len() {
                narrowed += 1;
            }
            if expected.is_empty() {
                emptied += 1;
            }
            if app.kb.query.chars().count() > 8 {
                app.update(Action::ClearLine);
            }
        }
    }
    // The walk really exercised narrowing and misses, not just "everything matches".
    assert!(narrowed > 500 && emptied > 100, "{narrowed} {emptied}");
}

#[test]
fn kb_panel_snapshot() {
    let mut app = workbench();
    app.kb.set_titles(vec![
        KbTitle {
            id: 1,
            title: "退款多久到账".into(),
            keywords: vec!["refund".into()],
        },
        KbTitle {
            id: 2,
            title: "如何申请退款".into(),
            keywords: vec!["refund".into(), "apply".into()],
        },
        KbTitle {
            id: 3,
            title: "物流查询".into(),
            keywords: vec!["delivery".into()],
        },
    ]);
    app.kb.bodies.insert(
        1,
        KbArticle {
            id: 1,
            title: "退款多久到账".into(),
            body:
                "退款审核通过后，款项将在 1–3 个工作日内原路退回。\n如超过 7 天未到账，请联系客服。"
                    .into(),
        },
    );
    app.update(Action::KbSearch);
    for c in "退款".chars() {
        app.type_char(c);
    }
    assert_eq!(app.kb.matches, vec![0, 1]);
    let s = screen(&render(&app, 120, 40, "dark"));
    assert!(
        s.contains("退款多久到账") && s.contains("如何申请退款"),
        "{s}"
    );
    assert!(!s.contains("物流查询"), "{s}");
    insta::assert_snapshot!("kb_panel_120x40", s);
}

fn hit(id: i64, title: &str, snippet: &str, highlights: Vec<(usize, usize)>) -> ArticleSummary {
    ArticleSummary {
        id,
        title: title.into(),
        keywords: vec![],
        lang: "en".into(),
        updated_at: 0,
        category: String::new(),
        tags: vec![],
        questions: vec![],
        status: Default::default(),
        snippet: Some(Snippet {
            text: snippet.into(),
            highlights,
        }),
    }
}

/// The full-text search a pause in typing sends: its generation and query.
fn due_search(app: &mut App) -> Option<(u64, String)> {
    app.kb_due().into_iter().find_map(|fx| match fx {
        Effect::Request {
            tag: Tag::KbFullText(g),
            request: Request::KbSearch(q),
        } => Some((g, q.query)),
        _ => None,
    })
}

fn reply(generation: u64, hits: Vec<ArticleSummary>) -> NetEvent {
    NetEvent::Reply {
        tag: Tag::KbFullText(generation),
        result: Ok(Reply::KbSearch(KbSearchReply {
            articles: hits,
            next_offset: None,
            fallback: false,
        })),
    }
}

#[test]
fn full_text_hits_merge_after_the_debounce_and_stale_answers_are_dropped() {
    let mut app = workbench();
    app.kb.set_titles(vec![
        KbTitle {
            id: 1,
            title: "Refund policy".into(),
            keywords: vec![],
        },
        KbTitle {
            id: 2,
            title: "Shipping options".into(),
            keywords: vec![],
        },
    ]);
    app.update(Action::KbSearch);
    for c in "ex".chars() {
        app.type_char(c);
    }
    // Nothing matches "ex" by title; the search waits for typing to pause.
    assert!(app.kb.matches.is_empty());
    assert_eq!(due_search(&mut app), None, "not before the debounce");
    app.now += 150;
    let (first, q) = due_search(&mut app).unwrap();
    assert_eq!(q, "ex");
    assert_eq!(due_search(&mut app), None, "sent once");
    app.type_char('p');
    app.now += 150;
    let (second, q) = due_search(&mut app).unwrap();
    assert_eq!(q, "exp");
    assert!(second > first);

    // The answer to "ex" arrives late: dropped.
    app.on_net(reply(first, vec![hit(1, "Refund policy", "x", vec![])]));
    assert!(app.kb.matches.is_empty() && app.kb.snippets.is_empty());
    // The answer to "exp": its hits first, with snippets, and a hit the list did not have.
    let s = "Express shipping is $12.99.";
    app.on_net(reply(
        second,
        vec![
            hit(2, "Shipping options", s, vec![(0, 7)]),
            hit(9, "Express returns", "Express", vec![(0, 7)]),
        ],
    ));
    let titles: Vec<&str> = app
        .kb
        .matches
        .iter()
        .map(|i| app.kb.titles[*i].title.as_str())
        .collect();
    assert_eq!(titles, ["Shipping options", "Express returns"]);
    assert_eq!(app.kb.snippets[&2].text, s);
    assert_eq!(app.selected_article().unwrap().id, 2);
    // A new keystroke makes the old snippets go and the old generation stale.
    app.type_char('r');
    assert!(app.kb.snippets.is_empty());
    app.on_net(reply(second, vec![hit(1, "Refund policy", "x", vec![])]));
    assert!(!app.kb.snippets.contains_key(&1));
}

#[test]
fn snippets_from_the_network_are_drawn_inert_with_the_matches_styled() {
    let mut app = workbench();
    app.update(Action::KbSearch);
    app.type_char('x');
    app.now += 150;
    let (g, _) = due_search(&mut app).unwrap();
    // Escape codes, a bidi override, a line break, and highlight ranges that are out of
    // bounds or split a character: none of it reaches the terminal or panics.
    let text = "退货 \u{1b}[31mred\u{1b}[0m \u{202e}evil\nline";
    app.on_net(reply(
        g,
        vec![hit(5, "售后政策", text, vec![(0, 6), (7, 8), (3, 999)])],
    ));
    let term = render(&app, 120, 40, "dark");
    let s = screen(&term);
    assert!(
        s.contains("售后政策") && s.contains("退货") && s.contains("red"),
        "{s}"
    );
    assert!(!s.contains('\u{1b}') && !s.contains('\u{202e}'), "{s:?}");
    // The matched word is styled (underlined), the rest is not.
    let buf = term.backend().buffer();
    let underlined = |sym: &str| {
        buf.content
            .iter()
            .any(|c| c.symbol() == sym && c.modifier.contains(ratatui::style::Modifier::UNDERLINED))
    };
    assert!(underlined("退") && !underlined("r"));
}

/// The console (App + network task) against the real server: search by a word found only in
/// an article's body, send it with one key; the customer receives it and the session records
/// it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_key_sends_an_article_to_the_customer_and_records_it() {
    use common::*;
    use kefu::console::net::{self, NetCmd};
    use kefu::model::{Role, now_ms};
    use kefu::protocol::Article;
    use tokio::sync::mpsc;

    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let mut store = kefu::server::open_store(dir.path(), &Default::default()).unwrap();
    let mut article_id = 0;
    store
        .transaction(&mut |tx| {
            article_id = tx.insert_article(&Article {
                title: "Shipping options".into(),
                body: "Express shipping is $12.99.".into(),
                ..Article::default()
            })?;
            tx.insert_article(&Article {
                title: "Refund policy".into(),
                body: "Refunds take 5 days.".into(),
                ..Article::default()
            })?;
            Ok(())
        })
        .unwrap();
    drop(store);
    let server = TestServer::start(dir.path(), Default::default()).await;

    let (tx, mut events) = mpsc::unbounded_channel();
    let net = net::spawn_with(tx, net::NetOptions::default());
    let mut app = App::new(Lang::En, LayoutPrefs::default(), now_ms());
    let run = |fx: Vec<Effect>| {
        for fx in fx {
            match fx {
                Effect::Request { tag, request } => {
                    let _ = net.send(NetCmd::Request { tag, request });
                }
                Effect::Login {
                    server,
                    username,
                    password,
                } => {
                    let _ = net.send(NetCmd::Login {
                        server,
                        username,
                        password,
                    });
                }
                _ => {}
            }
        }
    };
    macro_rules! until {
        ($what:expr, $done:expr) => {{
            let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
            while !$done(&app) {
                let ev = tokio::time::timeout_at(deadline, events.recv())
                    .await
                    .unwrap_or_else(|_| panic!("timed out waiting for: {}", $what))
                    .expect("network task alive");
                app.now = now_ms();
                run(app.on_net(ev));
            }
        }};
    }
    run(vec![Effect::Login {
        server: format!("ws://{}", server.addr),
        username: "alice".into(),
        password: PASSWORD.into(),
    }]);
    until!("logged in", |a: &App| a.me.is_some() && a.login.is_none());
    run(app.update(Action::StatusOnline));
    let (mut cust, session, _) = server.customer("小明", None).await;
    until!("the offer", |a: &App| a
        .sessions
        .get(&session)
        .is_some_and(|s| s.is_offer()));
    app.selected = Some(session);
    run(app.update(Action::Accept));
    until!("accepted", |a: &App| a
        .sessions
        .get(&session)
        .is_some_and(|s| !s.is_offer())
        && a.focus == Focus::Compose);

    // "express" is in no title: the full-text hit arrives after the debounce.
    run(app.update(Action::KbSearch));
    until!("the titles", |a: &App| a.kb.titles.len() == 2);
    assert_eq!(app.focus, Focus::Kb);
    for c in "express".chars() {
        run(app.type_char(c));
    }
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        app.now = now_ms();
        run(app.kb_due());
        let found =
            tokio::time::timeout(std::time::Duration::from_millis(200), events.recv()).await;
        if let Ok(Some(ev)) = found {
            app.now = now_ms();
            run(app.on_net(ev));
        }
        if app.selected_article().is_some_and(|t| t.id == article_id)
            && app.kb.bodies.contains_key(&article_id)
        {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no full-text hit");
        // The index may still be catching up: search again.
        if app.kb_deadline().is_none() && app.kb.matches.is_empty() {
            app.kb.searched_query.clear();
            run(app.refilter_kb());
        }
    }
    assert!(
        app.kb
            .snippets
            .get(&article_id)
            .is_some_and(|s| s.text.contains("Express")),
        "{:?} {:?}",
        app.kb.snippets,
        app.kb.matches
    );
    run(app.update(Action::KbSend));
    let m = wait_message(
        &mut cust,
        "【Shipping options】\nExpress shipping is $12.99.",
    )
    .await;
    assert_eq!(m.session_id, session);
    // Recorded on the session.
    let mut bob = server.agent("alice").await;
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let r = bob
            .call("kb.sent", serde_json::json!({"session_id": session}))
            .await
            .unwrap();
        if r["sent"][0]["article_id"] == article_id {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "not recorded: {r}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    server.stop().await;
}
