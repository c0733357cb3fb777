//! Contributions, the pure part: the document an article or a proposal is shown and edited
//! as (Markdown with the front matter `kefu admin kb import` reads), the line diff a
//! supervisor reviews, reading an edited document back, and the bounds a proposal must keep.

use super::export::{list, q};
use super::import::parse_markdown;
use crate::protocol::request::KbPropose;
use crate::protocol::{Article, DiffLine, DiffOp, Proposal};
use similar::{ChangeTag, TextDiff};
use std::path::Path;

pub const MAX_TITLE_CHARS: usize = 200;
/// A proposal travels in one frame (64 KiB) with its JSON escaping.
pub const MAX_BODY_BYTES: usize = 32 * 1024;
pub const MAX_COMMENT_CHARS: usize = 1000;
/// Tags or alternative questions, each.
pub const MAX_ITEMS: usize = 50;
pub const MAX_ITEM_CHARS: usize = 200;
/// Pending proposals one agent may have at a time.
pub const MAX_PENDING_PER_AGENT: u32 = 20;
/// Proposals one agent may make in a day, whatever became of them: withdrawing and proposing
/// again would otherwise add rows (and two durable events) without end.
pub const MAX_PER_AGENT_PER_DAY: u32 = 100;
/// Diff lines returned: a longer diff is cut (the reply says so with a last line).
pub const MAX_DIFF_LINES: usize = 2000;

/// What a contributor writes: the fields a proposal carries.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Draft {
    pub title: String,
    pub category: String,
    pub tags: Vec<String>,
    pub questions: Vec<String>,
    pub body: String,
}

impl Draft {
    pub fn of_article(a: &Article) -> Draft {
        Draft {
            title: a.title.clone(),
            category: a.category.clone(),
            tags: a.tags.clone(),
            questions: a.questions.clone(),
            body: a.body.clone(),
        }
    }

    pub fn of_proposal(p: &Proposal) -> Draft {
        Draft {
            title: p.summary.title.clone(),
            category: p.category.clone(),
            tags: p.tags.clone(),
            questions: p.questions.clone(),
            body: p.body.clone(),
        }
    }

    /// As Markdown with front matter (a subset of what `kefu admin kb export` writes).
    pub fn document(&self) -> String {
        let mut s = String::from("---\n");
        s += &format!("title: {}\n", q(&self.title));
        s += &format!("category: {}\n", q(&self.category));
        s += &format!("tags: {}\n", list(&self.tags));
        s += "questions:\n";
        for question in &self.questions {
            s += &format!("  - {}\n", q(question));
        }
        s += "---\n";
        s += &self.body;
        s.push('\n');
        s
    }

    /// Reads an edited document back with the importer's parser. `Ok(None)`: the body is
    /// empty (the contributor cancelled); `Err`: what is wrong, for people.
    pub fn parse(text: &str) -> Result<Option<Draft>, String> {
        match parse_markdown(Path::new("proposal.md"), text) {
            Ok(row) => {
                let a = row.article;
                Ok(Some(Draft {
                    title: a.title,
                    category: a.category,
                    tags: a.tags,
                    questions: a.questions,
                    body: a.body,
                }))
            }
            Err(e) if e.message.contains("body") && e.message.contains("empty") => Ok(None),
            Err(e) => Err(format!("line {}: {}", e.line, e.message)),
        }
    }

    /// The request proposing this draft (an edit of `base` when given: id and version).
    pub fn propose(self, base: Option<(i64, i64)>, comment: String) -> KbPropose {
        KbPropose {
            article_id: base.map(|b| b.0),
            base_version: base.map(|b| b.1),
            title: self.title,
            body: self.body,
            category: self.category,
            tags: self.tags,
            questions: self.questions,
            comment,
        }
    }
}

