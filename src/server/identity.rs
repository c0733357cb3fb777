//! Who may claim a customer's external id. An external id names a customer and their whole
//! history, so only the shop's backend may vouch for it: it signs the id and an expiry with the
//! shared `auth.customer_identity_secret` (the scheme is in `docs/protocol.md`, "Customer
//! identity"). Unsigned ids are accepted only when the operator asked for it explicitly
//! (`auth.allow_unsigned_external_ids`, development); otherwise they are refused.

use crate::auth;
use crate::config::AuthConfig;
use crate::protocol::ApiError;

pub const MAX_EXTERNAL_ID_CHARS: usize = 128;

/// What a `customer.start` claims about an external id.
pub struct Claim<'a> {
    pub external_id: &'a str,
    pub signature: Option<&'a str>,
    /// Unix seconds.
    pub expires: Option<i64>,
}

/// Accepts the claim, or says why not. `now` is Unix seconds.
pub fn check_claim(config: &AuthConfig, claim: &Claim, now: i64) -> Result<(), ApiError> {
    let ext = claim.external_id;
    // Control characters would also make the signed text ambiguous (it is newline-separated).
    if ext.trim().is_empty()
        || ext.chars().count() > MAX_EXTERNAL_ID_CHARS
        || ext.chars().any(char::is_control)
    {
        return Err(ApiError::invalid(format!(
            "external_id must be 1–{MAX_EXTERNAL_ID_CHARS} characters, without control characters"
        )));
    }
    let Some(secret) = &config.customer_identity_secret else {
        return if config.allow_unsigned_external_ids {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "this server does not accept external_id: its operator must set \
                 auth.customer_identity_secret (and have the shop's backend sign ids), or \
                 auth.allow_unsigned_external_ids = true for development; leave external_id \
                 out to chat anonymously",
            ))
        };
    };
    let (Some(given), Some(expires)) = (claim.signature, claim.expires) else {
        return Err(unsigned());
    };
    let expected = auth::sign_customer_identity(secret, ext, expires);
    if !auth::constant_time_eq(expected.as_bytes(), given.to_ascii_lowercase().as_bytes()) {
        return Err(unsigned());
    }
    if expires <= now {
        return Err(ApiError::unauthorized(format!(
            "external_id_signature expired at {expires} (Unix seconds; now {now}); have the \
             backend sign the id again"
        )));
    }
    let ttl = i64::try_from(config.identity_max_ttl_secs).unwrap_or(i64::MAX);
    if expires.saturating_sub(now) > ttl {
        return Err(ApiError::invalid(format!(
            "external_id_expires is more than {ttl} s in the future \
             (auth.identity_max_ttl_secs); sign for a shorter time"
        )));
    }
    Ok(())
}

fn unsigned() -> ApiError {
    ApiError::unauthorized(
        "external_id needs external_id_signature and external_id_expires from the shop's \
         backend (HMAC-SHA256 of \"<external_id>\\n<expires>\"; see docs/protocol.md)",
    )
}

/// Says at start-up how external ids are treated; loudly when they are taken on trust.
pub fn log_mode(config: &AuthConfig) {
    if config.customer_identity_secret.is_some() {
        tracing::info!("customers' external ids must be signed by the shop's backend");
    } else if config.allow_unsigned_external_ids {
        tracing::warn!(
            "auth.allow_unsigned_external_ids = true: EXTERNAL IDS ARE TAKEN ON TRUST. Anyone \
             who knows a customer's external id becomes that customer and reads their history. \
             For development only; set auth.customer_identity_secret in production"
        );
    } else {
        tracing::info!(
            "no auth.customer_identity_secret: customer.start with an external_id is refused; \
             anonymous customers only"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::ErrorCode;

    const SECRET: &str = "0123456789abcdef0123456789abcdef";
    const NOW: i64 = 1_767_225_000;

    fn signed() -> AuthConfig {
        AuthConfig {
            customer_identity_secret: Some(SECRET.into()),
            ..Default::default()
        }
    }

    fn code(config: &AuthConfig, ext: &str, sig: Option<&str>, expires: Option<i64>) -> ErrorCode {
        let claim = Claim {
            external_id: ext,
            signature: sig,
            expires,
        };
        check_claim(config, &claim, NOW).unwrap_err().code
    }

    #[test]
    fn signed_ids_with_a_live_expiry_pass() {
        let exp = NOW + 600;
        let sig = auth::sign_customer_identity(SECRET, "u1", exp);
        let claim = Claim {
            external_id: "u1",
            signature: Some(&sig),
            expires: Some(exp),
        };
        assert!(check_claim(&signed(), &claim, NOW).is_ok());
        // Upper-case hex is the same signature.
        let upper = sig.to_ascii_uppercase();
        let claim = Claim {
            signature: Some(&upper),
            ..claim
        };
        assert!(check_claim(&signed(), &claim, NOW).is_ok());
    }

    #[test]
    fn bad_missing_expired_and_far_future_signatures_are_refused() {
        let c = signed();
        let exp = NOW + 600;
        let sig = auth::sign_customer_identity(SECRET, "u1", exp);
        assert_eq!(code(&c, "u1", None, None), ErrorCode::Unauthorized);
        assert_eq!(code(&c, "u1", Some(&sig), None), ErrorCode::Unauthorized);
        // The expiry is signed: changing it breaks the signature.
        assert_eq!(
            code(&c, "u1", Some(&sig), Some(exp + 1)),
            ErrorCode::Unauthorized
        );
        // Someone else's id with this signature.
        assert_eq!(
            code(&c, "u2", Some(&sig), Some(exp)),
            ErrorCode::Unauthorized
        );
        // The old scheme (the id alone) no longer passes.
        let old = auth::sign_identity(SECRET, "u1");
        assert_eq!(
            code(&c, "u1", Some(&old), Some(exp)),
            ErrorCode::Unauthorized
        );
        let past = auth::sign_customer_identity(SECRET, "u1", NOW);
        assert_eq!(
            code(&c, "u1", Some(&past), Some(NOW)),
            ErrorCode::Unauthorized
        );
        let far = NOW + 86_401;
        let sig = auth::sign_customer_identity(SECRET, "u1", far);
        assert_eq!(code(&c, "u1", Some(&sig), Some(far)), ErrorCode::Invalid);
    }

    #[test]
    fn without_a_secret_ids_need_the_explicit_opt_out() {
        let none = AuthConfig::default();
        assert_eq!(code(&none, "u1", None, None), ErrorCode::Forbidden);
        let dev = AuthConfig {
            allow_unsigned_external_ids: true,
            ..Default::default()
        };
        let claim = Claim {
            external_id: "u1",
            signature: None,
            expires: None,
        };
        assert!(check_claim(&dev, &claim, NOW).is_ok());
    }

    #[test]
    fn empty_long_and_control_ids_are_invalid_in_every_mode() {
        let dev = AuthConfig {
            allow_unsigned_external_ids: true,
            ..Default::default()
        };
        for config in [dev, signed(), AuthConfig::default()] {
            for ext in ["", "   ", "a\nb", "a\u{1b}[2J", &"x".repeat(129)] {
                assert_eq!(
                    code(&config, ext, None, None),
                    ErrorCode::Invalid,
                    "{ext:?}"
                );
            }
        }
    }
}
