//! A real `kefu serve` child process, for tests that kill it (SIGKILL, SIGTERM) and restart it
//! on the same port and data directory.

use super::*;
use std::process::{Child, Command, ExitStatus};

/// The server process; killed when dropped so a failing test leaves nothing behind.
pub struct ServeProcess {
    child: Child,
    pub port: u16,
}

/// A port that was free a moment ago (the child binds it; the race is harmless in tests).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl ServeProcess {
    /// Starts `kefu serve` on `port` with `dir` as data dir and `config_toml` as its config.
    pub fn spawn(dir: &Path, port: u16, config_toml: &str) -> ServeProcess {
        let config = dir.join("serve.toml");
        std::fs::write(&config, config_toml).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_kefu"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(dir)
            .arg("--config")
            .arg(&config)
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        ServeProcess { child, port }
    }

    pub fn url(&self, endpoint: &str) -> String {
        format!("ws://127.0.0.1:{}/ws/{endpoint}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Connects to `endpoint` (and says hello), retrying while the server starts up. Fails if
    /// the process has exited (say, because another process took the port), so a test never
    /// talks to a server it did not start.
    pub async fn connect(&mut self, endpoint: &str) -> Client {
        let url = self.url(endpoint);
        for _ in 0..400 {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("kefu serve on port {} exited: {status}", self.port);
            }
            if let Ok(c) = Client::connect(&url).await {
                if let Some(status) = self.child.try_wait().unwrap() {
                    panic!("kefu serve on port {} exited: {status}", self.port);
                }
                return c;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("server at {url} did not come up");
    }

    /// SIGKILL: no chance to flush or close anything.
    pub fn kill9(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM: the graceful shutdown path.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -TERM failed");
    }

    /// Waits up to `timeout` for the process to exit; `None` if it is still running.
    pub async fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            if std::time::Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
