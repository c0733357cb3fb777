//! The agent console: a full-screen terminal workbench (ratatui + crossterm) that talks to the
//! routing server over WebSocket. `App` holds all state and `App::update(Action)` is pure;
//! `run` wires it to the terminal and the network.

pub mod action;
pub mod app;
pub mod bench;
pub mod composer;
pub mod config;
pub mod editor;
pub mod i18n;
pub mod keymap;
pub mod net;
pub mod outbox;
pub mod reply;
pub mod run;
pub mod sanitize;
pub mod theme;
pub mod ui;
