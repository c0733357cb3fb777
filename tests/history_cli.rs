//! `kefu admin history search` (the real binary) on the history fixture: filters from flags,
//! CSV with a header and quoted fields, JSON, and bad flags refused with a reason.

mod common;
mod history_support;

use common::admin_cmd;

#[tokio::test]
async fn admin_history_search_prints_csv_and_json() {
    let dir = tempfile::tempdir().unwrap();
    history_support::fixture(dir.path());
    // The server indexes the messages; the command reads the store after it stopped.
    history_support::start(dir.path()).await.stop().await;
    let d = dir.path();
    let (code, out, err) = admin_cmd(d, &["history", "search", "--text", "退款"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("session_id,created_at,"), "{out}");
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[1].starts_with("3,2026-11-10 00:00:00,"), "{out}");
    assert!(lines[2].starts_with("1,2026-10-01 00:00:00,"), "{out}");
    assert!(lines[2].ends_with(",我要退款了"), "{out}");
    // Tags joined; a field with a comma is quoted.
    let (code, out, err) = admin_cmd(
        d,
        &[
            "history",
            "search",
            "--tag",
            "发票",
            "--tag",
            "vip",
            "--agent",
            "alice",
            "--after",
            "2026-11-01",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(out.lines().nth(1).unwrap().contains(",发票;vip,"), "{out}");
    let (code, out, _) = admin_cmd(
        d,
        &[
            "history",
            "search",
            "--customer",
            "#1",
            "--text",
            "好的",
            "--format",
            "csv",
        ],
    );
    assert_eq!(code, 0);
    assert!(
        out.lines().nth(1).unwrap().ends_with(",好的，马上处理"),
        "{out}"
    );
    // JSON, paged through by the command (more than one page of 100 is not needed here:
    // --limit 7 over 25 conversations).
    let (code, out, err) = admin_cmd(
        d,
        &[
            "history", "search", "--group", "bulk", "--limit", "7", "--format", "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ids: Vec<i64> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["session_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, (24..=30).rev().collect::<Vec<_>>());
    for (args, want) in [
        (vec!["--csat-min", "9"], "csat_min"),
        (vec!["--after", "yesterdayish"], ""),
        (vec!["--limit", "0"], "limit"),
        (vec!["--channel", "fax"], "channel"),
    ] {
        let mut all = vec!["history", "search"];
        all.extend(args.iter());
        let (code, out, err) = admin_cmd(d, &all);
        assert_ne!(code, 0, "{args:?}: {out}");
        assert!(out.is_empty(), "{args:?}: nothing printed: {out}");
        assert!(err.to_lowercase().contains(want), "{args:?}: {err}");
    }
}

/// `kefu bench --history`, small: generates, indexes, serves, and reports every search.
#[test]
fn bench_history_runs_small_and_reports_both_classes() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args([
            "bench",
            "--history",
            "--conversations",
            "300",
            "--history-rounds",
            "2",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with("history: 300 conversations,"),
        "{stdout}"
    );
    for row in [
        "退款 (common zh)",
        "refund (common en)",
        "agent + tag + csat",
        "ALL full-text",
        "ALL filtered",
    ] {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(row))
            .unwrap_or_else(|| panic!("no {row}: {stdout}"));
        assert_eq!(line[row.len()..].split_whitespace().count(), 4, "{line}");
    }
    // Common words are found in a generated history of 300 conversations.
    let hits = |row: &str| -> usize {
        let line = stdout.lines().find(|l| l.starts_with(row)).unwrap();
        line[row.len()..]
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert_eq!(hits("退款 (common zh)"), 20, "{stdout}");
    assert_eq!(hits("refund (common en)"), 20, "{stdout}");
}
