//! The `tether` command line: the desktop app, the demo and the standalone sandbox org.

mod connect;
mod demo;
mod history;
mod import;
mod link;
mod query;
mod sandbox_org;
mod sync;
mod workspace;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

pub use connect::{ConnectArgs, ConnectionsArgs, DataDirArg, DisconnectArgs};
pub use sandbox_org::{AppArg, SandboxOrgArgs, config_from_argv, org_config};
pub use workspace::WorkspaceArg;

/// Records seeded into a new demo or standalone org: about 300 accounts with their
/// contacts, opportunities and leads.
pub const DEFAULT_SEED_RECORDS: usize = 2_500;

#[derive(Debug, Parser)]
#[command(
    name = "tether",
    version,
    about = "Keeps a team's own data and Salesforce in sync",
    long_about = "Keeps a team's own data and Salesforce in sync.\n\nRun without a command to open the app."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the app connected to a built-in sandbox org filled with demo data.
    Demo(DemoArgs),
    /// Run a standalone Salesforce-compatible sandbox org on loopback until Ctrl+C.
    SandboxOrg(SandboxOrgArgs),
    /// Measure the sandbox org: seeding and paged queries, printed as a table.
    Bench(BenchArgs),
    /// Connect an org: sign in with the browser (or --jwt) and keep the tokens in the keychain.
    Connect(ConnectArgs),
    /// List the connected orgs.
    Connections(ConnectionsArgs),
    /// Revoke a connection's tokens, remove them from the keychain and forget the connection.
    Disconnect(DisconnectArgs),
    /// Run a SOQL query on a connected org and print the records (CSV or JSON).
    Query(query::QueryArgs),
    /// Show a connected org's API limits and how much of each is used.
    Limits(query::LimitsArgs),
    /// Run a link now (or every link with --all): pull, plan, push, and record the run.
    Sync(sync::SyncArgs),
    /// Undo a run: put Salesforce, the local table and the link's bases back as they were.
    Undo(sync::UndoArgs),
    /// List the latest sync runs with their status and counts.
    Runs(history::RunsArgs),
    /// List the records that failed in sync runs, with what to do about each.
    Errors(history::ErrorsArgs),
    /// List the conflicts waiting for a decision, or resolve one.
    Conflicts(history::ConflictsArgs),
    /// Manage the links between local tables and Salesforce objects.
    Link(link::LinkArgs),
    /// Import a spreadsheet (CSV, TSV or XLSX) into Salesforce: checked row by row first,
    /// upserted on an external id, and undone with `tether undo RUN`.
    Import(import::ImportArgs),
}

#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Records seeded into the org before the queries run.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub records: usize,
    /// Rows per query page (Sforce-Query-Options batchSize, 200 to 2000).
    #[arg(long, value_name = "N", default_value_t = 2_000, value_parser = clap::value_parser!(u32).range(200..=2000))]
    pub batch_size: u32,
    /// Accounts for the sync budget section: API calls of a first pull and of pushes against
    /// the lower bound (0 leaves the section out).
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub sync_records: usize,
    /// Measure the window instead (needs a display): launch to first frame, and frame times
    /// with a long stored history while a large sync runs.
    #[arg(long)]
    pub ui: bool,
    /// With --ui: runs and failed records stored in the workspace (each).
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    pub ui_history: u64,
    /// With --ui: accounts the background sync pulls.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub ui_sync_records: usize,
    /// Rows of the generated sheet for the import section: preview, parse, validate, check
    /// and load (0 leaves the section out).
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub import_rows: usize,
    /// Measure only the import section.
    #[arg(long, conflicts_with = "ui")]
    pub import: bool,
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// SQLite file that keeps the sandbox org between runs (default: in memory, and the
    /// demo workspace starts afresh each time).
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// About how many demo records to seed into an empty org (0 seeds nothing).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SEED_RECORDS)]
    pub seed_size: usize,
    /// The demo's workspace (default: demo/workspace.sqlite in the data directory).
    #[arg(long, value_name = "FILE")]
    pub workspace: Option<PathBuf>,
    #[command(flatten)]
    pub dir: DataDirArg,
}

/// Why a command stopped. Every variant says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("cannot start the sandbox org: {0:#}")]
    OrgStart(anyhow::Error),
    #[error(
        "cannot open the window: {0}. Check that a graphical session is running (DISPLAY or WAYLAND_DISPLAY is set)"
    )]
    Window(String),
    #[error("cannot start the background runtime: {0}")]
    Runtime(std::io::Error),
    #[error("the benchmark failed: {0:#}")]
    Bench(anyhow::Error),
    #[error("{0}")]
    Connect(#[from] crate::connect::ConnectError),
    /// A Salesforce error, whose text already says what refused what.
    #[error("{0}")]
    Salesforce(String),
    #[error("{0}")]
    Workspace(crate::workspace::WorkspaceError),
    #[error("{0}")]
    Sync(String),
    #[error("{0}")]
    LinkProblems(String),
    /// The reader of standard output stopped reading (`tether query … | head`): not a failure.
    #[error("standard output was closed")]
    ClosedPipe,
}

