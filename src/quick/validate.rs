//! What a quick reply must satisfy to be saved (by the server, `kefu admin quick-reply` and
//! imports alike): sizes, a shortcut without spaces, known variables only, intent names.

use super::vars::{unknown_variables, variable_list};
use crate::protocol::QuickReplySave;

/// Bounds on quick replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits;

impl Limits {
    pub const BODY_CHARS: usize = 4000;
    pub const TITLE_CHARS: usize = 100;
    pub const SHORTCUT_CHARS: usize = 32;
    pub const INTENTS: usize = 8;
    pub const INTENT_CHARS: usize = 40;
    /// Personal replies one agent may have.
    pub const PERSONAL_PER_AGENT: usize = 500;
    /// Team replies in all.
    pub const TEAM: usize = 2000;
}

/// Why a reply cannot be saved, for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

/// Trims the text fields and checks them; returns the reply as it is to be stored.
pub fn validate(mut q: QuickReplySave) -> Result<QuickReplySave, Invalid> {
    q.shortcut = q.shortcut.trim().to_string();
    q.title = q.title.trim().to_string();
    // Leading/trailing blank lines are noise; inner layout (lists, line breaks) is kept.
    q.body = q.body.trim().to_string();
    q.group = q
        .group
        .map(|g| g.trim().to_string())
        .filter(|g| !g.is_empty());
    let bad = |m: String| Err(Invalid(m));
    let n = q.shortcut.chars().count();
    if n == 0 || n > Limits::SHORTCUT_CHARS {
        return bad(format!(
            "the shortcut must be 1 to {} characters",
            Limits::SHORTCUT_CHARS
        ));
    }
    if q.shortcut
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        return bad(format!(
            "the shortcut `{}` must not contain spaces",
            q.shortcut
        ));
    }
    if q.shortcut.starts_with('/') {
        return bad("the shortcut must not start with `/` (the console's key for the list)".into());
    }
    let n = q.title.chars().count();
    if n == 0 || n > Limits::TITLE_CHARS {
        return bad(format!(
            "the title must be 1 to {} characters",
            Limits::TITLE_CHARS
        ));
    }
    if q.title.chars().any(char::is_control) {
        return bad("the title must be one line".into());
    }
    let n = q.body.chars().count();
    if n == 0 || n > Limits::BODY_CHARS {
        return bad(format!(
            "the text must be 1 to {} characters (it has {n})",
            Limits::BODY_CHARS
        ));
    }
    let unknown = unknown_variables(&q.body);
    if !unknown.is_empty() {
        let names: Vec<String> = unknown.iter().map(|n| format!("{{{n}}}")).collect();
        return bad(format!(
            "unknown variable{} {}: the variables are {}; write {{{{ and }}}} for literal braces",
            if unknown.len() == 1 { "" } else { "s" },
            names.join(", "),
            variable_list()
        ));
    }
    let mut intents: Vec<String> = Vec::new();
    for i in &q.intents {
        let i = i.trim().to_ascii_lowercase();
        if i.is_empty() {
            continue;
        }
        if i.chars().count() > Limits::INTENT_CHARS
            || !i
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return bad(format!(
                "`{i}` is not an intent name (letters, digits, `_` and `-`, e.g. `refund`)"
            ));
        }
        if !intents.contains(&i) {
            intents.push(i);
        }
    }
    if intents.len() > Limits::INTENTS {
        return bad(format!("at most {} intents per reply", Limits::INTENTS));
    }
    q.intents = intents;
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn save(shortcut: &str, title: &str, body: &str) -> QuickReplySave {
        QuickReplySave {
            shortcut: shortcut.into(),
            title: title.into(),
            body: body.into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_reply_is_trimmed() {
        let mut q = save(" hi ", " Hello ", "\n您好 {customer.nickname}！\n\n");
        q.intents = vec![" Refund".into(), "refund".into(), "".into()];
        q.group = Some("  ".into());
        let ok = validate(q).unwrap();
        assert_eq!(ok.shortcut, "hi");
        assert_eq!(ok.title, "Hello");
        assert_eq!(ok.body, "您好 {customer.nickname}！");
        assert_eq!(ok.intents, ["refund"]);
        assert_eq!(ok.group, None);
    }

    #[test]
    fn unknown_variables_are_refused_with_the_list() {
        let e = validate(save("x", "X", "Dear {custommer.name}")).unwrap_err();
        assert!(e.0.contains("{custommer.name}"), "{e}");
        assert!(e.0.contains("{customer.nickname}"), "{e}");
        assert!(validate(save("x", "X", "literal {{custommer}}")).is_ok());
    }

    #[test]
    fn bounds_and_shapes_are_checked() {
        assert!(validate(save("", "t", "b")).is_err());
        assert!(validate(save("a b", "t", "b")).is_err());
        assert!(validate(save("/a", "t", "b")).is_err());
        assert!(validate(save("a", "", "b")).is_err());
        assert!(validate(save("a", "t", "  ")).is_err());
        assert!(validate(save("a", "t", &"字".repeat(4000))).is_ok());
        let e = validate(save("a", "t", &"字".repeat(4001))).unwrap_err();
        assert!(e.0.contains("4001"), "{e}");
        assert!(validate(save(&"快".repeat(32), "t", "b")).is_ok());
        assert!(validate(save(&"快".repeat(33), "t", "b")).is_err());
        let mut q = save("a", "t", "b");
        q.intents = vec!["退款".into()];
        assert!(validate(q).is_err());
        let mut q = save("a", "t", "b");
        q.intents = (0..9).map(|i| format!("i{i}")).collect();
        assert!(validate(q).is_err());
    }
}
