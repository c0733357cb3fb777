//! The transcript a CC carries: built once from the session and its messages when the CC is
//! requested (so what is sent is the conversation as it was then, whatever happens after),
//! stored as JSON in the outbox row, and rendered as the mail's subject and plain text.

use crate::model::{AuthorKind, CustomerId, Millis, SessionId};
use crate::protocol::{MessageView, SessionView};
use serde::{Deserialize, Serialize};

/// One message of a CC'd transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CcLine {
    pub at: Millis,
    pub author_kind: AuthorKind,
    pub author: String,
    pub body: String,
    /// An internal note (only when the CC was asked to include them).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub internal: bool,
}

/// A conversation's transcript as the outbox keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CcDoc {
    pub session_id: SessionId,
    pub customer_id: CustomerId,
    pub customer: String,
    #[serde(default)]
    pub external_id: Option<String>,
    pub channel: String,
    pub group: String,
    #[serde(default)]
    pub tags: Vec<String>,
    pub started_at: Millis,
    #[serde(default)]
    pub ended_at: Option<Millis>,
    /// The agent who asked for the CC (display name).
    pub requested_by: String,
    pub requested_at: Millis,
    /// IANA zone the times are shown in (`[conversations] timezone`).
    pub timezone: String,
    /// Earlier messages left out to keep the transcript within its size limit.
    #[serde(default)]
    pub omitted: usize,
    pub messages: Vec<CcLine>,
}

/// Who asked, when, and how the transcript is cut.
pub struct Request<'a> {
    pub requested_by: &'a str,
    pub requested_at: Millis,
    pub timezone: &'a str,
    pub include_notes: bool,
    /// The messages' bodies and names together stay within this many bytes.
    pub max_bytes: usize,
}

impl CcDoc {
    /// The transcript of `session`: without internal notes unless asked, and only the newest
    /// messages that fit `max_bytes` (the rest counted in `omitted`).
    pub fn build(session: &SessionView, messages: &[MessageView], r: &Request) -> CcDoc {
        Self::build_with(session, messages, r, super::is_internal)
    }

    /// [`CcDoc::build`] with the test for internal notes given.
    fn build_with(
        session: &SessionView,
        messages: &[MessageView],
        r: &Request,
        is_internal: impl Fn(&MessageView) -> bool,
    ) -> CcDoc {
        let kept: Vec<&MessageView> = messages
            .iter()
            .filter(|m| r.include_notes || !is_internal(m))
            .collect();
        let mut budget = r.max_bytes;
        let mut lines = Vec::new();
        for m in kept.iter().rev() {
            let cost = m.body.len() + m.author_name.len() + 32;
            if cost > budget {
                break;
            }
            budget -= cost;
            lines.push(CcLine {
                at: m.created_at,
                author_kind: m.author_kind,
                author: m.author_name.clone(),
                body: m.body.clone(),
                internal: is_internal(m),
            });
        }
        lines.reverse();
        CcDoc {
            session_id: session.id,
            customer_id: session.customer.id,
            customer: session.customer.nickname.clone(),
            external_id: session.customer.external_id.clone(),
            channel: session.channel.as_str().to_string(),
            group: session.group.clone(),
            tags: session.tags.clone(),
            started_at: session.created_at,
            ended_at: session.ended_at,
            requested_by: r.requested_by.to_string(),
            requested_at: r.requested_at,
            timezone: r.timezone.to_string(),
            omitted: kept.len() - lines.len(),
            messages: lines,
        }
    }

    /// `ms` as `2026-11-25 09:30:12` in the transcript's zone.
    pub fn time(&self, ms: Millis) -> String {
        let tz = crate::routing::hours::zone(&self.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
        match jiff::Timestamp::from_millisecond(ms) {
            Ok(t) => t
                .to_zoned_datetime(tz)
                .strftime("%Y-%m-%d %H:%M:%S")
                .to_string(),
            Err(_) => ms.to_string(),
        }
    }
}

/// What an author kind is called in a transcript (Chinese, then English).
pub fn kind_label(k: AuthorKind) -> &'static str {
    match k {
        AuthorKind::Customer => "客户 Customer",
        AuthorKind::Agent => "客服 Agent",
        AuthorKind::Bot => "机器人 Bot",
        AuthorKind::System => "系统 System",
    }
}

/// Text from the network made safe for a mail or a robot message: control and invisible
/// characters shown as marks (as the console does), lines kept.
pub fn clean(s: &str) -> String {
    crate::console::sanitize::inert_text(s).join("\n")
}

/// One line, at most `max` characters (names in a subject or a title).
pub fn one_line(s: &str, max: usize) -> String {
    let s = crate::console::sanitize::inert_line(s);
    let mut out: String = s.chars().take(max).collect();
    if s.chars().count() > max {
        out.push('…');
    }
    out
}

/// The mail's subject: the conversation and the customer.
pub fn mail_subject(d: &CcDoc) -> String {
    format!(
        "[kefu] 会话 #{} · 客户 {} — conversation transcript",
        d.session_id,
        one_line(&d.customer, 60)
    )
}

