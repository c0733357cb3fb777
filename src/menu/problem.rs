//! A problem found in a menu file and where it is (`file:line:col`), shared by the parser and
//! the graph checks.

use std::fmt;

/// One thing wrong with a menu file, and where (1-based; 0 when the file as a whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl Problem {
    pub fn at(text: &str, offset: usize, message: impl Into<String>) -> Problem {
        let (line, col) = line_col(text, offset);
        Problem {
            line,
            col,
            message: message.into(),
        }
    }
}

/// A problem with its file, printed `file:line:col: message` as compilers do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<'a> {
    pub file: &'a str,
    pub problem: &'a Problem,
}

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.problem;
        write!(f, "{}:{}:{}: {}", self.file, p.line, p.col, p.message)
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}
