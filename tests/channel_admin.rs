//! `kefu admin integration …` as an operator runs it: the secret is printed once (and works),
//! `list` never shows it, `rotate-secret` gives a new one while the old keeps working for the
//! grace period, `remove` refuses the integration's requests; bad input exits 1.

mod channel_support;
mod common;
use channel_support::*;
use common::*;
use serde_json::json;

fn secret_of(out: &str, prefix: &str) -> String {
    let s = out
        .lines()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no `{prefix}` in {out}"))
        .to_string();
    assert_eq!(s.len(), 64, "{s}");
    assert!(
        s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    s
}

#[tokio::test]
async fn integrations_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    add_agent(d, "alice", &["general"], kefu::model::Role::Agent, None);
    let hook = "http://127.0.0.1:9/hook";
    let (code, out, err) = admin_cmd(
        d,
        &[
            "integration",
            "add",
            "shop",
            "--channel",
            "app",
            "--webhook",
            hook,
        ],
    );
    assert_eq!(code, 0, "{err}");
    let secret = secret_of(&out, "secret: ");

    let (code, out, _) = admin_cmd(d, &["integration", "list"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("shop") && out.contains("app") && out.contains(hook),
        "{out}"
    );
    assert!(!out.contains(&secret), "list must never print the secret");

    for (args, why) in [
        (
            vec![
                "integration",
                "add",
                "shop",
                "--channel",
                "app",
                "--webhook",
                hook,
            ],
            "taken",
        ),
        (
            vec![
                "integration",
                "add",
                "w",
                "--channel",
                "web",
                "--webhook",
                hook,
            ],
            "web",
        ),
        (
            vec![
                "integration",
                "add",
                "f",
                "--channel",
                "api",
                "--webhook",
                "ftp://x/",
            ],
            "url",
        ),
        (
            vec![
                "integration",
                "add",
                "a b",
                "--channel",
                "api",
                "--webhook",
                hook,
            ],
            "name",
        ),
        (vec!["integration", "rotate-secret", "nobody"], "unknown"),
        (vec!["integration", "remove", "nobody"], "unknown"),
    ] {
        let (code, _, err) = admin_cmd(d, &args);
        assert_eq!(code, 1, "{why}: {err}");
        assert!(!err.trim().is_empty(), "{why}");
    }

    // The printed secret signs requests; after a rotation both work during the grace.
    let server = TestServer::start(d, config_with_groups(&["general"])).await;
    let addr = server.addr.to_string();
    let msg = |k: &str| json!({"external_customer_id": "u", "text": "hi", "idempotency_key": k});
    assert_eq!(post_message(&addr, "shop", &secret, &msg("1")).await.0, 201);
    let (code, out, err) = admin_cmd(d, &["integration", "rotate-secret", "shop"]);
    assert_eq!(code, 0, "{err}");
    let new = secret_of(&out, "new secret for shop: ");
    assert_ne!(new, secret);
    assert_eq!(post_message(&addr, "shop", &new, &msg("2")).await.0, 201);
    assert_eq!(post_message(&addr, "shop", &secret, &msg("3")).await.0, 201);
    // Without a grace period the old secret stops at once.
    let (code, out, _) = admin_cmd(
        d,
        &["integration", "rotate-secret", "shop", "--grace-secs", "0"],
    );
    assert_eq!(code, 0);
    let newest = secret_of(&out, "new secret for shop: ");
    assert_eq!(post_message(&addr, "shop", &new, &msg("4")).await.0, 401);
    assert_eq!(post_message(&addr, "shop", &newest, &msg("5")).await.0, 201);

    let (code, out, _) = admin_cmd(d, &["integration", "remove", "shop"]);
    assert_eq!((code, out.trim()), (0, "removed integration shop"));
    let (s, e) = post_message(&addr, "shop", &newest, &msg("6")).await;
    assert_eq!((s, e["code"].as_str()), (401, Some("unauthorized")));
    server.stop().await;
}
