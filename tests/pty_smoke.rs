//! The real binary in a real pseudo-terminal: `kefu demo` starts, draws all four panels, quits
//! on the quit key (after confirming) and leaves nothing behind: the terminal back in cooked
//! mode with the main screen and the cursor, the embedded server's port closed, the demo's
//! data dir removed. Every step waits for what the screen (or the log) shows, with a deadline.

use portable_pty::{CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(20);

/// Waits until the parsed screen satisfies `pred`, or panics with the screen.
fn wait_screen(
    parser: &Arc<Mutex<vt100::Parser>>,
    what: &str,
    pred: impl Fn(&vt100::Screen) -> bool,
) {
    let deadline = Instant::now() + DEADLINE;
    loop {
        {
            let p = parser.lock().unwrap();
            if pred(p.screen()) {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "timed out waiting for {what}; screen:\n{}",
                    p.screen().contents()
                );
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The terminal's line discipline: (canonical input, echo). Raw mode turns both off.
fn cooked(master: &dyn MasterPty) -> (bool, bool) {
    let t = master.get_termios().expect("the pty's termios");
    let names: Vec<&str> = t.local_flags.iter_names().map(|(n, _)| n).collect();
    (names.contains(&"ICANON"), names.contains(&"ECHO"))
}

/// Waits until `file` holds a line with `needle`, and returns that line.
fn wait_log_line(file: &std::path::Path, needle: &str) -> String {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        if let Some(line) = text.lines().find(|l| l.contains(needle)) {
            return line.to_string();
        }
        assert!(
            Instant::now() < deadline,
            "{needle:?} never appeared in {}:\n{text}",
            file.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn demo_starts_draws_every_panel_and_quits_cleanly() {
    let config = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let data = scratch.path().join("demo");
    let pty = native_pty_system();
    let pair = pty
        .openpty(PtySize {
            rows: 40,
            cols: 120,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    assert_eq!(cooked(&*pair.master), (true, true), "a fresh pty is cooked");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_kefu"));
    cmd.args(["demo", "--lang", "en", "--data-dir"]);
    cmd.arg(&data);
    cmd.env("KEFU_CONFIG_DIR", config.path());
    cmd.env("TERM", "xterm-256color");
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let parser = Arc::new(Mutex::new(vt100::Parser::new(
        std::num::NonZeroU16::new(40).unwrap(),
        std::num::NonZeroU16::new(120).unwrap(),
        0,
    )));
    let mut reader = pair.master.try_clone_reader().unwrap();
    let raw = Arc::new(Mutex::new(Vec::<u8>::new()));
    let (p2, r2) = (parser.clone(), raw.clone());
    let pump = std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            p2.lock().unwrap().process(&buf[..n]);
            r2.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    let mut writer = pair.master.take_writer().unwrap();

    wait_screen(&parser, "the workbench", |s| {
        let c = s.contents();
        c.contains("Sessions") && c.contains("Customer") && s.alternate_screen()
    });
    assert_eq!(
        cooked(&*pair.master),
        (false, false),
        "raw mode while running"
    );
    // The demo's server, and the console's connection to it, in the demo's log.
    let log = data.join("console.log");
    let line = wait_log_line(&log, "demo server listening");
    let addr: std::net::SocketAddr = line
        .split_whitespace()
        .find_map(|w| w.strip_prefix("addr="))
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    assert!(
        std::net::TcpStream::connect(addr).is_ok(),
        "the server is up"
    );
    wait_log_line(&log, "connected; signed in");

    // Open the knowledge base: the fourth panel.
    writer.write_all(b"\x1bOR").unwrap(); // F3
    wait_screen(&parser, "the knowledge-base panel", |s| {
        s.contents().contains("Knowledge base")
    });
    let screen = parser.lock().unwrap().screen().contents();
    for panel in ["Sessions", "Customer", "Knowledge base"] {
        assert!(screen.contains(panel), "{panel} missing:\n{screen}");
    }
    // The chat pane is the one whose title names the conversation, or the empty placeholder.
    assert!(
        screen.contains(" · #") || screen.contains("Chat"),
        "no chat pane:\n{screen}"
    );

    // Quit: ctrl-q (global, so it works from the KB search field too), then enter if the
    // confirmation comes up (it does when a conversation is already active).
    writer.write_all(b"\x11").unwrap();
    let deadline = Instant::now() + DEADLINE;
    let mut confirmed = false;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if !confirmed
            && parser
                .lock()
                .unwrap()
                .screen()
                .contents()
                .contains("Quit anyway?")
        {
            writer.write_all(b"\r").unwrap();
            confirmed = true;
        }
        assert!(
            Instant::now() < deadline,
            "kefu demo did not exit; screen:\n{}",
            parser.lock().unwrap().screen().contents()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status:?}");
    assert_eq!(
        cooked(&*pair.master),
        (true, true),
        "raw mode was not switched off"
    );
    drop(writer);
    let master = pair.master;
    drop(master);
    let _ = pump.join();
    let p = parser.lock().unwrap();
    assert!(
        !p.screen().alternate_screen(),
        "the alternate screen was left on"
    );
    assert!(!p.screen().hide_cursor(), "the cursor was left hidden");
    let raw = raw.lock().unwrap();
    let text = String::from_utf8_lossy(&raw);
    assert!(
        text.contains("\x1b[?1049l"),
        "the alternate screen was never left"
    );
    // The embedded server (and with it the simulator's customers) is gone, and so is the
    // demo's temporary data.
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "the demo server still listens on {addr}"
    );
    assert!(!data.exists(), "the demo data dir was left behind");
}
