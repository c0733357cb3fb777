//! Every metric on the hand-computed fixture (`fixture.rs`); the numbers are those of
//! `docs/reports.md`'s worked example.

use super::fixture::{self, ALICE, t};
use super::request::{Asker, check};
use crate::protocol::{Metrics, ReportBy, ReportGet, ReportReply, ReportScope, TrendStep};

const H: u64 = 3_600_000;

fn run(
    scope: ReportScope,
    by: Option<ReportBy>,
    trend: Option<TrendStep>,
    me: Option<i64>,
) -> ReportReply {
    let (from, to) = fixture::range();
    let q = ReportGet {
        from,
        to,
        scope,
        by,
        trend,
        tz: Some("Asia/Shanghai".into()),
    };
    let asker = Asker {
        agent: me,
        sees_all: scope == ReportScope::Team,
    };
    let checked = check(&q, asker, None).unwrap();
    super::compute_checked(&fixture::facts(), &q, &checked, fixture::now())
}

fn row<'a>(r: &'a ReportReply, key: &str) -> &'a Metrics {
    &r.rows
        .iter()
        .find(|row| row.key == key)
        .unwrap_or_else(|| panic!("no row {key}: {r:#?}"))
        .metrics
}

#[test]
fn team_totals() {
    let r = run(ReportScope::Team, None, None, None);
    assert_eq!(r.tz, "Asia/Shanghai");
    let m = &r.totals;
    // S1–S5 ended in the range (S7 ends after it, S6 is open); S4 nobody served.
    assert_eq!((m.ended, m.handled, m.resolved), (5, 4, 2));
    assert_eq!(m.resolution_rate, Some(0.4));
    // (10 + 20 + 20 + 30 min) / 4.
    assert_eq!(m.resolution_avg_ms, Some(1_200_000));
    // 60 s, 120 s (the bot's 5 minutes excluded), 360 s, 90 s.
    assert_eq!(m.first_response_avg_ms, Some(157_500));
    assert_eq!(m.first_response_median_ms, Some(105_000));
    // 60 + 20 + 60 + 30 + 360 + 60 + 90 + 120 s over 8 replies.
    assert_eq!(m.response_avg_ms, Some(100_000));
    // Surveyed S1, S2, S3, S5; rated 5, 3, 4 (S3 unrated).
    assert_eq!((m.surveyed, m.rated), (4, 3));
    assert_eq!(m.csat_avg, Some(4.0));
    assert_eq!(m.csat_good_share, Some(2.0 / 3.0));
    assert_eq!(m.csat_response_rate, Some(0.75));
    assert_eq!((m.transfers_in, m.transfers_out), (2, 2));
    // Alice online 41 h, away 1 h, offline 6 h; Bob online 38 h (from his first change).
    assert_eq!(m.status_ms["online"], 79 * H);
    assert_eq!(m.status_ms["away"], H);
    assert_eq!(m.status_ms["offline"], 6 * H);
    assert!(r.rows.is_empty() && r.trend.is_empty());
}

#[test]
fn by_agent_credits_each_side() {
    let r = run(ReportScope::Team, Some(ReportBy::Agent), None, None);
    let keys: Vec<_> = r.rows.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, ["alice", "bob", "-"]);
    assert_eq!(r.rows[0].label, "Alice");
    let alice = row(&r, "alice");
    // Last agent of S1, S2, S5.
    assert_eq!((alice.handled, alice.ended, alice.resolved), (3, 3, 1));
    assert_eq!(alice.resolution_avg_ms, Some(1_200_000));
    // First replies she wrote: S1 60 s, S3 360 s, S5 90 s (S2's was Bob's).
    assert_eq!(alice.first_response_avg_ms, Some(170_000));
    assert_eq!(alice.first_response_median_ms, Some(90_000));
    // Her replies: 60, 20, 30, 360, 90, 120 s.
    assert_eq!(alice.response_avg_ms, Some(113_333));
    assert_eq!((alice.surveyed, alice.rated), (3, 3));
    assert_eq!(alice.csat_avg, Some(4.0));
    assert_eq!(alice.csat_response_rate, Some(1.0));
    // S2 came to her from Bob; she sent S3 to the vip group.
    assert_eq!((alice.transfers_in, alice.transfers_out), (1, 1));
    assert_eq!(alice.status_ms["online"], 41 * H);
    assert_eq!(alice.status_ms["away"], H);
    assert_eq!(alice.status_ms["offline"], 6 * H);
    let bob = row(&r, "bob");
    assert_eq!((bob.handled, bob.ended, bob.resolved), (1, 1, 1));
    assert_eq!(bob.first_response_avg_ms, Some(120_000));
    assert_eq!(bob.response_avg_ms, Some(60_000));
    // S3 was surveyed but not rated.
    assert_eq!((bob.surveyed, bob.rated, bob.csat_avg), (1, 0, None));
    assert_eq!(bob.csat_response_rate, Some(0.0));
    // He took S3 from the vip queue; he sent S2 to Alice.
    assert_eq!((bob.transfers_in, bob.transfers_out), (1, 1));
    assert_eq!(bob.status_ms["online"], 38 * H);
    let nobody = row(&r, "-");
    assert_eq!((nobody.handled, nobody.ended, nobody.resolved), (0, 1, 0));
    assert_eq!(nobody.resolution_rate, Some(0.0));
}

