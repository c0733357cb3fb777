//! Domain vocabulary shared by the routing engine, the store and the wire protocol:
//! identifiers, roles, statuses and the small enums that appear everywhere.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Agents, sessions and customers are numbered by the server (SQLite rowids).
pub type AgentId = i64;
pub type SessionId = i64;
pub type CustomerId = i64;
/// Milliseconds since the Unix epoch. The routing engine takes it as a parameter (injected clock).
pub type Millis = i64;

/// The wall clock in milliseconds, for the I/O edges only (the engine never calls this).
pub fn now_ms() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as Millis)
        .unwrap_or(0)
}

/// Implements `Display`/`FromStr` through the serde snake_case names, so the database, the
/// config file, the CLI and the wire all spell a value the same way.
macro_rules! snake_enum {
    ($ty:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $name),+ }
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
            }
        }
        impl FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($name => Ok($ty::$variant),)+
                    other => Err(format!(
                        "unknown {} `{}` (expected one of: {})",
                        stringify!($ty), other, [$($name),+].join(", ")
                    )),
                }
            }
        }
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Agent,
    Supervisor,
    Admin,
}
snake_enum!(Role { Agent => "agent", Supervisor => "supervisor", Admin => "admin" });

impl Role {
    /// Supervisors and admins may act on every session, agents only on their own.
    pub fn sees_all(self) -> bool {
        matches!(self, Role::Supervisor | Role::Admin)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentStatus {
    /// Gets offers.
    Online,
    /// Keeps its sessions, gets no new offers.
    Busy,
    /// Set by the server after missed offers; like busy until the agent comes back.
    Away,
    Offline,
}
snake_enum!(AgentStatus { Online => "online", Busy => "busy", Away => "away", Offline => "offline" });

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Web,
    App,
    MiniProgram,
    Api,
}
snake_enum!(Channel { Web => "web", App => "app", MiniProgram => "mini_program", Api => "api" });

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    /// Waiting in its skill group's queue.
    Queued,
    /// Proposed to one agent who has until the offer expires to accept.
    Offered,
    /// Served by its assignee.
    Active,
    Ended,
    /// With the answering bot (`bot`): not in any queue until the bot hands it off.
    Bot,
    /// In a self-service menu (`menu`): not in any queue until the customer asks for a person.
    Menu,
}
snake_enum!(SessionState { Queued => "queued", Offered => "offered", Active => "active", Ended => "ended", Bot => "bot", Menu => "menu" });

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorKind {
    Customer,
    Agent,
    Bot,
    System,
}
snake_enum!(AuthorKind { Customer => "customer", Agent => "agent", Bot => "bot", System => "system" });

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Fewest active sessions, ties to the agent idle longest.
    #[default]
    LeastBusy,
    RoundRobin,
    /// No offers: agents pick from the queue themselves.
    Manual,
}
snake_enum!(Strategy { LeastBusy => "least_busy", RoundRobin => "round_robin", Manual => "manual" });

/// How a session ended, for the resolution rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    #[default]
    Resolved,
    Unresolved,
    /// Nobody answered in time, the customer went silent, or an admin closed it without an
    /// outcome.
    Abandoned,
    /// The customer ended it themselves (`session.end` on the customer endpoint).
    CustomerLeft,
}
snake_enum!(EndReason {
    Resolved => "resolved",
    Unresolved => "unresolved",
    Abandoned => "abandoned",
    CustomerLeft => "customer_left",
});

/// Queue priority: higher is served first. VIP customers and complaints rank above normal.
pub fn priority_for(vip: bool, tags: &[String]) -> i64 {
    let complaint = tags
        .iter()
        .any(|t| t == "complaint" || t == "投诉用户" || t == "投诉");
    i64::from(vip) + i64::from(complaint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in ["online", "busy", "away", "offline"] {
            assert_eq!(s.parse::<AgentStatus>().map(|v| v.as_str()), Ok(s));
        }
        assert!("sleepy".parse::<AgentStatus>().is_err());
        assert_eq!(Channel::MiniProgram.to_string(), "mini_program");
    }

    #[test]
    fn vip_and_complaint_outrank_normal() {
        assert_eq!(priority_for(false, &[]), 0);
        assert_eq!(priority_for(true, &[]), 1);
        assert_eq!(priority_for(true, &["投诉用户".into()]), 2);
    }
}
