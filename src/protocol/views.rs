//! The data shapes that replies and events carry: sessions, customers, messages, agents, queues.

use crate::model::{
    AgentId, AgentStatus, AuthorKind, Channel, CustomerId, EndReason, Millis, Role, SessionId,
    SessionState, Strategy,
};
use serde::{Deserialize, Serialize};

/// A customer as agents see them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerView {
    pub id: CustomerId,
    pub external_id: Option<String>,
    pub nickname: String,
    pub channel: Channel,
    pub vip: bool,
    pub tags: Vec<String>,
}

/// A session's state as its agent, supervisors and snapshots see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionView {
    pub id: SessionId,
    pub customer: CustomerView,
    pub channel: Channel,
    pub state: SessionState,
    pub group: String,
    pub assignee: Option<AgentId>,
    pub priority: i64,
    pub intent: Option<String>,
    pub tags: Vec<String>,
    pub follow_up: bool,
    pub created_at: Millis,
    pub queued_at: Option<Millis>,
    pub offered_at: Option<Millis>,
    pub accepted_at: Option<Millis>,
    pub first_human_reply_at: Option<Millis>,
    pub ended_at: Option<Millis>,
    pub end_reason: Option<EndReason>,
    pub csat: Option<u8>,
    /// Seq of the last message, so a client knows whether its transcript is complete.
    pub last_seq: i64,
    /// When the customer last wrote and no agent has answered since (for wait colouring).
    pub waiting_since: Option<Millis>,
    /// What the channel knows: the page (web) or the app (app, mini-program); from the
    /// customer's client, so untrusted.
    #[serde(default)]
    pub context: Option<SessionContext>,
    /// A left message: started (or kept waiting) while nobody of the group was online or
    /// outside its business hours.
    #[serde(default)]
    pub offline: bool,
    /// The customer's words with their rating.
    #[serde(default)]
    pub csat_comment: Option<String>,
    /// When an agent last wrote and the customer has not written since (the idle reminder's
    /// clock).
    #[serde(default)]
    pub replied_at: Option<Millis>,
    /// When the silent customer was reminded (once); the close follows from here.
    #[serde(default)]
    pub reminded_at: Option<Millis>,
    /// What the answering bot did in this conversation (`None`: the bot never took part).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot: Option<super::BotInfo>,
    /// The self-service menu the customer is in or came from, with the path taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub menu: Option<super::MenuInfo>,
    /// When the pending follow-up's reminder fires (`follow_up_ops`); `None` without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up_at: Option<Millis>,
    /// A pending end's deadline: the conversation ends then unless the customer writes
    /// (which moves it) or the agent cancels (`docs/ending.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<Millis>,
    /// What that pending end waits for and records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_end: Option<super::PendingEnd>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    pub session_id: SessionId,
    /// 1, 2, 3… per session, assigned by the server.
    pub seq: i64,
    pub author_kind: AuthorKind,
    pub author_id: Option<i64>,
    pub author_name: String,
    pub body: String,
    pub client_msg_id: Option<String>,
    pub created_at: Millis,
    /// An internal note (`note.add`): agents only, never shown to the customer.
    #[serde(default, skip_serializing_if = "super::notes::is_false")]
    pub internal: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueInfo {
    pub group: String,
    pub strategy: Strategy,
    pub waiting: usize,
    /// Conversations of this group are tagged before they end (`[[groups]] require_tags`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub require_tags: bool,
}

/// One agent in the transfer directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentInfo {
    pub id: AgentId,
    pub username: String,
    pub display_name: String,
    /// The employee number (工号), when the admin gave one (the mention picker finds by it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_no: Option<String>,
    pub role: Role,
    pub status: AgentStatus,
    pub connected: bool,
    pub active: usize,
    pub capacity: u32,
    pub groups: Vec<String>,
    /// The avatar the agent chose (`me.update`): one or two characters and a colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initials: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
}

impl SessionView {
    /// The session as its customer may see it: without the agents' internal labels (tags,
    /// the customer's VIP/complaint marks, priority, intent) and without the queue it is in.
    pub fn for_customer(&self) -> SessionView {
        let mut s = self.clone();
        s.tags.clear();
        s.customer.tags.clear();
        s.customer.vip = false;
        s.priority = 0;
        s.intent = None;
        s.follow_up = false;
        s.follow_up_at = None;
        s.group.clear();
        s.bot = None;
        s.menu = None;
        s.pending_end = None;
        s
    }
}

/// What a channel knows about where the customer writes from, given with `customer.start`.
/// Every field is optional; the customer's client sends it, so it is untrusted text.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionContext {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
}

impl SessionContext {
    /// Each field within its length (in characters) and free of control characters; the
    /// error names the field.
    pub fn check(&self) -> Result<(), super::ApiError> {
        let fields = [
            ("page_url", &self.page_url, 2048),
            ("referrer", &self.referrer, 2048),
            ("user_agent", &self.user_agent, 512),
            ("app_version", &self.app_version, 64),
            ("device", &self.device, 128),
        ];
        for (name, value, max) in fields {
            let Some(v) = value else { continue };
            if v.chars().count() > max {
                return Err(super::ApiError::invalid(format!(
                    "context.{name} is over {max} characters"
                )));
            }
            if v.chars().any(char::is_control) {
                return Err(super::ApiError::invalid(format!(
                    "context.{name} contains control characters"
                )));
            }
        }
        Ok(())
    }

    /// Empty strings count as absent; `None` when nothing is left.
    pub fn normalized(mut self) -> Option<SessionContext> {
        for f in [
            &mut self.page_url,
            &mut self.referrer,
            &mut self.user_agent,
            &mut self.app_version,
            &mut self.device,
        ] {
            if f.as_deref().is_some_and(|v| v.trim().is_empty()) {
                *f = None;
            }
        }
        (self != SessionContext::default()).then_some(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_limits_name_the_field() {
        let ok = SessionContext {
            page_url: Some("https://shop.example.com/p/1".into()),
            device: Some("iPhone 15".into()),
            ..Default::default()
        };
        assert!(ok.check().is_ok());
        let long = SessionContext {
            app_version: Some("1".repeat(65)),
            ..Default::default()
        };
        assert!(
            long.check()
                .unwrap_err()
                .message
                .contains("context.app_version")
        );
        let ctl = SessionContext {
            referrer: Some("a\u{1b}[2J".into()),
            ..Default::default()
        };
        assert!(
            ctl.check()
                .unwrap_err()
                .message
                .contains("context.referrer")
        );
        assert_eq!(SessionContext::default().normalized(), None);
        let unknown = serde_json::from_str::<SessionContext>(r#"{"page":"x"}"#);
        assert!(unknown.is_err());
    }
}
