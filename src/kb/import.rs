//! `kefu admin kb import PATH`: articles from a folder of Markdown files with front matter, a
//! CSV file (`question,answer,category`) or a JSON file (an array of articles). Parsing is
//! pure ([`parse_path`] reads, [`parse_markdown`], [`parse_csv`], [`parse_json`] do not);
//! [`import`] saves the good rows (each on its own, so one refused row loses nothing else)
//! and reports the bad ones with their file and line. An article is matched by its `id` (the
//! import key): importing the same file again updates instead of duplicating.

use crate::model::Millis;
use crate::protocol::{Article, ArticleStatus, split_keywords};
use crate::store::{SaveOutcome, Store};
use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// A row that was not imported: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub file: PathBuf,
    /// 1-based; for a JSON array, the line where the item starts.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
    }
}

/// A parsed article with where it came from.
#[derive(Debug, Clone)]
pub struct Row {
    pub file: PathBuf,
    pub line: usize,
    pub article: Article,
}

#[derive(Debug, Default)]
pub struct Report {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: Vec<RowError>,
}

const MAX_TITLE_CHARS: usize = 200;

/// Reads `path`: a directory (its `*.md` files, by name), a `.csv` or a `.json` file.
pub fn parse_path(path: &Path) -> anyhow::Result<(Vec<Row>, Vec<RowError>)> {
    let read = |p: &Path| {
        std::fs::read_to_string(p).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", p.display()))
    };
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("md")))
            .collect();
        files.sort();
        for f in files {
            match parse_markdown(&f, &read(&f)?) {
                Ok(r) => rows.push(r),
                Err(e) => errors.push(e),
            }
        }
        return Ok((rows, errors));
    }
    let ext = path
        .extension()
        .and_then(|x| x.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let text = read(path)?;
    let parsed = match ext.as_str() {
        "csv" => parse_csv(path, &text),
        "json" => parse_json(path, &text),
        "md" => vec![parse_markdown(path, &text)],
        _ => anyhow::bail!(
            "{}: expected a folder of .md files, a .csv or a .json file",
            path.display()
        ),
    };
    for p in parsed {
        match p {
            Ok(r) => rows.push(r),
            Err(e) => errors.push(e),
        }
    }
    Ok((rows, errors))
}

/// Saves the rows, each in its own savepoint; returns what happened.
pub fn import(
    store: &mut dyn Store,
    rows: Vec<Row>,
    mut errors: Vec<RowError>,
    now: Millis,
) -> anyhow::Result<Report> {
    let mut report = Report::default();
    store.transaction(&mut |tx| {
        for row in &rows {
            let mut a = row.article.clone();
            a.updated_at = now;
            // `kb-N` is how an export names an article that had no import key: it is article N.
            if let Some(n) = a.slug.as_deref().and_then(|s| s.strip_prefix("kb-"))
                && let Ok(n) = n.parse::<i64>()
                && tx.kb_get(n)?.is_some_and(|old| old.slug.is_none())
            {
                a.id = n;
                a.slug = None;
            }
            let mut outcome = None;
            let saved = tx.savepoint(&mut |tx| {
                outcome = Some(tx.save_article(&a)?);
                Ok(())
            });
            match (saved, outcome) {
                (Ok(()), Some(SaveOutcome::Created(_))) => report.created += 1,
                (Ok(()), Some(SaveOutcome::Updated(_))) => report.updated += 1,
                (Ok(()), _) => report.unchanged += 1,
                (Err(e), _) if !e.is_fatal() => errors.push(RowError {
                    file: row.file.clone(),
                    line: row.line,
                    message: e.to_string(),
                }),
                (Err(e), _) => return Err(e),
            }
        }
        Ok(())
    })?;
    report.errors = errors;
    Ok(report)
}

/// Checks a parsed article; the message says what is wrong.
fn validate(mut a: Article) -> Result<Article, String> {
    a.title = a.title.trim().to_string();
    a.body = a.body.trim().to_string();
    if a.title.is_empty() {
        return Err("the title (or question) is empty".into());
    }
    if a.title.chars().count() > MAX_TITLE_CHARS {
        return Err(format!("the title is over {MAX_TITLE_CHARS} characters"));
    }
    if a.body.is_empty() {
        return Err("the body (or answer) is empty".into());
    }
    if a.lang.is_empty() {
        a.lang = guess_lang(&a.title);
    }
    Ok(a)
}

/// `zh` if the text has Han characters, else `en`.
pub fn guess_lang(text: &str) -> String {
    let han = text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    if han { "zh" } else { "en" }.into()
}