#[test]
fn personal_report_is_the_agents_row() {
    let team = run(ReportScope::Team, Some(ReportBy::Agent), None, None);
    let me = run(ReportScope::Me, None, Some(TrendStep::Day), Some(ALICE));
    assert_eq!(&me.totals, row(&team, "alice"));
    assert!(me.rows.is_empty());
    // Her trend: S1, S2 ended on day 1, S5 on day 2; her arrivals S1, S2, S5, S7.
    let handled: Vec<_> = me.trend.iter().map(|p| p.handled).collect();
    assert_eq!(handled, [2, 1]);
    let arrivals: Vec<_> = me.trend.iter().map(|p| p.arrivals).collect();
    assert_eq!(arrivals, [2, 2]);
}

#[test]
fn by_group_channel_tag_and_intent() {
    let r = run(ReportScope::Team, Some(ReportBy::Group), None, None);
    let keys: Vec<_> = r.rows.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, ["sales", "support", "vip"]);
    let sales = row(&r, "sales");
    assert_eq!((sales.handled, sales.ended), (2, 2));
    // S2 went from Bob to Alice within sales.
    assert_eq!((sales.transfers_in, sales.transfers_out), (1, 1));
    let support = row(&r, "support");
    assert_eq!(
        (support.handled, support.ended, support.transfers_out),
        (1, 2, 1)
    );
    assert_eq!(row(&r, "vip").transfers_in, 1);

    let r = run(ReportScope::Team, Some(ReportBy::Channel), None, None);
    assert_eq!(row(&r, "web").ended, 3);
    assert_eq!(row(&r, "app").first_response_avg_ms, Some(120_000));
    assert_eq!(row(&r, "mini_program").csat_avg, Some(4.0));

    // A conversation with two tags counts in both rows; untagged ones under `-`.
    let r = run(ReportScope::Team, Some(ReportBy::Tag), None, None);
    assert_eq!(row(&r, "退款").handled, 2);
    assert_eq!(row(&r, "投诉").handled, 1);
    assert_eq!(row(&r, "-").ended, 3);

    let r = run(ReportScope::Team, Some(ReportBy::Intent), None, None);
    assert_eq!(row(&r, "refund").first_response_avg_ms, Some(60_000));
    assert_eq!(row(&r, "-").ended, 4);
}

#[test]
fn daily_trend_in_shanghai_counts_midnight_by_end_and_arrival() {
    let r = run(ReportScope::Team, None, Some(TrendStep::Day), None);
    let days: Vec<_> = r.trend.iter().map(|p| p.at).collect();
    assert_eq!(days, [t("2026-11-02T00:00:00"), t("2026-11-03T00:00:00")]);
    let (d1, d2) = (&r.trend[0], &r.trend[1]);
    // S3 arrived on day 1 and is handled on day 2.
    assert_eq!((d1.arrivals, d1.handled), (4, 2));
    assert_eq!((d2.arrivals, d2.handled), (3, 2));
    assert_eq!(d1.first_response_avg_ms, Some(90_000));
    assert_eq!(d2.first_response_avg_ms, Some(225_000));
    assert_eq!((d1.csat_avg, d2.csat_avg), (Some(4.0), Some(4.0)));
    // Day 1: 30 + 120 + 360 + 120 + 900 s waited; S2 and S4 both at 10:06.
    assert!(
        (d1.waiting_avg - 1530.0 / 86_400.0).abs() < 1e-9,
        "{}",
        d1.waiting_avg
    );
    assert_eq!(d1.waiting_max, 2);
    // Day 2: 180 + 60 + 3600 (S6 until the end) + 60 s; S6 and S7 both at 23:30.
    assert!(
        (d2.waiting_avg - 3900.0 / 86_400.0).abs() < 1e-9,
        "{}",
        d2.waiting_avg
    );
    assert_eq!(d2.waiting_max, 2);
}

