//! Quick replies (快捷回复), the pure parts: variables filled in on insert ([`vars`]), what
//! a saved reply must satisfy ([`validate()`]), ranking for the picker and for recommendations
//! ([`rank()`]), and reading/writing import files ([`mod@file`]). The server, the store and the
//! console use these; nothing here does I/O but [`file::read`].

pub mod file;
pub mod rank;
pub mod validate;
pub mod vars;

pub use rank::rank;
pub use validate::{Limits, validate};
pub use vars::{Filled, Vars, fill, unknown_variables};
