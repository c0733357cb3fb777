//! The second factor's pure logic (`docs/two-factor.md`): TOTP per RFC 6238 (HMAC-SHA-1,
//! 6 digits, 30-second steps, ±1 step of clock skew) through `totp-rs`, with replay protection
//! by the last step used; the `otpauth://` URI an authenticator app scans; one-time recovery
//! codes and their hashes. No I/O here: the server and the store call these.

use rand::Rng;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Secret, TOTP};

/// Digits of a code.
pub const DIGITS: usize = 6;
/// Seconds per step.
pub const STEP_SECS: u64 = 30;
/// Steps of clock skew accepted on either side of the current one.
pub const SKEW: u64 = 1;
/// Bytes of a new shared secret (160 bits, what RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;
/// Recovery codes handed out at confirmation.
pub const RECOVERY_CODES: usize = 10;
/// Characters of a recovery code (base32, so 5 bits each: 60 bits), shown in groups of 4.
const RECOVERY_CHARS: usize = 12;
/// The issuer shown by authenticator apps.
pub const ISSUER: &str = "kefu";

/// What recovery codes are made of: lower-case base32 (no 0/1/8/9 to misread).
const RECOVERY_ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// Why a code was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("a code is 6 digits")]
    Malformed,
    #[error("the code is wrong or too old")]
    Wrong,
    /// Right, but its step (or a later one) was already used: a code works once.
    #[error("the code was already used")]
    Replayed,
    /// The stored secret cannot be decoded (never for secrets made here).
    #[error("the stored secret is unusable")]
    BadSecret,
}

/// A new random secret.
pub fn new_secret() -> Vec<u8> {
    let mut s = vec![0u8; SECRET_BYTES];
    rand::rng().fill(&mut s[..]);
    s
}

/// The secret as apps take it: base32 (RFC 4648) without padding.
pub fn secret_base32(secret: &[u8]) -> String {
    match Secret::Raw(secret.to_vec()).to_encoded() {
        Secret::Encoded(s) => s,
        Secret::Raw(_) => String::new(),
    }
}

/// The secret back from its base32 text (spaces and case ignored); `None` if it is not base32.
pub fn secret_from_base32(text: &str) -> Option<Vec<u8>> {
    let norm: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    Secret::Encoded(norm).to_bytes().ok()
}

