//! `kefu admin kb import` / `export` on fixtures with good and bad rows (Markdown with front
//! matter, CSV, JSON): bad rows are reported with their file and line, good rows still import,
//! a re-import updates by id without duplicating, and an export imports back unchanged.

use kefu::kb::export::{self, Format};
use kefu::protocol::{Article, ArticleStatus};
use kefu::store::Store;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/kb")
        .join(name)
}

fn store(dir: &Path) -> Box<dyn Store> {
    kefu::server::open_store(dir, &Default::default()).unwrap()
}

fn by_title<'a>(all: &'a [Article], title: &str) -> &'a Article {
    all.iter()
        .find(|a| a.title == title)
        .unwrap_or_else(|| panic!("no {title} in {all:?}"))
}

#[test]
fn good_rows_import_bad_rows_are_reported_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path());

    let md = kefu::admin::import_kb(&mut *s, &fixture("md")).unwrap();
    assert_eq!((md.created, md.updated), (2, 0));
    let e: Vec<String> = md.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].ends_with("md/broken.md:4: status `maybe`: expected draft, published or archived"),
        "{e:?}"
    );

    let csv = kefu::admin::import_kb(&mut *s, &fixture("faq.csv")).unwrap();
    assert_eq!(csv.created, 3);
    let e: Vec<String> = csv.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(e.len(), 2, "{e:?}");
    // Line 2's record spans two lines, so the bad rows are on lines 5 and 6.
    assert!(
        e[0].ends_with("faq.csv:5: the title (or question) is empty"),
        "{e:?}"
    );
    assert!(
        e[1].ends_with("faq.csv:6: 4 fields, the header has 3"),
        "{e:?}"
    );

    let json = kefu::admin::import_kb(&mut *s, &fixture("articles.json")).unwrap();
    assert_eq!(json.created, 2);
    let e: Vec<String> = json.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(e[0].contains("articles.json:9: status `gone`"), "{e:?}");
    assert!(
        e[1].contains("articles.json:15:") && e[1].contains("colour"),
        "{e:?}"
    );

    let all = export::all_articles(&mut *s).unwrap();
    assert_eq!(all.len(), 7);
    let ship = by_title(&all, "Shipping options");
    assert_eq!(ship.slug.as_deref(), Some("shipping"));
    assert_eq!(ship.tags, ["shipping", "express"]);
    assert_eq!(
        ship.questions,
        ["How long does delivery take?", "When will my order arrive?"]
    );
    assert!(ship.body.starts_with("Standard delivery") && ship.body.ends_with("$12.99."));
    let returns = by_title(&all, "退货流程");
    assert_eq!(
        (returns.category.as_str(), returns.lang.as_str()),
        ("售后", "zh")
    );
    assert!(!returns.body.contains("# 退货流程"));
    let reset = by_title(&all, "How do I reset my password?");
    assert!(
        reset
            .body
            .contains("\"Forgot password\" on the sign-in page,\nthen")
    );
    assert_eq!(
        by_title(&all, "Gift cards").status,
        ArticleStatus::Draft,
        "status is kept"
    );
}

#[test]
fn reimport_updates_by_id_and_export_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(dir.path());
    kefu::admin::import_kb(&mut *s, &fixture("md")).unwrap();
    kefu::admin::import_kb(&mut *s, &fixture("faq.csv")).unwrap();
    // Again: nothing new, nothing changed.
    let again = kefu::admin::import_kb(&mut *s, &fixture("md")).unwrap();
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 2));
    let again = kefu::admin::import_kb(&mut *s, &fixture("faq.csv")).unwrap();
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 3));
    assert_eq!(export::all_articles(&mut *s).unwrap().len(), 5);

    // An edited file updates its article (a new version), under the same id.
    let edited = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("md/shipping.md"))
        .unwrap()
        .replace("$12.99", "$14.99");
    std::fs::write(edited.path().join("shipping.md"), text).unwrap();
    let r = kefu::admin::import_kb(&mut *s, edited.path()).unwrap();
    assert_eq!((r.created, r.updated), (0, 1));
    let all = export::all_articles(&mut *s).unwrap();
    assert_eq!(all.len(), 5);
    let ship = by_title(&all, "Shipping options");
    assert!(ship.body.contains("$14.99"));
    assert_eq!(ship.version, 2);

    // Exports in both formats import back without changing or adding anything, also into a
    // fresh store.
    let out = tempfile::tempdir().unwrap();
    let json = out.path().join("kb.json");
    let md = out.path().join("md");
    assert_eq!(export::export(&mut *s, Format::Json, &json).unwrap(), 5);
    assert_eq!(export::export(&mut *s, Format::Md, &md).unwrap(), 5);
    for path in [&json, &md] {
        let r = kefu::admin::import_kb(&mut *s, path).unwrap();
        assert_eq!((r.created, r.updated, r.unchanged), (0, 0, 5), "{path:?}");
        assert!(r.errors.is_empty(), "{:?}", r.errors);
    }
    let fresh = tempfile::tempdir().unwrap();
    let mut f = store(fresh.path());
    kefu::admin::import_kb(&mut *f, &md).unwrap();
    let strip = |v: Vec<Article>| {
        let mut v = v
            .into_iter()
            .map(|a| {
                (
                    a.title,
                    a.body,
                    a.category,
                    a.tags,
                    a.questions,
                    a.status.as_str(),
                )
            })
            .collect::<Vec<_>>();
        v.sort();
        v
    };
    assert_eq!(
        strip(export::all_articles(&mut *f).unwrap()),
        strip(export::all_articles(&mut *s).unwrap())
    );
}

#[test]
fn the_cli_reports_bad_rows_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args(["admin", "kb", "import"])
        .arg(fixture("faq.csv"))
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(
        stderr.contains("faq.csv:5: the title (or question) is empty"),
        "{stderr}"
    );
    assert!(
        stdout.contains("3 created, 0 updated, 0 unchanged, 2 rejected"),
        "{stdout}"
    );
    let json = dir.path().join("out.json");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args(["admin", "kb", "export", "--format", "json"])
        .arg(&json)
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let items: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(items.len(), 3);
}
