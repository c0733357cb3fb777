//! What a parsed menu's graph must satisfy, and what it refers to outside itself
//! (`kefu admin menu check`, `docs/menus.md`): every node reachable from the start, no option
//! that leads back to its own node, no node from which no answer, lookup or queue can be
//! reached (a loop without an exit), `then` naming a menu of options; and, given the
//! knowledge base and the groups, articles and groups that exist. Pure: the caller says what
//! exists.

use super::problem::Problem;
use super::tree::{Menu, NodeKind};
use std::collections::{BTreeSet, VecDeque};

fn problem(line: usize, message: String) -> Problem {
    Problem {
        line,
        col: 1,
        message,
    }
}

/// The graph's problems, in line order.
pub fn graph_problems(menu: &Menu) -> Vec<Problem> {
    let mut out = Vec::new();
    let next = |id: &str| -> Vec<String> {
        match menu.node(id).map(|n| &n.kind) {
            Some(NodeKind::Options(opts)) => opts.iter().map(|o| o.to.clone()).collect(),
            Some(NodeKind::Article { then, .. }) => vec![then.clone()],
            Some(NodeKind::Lookup(l)) => vec![l.then.clone()],
            _ => Vec::new(),
        }
    };
    // Reachable from the start.
    let mut seen = BTreeSet::new();
    let mut todo = VecDeque::from([menu.start.clone()]);
    while let Some(id) = todo.pop_front() {
        if seen.insert(id.clone()) {
            todo.extend(next(&id));
        }
    }
    // Nodes from which an exit (a leaf) can be reached: grown until nothing changes.
    let mut exits: BTreeSet<&str> = menu
        .nodes
        .values()
        .filter(|n| !matches!(n.kind, NodeKind::Options(_)))
        .map(|n| n.id.as_str())
        .collect();
    loop {
        let before = exits.len();
        for n in menu.nodes.values() {
            if let NodeKind::Options(opts) = &n.kind
                && opts.iter().any(|o| exits.contains(o.to.as_str()))
            {
                exits.insert(n.id.as_str());
            }
        }
        if exits.len() == before {
            break;
        }
    }
    for n in menu.nodes.values() {
        if !seen.contains(&n.id) {
            out.push(problem(
                n.line,
                format!(
                    "node `{}` is unreachable from the start `{}`",
                    n.id, menu.start
                ),
            ));
        }
        match &n.kind {
            NodeKind::Options(opts) => {
                for o in opts.iter().filter(|o| o.to == n.id) {
                    out.push(problem(
                        o.line,
                        format!(
                            "option {} of `{}` leads back to `{}` itself",
                            o.key, n.id, n.id
                        ),
                    ));
                }
                if !exits.contains(n.id.as_str()) {
                    out.push(problem(
                        n.line,
                        format!(
                            "node `{}` never leads to an answer, a lookup or a queue \
                             (a loop without an exit)",
                            n.id
                        ),
                    ));
                }
            }
            NodeKind::Article { then, .. } | NodeKind::Lookup(super::tree::Lookup { then, .. }) => {
                if !matches!(menu.node(then).map(|t| &t.kind), Some(NodeKind::Options(_))) {
                    out.push(problem(
                        n.line,
                        format!(
                            "`then` of `{}` must name a node with options (`{then}` has none)",
                            n.id
                        ),
                    ));
                }
            }
            NodeKind::Queue { .. } => {}
        }
    }
    out.sort_by_key(|p| p.line);
    out
}

/// What the menu refers to outside itself: `article(id)` says whether a published article
/// exists, `group(name)` whether a group does; `None` skips that check.
pub fn reference_problems(
    menu: &Menu,
    article: Option<&dyn Fn(i64) -> bool>,
    group: Option<&dyn Fn(&str) -> bool>,
) -> Vec<Problem> {
    let mut out = Vec::new();
    for n in menu.nodes.values() {
        match &n.kind {
            NodeKind::Article { id, line, .. } => {
                if let Some(exists) = article
                    && !exists(*id)
                {
                    out.push(problem(
                        *line,
                        format!("node `{}`: knowledge-base article {id} does not exist (or is not published)", n.id),
                    ));
                }
            }
            NodeKind::Queue { group: g } => {
                if let Some(exists) = group
                    && !exists(g)
                {
                    out.push(problem(n.line, format!("node `{}`: no group `{g}`", n.id)));
                }
            }
            _ => {}
        }
    }
    if let (Some(g), Some(exists)) = (&menu.group, group)
        && !exists(g)
    {
        out.push(problem(1, format!("`group`: no group `{g}`")));
    }
    out.sort_by_key(|p| p.line);
    out
}
