//! Computing the supervisor's live view from the hub's state: queues from the routing engine
//! and the live sessions, agents from the directory and their loads, the counters from the
//! [`DashBook`]. One pass over agents, groups and open sessions; run only while someone
//! watches, at most twice a second (`dashboard_ops`).

use super::dashboard_book::day_of;
use super::hub::Hub;
use crate::model::{AgentStatus, Millis};
use crate::protocol::{DashAgent, DashQueue, DashSession, DashboardView};
use std::collections::HashMap;

impl Hub {
    /// Starts a new day in the book when midnight passed.
    pub(super) fn dashboard_roll_day(&mut self, now: Millis) {
        if now >= self.dashboard.day().1 {
            let day = day_of(&self.config, now);
            self.dashboard.new_day(day);
        }
    }

    /// The live view now.
    pub(super) fn dashboard_view(&mut self, now: Millis) -> DashboardView {
        self.dashboard_roll_day(now);
        let live = &self.live;
        self.dashboard.settle(now, |s| live.contains_key(&s));
        self.dashboard.readers.retain(|s, _| live.contains_key(s));
        let mut online: HashMap<&str, u32> = HashMap::new();
        let mut agents = Vec::with_capacity(self.agents.len());
        for e in self.agents.values() {
            let id = e.row.id;
            let Some(load) = self.engine.agent_load(id) else {
                continue;
            };
            if load.status == AgentStatus::Online && load.connected {
                for g in &e.row.groups {
                    *online.entry(g.as_str()).or_default() += 1;
                }
            }
            let (_, active) = self.engine.sessions_of(id);
            let sessions = active
                .iter()
                .filter_map(|s| self.live.get(s))
                .map(|l| DashSession {
                    session_id: l.view.id,
                    customer: l.view.customer.nickname.clone(),
                    since: l.view.accepted_at.unwrap_or(l.view.created_at),
                    waiting_since: l.view.waiting_since,
                })
                .collect();
            agents.push(DashAgent {
                id,
                username: e.row.username.clone(),
                display_name: e.row.display_name.clone(),
                status: load.status,
                status_since: self.dashboard.status_since(id, load.status),
                connected: load.connected,
                active: load.active as u32,
                capacity: load.capacity,
                missed_offers: self.dashboard.missed(id),
                groups: e.row.groups.clone(),
                sessions,
            });
        }
        agents.sort_by(|a, b| a.username.cmp(&b.username));
        let queues = self
            .engine
            .queue_lengths()
            .into_iter()
            .map(|(group, _, waiting)| {
                let oldest_since = self
                    .engine
                    .queue(&group)
                    .iter()
                    .filter_map(|s| self.live.get(s))
                    .filter_map(|l| l.view.queued_at)
                    .min();
                let (arrivals_5min, arrivals_last_hour) = self.dashboard.arrivals(&group, now);
                DashQueue {
                    waiting: waiting as u32,
                    oldest_since,
                    arrivals_last_hour,
                    arrivals_5min,
                    agents_online: online.get(group.as_str()).copied().unwrap_or(0),
                    service_level: self.dashboard.service_level(Some(&group)),
                    group,
                }
            })
            .collect();
        DashboardView {
            at: now,
            service_level_secs: self.dashboard.threshold_secs(),
            service_level: self.dashboard.service_level(None),
            queues,
            agents,
        }
    }
}