/// A Markdown file: an optional front matter block between `---` lines (`key: value`, lists
/// as `[a, b]` or following `- item` lines), then the body. Without a `title`, the first `# `
/// heading is the title.
pub fn parse_markdown(file: &Path, text: &str) -> Result<Row, RowError> {
    let err = |line: usize, message: String| RowError {
        file: file.to_path_buf(),
        line,
        message,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.lines().collect();
    let mut a = Article {
        lang: String::new(),
        ..Article::default()
    };
    let mut body_from = 0;
    if lines.first().map(|l| l.trim_end()) == Some("---") {
        let Some(end) = lines.iter().skip(1).position(|l| l.trim_end() == "---") else {
            return Err(err(1, "the front matter has no closing `---`".into()));
        };
        let end = end + 1;
        let mut i = 1;
        while i < end {
            let line_no = i + 1;
            let line = lines[i];
            i += 1;
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let Some((key, value)) = line.split_once(':') else {
                return Err(err(line_no, format!("expected `key: value`, got `{line}`")));
            };
            let (key, value) = (key.trim(), value.trim());
            // A list written as following `- item` lines.
            let mut items: Vec<String> = Vec::new();
            if value.is_empty() {
                while i < end && lines[i].trim_start().starts_with("- ") {
                    items.push(unquote(lines[i].trim_start()[2..].trim()));
                    i += 1;
                }
            } else {
                items = list(value);
            }
            let scalar = || unquote(value);
            match key {
                "id" => a.slug = Some(scalar()).filter(|s| !s.is_empty()),
                "title" => a.title = scalar(),
                "category" => a.category = scalar(),
                "lang" => a.lang = scalar(),
                "author" => a.author = scalar(),
                "tags" => a.tags = items,
                "keywords" => a.keywords = items,
                "questions" => a.questions = items,
                "status" => {
                    a.status = ArticleStatus::parse(&scalar()).ok_or_else(|| {
                        err(
                            line_no,
                            format!("status `{value}`: expected draft, published or archived"),
                        )
                    })?
                }
                _ => return Err(err(line_no, format!("unknown key `{key}`"))),
            }
        }
        body_from = end + 1;
    }
    let mut body: Vec<&str> = lines.get(body_from..).unwrap_or(&[]).to_vec();
    if a.title.trim().is_empty()
        && let Some(pos) = body.iter().position(|l| !l.trim().is_empty())
        && let Some(h) = body[pos].strip_prefix("# ")
    {
        a.title = h.trim().to_string();
        body.remove(pos);
    }
    a.body = body.join("\n");
    let line = if body_from > 0 { body_from } else { 1 };
    validate(a)
        .map(|article| Row {
            file: file.to_path_buf(),
            line: 1,
            article,
        })
        .map_err(|m| err(line, m))
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    for q in ['"', '\''] {
        if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
            return s[1..s.len() - 1].to_string();
        }
    }
    s.to_string()
}

/// `[a, "b, c"]` or `a, b`: the items.
fn list(value: &str) -> Vec<String> {
    let inner = value
        .strip_prefix('[')
        .and_then(|v| v.strip_suffix(']'))
        .unwrap_or(value);
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    for c in inner.chars() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ',' | '，') => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// CSV with a header naming `question`, `answer` and optionally `category`, `id`, `tags`,
/// `questions` (alternative questions separated by `|`) and `status`, in any order. Quoted
/// fields may hold commas, `""` and line breaks. Without an `id`, the question is the key.
pub fn parse_csv(file: &Path, text: &str) -> Vec<Result<Row, RowError>> {
    let err = |line: usize, message: String| RowError {
        file: file.to_path_buf(),
        line,
        message,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let records = match csv_records(text) {
        Ok(r) => r,
        Err((line, m)) => return vec![Err(err(line, m))],
    };
    let mut records = records.into_iter();
    let Some((_, header)) = records.next() else {
        return vec![Err(err(1, "the file is empty".into()))];
    };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(q), Some(ans)) = (col("question"), col("answer")) else {
        return vec![Err(err(
            1,
            "the header must name the columns `question` and `answer` (and may name \
             `category`, `id`, `tags`, `questions`, `status`)"
                .into(),
        ))];
    };
    let (cat, id, tags, qs, status) = (
        col("category"),
        col("id"),
        col("tags"),
        col("questions"),
        col("status"),
    );
    let mut out = Vec::new();
    for (line, fields) in records {
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if fields.len() != header.len() {
            out.push(Err(err(
                line,
                format!("{} fields, the header has {}", fields.len(), header.len()),
            )));
            continue;
        }
        let get = |c: Option<usize>| c.map(|c| fields[c].trim().to_string()).unwrap_or_default();
        let st = get(status);
        let status = if st.is_empty() {
            Some(ArticleStatus::Published)
        } else {
            ArticleStatus::parse(&st)
        };
        let Some(status) = status else {
            out.push(Err(err(
                line,
                format!("status `{st}`: expected draft, published or archived"),
            )));
            continue;
        };
        let title = get(Some(q));
        let key = Some(get(id))
            .filter(|s| !s.is_empty())
            .unwrap_or(title.clone());
        let a = Article {
            title,
            body: get(Some(ans)),
            category: get(cat),
            tags: split_keywords(&get(tags)),
            questions: get(qs)
                .split('|')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            status,
            slug: Some(key).filter(|k| !k.trim().is_empty()),
            lang: String::new(),
            ..Article::default()
        };
        out.push(
            validate(a)
                .map(|article| Row {
                    file: file.to_path_buf(),
                    line,
                    article,
                })
                .map_err(|m| err(line, m)),
        );
    }
    out
}

