//! The console's side of the knowledge base's workflow, on the App alone (no terminal, no
//! server): proposing an edit through `$EDITOR` (the editor's result injected as the run loop
//! would hand it back), a supervisor reading a proposal's coloured diff and approving or
//! rejecting it with a comment, updates with the check-in, and the author being told.

mod common;
mod console_fixture;

use console_fixture::*;
use kefu::console::action::Action;
use kefu::console::app::{
    App, EditOutcome, EditPurpose, Effect, KbFlowTag, KbTitle, KbView, NetEvent, Tag,
};
use kefu::console::reply::Reply;
use kefu::console::theme::Theme;
use kefu::model::Role;
use kefu::protocol::{
    Article, ArticleUpdate, DiffLine, DiffOp, Event, KbCheckInReply, KbGetReply, KbProposalReply,
    KbProposalsReply, KbUpdatesReply, Proposal, ProposalStatus, ProposalSummary, Request,
    UpdateKind,
};

fn reply(tag: KbFlowTag, r: Reply) -> NetEvent {
    NetEvent::Reply {
        tag: Tag::KbFlow(tag),
        result: Ok(r),
    }
}

fn requests(fx: &[Effect]) -> Vec<(Tag, Request)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Request { tag, request } => Some((tag.clone(), request.clone())),
            _ => None,
        })
        .collect()
}

/// The one request among the effects.
fn one(fx: &[Effect]) -> (Tag, Request) {
    let mut r = requests(fx);
    assert_eq!(r.len(), 1, "{fx:?}");
    r.remove(0)
}

fn article() -> Article {
    Article {
        id: 42,
        title: "Returns".into(),
        body: "Return within 30 days.".into(),
        version: 3,
        ..Article::default()
    }
}

