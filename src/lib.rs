//! kefu: a keyboard-first customer-service system. The library holds everything; `main.rs` only
//! parses the command line.

pub mod model;
pub mod routing;
