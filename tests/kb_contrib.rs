//! The knowledge base's workflow over real WebSockets against a real server and SQLite file:
//! contributions (propose, list, diff, approve, reject, conflict, who may review), latest
//! updates with check-ins, and the hardening of reads (drafts, paging, bounded history).

mod common;
use common::*;
use kefu::client::Client;
use kefu::model::Role;
use kefu::protocol::request::{KbProposalGet, KbPropose, KbReview};
use kefu::protocol::{
    Article, ArticleStatus, ArticleSummary, DiffOp, ErrorCode, Event, ProposalStatus,
};
use kefu::store::Store;
use serde_json::{Value, json};

fn seed(dir: &std::path::Path, articles: &[Article]) -> Vec<i64> {
    let mut store = kefu::server::open_store(dir, &Default::default()).unwrap();
    let mut ids = Vec::new();
    store
        .transaction(&mut |tx| {
            ids.clear();
            for a in articles {
                ids.push(tx.insert_article(a)?);
            }
            Ok(())
        })
        .unwrap();
    ids
}

fn art(title: &str, body: &str, status: ArticleStatus) -> Article {
    Article {
        title: title.into(),
        body: body.into(),
        status,
        updated_at: 1,
        ..Article::default()
    }
}

fn summaries(v: &Value) -> Vec<ArticleSummary> {
    serde_json::from_value(v["articles"].clone()).unwrap()
}

