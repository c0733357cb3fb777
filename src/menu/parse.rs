//! Reads a menu tree from TOML (`docs/menus.md`) into [`Menu`], collecting every problem
//! with the line it is on (toml's spans), not only the first: an admin fixing a file wants the
//! whole list. Structure only here (kinds, numbers, lengths, targets that exist); the graph's
//! problems (unreachable nodes, loops without an exit) are `check`'s.

pub use super::problem::{Located, Problem, line_col};
use super::tree::{DEFAULT_START, Lookup, Menu, MenuOption, Node, NodeKind};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use toml::Spanned;

/// Largest menu file read, in bytes.
pub const MAX_FILE_BYTES: usize = 256 * 1024;
pub const MAX_NODES: usize = 200;
pub const MAX_OPTIONS: usize = 20;
/// Option numbers are 1–[`MAX_KEY`]; 0 always means "a person".
pub const MAX_KEY: i64 = 99;
pub const MAX_PROMPT_CHARS: usize = 1_000;
pub const MAX_LABEL_CHARS: usize = 100;
pub const MAX_KEYWORDS: usize = 20;
pub const MAX_KEYWORD_CHARS: usize = 32;
pub const MAX_ID_CHARS: usize = 64;
/// Default and largest time a lookup may take, in milliseconds.
pub const DEFAULT_LOOKUP_TIMEOUT_MS: u64 = 3_000;
pub const MAX_LOOKUP_TIMEOUT_MS: u64 = 10_000;
pub const DEFAULT_FALLBACK: &str = "抱歉，暂时查询不到，请稍后再试或回复 0 转人工。\nSorry, we could not look that up right now. Try again later, or reply 0 for a person.";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMenu {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    group: Option<Spanned<String>>,
    #[serde(default)]
    start: Option<Spanned<String>>,
    #[serde(default)]
    nodes: BTreeMap<Spanned<String>, Spanned<RawNode>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNode {
    #[serde(default)]
    prompt: Option<Spanned<String>>,
    #[serde(default)]
    options: Option<Spanned<Vec<Spanned<RawOption>>>>,
    #[serde(default)]
    article: Option<Spanned<i64>>,
    #[serde(default)]
    lookup: Option<Spanned<RawLookup>>,
    #[serde(default)]
    queue: Option<Spanned<String>>,
    #[serde(default)]
    then: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOption {
    key: Spanned<i64>,
    label: Spanned<String>,
    #[serde(default)]
    keywords: Vec<Spanned<String>>,
    to: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLookup {
    url: Spanned<String>,
    #[serde(default)]
    fallback: Option<String>,
    #[serde(default)]
    timeout_ms: Option<Spanned<u64>>,
}

/// Parses and checks a menu's structure and graph. `name` is the menu's name (its file stem).
pub fn parse(name: &str, text: &str) -> Result<Menu, Vec<Problem>> {
    let menu = parse_structure(name, text)?;
    let problems = super::check::graph_problems(&menu);
    if problems.is_empty() {
        Ok(menu)
    } else {
        Err(problems)
    }
}

/// The structure only: every problem found, or the menu whose targets all exist.
pub fn parse_structure(name: &str, text: &str) -> Result<Menu, Vec<Problem>> {
    if text.len() > MAX_FILE_BYTES {
        return Err(vec![Problem {
            line: 0,
            col: 0,
            message: format!("the file is over {MAX_FILE_BYTES} bytes"),
        }]);
    }
    let raw: RawMenu = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        // toml's message repeats the location in a multi-line form; its first line is enough.
        let message = e
            .message()
            .lines()
            .next()
            .unwrap_or("not valid TOML")
            .trim();
        vec![Problem::at(text, offset, message.to_string())]
    })?;
    let mut problems = Vec::new();
    let mut say = |offset: usize, m: String| problems.push(Problem::at(text, offset, m));
    let ids: BTreeSet<&str> = raw.nodes.keys().map(|k| k.get_ref().as_str()).collect();
    if raw.nodes.is_empty() {
        say(0, "the menu has no [nodes.…]".into());
    }
    if raw.nodes.len() > MAX_NODES {
        say(0, format!("more than {MAX_NODES} nodes"));
    }
    let start = raw.start.as_ref().map_or(DEFAULT_START.to_string(), |s| {
        s.get_ref().trim().to_string()
    });
    if !raw.nodes.is_empty() && !ids.contains(start.as_str()) {
        let at = raw.start.as_ref().map_or(0, |s| s.span().start);
        say(
            at,
            format!("the start node `{start}` is not one of the nodes"),
        );
    }
    let group = raw.group.as_ref().map(|g| g.get_ref().trim().to_string());
    if let Some(g) = &raw.group
        && g.get_ref().trim().is_empty()
    {
        say(g.span().start, "`group` is empty".into());
    }
    let target = |say: &mut dyn FnMut(usize, String), to: &Spanned<String>, what: &str| {
        let t = to.get_ref().trim();
        if !ids.contains(t) {
            say(
                to.span().start,
                format!("{what} `{t}` is not one of the nodes"),
            );
        }
        t.to_string()
    };
    let mut nodes = BTreeMap::new();
    for (id, node) in &raw.nodes {
        let id_text = id.get_ref().clone();
        let node_at = id.span().start;
        if id_text.is_empty()
            || id_text.chars().count() > MAX_ID_CHARS
            || id_text.contains('/')
            || id_text.chars().any(char::is_whitespace)
        {
            say(
                node_at,
                format!("node id `{id_text}`: 1–{MAX_ID_CHARS} characters, no `/` or spaces"),
            );
        }
        let n = node.get_ref();
        let prompt = n
            .prompt
            .as_ref()
            .map_or("", |p| p.get_ref().as_str())
            .trim();
        if prompt.chars().count() > MAX_PROMPT_CHARS {
            let at = n.prompt.as_ref().map_or(node_at, |p| p.span().start);
            say(
                at,
                format!("the prompt is over {MAX_PROMPT_CHARS} characters"),
            );
        }
        let kinds = [
            n.options.is_some(),
            n.article.is_some(),
            n.lookup.is_some(),
            n.queue.is_some(),
        ];
        let count = kinds.iter().filter(|k| **k).count();
        if count != 1 {
            say(
                node_at,
                format!(
                    "node `{id_text}` must have exactly one of `options`, `article`, \
                     `lookup`, `queue` (it has {count})"
                ),
            );
            continue;
        }
        let then = |say: &mut dyn FnMut(usize, String)| match &n.then {
            Some(t) => target(say, t, "`then`"),
            None => start.clone(),
        };
        let kind = if let Some(opts) = &n.options {
            if n.then.is_some() {
                say(
                    n.then.as_ref().map_or(node_at, |t| t.span().start),
                    "`then` is for article and lookup nodes".into(),
                );
            }
            if prompt.is_empty() {
                say(node_at, format!("node `{id_text}` needs a `prompt`"));
            }
            NodeKind::Options(options(text, opts, &mut say, &target))
        } else if let Some(article) = &n.article {
            if *article.get_ref() <= 0 {
                say(
                    article.span().start,
                    "`article` must be an article id (1 or more)".into(),
                );
            }
            NodeKind::Article {
                id: *article.get_ref(),
                then: then(&mut say),
                line: line_col(text, article.span().start).0,
            }
        } else if let Some(l) = &n.lookup {
            let raw = l.get_ref();
            let url = raw.url.get_ref().trim().to_string();
            if let Err(why) = crate::http_url::check_url(&url) {
                say(raw.url.span().start, format!("lookup url: {why}"));
            }
            let timeout_ms = raw
                .timeout_ms
                .as_ref()
                .map_or(DEFAULT_LOOKUP_TIMEOUT_MS, |t| *t.get_ref());
            if timeout_ms == 0 || timeout_ms > MAX_LOOKUP_TIMEOUT_MS {
                let at = raw
                    .timeout_ms
                    .as_ref()
                    .map_or(l.span().start, |t| t.span().start);
                say(at, format!("timeout_ms must be 1–{MAX_LOOKUP_TIMEOUT_MS}"));
            }
            if prompt.is_empty() {
                say(
                    node_at,
                    format!("lookup node `{id_text}` needs a `prompt` (what to type)"),
                );
            }
            NodeKind::Lookup(Lookup {
                url,
                fallback: raw
                    .fallback
                    .as_deref()
                    .map(str::trim)
                    .filter(|f| !f.is_empty())
                    .unwrap_or(DEFAULT_FALLBACK)
                    .to_string(),
                timeout_ms,
                then: then(&mut say),
            })
        } else if let Some(q) = &n.queue {
            let group = q.get_ref().trim().to_string();
            if group.is_empty() {
                say(q.span().start, "`queue` names a group".into());
            }
            NodeKind::Queue { group }
        } else {
            continue;
        };
        let (line, _) = line_col(text, node_at);
        nodes.insert(
            id_text.clone(),
            Node {
                id: id_text,
                prompt: prompt.to_string(),
                kind,
                line,
            },
        );
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| (p.line, p.col));
        return Err(problems);
    }
    Ok(Menu {
        name: name.to_string(),
        title: raw
            .title
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| name.to_string()),
        group,
        start,
        nodes,
    })
}

