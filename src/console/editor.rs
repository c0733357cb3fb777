//! Editing text in the user's own editor, as git does: the text goes to a temp file,
//! `$VISUAL`, `$EDITOR` or `vi` runs on it through `sh -c` (so `EDITOR="code -w"` works) with
//! the terminal handed over (raw mode and the alternate screen left, bracketed paste off),
//! and the file is read back once the editor exits. The console uses it for knowledge-base
//! proposals; the app never sees any of this, only the [`EditOutcome`].

use crate::console::app::EditOutcome;
use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

/// The editor command: `$VISUAL`, else `$EDITOR`, else `vi` (git's order).
pub fn editor_command() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".into())
}

/// A new private temp file for `text` (never an existing one).
fn temp_file(text: &str) -> std::io::Result<PathBuf> {
    let dir = std::env::temp_dir();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    for n in 0..100u32 {
        let path = dir.join(format!("kefu-kb-{}-{nanos}-{n}.md", std::process::id()));
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        match opts.open(&path) {
            Ok(mut f) => {
                f.write_all(text.as_bytes())?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("no free temp file name"))
}

/// Runs `editor` on a temp file holding `text` and returns what the file holds afterwards.
/// Does not touch the terminal: [`edit_in_terminal`] hands it over first.
pub fn edit_with(editor: &str, text: &str) -> EditOutcome {
    let path = match temp_file(text) {
        Ok(p) => p,
        Err(e) => return EditOutcome::Failed(format!("cannot write a temp file: {e}")),
    };
    // As git does: the command line goes through the shell, the file as "$1".
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$@\""))
        .arg(editor)
        .arg(&path)
        .status();
    let outcome = match status {
        Ok(s) if s.success() => match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(s) => EditOutcome::Saved(s),
                Err(_) => EditOutcome::Failed("the file is not UTF-8".into()),
            },
            Err(e) => EditOutcome::Failed(format!("cannot read the file back: {e}")),
        },
        Ok(s) => EditOutcome::Failed(format!("`{editor}` exited with {s}")),
        Err(e) => EditOutcome::Failed(format!("cannot run `{editor}`: {e}")),
    };
    let _ = std::fs::remove_file(&path);
    outcome
}

/// Suspends the full screen, runs the editor on `text`, and restores the screen (redrawn in
/// full on the next frame). The caller must have stopped reading terminal events, or the
/// editor's keys would be read by both.
pub fn edit_in_terminal(terminal: &mut ratatui::DefaultTerminal, text: &str) -> EditOutcome {
    use crossterm::terminal::{LeaveAlternateScreen, disable_raw_mode};
    let mut out = std::io::stdout();
    let _ = crossterm::execute!(
        out,
        crossterm::event::DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
    let outcome = edit_with(&editor_command(), text);
    restore(terminal);
    outcome
}

fn restore(terminal: &mut ratatui::DefaultTerminal) {
    use crossterm::terminal::{EnterAlternateScreen, enable_raw_mode};
    let _ = enable_raw_mode();
    let _ = crossterm::execute!(
        std::io::stdout(),
        EnterAlternateScreen,
        crossterm::event::EnableBracketedPaste
    );
    let _ = terminal.clear();
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn the_editor_edits_the_file_and_it_is_read_back() {
        // A scripted "editor": appends a line to the file it is given.
        let got = edit_with("printf 'added\\n' >>", "a line\n");
        assert_eq!(got, EditOutcome::Saved("a line\nadded\n".into()));
        let failed = edit_with("false", "x");
        assert!(matches!(failed, EditOutcome::Failed(m) if m.contains("exited")));
    }
}
