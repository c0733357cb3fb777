//! The two-factor enrolment screen's state (`totp.rs` drives it, `ui/totp.rs` draws it):
//! asking for a secret, showing it (text and QR code) with a field for the first code, then
//! the recovery codes, once.

/// Longest code field (a recovery code with dashes and spaces fits).
pub const CODE_MAX: usize = 20;

/// Which request a reply of the screen answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotpTag {
    Enroll,
    Confirm,
}

#[derive(Clone, PartialEq)]
pub enum TotpStage {
    /// `totp.enroll` sent.
    Starting,
    /// The secret (base32) and the `otpauth://` URI the QR code shows.
    Scan { secret: String, uri: String },
    /// Confirmed: the recovery codes, shown this once.
    Codes(Vec<String>),
}

#[derive(Clone, PartialEq)]
pub struct TotpScreen {
    pub stage: TotpStage,
    /// The code being typed.
    pub code: String,
    /// Why the last step failed (the server's words, sanitised when drawn).
    pub error: Option<String>,
    /// A confirmation is on its way.
    pub busy: bool,
    /// Opened because the role requires a second factor (`must_enroll_totp`): esc does not
    /// leave, and the workbench opens once it is confirmed.
    pub forced: bool,
}

impl TotpScreen {
    pub fn new(forced: bool) -> TotpScreen {
        TotpScreen {
            stage: TotpStage::Starting,
            code: String::new(),
            error: None,
            busy: false,
            forced,
        }
    }
}

/// Secrets and recovery codes stay out of logs.
impl std::fmt::Debug for TotpScreen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let stage = match self.stage {
            TotpStage::Starting => "starting",
            TotpStage::Scan { .. } => "scan",
            TotpStage::Codes(_) => "codes",
        };
        f.debug_struct("TotpScreen")
            .field("stage", &stage)
            .field("busy", &self.busy)
            .field("forced", &self.forced)
            .finish_non_exhaustive()
    }
}