/// What the QR code holds: `otpauth://totp/kefu:alice?secret=…&issuer=kefu&…`.
pub fn otpauth_uri(secret: &[u8], account: &str) -> String {
    format!(
        "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}&algorithm=SHA1\
         &digits={DIGITS}&period={STEP_SECS}",
        issuer = percent(ISSUER),
        account = percent(account),
        secret = secret_base32(secret),
    )
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The step a Unix time (seconds) falls in.
pub fn step_of(unix_secs: u64) -> u64 {
    unix_secs / STEP_SECS
}

fn totp(secret: &[u8], digits: usize) -> Result<TOTP, CodeError> {
    TOTP::new(
        Algorithm::SHA1,
        digits,
        SKEW as u8,
        STEP_SECS,
        secret.to_vec(),
    )
    .map_err(|_| CodeError::BadSecret)
}

/// The code of the step `unix_secs` falls in (what the app shows then).
pub fn code_at(secret: &[u8], unix_secs: u64) -> Result<String, CodeError> {
    Ok(totp(secret, DIGITS)?.generate(unix_secs))
}

/// Whether `text` looks like a TOTP code (6 digits, spaces allowed) rather than a recovery
/// code.
pub fn is_code_shaped(text: &str) -> bool {
    let digits: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    digits.len() == DIGITS && digits.iter().all(char::is_ascii_digit)
}

/// Checks a code at `unix_secs` against the current step ±[`SKEW`]; a step at or before
/// `last_step` (the last one used) is refused as a replay. Returns the step the code belongs
/// to: the caller stores it as the new `last_step`. Every candidate step is computed and
/// compared in constant time, so timing does not tell which one matched.
pub fn verify(
    secret: &[u8],
    code: &str,
    unix_secs: u64,
    last_step: Option<u64>,
) -> Result<u64, CodeError> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if !is_code_shaped(&code) {
        return Err(CodeError::Malformed);
    }
    let t = totp(secret, DIGITS)?;
    let now = step_of(unix_secs);
    let mut matched = None;
    for step in now.saturating_sub(SKEW)..=now.saturating_add(SKEW) {
        let expected = t.generate(step.saturating_mul(STEP_SECS));
        if constant_eq(expected.as_bytes(), code.as_bytes()) && matched.is_none() {
            matched = Some(step);
        }
    }
    match matched {
        None => Err(CodeError::Wrong),
        Some(step) if last_step.is_some_and(|last| step <= last) => Err(CodeError::Replayed),
        Some(step) => Ok(step),
    }
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Ten new recovery codes, as shown to the agent (`abcd-efgh-jkmn`).
pub fn new_recovery_codes() -> Vec<String> {
    let mut rng = rand::rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let chars: Vec<char> = (0..RECOVERY_CHARS)
                .map(|_| RECOVERY_ALPHABET[rng.random_range(0..32)] as char)
                .collect();
            chars
                .chunks(4)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect()
}

/// The stored form of a recovery code: SHA-256 (hex) of the code with case, spaces and
/// dashes ignored. Unsalted is enough: the codes carry 60 random bits each.
pub fn recovery_hash(code: &str) -> String {
    let norm: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    let digest = Sha256::digest(norm.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `text` could be a recovery code (bounded, so a huge login field is not hashed).
pub fn is_recovery_shaped(text: &str) -> bool {
    let n = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .count();
    n == RECOVERY_CHARS && text.len() <= 64
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    /// RFC 6238 appendix B, SHA-1 column (8 digits).
    #[test]
    fn rfc6238_test_vectors() {
        let t = totp(RFC_SECRET, 8).unwrap();
        for (time, code) in [
            (59u64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(t.generate(time), code, "at {time}");
            // Six digits are the last six of the same number.
            assert_eq!(code_at(RFC_SECRET, time).unwrap(), code[2..], "at {time}");
        }
    }

    #[test]
    fn current_and_adjacent_steps_pass_others_fail() {
        let now = 1_234_567_890;
        for delta in [-30i64, 0, 30] {
            let code = code_at(RFC_SECRET, (now as i64 + delta) as u64).unwrap();
            let step = verify(RFC_SECRET, &code, now, None).unwrap();
            assert_eq!(step as i64, (now as i64 + delta) / 30);
        }
        for delta in [-90i64, -60, 60, 90] {
            let code = code_at(RFC_SECRET, (now as i64 + delta) as u64).unwrap();
            assert_eq!(verify(RFC_SECRET, &code, now, None), Err(CodeError::Wrong));
        }
    }

    #[test]
    fn a_step_is_used_once() {
        let now = 1_234_567_890;
        let code = code_at(RFC_SECRET, now).unwrap();
        let step = verify(RFC_SECRET, &code, now, None).unwrap();
        assert_eq!(
            verify(RFC_SECRET, &code, now, Some(step)),
            Err(CodeError::Replayed)
        );
        // An older step's code after a newer one was used is refused too.
        let older = code_at(RFC_SECRET, now - 30).unwrap();
        assert_eq!(
            verify(RFC_SECRET, &older, now, Some(step)),
            Err(CodeError::Replayed)
        );
        // The next step's code still works.
        let next = code_at(RFC_SECRET, now + 30).unwrap();
        assert_eq!(verify(RFC_SECRET, &next, now, Some(step)), Ok(step + 1));
    }

    #[test]
    fn malformed_codes_are_refused_before_any_hmac() {
        for bad in ["", "12345", "1234567", "abcdef", "12 34 5x"] {
            assert_eq!(
                verify(RFC_SECRET, bad, 59, None),
                Err(CodeError::Malformed),
                "{bad}"
            );
        }
        // Spaces inside are fine ("287 082" as apps show it).
        assert_eq!(verify(RFC_SECRET, "287 082", 59, None), Ok(1));
    }

    #[test]
    fn base32_round_trips_and_matches_rfc4648() {
        assert_eq!(secret_base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(secret_from_base32("mzxw 6ytb oi").unwrap(), b"foobar");
        assert_eq!(secret_from_base32("MZXW6YTBOI======").unwrap(), b"foobar");
        assert!(secret_from_base32("not base32!").is_none());
        let s = new_secret();
        assert_eq!(s.len(), SECRET_BYTES);
        assert_eq!(secret_from_base32(&secret_base32(&s)).unwrap(), s);
    }

    #[test]
    fn uri_names_the_parameters_and_escapes_the_account() {
        let uri = otpauth_uri(b"foobar", "li lei:x");
        assert_eq!(
            uri,
            "otpauth://totp/kefu:li%20lei%3Ax?secret=MZXW6YTBOI&issuer=kefu&algorithm=SHA1\
             &digits=6&period=30"
        );
    }

    #[test]
    fn recovery_codes_are_ten_distinct_and_hash_loosely() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), RECOVERY_CODES);
        for c in &codes {
            assert_eq!(c.len(), 14, "{c}");
            assert!(is_recovery_shaped(c));
            assert!(!is_code_shaped(c));
            assert_eq!(
                recovery_hash(c),
                recovery_hash(&c.to_uppercase().replace('-', " "))
            );
        }
        assert_ne!(recovery_hash(&codes[0]), recovery_hash(&codes[1]));
        assert_eq!(recovery_hash("abc").len(), 64);
    }
}
