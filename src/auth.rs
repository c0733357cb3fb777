//! Passwords (argon2id with OWASP parameters), the password policy, and bearer tokens
//! (128+ random bits, stored only as a SHA-256 hash).

use argon2::password_hash::{self, Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::{Digest, Sha256};
use std::cell::RefCell;

/// OWASP's argon2id recommendation: 19 MiB, 2 iterations, 1 lane.
fn params() -> Params {
    Params::new(19 * 1024, 2, 1, None).unwrap_or_default()
}

/// Most argon2 memory a stored hash may ask for (256 MiB); ours need 19 MiB.
const MAX_BLOCKS: usize = 256 * 1024;

thread_local! {
    /// argon2's working memory, allocated once per thread that checks passwords and reused.
    /// Allocating 19 MiB per check left the allocator holding two or three such regions per
    /// thread; reusing one keeps the pool's memory at threads × 19 MiB.
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with this thread's argon2 memory, grown to `blocks` if needed.
fn with_memory<T>(blocks: usize, f: impl FnOnce(&mut [Block]) -> T) -> T {
    MEMORY.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() < blocks {
            m.resize(blocks, Block::default());
        }
        f(&mut m[..blocks])
    })
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`), as `argon2`'s own hasher makes.
pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    rand::rng().fill(&mut salt);
    let salt_b64 = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    let params = params();
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let output = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
        with_memory(params.block_count(), |m| {
            argon.hash_password_into_with_memory(password.as_bytes(), &salt, out, m)
        })
        .map_err(password_hash::Error::from)
    })
    .map_err(|e| e.to_string())?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| e.to_string())?,
        salt: Some(salt_b64.as_salt()),
        hash: Some(output),
    };
    Ok(hash.to_string())
}

/// False for a wrong password and for a malformed stored hash alike.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .and_then(|h| verify_parsed(password, &h))
        .unwrap_or(false)
}

fn verify_parsed(password: &str, h: &PasswordHash) -> password_hash::Result<bool> {
    let algorithm = Algorithm::try_from(h.algorithm)?;
    let version = h
        .version
        .map(Version::try_from)
        .transpose()?
        .unwrap_or_default();
    let params = Params::try_from(h)?;
    let (Some(salt), Some(expected)) = (h.salt, &h.hash) else {
        return Ok(false);
    };
    if params.block_count() > MAX_BLOCKS {
        return Ok(false);
    }
    let mut salt_buf = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_buf)?;
    let mut out = vec![0u8; expected.len()];
    let argon = Argon2::new(algorithm, version, params.clone());
    with_memory(params.block_count(), |m| {
        argon.hash_password_into_with_memory(password.as_bytes(), salt, &mut out, m)
    })?;
    Ok(constant_time_eq(&out, expected.as_bytes()))
}

/// A hash to verify against when the username does not exist, so both cases take equally long.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("kefu-dummy-password").unwrap_or_default())
}

/// The 10,000 most common passwords (SecLists, MIT; `assets/common-passwords.LICENSE`), one a
/// line, compiled in so the policy needs no file at run time.
const COMMON_PASSWORDS: &str = include_str!("../assets/common-passwords.txt");

/// Shortest password the policy accepts, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// The whole password policy, as every refusal states it.
pub const PASSWORD_POLICY: &str = "a password needs at least 10 characters, may not be one of \
     the 10,000 most common passwords, and may not contain the username (case is ignored)";

/// Whether `password` is on the common-password list, ignoring case. Only entries of
/// [`MIN_PASSWORD_CHARS`] or more can matter (shorter ones fail the length rule first), so the
/// set holds just those.
fn is_common(password: &str) -> bool {
    static LONG_ONES: std::sync::OnceLock<std::collections::HashSet<String>> =
        std::sync::OnceLock::new();
    let set = LONG_ONES.get_or_init(|| {
        COMMON_PASSWORDS
            .lines()
            .map(str::trim)
            .filter(|l| l.chars().count() >= MIN_PASSWORD_CHARS)
            .map(str::to_lowercase)
            .collect()
    });
    set.contains(&password.to_lowercase())
}

/// New passwords ([`PASSWORD_POLICY`]): at least 10 characters, not one of the 10,000 most
/// common passwords, not containing the username; all compared without case. No composition
/// rules (NIST SP 800-63B): length and a block list do more for less annoyance. The error
/// names the rule that failed and states the whole policy.
pub fn check_password_policy(password: &str, username: &str) -> Result<(), String> {
    let why = if password.chars().count() < MIN_PASSWORD_CHARS {
        "it is shorter than 10 characters"
    } else if is_common(password) {
        "it is one of the 10,000 most common passwords"
    } else if !username.trim().is_empty()
        && password
            .to_lowercase()
            .contains(&username.trim().to_lowercase())
    {
        "it contains the username"
    } else {
        return Ok(());
    };
    Err(format!("password refused: {why}; {PASSWORD_POLICY}"))
}

/// A readable initial password for `username` that satisfies the policy (13 random characters
/// from 56: about 75 bits).
pub fn generate_password(username: &str) -> String {
    const LETTERS: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGITS: &[u8] = b"23456789";
    const SYMBOLS: &[u8] = b"!#%+-=?@";
    let mut rng = rand::rng();
    loop {
        let mut pick = |set: &[u8]| set[rng.random_range(0..set.len())] as char;
        let mut out: String = (0..10).map(|_| pick(LETTERS)).collect();
        out.push(pick(DIGITS));
        out.push(pick(DIGITS));
        out.push(pick(SYMBOLS));
        // A short username may turn up by chance; draw again (rarely more than once).
        if check_password_policy(&out, username).is_ok() {
            return out;
        }
    }
}

/// A fresh token: 256 random bits, hex. Only its hash is stored.
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    hex(&bytes)
}

pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// HMAC-SHA256 (RFC 2104) of `message` under `secret`, hex: what a shop's backend computes to
/// vouch for a customer's external id.
pub fn sign_identity(secret: &str, message: &str) -> String {
    hex(&hmac_sha256(secret.as_bytes(), &[message.as_bytes()])
        .finalize()
        .into_bytes())
}

/// An HMAC-SHA256 over `parts` in order, ready to finalize or verify (constant-time
/// `verify_slice`). Shared by the identity signature and the HTTP channel API's.
pub fn hmac_sha256(secret: &[u8], parts: &[&[u8]]) -> Hmac<Sha256> {
    // HMAC takes keys of any length (long ones are hashed), so this never falls back.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret)
        .unwrap_or_else(|_| <Hmac<Sha256> as Mac>::new(&Default::default()));
    for part in parts {
        mac.update(part);
    }
    mac
}

/// What a shop's backend signs to vouch for a customer until `expires` (Unix seconds): the
/// external id, a newline, the expiry in decimal. The id may not contain control characters,
/// so the last newline always separates the two.
pub fn identity_payload(external_id: &str, expires: i64) -> String {
    format!("{external_id}\n{expires}")
}

/// The `external_id_signature` for an external id valid until `expires` (Unix seconds).
pub fn sign_customer_identity(secret: &str, external_id: &str, expires: i64) -> String {
    sign_identity(secret, &identity_payload(external_id, expires))
}

/// Compares without an early exit, so timing does not reveal how much of a signature matched.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of an even-length hex string (either case); `None` if it is not one.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC_EXAMPLE_SIGNATURE: &str =
        "111a34e14a52a0fcb2b5150a314e89355d6fceb1c7ade68fdbc9ad246e05edee";

    #[test]
    fn hashes_verify_and_reject() {
        let h = hash_password("s3cret-pass").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password("s3cret-pass", &h));
        assert!(!verify_password("s3cret-pasS", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn hashes_interoperate_with_the_argon2_crates_own() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let standard = Argon2::new(Algorithm::Argon2id, Version::V0x13, params());
        // Hashes stored before the reusable memory (made by the crate) still verify…
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let old = standard
            .hash_password(b"s3cret-pass", &salt)
            .unwrap()
            .to_string();
        assert!(verify_password("s3cret-pass", &old));
        assert!(!verify_password("s3cret-pasS", &old));
        // …and ours verify with the crate.
        let ours = hash_password("s3cret-pass").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(standard.verify_password(b"s3cret-pass", &parsed).is_ok());
        // Other parameters work too (the memory grows to fit).
        let small = Argon2::new(
            Algorithm::Argon2i,
            Version::V0x10,
            Params::new(64, 1, 1, None).unwrap(),
        )
        .hash_password(b"pw", &salt)
        .unwrap()
        .to_string();
        assert!(verify_password("pw", &small));
        assert!(!verify_password("px", &small));
    }

    #[test]
    fn policy_length_counts_characters() {
        assert!(check_password_policy("nine-char", "al").is_err());
        assert!(check_password_policy("ten-chars!", "al").is_ok());
        // Characters, not bytes: 10 CJK characters pass, 9 do not.
        assert!(check_password_policy("密码很长的密码长长长", "al").is_ok());
        assert!(check_password_policy("密码很长的密码长长", "al").is_err());
        // No composition rules: a long phrase of letters is fine.
        assert!(check_password_policy("correct horse battery staple", "al").is_ok());
    }

    #[test]
    fn policy_refuses_common_passwords_in_any_case() {
        // Entries of the shipped list that are 10 characters or more.
        for common in ["1234567890", "qwertyuiop", "1q2w3e4r5t"] {
            assert!(COMMON_PASSWORDS.lines().any(|l| l == common), "{common}");
            let e = check_password_policy(common, "al").unwrap_err();
            assert!(e.contains("most common"), "{e}");
            let upper = common.to_uppercase();
            assert!(check_password_policy(&upper, "al").is_err(), "{upper}");
        }
        assert_eq!(COMMON_PASSWORDS.lines().count(), 10_000);
        // Not on the list, same length: accepted.
        assert!(check_password_policy("1234567891x", "al").is_ok());
    }

    #[test]
    fn policy_refuses_the_username_inside_in_any_case() {
        let e = check_password_policy("my-Alice-password", "alice").unwrap_err();
        assert!(e.contains("contains the username"), "{e}");
        assert!(check_password_policy("ALICE-2026-spring", "Alice").is_err());
        assert!(check_password_policy("my-bob-password", "alice").is_ok());
        // Every refusal states the whole policy.
        for bad in ["short", "1234567890", "alice-is-here"] {
            let e = check_password_policy(bad, "alice").unwrap_err();
            assert!(e.ends_with(PASSWORD_POLICY), "{e}");
        }
    }

    #[test]
    fn generated_passwords_pass_the_policy() {
        for user in ["a", "b", "z", "alice", ""] {
            for _ in 0..50 {
                let p = generate_password(user);
                assert!(check_password_policy(&p, user).is_ok(), "{p} for {user}");
            }
        }
    }

    #[test]
    fn identity_signatures_are_rfc_hmac_sha256() {
        // RFC 4231 test case 2.
        assert_eq!(
            sign_identity("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }

    #[test]
    fn the_documented_identity_example() {
        // The worked example in docs/protocol.md ("Customer identity"); keep them in step.
        assert_eq!(identity_payload("u10001", 1767225600), "u10001\n1767225600");
        assert_eq!(
            sign_customer_identity("0123456789abcdef0123456789abcdef", "u10001", 1767225600),
            DOC_EXAMPLE_SIGNATURE
        );
    }

    #[test]
    fn tokens_are_long_and_hashed() {
        let t = new_token();
        assert_eq!(t.len(), 64);
        assert_ne!(t, new_token());
        assert_eq!(token_hash(&t), token_hash(&t));
        assert_ne!(token_hash(&t), t);
    }
}
