//! The dashboard's counters on plain data: arrivals slide out after an hour, re-queues in the
//! same group are not arrivals, the service level counts each conversation once.

use super::*;

const T0: Millis = 1_000 * SLOT_MS; // a slot boundary

fn book() -> DashBook {
    DashBook::new(T0, 20, (T0 - 3_600_000, T0 + 80_000_000))
}

fn queued(session: SessionId, group: &str) -> Effect {
    Effect::Queued {
        session,
        group: group.into(),
    }
}

#[test]
fn arrivals_fill_buckets_and_slide_out_after_an_hour() {
    let mut b = book();
    b.observe(&[queued(1, "a"), queued(2, "a")], T0 + 1);
    b.observe(&[queued(3, "a"), queued(4, "b")], T0 + SLOT_MS + 1);
    // Queued again in the same group (a requeue): not a new arrival.
    b.observe(&[queued(1, "a")], T0 + SLOT_MS + 2);
    let (buckets, sum) = b.arrivals("a", T0 + SLOT_MS + 5);
    assert_eq!(sum, 3);
    assert_eq!(&buckets[10..], &[2, 1]);
    assert_eq!(b.arrivals("b", T0 + SLOT_MS + 5).1, 1);
    // An hour later the first slot is out.
    let (buckets, sum) = b.arrivals("a", T0 + SLOTS as i64 * SLOT_MS + 1);
    assert_eq!(sum, 1);
    assert_eq!(buckets[0], 1);
}

#[test]
fn service_level_counts_within_late_and_unanswered_once() {
    let mut b = book();
    b.observe(&[queued(1, "a"), queued(2, "a"), queued(3, "a")], T0);
    b.observe(
        &[Effect::Assigned {
            session: 1,
            agent: 9,
        }],
        T0 + 5_000,
    );
    assert_eq!(b.service_level(Some("a")), Some(1.0));
    b.observe(
        &[Effect::Assigned {
            session: 2,
            agent: 9,
        }],
        T0 + 25_000,
    );
    assert_eq!(b.service_level(Some("a")), Some(0.5));
    // Session 3 waits past the threshold: late once, even when answered afterwards.
    b.settle(T0 + 30_000, |_| true);
    b.settle(T0 + 31_000, |_| true);
    assert_eq!(b.service_level(None), Some(1.0 / 3.0));
    b.observe(
        &[Effect::Assigned {
            session: 3,
            agent: 9,
        }],
        T0 + 40_000,
    );
    assert_eq!(b.service_level(None), Some(1.0 / 3.0));
    // A transfer queues session 1 again: not counted again.
    b.observe(&[queued(1, "b")], T0 + 50_000);
    b.observe(
        &[Effect::Assigned {
            session: 1,
            agent: 8,
        }],
        T0 + 90_000,
    );
    assert_eq!(b.service_level(Some("b")), None);
    // Ended within the threshold unanswered: not counted.
    b.observe(&[queued(4, "a")], T0 + 100_000);
    b.settle(T0 + 105_000, |s| s != 4);
    b.settle(T0 + 200_000, |_| true);
    assert_eq!(b.service_level(None), Some(1.0 / 3.0));
    // A new day starts from nothing.
    b.new_day((T0 + 80_000_000, T0 + 166_400_000));
    assert_eq!(b.service_level(None), None);
}

#[test]
fn missed_offers_and_status_times() {
    let mut b = book();
    let timeout = Effect::OfferWithdrawn {
        session: 1,
        agent: 7,
        reason: WithdrawReason::Timeout,
    };
    let rejected = Effect::OfferWithdrawn {
        session: 1,
        agent: 7,
        reason: WithdrawReason::Rejected,
    };
    b.observe(&[timeout.clone(), rejected, timeout], T0);
    assert_eq!(b.missed(7), 2);
    assert_eq!(b.status_since(7, AgentStatus::Online), T0);
    b.status_changed(7, AgentStatus::Busy, T0 + 10);
    b.status_changed(7, AgentStatus::Busy, T0 + 20);
    assert_eq!(b.status_since(7, AgentStatus::Busy), T0 + 10);
}

#[test]
fn seeding_counts_the_stored_day() {
    use crate::store::dashboard::SeedSession;
    let mut b = book();
    let s = |id, queued_at, accepted_at, ended_at| SeedSession {
        session_id: id,
        group: "a".into(),
        queued_at,
        accepted_at,
        ended_at,
    };
    let seed = DashboardSeed {
        sessions: vec![
            s(1, T0 - 10_000, Some(T0 - 5_000), None),
            s(2, T0 - 100_000, Some(T0 - 10_000), None),
            s(3, T0 - 2_000_000, None, Some(T0 - 1_000_000)),
            s(4, T0 - 1_000, None, None),
        ],
        missed_offers: vec![(7, T0 - 1), (7, T0 - 7_200_000)],
    };
    b.seed(&seed, T0);
    assert_eq!(b.service_level(Some("a")), Some(1.0 / 3.0));
    // 1, 2, 4 within the hour; 3 too (33 minutes ago).
    assert_eq!(b.arrivals("a", T0).1, 4);
    // The second miss was before today started.
    assert_eq!(b.missed(7), 1);
}
