//! Shared by the History screen's tests: the workbench with the console in Shanghai time,
//! search hits and replies built from protocol types, and reading the requests sent.
#![allow(dead_code)]

use crate::console_fixture::*;
use kefu::console::app::history_state::HistoryTag;
use kefu::console::app::{App, Effect, NetEvent, Overlay, Tag};
use kefu::console::reply::Reply;
use kefu::model::{AuthorKind, Channel, EndReason, SessionState};
use kefu::protocol::request::Transcript;
use kefu::protocol::{
    HistoryHit, HistorySearch, HistorySearchReply, HistorySessionReply, HitLine, MessageView,
    Request, TranscriptReply, TransferView,
};

/// The workbench, its clock read in Asia/Shanghai (dates typed and shown are local there).
pub fn app() -> App {
    let mut app = workbench();
    app.followup.tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    app
}

pub fn hit(id: i64, customer: &str) -> HistoryHit {
    HistoryHit {
        session_id: id,
        customer_id: 11,
        customer: customer.into(),
        external_id: None,
        channel: Channel::Web,
        group: "aftersales".into(),
        agent_id: Some(7),
        agent: Some("Demo Agent".into()),
        created_at: NOW - (10 - id) * 3_600_000,
        ended_at: Some(NOW - (10 - id) * 3_600_000 + 600_000),
        outcome: Some(EndReason::Resolved),
        csat: Some(4),
        tags: vec!["退款".into()],
        intent: Some("refund".into()),
        messages: 6,
        line: None,
    }
}

/// A hit whose matching line says `text` with `highlights` (characters).
pub fn hit_with_line(id: i64, customer: &str, text: &str, highlights: &[(u32, u32)]) -> HistoryHit {
    let mut h = hit(id, customer);
    h.line = Some(HitLine {
        seq: 1,
        author_kind: AuthorKind::Customer,
        author_name: customer.into(),
        text: text.into(),
        highlights: highlights.to_vec(),
        internal: false,
        created_at: h.created_at + 60_000,
    });
    h
}

/// The `history.search` requests among `fx`, with the generation each was tagged with.
pub fn searches(fx: &[Effect]) -> Vec<(u64, HistorySearch)> {
    fx.iter()
        .filter_map(|f| match f {
            Effect::Request {
                tag: Tag::History(HistoryTag::Search(g)),
                request: Request::HistorySearch(q),
            } => Some((*g, q.clone())),
            _ => None,
        })
        .collect()
}

/// The one search among `fx`.
pub fn one_search(fx: &[Effect]) -> (u64, HistorySearch) {
    let s = searches(fx);
    assert_eq!(s.len(), 1, "one history.search: {fx:?}");
    s.into_iter().next().unwrap()
}

pub fn search_reply(g: u64, hits: Vec<HistoryHit>, next: Option<i64>) -> NetEvent {
    NetEvent::Reply {
        tag: Tag::History(HistoryTag::Search(g)),
        result: Ok(Reply::HistorySearch(HistorySearchReply { hits, next })),
    }
}

/// What opening a conversation asked for: (generation, session) of its `history.session`,
/// and its transcript pages with their generation.
pub type Opening = (Option<(u64, i64)>, Vec<(u64, Transcript)>);

pub fn opening(fx: &[Effect]) -> Opening {
    let mut session = None;
    let mut pages = Vec::new();
    for f in fx {
        match f {
            Effect::Request {
                tag: Tag::History(HistoryTag::Session(g)),
                request: Request::HistorySession(q),
            } => session = Some((*g, q.session_id)),
            Effect::Request {
                tag: Tag::History(HistoryTag::Transcript(g)),
                request: Request::Transcript(t),
            } => pages.push((*g, t.clone())),
            _ => {}
        }
    }
    (session, pages)
}

/// The reply to `history.session` of conversation 5: ended, rated with a comment, one transfer.
pub fn session_reply(g: u64, id: i64) -> NetEvent {
    let mut view = session(id, customer(11, "小明", false, &[]), SessionState::Ended);
    view.end_reason = Some(EndReason::Resolved);
    view.csat = Some(4);
    view.csat_comment = Some("退款很快，谢谢！".into());
    view.tags = vec!["退款".into()];
    view.ended_at = Some(NOW - 300_000);
    view.last_seq = 4;
    NetEvent::Reply {
        tag: Tag::History(HistoryTag::Session(g)),
        result: Ok(Reply::HistorySession(HistorySessionReply {
            session: view,
            agent: Some("Demo Agent".into()),
            transfers: vec![TransferView {
                at: NOW - 500_000,
                by: Some("Bob Li".into()),
                from_agent: Some("Bob Li".into()),
                from_group: "presales".into(),
                to_agent: None,
                to_group: "aftersales".into(),
                note: "客户要退款".into(),
                queued: true,
            }],
        })),
    }
}

pub fn messages(id: i64) -> Vec<MessageView> {
    let mut note = msg(
        id,
        3,
        AuthorKind::Agent,
        "Demo Agent",
        "已核实订单，可以退",
        NOW - 400_000,
    );
    note.internal = true;
    vec![
        msg(
            id,
            1,
            AuthorKind::Customer,
            "小明",
            "我要退款，订单 A123",
            NOW - 480_000,
        ),
        msg(
            id,
            2,
            AuthorKind::Agent,
            "Demo Agent",
            "好的，我看一下。",
            NOW - 450_000,
        ),
        note,
        msg(
            id,
            4,
            AuthorKind::Agent,
            "Demo Agent",
            "已为您退款，1–3 个工作日到账。",
            NOW - 350_000,
        ),
    ]
}

pub fn transcript_reply(g: u64, id: i64, messages: Vec<MessageView>, last_seq: i64) -> NetEvent {
    let mut view = session(id, customer(11, "小明", false, &[]), SessionState::Ended);
    view.last_seq = last_seq;
    NetEvent::Reply {
        tag: Tag::History(HistoryTag::Transcript(g)),
        result: Ok(Reply::Transcript(TranscriptReply {
            session: view,
            messages,
        })),
    }
}

/// The History screen's state (open, or put aside).
pub fn history_of(app: &App) -> &kefu::console::app::history_state::HistoryScreen {
    match &app.overlay {
        Some(Overlay::History(h)) => h,
        _ => app.history_parked.as_deref().expect("History was opened"),
    }
}

pub fn is_open(app: &App) -> bool {
    matches!(app.overlay, Some(Overlay::History(_)))
}
