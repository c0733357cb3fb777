//! Quick-reply files for `kefu admin quick-reply import|export`: CSV with a header
//! `shortcut,title,body,scope,owner,intents` (scope `team` or `personal`, owner a username for
//! personal ones, intents separated by spaces, commas or `;`) or TOML (`[[reply]]` tables with
//! the same keys, `intents` a list). A bad row is reported with its line; the others still
//! parse. Each row is validated like a save from the console.

use super::validate::validate;
use crate::protocol::{QuickReplySave, QuickScope};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One reply read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Line it starts on (1 = the first line of the file).
    pub line: u64,
    /// The owner's username (personal replies).
    pub owner: Option<String>,
    pub reply: QuickReplySave,
}

/// A row that cannot be imported, for people: `file:line: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct RowError {
    pub file: String,
    pub line: u64,
    pub message: String,
}

/// The TOML form: `[[reply]]` tables.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct TomlFile {
    #[serde(default)]
    pub reply: Vec<TomlReply>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TomlReply {
    pub shortcut: String,
    pub title: String,
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub intents: Vec<String>,
}

/// Reads and parses a file: `.toml` as TOML, anything else as CSV. `Err` when the file as a
/// whole cannot be read; otherwise one result per row.
pub fn read(path: &Path) -> anyhow::Result<Vec<Result<Row, RowError>>> {
    let bytes =
        std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let name = path.display().to_string();
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
    {
        let text =
            String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{name}: not valid UTF-8"))?;
        parse_toml(&name, &text).map_err(anyhow::Error::msg)
    } else {
        parse_csv(&name, &bytes).map_err(anyhow::Error::msg)
    }
}

/// Splits an intents field: spaces, commas (ASCII or full-width), `;` or `|`.
fn split_intents(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | ';' | '|'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Checks one row's fields and turns them into a row.
fn row(file: &str, line: u64, fields: TomlReply) -> Result<Row, RowError> {
    let err = |message: String| RowError {
        file: file.to_string(),
        line,
        message,
    };
    let scope_text = fields.scope.unwrap_or_default();
    let scope = QuickScope::parse(&scope_text)
        .ok_or_else(|| err(format!("scope `{scope_text}` is not `team` or `personal`")))?;
    let owner = fields
        .owner
        .map(|o| o.trim().to_string())
        .filter(|o| !o.is_empty());
    match (scope, &owner) {
        (QuickScope::Personal, None) => {
            return Err(err("a personal reply needs an owner (a username)".into()));
        }
        (QuickScope::Team, Some(o)) => {
            return Err(err(format!("a team reply has no owner (got `{o}`)")));
        }
        _ => {}
    }
    let save = QuickReplySave {
        quick_reply_id: None,
        scope,
        group: fields.group,
        shortcut: fields.shortcut,
        title: fields.title,
        body: fields.body,
        intents: fields.intents,
    };
    let reply = validate(save).map_err(|e| err(e.0))?;
    Ok(Row { line, owner, reply })
}

/// CSV with a header naming at least `shortcut`, `title` and `body`.
pub fn parse_csv(file: &str, bytes: &[u8]) -> Result<Vec<Result<Row, RowError>>, String> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes);
    let headers = rdr
        .headers()
        .map_err(|e| format!("{file}: cannot read the header: {e}"))?
        .clone();
    let col = |name: &str| {
        headers.iter().position(|h| {
            h.trim()
                .trim_start_matches('\u{feff}')
                .eq_ignore_ascii_case(name)
        })
    };
    let need = |name: &str| {
        col(name).ok_or_else(|| {
            format!("{file}: the header has no `{name}` column (expected shortcut,title,body,scope,owner,intents)")
        })
    };
    let (c_short, c_title, c_body) = (need("shortcut")?, need("title")?, need("body")?);
    let (c_scope, c_owner, c_intents, c_group) =
        (col("scope"), col("owner"), col("intents"), col("group"));
    let mut out = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = rdr.position().line();
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(line);
                out.push(Err(RowError {
                    file: file.to_string(),
                    line,
                    message: e.to_string(),
                }));
                // The reader cannot go on after a broken record (bad UTF-8 and the like).
                break;
            }
        }
        let line = record.position().map(|p| p.line()).unwrap_or(line);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let get = |c: Option<usize>| c.and_then(|c| record.get(c)).map(str::to_string);
        let fields = TomlReply {
            shortcut: get(Some(c_short)).unwrap_or_default(),
            title: get(Some(c_title)).unwrap_or_default(),
            body: get(Some(c_body)).unwrap_or_default(),
            scope: get(c_scope),
            owner: get(c_owner),
            group: get(c_group),
            intents: get(c_intents)
                .map(|s| split_intents(&s))
                .unwrap_or_default(),
        };
        out.push(row(file, line, fields));
    }
    Ok(out)
}

