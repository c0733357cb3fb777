//! For `tests/metrics.rs`: a plain HTTP GET, and a strict parser of the Prometheus text format
//! 0.0.4 that panics, naming the line, on anything the format does not allow.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashSet};
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub struct HttpResponse {
    pub status: u16,
    /// Header names lowercased.
    pub headers: BTreeMap<String, String>,
    pub body: String,
}

/// `GET path` with extra header lines, over a fresh connection closed after the answer.
pub async fn http_get(addr: SocketAddr, path: &str, extra: &[&str]) -> HttpResponse {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for h in extra {
        req.push_str(h);
        req.push_str("\r\n");
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(super::WAIT, s.read_to_end(&mut raw))
        .await
        .expect("the HTTP answer in time")
        .unwrap();
    let text = String::from_utf8(raw).expect("a UTF-8 answer");
    let (head, body) = text.split_once("\r\n\r\n").expect("headers, then a body");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: BTreeMap<String, String> = lines
        .map(|l| {
            let (k, v) = l.split_once(':').unwrap();
            (k.trim().to_ascii_lowercase(), v.trim().to_string())
        })
        .collect();
    let body = if headers
        .get("transfer-encoding")
        .is_some_and(|v| v == "chunked")
    {
        dechunk(body)
    } else {
        let len: usize = headers["content-length"].parse().unwrap();
        assert_eq!(body.len(), len, "Content-Length matches the body");
        body.to_string()
    };
    HttpResponse {
        status,
        headers,
        body,
    }
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    loop {
        let (size, after) = rest.split_once("\r\n").unwrap();
        let size = usize::from_str_radix(size, 16).unwrap();
        if size == 0 {
            return out;
        }
        out.push_str(&after[..size]);
        rest = &after[size + 2..];
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Series {
    pub name: String,
    /// In the order written.
    pub labels: Vec<(String, String)>,
}

#[derive(Debug, Default)]
pub struct Family {
    pub kind: String,
    pub help: String,
    pub samples: Vec<(Series, f64)>,
}

/// Every family by name, after checking the whole text against the format.
#[derive(Debug, Default)]
pub struct Exposition {
    pub families: BTreeMap<String, Family>,
}

impl Exposition {
    /// The value of one series, given as `name` or `name{a="x",b="y"}` with unescaped values.
    pub fn get(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.find(name, labels)
            .unwrap_or_else(|| panic!("no sample {name}{labels:?}"))
    }

    pub fn find(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        self.families
            .values()
            .flat_map(|f| &f.samples)
            .find_map(|(s, v)| {
                let same = s.name == name
                    && s.labels.len() == labels.len()
                    && labels
                        .iter()
                        .all(|(k, v)| s.labels.iter().any(|(k2, v2)| k2 == k && v2 == v));
                same.then_some(*v)
            })
    }
}

fn is_metric_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn is_label_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn parse_value(s: &str) -> Option<f64> {
    match s {
        "+Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        "NaN" => Some(f64::NAN),
        _ => s.parse().ok(),
    }
}

/// `{a="x",b="y"}` (already without the braces) into pairs, undoing the escapes.
fn parse_labels(mut s: &str, line: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    while !s.is_empty() {
        let (name, rest) = s
            .split_once("=\"")
            .unwrap_or_else(|| panic!("label without =\" in {line:?}"));
        assert!(is_label_name(name), "bad label name {name:?} in {line:?}");
        let mut value = String::new();
        let mut chars = rest.char_indices();
        let end = loop {
            match chars.next() {
                Some((_, '\\')) => match chars.next() {
                    Some((_, '\\')) => value.push('\\'),
                    Some((_, '"')) => value.push('"'),
                    Some((_, 'n')) => value.push('\n'),
                    other => panic!("bad escape {other:?} in {line:?}"),
                },
                Some((i, '"')) => break i,
                Some((_, c)) => value.push(c),
                None => panic!("unterminated label value in {line:?}"),
            }
        };
        assert!(
            !out.iter().any(|(n, _): &(String, String)| n == name),
            "label {name} twice in {line:?}"
        );
        out.push((name.to_string(), value));
        s = &rest[end + 1..];
        if let Some(r) = s.strip_prefix(',') {
            s = r;
            assert!(!s.is_empty(), "trailing comma in {line:?}");
        } else {
            assert!(s.is_empty(), "junk after a label value in {line:?}");
        }
    }
    out
}

/// The family a sample name belongs to, given the current family and its type.
fn belongs(sample: &str, family: &str, kind: &str) -> bool {
    if sample == family {
        return kind != "histogram";
    }
    kind == "histogram"
        && ["_bucket", "_sum", "_count"]
            .iter()
            .any(|s| sample.strip_suffix(s) == Some(family))
}

/// Parses and checks an exposition: `# HELP` then `# TYPE` opening each family exactly once,
/// samples only inside their own family, names and labels well formed, values numbers, no
/// series twice, counters named `_total` and never negative, histograms cumulative with
/// ascending `le` ending at `+Inf` equal to `_count`, and a `_sum`.
pub fn parse(text: &str) -> Exposition {
    assert!(text.ends_with('\n'), "the exposition ends with a newline");
    let mut exp = Exposition::default();
    let mut current: Option<String> = None;
    let mut awaiting_type = false;
    let mut seen = HashSet::new();
    for line in text.lines() {
        assert!(!line.is_empty(), "an empty line");
        if let Some(rest) = line.strip_prefix("# HELP ") {
            assert!(!awaiting_type, "HELP without a TYPE before {line:?}");
            let (name, help) = rest.split_once(' ').unwrap_or((rest, ""));
            assert!(is_metric_name(name), "bad metric name in {line:?}");
            assert!(!exp.families.contains_key(name), "{name} opened twice");
            exp.families.insert(
                name.to_string(),
                Family {
                    help: help.to_string(),
                    ..Default::default()
                },
            );
            current = Some(name.to_string());
            awaiting_type = true;
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("TYPE name kind");
            assert!(
                awaiting_type && current.as_deref() == Some(name),
                "TYPE not right after its HELP: {line:?}"
            );
            assert!(
                ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind),
                "unknown type in {line:?}"
            );
            if kind == "counter" {
                assert!(name.ends_with("_total"), "counter {name} without _total");
            }
            exp.families.get_mut(name).unwrap().kind = kind.to_string();
            awaiting_type = false;
        } else {
            assert!(
                !line.starts_with('#'),
                "a comment the format does not know: {line:?}"
            );
            assert!(!awaiting_type, "a sample before its TYPE: {line:?}");
            let family = current.clone().expect("a sample before any family");
            let (series, value) = line.rsplit_once(' ').expect("series, space, value");
            let value = parse_value(value).unwrap_or_else(|| panic!("bad value in {line:?}"));
            let (name, labels) = match series.split_once('{') {
                Some((n, l)) => {
                    let l = l
                        .strip_suffix('}')
                        .unwrap_or_else(|| panic!("labels not closed: {line:?}"));
                    (n, parse_labels(l, line))
                }
                None => (series, Vec::new()),
            };
            assert!(is_metric_name(name), "bad metric name in {line:?}");
            let f = exp.families.get_mut(&family).unwrap();
            assert!(
                belongs(name, &family, &f.kind),
                "sample {name} inside family {family} ({})",
                f.kind
            );
            if f.kind == "counter" {
                assert!(value >= 0.0, "negative counter: {line:?}");
            }
            let series = Series {
                name: name.to_string(),
                labels,
            };
            let mut key = series.clone();
            key.labels.sort();
            assert!(seen.insert(key), "series twice: {line:?}");
            f.samples.push((series, value));
        }
    }
    assert!(!awaiting_type, "the last HELP has no TYPE");
    for (name, f) in &exp.families {
        if f.kind == "histogram" {
            check_histogram(name, f);
        }
    }
    exp
}

fn check_histogram(name: &str, f: &Family) {
    let bucket = format!("{name}_bucket");
    let le = |s: &Series| {
        let v = &s
            .labels
            .iter()
            .find(|(k, _)| k == "le")
            .expect("le label")
            .1;
        parse_value(v).unwrap_or_else(|| panic!("bad le {v:?}"))
    };
    let buckets: Vec<(f64, f64)> = f
        .samples
        .iter()
        .filter(|(s, _)| s.name == bucket)
        .map(|(s, v)| (le(s), *v))
        .collect();
    assert!(!buckets.is_empty(), "{name} has no buckets");
    for w in buckets.windows(2) {
        assert!(w[0].0 < w[1].0, "{name}: le not ascending");
        assert!(w[0].1 <= w[1].1, "{name}: buckets not cumulative");
    }
    let (last_le, last) = *buckets.last().unwrap();
    assert_eq!(last_le, f64::INFINITY, "{name}: the last bucket is +Inf");
    let count = f
        .samples
        .iter()
        .find(|(s, _)| s.name == format!("{name}_count"))
        .unwrap_or_else(|| panic!("{name}_count"))
        .1;
    assert_eq!(last, count, "{name}: +Inf equals _count");
    assert!(
        f.samples
            .iter()
            .any(|(s, _)| s.name == format!("{name}_sum")),
        "{name}_sum"
    );
}
