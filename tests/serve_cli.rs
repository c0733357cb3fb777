//! `kefu serve` as an operator meets it: start-up failures exit non-zero with one clear line,
//! and the server never claims to be serving before its database is open.

use std::process::Command;

fn serve(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .arg("serve")
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .env("RUST_LOG", "info")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_data_dir_that_cannot_be_opened_is_reported_before_anything_is_served() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_dir = dir.path().join("plain-file");
    std::fs::write(&not_a_dir, "x").unwrap();
    let (code, stderr) = serve(&["--data-dir", not_a_dir.to_str().unwrap()]);
    assert_ne!(code, 0, "{stderr}");
    assert!(stderr.contains("cannot create the data dir"), "{stderr}");
    assert!(!stderr.contains("kefu serving"), "{stderr}");
}

#[test]
fn an_invalid_config_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("kefu.toml");
    std::fs::write(&config, "[routing]\ndefault_group = \"nowhere\"\n").unwrap();
    let (code, stderr) = serve(&[
        "--data-dir",
        dir.path().join("data").to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_ne!(code, 0, "{stderr}");
    assert!(stderr.contains("routing.default_group"), "{stderr}");
    assert!(!stderr.contains("kefu serving"), "{stderr}");
}
