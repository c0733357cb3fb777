//! The hand-computed fixture of `docs/reports.md` ("Worked example"): two days in
//! Asia/Shanghai, three agents, seven conversations (one through the bot, one transferred to a
//! colleague, one transferred to a group across midnight, one abandoned in the queue, one
//! still waiting) and the agents' status changes. `fixture_tests` checks every number the
//! document states; the wire test replays a smaller script through a real server.

use super::facts::*;
use crate::model::{AgentId, AgentStatus, EndReason, Millis};
use jiff::tz::TimeZone;

pub const ALICE: AgentId = 1;
pub const BOB: AgentId = 2;

/// A local time in Asia/Shanghai, `2026-11-02T09:00:30`.
pub fn t(local: &str) -> Millis {
    let civil: jiff::civil::DateTime = local.parse().expect("fixture time");
    TimeZone::get("Asia/Shanghai")
        .and_then(|tz| tz.to_timestamp(civil))
        .expect("fixture zone")
        .as_millisecond()
}

fn session(id: i64, channel: &str, group: &str, created: &str) -> SessionFact {
    SessionFact {
        id,
        channel: channel.into(),
        group: group.into(),
        created_at: t(created),
        queued_at: Some(t(created)),
        ..SessionFact::default()
    }
}

fn c(session_id: i64, at: &str) -> MessageFact {
    MessageFact {
        session_id,
        author: Author::Customer,
        at: t(at),
    }
}

fn a(session_id: i64, agent: AgentId, at: &str) -> MessageFact {
    MessageFact {
        session_id,
        author: Author::Agent(agent),
        at: t(at),
    }
}

fn st(agent: AgentId, status: AgentStatus, at: &str) -> StatusFact {
    StatusFact {
        agent,
        status,
        at: t(at),
    }
}

/// The report's range: 2026-11-02 00:00 to 2026-11-04 00:00 in Shanghai.
pub fn range() -> (Millis, Millis) {
    (t("2026-11-02T00:00:00"), t("2026-11-04T00:00:00"))
}

/// "Now" for the fixture: after everything.
pub fn now() -> Millis {
    t("2026-11-05T00:00:00")
}

