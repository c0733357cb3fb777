//! The personal profile's rules (S5, `docs/accounts.md`), shared by the server (which checks
//! `me.update`) and the console (which offers the same choices): what a display name,
//! initials, colour, contact, signature and language may be.

/// Avatar colours by name; `#rrggbb` is accepted too.
pub const PALETTE: &[&str] = &[
    "red",
    "green",
    "yellow",
    "blue",
    "magenta",
    "cyan",
    "gray",
    "white",
    "lightred",
    "lightgreen",
    "lightyellow",
    "lightblue",
    "lightmagenta",
    "lightcyan",
];

/// The languages a console speaks.
pub const LANGUAGES: &[&str] = &["en", "zh"];

pub const MAX_DISPLAY_NAME_CHARS: usize = 64;
pub const MAX_INITIALS_CHARS: usize = 2;
pub const MAX_CONTACT_CHARS: usize = 128;
pub const MAX_SIGNATURE_CHARS: usize = 200;

/// Why a field was refused: the field's name and what it must be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {why}")]
pub struct Invalid {
    pub field: &'static str,
    pub why: String,
}

fn invalid(field: &'static str, why: impl Into<String>) -> Invalid {
    Invalid {
        field,
        why: why.into(),
    }
}

/// Control, bidi and other invisible characters: never in a profile field.
fn unprintable(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}')
}

/// A one-line text of at most `max` characters, trimmed; empty allowed.
fn line(field: &'static str, raw: &str, max: usize) -> Result<String, Invalid> {
    let s = raw.trim();
    if s.chars().any(unprintable) {
        return Err(invalid(
            field,
            "must be one line without control or invisible characters",
        ));
    }
    let n = s.chars().count();
    if n > max {
        return Err(invalid(
            field,
            format!("must be at most {max} characters (got {n})"),
        ));
    }
    Ok(s.to_string())
}

/// A display name: 1 to 64 characters on one line.
pub fn display_name(raw: &str) -> Result<String, Invalid> {
    let s = line("display_name", raw, MAX_DISPLAY_NAME_CHARS)?;
    if s.is_empty() {
        return Err(invalid("display_name", "must not be empty"));
    }
    Ok(s)
}

/// Initials: one or two characters without spaces (`AL`, `李`); empty clears them.
pub fn initials(raw: &str) -> Result<Option<String>, Invalid> {
    let s = line("initials", raw, MAX_INITIALS_CHARS)?;
    if s.chars().any(char::is_whitespace) {
        return Err(invalid(
            "initials",
            "must be one or two characters, no spaces",
        ));
    }
    Ok((!s.is_empty()).then_some(s))
}

/// A colour from [`PALETTE`] or `#rrggbb` (kept lower-case); empty clears it.
pub fn color(raw: &str) -> Result<Option<String>, Invalid> {
    let s = raw.trim().to_ascii_lowercase();
    if s.is_empty() {
        return Ok(None);
    }
    let hex = s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit());
    if hex || PALETTE.contains(&s.as_str()) {
        return Ok(Some(s));
    }
    Err(invalid(
        "color",
        format!("must be #rrggbb or one of {}", PALETTE.join(", ")),
    ))
}

/// How to reach the agent (phone, extension, mail): one line, at most 128 characters.
pub fn contact(raw: &str) -> Result<Option<String>, Invalid> {
    let s = line("contact", raw, MAX_CONTACT_CHARS)?;
    Ok((!s.is_empty()).then_some(s))
}

/// The signature the closing phrase ends with: one line, at most 200 characters.
pub fn signature(raw: &str) -> Result<Option<String>, Invalid> {
    let s = line("signature", raw, MAX_SIGNATURE_CHARS)?;
    Ok((!s.is_empty()).then_some(s))
}

/// `en` or `zh`; empty clears it (the console's own setting applies).
pub fn language(raw: &str) -> Result<Option<String>, Invalid> {
    let s = raw.trim().to_ascii_lowercase();
    if s.is_empty() {
        return Ok(None);
    }
    if LANGUAGES.contains(&s.as_str()) {
        return Ok(Some(s));
    }
    Err(invalid("language", "must be en or zh"))
}

/// The closing phrase with the signature on a line of its own, unless the phrase already
/// holds it (a quick reply with `{agent.signature}`) or it would not fit in `max_chars`.
pub fn sign(text: &str, signature: Option<&str>, max_chars: usize) -> String {
    let Some(sig) = signature.filter(|s| !s.trim().is_empty()) else {
        return text.to_string();
    };
    if text.contains(sig) {
        return text.to_string();
    }
    let signed = format!("{}\n{sig}", text.trim_end());
    if signed.chars().count() > max_chars {
        return text.to_string();
    }
    signed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_checked_and_bounded() {
        assert_eq!(display_name("  Alice 王 ").unwrap(), "Alice 王");
        assert!(display_name("   ").is_err());
        assert!(display_name(&"x".repeat(65)).is_err());
        assert!(display_name("a\u{202E}b").is_err());
        assert_eq!(initials("李").unwrap().as_deref(), Some("李"));
        assert_eq!(initials("AL").unwrap().as_deref(), Some("AL"));
        assert_eq!(initials("").unwrap(), None);
        assert!(initials("ABC").is_err());
        assert!(initials("A B").is_err());
        assert_eq!(color("Blue").unwrap().as_deref(), Some("blue"));
        assert_eq!(color("#A0b1C2").unwrap().as_deref(), Some("#a0b1c2"));
        assert!(color("#12345").is_err());
        assert!(color("chartreuse").is_err());
        assert_eq!(language("ZH").unwrap().as_deref(), Some("zh"));
        assert!(language("fr").is_err());
        assert!(signature(&"s".repeat(201)).is_err());
        assert!(signature("two\nlines").is_err());
        assert!(contact("\u{1b}[31m").is_err());
    }

    #[test]
    fn the_signature_is_appended_once_and_only_if_it_fits() {
        assert_eq!(sign("Bye!", Some("— Alice"), 100), "Bye!\n— Alice");
        assert_eq!(sign("Bye! — Alice", Some("— Alice"), 100), "Bye! — Alice");
        assert_eq!(sign("Bye!", None, 100), "Bye!");
        assert_eq!(sign("Bye!", Some("— Alice"), 6), "Bye!");
    }
}
