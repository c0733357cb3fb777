//! `kefu bench --login-flood` end to end: the real binary starts real servers, floods them
//! with wrong logins from several loopback addresses while a conversation runs, and reports
//! the conversation's latency and what the flood was answered, for both configurations.

use std::process::Command;

#[test]
fn a_short_login_flood_reports_both_windows_for_both_configurations() {
    let out = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args([
            "bench",
            "--login-flood",
            "--duration",
            "2",
            "--flood-rate",
            "60",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for label in ["default [login]:", "throttle lifted:"] {
        let section = stdout
            .split(label)
            .nth(1)
            .unwrap_or_else(|| panic!("no `{label}` in:\n{stdout}"));
        for window in ["quiet:", "during flood:"] {
            let line = section
                .lines()
                .find(|l| l.contains(window))
                .unwrap_or_else(|| panic!("no `{window}` under `{label}`:\n{stdout}"));
            assert!(line.contains("p50 ") && line.contains("p99 "), "{line}");
        }
        let flood = section
            .lines()
            .find(|l| l.trim_start().starts_with("flood:"))
            .unwrap();
        let sent: u64 = flood
            .split_whitespace()
            .nth(1)
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{flood}"));
        assert!(sent > 20, "{flood}");
        assert!(!flood.contains(" 0 checked and refused"), "{flood}");
        assert!(section.contains("login.failed"), "{stdout}");
    }
}
