//! `kefu admin` as an operator runs it: what each command prints, and that failures exit 1
//! with one line on stderr and change nothing.

mod common;
use common::admin_cmd;

#[test]
fn accounts_and_groups_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    let (code, out, _) = admin_cmd(
        d,
        &["group", "add", "aftersales", "--strategy", "round_robin"],
    );
    assert_eq!(code, 0);
    assert_eq!(out, "group aftersales (round_robin)\n");

    let (code, out, err) = admin_cmd(
        d,
        &[
            "agent",
            "add",
            "--username",
            "alice",
            "--name",
            "Alice Wang",
            "--group",
            "aftersales",
            "--max-sessions",
            "3",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "created agent alice (id 1)");
    let password = lines[1].strip_prefix("initial password: ").unwrap();
    assert!(
        kefu::auth::check_password_policy(password, "alice").is_ok(),
        "{password}"
    );
    assert_eq!(lines[2], "(it must be changed at first login)");

    let (code, out, _) = admin_cmd(d, &["agent", "list"]);
    assert_eq!(code, 0);
    let mut rows = out.lines();
    let header = rows.next().unwrap();
    assert!(header.starts_with("id   username"), "{header}");
    let alice: Vec<&str> = rows.next().unwrap().split_whitespace().collect();
    assert_eq!(
        alice,
        [
            "1",
            "alice",
            "Alice",
            "Wang",
            "agent",
            "offline",
            "3",
            "aftersales"
        ]
    );

    let (code, out, _) = admin_cmd(d, &["agent", "reset-password", "alice"]);
    assert_eq!(code, 0);
    let again = out
        .trim()
        .strip_prefix("new initial password for alice: ")
        .unwrap();
    assert_ne!(again, password);

    let (code, out, _) = admin_cmd(d, &["group", "add-member", "general", "alice"]);
    assert_eq!(code, 0);
    assert_eq!(out, "alice is in general\n");
    let (_, out, _) = admin_cmd(d, &["group", "list"]);
    assert!(
        out.contains("aftersales") && out.contains("round_robin"),
        "{out}"
    );
    assert!(
        out.contains("general") && out.contains("least_busy"),
        "{out}"
    );
}

#[test]
fn failures_exit_1_with_one_line_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok = admin_cmd(d, &["agent", "add", "--username", "bob", "--name", "Bob"]);
    assert_eq!(ok.0, 0, "{}", ok.2);

    for (args, expect) in [
        (
            vec!["agent", "add", "--username", "bob", "--name", "Again"],
            "already exists",
        ),
        (
            vec!["agent", "reset-password", "nobody"],
            "no agent `nobody`",
        ),
        (
            vec!["group", "add-member", "general", "nobody"],
            "no agent `nobody`",
        ),
        (
            vec!["group", "add-member", "nosuch", "bob"],
            "no skill group `nosuch`",
        ),
        (
            vec![
                "agent",
                "add",
                "--username",
                "c",
                "--name",
                "C",
                "--group",
                "nosuch",
            ],
            "no skill group `nosuch`",
        ),
        (
            vec![
                "agent",
                "add",
                "--username",
                "c",
                "--name",
                "C",
                "--max-sessions",
                "0",
            ],
            "at least 1",
        ),
        (
            vec!["agent", "add", "--username", "has space", "--name", "S"],
            "without spaces",
        ),
    ] {
        let (code, out, err) = admin_cmd(d, &args);
        assert_eq!(code, 1, "{args:?}: {out} {err}");
        assert!(out.is_empty(), "{args:?} printed {out}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.starts_with("kefu: ") && err.contains(expect),
            "{args:?}: {err}"
        );
    }
    // Still exactly one agent, with its first name.
    let (_, out, _) = admin_cmd(d, &["agent", "list"]);
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(out.contains(" Bob "), "{out}");
    // A usage error is clap's: exit 2.
    let (code, _, err) = admin_cmd(d, &["agent", "add"]);
    assert_eq!(code, 2, "{err}");
}
