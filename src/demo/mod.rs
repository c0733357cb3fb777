//! The demo: a database seeded to look like a real shop's customer service (agents, customers
//! with history, quick replies, a bilingual knowledge base) and a customer simulator that keeps
//! conversations coming over the real protocol, so the console can be tried without customers.

mod launch;
mod scripts;
pub mod seed;
mod seed_data;
pub mod simulator;

pub use launch::{DemoOptions, demo_config, run as launch};
pub use seed::{SeedInfo, seed};
pub use simulator::{Pace, run};

use crate::model::Channel;

/// The demo's self-service menu (`shop`), loaded as an inline tree by [`demo_config`].
pub const MENU: &str = include_str!("menu_shop.toml");

/// The language a demo customer writes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

/// A seeded customer the simulator can play, so the console recognises them (VIP, complaint
/// tag, past sessions in the profile).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoCustomer {
    pub external_id: String,
    pub nickname: String,
    pub channel: Channel,
    pub lang: Lang,
    pub vip: bool,
    /// Tagged as a complaint customer (`投诉用户`): the simulator plays them angry.
    pub complaint: bool,
}
