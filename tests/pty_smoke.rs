//! The real binary in a real pseudo-terminal: `kefu demo` starts, draws all four panels, quits
//! on the quit key (after confirming) and restores the terminal.

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Waits until the parsed screen satisfies `pred`, or panics with the screen.
fn wait_screen(
    parser: &Arc<Mutex<vt100::Parser>>,
    what: &str,
    pred: impl Fn(&vt100::Screen) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(20);
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

#[test]
fn demo_starts_draws_every_panel_and_quits_cleanly() {
    let config = tempfile::tempdir().unwrap();
    let pty = native_pty_system();
    let pair = pty
        .openpty(PtySize {
            rows: 40,
            cols: 120,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_kefu"));
    cmd.args(["demo", "--lang", "en"]);
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

    // Quit: ctrl-q, and enter if a confirmation is asked.
    writer.write_all(b"\x1b").unwrap(); // leave the KB search
    std::thread::sleep(Duration::from_millis(200));
    writer.write_all(b"\x11").unwrap(); // ctrl-q
    std::thread::sleep(Duration::from_millis(500));
    if parser
        .lock()
        .unwrap()
        .screen()
        .contents()
        .contains("Quit anyway?")
    {
        writer.write_all(b"\r").unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "kefu demo did not exit");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status:?}");
    drop(writer);
    drop(pair.master);
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
}
