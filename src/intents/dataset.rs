//! Labelled examples from CSV (`text,label` header; quoted fields; UTF-8) and from TSV question
//! pairs, with the line of every bad row in the error. Parsing works on bytes already read: the
//! file I/O stays in the command handler.

use std::collections::BTreeMap;

/// One labelled example.
#[derive(Clone, Debug, PartialEq)]
pub struct Example {
    pub text: String,
    pub label: String,
    /// 1-based line where the row starts.
    pub line: u64,
}

/// A question pair for match evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct Pair {
    pub a: String,
    pub b: String,
    pub same: bool,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DataError {
    #[error("{source_name}:{line}: {message}")]
    Row {
        source_name: String,
        line: u64,
        message: String,
    },
    #[error("{source_name}: {message}")]
    File {
        source_name: String,
        message: String,
    },
}

/// Column names accepted for the label (BANKING77 calls it `category`).
const LABEL_COLUMNS: [&str; 3] = ["label", "category", "intent"];

/// Parses CSV with a header naming a `text` column and a `label` (or `category`, `intent`) column.
/// Any other columns are ignored. Empty texts or labels are errors.
pub fn parse_csv(source_name: &str, bytes: &[u8]) -> Result<Vec<Example>, DataError> {
    let file_err = |message: String| DataError::File {
        source_name: source_name.to_string(),
        message,
    };
    let row_err = |line: u64, message: String| DataError::Row {
        source_name: source_name.to_string(),
        line,
        message,
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes);
    let headers = rdr
        .headers()
        .map_err(|e| file_err(format!("cannot read the header: {e}")))?
        .clone();
    let col = |names: &[&str]| {
        headers.iter().position(|h| {
            names.iter().any(|n| {
                h.trim()
                    .trim_start_matches('\u{feff}')
                    .eq_ignore_ascii_case(n)
            })
        })
    };
    let text_col =
        col(&["text"]).ok_or_else(|| file_err("the header has no `text` column".into()))?;
    let label_col = col(&LABEL_COLUMNS).ok_or_else(|| {
        file_err("the header has no `label` (or `category`, `intent`) column".into())
    })?;
    let mut out = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = rdr.position().line();
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(line);
                return Err(row_err(line, csv_message(&e)));
            }
        }
        let line = record.position().map(|p| p.line()).unwrap_or(line);
        let text = record.get(text_col).unwrap_or("").trim();
        let label = record.get(label_col).unwrap_or("").trim();
        if text.is_empty() {
            return Err(row_err(line, "empty text".into()));
        }
        if label.is_empty() {
            return Err(row_err(line, "empty label".into()));
        }
        out.push(Example {
            text: text.to_string(),
            label: label.to_string(),
            line,
        });
    }
    if out.is_empty() {
        return Err(file_err("no rows after the header".into()));
    }
    Ok(out)
}

fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("{len} fields where the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "not valid UTF-8".into(),
        _ => e.to_string(),
    }
}

/// The first `k` examples of each label, in file order.
pub fn first_shots(examples: &[Example], k: usize) -> Vec<Example> {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    examples
        .iter()
        .filter(|e| {
            let n = seen.entry(e.label.as_str()).or_insert(0);
            *n += 1;
            *n <= k
        })
        .cloned()
        .collect()
}

/// Parses `text_a<TAB>text_b<TAB>label` lines (label 1 = same question, 0 = not). A first line
/// whose label is not 0 or 1 is taken as a header; blank lines are skipped.
pub fn parse_pairs(source_name: &str, text: &str) -> Result<Vec<Pair>, DataError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i as u64 + 1;
        let raw = raw.trim_end_matches('\r');
        if raw.trim().is_empty() {
            continue;
        }
        let err = |message: String| DataError::Row {
            source_name: source_name.to_string(),
            line,
            message,
        };
        let fields: Vec<&str> = raw.split('\t').collect();
        if fields.len() != 3 {
            return Err(err(format!(
                "{} tab-separated fields, expected 3",
                fields.len()
            )));
        }
        let same = match fields[2].trim() {
            "1" => true,
            "0" => false,
            other if i == 0 => {
                let _ = other; // a header line
                continue;
            }
            other => return Err(err(format!("label {other:?} is neither 0 nor 1"))),
        };
        out.push(Pair {
            a: fields[0].trim().to_string(),
            b: fields[1].trim().to_string(),
            same,
        });
    }
    if out.is_empty() {
        return Err(DataError::File {
            source_name: source_name.to_string(),
            message: "no pairs".into(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_quoted_fields_and_multiline_text() {
        let rows = parse_csv(
            "t.csv",
            "text,label\n\"Hello, world\",greeting\n\"two\nlines\",x\n我要退款,refund\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].text, "Hello, world");
        assert_eq!(rows[1].text, "two\nlines");
        assert_eq!((rows[2].label.as_str(), rows[2].line), ("refund", 5));
    }

    #[test]
    fn accepts_category_column_and_other_column_orders() {
        let rows = parse_csv("t.csv", b"id,category,text\n1,a,hello\n").unwrap();
        assert_eq!(
            (rows[0].text.as_str(), rows[0].label.as_str()),
            ("hello", "a")
        );
    }

    #[test]
    fn bad_rows_name_file_and_line() {
        let e = parse_csv("t.csv", b"text,label\nok,a\nmissing label\n").unwrap_err();
        assert_eq!(e.to_string(), "t.csv:3: 1 fields where the header has 2");
        let e = parse_csv("t.csv", b"text,label\nok,a\n,b\n").unwrap_err();
        assert_eq!(e.to_string(), "t.csv:3: empty text");
        let e = parse_csv("t.csv", b"text,label\nok,a\nfine,b\n\xff\xfe,c\n").unwrap_err();
        assert_eq!(e.to_string(), "t.csv:4: not valid UTF-8");
        let e = parse_csv("t.csv", b"words,label\nok,a\n").unwrap_err();
        assert!(e.to_string().contains("no `text` column"), "{e}");
        assert!(parse_csv("t.csv", b"text,label\n").is_err());
    }

    #[test]
    fn shots_take_the_first_k_of_each_label() {
        let rows = parse_csv("t.csv", b"text,label\na1,a\nb1,b\na2,a\na3,a\nb2,b\n").unwrap();
        let texts: Vec<String> = first_shots(&rows, 2).into_iter().map(|e| e.text).collect();
        assert_eq!(texts, ["a1", "b1", "a2", "b2"]);
    }

    #[test]
    fn pairs_with_header_and_errors() {
        let p = parse_pairs(
            "p.tsv",
            "text_a\ttext_b\tlabel\n怎么退款\t如何退款\t1\na\tb\t0\n",
        )
        .unwrap();
        assert_eq!(p.len(), 2);
        assert!(p[0].same && !p[1].same);
        let e = parse_pairs("p.tsv", "a\tb\t1\na\tb\n").unwrap_err();
        assert_eq!(e.to_string(), "p.tsv:2: 2 tab-separated fields, expected 3");
        let e = parse_pairs("p.tsv", "a\tb\t1\na\tb\tyes\n").unwrap_err();
        assert_eq!(e.to_string(), "p.tsv:2: label \"yes\" is neither 0 nor 1");
    }
}
