//! The `[smtp]` and `[cc]` config sections: what is refused at start-up (with the key named)
//! and what is accepted, the documented example, and that the SMTP password stays out of logs.

use kefu::config::{CcFormat, ServerConfig};

/// The example in docs/cc.md is a valid config.
#[test]
fn the_documented_example_is_valid() {
    let doc = std::fs::read_to_string("docs/cc.md").unwrap();
    let start = doc.find("```toml\n").expect("a TOML example") + 8;
    let end = start + doc[start..].find("```").unwrap();
    let c = ServerConfig::parse(&doc[start..end]).unwrap();
    c.validate().unwrap();
    assert_eq!(c.cc.contacts.len(), 2);
    assert_eq!(c.cc.webhooks[0].format, CcFormat::Wecom);
}

#[test]
fn smtp_and_cc_config_is_checked() {
    let ok = |t: &str| ServerConfig::parse(t).unwrap().validate();
    assert!(ok("[smtp]\nhost = \"localhost\"\nsecurity = \"none\"\nfrom = \"k@x.cn\"").is_ok());
    let e = ok("[smtp]\nhost = \"mail.example.com\"\nsecurity = \"none\"\nfrom = \"k@x.cn\"")
        .unwrap_err();
    assert!(e.to_string().contains("smtp.security"), "{e}");
    assert!(ok("[smtp]\nhost = \"mail.example.com\"\nsecurity = \"none\"\nallow_insecure = true\nfrom = \"k@x.cn\"").is_ok());
    let e = ok("[smtp]\nhost = \"h\"\nfrom = \"not an address\"").unwrap_err();
    assert!(e.to_string().contains("smtp.from"), "{e}");
    let e = ok("[smtp]\nhost = \"h\"\nfrom = \"k@x.cn\"\npassword = \"p\"").unwrap_err();
    assert!(e.to_string().contains("username"), "{e}");
    let e = ok("[[cc.contacts]]\nname = \"x\"\nwebhook = \"missing\"").unwrap_err();
    assert!(e.to_string().contains("cc.contacts[0].webhook"), "{e}");
    let e = ok("[[cc.contacts]]\nname = \"x\"\nemail = \"a@b.cn\"").unwrap_err();
    assert!(e.to_string().contains("[smtp]"), "{e}");
    let e = ok("[[cc.webhooks]]\nname = \"w\"\nurl = \"ftp://x\"\nsecret = \"0123456789abcdef\"")
        .unwrap_err();
    assert!(e.to_string().contains("cc.webhooks[0].url"), "{e}");
    let e =
        ok("[[cc.webhooks]]\nname = \"w\"\nurl = \"http://x\"\nsecret = \"short\"").unwrap_err();
    assert!(e.to_string().contains("secret"), "{e}");
    assert!(ok("[[cc.webhooks]]\nname = \"w\"\nurl = \"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k\"\nsecret = \"0123456789abcdef\"\nformat = \"wecom\"").is_ok());
    // The password never shows in logs.
    let c = ServerConfig::parse(
        "[smtp]\nhost = \"h\"\nfrom = \"k@x.cn\"\nusername = \"u\"\npassword = \"hunter2-secret\"",
    )
    .unwrap();
    assert!(!format!("{c:?}").contains("hunter2"));
}
