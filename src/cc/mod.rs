//! CC (抄送, S15): a conversation's transcript sent to an e-mail address or a team webhook.
//! Pure logic here — who it goes to ([`Target`]), the transcript as it is stored in the
//! outbox ([`CcDoc`], built once when the CC is requested), the mail's subject and text, and
//! the webhook payload shapes. The outbox and its sender live in `server::cc_ops` and
//! `server::cc_sender`; `docs/cc.md` describes the feature.

mod payload;
mod transcript;

pub use payload::webhook_body;
pub use transcript::{CcDoc, CcLine, Request as CcRequest, mail_subject, mail_text, one_line};

use crate::protocol::MessageView;
use serde::{Deserialize, Serialize};

/// Longest e-mail address accepted (RFC 5321's path limit).
pub const MAX_EMAIL_BYTES: usize = 254;

/// Where a CC goes, as the request names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// An e-mail address typed by the agent.
    Email(String),
    /// A configured `[[cc.webhooks]]` name.
    Webhook(String),
    /// An address-book entry (`[[cc.contacts]]`), resolved to one of the two above.
    Contact(String),
}

/// Whether a message is an internal note (agents only): left out unless `include_notes`.
pub fn is_internal(m: &MessageView) -> bool {
    m.internal
}

/// A single plain address (`name@example.com`, no display name), as lettre parses it.
pub fn check_email(addr: &str) -> Result<(), String> {
    if addr.is_empty() || addr.len() > MAX_EMAIL_BYTES {
        return Err(format!("an e-mail address is 1–{MAX_EMAIL_BYTES} bytes"));
    }
    addr.parse::<lettre::Address>()
        .map(|_| ())
        .map_err(|e| format!("`{addr}` is not an e-mail address: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert!(check_email("lead@shop.example.com").is_ok());
        assert!(check_email("张三@例子.公司").is_ok());
        assert!(check_email("no-at-sign").is_err());
        assert!(check_email("a@b@c").is_err());
        assert!(check_email("Lead <lead@shop.example.com>").is_err());
        assert!(check_email("x\r\nBcc: evil@example.com").is_err());
        assert!(check_email(&format!("{}@example.com", "a".repeat(260))).is_err());
        assert!(check_email("").is_err());
    }

    #[test]
    fn targets_on_the_wire() {
        let t: Target = serde_json::from_str(r#"{"email":"a@b.cn"}"#).unwrap();
        assert_eq!(t, Target::Email("a@b.cn".into()));
        let t: Target = serde_json::from_str(r#"{"webhook":"ops"}"#).unwrap();
        assert_eq!(t, Target::Webhook("ops".into()));
        assert!(serde_json::from_str::<Target>(r#"{"fax":"1"}"#).is_err());
    }
}