/// The agent asks to edit the highlighted article: it is fetched, then handed to the editor.
fn start_edit(app: &mut App) -> (EditPurpose, String) {
    let fx = app.update(Action::KbProposeEdit);
    assert_eq!(
        requests(&fx),
        [(
            Tag::KbFlow(KbFlowTag::EditSource(42)),
            Request::KbGet(kefu::protocol::request::KbGet { article_id: 42 })
        )]
    );
    let fx = app.on_net(reply(
        KbFlowTag::EditSource(42),
        Reply::KbGet(KbGetReply { article: article() }),
    ));
    match fx.as_slice() {
        [Effect::EditText { purpose, text }] => (*purpose, text.clone()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_edit_made_in_the_editor_is_proposed_and_an_unchanged_file_cancels() {
    let mut app = workbench();
    app.kb.set_titles(vec![KbTitle {
        id: 42,
        title: "Returns".into(),
        keywords: vec![],
    }]);
    app.update(Action::KbSearch);
    typed(&mut app, "ret");

    let (purpose, text) = start_edit(&mut app);
    assert_eq!(
        purpose,
        EditPurpose::Edit {
            article_id: 42,
            version: 3
        }
    );
    assert!(text.starts_with("---\ntitle: \"Returns\"\n"), "{text}");
    assert!(text.contains("Return within 30 days."));

    // Saved without a change: nothing is sent, the agent is told.
    let fx = app.on_edited(purpose, EditOutcome::Saved(text.clone()));
    assert!(requests(&fx).is_empty(), "{fx:?}");
    assert!(app.notice.as_ref().unwrap().0.contains("cancelled"));

    // The body emptied: cancelled too.
    let (purpose, text) = start_edit(&mut app);
    let emptied = text.replace("Return within 30 days.", "");
    assert!(requests(&app.on_edited(purpose, EditOutcome::Saved(emptied))).is_empty());

    // The editor failed: said so, nothing sent.
    let (purpose, _) = start_edit(&mut app);
    let fx = app.on_edited(purpose, EditOutcome::Failed("`vi` exited with 1".into()));
    assert!(requests(&fx).is_empty());
    assert!(app.notice.as_ref().unwrap().0.contains("exited"));

    // An edit: proposed from version 3 with the new text and tags.
    let (purpose, text) = start_edit(&mut app);
    let edited = text
        .replace("Return within 30 days.", "Return within 60 days.")
        .replace("tags: []", "tags: [refund]");
    let fx = app.on_edited(purpose, EditOutcome::Saved(edited));
    let (tag, Request::KbPropose(q)) = one(&fx) else {
        panic!("{fx:?}")
    };
    assert_eq!(tag, Tag::KbFlow(KbFlowTag::Propose));
    assert_eq!((q.article_id, q.base_version), (Some(42), Some(3)));
    assert_eq!(
        (q.body.as_str(), q.tags.clone()),
        ("Return within 60 days.", vec!["refund".to_string()])
    );

    // A new article from the template.
    let fx = app.update(Action::KbProposeNew);
    let [Effect::EditText { purpose, text }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(*purpose, EditPurpose::NewArticle);
    let written = text.replace("title: \"\"", "title: \"Gift cards\"") + "They never expire.\n";
    let fx = app.on_edited(*purpose, EditOutcome::Saved(written));
    let (_, Request::KbPropose(q)) = one(&fx) else {
        panic!("{fx:?}")
    };
    assert_eq!((q.article_id, q.title.as_str()), (None, "Gift cards"));
}

fn pending(id: i64) -> ProposalSummary {
    ProposalSummary {
        id,
        article_id: Some(42),
        base_version: Some(3),
        author_id: 99,
        author: "alice".into(),
        title: "Returns".into(),
        comment: "policy changed".into(),
        status: ProposalStatus::Pending,
        created_at: 1,
        ..Default::default()
    }
}

fn supervisor() -> App {
    let mut app = workbench();
    if let Some(me) = app.me.as_mut() {
        me.role = Role::Supervisor;
    }
    app
}

/// Opens proposal 5 in the proposals view, as a supervisor would.
fn open_proposal(app: &mut App) {
    let fx = app.update(Action::KbProposals);
    assert!(matches!(
        requests(&fx).as_slice(),
        [(Tag::KbFlow(KbFlowTag::Proposals), Request::KbProposals(_))]
    ));
    assert_eq!(app.kbflow.view, KbView::Proposals);
    app.on_net(reply(
        KbFlowTag::Proposals,
        Reply::KbProposals(KbProposalsReply {
            proposals: vec![pending(5)],
            pending: 1,
        }),
    ));
    // Enter (kb_send in the KB panel) opens the highlighted proposal.
    let fx = app.update(Action::KbSend);
    assert!(matches!(
        requests(&fx).as_slice(),
        [(Tag::KbFlow(KbFlowTag::Proposal(5)), Request::KbProposalGet(g))] if g.proposal_id == 5
    ));
    app.on_net(reply(
        KbFlowTag::Proposal(5),
        Reply::KbProposalGet(KbProposalReply {
            proposal: Proposal {
                summary: pending(5),
                body: "Return within 60 days.".into(),
                ..Default::default()
            },
            current: Some(article()),
            diff: vec![
                DiffLine {
                    op: DiffOp::Same,
                    text: "title: \"Returns\"".into(),
                },
                DiffLine {
                    op: DiffOp::Del,
                    text: "Return within 30 days.".into(),
                },
                DiffLine {
                    op: DiffOp::Add,
                    text: "Return within 60 days.\u{1b}[31m".into(),
                },
            ],
            stale: false,
        }),
    ));
}

/// The foreground colour of the first cell of the screen line that contains `needle`.
fn fg_of(
    term: &ratatui::Terminal<ratatui::backend::TestBackend>,
    needle: &str,
) -> ratatui::style::Color {
    let s = screen(term);
    let buf = term.backend().buffer();
    let (y, line) = s
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} in\n{s}"));
    let col = line[..line.find(needle).unwrap()].chars().count() as u16;
    buf[(col, y as u16)].fg
}

#[test]
fn a_supervisor_sees_the_coloured_diff_and_approves_or_rejects_with_a_comment() {
    let mut app = supervisor();
    open_proposal(&mut app);
    let term = render(&app, 120, 40, "dark");
    let s = screen(&term);
    assert!(s.contains("1 to review"), "the status line counts it:\n{s}");
    assert!(s.contains("policy changed"), "{s}");
    assert!(!s.contains('\u{1b}'), "network text is inert");
    let theme = Theme::builtin("dark").unwrap();
    assert_eq!(
        fg_of(&term, "+ Return within 60"),
        theme.style("kb.diff.add").fg.unwrap()
    );
    assert_eq!(
        fg_of(&term, "- Return within 30"),
        theme.style("kb.diff.del").fg.unwrap()
    );

    // `a` approves.
    let fx = app.type_char('a');
    assert!(matches!(
        requests(&fx).as_slice(),
        [(Tag::KbFlow(KbFlowTag::Review(5)), Request::KbReview(r))] if r.approve && r.proposal_id == 5
    ));

    // `r` asks why; enter sends the rejection with the comment.
    assert!(requests(&app.type_char('r')).is_empty());
    for c in "too short".chars() {
        assert!(
            requests(&app.type_char(c)).is_empty(),
            "typing {c} sends nothing"
        );
    }
    let s = screen(&render(&app, 120, 40, "dark"));
    assert!(s.contains("too short"), "{s}");
    let fx = app.update(Action::KbSend);
    let (_, Request::KbReview(r)) = one(&fx) else {
        panic!("{fx:?}")
    };
    assert_eq!((r.approve, r.comment.as_str()), (false, "too short"));
}

#[test]
fn an_agent_cannot_review_from_the_console() {
    let mut app = workbench();
    open_proposal(&mut app);
    assert!(requests(&app.type_char('a')).is_empty());
    assert!(requests(&app.type_char('r')).is_empty());
    assert!(app.kbflow.rejecting.is_none());
}

#[test]
fn updates_show_unread_check_in_clears_them_and_the_author_hears_the_outcome() {
    let mut app = workbench();
    app.update(Action::KbUpdates);
    app.on_net(reply(
        KbFlowTag::Updates,
        Reply::KbUpdates(KbUpdatesReply {
            checked_at: None,
            unread: 2,
            updates: vec![
                ArticleUpdate {
                    id: 1,
                    title: "Gift cards".into(),
                    version: 1,
                    updated_at: 5,
                    change: UpdateKind::New,
                },
                ArticleUpdate {
                    id: 42,
                    title: "Returns".into(),
                    version: 4,
                    updated_at: 4,
                    change: UpdateKind::Edited,
                },
            ],
        }),
    ));
    let s = screen(&render(&app, 120, 40, "dark"));
    assert!(s.contains("2 unread"), "{s}");
    assert!(
        s.contains("[new] Gift cards v1") && s.contains("[edited] Returns v4"),
        "{s}"
    );

    let fx = app.update(Action::KbCheckIn);
    assert!(matches!(
        requests(&fx).as_slice(),
        [(Tag::KbFlow(KbFlowTag::CheckIn), Request::KbCheckIn(_))]
    ));
    app.on_net(reply(
        KbFlowTag::CheckIn,
        Reply::KbCheckIn(KbCheckInReply { checked_at: 9 }),
    ));
    assert_eq!(app.kbflow.unread, 0);
    assert!(!screen(&render(&app, 120, 40, "dark")).contains("unread"));

    // The author (id 7, `me`) hears that their proposal was rejected, and why.
    let mut p = pending(5);
    p.author_id = 7;
    p.status = ProposalStatus::Rejected;
    p.review_comment = Some("too short".into());
    let fx = app.on_net(ev(Event::KbProposal { proposal: p }));
    let notice = app.notice.as_ref().unwrap().0.clone();
    assert!(
        notice.contains("rejected") && notice.contains("too short"),
        "{notice}"
    );
    assert!(matches!(
        requests(&fx).as_slice(),
        [(Tag::KbFlow(KbFlowTag::Proposals), _)]
    ));
}

fn titles_page(from: i64, n: i64, next: Option<u32>) -> Reply {
    Reply::KbSearch(kefu::protocol::KbSearchReply {
        articles: (from..from + n)
            .map(|id| kefu::protocol::ArticleSummary {
                id,
                title: format!("Article {id}"),
                keywords: vec![],
                lang: "en".into(),
                updated_at: 0,
                category: String::new(),
                tags: vec![],
                questions: vec![],
                status: Default::default(),
                snippet: None,
            })
            .collect(),
        next_offset: next,
        fallback: false,
    })
}

#[test]
fn titles_are_fetched_page_by_page() {
    let mut app = workbench();
    let fx = app.on_net(NetEvent::Reply {
        tag: Tag::KbList,
        result: Ok(titles_page(1, 200, Some(200))),
    });
    // (The first title's article is fetched for the preview too.)
    let Some((_, Request::KbSearch(q))) = requests(&fx)
        .into_iter()
        .find(|(tag, _)| *tag == Tag::KbListMore(200))
    else {
        panic!("{fx:?}")
    };
    assert_eq!(
        (q.query.as_str(), q.offset, q.limit),
        ("", Some(200), Some(200))
    );
    let fx = app.on_net(NetEvent::Reply {
        tag: Tag::KbListMore(200),
        result: Ok(titles_page(201, 5, None)),
    });
    assert!(
        !requests(&fx)
            .iter()
            .any(|(tag, _)| matches!(tag, Tag::KbListMore(_))),
        "the last page: {fx:?}"
    );
    assert_eq!(app.kb.titles.len(), 205);
    assert_eq!(app.kb.titles[204].title, "Article 205");
}
