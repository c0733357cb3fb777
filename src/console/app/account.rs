//! The console's side of the agent's own account (issue 12, `docs/accounts.md`): colleagues'
//! profile changes arriving live, keeping the sign-in alive while the user types, being signed
//! out by the server, and the Account screen (`f10`: the profile form and the signed-in
//! devices).

use super::{App, Effect};
use crate::protocol::AgentInfo;

impl App {
    /// A colleague (or we, on another console) changed their profile: the directory shows it.
    pub(super) fn on_agent_updated(&mut self, agent: AgentInfo) -> Vec<Effect> {
        if let Some(me) = self.me.as_mut().filter(|m| m.id == agent.id) {
            *me = agent.clone();
        }
        match self.directory.iter_mut().find(|a| a.id == agent.id) {
            Some(a) => *a = agent,
            None => self.directory.push(agent),
        }
        Vec::new()
    }
}