pub fn facts() -> ReportFacts {
    let d1 = "2026-11-02T";
    let d2 = "2026-11-03T";
    let at = |day: &str, hms: &str| format!("{day}{hms}");
    // S1: plain web conversation, alice, resolved, 5 stars.
    let mut s1 = session(1, "web", "sales", &at(d1, "09:00:00"));
    s1.tags = vec!["退款".into()];
    s1.intent = Some("refund".into());
    s1.assignee = Some(ALICE);
    s1.accepted_at = Some(t(&at(d1, "09:00:30")));
    s1.first_human_reply_at = Some(t(&at(d1, "09:01:00")));
    s1.ended_at = Some(t(&at(d1, "09:10:00")));
    s1.outcome = Some(EndReason::Resolved);
    s1.surveyed = true;
    s1.csat = Some(5);
    // S2: the bot first (handed off 10:05), bob, then transferred to alice; unresolved, 3.
    let mut s2 = session(2, "app", "sales", &at(d1, "10:00:00"));
    s2.queued_at = Some(t(&at(d1, "10:05:00")));
    s2.assignee = Some(ALICE);
    s2.accepted_at = Some(t(&at(d1, "10:10:00")));
    s2.first_human_reply_at = Some(t(&at(d1, "10:07:00")));
    s2.ended_at = Some(t(&at(d1, "10:20:00")));
    s2.outcome = Some(EndReason::Unresolved);
    s2.surveyed = true;
    s2.csat = Some(3);
    // S3: 23:50 on day 1, alice, transferred to the vip group, bob takes it after midnight.
    let mut s3 = session(3, "web", "vip", &at(d1, "23:50:00"));
    s3.tags = vec!["投诉".into(), "退款".into()];
    s3.assignee = Some(BOB);
    s3.accepted_at = Some(t(&at(d2, "00:03:00")));
    s3.first_human_reply_at = Some(t(&at(d1, "23:56:00")));
    s3.ended_at = Some(t(&at(d2, "00:10:00")));
    s3.outcome = Some(EndReason::Resolved);
    s3.surveyed = true;
    // S4: nobody took it; abandoned after 15 minutes in the queue.
    let mut s4 = session(4, "web", "support", &at(d1, "10:06:00"));
    s4.ended_at = Some(t(&at(d1, "10:21:00")));
    s4.outcome = Some(EndReason::Abandoned);
    // S5: mini-program, alice; the customer ends it and gives 4 stars.
    let mut s5 = session(5, "mini_program", "support", &at(d2, "14:00:00"));
    s5.assignee = Some(ALICE);
    s5.accepted_at = Some(t(&at(d2, "14:01:00")));
    s5.first_human_reply_at = Some(t(&at(d2, "14:01:30")));
    s5.ended_at = Some(t(&at(d2, "14:30:00")));
    s5.outcome = Some(EndReason::CustomerLeft);
    s5.surveyed = true;
    s5.csat = Some(4);
    // S6: still waiting at the end of the range.
    let s6 = session(6, "web", "support", &at(d2, "23:00:00"));
    // S7: arrives on day 2 but ends after the range: only its arrival and wait count.
    let mut s7 = session(7, "web", "sales", &at(d2, "23:30:00"));
    s7.assignee = Some(ALICE);
    s7.accepted_at = Some(t(&at(d2, "23:31:00")));
    s7.first_human_reply_at = Some(t(&at(d2, "23:32:00")));
    s7.ended_at = Some(t("2026-11-04T00:30:00"));
    s7.outcome = Some(EndReason::Resolved);
    s7.surveyed = true;
    s7.csat = Some(1);
    let messages = vec![
        c(1, &at(d1, "09:00:00")),
        a(1, ALICE, &at(d1, "09:01:00")),
        c(1, &at(d1, "09:02:00")),
        a(1, ALICE, &at(d1, "09:02:20")),
        // To the bot, before the hand-off: the bot's to answer.
        c(2, &at(d1, "10:00:00")),
        c(2, &at(d1, "10:04:50")),
        a(2, BOB, &at(d1, "10:07:00")),
        c(2, &at(d1, "10:08:00")),
        a(2, BOB, &at(d1, "10:09:00")),
        c(2, &at(d1, "10:11:00")),
        a(2, ALICE, &at(d1, "10:11:30")),
        c(3, &at(d1, "23:50:00")),
        a(3, ALICE, &at(d1, "23:56:00")),
        c(3, &at(d2, "00:04:00")),
        a(3, BOB, &at(d2, "00:05:00")),
        c(4, &at(d1, "10:06:00")),
        c(5, &at(d2, "14:00:00")),
        a(5, ALICE, &at(d2, "14:01:30")),
        c(5, &at(d2, "14:02:00")),
        c(5, &at(d2, "14:03:00")),
        a(5, ALICE, &at(d2, "14:04:00")),
        a(5, ALICE, &at(d2, "14:04:30")),
        c(6, &at(d2, "23:00:00")),
        c(7, &at(d2, "23:30:00")),
        a(7, ALICE, &at(d2, "23:32:00")),
    ];
    let transfers = vec![
        TransferFact {
            session_id: 2,
            from_agent: Some(BOB),
            to_agent: Some(ALICE),
            from_group: "sales".into(),
            to_group: "sales".into(),
            queued: false,
            at: t(&at(d1, "10:10:00")),
        },
        TransferFact {
            session_id: 3,
            from_agent: Some(ALICE),
            to_agent: None,
            from_group: "support".into(),
            to_group: "vip".into(),
            queued: false,
            at: t(&at(d1, "23:58:00")),
        },
    ];
    let statuses = vec![
        st(ALICE, AgentStatus::Online, "2026-11-01T08:00:00"),
        st(ALICE, AgentStatus::Away, &at(d1, "12:00:00")),
        st(ALICE, AgentStatus::Online, &at(d1, "13:00:00")),
        st(ALICE, AgentStatus::Offline, &at(d2, "18:00:00")),
        st(BOB, AgentStatus::Online, &at(d1, "10:00:00")),
        st(BOB, AgentStatus::Offline, "2026-11-04T02:00:00"),
    ];
    let agents = vec![
        AgentFact {
            id: ALICE,
            username: "alice".into(),
            display_name: "Alice".into(),
        },
        AgentFact {
            id: BOB,
            username: "bob".into(),
            display_name: "Bob".into(),
        },
    ];
    ReportFacts {
        sessions: vec![s1, s2, s3, s4, s5, s6, s7],
        messages,
        transfers,
        statuses,
        agents,
    }
}
