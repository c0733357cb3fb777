//! `docs/permissions.md` holds the permission table exactly as the code renders it
//! (`kefu::permissions::render_markdown`), between its two marker lines.

use kefu::permissions::{BEGIN, END, render_markdown};

#[test]
fn the_documented_table_is_the_one_in_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/permissions.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let start = doc.find(BEGIN).expect("the begin marker");
    let end = doc.find(END).expect("the end marker") + END.len() + 1;
    let documented = &doc[start..end.min(doc.len())];
    let rendered = render_markdown();
    if documented != rendered {
        // To update the docs after changing the table: KEFU_RENDER_TO=FILE writes it there.
        if let Ok(to) = std::env::var("KEFU_RENDER_TO") {
            std::fs::write(to, &rendered).unwrap();
        }
        panic!("docs/permissions.md differs from the table in code:\n{rendered}");
    }
}
