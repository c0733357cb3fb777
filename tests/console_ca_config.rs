//! `kefu console --ca FILE` is remembered with the server after a successful login (as
//! `ca = …` in config.toml), kept when a later login gives none, and read back.

use kefu::console::config::ConsoleConfig;

#[test]
fn the_ca_is_remembered_with_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    ConsoleConfig::remember_with_ca(dir.path(), "wss://kefu:7800", "alice", Some(&ca)).unwrap();
    let c = ConsoleConfig::load(Some(dir.path())).unwrap();
    assert_eq!(c.server.as_deref(), Some("wss://kefu:7800"));
    assert_eq!(c.ca.as_deref(), Some(ca.as_path()));
    // A later login without --ca keeps the remembered one.
    ConsoleConfig::remember(dir.path(), "wss://kefu:7800", "bob").unwrap();
    let c = ConsoleConfig::load(Some(dir.path())).unwrap();
    assert_eq!(c.ca.as_deref(), Some(ca.as_path()));
    assert_eq!(c.username.as_deref(), Some("bob"));
}
