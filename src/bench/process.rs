//! The process under test: `kefu serve` (or the floor, `kefu bench-floor`) started from this
//! binary on a fresh temporary data dir and port, killed when dropped.

use crate::admin::{self, NewAgent};
use crate::metrics::procfs;
use crate::model::Role;
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const PASSWORD: &str = "bench-password-1!";

/// Which server a run measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Kefu,
    Floor,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Kefu => "kefu",
            Kind::Floor => "floor",
        }
    }

    /// The database file in the data dir (its WAL is this plus `-wal`).
    pub fn db_file(self) -> &'static str {
        match self {
            Kind::Kefu => "kefu.db",
            Kind::Floor => super::floor::DB_FILE,
        }
    }
}

/// A directory removed on drop (no extra crate for the bench).
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> std::io::Result<TempDir> {
        let p = std::env::temp_dir().join(format!("kefu-bench-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p)?;
        Ok(TempDir(p))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct Server {
    pub kind: Kind,
    child: std::process::Child,
    pub url: String,
    pub dir: TempDir,
}

impl Server {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn rss_kib(&self) -> Option<u64> {
        procfs::status_kib(self.pid(), "VmRSS")
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.0.join(self.kind.db_file())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `kind` with `agents` bench agents (password [`PASSWORD`]) of `capacity` sessions each.
pub async fn start(kind: Kind, agents: usize, capacity: u32) -> anyhow::Result<Server> {
    start_with(kind, agents, capacity, "").await
}

/// [`start`], with `extra` appended to kefu's config (TOML sections of its own).
pub async fn start_with(
    kind: Kind,
    agents: usize,
    capacity: u32,
    extra: &str,
) -> anyhow::Result<Server> {
    let dir = TempDir::new(kind.name())?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let listen = format!("127.0.0.1:{port}");
    let exe = std::env::current_exe()?;
    let mut cmd = std::process::Command::new(exe);
    match kind {
        Kind::Kefu => {
            let config = write_kefu_config(&dir.0, agents, capacity, extra)?;
            cmd.args(["serve", "--listen", &listen])
                .arg("--data-dir")
                .arg(&dir.0)
                .arg("--config")
                .arg(config);
        }
        Kind::Floor => {
            cmd.args(["bench-floor", "--listen", &listen])
                .arg("--data-dir")
                .arg(&dir.0);
        }
    }
    let child = cmd
        .env("RUST_LOG", "warn")
        .spawn()
        .with_context(|| format!("starting the {} server", kind.name()))?;
    let server = Server {
        kind,
        child,
        url: format!("ws://{listen}"),
        dir,
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while tokio::time::Instant::now() < deadline {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Ok(server);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    anyhow::bail!("the {} server did not start listening", kind.name())
}

/// A config that lifts the per-connection limits (every bench client comes from 127.0.0.1 and
/// writes more than a person does), and the agents, created before the server starts.
fn write_kefu_config(
    dir: &Path,
    agents: usize,
    capacity: u32,
    extra: &str,
) -> anyhow::Result<PathBuf> {
    let config_path = dir.join("bench.toml");
    std::fs::write(
        &config_path,
        format!(
            "[limits]\nrate_per_sec = 1000000.0\nrate_burst = 1000000.0\n\
             # `--idle` connections say hello and then wait, and read nothing.\n\
             auth_timeout_secs = 3600\nidle_timeout_secs = 3600\n\
             [routing]\ndefault_max_sessions = {capacity}\n\
             [quotas]\nopen_per_address = 0\nnew_per_address_per_minute = 0\ncustomer_bytes_per_minute = 0\n{extra}"
        ),
    )?;
    let config = crate::config::ServerConfig::load(&config_path)?;
    let mut store = crate::server::open_store(dir, &config)?;
    for i in 0..agents {
        let new = NewAgent {
            username: format!("bench{i}"),
            display_name: format!("Bench {i}"),
            employee_no: None,
            contact: None,
            role: Role::Agent,
            groups: vec!["general".into()],
            max_sessions: None,
        };
        admin::add_agent_with_password(&mut *store, new, PASSWORD, false)?;
    }
    Ok(config_path)
}

/// Bytes of the database and its WAL, after asking SQLite (from this process, over its own
/// connection) to copy the WAL into the database and truncate it: what the data takes at
/// rest, not how far the WAL happened to grow. Also returns the two sizes before that.
pub fn disk_bytes(db: &Path) -> anyhow::Result<DiskBytes> {
    let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    let (raw_db, raw_wal) = (size(db), size(&wal));
    let conn = rusqlite::Connection::open(db)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    // The server's own checkpoint thread may hold the checkpoint at that moment: try again.
    let mut busy: i64 = 1;
    for _ in 0..20 {
        busy = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        if busy == 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(conn);
    Ok(DiskBytes {
        raw: raw_db + raw_wal,
        checkpointed: size(db) + size(&wal),
        checkpoint_complete: busy == 0,
    })
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DiskBytes {
    /// `db` + `db-wal` as found.
    pub raw: u64,
    /// `db` + `db-wal` after `wal_checkpoint(TRUNCATE)`.
    pub checkpointed: u64,
    pub checkpoint_complete: bool,
}
