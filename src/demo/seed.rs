//! Fills a fresh database with demo data: skill groups, agents who share one password,
//! customers with ended past sessions, quick replies and the knowledge base (`kb.json`).

use super::DemoCustomer;
use super::seed_data::{
    AGENTS, CUSTOMERS, DEMO_PASSWORD, DEMO_USERNAME, GROUPS, PERSONAL_QUICK_REPLIES, PastSession,
    QUICK_REPLIES, Who,
};
use crate::admin::{self, NewAgent};
use crate::model::{AgentId, AuthorKind, Millis, SessionState, priority_for};
use crate::protocol::{Article, CustomerView, MessageView, QuickReply, SessionView};
use crate::store::{Store, StoreError};
use serde::Deserialize;
use std::collections::HashMap;

const KB_JSON: &str = include_str!("kb.json");
const HOUR: Millis = 3_600_000;
const DAY: Millis = 24 * HOUR;

/// What a seeded database offers: who to log in as, and the customers the simulator plays.
#[derive(Debug, Clone)]
pub struct SeedInfo {
    pub username: String,
    pub password: String,
    pub customers: Vec<DemoCustomer>,
    pub articles: usize,
    pub quick_replies: usize,
}

impl SeedInfo {
    /// The info of the built-in seed without touching a database (for a simulator pointed at
    /// a server seeded earlier).
    pub fn builtin() -> SeedInfo {
        SeedInfo {
            username: DEMO_USERNAME.into(),
            password: DEMO_PASSWORD.into(),
            customers: CUSTOMERS
                .iter()
                .map(|c| DemoCustomer {
                    external_id: c.external_id.into(),
                    nickname: c.nickname.into(),
                    channel: c.channel,
                    lang: c.lang,
                    vip: c.vip,
                    complaint: c.tags.contains(&"投诉用户"),
                })
                .collect(),
            articles: kb_articles().map(|kb| kb.len()).unwrap_or(0),
            quick_replies: QUICK_REPLIES.len(),
        }
    }
}

#[derive(Deserialize)]
struct KbSeed {
    title: String,
    keywords: Vec<String>,
    lang: String,
    body: String,
    #[serde(default)]
    category: String,
    /// Alternative questions (相似问法).
    #[serde(default)]
    questions: Vec<String>,
}

/// Parses the bundled knowledge base.
fn kb_articles() -> anyhow::Result<Vec<KbSeed>> {
    serde_json::from_str(KB_JSON).map_err(|e| anyhow::anyhow!("demo/kb.json: {e}"))
}

/// Seeds a fresh database; `now` anchors the history (past sessions are days before it).
/// Fails without writing anything if the demo agent already exists.
pub fn seed(store: &mut dyn Store, now: Millis) -> anyhow::Result<SeedInfo> {
    let mut seeded = false;
    store.transaction(&mut |tx| {
        seeded = tx.agent_by_username(DEMO_USERNAME)?.is_some();
        Ok(())
    })?;
    if seeded {
        anyhow::bail!("this database is already seeded (agent `{DEMO_USERNAME}` exists)");
    }
    let kb = kb_articles()?;
    for (name, strategy) in GROUPS {
        admin::add_group(store, name, *strategy)?;
    }
    let mut agents: HashMap<&str, (AgentId, &str)> = HashMap::new();
    for a in AGENTS {
        let new = NewAgent {
            username: a.username.into(),
            display_name: a.display_name.into(),
            employee_no: Some(a.employee_no.into()),
            contact: Some(a.contact.into()),
            role: a.role,
            groups: a.groups.iter().map(|g| g.to_string()).collect(),
            max_sessions: Some(a.capacity),
        };
        let id = admin::add_agent_with_password(store, new, DEMO_PASSWORD, false)?;
        agents.insert(a.username, (id, a.display_name));
    }
    // Customers and sessions are numbered by the server, which continues after the maxima.
    let recovered = store.recover()?;
    let (mut next_customer, mut next_session) =
        (recovered.max_customer_id + 1, recovered.max_session_id + 1);

    store.transaction(&mut |tx| {
        for (i, c) in CUSTOMERS.iter().enumerate() {
            let customer = CustomerView {
                id: next_customer,
                external_id: Some(c.external_id.into()),
                nickname: c.nickname.into(),
                channel: c.channel,
                vip: c.vip,
                tags: c.tags.iter().map(|t| t.to_string()).collect(),
            };
            next_customer += 1;
            let oldest = c.history.iter().map(|p| p.days_ago).max().unwrap_or(0);
            tx.insert_customer(&customer, now - (oldest + 60) * DAY)?;
            for past in c.history {
                let &(agent, agent_name) = agents.get(past.agent).ok_or_else(|| {
                    StoreError::NotFound(format!("seed data names agent `{}`", past.agent))
                })?;
                // Spread conversations over the day so the history does not look generated.
                let start = now - past.days_ago * DAY - (i as Millis % 9 + 1) * HOUR;
                let (session, messages) =
                    past_session(next_session, &customer, past, (agent, agent_name), start);
                next_session += 1;
                tx.put_session(&session, None)?;
                for m in &messages {
                    tx.insert_message(m)?;
                }
            }
        }
        for (shortcut, title, body, intents) in QUICK_REPLIES {
            tx.insert_quick_reply(&QuickReply {
                shortcut: shortcut.to_string(),
                title: title.to_string(),
                body: body.to_string(),
                intents: intents.iter().map(|i| i.to_string()).collect(),
                created_at: now,
                ..Default::default()
            })?;
        }
        for (owner, shortcut, title, body) in PERSONAL_QUICK_REPLIES {
            let (owner, _) = agents
                .get(owner)
                .copied()
                .ok_or_else(|| StoreError::NotFound(format!("seed data names agent `{owner}`")))?;
            tx.insert_quick_reply(&QuickReply {
                scope: crate::protocol::QuickScope::Personal,
                owner: Some(owner),
                shortcut: shortcut.to_string(),
                title: title.to_string(),
                body: body.to_string(),
                created_at: now,
                ..Default::default()
            })?;
        }
        for (i, a) in kb.iter().enumerate() {
            tx.insert_article(&Article {
                id: 0,
                title: a.title.clone(),
                keywords: a.keywords.clone(),
                lang: a.lang.clone(),
                // Staggered edits, so "most recently updated first" has something to order.
                updated_at: now - (i as Millis) * 7 * HOUR,
                body: a.body.clone(),
                category: a.category.clone(),
                questions: a.questions.clone(),
                author: "kefu demo".into(),
                ..Article::default()
            })?;
        }
        Ok(())
    })?;

    let mut info = SeedInfo::builtin();
    info.articles = kb.len();
    Ok(info)
}

