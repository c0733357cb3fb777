//! Unit tests of the History filter line (`history_filter`).

use super::*;

/// 2026-11-25 14:00 in Shanghai (UTC+8).
fn setup() -> (Millis, TimeZone) {
    let tz = TimeZone::get("Asia/Shanghai").unwrap();
    let now = local(jiff::civil::datetime(2026, 11, 25, 14, 0, 0, 0), &tz).unwrap();
    (now, tz)
}

fn at(tz: &TimeZone, y: i16, m: i8, d: i8, h: i8, min: i8) -> Millis {
    local(jiff::civil::datetime(y, m, d, h, min, 0, 0), tz).unwrap()
}

fn p(line: &str) -> Result<HistorySearch, FilterError> {
    let (now, tz) = setup();
    parse(line, now, &tz)
}

#[test]
fn the_example_of_the_issue() {
    let (_, tz) = setup();
    let q = p("tag:退款 agent:alice after:2026-11-01 text words").unwrap();
    assert_eq!(q.tags, ["退款"]);
    assert_eq!(q.agent.as_deref(), Some("alice"));
    assert_eq!(q.after, Some(at(&tz, 2026, 11, 1, 0, 0)));
    assert_eq!(q.text.as_deref(), Some("text words"));
    assert_eq!(q.before, None);
    assert_eq!(q.before_id, None);
}

#[test]
fn every_filter() {
    let (now, tz) = setup();
    let q = p("tag:退款 tag:vip agent:@bob group:#售后 channel:mini_program outcome:customer_left \
               csat:4+ intent:refund customer:#42 before:2026-11-20 is:ended \"full refund\" 没到账")
    .unwrap();
    assert_eq!(q.tags, ["退款", "vip"], "repeatable, in order");
    assert_eq!(
        q.agent.as_deref(),
        Some("bob"),
        "a leading @ is the console's way of naming"
    );
    assert_eq!(q.group.as_deref(), Some("售后"));
    assert_eq!(q.channel, Some(Channel::MiniProgram));
    assert_eq!(q.outcome, Some(EndReason::CustomerLeft));
    assert_eq!((q.csat_min, q.csat_max), (Some(4), None));
    assert_eq!(q.intent.as_deref(), Some("refund"));
    assert_eq!(q.customer.as_deref(), Some("#42"));
    assert_eq!(q.before, Some(at(&tz, 2026, 11, 20, 0, 0)));
    assert_eq!(q.open, Some(false));
    assert_eq!(q.text.as_deref(), Some("\"full refund\" 没到账"));
    assert!(now > 0);
}

#[test]
fn csat_forms() {
    let c = |s: &str| p(&format!("csat:{s}")).map(|q| (q.csat_min, q.csat_max));
    assert_eq!(c("5"), Ok((Some(5), Some(5))));
    assert_eq!(c("4+"), Ok((Some(4), None)));
    assert_eq!(c("1-2"), Ok((Some(1), Some(2))));
    assert_eq!(c("-2"), Ok((None, Some(2))));
    for bad in ["0", "6", "3-1", "x", "4++", "1-", "+"] {
        let e = c(bad).unwrap_err();
        assert!(
            matches!(&e, FilterError::BadValue { key, value, .. } if key == "csat" && value == bad),
            "{bad}: {e:?}"
        );
        assert!(e.to_string().contains("4+"), "says what is allowed: {e}");
    }
}

#[test]
fn dates_are_read_in_the_given_zone() {
    let (now, tz) = setup();
    let a = |s: &str| p(&format!("after:{s}")).unwrap().after.unwrap();
    assert_eq!(a("2026-11-01"), at(&tz, 2026, 11, 1, 0, 0));
    assert_eq!(a("2026-11-01T09:00"), at(&tz, 2026, 11, 1, 9, 0));
    assert_eq!(a("2026-11-01t09:30"), at(&tz, 2026, 11, 1, 9, 30));
    assert_eq!(a("today"), at(&tz, 2026, 11, 25, 0, 0));
    assert_eq!(a("Yesterday"), at(&tz, 2026, 11, 24, 0, 0));
    assert_eq!(a("7d"), now - 7 * 86_400_000);
    assert_eq!(a("24h"), now - 86_400_000);
    assert_eq!(a("2w"), now - 14 * 86_400_000);
    // The same date elsewhere is another moment: midnight in Shanghai is 16:00 UTC before.
    let utc = parse("after:2026-11-01", now, &TimeZone::UTC).unwrap();
    assert_eq!(utc.after.unwrap() - a("2026-11-01"), 8 * 3_600_000);
    for bad in [
        "2026-13-01",
        "tomorrowish",
        "7",
        "d",
        "-3d",
        "2026-11-01T25:00",
        "99999999d",
    ] {
        let e = p(&format!("after:{bad}")).unwrap_err();
        assert!(
            matches!(&e, FilterError::BadValue { key, .. } if key == "after"),
            "{bad}: {e:?}"
        );
        assert!(e.to_string().contains("today"), "{e}");
    }
}