/// TOML `[[reply]]` tables. TOML has no per-table line numbers at hand after parsing, so a
/// row is named by the line its `[[reply]]` header is on.
pub fn parse_toml(file: &str, text: &str) -> Result<Vec<Result<Row, RowError>>, String> {
    let parsed: TomlFile = toml::from_str(text).map_err(|e| format!("{file}: {e}"))?;
    let headers: Vec<u64> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("[[reply]]"))
        .map(|(i, _)| i as u64 + 1)
        .collect();
    Ok(parsed
        .reply
        .into_iter()
        .enumerate()
        .map(|(i, r)| row(file, headers.get(i).copied().unwrap_or(0), r))
        .collect())
}

/// Writes replies (with their owners' usernames) as CSV.
pub fn to_csv(rows: &[(Option<String>, crate::protocol::QuickReply)]) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "shortcut", "title", "body", "scope", "owner", "intents", "group",
    ])?;
    for (owner, r) in rows {
        w.write_record([
            r.shortcut.as_str(),
            &r.title,
            &r.body,
            r.scope.as_str(),
            owner.as_deref().unwrap_or(""),
            &r.intents.join(" "),
            r.group.as_deref().unwrap_or(""),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// Writes replies as TOML.
pub fn to_toml(rows: &[(Option<String>, crate::protocol::QuickReply)]) -> anyhow::Result<String> {
    let file = TomlFile {
        reply: rows
            .iter()
            .map(|(owner, r)| TomlReply {
                shortcut: r.shortcut.clone(),
                title: r.title.clone(),
                body: r.body.clone(),
                scope: Some(r.scope.as_str().to_string()),
                owner: owner.clone(),
                group: r.group.clone(),
                intents: r.intents.clone(),
            })
            .collect(),
    };
    Ok(toml::to_string(&file)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_parse_and_bad_ones_name_their_line() {
        let text = "shortcut,title,body,scope,owner,intents\n\
                    hi,Hello,\"Hello {customer}, how can I help?\",team,,greeting\n\
                    bad,Bad,Dear {nobody},team,,\n\
                    mine,Mine,\"two\nlines\",personal,alice,refund;logistics\n\
                    lost,Lost,no owner,personal,,\n\
                    退,退货,\"您好，{customer.nickname}\",,,refund\n";
        let rows = parse_csv("qr.csv", text.as_bytes()).unwrap();
        assert_eq!(rows.len(), 5);
        let ok: Vec<&Row> = rows.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(ok.len(), 3);
        assert_eq!(ok[0].line, 2);
        assert_eq!(ok[1].line, 4);
        assert_eq!(ok[1].owner.as_deref(), Some("alice"));
        assert_eq!(ok[1].reply.body, "two\nlines");
        assert_eq!(ok[1].reply.intents, ["refund", "logistics"]);
        assert_eq!(ok[2].reply.scope, QuickScope::Team);
        let errs: Vec<&RowError> = rows.iter().filter_map(|r| r.as_ref().err()).collect();
        assert_eq!(errs[0].line, 3);
        assert!(
            errs[0]
                .to_string()
                .starts_with("qr.csv:3: unknown variable"),
            "{}",
            errs[0]
        );
        assert_eq!(errs[1].line, 6);
    }

    #[test]
    fn csv_without_required_columns_is_refused() {
        assert!(parse_csv("x.csv", b"shortcut,title\na,b\n").is_err());
    }

    #[test]
    fn export_round_trips_through_both_formats() {
        let reply = crate::protocol::QuickReply {
            shortcut: "hi".into(),
            title: "Hello, \"you\"".into(),
            body: "line 1\nline 2 {{x}}".into(),
            scope: QuickScope::Personal,
            intents: vec!["greeting".into()],
            ..Default::default()
        };
        let rows = vec![(Some("bob".to_string()), reply)];
        let csv = to_csv(&rows).unwrap();
        let back = parse_csv("e.csv", csv.as_bytes()).unwrap();
        let r = back[0].as_ref().unwrap();
        assert_eq!(r.reply.body, "line 1\nline 2 {{x}}");
        assert_eq!(r.owner.as_deref(), Some("bob"));
        let toml = to_toml(&rows).unwrap();
        let back = parse_toml("e.toml", &toml).unwrap();
        let r = back[0].as_ref().unwrap();
        assert_eq!(r.reply.title, "Hello, \"you\"");
        assert_eq!(r.reply.intents, ["greeting"]);
        assert_eq!(r.line, 1);
    }
}
