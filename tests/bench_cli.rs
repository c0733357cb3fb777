//! `kefu bench` end to end: the real binary starts a real `kefu serve` and the floor, drives a
//! tiny load through both, and must report every figure for both, with everything delivered.

use std::process::Command;

fn bench(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .arg("bench")
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The figures of a row: the numbers after its label.
fn figures<'a>(stdout: &'a str, label: &str) -> Vec<&'a str> {
    let line = stdout
        .lines()
        .find(|l| l.starts_with(label))
        .unwrap_or_else(|| panic!("no `{label}` row in:\n{stdout}"));
    line[label.len()..].split_whitespace().collect()
}

#[test]
fn a_tiny_run_reports_every_figure_for_kefu_and_the_floor() {
    let stdout = bench(&[
        "--customers",
        "6",
        "--agents",
        "2",
        "--rate",
        "60",
        "--duration",
        "2",
        "--floor",
    ]);
    for label in kefu::bench::report::LABELS {
        let f = figures(&stdout, label);
        // kefu, floor, and (but for the load average) their ratio.
        assert!(f.len() >= 2, "`{label}` lacks a figure:\n{stdout}");
        for v in &f[..2] {
            assert!(
                v.parse::<f64>().is_ok(),
                "`{label}`: `{v}` is not a figure:\n{stdout}"
            );
        }
    }
    // 60/s for 2 s over 6 customers: 120 messages, all acked and delivered by both.
    for label in ["messages sent", "messages acked", "messages delivered"] {
        assert_eq!(&figures(&stdout, label)[..2], ["120", "120"], "{stdout}");
    }
    // Both servers' own threads show in the CPU breakdown.
    assert!(
        stdout.contains("kefu threads, CPU µs per message: "),
        "{stdout}"
    );
    assert!(stdout.contains("kefu-commit"), "{stdout}");
    assert!(stdout.contains("floor-commit"), "{stdout}");
}

#[test]
fn saturate_reports_the_highest_rate_each_sustains() {
    // Two steps each (100, then the cap of 200): small enough for a debug build. The latency
    // limit is lifted: a debug build on a busy machine is not what this test measures.
    let stdout = bench(&[
        "--p99-limit-ms",
        "10000",
        "--customers",
        "4",
        "--agents",
        "1",
        "--rate",
        "100",
        "--max-rate",
        "200",
        "--duration",
        "1",
        "--floor",
        "--saturate",
    ]);
    assert!(
        stdout.contains("kefu: highest rate sustained 200 msgs/s"),
        "{stdout}"
    );
    assert!(
        stdout.contains("floor: highest rate sustained 200 msgs/s"),
        "{stdout}"
    );
    assert!(stdout.contains("kefu/floor: 1.00×"), "{stdout}");
    assert!(
        stdout.contains("at the highest sustained rate of each:"),
        "{stdout}"
    );
}

/// The number right before `word` in `text` (`"33 conversations started"` → 33).
fn count_before(text: &str, word: &str) -> u64 {
    let at = text
        .find(word)
        .unwrap_or_else(|| panic!("no `{word}` in:\n{text}"));
    text[..at]
        .split_whitespace()
        .last()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no number before `{word}` in:\n{text}"))
}

#[test]
fn a_short_soak_reports_its_intervals_and_loses_nothing() {
    let stdout = bench(&[
        "--soak",
        "6s",
        "--report-every",
        "2",
        "--soak-agents",
        "2",
        "--arrivals",
        "3",
        "--chat-messages",
        "2",
    ]);
    // A header and at least two interval lines under it.
    let header = stdout
        .lines()
        .position(|l| l.trim_start().starts_with("min  rss MiB"))
        .unwrap_or_else(|| panic!("no interval header in:\n{stdout}"));
    let intervals = stdout
        .lines()
        .skip(header + 1)
        .take_while(|l| !l.trim().is_empty());
    assert!(intervals.count() >= 2, "{stdout}");
    let summary = stdout
        .lines()
        .find(|l| l.contains("conversations started"))
        .unwrap_or_else(|| panic!("no summary in:\n{stdout}"));
    let started = count_before(summary, "conversations started");
    assert!(started >= 6, "{summary}");
    assert_eq!(
        count_before(summary, "finished (rated)"),
        started,
        "{summary}"
    );
    assert_eq!(count_before(summary, "failed"), 0, "{summary}");
    assert_eq!(count_before(summary, "errors"), 0, "{summary}");
    // Every acknowledged message is stored: 2 from the customer and 2 replies per conversation.
    assert_eq!(count_before(summary, "acks"), started * 4, "{summary}");
    let stored = stdout
        .lines()
        .find(|l| l.starts_with("stored:"))
        .unwrap_or_else(|| panic!("no census in:\n{stdout}"));
    assert_eq!(count_before(stored, "sessions"), started, "{stored}");
    assert_eq!(count_before(stored, "messages"), started * 4, "{stored}");
    assert!(
        stdout.contains("bytes per finished conversation"),
        "{stdout}"
    );
    assert!(stdout.contains("growth per hour"), "{stdout}");
}