#[test]
fn on_is_one_local_day_and_narrows_a_range() {
    let (_, tz) = setup();
    let q = p("on:2026-11-20").unwrap();
    assert_eq!(q.after, Some(at(&tz, 2026, 11, 20, 0, 0)));
    assert_eq!(q.before, Some(at(&tz, 2026, 11, 21, 0, 0)));
    let q = p("on:today").unwrap();
    assert_eq!(q.after, Some(at(&tz, 2026, 11, 25, 0, 0)));
    let q = p("on:2026-11-20 after:2026-11-20T12:00").unwrap();
    assert_eq!(q.after, Some(at(&tz, 2026, 11, 20, 12, 0)));
    assert_eq!(q.before, Some(at(&tz, 2026, 11, 21, 0, 0)));
}

#[test]
fn an_empty_range_is_refused() {
    let e = p("after:2026-11-20 before:2026-11-01").unwrap_err();
    assert_eq!(
        e,
        FilterError::EmptyRange {
            after: "2026-11-20".into(),
            before: "2026-11-01".into()
        }
    );
    assert!(p("after:2026-11-20 before:2026-11-20").is_err());
}

#[test]
fn errors_name_the_token_and_what_is_allowed() {
    let e = p("tag:退款 foo:bar").unwrap_err();
    assert_eq!(e, FilterError::UnknownKey { key: "foo".into() });
    let msg = e.to_string();
    assert!(
        msg.contains("`foo:`") && msg.contains("tag:, agent:"),
        "{msg}"
    );
    let e = p("channel:fax").unwrap_err();
    assert!(e.to_string().contains("`channel:fax`"), "{e}");
    assert!(e.to_string().contains("mini_program"), "{e}");
    let e = p("outcome:happy").unwrap_err();
    assert!(e.to_string().contains("customer_left"), "{e}");
    let e = p("is:maybe").unwrap_err();
    assert!(e.to_string().contains("open, ended"), "{e}");
    assert_eq!(p("tag:"), Err(FilterError::Empty { key: "tag".into() }));
    assert_eq!(
        p("agent:a agent:b"),
        Err(FilterError::Twice {
            key: "agent".into()
        })
    );
    assert_eq!(
        p("csat:5 csat:4"),
        Err(FilterError::Twice { key: "csat".into() })
    );
    assert_eq!(p("\"full refund"), Err(FilterError::Unclosed));
    assert_eq!(p(&"字".repeat(MAX_LINE + 1)), Err(FilterError::TooLong));
}

#[test]
fn words_quotes_and_colons() {
    assert_eq!(p("").unwrap(), HistorySearch::default());
    assert_eq!(p("   ").unwrap(), HistorySearch::default());
    // Times and URLs-in-quotes are words, not filters.
    assert_eq!(p("10:30 到账").unwrap().text.as_deref(), Some("10:30 到账"));
    assert_eq!(
        p("\"http://x.cn/a b\"").unwrap().text.as_deref(),
        Some("\"http://x.cn/a b\"")
    );
    // A quoted value, and the full-width colon of a Chinese keyboard.
    let q = p("tag:\"vip customer\" tag：退款 Agent:alice").unwrap();
    assert_eq!(q.tags, ["vip customer", "退款"]);
    assert_eq!(
        q.agent.as_deref(),
        Some("alice"),
        "keys are case-insensitive"
    );
    assert_eq!(q.text, None);
    // In words of text a colon (full-width or not) stays as written.
    assert_eq!(
        p("时间：明天 10:30").unwrap().text.as_deref(),
        Some("时间：明天 10:30")
    );
    // A repeated tag is asked for once.
    assert_eq!(p("tag:a tag:a").unwrap().tags, ["a"]);
    assert_eq!(p("\"\" word").unwrap().text.as_deref(), Some("word"));
    assert_eq!(
        p("abc\"d e\"").unwrap().text.as_deref(),
        Some("abc \"d e\"")
    );
}

#[test]
fn to_line_reads_back_as_the_same_request() {
    let (now, tz) = setup();
    let lines = [
        "tag:退款 agent:alice after:2026-11-01 text words",
        "customer:#42",
        "customer:\"小 明\" tag:\"vip customer\" group:售后 intent:refund channel:web \
         outcome:resolved csat:1-2 after:2026-11-01T09:30 before:today is:open \"full refund\"",
        "csat:5",
        "csat:-3 is:ended",
        "csat:4+",
    ];
    for line in lines {
        let q = parse(line, now, &tz).unwrap();
        let back = to_line(&q, &tz);
        assert_eq!(parse(&back, now, &tz).unwrap(), q, "{line} → {back}");
    }
    let q = HistorySearch {
        customer: Some("#42".into()),
        ..Default::default()
    };
    assert_eq!(to_line(&q, &tz), "customer:#42");
    let q = parse("after:2026-11-01T09:00 tag:退款", now, &tz).unwrap();
    assert_eq!(to_line(&q, &tz), "tag:退款 after:2026-11-01T09:00");
    assert_eq!(to_line(&HistorySearch::default(), &tz), "");
}
