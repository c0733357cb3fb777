//! `kefu admin menu check FILE`: reads a menu file and prints every problem as
//! `file:line:col: message` (structure, graph, and — with a data dir — the knowledge-base
//! articles it names and the groups it returns to), then fails when there was any.

use crate::config::ServerConfig;
use crate::protocol::ArticleStatus;
use std::collections::BTreeSet;
use std::path::Path;

/// Checks `file`; with `data_dir` (when its database exists) its articles and groups against
/// the store (and `config`'s groups), else its groups against `config` when one was given.
pub fn check(
    file: &Path,
    data_dir: Option<&Path>,
    given: Option<&ServerConfig>,
) -> anyhow::Result<()> {
    let default = ServerConfig::default();
    let config = given.unwrap_or(&default);
    let name = file.display().to_string();
    let menu = match crate::menu::load_file(file) {
        Ok(m) => m,
        Err(problems) => return fail(&problems),
    };
    let mut groups: BTreeSet<String> = config.groups.iter().map(|g| g.name.clone()).collect();
    let store = data_dir
        .filter(|d| d.join("kefu.db").exists())
        .map(|d| crate::server::open_store(d, config))
        .transpose()?;
    let problems = match store {
        Some(mut store) => {
            let mut published = BTreeSet::new();
            let ids: Vec<i64> = menu
                .nodes
                .values()
                .filter_map(|n| match n.kind {
                    crate::menu::NodeKind::Article { id, .. } => Some(id),
                    _ => None,
                })
                .collect();
            store.transaction(&mut |tx| {
                groups.extend(tx.list_groups()?.into_iter().map(|(g, _)| g));
                for id in &ids {
                    if tx
                        .kb_get(*id)?
                        .is_some_and(|a| a.status == ArticleStatus::Published)
                    {
                        published.insert(*id);
                    }
                }
                Ok(())
            })?;
            let article = |id: i64| published.contains(&id);
            let group = |g: &str| groups.contains(g);
            crate::menu::check::reference_problems(&menu, Some(&article), Some(&group))
        }
        None => {
            println!("{name}: no database to check articles against (give --data-dir)");
            let group = |g: &str| groups.contains(g);
            let group: Option<&dyn Fn(&str) -> bool> = given.map(|_| &group as _);
            crate::menu::check::reference_problems(&menu, None, group)
        }
    };
    if !problems.is_empty() {
        return fail(&crate::menu::located(&name, &problems));
    }
    println!(
        "{name}: ok — menu `{}`, {} nodes, starts at `{}`",
        menu.name,
        menu.nodes.len(),
        menu.start
    );
    Ok(())
}

fn fail(problems: &[String]) -> anyhow::Result<()> {
    for p in problems {
        println!("{p}");
    }
    anyhow::bail!(
        "{} problem{} found",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    )
}
