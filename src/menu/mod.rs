//! Self-service menus (转智能IVR, `docs/menus.md`), pure and without sockets: the tree
//! ([`tree`]), reading it from TOML with every problem's line ([`parse`]), the graph's and the
//! references' checks ([`check`]), and navigation ([`nav`]). `server::menu_ops` runs a
//! conversation through a menu on the hub; `kefu admin menu check` prints the problems.

pub mod check;
pub mod nav;
pub mod parse;
pub mod problem;
pub mod tree;

#[cfg(test)]
mod tests;

pub use nav::{Invalid, Outcome, ReturnReason, enter, step};
pub use problem::{Located, Problem};
pub use tree::{Menu, MenuSet, Node, NodeKind};

use std::collections::BTreeMap;
use std::path::Path;

/// Most menu files read from a directory.
pub const MAX_MENUS: usize = 100;

/// Reads and checks one menu file (named after its stem); the problems as
/// `file:line:col: message`.
pub fn load_file(path: &Path) -> Result<Menu, Vec<String>> {
    let file = path.display().to_string();
    let name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string();
    let meta = std::fs::metadata(path).map_err(|e| vec![format!("{file}: {e}")])?;
    if meta.len() > parse::MAX_FILE_BYTES as u64 {
        return Err(vec![format!(
            "{file}: over {} bytes",
            parse::MAX_FILE_BYTES
        )]);
    }
    let text = std::fs::read_to_string(path).map_err(|e| vec![format!("{file}: {e}")])?;
    if name.is_empty() || name.contains('/') || name.chars().any(char::is_whitespace) {
        return Err(vec![format!(
            "{file}: a menu's file name is its name: no spaces"
        )]);
    }
    parse::parse(&name, &text).map_err(|ps| located(&file, &ps))
}

/// `file:line:col: message` for each problem.
pub fn located(file: &str, problems: &[Problem]) -> Vec<String> {
    problems
        .iter()
        .map(|problem| Located { file, problem }.to_string())
        .collect()
}

/// Every `*.toml` in `dir` (when given) and the inline trees of the config (`[menus.trees.NAME]`,
/// each reported as `config [menus.trees.NAME]` with lines counted in that table); all
/// problems of all files, or the set.
pub fn load(
    dir: Option<&Path>,
    inline: &BTreeMap<String, toml::Table>,
) -> Result<MenuSet, Vec<String>> {
    let mut set = MenuSet::default();
    let mut problems = Vec::new();
    if let Some(dir) = dir {
        let entries = std::fs::read_dir(dir)
            .map_err(|e| vec![format!("[menus] dir {}: {e}", dir.display())])?;
        let mut paths: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        if paths.len() > MAX_MENUS {
            return Err(vec![format!(
                "[menus] dir {}: more than {MAX_MENUS} menu files",
                dir.display()
            )]);
        }
        for p in paths {
            match load_file(&p) {
                Ok(m) => {
                    set.menus.insert(m.name.clone(), m);
                }
                Err(ps) => problems.extend(ps),
            }
        }
    }
    for (name, table) in inline {
        let file = format!("config [menus.trees.{name}]");
        if set.menus.contains_key(name) {
            problems.push(format!("{file}: a menu file of that name exists too"));
            continue;
        }
        let text = toml::to_string(table).unwrap_or_default();
        match parse::parse(name, &text) {
            Ok(m) => {
                set.menus.insert(name.clone(), m);
            }
            Err(ps) => problems.extend(located(&file, &ps)),
        }
    }
    if problems.is_empty() {
        Ok(set)
    } else {
        Err(problems)
    }
}
