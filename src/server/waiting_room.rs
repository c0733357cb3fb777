//! The hub's waiting-room state (what `waiting_ops` needs between turns): the throttle of
//! position frames, the groups' business hours, who must be told at the end of this turn, and
//! each group's presence as last seen. Plain data.

use crate::model::{Millis, SessionId};
use crate::routing::WaitingBook;
use crate::routing::hours::OpenHours;
use std::collections::{BTreeSet, HashMap};

/// How often queues and groups are looked at for changes.
pub(super) const PASS_EVERY_MS: Millis = 1_000;

/// The hub's waiting-room state.
#[derive(Default)]
pub struct WaitingRoom {
    pub(super) book: WaitingBook,
    /// Business hours of the groups that have them.
    pub(super) hours: HashMap<String, OpenHours>,
    /// Sessions whose customer must get the frame at the end of this turn (start, resume).
    pub(super) fresh: BTreeSet<SessionId>,
    /// Each group's presence as last seen, to notice changes.
    pub(super) presence: HashMap<String, Presence>,
    pub(super) last_pass: Millis,
}

impl WaitingRoom {
    pub fn new(config: &crate::config::ServerConfig) -> WaitingRoom {
        // The config was validated at start-up; a group whose hours do not parse is open.
        let hours = config.group_hours().unwrap_or_else(|e| {
            tracing::error!(error = %e, "business hours ignored");
            HashMap::new()
        });
        WaitingRoom {
            hours,
            ..Default::default()
        }
    }
}

/// Whether a group can answer now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Presence {
    pub agents_online: bool,
    pub open_now: bool,
}

impl Presence {
    /// Someone online within the hours: a new conversation is not a left message.
    pub fn serving(self) -> bool {
        self.agents_online && self.open_now
    }
}