/// Searches until `done` holds (the index follows the store on its own thread).
async fn search_until(c: &mut Client, query: &str, done: impl Fn(&[ArticleSummary]) -> bool) {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let r = c.call("kb.search", json!({"query": query})).await.unwrap();
        if r["fallback"] != json!(true) && done(&summaries(&r)) {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "{query}: still {r}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

struct World {
    _dir: tempfile::TempDir,
    server: TestServer,
    alice: Client,
    sam: Client,
    returns: i64,
}

/// alice (agent), sam (supervisor), a published article "Returns" and a draft.
async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    add_agent(dir.path(), "sam", &["general"], Role::Supervisor, None);
    add_agent(dir.path(), "bob", &["general"], Role::Agent, None);
    let ids = seed(
        dir.path(),
        &[
            art(
                "Returns",
                "Return within 30 days.\nKeep the receipt.",
                ArticleStatus::Published,
            ),
            art("Secret plans", "Not yet.", ArticleStatus::Draft),
        ],
    );
    let server = TestServer::start(dir.path(), Default::default()).await;
    let alice = server.agent("alice").await;
    let sam = server.agent("sam").await;
    World {
        _dir: dir,
        server,
        alice,
        sam,
        returns: ids[0],
    }
}

fn edit_of(article: i64, version: i64, body: &str) -> KbPropose {
    KbPropose {
        article_id: Some(article),
        base_version: Some(version),
        title: "Returns".into(),
        body: body.into(),
        tags: vec!["refund".into()],
        comment: "the policy changed".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn an_approved_edit_becomes_a_new_version_found_by_search_and_the_author_is_told() {
    let World {
        server,
        mut alice,
        mut sam,
        returns,
        _dir: _keep,
        ..
    } = world().await;
    let body = "Return within 60 days.\nKeep the receipt.\nRefunds go to the original card.";
    let proposed = alice.request(edit_of(returns, 1, body)).await.unwrap();
    let id = proposed.proposal.id;
    assert_eq!(proposed.proposal.status, ProposalStatus::Pending);
    assert_eq!(proposed.proposal.author, "alice");

    // The supervisor sees it pending, with the diff against version 1.
    let listed = sam.call("kb.proposals", json!({})).await.unwrap();
    assert_eq!(listed["pending"], 1, "{listed}");
    assert_eq!(listed["proposals"][0]["id"], id);
    let shown = sam
        .request(KbProposalGet { proposal_id: id })
        .await
        .unwrap();
    assert!(!shown.stale);
    let changed: Vec<(DiffOp, &str)> = shown
        .diff
        .iter()
        .filter(|l| l.op != DiffOp::Same)
        .map(|l| (l.op, l.text.as_str()))
        .collect();
    assert!(
        changed.contains(&(DiffOp::Del, "Return within 30 days."))
            && changed.contains(&(DiffOp::Add, "Return within 60 days."))
            && changed.contains(&(DiffOp::Add, "Refunds go to the original card.")),
        "{changed:?}"
    );
    assert!(!changed.iter().any(|(_, t)| *t == "Keep the receipt."));

    // Approved: version 2 by alice; search finds the new words; alice hears it.
    let reviewed = sam
        .request(KbReview {
            proposal_id: id,
            approve: true,
            comment: "thanks".into(),
        })
        .await
        .unwrap();
    assert_eq!(reviewed.proposal.status, ProposalStatus::Approved);
    assert_eq!(reviewed.proposal.result_version, Some(2));
    let r = alice
        .call("kb.get", json!({"article_id": returns}))
        .await
        .unwrap();
    let a: Article = serde_json::from_value(r["article"].clone()).unwrap();
    assert_eq!(
        (a.version, a.author.as_str(), a.body.as_str()),
        (2, "alice", body)
    );
    assert_eq!(a.tags, ["refund"]);
    search_until(&mut alice, "original card", |h| {
        h.first().map(|a| a.id) == Some(returns)
    })
    .await;
    let (_, ev) = alice
        .wait_event(WAIT, |e| matches!(e, Event::KbProposal { .. }))
        .await
        .unwrap();
    let Event::KbProposal { proposal } = ev else {
        unreachable!()
    };
    assert_eq!(
        (
            proposal.id,
            proposal.status,
            proposal.review_comment.as_deref()
        ),
        (id, ProposalStatus::Approved, Some("thanks"))
    );
    // And it stays in her list for when she comes back.
    let mine = alice.call("kb.proposals", json!({})).await.unwrap();
    assert_eq!(mine["proposals"][0]["status"], "approved");
    assert_eq!(mine["pending"], 0);

    // Reviewing it again is a conflict, not a second version.
    let again = sam
        .call("kb.review", json!({"proposal_id": id, "approve": true}))
        .await;
    assert_eq!(api_code(again), ErrorCode::Conflict);
    server.stop().await;
}

#[tokio::test]
async fn rejection_keeps_the_comment_and_stale_edits_conflict() {
    let World {
        server,
        mut alice,
        mut sam,
        returns,
        _dir: _keep,
        ..
    } = world().await;
    let first = alice
        .request(edit_of(returns, 1, "Version A."))
        .await
        .unwrap()
        .proposal
        .id;
    let second = alice
        .request(edit_of(returns, 1, "Version B."))
        .await
        .unwrap()
        .proposal
        .id;
    let rejected = sam
        .call(
            "kb.review",
            json!({"proposal_id": first, "approve": false, "comment": "too short"}),
        )
        .await
        .unwrap();
    assert_eq!(rejected["proposal"]["status"], "rejected");
    assert_eq!(rejected["proposal"]["review_comment"], "too short");
    let (_, ev) = alice
        .wait_event(WAIT, |e| matches!(e, Event::KbProposal { .. }))
        .await
        .unwrap();
    assert!(
        matches!(&ev, Event::KbProposal { proposal } if proposal.status == ProposalStatus::Rejected
            && proposal.review_comment.as_deref() == Some("too short")),
        "{ev:?}"
    );

    // Someone else's edit lands first (an import): the second proposal is now stale.
    let third = alice
        .request(edit_of(returns, 1, "Version C."))
        .await
        .unwrap()
        .proposal
        .id;
    sam.request(KbReview {
        proposal_id: third,
        approve: true,
        comment: String::new(),
    })
    .await
    .unwrap();
    let shown = sam
        .request(KbProposalGet {
            proposal_id: second,
        })
        .await
        .unwrap();
    assert!(shown.stale);
    let stale = sam
        .call("kb.review", json!({"proposal_id": second, "approve": true}))
        .await;
    let Err(kefu::client::ClientError::Api(e)) = stale else {
        panic!("{stale:?}")
    };
    assert_eq!(e.code, ErrorCode::Conflict);
    assert!(
        e.message.contains("version 1") && e.message.contains("version 2"),
        "{}",
        e.message
    );
    // Nothing was written: still version 2, Version C.
    let r = sam
        .call("kb.get", json!({"article_id": returns}))
        .await
        .unwrap();
    assert_eq!(r["article"]["version"], 2);
    assert_eq!(r["article"]["body"], "Version C.");
    // Still pending: it can be rejected.
    sam.call(
        "kb.review",
        json!({"proposal_id": second, "approve": false}),
    )
    .await
    .unwrap();
    server.stop().await;
}

#[tokio::test]
async fn only_supervisors_review_and_see_everyones_proposals() {
    let World {
        server,
        mut alice,
        mut sam,
        returns,
        _dir: _keep,
        ..
    } = world().await;
    let id = alice
        .request(edit_of(returns, 1, "Mine."))
        .await
        .unwrap()
        .proposal
        .id;
    let own = alice
        .call("kb.review", json!({"proposal_id": id, "approve": true}))
        .await;
    assert_eq!(api_code(own), ErrorCode::Forbidden);
    let checkins = alice.call("kb.checkins", json!({})).await;
    assert_eq!(api_code(checkins), ErrorCode::Forbidden);
    let mut bob = server.agent("bob").await;
    let theirs = bob.call("kb.proposal", json!({"proposal_id": id})).await;
    assert_eq!(api_code(theirs), ErrorCode::Forbidden);
    let bobs = bob.call("kb.proposals", json!({})).await.unwrap();
    assert_eq!(bobs["proposals"], json!([]));
    // Bad input: an unknown article, an empty body, a version from the future.
    let unknown = bob.request(edit_of(999, 1, "x")).await;
    assert!(
        matches!(unknown, Err(kefu::client::ClientError::Api(e)) if e.code == ErrorCode::NotFound)
    );
    let empty = bob.request(edit_of(returns, 1, "  ")).await;
    assert!(
        matches!(empty, Err(kefu::client::ClientError::Api(e)) if e.code == ErrorCode::Invalid)
    );
    let future = bob.request(edit_of(returns, 7, "x")).await;
    assert!(
        matches!(future, Err(kefu::client::ClientError::Api(e)) if e.code == ErrorCode::Invalid)
    );
    // The author may withdraw; then it is no longer pending for anyone.
    let w = alice
        .call("kb.withdraw", json!({"proposal_id": id}))
        .await
        .unwrap();
    assert_eq!(w["proposal"]["status"], "withdrawn");
    let pending = sam.call("kb.proposals", json!({})).await.unwrap();
    assert_eq!(pending["pending"], 0);
    server.stop().await;
}

#[tokio::test]
async fn a_new_article_proposal_is_published_on_approval() {
    let World {
        server,
        mut alice,
        mut sam,
        _dir: _keep,
        ..
    } = world().await;
    let p = alice
        .request(KbPropose {
            title: "发票怎么开".into(),
            body: "在订单页面申请电子发票。".into(),
            category: "billing".into(),
            questions: vec!["如何开发票".into()],
            ..Default::default()
        })
        .await
        .unwrap()
        .proposal;
    assert_eq!(p.article_id, None);
    let shown = sam
        .request(KbProposalGet { proposal_id: p.id })
        .await
        .unwrap();
    assert!(shown.current.is_none());
    assert!(
        shown.diff.iter().all(|l| l.op == DiffOp::Add),
        "{:?}",
        shown.diff
    );
    let r = sam
        .request(KbReview {
            proposal_id: p.id,
            approve: true,
            comment: String::new(),
        })
        .await
        .unwrap();
    let article = r.proposal.result_article_id.unwrap();
    assert_eq!(r.proposal.result_version, Some(1));
    let got = alice
        .call("kb.get", json!({"article_id": article}))
        .await
        .unwrap();
    assert_eq!(got["article"]["lang"], "zh");
    assert_eq!(got["article"]["author"], "alice");
    assert_eq!(got["article"]["status"], "published");
    search_until(&mut alice, "电子发票", |h| {
        h.iter().any(|a| a.id == article)
    })
    .await;
    server.stop().await;
}

#[tokio::test]
async fn updates_check_ins_and_the_supervisors_view() {
    let World {
        server,
        mut alice,
        mut sam,
        returns,
        _dir: dir,
        ..
    } = world().await;
    // Never checked in: the published article is unread (the draft is not listed).
    let u = alice.call("kb.updates", json!({})).await.unwrap();
    assert_eq!(u["unread"], 1, "{u}");
    assert_eq!(u["checked_at"], Value::Null);
    alice.call("kb.check_in", json!({})).await.unwrap();
    let u = alice.call("kb.updates", json!({})).await.unwrap();
    assert_eq!(
        (u["unread"].clone(), u["updates"].clone()),
        (json!(0), json!([]))
    );

    // An edit and a new article later: both listed, one edited, one new.
    let edit = alice
        .request(edit_of(returns, 1, "Changed."))
        .await
        .unwrap()
        .proposal
        .id;
    let new = alice
        .request(KbPropose {
            title: "Gift cards".into(),
            body: "They never expire.".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .proposal
        .id;
    for id in [edit, new] {
        sam.call("kb.review", json!({"proposal_id": id, "approve": true}))
            .await
            .unwrap();
    }
    let u = alice.call("kb.updates", json!({})).await.unwrap();
    assert_eq!(u["unread"], 2, "{u}");
    let changes: Vec<(String, String)> = u["updates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["title"].as_str().unwrap().to_string(),
                x["change"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            ("Gift cards".to_string(), "new".to_string()),
            ("Returns".to_string(), "edited".to_string())
        ]
    );

    // The supervisor sees alice behind by 2 (checked in) and bob behind by both published
    // articles (never checked in).
    let c = sam.call("kb.checkins", json!({})).await.unwrap();
    let rows = c["agents"].as_array().unwrap();
    let row = |name: &str| rows.iter().find(|r| r["username"] == name).unwrap().clone();
    assert_eq!(row("alice")["unread"], 2);
    assert!(row("alice")["checked_at"].is_i64());
    assert_eq!(row("bob")["unread"], 2);
    assert_eq!(row("bob")["checked_at"], Value::Null);
    alice.call("kb.check_in", json!({})).await.unwrap();
    let c = sam.call("kb.checkins", json!({})).await.unwrap();
    let alice_row = c["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["username"] == "alice")
        .unwrap()
        .clone();
    assert_eq!(alice_row["unread"], 0);
    // The same from the command line.
    let (code, out, err) = admin_cmd(dir.path(), &["kb", "checkins"]);
    assert_eq!(code, 0, "{err}");
    let line = |name: &str| {
        out.lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} in {out}"))
            .split_whitespace()
            .collect::<Vec<_>>()
    };
    assert_eq!(line("alice").last(), Some(&"0"), "{out}");
    assert_eq!(line("bob")[1..], ["never", "2"], "{out}");
    server.stop().await;
}

#[tokio::test]
async fn drafts_are_hidden_from_agents_titles_page_and_history_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    add_agent(dir.path(), "sam", &["general"], Role::Supervisor, None);
    let mut articles: Vec<Article> = (0..250)
        .map(|i| art(&format!("Article {i}"), "Body.", ArticleStatus::Published))
        .collect();
    articles.push(art("Draft", "Hidden.", ArticleStatus::Draft));
    let ids = seed(dir.path(), &articles);
    let draft = *ids.last().unwrap();
    // 60 versions of the first article.
    let mut store = kefu::server::open_store(dir.path(), &Default::default()).unwrap();
    store
        .transaction(&mut |tx| {
            for v in 2..=60 {
                let mut a = tx.kb_get(ids[0])?.unwrap();
                a.body = format!("Body v{v}.");
                tx.save_article(&a)?;
            }
            Ok(())
        })
        .unwrap();
    drop(store);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let mut alice = server.agent("alice").await;
    let mut sam = server.agent("sam").await;

    let hidden = alice.call("kb.get", json!({"article_id": draft})).await;
    assert_eq!(api_code(hidden), ErrorCode::NotFound);
    let history = alice.call("kb.history", json!({"article_id": draft})).await;
    assert_eq!(api_code(history), ErrorCode::NotFound);
    let seen = sam
        .call("kb.get", json!({"article_id": draft}))
        .await
        .unwrap();
    assert_eq!(seen["article"]["status"], "draft");

    // Pages of at most 200 titles, without bodies, until there is no next page.
    let first = alice
        .call("kb.search", json!({"query": "", "limit": 100_000}))
        .await
        .unwrap();
    assert_eq!(summaries(&first).len(), 200);
    assert!(first["articles"][0].get("body").is_none());
    assert_eq!(first["next_offset"], 200);
    let rest = alice
        .call(
            "kb.search",
            json!({"query": "", "limit": 200, "offset": 200}),
        )
        .await
        .unwrap();
    assert_eq!(summaries(&rest).len(), 50, "the draft is not listed");
    assert!(rest.get("next_offset").is_none(), "{rest}");

    let h = alice
        .call("kb.history", json!({"article_id": ids[0]}))
        .await
        .unwrap();
    let versions = h["versions"].as_array().unwrap();
    assert_eq!((versions.len(), h["total"].clone()), (50, json!(60)));
    assert_eq!(versions[0]["version"], 11);
    assert_eq!(versions[49]["version"], 60);
    server.stop().await;
}

/// A call that waits out the connection's request-rate limit (this test makes 200 requests,
/// more than a connection's burst); any other answer is returned.
async fn paced(
    c: &mut Client,
    kind: &str,
    params: Value,
) -> Result<Value, kefu::client::ClientError> {
    loop {
        match c.call(kind, params.clone()).await {
            Err(kefu::client::ClientError::Api(e))
                if e.code == ErrorCode::RateLimited && e.message.contains("slow down") =>
            {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            other => return other,
        }
    }
}

/// Withdrawing frees a pending place, but not a day's: proposing and withdrawing in a loop
/// stops at the daily cap instead of adding rows and events without end.
#[tokio::test]
async fn proposals_are_capped_per_day_even_when_withdrawn() {
    let World {
        server,
        mut alice,
        returns,
        _dir: _keep,
        ..
    } = world().await;
    let cap = kefu::kb::proposal::MAX_PER_AGENT_PER_DAY;
    let propose = |i: String| serde_json::to_value(edit_of(returns, 1, &i)).unwrap();
    for i in 0..cap {
        let r = paced(&mut alice, "kb.propose", propose(format!("Try {i}.")))
            .await
            .unwrap();
        let id = r["proposal"]["id"].as_i64().unwrap();
        paced(&mut alice, "kb.withdraw", json!({"proposal_id": id}))
            .await
            .unwrap();
    }
    let over = paced(&mut alice, "kb.propose", propose("One more.".into())).await;
    let Err(kefu::client::ClientError::Api(e)) = over else {
        panic!("expected the daily cap, got {over:?}");
    };
    assert_eq!(e.code, ErrorCode::RateLimited);
    assert!(e.message.contains("a day"), "{}", e.message);
    server.stop().await;
}