impl CliError {
    /// 2 for problems the user fixes by changing the command or the machine (clap's
    /// convention for usage errors), 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::ClosedPipe => 0,
            CliError::Usage(_) | CliError::OrgStart(_) => 2,
            CliError::Window(_)
            | CliError::Runtime(_)
            | CliError::Bench(_)
            | CliError::Connect(_)
            | CliError::Salesforce(_)
            | CliError::Workspace(_)
            | CliError::Sync(_)
            | CliError::LinkProblems(_) => 1,
        }
    }
}

/// Parses the process arguments and runs the chosen command.
pub fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    // The window has no terminal: its log also goes to a file that Settings points to.
    let log_file = match &cli.command {
        None => connect::data_dir(&DataDirArg::from_env()).ok(),
        Some(Command::Demo(args)) => connect::data_dir(&args.dir).ok(),
        _ => None,
    }
    .map(|dir| dir.join("logs").join("tether.log"));
    let log_file = init_logging(log_file);
    quiet_on_closed_stdout();
    let result = match cli.command {
        None => demo::app(log_file),
        Some(Command::Demo(args)) => demo::run(args, log_file),
        Some(Command::SandboxOrg(args)) => {
            let apps = matches
                .subcommand_matches("sandbox-org")
                .map(sandbox_org::app_args_in_order)
                .unwrap_or_default();
            sandbox_org::run(args, apps)
        }
        Some(Command::Bench(args)) => bench(args),
        Some(Command::Connect(args)) => connect::connect(args),
        Some(Command::Connections(args)) => connect::connections(args),
        Some(Command::Disconnect(args)) => connect::disconnect_command(args),
        Some(Command::Query(args)) => query::query(args),
        Some(Command::Limits(args)) => query::limits(args),
        Some(Command::Sync(args)) => sync::sync(args),
        Some(Command::Undo(args)) => sync::undo(args),
        Some(Command::Runs(args)) => history::runs(args),
        Some(Command::Errors(args)) => history::errors(args),
        Some(Command::Conflicts(args)) => history::conflicts(args),
        Some(Command::Link(args)) => link::run(args),
        Some(Command::Import(args)) => import::import(args),
    };
    match result {
        Ok(()) | Err(CliError::ClosedPipe) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// `tether runs | head` closes the pipe early: `print!` then panics on the broken pipe, which
/// is the reader's choice, not a failure, so the process ends quietly with 0 instead of 101.
fn quiet_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info.payload_as_str().unwrap_or_default();
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

fn bench(args: BenchArgs) -> Result<(), CliError> {
    if args.ui {
        let report = crate::bench::ui::run(&crate::bench::ui::UiOptions {
            launches: 5,
            history: args.ui_history,
            sync_records: args.ui_sync_records,
        })
        .map_err(CliError::Bench)?;
        print!("{}", crate::bench::ui::render(&report));
        return Ok(());
    }
    let options = crate::bench::BenchOptions {
        records: args.records,
        batch_size: args.batch_size,
        sync_records: args.sync_records,
    };
    let runtime = tokio::runtime::Runtime::new().map_err(CliError::Runtime)?;
    let import_section = |runtime: &tokio::runtime::Runtime| -> Result<(), CliError> {
        if args.import_rows > 0 {
            let report = runtime
                .block_on(crate::bench::import::run(args.import_rows))
                .map_err(CliError::Bench)?;
            print!("{}", crate::bench::render(&report));
        }
        Ok(())
    };
    if args.import {
        return import_section(&runtime);
    }
    let report = runtime
        .block_on(crate::bench::run(&options))
        .map_err(CliError::Bench)?;
    print!("{}", crate::bench::render(&report));
    if options.sync_records > 0 {
        let budget = runtime
            .block_on(crate::bench::sync::run(options.sync_records))
            .map_err(CliError::Bench)?;
        println!();
        print!("{}", crate::bench::sync::render(&budget));
    }
    println!();
    import_section(&runtime)
}

/// Logs to stderr, filtered by `RUST_LOG` (default: info for Tether, warnings for the rest),
/// and to `file` when given and writable. Returns the file that is written.
fn init_logging(file: Option<PathBuf>) -> Option<PathBuf> {
    use tracing_subscriber::fmt::writer::MakeWriterExt;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,tether=info"));
    let opened = file.and_then(|path| {
        let dir = path.parent()?;
        std::fs::create_dir_all(dir).ok()?;
        let handle = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .ok()?;
        Some((path, handle))
    });
    match opened {
        Some((path, handle)) => {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_ansi(false)
                .with_writer(std::io::stderr.and(std::sync::Mutex::new(handle)))
                .try_init();
            Some(path)
        }
        None => {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_writer(std::io::stderr)
                .try_init();
            None
        }
    }
}
