//! The command line: `kefu serve`, `kefu admin …`, `kefu bench`, `kefu intents …`, `kefu kb …`.

use crate::admin;
use crate::config::ServerConfig;
use crate::model::{Channel, Role, Strategy};
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
        /// A CA certificate (PEM) to trust for wss:// besides the public roots (remembered).
        #[arg(long)]
        ca: Option<PathBuf>,
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
    /// Intent recognition: evaluate the classifier on labelled CSV, or classify texts.
    Intents {
        #[command(subcommand)]
        what: IntentsCmd,
    },
    /// Knowledge-base tools that need no server.
    Kb {
        #[command(subcommand)]
        what: KbCmd,
    },
    /// The bench's floor: a minimal durable relay that `kefu bench --floor` starts.
    #[command(hide = true)]
    BenchFloor(crate::bench::FloorArgs),
}

#[derive(Subcommand)]
pub enum IntentsCmd {
    /// Train on one CSV (`text,label` header) and report accuracy on another.
    Eval {
        #[arg(long)]
        train: PathBuf,
        #[arg(long)]
        test: PathBuf,
        /// Test rows with this label are right when the classifier says "unknown"; training rows
        /// with it choose the unknown threshold.
        #[arg(long)]
        oos_label: Option<String>,
        /// Train on the first K rows of each label only.
        #[arg(long)]
        shots: Option<usize>,
        /// Override a classifier setting, key=value (repeatable; see docs/intents.md).
        #[arg(long = "param")]
        params: Vec<String>,
    },
    /// Classify texts with the default intents (or those of --intents FILE).
    Classify {
        /// An intent file in the default set's TOML format, replacing the default set.
        #[arg(long)]
        intents: Option<PathBuf>,
        /// Display names in en or zh.
        #[arg(long, default_value = "en")]
        lang: String,
        #[arg(required = true)]
        texts: Vec<String>,
    },
}

#[derive(Subcommand)]
pub enum KbCmd {
    /// Question-matching accuracy on TSV pairs `text_a<TAB>text_b<TAB>label` (1 = same question).
    MatchEval { file: PathBuf },
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
    /// Reports (docs/reports.md): the team's or one agent's metrics over a range, as a table,
    /// CSV, JSON or an SVG chart; the same numbers as the console's Reports screen.
    Report(crate::admin_report::ReportArgs),
    /// Delete ended conversations (their messages and events) that ended before a date, all
    /// or one customer's; with --customer, the customer too once nothing of theirs is left.
    /// Recorded in the audit log. Safe while the server runs (short transactions).
    Purge {
        /// `YYYY-MM-DD` (midnight UTC), `YYYY-MM-DDTHH:MM[:SS]Z`, or `now`.
        #[arg(long)]
        before: String,
        /// Only this customer's conversations (their id); for a deletion request use
        /// `--before now`.
        #[arg(long)]
        customer: Option<i64>,
    },
    /// Rewrite the database to give freed space back to the file system (VACUUM). Only with
    /// the server stopped: refuses while anything else has the data dir open.
    Compact,
    /// List the audit log (docs/audit.md), oldest first.
    Audit {
        /// Only entries from this date on (same forms as purge --before).
        #[arg(long)]
        since: Option<String>,
        /// Only this action (`login.failed`) or family of actions (`login`: every `login.*`).
        #[arg(long)]
        action: Option<String>,
        /// Only what this actor did: a username, `admin-cli:<os user>`, ….
        #[arg(long)]
        actor: Option<String>,
        /// At most this many entries.
        #[arg(long, default_value_t = 1000)]
        limit: u32,
    },
    /// Integrations of the HTTP channel API (apps, mini-programs; docs/channels.md).
    Integration {
        #[command(subcommand)]
        what: IntegrationCmd,
    },
    /// The knowledge base: import and export articles.
    Kb {
        #[command(subcommand)]
        what: AdminKbCmd,
    },
    /// Quick replies (team and personal): list, add, edit, remove, import, export.
    QuickReply {
        #[command(subcommand)]
        what: QuickReplyCmd,
    },
    /// Self-service menus (docs/menus.md).
    Menu {
        #[command(subcommand)]
        what: MenuCmd,
    },
    /// Past conversations (docs/history.md): `history search` prints CSV or JSON.
    History {
        #[command(subcommand)]
        what: crate::admin_history::HistoryCmd,
    },
}

#[derive(Subcommand)]
pub enum MenuCmd {
    /// Check a menu file: every problem as file:line:col (unknown or unreachable nodes, loops
    /// without an exit, duplicate numbers; with a data dir, missing articles and groups).
    /// Exits non-zero when there is any.
    Check { file: PathBuf },
}