/// An ended session and its messages: queued at `start`, accepted seconds later, one line
/// every 45 seconds, ended a minute and a half after the last.
fn past_session(
    id: i64,
    customer: &CustomerView,
    past: &PastSession,
    (agent, agent_name): (AgentId, &str),
    start: Millis,
) -> (SessionView, Vec<MessageView>) {
    let at = |i: usize| start + 10_000 + i as Millis * 45_000;
    let messages: Vec<MessageView> = past
        .lines
        .iter()
        .enumerate()
        .map(|(i, (who, body))| {
            let (kind, author, name) = match who {
                Who::Customer => (
                    AuthorKind::Customer,
                    customer.id,
                    customer.nickname.as_str(),
                ),
                Who::Agent => (AuthorKind::Agent, agent, agent_name),
            };
            MessageView {
                session_id: id,
                seq: i as i64 + 1,
                author_kind: kind,
                author_id: Some(author),
                author_name: name.into(),
                body: body.to_string(),
                client_msg_id: None,
                created_at: at(i),
                internal: false,
            }
        })
        .collect();
    let first_reply = past.lines.iter().position(|(w, _)| *w == Who::Agent);
    let session = SessionView {
        id,
        customer: customer.clone(),
        channel: customer.channel,
        state: SessionState::Ended,
        group: past.group.into(),
        assignee: Some(agent),
        priority: priority_for(customer.vip, &customer.tags),
        intent: None,
        tags: past.tags.iter().map(|t| t.to_string()).collect(),
        follow_up: past.follow_up,
        follow_up_at: None,
        created_at: start,
        queued_at: Some(start),
        offered_at: Some(start + 4_000),
        accepted_at: Some(start + 9_000),
        first_human_reply_at: first_reply.map(at),
        ended_at: Some(at(past.lines.len()) + 45_000),
        end_reason: Some(past.end),
        csat: past.csat,
        last_seq: messages.len() as i64,
        waiting_since: None,
        context: None,
        offline: false,
        csat_comment: None,
        replied_at: None,
        reminded_at: None,
        bot: None,
        menu: None,
        ends_at: None,
        pending_end: None,
    };
    (session, messages)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::Lang;

    #[test]
    fn bundled_data_is_consistent() {
        let kb = kb_articles().unwrap();
        assert!(kb.len() >= 40);
        for lang in ["zh", "en"] {
            assert!(kb.iter().filter(|a| a.lang == lang).count() >= 20, "{lang}");
        }
        assert!(
            kb.iter()
                .all(|a| !a.keywords.is_empty() && a.body.len() > 80)
        );
        let names: Vec<&str> = AGENTS.iter().map(|a| a.username).collect();
        for c in CUSTOMERS {
            for p in c.history {
                assert!(names.contains(&p.agent), "{}", p.agent);
                assert!(GROUPS.iter().any(|(g, _)| *g == p.group), "{}", p.group);
            }
        }
        let info = SeedInfo::builtin();
        assert!(info.customers.iter().any(|c| c.vip && c.lang == Lang::Zh));
        assert!(
            info.customers
                .iter()
                .any(|c| c.complaint && c.lang == Lang::Zh)
        );
        assert!(info.customers.iter().any(|c| c.lang == Lang::En));
        assert!(QUICK_REPLIES.len() >= 12);
        // Every seeded reply passes the checks a save from the console gets.
        let team = QUICK_REPLIES.iter().map(|(s, t, b, _)| (*s, *t, *b));
        let mine = PERSONAL_QUICK_REPLIES
            .iter()
            .map(|(_, s, t, b)| (*s, *t, *b));
        for (shortcut, title, body) in team.chain(mine) {
            let save = crate::protocol::QuickReplySave {
                shortcut: shortcut.into(),
                title: title.into(),
                body: body.into(),
                ..Default::default()
            };
            assert!(crate::quick::validate(save).is_ok(), "{shortcut}");
        }
    }
}
