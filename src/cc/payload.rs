//! What a CC webhook POSTs, by `format`: our own JSON (every field and message), or the
//! markdown message of a WeCom (企业微信) / DingTalk (钉钉) group robot or a Slack incoming
//! webhook. Robots cap a message's size (WeCom 4096 bytes), so theirs carry the header and
//! the newest messages that fit, and say how many were left out.

use super::transcript::{CcDoc, clean, kind_label, mail_subject, mail_text, one_line};
use crate::config::CcFormat;
use serde_json::json;

/// Largest robot message we build (WeCom's markdown limit; DingTalk and Slack take more).
const ROBOT_BYTES: usize = 4000;

/// The JSON body POSTed for CC `cc_id` of `doc`.
pub fn webhook_body(format: CcFormat, cc_id: i64, doc: &CcDoc) -> Vec<u8> {
    let value = match format {
        CcFormat::Json => json!({
            "kind": "cc",
            "cc_id": cc_id,
            "conversation_id": doc.session_id,
            "customer": {
                "id": doc.customer_id,
                "nickname": doc.customer,
                "external_id": doc.external_id,
            },
            "channel": doc.channel,
            "group": doc.group,
            "tags": doc.tags,
            "started_at": doc.started_at,
            "ended_at": doc.ended_at,
            "requested_by": doc.requested_by,
            "requested_at": doc.requested_at,
            "omitted": doc.omitted,
            "subject": mail_subject(doc),
            "text": mail_text(doc),
            "messages": doc.messages,
        }),
        CcFormat::Wecom => json!({
            "msgtype": "markdown",
            "markdown": { "content": markdown(doc, false) },
        }),
        CcFormat::Dingtalk => json!({
            "msgtype": "markdown",
            "markdown": { "title": mail_subject(doc), "text": markdown(doc, false) },
        }),
        CcFormat::Slack => json!({ "text": markdown(doc, true) }),
    };
    serde_json::to_vec(&value).unwrap_or_default()
}

/// Slack's three escapes (`&`, `<`, `>`), so customer text cannot make links or mentions.
fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The robot message: a bold header line, then the newest messages that fit, each body
/// quoted (`> `) so a customer's text cannot make headings.
fn markdown(doc: &CcDoc, slack: bool) -> String {
    let esc = |s: &str| {
        if slack {
            slack_escape(s)
        } else {
            s.to_string()
        }
    };
    let bold = if slack { "*" } else { "**" };
    let header = format!(
        "{bold}抄送 CC · 会话 #{} · 客户 {}{bold}\n组 {} · by {} · {}\n",
        doc.session_id,
        esc(&one_line(&doc.customer, 60)),
        esc(&one_line(&doc.group, 60)),
        esc(&one_line(&doc.requested_by, 60)),
        doc.time(doc.requested_at),
    );
    let mut blocks: Vec<String> = Vec::new();
    let mut used = header.len() + 120;
    for m in doc.messages.iter().rev() {
        let mut b = format!(
            "\n{}{} · {} · {}\n",
            if m.internal {
                "[内部备注 note] "
            } else {
                ""
            },
            kind_label(m.author_kind),
            esc(&one_line(&m.author, 60)),
            doc.time(m.at)
        );
        for line in clean(&m.body).lines() {
            b.push_str("> ");
            b.push_str(&esc(line));
            b.push('\n');
        }
        if used + b.len() > ROBOT_BYTES {
            break;
        }
        used += b.len();
        blocks.push(b);
    }
    let left_out = doc.omitted + doc.messages.len() - blocks.len();
    let mut out = header;
    if left_out > 0 {
        out.push_str(&format!("\n({left_out} earlier messages not shown)\n"));
    }
    for b in blocks.iter().rev() {
        out.push_str(b);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cc::transcript::Request;
    use crate::cc::transcript::tests::{message, session};
    use crate::model::AuthorKind;
    use serde_json::Value;

    fn doc(n: i64) -> CcDoc {
        let msgs: Vec<_> = (1..=n)
            .map(|i| message(i, AuthorKind::Customer, "张三", &format!("第{i}条 <b>&")))
            .collect();
        let r = Request {
            requested_by: "Alice",
            requested_at: 1_764_000_100_000,
            timezone: "UTC",
            include_notes: false,
            max_bytes: 1 << 20,
        };
        CcDoc::build(&session(), &msgs, &r)
    }

    fn parse(f: CcFormat, d: &CcDoc) -> Value {
        serde_json::from_slice(&webhook_body(f, 9, d)).unwrap()
    }

    #[test]
    fn shapes() {
        let d = doc(2);
        let v = parse(CcFormat::Json, &d);
        assert_eq!(v["cc_id"], 9);
        assert_eq!(v["conversation_id"], 12);
        assert_eq!(v["customer"]["nickname"], "张三");
        assert_eq!(v["messages"][1]["body"], "第2条 <b>&");
        let v = parse(CcFormat::Wecom, &d);
        assert_eq!(v["msgtype"], "markdown");
        assert!(
            v["markdown"]["content"]
                .as_str()
                .unwrap()
                .contains("> 第2条 <b>&")
        );
        let v = parse(CcFormat::Dingtalk, &d);
        assert!(v["markdown"]["title"].as_str().unwrap().contains("#12"));
        assert!(v["markdown"]["text"].as_str().unwrap().contains("> 第1条"));
        let v = parse(CcFormat::Slack, &d);
        assert!(
            v["text"]
                .as_str()
                .unwrap()
                .contains("> 第2条 &lt;b&gt;&amp;")
        );
    }

    #[test]
    fn robot_messages_stay_under_the_cap_with_the_newest() {
        let d = doc(2000);
        for f in [CcFormat::Wecom, CcFormat::Slack] {
            let v = parse(f, &d);
            let text = v["markdown"]["content"]
                .as_str()
                .or(v["text"].as_str())
                .unwrap();
            assert!(text.len() <= ROBOT_BYTES, "{}", text.len());
            assert!(text.contains("第2000条"));
            assert!(text.contains("earlier messages not shown"));
        }
    }
}
