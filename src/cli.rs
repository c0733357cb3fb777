//! The command line: `kefu serve`, `kefu admin …`, `kefu bench`.

use crate::admin;
use crate::config::ServerConfig;
use crate::model::{Role, Strategy};
use anyhow::Context;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "kefu",
    version,
    about = "Keyboard-first customer service: routing server and agent console"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(clap::Args, Clone)]
pub struct Common {
    /// Where the database lives (default: KEFU_DATA_DIR, then the config's data_dir, then the
    /// platform data directory).
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// Server config file (TOML); every key has a default.
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the routing server.
    Serve {
        /// Address to listen on (default 127.0.0.1:7800 or the config's `listen`).
        #[arg(long)]
        listen: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Manage agents and skill groups.
    Admin {
        #[command(subcommand)]
        what: AdminCmd,
        #[command(flatten)]
        common: Common,
    },
    /// The agent console: a full-screen terminal workbench.
    Console {
        /// Server address, e.g. ws://127.0.0.1:7800 or wss://kefu.example.com (remembered).
        #[arg(long)]
        server: Option<String>,
        /// Username (remembered).
        #[arg(long)]
        user: Option<String>,
        /// Interface language: en or zh (default: config, then LANG).
        #[arg(long)]
        lang: Option<String>,
    },
    /// Try it all: embedded server, seeded data, simulated customers, console as the demo agent.
    Demo {
        /// Interface language: en or zh (default: config, then LANG).
        #[arg(long)]
        lang: Option<String>,
        /// Keep the demo's data dir (database and logs) after quitting.
        #[arg(long)]
        keep: bool,
        /// Use this data dir instead of a fresh temporary one (must be empty).
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// Load-test a running server: customers send, agents accept and reply.
    Bench(crate::bench::BenchArgs),
    /// The bench's floor: a minimal durable relay that `kefu bench --floor` starts.
    #[command(hide = true)]
    BenchFloor(crate::bench::FloorArgs),
}

#[derive(Subcommand)]
pub enum AdminCmd {
    /// Agent accounts.
    Agent {
        #[command(subcommand)]
        what: AgentCmd,
    },
    /// Skill groups.
    Group {
        #[command(subcommand)]
        what: GroupCmd,
    },
    /// The knowledge base: import and export articles.
    Kb {
        #[command(subcommand)]
        what: KbCmd,
    },
}

#[derive(Subcommand)]
pub enum KbCmd {
    /// Import articles from a folder of Markdown files with front matter, a CSV file
    /// (`question,answer,category`) or a JSON file; an article with the same `id` is updated.
    /// Bad rows are reported with their file and line; the good ones are imported.
    Import { path: PathBuf },
    /// Export every article: one JSON file, or a folder of Markdown files (`--format md`).
    Export {
        #[arg(long, value_enum, default_value = "json")]
        format: crate::kb::export::Format,
        path: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum AgentCmd {
    /// Create an agent; prints a generated initial password that must be changed at first login.
    Add {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        employee_no: Option<String>,
        #[arg(long)]
        contact: Option<String>,
        /// Skill group (repeatable); the group must exist.
        #[arg(long = "group")]
        groups: Vec<String>,
        #[arg(long, default_value = "agent")]
        role: Role,
        /// Concurrent sessions (default: the server config's default_max_sessions, 5).
        #[arg(long)]
        max_sessions: Option<u32>,
    },
    List,
    /// Generate a new initial password; the agent must change it at next login.
    ResetPassword {
        username: String,
    },
}

#[derive(Subcommand)]
pub enum GroupCmd {
    /// Create a skill group, or change its strategy.
    Add {
        name: String,
        #[arg(long, default_value = "least_busy")]
        strategy: Strategy,
    },
    /// Put an agent into a group.
    AddMember {
        group: String,
        username: String,
    },
    List,
}

/// Data dir precedence: flag, KEFU_DATA_DIR, config file, platform default.
pub fn data_dir(flag: Option<PathBuf>, config: &ServerConfig) -> anyhow::Result<PathBuf> {
    if let Some(d) = flag {
        return Ok(d);
    }
    if let Some(d) = std::env::var_os("KEFU_DATA_DIR").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(d));
    }
    if let Some(d) = &config.data_dir {
        return Ok(d.clone());
    }
    directories::ProjectDirs::from("", "", "kefu")
        .map(|p| p.data_dir().to_path_buf())
        .context("no home directory to put the data in; pass --data-dir or set KEFU_DATA_DIR")
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { listen, common } => {
            crate::logging::init_stderr();
            let config = ServerConfig::load_or_default(common.config.as_deref())?;
            let dir = data_dir(common.data_dir, &config)?;
            let listen = listen.unwrap_or_else(|| config.listen.clone());
            let rt = tokio::runtime::Runtime::new()?;
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind(&listen)
                    .await
                    .with_context(|| format!("cannot listen on {listen}"))?;
                crate::server::run(listener, config, dir, shutdown_signal()).await
            })
        }
        Command::Admin { what, common } => {
            let config = ServerConfig::load_or_default(common.config.as_deref())?;
            let dir = data_dir(common.data_dir, &config)?;
            let mut store = crate::server::open_store(&dir, &config)?;
            run_admin(&mut store, what)
        }
        Command::Console { server, user, lang } => {
            // Config, keymap and theme errors print here, before the full screen opens.
            let loaded = crate::console::run::load(lang.as_deref())?;
            let data = data_dir(None, &ServerConfig::default()).ok();
            if let Some(d) = &data {
                crate::console::run::init_file_logging(d);
            }
            let opts = crate::console::run::Options {
                server,
                user,
                password: None,
                lang,
                remember: true,
                data_dir: data,
            };
            let rt = tokio::runtime::Runtime::new()?;
            rt.block_on(crate::console::run::run(opts, loaded))
        }
        Command::Demo {
            lang,
            keep,
            data_dir,
        } => crate::demo::launch(crate::demo::DemoOptions {
            lang,
            keep,
            data_dir,
        }),
        Command::Bench(args) => {
            let rt = tokio::runtime::Runtime::new()?;
            rt.block_on(crate::bench::run(args))
        }
        Command::BenchFloor(args) => crate::bench::run_floor(args),
    }
}

