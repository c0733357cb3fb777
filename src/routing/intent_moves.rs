//! What a recognised intent may do to a conversation that still waits in a queue (the intent
//! catalog's `effects`): raise its priority, or move it to another group's queue keeping the
//! time it has waited. Neither ever touches an offered or accepted session.

use super::{Effect, Engine, Place, RouteError};
use crate::model::{Millis, SessionId};

impl Engine {
    /// The session waits in a queue (not offered, not accepted).
    pub fn is_queued(&self, session: SessionId) -> bool {
        self.sessions
            .get(&session)
            .is_some_and(|s| s.place == Place::Queued)
    }

    /// Raises a queued session's priority by `by`; returns the new priority, or `None` when
    /// the session is not queued (or `by` is not positive).
    pub fn raise_queued_priority(&mut self, session: SessionId, by: i64) -> Option<i64> {
        let s = self.sessions.get_mut(&session)?;
        if s.place != Place::Queued || by <= 0 {
            return None;
        }
        let old = (std::cmp::Reverse(s.priority), s.queued_at, session);
        s.priority = s.priority.saturating_add(by);
        let new = (std::cmp::Reverse(s.priority), s.queued_at, session);
        let g = self.groups.get_mut(&s.group)?;
        g.take(&old);
        g.push(new);
        Some(s.priority)
    }

    /// Moves a queued session to `group`'s queue, keeping when it was queued (it has waited
    /// that long already), then hands out what can be handed out.
    pub fn move_queued(
        &mut self,
        session: SessionId,
        group: &str,
        now: Millis,
    ) -> Result<Vec<Effect>, RouteError> {
        if !self.groups.contains_key(group) {
            return Err(RouteError::UnknownGroup(group.into()));
        }
        let s = self
            .sessions
            .get_mut(&session)
            .ok_or(RouteError::UnknownSession)?;
        if s.place != Place::Queued {
            return Err(RouteError::Unavailable("the session is no longer queued"));
        }
        let key = (std::cmp::Reverse(s.priority), s.queued_at, session);
        let from = std::mem::replace(&mut s.group, group.to_string());
        if let Some(g) = self.groups.get_mut(&from) {
            g.take(&key);
        }
        if let Some(g) = self.groups.get_mut(group) {
            g.push(key);
        }
        let mut fx = vec![Effect::Queued {
            session,
            group: group.to_string(),
        }];
        self.dispatch(now, &mut fx);
        Ok(fx)
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{AgentStatus, Strategy};
    use crate::routing::{AgentSpec, Effect, Engine, EngineConfig, RouteError};

    fn engine() -> Engine {
        let mut e = Engine::new(EngineConfig::default());
        e.upsert_group("general", Strategy::LeastBusy);
        e.upsert_group("aftersales", Strategy::LeastBusy);
        e
    }

    #[test]
    fn a_raised_priority_moves_a_queued_session_to_the_head() {
        let mut e = engine();
        e.enqueue(1, "general", 0, 10).unwrap();
        e.enqueue(2, "general", 0, 20).unwrap();
        assert_eq!(e.queue("general"), vec![1, 2]);
        assert_eq!(e.raise_queued_priority(2, 1), Some(1));
        assert_eq!(e.queue("general"), vec![2, 1]);
        assert_eq!(e.raise_queued_priority(2, 0), None);
        assert_eq!(e.raise_queued_priority(99, 1), None);
    }

    #[test]
    fn only_a_queued_session_moves_and_keeps_its_wait() {
        let mut e = engine();
        e.enqueue(1, "aftersales", 0, 5).unwrap();
        e.enqueue(2, "general", 0, 10).unwrap();
        let fx = e.move_queued(2, "aftersales", 30).unwrap();
        assert!(matches!(&fx[0], Effect::Queued { session: 2, group } if group == "aftersales"));
        assert!(e.queue("general").is_empty());
        assert_eq!(e.queue("aftersales"), vec![1, 2], "queued at 10, behind 5");
        assert!(matches!(
            e.move_queued(2, "nowhere", 30),
            Err(RouteError::UnknownGroup(_))
        ));
        // An agent takes it: it is no longer queued, and nothing moves it any more.
        e.upsert_agent(AgentSpec {
            id: 7,
            capacity: 5,
            groups: ["aftersales".to_string()].into(),
            status: AgentStatus::Online,
        });
        e.connect(7, 40);
        assert!(!e.is_queued(2));
        assert!(e.move_queued(2, "general", 50).is_err());
        assert_eq!(e.raise_queued_priority(2, 1), None);
        assert_eq!(e.session_group(2), Some("aftersales"));
    }
}
