//! What can be wrong with a keymap file, each located at `file:line:column`.

use thiserror::Error;

use super::Location;

#[derive(Debug, Error)]
pub enum KeymapError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("unknown keymap `{name}` (built in: {builtin}; or put it in {searched})")]
    UnknownKeymap {
        name: String,
        builtin: String,
        searched: String,
    },
    #[error("{at}: invalid TOML: {message}")]
    Toml { at: Location, message: String },
    #[error("{at}: {message}")]
    Invalid { at: Location, message: String },
    #[error("{at}: unknown context `[{name}]` (expected one of: {expected})")]
    UnknownContext {
        at: Location,
        name: String,
        expected: String,
    },
    #[error("{at}: unknown action `{name}` ({hint}use `none` to unbind a key)")]
    UnknownAction {
        at: Location,
        name: String,
        /// "did you mean `x`? " or empty.
        hint: String,
    },
    #[error("{at}: cannot parse key `{key}`: {reason}")]
    BadKey {
        at: Location,
        key: String,
        reason: String,
    },
    #[error("{at}: `{key}` is bound twice in [{context}] (also at {other})")]
    Duplicate {
        at: Location,
        context: &'static str,
        key: String,
        other: Location,
    },
    #[error(
        "{at}: in [{context}], `{key}` is bound but is also the start of `{longer}` \
         (bound at {other}); one of them could never be typed"
    )]
    PrefixConflict {
        at: Location,
        context: &'static str,
        key: String,
        longer: String,
        other: Location,
    },
    /// Every problem found, one per line, so a broken file is fixed in one go.
    #[error("{}", lines(.0))]
    Several(Vec<KeymapError>),
}

fn lines(errors: &[KeymapError]) -> String {
    let all: Vec<String> = errors.iter().map(ToString::to_string).collect();
    all.join("\n")
}

impl KeymapError {
    /// `Ok` for no errors, the error itself for one, [`KeymapError::Several`] for more.
    pub(super) fn from_all(mut errors: Vec<KeymapError>) -> Result<(), KeymapError> {
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.remove(0)),
            _ => Err(KeymapError::Several(errors)),
        }
    }
}
