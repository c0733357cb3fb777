//! kefu: a keyboard-first customer-service system. The library holds everything; `main.rs` only
//! parses the command line.

pub mod admin;
pub mod admin_history;
pub mod admin_quick;
pub mod admin_report;
pub mod audit;
pub mod auth;
pub mod bench;
pub mod bot;
pub mod cc;
pub mod cli;
pub mod client;
pub mod config;
pub mod console;
pub mod demo;
pub mod history;
pub mod history_filter;
pub mod http_url;
pub mod intents;
pub mod intents_cmd;
pub mod kb;
pub mod logging;
pub mod menu;
pub mod menu_cmd;
pub mod metrics;
pub mod model;
pub mod permissions;
pub mod profile;
pub mod protocol;
pub mod quick;
pub mod reports;
pub mod routing;
pub mod server;
pub mod store;
pub mod tls_trust;
pub mod totp;