fn run_admin(store: &mut dyn crate::store::Store, what: AdminCmd) -> anyhow::Result<()> {
    match what {
        AdminCmd::Agent {
            what:
                AgentCmd::Add {
                    username,
                    name,
                    employee_no,
                    contact,
                    groups,
                    role,
                    max_sessions,
                },
        } => {
            let (id, password) = admin::add_agent(
                store,
                admin::NewAgent {
                    username: username.clone(),
                    display_name: name,
                    employee_no,
                    contact,
                    role,
                    groups,
                    max_sessions,
                },
            )?;
            println!("created agent {username} (id {id})");
            println!("initial password: {password}");
            println!("(it must be changed at first login)");
        }
        AdminCmd::Agent {
            what: AgentCmd::List,
        } => {
            println!(
                "{:<4} {:<16} {:<20} {:<10} {:<8} {:<5} groups",
                "id", "username", "name", "role", "status", "max"
            );
            for a in admin::list_agents(store)? {
                let max = a
                    .max_sessions
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| "-".into());
                println!(
                    "{:<4} {:<16} {:<20} {:<10} {:<8} {:<5} {}",
                    a.id,
                    a.username,
                    a.display_name,
                    a.role,
                    a.status,
                    max,
                    a.groups.join(",")
                );
            }
        }
        AdminCmd::Agent {
            what: AgentCmd::ResetPassword { username },
        } => {
            let password = admin::reset_password(store, &username)?;
            println!("new initial password for {username}: {password}");
        }
        AdminCmd::Group {
            what: GroupCmd::Add { name, strategy },
        } => {
            admin::add_group(store, &name, strategy)?;
            println!("group {name} ({strategy})");
        }
        AdminCmd::Group {
            what: GroupCmd::AddMember { group, username },
        } => {
            admin::add_member(store, &group, &username)?;
            println!("{username} is in {group}");
        }
        AdminCmd::Kb { what } => return run_kb(store, what),
        AdminCmd::Group {
            what: GroupCmd::List,
        } => {
            let mut groups = Vec::new();
            store.transaction(&mut |tx| {
                groups = tx.list_groups()?;
                Ok(())
            })?;
            for (name, strategy) in groups {
                println!("{name:<20} {strategy}");
            }
        }
    }
    Ok(())
}

fn run_kb(store: &mut dyn crate::store::Store, what: KbCmd) -> anyhow::Result<()> {
    match what {
        KbCmd::Import { path } => {
            let report = admin::import_kb(store, &path)?;
            for e in &report.errors {
                eprintln!("{e}");
            }
            println!(
                "{} created, {} updated, {} unchanged, {} rejected",
                report.created,
                report.updated,
                report.unchanged,
                report.errors.len()
            );
            if !report.errors.is_empty() {
                anyhow::bail!(
                    "{} rows were not imported (listed above)",
                    report.errors.len()
                );
            }
        }
        KbCmd::Export { format, path } => {
            let n = crate::kb::export::export(store, format, &path)?;
            println!("{n} articles written to {}", path.display());
        }
    }
    Ok(())
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
