//! What a self-service menu did in a conversation, carried in [`SessionView::menu`]
//! (`docs/menus.md`): which menu and node the customer is at, the path taken (each step's label
//! and what the customer typed), and — once they left — when and why they went to the human
//! queue. Stored with the session (one JSON column), so a restart keeps the position; the next
//! agent reads the path in the offer. Also the menus listed in the transfer directory.
//!
//! [`SessionView::menu`]: super::SessionView::menu

use crate::model::Millis;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuInfo {
    /// The menu's name.
    pub menu: String,
    /// The node the customer is at (a menu of options, or a lookup waiting for input).
    pub node: String,
    /// The steps taken, oldest first (bounded: `[menus] max_path`).
    #[serde(default)]
    pub path: Vec<MenuStep>,
    /// Inputs in a row not understood.
    #[serde(default)]
    pub invalid: u32,
    /// Lookups made so far.
    #[serde(default)]
    pub lookups: u32,
    /// Who sent the customer here (the agent's display name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    pub since: Millis,
    /// Set when the customer left the menu for the human queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returned: Option<MenuReturn>,
}

/// One step: the node reached, its label (the option chosen) and what the customer typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuStep {
    pub node: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// For a lookup: its answer was shown (`Some(true)`) or the fallback (`Some(false)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered: Option<bool>,
}

/// When and why the customer went from the menu to the human queue, and to which group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuReturn {
    pub reason: MenuReturnReason,
    pub group: String,
    pub at: Millis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MenuReturnReason {
    /// `0`, 人工, "agent"…
    Requested,
    /// A `queue` node of the menu.
    Leaf,
    /// `[menus] max_invalid` inputs in a row not understood.
    Invalid,
    /// The menu is no longer configured (removed before a restart).
    Unavailable,
    /// Transferred out of the menu to a group or an agent (`session.transfer`).
    Taken,
}

/// A menu in the transfer directory: its name, title, and the nodes an agent may send a
/// customer to (the start first), each as `(id, label)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuEntry {
    pub name: String,
    pub title: String,
    pub nodes: Vec<MenuNodeEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuNodeEntry {
    pub id: String,
    pub label: String,
}