/// Whether a proposal keeps the bounds; the reason for people otherwise.
pub fn check(p: &KbPropose) -> Result<(), String> {
    let title = p.title.trim();
    if title.is_empty() {
        return Err("the title is empty".into());
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(format!("the title is over {MAX_TITLE_CHARS} characters"));
    }
    if p.body.trim().is_empty() {
        return Err("the body is empty".into());
    }
    if p.body.len() > MAX_BODY_BYTES {
        return Err(format!("the body is over {MAX_BODY_BYTES} bytes"));
    }
    if p.comment.chars().count() > MAX_COMMENT_CHARS {
        return Err(format!(
            "the comment is over {MAX_COMMENT_CHARS} characters"
        ));
    }
    if p.category.chars().count() > MAX_ITEM_CHARS {
        return Err(format!("the category is over {MAX_ITEM_CHARS} characters"));
    }
    for (what, items) in [("tags", &p.tags), ("questions", &p.questions)] {
        if items.len() > MAX_ITEMS {
            return Err(format!("more than {MAX_ITEMS} {what}"));
        }
        if items.iter().any(|i| i.chars().count() > MAX_ITEM_CHARS) {
            return Err(format!(
                "one of the {what} is over {MAX_ITEM_CHARS} characters"
            ));
        }
    }
    Ok(())
}

/// The longest a proposal's diff may compute before settling for a coarser one.
const DIFF_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(50);

/// The line diff from `old` to `new` (Myers, via `similar`), at most [`MAX_DIFF_LINES`].
pub fn diff(old: &str, new: &str) -> Vec<DiffLine> {
    // Myers is O(N·D): a body of many short lines against a very different one could hold a
    // reader for long. Past the deadline `similar` gives a coarser, still correct diff.
    let d = TextDiff::configure()
        .timeout(DIFF_TIMEOUT)
        .diff_lines(old, new);
    let mut out: Vec<DiffLine> = d
        .iter_all_changes()
        .take(MAX_DIFF_LINES)
        .map(|c| DiffLine {
            op: match c.tag() {
                ChangeTag::Equal => DiffOp::Same,
                ChangeTag::Insert => DiffOp::Add,
                ChangeTag::Delete => DiffOp::Del,
            },
            text: c.value().trim_end_matches(['\n', '\r']).to_string(),
        })
        .collect();
    if out.len() == MAX_DIFF_LINES {
        out.push(DiffLine {
            op: DiffOp::Same,
            text: format!("… (cut at {MAX_DIFF_LINES} lines)"),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> Draft {
        Draft {
            title: "Returns".into(),
            category: "after-sales".into(),
            tags: vec!["refund".into(), "退货".into()],
            questions: vec!["How do I return?".into(), "怎么退货".into()],
            body: "Line one.\n\nLine two.".into(),
        }
    }

    #[test]
    fn a_document_reads_back_as_the_same_draft() {
        let d = draft();
        assert_eq!(Draft::parse(&d.document()), Ok(Some(d)));
    }

    #[test]
    fn an_empty_body_cancels_and_a_bad_front_matter_is_explained() {
        let mut d = draft();
        d.body = "  ".into();
        assert_eq!(Draft::parse(&d.document()), Ok(None));
        let bad = Draft::parse("---\ntitle: x\nwhat: y\n---\nbody\n").unwrap_err();
        assert!(bad.contains("unknown key `what`"), "{bad}");
    }

    #[test]
    fn the_diff_marks_added_and_removed_lines() {
        let old = draft();
        let mut new = draft();
        new.body = "Line one.\n\nLine 2, changed.".into();
        let d = diff(&old.document(), &new.document());
        let changed: Vec<(DiffOp, &str)> = d
            .iter()
            .filter(|l| l.op != DiffOp::Same)
            .map(|l| (l.op, l.text.as_str()))
            .collect();
        assert_eq!(
            changed,
            [
                (DiffOp::Del, "Line two."),
                (DiffOp::Add, "Line 2, changed.")
            ]
        );
    }

    #[test]
    fn bounds_are_checked() {
        let ok = draft().propose(None, String::new());
        assert_eq!(check(&ok), Ok(()));
        let mut big = ok.clone();
        big.body = "x".repeat(MAX_BODY_BYTES + 1);
        assert!(check(&big).unwrap_err().contains("body"));
        let mut untitled = ok.clone();
        untitled.title = " ".into();
        assert!(check(&untitled).is_err());
        let mut many = ok;
        many.tags = vec!["t".into(); MAX_ITEMS + 1];
        assert!(check(&many).unwrap_err().contains("tags"));
    }
}