type Target<'a> = dyn Fn(&mut dyn FnMut(usize, String), &Spanned<String>, &str) -> String + 'a;

fn options(
    text: &str,
    opts: &Spanned<Vec<Spanned<RawOption>>>,
    say: &mut dyn FnMut(usize, String),
    target: &Target<'_>,
) -> Vec<MenuOption> {
    if opts.get_ref().is_empty() {
        say(opts.span().start, "`options` is empty".into());
    }
    if opts.get_ref().len() > MAX_OPTIONS {
        say(
            opts.span().start,
            format!("more than {MAX_OPTIONS} options"),
        );
    }
    let mut seen: BTreeMap<i64, usize> = BTreeMap::new();
    let mut out = Vec::new();
    for o in opts.get_ref() {
        let o = o.get_ref();
        let key = *o.key.get_ref();
        let key_at = o.key.span().start;
        if !(1..=MAX_KEY).contains(&key) {
            say(
                key_at,
                format!("option number {key}: use 1–{MAX_KEY} (0 always means a person)"),
            );
        } else if let Some(first) = seen.insert(key, line_col(text, key_at).0) {
            say(
                key_at,
                format!("option number {key} is used twice (first on line {first})"),
            );
        }
        let label = o.label.get_ref().trim();
        if label.is_empty() || label.chars().count() > MAX_LABEL_CHARS {
            say(
                o.label.span().start,
                format!("a label is 1–{MAX_LABEL_CHARS} characters"),
            );
        }
        if o.keywords.len() > MAX_KEYWORDS {
            say(key_at, format!("more than {MAX_KEYWORDS} keywords"));
        }
        let mut keywords = Vec::new();
        for k in &o.keywords {
            let w = crate::bot::normalize(k.get_ref());
            if w.is_empty() || w.chars().count() > MAX_KEYWORD_CHARS {
                say(
                    k.span().start,
                    format!("a keyword is 1–{MAX_KEYWORD_CHARS} characters"),
                );
            } else {
                keywords.push(w);
            }
        }
        let to = target(say, &o.to, "option target");
        out.push(MenuOption {
            key: u32::try_from(key).unwrap_or(0),
            label: label.to_string(),
            keywords,
            to,
            line: line_col(text, o.to.span().start).0,
        });
    }
    out
}