#[derive(Subcommand)]
pub enum QuickReplyCmd {
    /// Every quick reply: id, scope, owner, shortcut, title, intents.
    List,
    /// Add a team reply, or with --owner a personal one. The body may use variables
    /// ({customer.nickname}, {agent.name}, {session.id}, {date}, …; docs/protocol.md).
    Add {
        #[arg(long)]
        shortcut: String,
        #[arg(long)]
        title: String,
        #[arg(long)]
        body: String,
        /// The agent (username) whose personal reply this is.
        #[arg(long)]
        owner: Option<String>,
        /// Only this skill group's agents see it (team replies).
        #[arg(long)]
        group: Option<String>,
        /// An intent it answers (repeatable), for ranking.
        #[arg(long = "intent")]
        intents: Vec<String>,
    },
    /// Change some fields of a reply.
    Edit {
        id: i64,
        #[arg(long)]
        shortcut: Option<String>,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        body: Option<String>,
        #[arg(long)]
        group: Option<String>,
        /// Replaces the intents (repeatable).
        #[arg(long = "intent")]
        intents: Vec<String>,
    },
    Remove {
        id: i64,
    },
    /// Import a CSV (`shortcut,title,body,scope,owner,intents`) or TOML (`[[reply]]`) file;
    /// a reply with the same scope, owner and shortcut is updated. Bad rows are reported with
    /// their line; the good ones are imported.
    Import {
        path: PathBuf,
    },
    /// Write every reply as CSV (or TOML for a `.toml` path) to PATH, or CSV to stdout.
    Export {
        path: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum IntegrationCmd {
    /// Create an integration; prints its secret once.
    Add {
        name: String,
        /// app, mini_program or api.
        #[arg(long)]
        channel: Channel,
        /// Where events for its customers are POSTed (http:// or https://).
        #[arg(long)]
        webhook: String,
    },
    /// Every integration (never the secrets).
    List,
    /// Generate a new secret (printed once); the old one keeps working for --grace-secs.
    RotateSecret {
        name: String,
        #[arg(long, default_value_t = admin::DEFAULT_ROTATION_GRACE_SECS)]
        grace_secs: u64,
    },
    /// Remove an integration: its requests are refused and its webhook stops.
    Remove { name: String },
}

#[derive(Subcommand)]
pub enum AdminKbCmd {
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
    /// Each agent's last check-in on the latest updates and how many published articles
    /// changed since (unread).
    Checkins,
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
    /// Lift a login lock or back-off after failed logins (docs/security.md); audited.
    Unlock {
        username: String,
    },
    /// Disable an account: it cannot log in, and its sign-ins end now (audited).
    Disable {
        username: String,
    },
    /// Enable a disabled account again (audited).
    Enable {
        username: String,
    },
    /// Remove the agent's second factor (a lost device) and end their sign-ins; audited.
    #[command(name = "reset-2fa")]
    Reset2fa {
        username: String,
    },
    /// Set an agent's role (agent, supervisor, admin); ends their sign-ins
    /// (`docs/permissions.md`).
    SetRole {
        username: String,
        role: Role,
        /// For a supervisor: a group they supervise (repeatable); none = every group.
        #[arg(long = "supervises")]
        supervises: Vec<String>,
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
            if let AdminCmd::Menu {
                what: MenuCmd::Check { file },
            } = &what
            {
                // Only a data dir asked for (flag, KEFU_DATA_DIR, config): never the default.
                let asked = common.data_dir.is_some()
                    || std::env::var_os("KEFU_DATA_DIR").is_some_and(|v| !v.is_empty())
                    || config.data_dir.is_some();
                let dir = asked
                    .then(|| data_dir(common.data_dir.clone(), &config))
                    .transpose()?;
                let given = common.config.is_some().then_some(&config);
                return crate::menu_cmd::check(file, dir.as_deref(), given);
            }
            let dir = data_dir(common.data_dir, &config)?;
            if let AdminCmd::Compact = what {
                // Not through `open_store`: compaction needs the data dir to itself.
                let c = crate::store::sqlite::compact(&dir)?;
                println!(
                    "compacted {}: {} → {} bytes",
                    dir.display(),
                    c.before,
                    c.after
                );
                let mut store = crate::server::open_store(&dir, &config)?;
                let detail = serde_json::json!({"before": c.before, "after": c.after});
                return admin::record(&mut *store, crate::audit::COMPACT, "database", detail);
            }
            let mut store = crate::server::open_store(&dir, &config)?;
            if let AdminCmd::Report(args) = what {
                let out = args.out.as_ref().map(|p| p.display().to_string());
                crate::admin_report::run(&store, args, &config)?;
                let detail = serde_json::json!({ "out": out });
                return admin::record(&mut *store, crate::audit::EXPORT_REPORT, "report", detail);
            }
            run_admin(&mut store, what)
        }
        Command::Console {
            server,
            user,
            lang,
            ca,
        } => {
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
                ca,
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
        Command::Intents {
            what:
                IntentsCmd::Eval {
                    train,
                    test,
                    oos_label,
                    shots,
                    params,
                },
        } => crate::intents_cmd::eval(crate::intents_cmd::EvalArgs {
            train: &train,
            test: &test,
            oos_label: oos_label.as_deref(),
            shots,
            params: &params,
        }),
        Command::Intents {
            what:
                IntentsCmd::Classify {
                    intents,
                    lang,
                    texts,
                },
        } => crate::intents_cmd::classify(intents.as_deref(), &lang, &texts),
        Command::Kb {
            what: KbCmd::MatchEval { file },
        } => crate::intents_cmd::match_eval(&file),
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
            let detail = serde_json::json!({ "agent_id": id });
            admin::record(store, crate::audit::AGENT_ADD, &username, detail)?;
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
            what:
                AgentCmd::SetRole {
                    username,
                    role,
                    supervises,
                },
        } => {
            let ended = admin::set_role(store, &username, role, &supervises, &admin::actor())?;
            let scope = if role != Role::Supervisor {
                String::new()
            } else if supervises.is_empty() {
                " of every group".to_string()
            } else {
                format!(" of {}", supervises.join(", "))
            };
            println!("{username} is now {role}{scope}; {ended} sign-in(s) ended");
        }
        AdminCmd::Agent {
            what: AgentCmd::ResetPassword { username },
        } => {
            let password = admin::reset_password(store, &username)?;
            println!("new initial password for {username}: {password}");
            let detail = serde_json::json!({});
            admin::record(store, crate::audit::AGENT_RESET_PASSWORD, &username, detail)?;
        }
        AdminCmd::Agent {
            what: AgentCmd::Unlock { username },
        } => {
            let u = admin::unlock_agent(store, &username)?;
            let state = if u.was_locked { "locked" } else { "not locked" };
            println!(
                "unlocked {username} (it was {state}, with {} failed logins in a row)",
                u.failures
            );
        }
        AdminCmd::Agent {
            what: AgentCmd::Disable { username },
        } => {
            let n = admin::set_agent_disabled(store, &username, true, &admin::actor())?;
            println!("{username} disabled; {n} sign-in(s) ended");
        }
        AdminCmd::Agent {
            what: AgentCmd::Enable { username },
        } => {
            admin::set_agent_disabled(store, &username, false, &admin::actor())?;
            println!("{username} enabled");
        }
        AdminCmd::Agent {
            what: AgentCmd::Reset2fa { username },
        } => {
            let (had, ended) = admin::reset_2fa(store, &username)?;
            if had {
                println!("two-factor sign-in of {username} removed; {ended} sign-in(s) ended");
            } else {
                println!("{username} had no second factor; {ended} sign-in(s) ended");
            }
        }
        AdminCmd::Group {
            what: GroupCmd::Add { name, strategy },
        } => {
            admin::add_group(store, &name, strategy)?;
            println!("group {name} ({strategy})");
            let detail = serde_json::json!({ "strategy": strategy.to_string() });
            admin::record(store, crate::audit::GROUP_ADD, &name, detail)?;
        }
        AdminCmd::Group {
            what: GroupCmd::AddMember { group, username },
        } => {
            admin::add_member(store, &group, &username)?;
            println!("{username} is in {group}");
            let detail = serde_json::json!({ "group": group });
            admin::record(store, crate::audit::GROUP_JOIN, &username, detail)?;
        }
        AdminCmd::Integration { what } => run_integration(store, what)?,
        AdminCmd::Kb { what } => return run_kb(store, what),
        AdminCmd::QuickReply { what } => return run_quick_reply(store, what),
        AdminCmd::History { what } => {
            crate::admin_history::run(store, what)?;
            let detail = serde_json::json!({});
            admin::record(store, crate::audit::EXPORT_HISTORY, "history", detail)?;
        }
        // (Handled before a store is opened, in `run`; here for completeness.)
        AdminCmd::Menu {
            what: MenuCmd::Check { file },
        } => {
            return crate::menu_cmd::check(&file, None, None);
        }
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
        // Handled before this with the loaded config (its `[reports] time_zone`).
        AdminCmd::Report(args) => {
            return crate::admin_report::run(store, args, &ServerConfig::default());
        }
        AdminCmd::Purge { before, customer } => {
            let spec = crate::store::PurgeSpec {
                before: admin::parse_date(&before, crate::model::now_ms())?,
                customer,
            };
            let p = admin::purge(store, spec, &before, &admin::actor())?;
            println!(
                "purged {} conversations, {} messages, {} events, {} tokens, {} customers",
                p.sessions, p.messages, p.events, p.tokens, p.customers
            );
        }
        AdminCmd::Compact => anyhow::bail!("compaction needs the data dir to itself"),
        AdminCmd::Audit {
            since,
            action,
            actor,
            limit,
        } => {
            let since = since
                .map(|s| admin::parse_date(&s, crate::model::now_ms()))
                .transpose()?;
            let q = crate::store::AuditQuery {
                since,
                actor,
                action,
                limit,
                ..Default::default()
            };
            // Actors and targets can come from the network (a failed login's username):
            // made inert before they reach the terminal.
            let inert = crate::console::sanitize::inert_line;
            for e in admin::audit_query(store, &q)? {
                println!(
                    "{:<6} {} UTC  {:<20} {:<10} {:<16} {}",
                    e.id,
                    admin::format_time(e.at),
                    inert(&e.actor),
                    inert(&e.action),
                    inert(&e.target),
                    inert(&e.detail)
                );
            }
        }
    }
    Ok(())
}

fn run_integration(
    store: &mut dyn crate::store::Store,
    what: IntegrationCmd,
) -> anyhow::Result<()> {
    match what {
        IntegrationCmd::Add {
            name,
            channel,
            webhook,
        } => {
            let secret = admin::add_integration(store, &name, channel, &webhook)?;
            println!("created integration {name} ({channel}) -> {webhook}");
            println!("secret: {secret}");
            println!("(shown once: keep it in the integration's backend; it signs requests)");
            let detail = serde_json::json!({ "channel": channel.as_str() });
            admin::record(store, crate::audit::INTEGRATION_ADD, &name, detail)?;
        }
        IntegrationCmd::List => {
            println!("{:<20} {:<13} {:<10} webhook", "name", "channel", "cursor");
            for i in admin::list_integrations(store)? {
                println!(
                    "{:<20} {:<13} {:<10} {}",
                    i.name,
                    i.channel.as_str(),
                    i.webhook_cursor,
                    i.webhook_url
                );
            }
        }
        IntegrationCmd::RotateSecret { name, grace_secs } => {
            let secret = admin::rotate_secret(store, &name, grace_secs)?;
            println!("new secret for {name}: {secret}");
            let detail = serde_json::json!({ "grace_secs": grace_secs });
            admin::record(store, crate::audit::INTEGRATION_ROTATE, &name, detail)?;
            println!(
                "(the old one verifies requests for {grace_secs} s more; webhooks are signed with the new one from now on)"
            );
        }
        IntegrationCmd::Remove { name } => {
            admin::remove_integration(store, &name)?;
            println!("removed integration {name}");
            let detail = serde_json::json!({});
            admin::record(store, crate::audit::INTEGRATION_REMOVE, &name, detail)?;
        }
    }
    Ok(())
}

fn run_kb(store: &mut dyn crate::store::Store, what: AdminKbCmd) -> anyhow::Result<()> {
    match what {
        AdminKbCmd::Import { path } => {
            let r = admin::import_kb(store, &path)?;
            let detail = import_detail(r.created, r.updated, r.unchanged, r.errors.len());
            admin::record(
                store,
                crate::audit::KB_IMPORT,
                &path.display().to_string(),
                detail,
            )?;
            import_summary(r.created, r.updated, r.unchanged, &r.errors)?;
        }
        AdminKbCmd::Export { format, path } => {
            let n = crate::kb::export::export(store, format, &path)?;
            println!("{n} articles written to {}", path.display());
            let target = path.display().to_string();
            let detail = serde_json::json!({ "articles": n });
            admin::record(store, crate::audit::EXPORT_KB, &target, detail)?;
        }
        AdminKbCmd::Checkins => print!("{}", crate::kb::checkins::table(store)?),
    }
    Ok(())
}

/// What an import did, for the audit log.
fn import_detail(
    created: usize,
    updated: usize,
    unchanged: usize,
    rejected: usize,
) -> serde_json::Value {
    serde_json::json!({
        "created": created, "updated": updated, "unchanged": unchanged, "rejected": rejected,
    })
}

/// What an import did, for people; fails (non-zero exit) when any row was rejected, after
/// listing each on stderr as `file:line: reason`.
fn import_summary(
    created: usize,
    updated: usize,
    unchanged: usize,
    errors: &[impl std::fmt::Display],
) -> anyhow::Result<()> {
    for e in errors {
        eprintln!("{e}");
    }
    let rejected = errors.len();
    println!("{created} created, {updated} updated, {unchanged} unchanged, {rejected} rejected");
    if rejected > 0 {
        anyhow::bail!("{rejected} rows were not imported (listed above)");
    }
    Ok(())
}

fn run_quick_reply(store: &mut dyn crate::store::Store, what: QuickReplyCmd) -> anyhow::Result<()> {
    use crate::admin_quick::{self as aq, Saved};
    use crate::protocol::{QuickReplySave, QuickScope};
    let said = |s: Saved| match s {
        Saved::Created(id) => println!("created quick reply {id}"),
        Saved::Updated(id) => println!("updated quick reply {id}"),
        Saved::Unchanged(id) => println!("quick reply {id} unchanged"),
    };
    // A change is recorded; an unchanged one is not a change.
    let record = |store: &mut dyn crate::store::Store, action: &str, s: &Saved| match s {
        Saved::Created(id) | Saved::Updated(id) => {
            let target = format!("quick_reply:{id}");
            admin::record(store, action, &target, serde_json::json!({}))
        }
        Saved::Unchanged(_) => Ok(()),
    };
    match what {
        QuickReplyCmd::List => {
            println!(
                "{:<5} {:<9} {:<12} {:<16} {:<30} intents",
                "id", "scope", "owner/group", "shortcut", "title"
            );
            for (owner, q) in aq::list(store)? {
                let whose = owner.or(q.group.clone()).unwrap_or_else(|| "-".into());
                println!(
                    "{:<5} {:<9} {:<12} {:<16} {:<30} {}",
                    q.id,
                    q.scope.as_str(),
                    whose,
                    q.shortcut,
                    q.title,
                    q.intents.join(",")
                );
            }
        }
        QuickReplyCmd::Add {
            shortcut,
            title,
            body,
            owner,
            group,
            intents,
        } => {
            let save = QuickReplySave {
                quick_reply_id: None,
                scope: if owner.is_some() {
                    QuickScope::Personal
                } else {
                    QuickScope::Team
                },
                group,
                shortcut,
                title,
                body,
                intents,
            };
            let saved = aq::upsert(store, owner.as_deref(), save)?;
            record(store, crate::audit::QUICK_REPLY_ADD, &saved)?;
            said(saved);
        }
        QuickReplyCmd::Edit {
            id,
            shortcut,
            title,
            body,
            group,
            intents,
        } => {
            let saved = aq::edit(store, id, |q| {
                if let Some(v) = shortcut {
                    q.shortcut = v;
                }
                if let Some(v) = title {
                    q.title = v;
                }
                if let Some(v) = body {
                    q.body = v;
                }
                if let Some(v) = group {
                    q.group = Some(v);
                }
                if !intents.is_empty() {
                    q.intents = intents;
                }
            })?;
            record(store, crate::audit::QUICK_REPLY_EDIT, &saved)?;
            said(saved);
        }
        QuickReplyCmd::Remove { id } => {
            aq::remove(store, id)?;
            println!("removed quick reply {id}");
            let target = format!("quick_reply:{id}");
            admin::record(
                store,
                crate::audit::QUICK_REPLY_REMOVE,
                &target,
                serde_json::json!({}),
            )?;
        }
        QuickReplyCmd::Import { path } => {
            let r = aq::import(store, &path)?;
            let detail = import_detail(r.created, r.updated, r.unchanged, r.errors.len());
            let target = path.display().to_string();
            admin::record(store, crate::audit::QUICK_REPLY_IMPORT, &target, detail)?;
            import_summary(r.created, r.updated, r.unchanged, &r.errors)?;
        }
        QuickReplyCmd::Export { path } => {
            let toml = path
                .as_ref()
                .and_then(|p| p.extension())
                .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
            let text = aq::export(store, toml)?;
            let target = path
                .as_ref()
                .map_or("stdout".into(), |p| p.display().to_string());
            let detail = serde_json::json!({});
            admin::record(store, crate::audit::EXPORT_QUICK_REPLIES, &target, detail)?;
            match path {
                Some(p) => {
                    std::fs::write(&p, text)
                        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", p.display()))?;
                    println!("quick replies written to {}", p.display());
                }
                None => print!("{text}"),
            }
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
