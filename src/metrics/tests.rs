//! The exposition's format, checked on exact text.

use super::exposition::{Exposition, Kind, escape_label};
use super::*;

#[test]
fn a_family_is_help_then_type_then_samples() {
    let mut e = Exposition::default();
    e.family(
        "kefu_x_total",
        Kind::Counter,
        "Things.\nWith a \\ backslash.",
    );
    e.sample("kefu_x_total", &[("code", "invalid"), ("side", "a")], 3);
    e.sample("kefu_x_total", &[], 4);
    assert_eq!(
        e.finish(),
        "# HELP kefu_x_total Things.\\nWith a \\\\ backslash.\n\
         # TYPE kefu_x_total counter\n\
         kefu_x_total{code=\"invalid\",side=\"a\"} 3\n\
         kefu_x_total 4\n"
    );
}

#[test]
fn label_values_are_escaped() {
    assert_eq!(escape_label(r#"a"b\c"#), r#"a\"b\\c"#);
    assert_eq!(escape_label("line\nnext"), r"line\nnext");
    assert_eq!(escape_label("售后 } {"), "售后 } {");
    let mut e = Exposition::default();
    e.sample("q", &[("group", "x\"}\n")], 1);
    assert_eq!(e.finish(), "q{group=\"x\\\"}\\n\"} 1\n");
}

#[test]
fn histograms_are_cumulative_and_end_with_inf_sum_and_count() {
    static BOUNDS: [u64; 3] = [1_000, 10_000, 100_000];
    let h = Histogram::new(&BOUNDS, 1e6);
    for micros in [500, 800, 5_000, 2_000_000] {
        h.observe(micros);
    }
    let mut e = Exposition::default();
    e.family("t_seconds", Kind::Histogram, "Time.");
    e.histogram("t_seconds", &h.snapshot());
    assert_eq!(
        e.finish(),
        "# HELP t_seconds Time.\n\
         # TYPE t_seconds histogram\n\
         t_seconds_bucket{le=\"0.001\"} 2\n\
         t_seconds_bucket{le=\"0.01\"} 3\n\
         t_seconds_bucket{le=\"0.1\"} 3\n\
         t_seconds_bucket{le=\"+Inf\"} 4\n\
         t_seconds_sum 2.0063\n\
         t_seconds_count 4\n"
    );
}

/// The sample lines of one metric (name and labels as written) and their values.
fn samples(text: &str, name: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| l.starts_with(name) && l[name.len()..].starts_with([' ', '{']))
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').unwrap();
            (series.to_string(), value.to_string())
        })
        .collect()
}

fn value(text: &str, series: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no {series} in\n{text}"))
        .to_string()
}

#[test]
fn recorded_values_show_in_the_rendering() {
    let m = Metrics::new();
    let agent = m.connection_opened(true);
    let _customer1 = m.connection_opened(false);
    let _customer2 = m.connection_opened(false);
    m.error_reply(ErrorCode::RateLimited);
    m.error_reply(ErrorCode::RateLimited);
    m.error_reply(ErrorCode::UnsupportedVersion);
    m.login_checked(true, false);
    m.login_checked(true, true);
    m.login_checked(false, true);
    m.frame_sent();
    m.committer_queued();
    m.committer_queued();
    m.committer_queued();
    m.commit_started(2).committed();
    m.hub_inbox.add(5);
    m.publish_queues(&[QueueInfo {
        group: "售后 \"vip\"".into(),
        strategy: crate::model::Strategy::LeastBusy,
        waiting: 7,
        require_tags: false,
    }]);
    m.publish_sessions(
        [
            SessionState::Queued,
            SessionState::Active,
            SessionState::Active,
        ]
        .into_iter(),
    );
    let text = m.render();
    assert_eq!(value(&text, r#"kefu_connections{endpoint="agent"}"#), "1");
    assert_eq!(
        value(&text, r#"kefu_connections{endpoint="customer"}"#),
        "2"
    );
    drop(agent);
    let text = m.render();
    assert_eq!(value(&text, r#"kefu_connections{endpoint="agent"}"#), "0");
    assert_eq!(
        value(&text, r#"kefu_error_replies_total{code="rate_limited"}"#),
        "2"
    );
    assert_eq!(
        value(
            &text,
            r#"kefu_error_replies_total{code="unsupported_version"}"#
        ),
        "1"
    );
    assert_eq!(
        samples(&text, "kefu_error_replies_total").len(),
        CODES.len(),
        "every code is shown, the unseen ones as 0"
    );
    assert_eq!(
        value(&text, r#"kefu_login_attempts_total{method="password"}"#),
        "2"
    );
    assert_eq!(
        value(&text, r#"kefu_login_failures_total{method="password"}"#),
        "1"
    );
    assert_eq!(
        value(&text, r#"kefu_login_attempts_total{method="token"}"#),
        "1"
    );
    assert_eq!(
        value(&text, r#"kefu_login_failures_total{method="token"}"#),
        "0"
    );
    assert_eq!(value(&text, "kefu_frames_sent_total"), "1");
    assert_eq!(value(&text, "kefu_committer_queue_depth"), "1");
    assert_eq!(value(&text, "kefu_commit_batch_jobs_count"), "1");
    assert_eq!(value(&text, "kefu_commit_batch_jobs_sum"), "2");
    assert_eq!(
        value(&text, r#"kefu_commit_batch_jobs_bucket{le="1"}"#),
        "0"
    );
    assert_eq!(
        value(&text, r#"kefu_commit_batch_jobs_bucket{le="2"}"#),
        "1"
    );
    assert_eq!(value(&text, "kefu_commit_duration_seconds_count"), "1");
    assert_eq!(value(&text, "kefu_hub_inbox_depth"), "5");
    assert_eq!(
        value(&text, r#"kefu_queue_length{group="售后 \"vip\""}"#),
        "7"
    );
    assert_eq!(value(&text, r#"kefu_sessions{state="queued"}"#), "1");
    assert_eq!(value(&text, r#"kefu_sessions{state="offered"}"#), "0");
    assert_eq!(value(&text, r#"kefu_sessions{state="active"}"#), "2");
    assert_eq!(
        value(
            &text,
            &format!(
                "kefu_build_info{{version=\"{}\"}}",
                env!("CARGO_PKG_VERSION")
            )
        ),
        "1"
    );
}

#[test]
fn every_family_is_announced_once_before_its_samples() {
    let m = Metrics::new();
    m.publish_queues(&[]);
    let text = m.render();
    let mut announced: Vec<&str> = Vec::new();
    let mut current = "";
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let name = rest.split(' ').next().unwrap();
            assert!(!announced.contains(&name), "{name} announced twice");
            announced.push(name);
            current = name;
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            assert_eq!(rest.split(' ').next(), Some(current), "TYPE after HELP");
        } else {
            let series = line.split([' ', '{']).next().unwrap();
            let base = ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|s| series.strip_suffix(s))
                .filter(|b| *b == current)
                .unwrap_or(series);
            assert_eq!(base, current, "sample {line:?} outside its family");
        }
    }
    for counter in announced
        .iter()
        .filter(|n| text.contains(&format!("# TYPE {n} counter")))
    {
        assert!(counter.ends_with("_total"), "{counter}");
    }
}
