//! A self-service menu tree as the server uses it (`docs/menus.md`): named nodes, each either
//! a menu of numbered options or a leaf — a knowledge-base article, a lookup webhook that
//! takes the customer's input, or a return to a group's queue. Built by `parse` from TOML,
//! after which every target named exists (checked there), so navigation never looks up a
//! node that is not there without saying so.

use std::collections::BTreeMap;

/// The node a menu starts at when no `start` is given.
pub const DEFAULT_START: &str = "main";

/// One menu tree, named after its file (`menus/NAME.toml`) or its config key.
#[derive(Debug, Clone, PartialEq)]
pub struct Menu {
    pub name: String,
    /// Shown to agents in the transfer list.
    pub title: String,
    /// Where `0` / 人工 returns the customer; `None`: the conversation's own group.
    pub group: Option<String>,
    pub start: String,
    pub nodes: BTreeMap<String, Node>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub id: String,
    /// What the customer is shown on arriving here (before the options, or asking for input).
    pub prompt: String,
    pub kind: NodeKind,
    /// Line in the source, for messages about it.
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// A menu: the customer picks one by number or by words.
    Options(Vec<MenuOption>),
    /// Answers with a knowledge-base article, then shows `then`.
    Article { id: i64, then: String, line: usize },
    /// Asks for input (the prompt), POSTs it to `url`, shows the answer, then shows `then`.
    Lookup(Lookup),
    /// Returns the customer to this group's human queue.
    Queue { group: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct MenuOption {
    /// The number the customer types (1–99; 0 is always "a person").
    pub key: u32,
    pub label: String,
    /// Words that pick this option too (Chinese anywhere, Latin as whole words).
    pub keywords: Vec<String>,
    /// The node it leads to.
    pub to: String,
    /// Line of its `to` in the source.
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Lookup {
    pub url: String,
    /// Shown when the lookup fails, times out or answers nothing usable.
    pub fallback: String,
    /// Total time allowed, in milliseconds (capped by the server's `[menus]` limit).
    pub timeout_ms: u64,
    pub then: String,
}

impl Menu {
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.get(id)
    }

    /// The label agents see for a node: the label of an option leading there, else its id.
    pub fn label_of(&self, id: &str) -> String {
        self.nodes
            .values()
            .filter_map(|n| match &n.kind {
                NodeKind::Options(opts) => opts.iter().find(|o| o.to == id),
                _ => None,
            })
            .map(|o| o.label.clone())
            .next()
            .unwrap_or_else(|| id.to_string())
    }

    /// The node ids that an agent may transfer to, start first.
    pub fn entry_points(&self) -> Vec<String> {
        let mut ids = vec![self.start.clone()];
        ids.extend(self.nodes.keys().filter(|k| **k != self.start).cloned());
        ids
    }
}

/// Every menu the server knows, by name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MenuSet {
    pub menus: BTreeMap<String, Menu>,
}

impl MenuSet {
    pub fn get(&self, name: &str) -> Option<&Menu> {
        self.menus.get(name)
    }

    pub fn is_empty(&self) -> bool {
        self.menus.is_empty()
    }

    /// `"menu"` or `"menu/node"` → the menu and the node to start at; the error says which
    /// part is unknown.
    pub fn resolve(&self, target: &str) -> Result<(&Menu, &Node), String> {
        let (name, node) = match target.split_once('/') {
            Some((m, n)) => (m.trim(), Some(n.trim())),
            None => (target.trim(), None),
        };
        let menu = self.get(name).ok_or_else(|| format!("no menu `{name}`"))?;
        let id = node.unwrap_or(&menu.start);
        let node = menu
            .node(id)
            .ok_or_else(|| format!("menu `{name}` has no node `{id}`"))?;
        Ok((menu, node))
    }
}
