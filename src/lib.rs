//! kefu: a keyboard-first customer-service system. The library holds everything; `main.rs` only
//! parses the command line.

pub mod auth;
pub mod config;
pub mod model;
pub mod protocol;
pub mod store;
pub mod routing;