/// The mail's body: a header naming the conversation, then every message with its time,
/// author kind and name.
pub fn mail_text(d: &CcDoc) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "会话 Conversation #{} · 客户 Customer: {} ({}{})\n",
        d.session_id,
        one_line(&d.customer, 80),
        d.channel,
        d.external_id
            .as_deref()
            .map(|e| format!(", id {}", one_line(e, 80)))
            .unwrap_or_default()
    ));
    out.push_str(&format!("组 Group: {}", one_line(&d.group, 80)));
    if !d.tags.is_empty() {
        out.push_str(&format!(
            " · 标签 Tags: {}",
            one_line(&d.tags.join(", "), 200)
        ));
    }
    out.push('\n');
    out.push_str(&format!(
        "开始 Started: {} ({})\n",
        d.time(d.started_at),
        d.timezone
    ));
    if let Some(e) = d.ended_at {
        out.push_str(&format!("结束 Ended: {}\n", d.time(e)));
    }
    out.push_str(&format!(
        "抄送 CC by: {} at {}\n",
        one_line(&d.requested_by, 80),
        d.time(d.requested_at)
    ));
    if d.omitted > 0 {
        out.push_str(&format!(
            "\n({} earlier messages left out: a CC carries at most the newest that fit its size limit)\n",
            d.omitted
        ));
    }
    for m in &d.messages {
        out.push_str(&format!(
            "\n[{}] {}{} · {}\n",
            d.time(m.at),
            if m.internal {
                "内部备注 Internal note · "
            } else {
                ""
            },
            kind_label(m.author_kind),
            one_line(&m.author, 80)
        ));
        for line in clean(&m.body).lines() {
            out.push_str("  ");
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{Channel, SessionState};
    use crate::protocol::CustomerView;

    pub(crate) fn session() -> SessionView {
        SessionView {
            id: 12,
            customer: CustomerView {
                id: 7,
                external_id: None,
                nickname: "张三".into(),
                channel: Channel::Web,
                vip: false,
                tags: vec![],
            },
            channel: Channel::Web,
            state: SessionState::Active,
            group: "general".into(),
            assignee: Some(1),
            priority: 0,
            intent: None,
            tags: vec!["物流".into()],
            follow_up: false,
            created_at: 1_764_000_000_000,
            queued_at: None,
            offered_at: None,
            accepted_at: None,
            first_human_reply_at: None,
            ended_at: None,
            end_reason: None,
            csat: None,
            last_seq: 2,
            waiting_since: None,
            context: None,
            offline: false,
            csat_comment: None,
            replied_at: None,
            reminded_at: None,
            bot: None,
            menu: None,
            follow_up_at: None,
            ends_at: None,
            pending_end: None,
        }
    }

    pub(crate) fn message(seq: i64, kind: AuthorKind, name: &str, body: &str) -> MessageView {
        MessageView {
            session_id: 12,
            seq,
            author_kind: kind,
            author_id: None,
            author_name: name.into(),
            body: body.into(),
            client_msg_id: None,
            created_at: 1_764_000_000_000 + seq * 1000,
            internal: false,
        }
    }

    fn request(max_bytes: usize) -> Request<'static> {
        Request {
            requested_by: "Alice",
            requested_at: 1_764_000_100_000,
            timezone: "Asia/Shanghai",
            include_notes: false,
            max_bytes,
        }
    }

    #[test]
    fn the_mail_names_the_conversation_and_keeps_chinese() {
        let msgs = [
            message(1, AuthorKind::Customer, "张三", "我的包裹在哪里？"),
            message(2, AuthorKind::Agent, "Alice", "已经发货了\n明天到"),
        ];
        let d = CcDoc::build(&session(), &msgs, &request(10_000));
        assert_eq!(
            mail_subject(&d),
            "[kefu] 会话 #12 · 客户 张三 — conversation transcript"
        );
        let text = mail_text(&d);
        // 1764000001000 ms is 2025-11-25 00:00:01 in Shanghai (UTC+8).
        assert!(
            text.contains("[2025-11-25 00:00:01] 客户 Customer · 张三\n  我的包裹在哪里？\n"),
            "{text}"
        );
        assert!(
            text.contains("客服 Agent · Alice\n  已经发货了\n  明天到\n"),
            "{text}"
        );
        assert!(text.contains("标签 Tags: 物流"));
    }

    #[test]
    fn a_long_transcript_keeps_the_newest_messages_and_says_so() {
        let msgs: Vec<_> = (1..=100)
            .map(|i| message(i, AuthorKind::Customer, "c", &"x".repeat(100)))
            .collect();
        let d = CcDoc::build(&session(), &msgs, &request(1400));
        assert_eq!(d.messages.len() + d.omitted, 100);
        assert!(d.omitted > 80);
        assert_eq!(d.messages.last().unwrap().at, msgs[99].created_at);
        assert!(mail_text(&d).contains("earlier messages left out"));
    }

    #[test]
    fn internal_notes_are_left_out_unless_asked_and_marked_when_in() {
        let msgs = [
            message(1, AuthorKind::Customer, "张三", "在吗"),
            message(2, AuthorKind::Agent, "Alice", "NOTE: VIP, refund ok"),
            message(3, AuthorKind::Agent, "Alice", "在的"),
        ];
        let note = |m: &MessageView| m.seq == 2;
        let d = CcDoc::build_with(&session(), &msgs, &request(10_000), note);
        let text = mail_text(&d);
        assert!(!text.contains("NOTE") && text.contains("在的"), "{text}");
        let mut r = request(10_000);
        r.include_notes = true;
        let d = CcDoc::build_with(&session(), &msgs, &r, note);
        assert!(mail_text(&d).contains("内部备注 Internal note · 客服 Agent · Alice\n  NOTE"));
    }

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        let msgs = [message(1, AuthorKind::Customer, "x\u{1b}[2J", "a\u{202e}b")];
        let d = CcDoc::build(&session(), &msgs, &request(10_000));
        let text = mail_text(&d);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{202e}'),
            "{text}"
        );
    }
}
