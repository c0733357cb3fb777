//! History search on the hub (`docs/history.md`): `history.search` and `history.session`,
//! both answered from the read pool. The hub only decides the caller's scope (who they serve
//! now is routing state) with the one access rule (`history::access`), which
//! `session.transcript` uses too.

use super::hub::Hub;
use super::respond::Responder;
use crate::history::access::{self, Facts, Scope};
use crate::history::query;
use crate::model::{AgentId, CustomerId};
use crate::protocol::{
    ApiError, HistorySearch, HistorySearchReply, HistorySession, HistorySessionReply, TransferView,
};
use crate::store::Read;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How long one search may read before it answers with what it found (and a `next`).
pub const SEARCH_DEADLINE: Duration = Duration::from_secs(2);

impl Hub {
    /// What `agent` may read: everything, or what they served plus the conversations of the
    /// customers they serve now (assigned, offered, or mentioned in a note).
    pub(super) fn history_scope(&self, agent: AgentId) -> Scope {
        let mut serving: Vec<CustomerId> = self
            .live
            .values()
            .filter(|l| self.serves(agent, l.view.id) || self.notes.watches(agent, l.view.id))
            .map(|l| l.view.customer.id)
            .collect();
        serving.sort_unstable();
        serving.dedup();
        access::scope(&self.actor(agent), serving)
    }

    pub(super) fn history_search(
        &mut self,
        r: Responder<HistorySearchReply>,
        agent: AgentId,
        q: HistorySearch,
    ) {
        let Some(slot) = self.searches_running.take(agent) else {
            return self.answer(r, Err(super::report_ops::still_running("search")));
        };
        let scope = self.history_scope(agent);
        self.read_reply(r, move |rd| {
            let _slot = slot;
            let deadline = Instant::now() + SEARCH_DEADLINE;
            // Checked here, not on the hub: the text is segmented (jieba) on the way.
            let query = match query::check(&q) {
                Ok(query) => query,
                Err(e) => return Ok(Err(ApiError::invalid(e))),
            };
            Ok(Ok(rd.history_search(&query, &scope, deadline)?))
        });
    }

    pub(super) fn history_session(
        &mut self,
        r: Responder<HistorySessionReply>,
        agent: AgentId,
        q: HistorySession,
    ) {
        let scope = self.history_scope(agent);
        let id = q.session_id;
        let action = crate::permissions::Action::ReadConversation;
        self.read_reply_audited(r, agent, action, format!("session:{id}"), move |rd| {
            let Some(session) = rd.session(id)? else {
                return Ok(Err(ApiError::not_found(format!("no session {id}"))));
            };
            if !may_read(rd, &scope, &session)? {
                return Ok(Err(ApiError::forbidden(format!(
                    "you may not read session {id}"
                ))));
            }
            let transfers = rd.transfers_of(id)?;
            let mut names = Names::default();
            let agent = session.assignee.map(|a| names.get(rd, a)).transpose()?;
            let mut views = Vec::with_capacity(transfers.len());
            for t in transfers {
                views.push(TransferView {
                    at: t.at,
                    by: t.by_agent.map(|a| names.get(rd, a)).transpose()?,
                    from_agent: t.from_agent.map(|a| names.get(rd, a)).transpose()?,
                    from_group: t.from_group,
                    to_agent: t.to_agent.map(|a| names.get(rd, a)).transpose()?,
                    to_group: t.to_group,
                    note: t.note,
                    queued: t.queued,
                });
            }
            Ok(Ok(HistorySessionReply {
                session,
                agent,
                transfers: views,
            }))
        });
    }
}

/// The access rule for one stored conversation (reads who served it only when it matters).
pub(super) fn may_read(
    rd: &mut dyn Read,
    scope: &Scope,
    s: &crate::protocol::SessionView,
) -> crate::store::Result<bool> {
    let served_by = match scope {
        Scope::All => Vec::new(),
        Scope::Own { .. } => rd.served_by(s.id)?,
    };
    Ok(access::may_read(
        scope,
        &Facts {
            customer: s.customer.id,
            group: s.group.clone(),
            served_by,
        },
    ))
}

/// Display names of agents, each read once.
#[derive(Default)]
struct Names(HashMap<AgentId, String>);

impl Names {
    fn get(&mut self, rd: &mut dyn Read, id: AgentId) -> crate::store::Result<String> {
        if let Some(n) = self.0.get(&id) {
            return Ok(n.clone());
        }
        let name = rd
            .agent_by_id(id)?
            .map_or_else(|| format!("#{id}"), |a| a.display_name);
        self.0.insert(id, name.clone());
        Ok(name)
    }
}
