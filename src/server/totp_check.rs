//! The second factor's decisions that must be atomic with what they record, so they run in the
//! writer's transaction (`Hub::write_then`): a code's step is recorded as used in the same
//! transaction that accepted it, so two logins racing with one code cannot both pass.

use crate::model::{AgentId, Millis};
use crate::protocol::ApiError;
use crate::store::Tx;
use crate::totp::{self, CodeError};

/// What a code (TOTP or recovery) turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum CodeCheck {
    /// The account has no second factor in force.
    NoFactor,
    /// It has one and no code came.
    Missing,
    /// A current code, now used.
    Code,
    /// A recovery code, now used; how many are left.
    Recovery {
        left: u32,
    },
    Wrong,
    Replayed,
    /// The store could not answer (logged).
    Failed,
}

/// Checks `code` against the agent's confirmed factor and records its use.
pub(super) fn check_code(
    tx: &mut dyn Tx,
    agent: AgentId,
    code: Option<&str>,
    now: Millis,
) -> crate::store::Result<CodeCheck> {
    guard(check(tx, agent, code, now))
}

fn check(
    tx: &mut dyn Tx,
    agent: AgentId,
    code: Option<&str>,
    now: Millis,
) -> crate::store::Result<CodeCheck> {
    let Some(state) = tx.totp_state(agent)?.filter(|s| s.confirmed) else {
        return Ok(CodeCheck::NoFactor);
    };
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(CodeCheck::Missing);
    };
    if totp::is_code_shaped(code) {
        let Some(secret) = totp::secret_from_base32(&state.secret) else {
            tracing::error!(agent, "a stored TOTP secret is not base32");
            return Ok(CodeCheck::Failed);
        };
        let secs = u64::try_from(now / 1000).unwrap_or(0);
        return Ok(match totp::verify(&secret, code, secs, state.last_step) {
            Ok(step) if tx.totp_use_step(agent, step)? => CodeCheck::Code,
            Ok(_) | Err(CodeError::Replayed) => CodeCheck::Replayed,
            Err(CodeError::BadSecret) => CodeCheck::Failed,
            Err(CodeError::Wrong | CodeError::Malformed) => CodeCheck::Wrong,
        });
    }
    if totp::is_recovery_shaped(code)
        && tx.totp_use_recovery(agent, &totp::recovery_hash(code), now)?
    {
        return Ok(CodeCheck::Recovery {
            left: state.recovery_left.saturating_sub(1),
        });
    }
    Ok(CodeCheck::Wrong)
}

/// A refused (non-fatal) store error becomes [`CodeCheck::Failed`] rather than a dropped job:
/// the hub must always hear back, or the login would stay "in flight" for good.
fn guard<T: From<Failed>>(r: crate::store::Result<T>) -> crate::store::Result<T> {
    match r {
        Err(e) if !e.is_fatal() => {
            tracing::warn!(error = %e, "second-factor store step refused");
            Ok(T::from(Failed))
        }
        other => other,
    }
}

/// Marker for [`guard`].
pub(super) struct Failed;

impl From<Failed> for CodeCheck {
    fn from(_: Failed) -> Self {
        CodeCheck::Failed
    }
}

impl<T> From<Failed> for Result<T, ApiError> {
    fn from(_: Failed) -> Self {
        Err(ApiError::internal())
    }
}

/// `totp.enroll` in the store: a new unconfirmed secret (the bytes), unless one is in force.
pub(super) fn enroll(
    tx: &mut dyn Tx,
    agent: AgentId,
    now: Millis,
) -> crate::store::Result<Result<Vec<u8>, ApiError>> {
    guard((|| {
        if tx.totp_state(agent)?.is_some_and(|s| s.confirmed) {
            return Ok(Err(ApiError::conflict(
                "two-factor sign-in is already on; turn it off first (totp.disable) to enrol \
                 a new device",
            )));
        }
        let secret = totp::new_secret();
        tx.totp_begin(agent, &totp::secret_base32(&secret), now)?;
        Ok(Ok(secret))
    })())
}

/// `totp.confirm` in the store: the code must be current for the unconfirmed secret; then the
/// factor is in force, with new recovery codes (returned in clear, stored hashed), and the
/// agent's other sign-ins (made without it) end.
pub(super) fn confirm(
    tx: &mut dyn Tx,
    agent: AgentId,
    code: &str,
    keep_token: Option<String>,
    now: Millis,
) -> crate::store::Result<Result<Vec<String>, ApiError>> {
    guard((|| {
        let state = match tx.totp_state(agent)? {
            None => {
                return Ok(Err(ApiError::invalid(
                    "nothing to confirm: start with totp.enroll",
                )));
            }
            Some(s) if s.confirmed => {
                return Ok(Err(ApiError::conflict("two-factor sign-in is already on")));
            }
            Some(s) => s,
        };
        let Some(secret) = totp::secret_from_base32(&state.secret) else {
            return Ok(Err(ApiError::internal()));
        };
        let secs = u64::try_from(now / 1000).unwrap_or(0);
        let step = match totp::verify(&secret, code, secs, None) {
            Ok(step) => step,
            Err(CodeError::Malformed) => {
                return Ok(Err(ApiError::invalid(
                    "a code is the 6 digits your authenticator app shows",
                )));
            }
            Err(_) => {
                return Ok(Err(ApiError::invalid(
                    "that code does not match; check that the app and this computer show the \
                     right time, and type the code the app shows now",
                )));
            }
        };
        let codes = totp::new_recovery_codes();
        let hashes: Vec<String> = codes.iter().map(|c| totp::recovery_hash(c)).collect();
        tx.totp_confirm(agent, step, &hashes, now)?;
        tx.totp_end_other_sign_ins(agent, keep_token.as_deref())?;
        Ok(Ok(codes))
    })())
}

/// `totp.disable` in the store: a current code or a recovery code, then the factor is gone.
pub(super) fn disable(
    tx: &mut dyn Tx,
    agent: AgentId,
    code: &str,
    now: Millis,
) -> crate::store::Result<CodeCheck> {
    guard((|| {
        let checked = check(tx, agent, Some(code), now)?;
        if matches!(checked, CodeCheck::Code | CodeCheck::Recovery { .. }) {
            tx.totp_delete(agent)?;
        }
        Ok(checked)
    })())
}