/// A CSV record's fields with the line it starts on.
type Record = (usize, Vec<String>);

/// The records of a CSV text; an error names its line.
fn csv_records(text: &str) -> Result<Vec<Record>, (usize, String)> {
    let mut out = Vec::new();
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut start = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => {
                if c == '\n' {
                    line += 1;
                }
                cur.push(c);
            }
            (false, '"') if cur.trim().is_empty() => {
                cur.clear();
                quoted = true;
            }
            (false, ',') => fields.push(std::mem::take(&mut cur)),
            (false, '\r') => {}
            (false, '\n') => {
                fields.push(std::mem::take(&mut cur));
                out.push((start, std::mem::take(&mut fields)));
                line += 1;
                start = line;
            }
            (false, c) => cur.push(c),
        }
    }
    if quoted {
        return Err((start, "a quoted field is not closed".into()));
    }
    if !cur.is_empty() || !fields.is_empty() {
        fields.push(cur);
        out.push((start, fields));
    }
    Ok(out)
}

/// One article in a JSON import: `title` or `question`, `body` or `answer`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonArticle {
    #[serde(default)]
    id: Option<serde_json::Value>,
    #[serde(default, alias = "question")]
    title: String,
    #[serde(default, alias = "answer")]
    body: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    questions: Vec<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    lang: String,
    #[serde(default)]
    author: String,
    // What an export also writes; ignored on import.
    #[serde(default)]
    version: Option<serde_json::Value>,
    #[serde(default)]
    updated_at: Option<serde_json::Value>,
}

/// A JSON array of articles; each bad item is reported with the line it starts on.
pub fn parse_json(file: &Path, text: &str) -> Vec<Result<Row, RowError>> {
    let err = |line: usize, message: String| RowError {
        file: file.to_path_buf(),
        line,
        message,
    };
    // Borrowed raw items are slices of `text`, so each one's position is known.
    let items: Vec<&serde_json::value::RawValue> = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return vec![Err(err(e.line(), format!("not a JSON array: {e}")))],
    };
    let base = text.as_ptr() as usize;
    items
        .iter()
        .map(|raw| {
            // The item's text is a slice of `text`: its line is the newlines before it.
            let offset = (raw.get().as_ptr() as usize).checked_sub(base);
            let line = offset
                .and_then(|o| text.get(..o))
                .map_or(1, |t| t.matches('\n').count() + 1);
            let j: JsonArticle =
                serde_json::from_str(raw.get()).map_err(|e| err(line, e.to_string()))?;
            let status = match j.status.as_deref() {
                None | Some("") => ArticleStatus::Published,
                Some(s) => ArticleStatus::parse(s).ok_or_else(|| {
                    err(
                        line,
                        format!("status `{s}`: expected draft, published or archived"),
                    )
                })?,
            };
            let slug = match j.id {
                Some(serde_json::Value::String(s)) => Some(s),
                Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                _ => None,
            }
            .filter(|s| !s.trim().is_empty())
            .or_else(|| Some(j.title.trim().to_string()));
            let _ = (j.version, j.updated_at);
            let a = Article {
                title: j.title,
                body: j.body,
                category: j.category,
                tags: j.tags,
                keywords: j.keywords,
                questions: j.questions,
                status,
                lang: j.lang,
                author: j.author,
                slug,
                ..Article::default()
            };
            validate(a)
                .map(|article| Row {
                    file: file.to_path_buf(),
                    line,
                    article,
                })
                .map_err(|m| err(line, m))
        })
        .collect()
}