#[test]
fn a_daylight_saving_day_has_25_hourly_buckets() {
    // Europe/Berlin falls back on 2026-10-25: that day is 25 hours long.
    let tz = "Europe/Berlin";
    let day = |s: &str| -> i64 {
        let civil: jiff::civil::DateTime = s.parse().unwrap();
        jiff::tz::TimeZone::get(tz)
            .unwrap()
            .to_timestamp(civil)
            .unwrap()
            .as_millisecond()
    };
    let q = ReportGet {
        from: day("2026-10-25T00:00:00"),
        to: day("2026-10-26T00:00:00"),
        scope: ReportScope::Team,
        by: None,
        trend: Some(TrendStep::Hour),
        tz: Some(tz.into()),
    };
    let asker = Asker {
        agent: None,
        sees_all: true,
    };
    let mut facts = fixture::facts();
    // One conversation ending at 23:30 local time.
    let s = &mut facts.sessions[0];
    s.created_at = day("2026-10-25T23:00:00");
    s.queued_at = Some(s.created_at);
    s.accepted_at = Some(s.created_at);
    s.first_human_reply_at = Some(s.created_at);
    s.ended_at = Some(day("2026-10-25T23:30:00"));
    facts.sessions.truncate(1);
    facts.messages.clear();
    facts.transfers.clear();
    let checked = check(&q, asker, None).unwrap();
    let r = super::compute_checked(&facts, &q, &checked, fixture::now());
    assert_eq!(r.trend.len(), 25);
    assert_eq!(r.trend[24].handled, 1);
    assert_eq!(r.trend[24].at, day("2026-10-25T23:00:00"));
    let q = ReportGet {
        trend: Some(TrendStep::Day),
        ..q
    };
    let r = super::compute_checked(&facts, &q, &check(&q, asker, None).unwrap(), fixture::now());
    assert_eq!(r.trend.len(), 1);
    assert_eq!(r.trend[0].handled, 1);
}

#[test]
fn bad_requests_and_permissions() {
    let (from, to) = fixture::range();
    let q = ReportGet {
        from,
        to,
        scope: ReportScope::Team,
        by: None,
        trend: None,
        tz: None,
    };
    let agent = Asker {
        agent: Some(ALICE),
        sees_all: false,
    };
    let boss = Asker {
        agent: Some(9),
        sees_all: true,
    };
    let err = |q: &ReportGet, a: Asker| check(q, a, None).unwrap_err().to_string();
    assert!(err(&q, agent).contains("supervisors"));
    let mine = ReportGet {
        scope: ReportScope::Me,
        by: Some(ReportBy::Group),
        ..q.clone()
    };
    assert!(matches!(
        check(&mine, agent, None),
        Err(super::ReportError::Forbidden(_))
    ));
    assert!(matches!(
        check(&mine, boss, None),
        Err(super::ReportError::Invalid(_))
    ));
    assert!(
        err(
            &ReportGet {
                from: to,
                to: from,
                ..q.clone()
            },
            boss
        )
        .contains("before")
    );
    let long = ReportGet {
        to: from + 367 * 86_400_000,
        ..q.clone()
    };
    assert!(err(&long, boss).contains("366"));
    let hourly = ReportGet {
        to: from + 33 * 86_400_000,
        trend: Some(TrendStep::Hour),
        ..q.clone()
    };
    assert!(err(&hourly, boss).contains("32 days"));
    let zone = ReportGet {
        tz: Some("Mars/Olympus".into()),
        ..q.clone()
    };
    assert!(err(&zone, boss).contains("time zone"));
    // The server's default zone applies when the request names none.
    assert_eq!(
        check(&q, boss, Some("Asia/Tokyo")).unwrap().tz_name,
        "Asia/Tokyo"
    );
    assert_eq!(check(&q, boss, None).unwrap().tz_name, "UTC");
}
