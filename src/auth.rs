//! Passwords (argon2id with OWASP parameters), the password policy, and bearer tokens
//! (128+ random bits, stored only as a SHA-256 hash).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::Rng;
use sha2::{Digest, Sha256};

/// OWASP's argon2id recommendation: 19 MiB, 2 iterations, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    rand::rng().fill(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// False for a wrong password and for a malformed stored hash alike.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash to verify against when the username does not exist, so both cases take equally long.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("kefu-dummy-password").unwrap_or_default())
}

/// New passwords: at least 10 characters with a letter, a digit and a symbol.
pub fn check_password_policy(password: &str) -> Result<(), &'static str> {
    let long = password.chars().count() >= 10;
    let letter = password.chars().any(char::is_alphabetic);
    let digit = password.chars().any(|c| c.is_ascii_digit());
    let symbol = password
        .chars()
        .any(|c| !c.is_alphanumeric() && !c.is_whitespace());
    if long && letter && digit && symbol {
        Ok(())
    } else {
        Err("the password needs at least 10 characters, with a letter, a digit and a symbol")
    }
}

/// A readable initial password that satisfies the policy.
pub fn generate_password() -> String {
    const LETTERS: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGITS: &[u8] = b"23456789";
    const SYMBOLS: &[u8] = b"!#%+-=?@";
    let mut rng = rand::rng();
    let mut pick = |set: &[u8]| set[rng.random_range(0..set.len())] as char;
    let mut out: String = (0..10).map(|_| pick(LETTERS)).collect();
    out.push(pick(DIGITS));
    out.push(pick(DIGITS));
    out.push(pick(SYMBOLS));
    out
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
    const BLOCK: usize = 64;
    let mut key = [0u8; BLOCK];
    if secret.len() > BLOCK {
        key[..32].copy_from_slice(&Sha256::digest(secret.as_bytes()));
    } else {
        key[..secret.len()].copy_from_slice(secret.as_bytes());
    }
    let pad = |byte: u8| key.iter().map(|k| k ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message.as_bytes())
        .finalize();
    hex(&Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize())
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
    fn policy_and_generated_passwords() {
        assert!(check_password_policy("short1!").is_err());
        assert!(check_password_policy("longenoughbutnodigit!").is_err());
        assert!(check_password_policy("longenough123").is_err());
        assert!(check_password_policy("密码很长的密码abc12#").is_ok());
        for _ in 0..20 {
            assert!(check_password_policy(&generate_password()).is_ok());
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
