//! The `tether` command line: the commands of the product. The program adds `demo`,
//! `sandbox-org` and `bench`, which start the sandbox org that this library never links.

mod access;
mod analytics;
mod connect;
#[cfg(feature = "gui")]
pub mod demo;
mod fields;
mod history;
mod import;
mod link;
mod panic_log;
mod query;
mod records;
mod sync;
mod workspace;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

pub use connect::{ConnectArgs, ConnectionsArgs, DataDirArg, DisconnectArgs};
pub use workspace::WorkspaceArg;

/// Records seeded into a new demo or standalone org: about 300 accounts with their
/// contacts, opportunities and leads.
pub const DEFAULT_SEED_RECORDS: usize = 2_500;

#[derive(Debug, Subcommand)]
pub enum Command {
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
    /// List the saved queries (run one with `tether query CONNECTION @NAME`), or the history
    /// of queries run here and in the window.
    Queries(query::QueriesArgs),
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
    /// Create custom fields in an org from a spec file, granted to you through the permission
    /// set Tether_Sync.
    Fields(fields::FieldsArgs),
    /// Import a spreadsheet (CSV, TSV or XLSX) into Salesforce: checked row by row first,
    /// upserted on an external id, and undone with `tether undo RUN`.
    Import(import::ImportArgs),
    /// Browse an org's records as the Records page does (`tether records list --connection C
    /// --object Account --filter 'Industry = Energy' --sort Name`), and read, edit, create or
    /// delete one record; each write is a run `tether undo` takes back.
    Records(records::RecordsArgs),
    /// Pipeline, lead, account and owner reports from aggregate SOQL, as tables, CSV or JSON.
    Analytics(analytics::AnalyticsArgs),
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// SQLite file that keeps the sandbox org between runs (default: in memory, and the
    /// demo workspace starts afresh each time).
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// About how many demo records to seed into an empty org, all objects together (0 seeds
    /// nothing): an Account per 8 (N/8 Accounts), each with 2-4 Contacts and 1-3
    /// Opportunities, and a Lead per 4. So 100000 seeds 12,500 Accounts.
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
    /// The signed-in user's role in Salesforce does not allow the command; the text names the
    /// role, the connection and the permission to ask for.
    #[error("{0}")]
    Refused(String),
    /// The reader of standard output stopped reading (`tether query … | head`): not a failure.
    #[error("standard output was closed")]
    ClosedPipe,
}

impl CliError {
    /// 2 for problems the user fixes by changing the command or the machine (clap's
    /// convention for usage errors), 3 for a command the user's Salesforce role does not
    /// allow, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::ClosedPipe => 0,
            CliError::Usage(_) | CliError::OrgStart(_) => 2,
            CliError::Refused(_) => 3,
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

/// The log file of the window (`tether` alone, `tether demo`): the window has no terminal,
/// so its log also goes to a file that Settings points to.
pub fn window_log_file(dir: &DataDirArg) -> Option<PathBuf> {
    connect::data_dir(dir)
        .ok()
        .map(|dir| dir.join("logs").join("tether.log"))
}

/// Runs one of the product's commands.
pub fn run(command: Command) -> Result<(), CliError> {
    match command {
        Command::Connect(args) => connect::connect(args),
        Command::Connections(args) => connect::connections(args),
        Command::Disconnect(args) => connect::disconnect_command(args),
        Command::Query(args) => query::query(args),
        Command::Limits(args) => query::limits(args),
        Command::Queries(args) => query::queries(args),
        Command::Sync(args) => sync::sync(args),
        Command::Undo(args) => sync::undo(args),
        Command::Runs(args) => history::runs(args),
        Command::Errors(args) => history::errors(args),
        Command::Conflicts(args) => history::conflicts(args),
        Command::Link(args) => link::run(args),
        Command::Fields(args) => fields::run(args),
        Command::Import(args) => import::import(args),
        Command::Records(args) => records::records(args),
        Command::Analytics(args) => analytics::analytics(args),
    }
}

/// The exit code of a command's result, with its error printed.
pub fn exit(result: Result<(), CliError>) -> ExitCode {
    match result {
        Ok(()) | Err(CliError::ClosedPipe) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// A panic is a bug: it goes to the data folder's log whatever the command, so that there is
/// something to report. `log_file` is the window's log, when it has one; `data_dir` the
/// command's `--data-dir`, when given.
pub fn install_panic_log(log_file: Option<PathBuf>, data_dir: Option<PathBuf>) {
    let panic_file = log_file.or_else(|| {
        let dir = match data_dir {
            Some(data_dir) => DataDirArg {
                data_dir: Some(data_dir),
            },
            None => DataDirArg::from_env(),
        };
        connect::data_dir_path(&dir).map(|dir| dir.join("logs").join("tether.log"))
    });
    if let Some(path) = panic_file {
        panic_log::install(path);
    }
}

/// `tether runs | head` closes the pipe early: `print!` then panics on the broken pipe, which
/// is the reader's choice, not a failure, so the process ends quietly with 0 instead of 101.
pub fn quiet_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info.payload_as_str().unwrap_or_default();
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

/// Logs to stderr, filtered by `RUST_LOG` (default: info for Tether, its sandbox org and
/// bench, warnings for the rest),
/// and to `file` when given and writable. Returns the file that is written. The phases of a
/// sync or an import are debug spans: with `RUST_LOG=debug` each one's end is logged with
/// its time.
pub fn init_logging(file: Option<PathBuf>) -> Option<PathBuf> {
    use tracing_subscriber::filter::{FilterExt, filter_fn};
    use tracing_subscriber::fmt::format::FmtSpan;
    use tracing_subscriber::fmt::writer::MakeWriterExt;
    use tracing_subscriber::prelude::*;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("warn,tether=info,sandbox_org=info,tether_bench=info")
    });
    // Only Tether's own spans are kept: other crates' carry fields that are not ours to print.
    let filter = filter.and(filter_fn(|meta| {
        !meta.is_span() || meta.target().starts_with("tether")
    }));
    let layer = tracing_subscriber::fmt::layer().with_span_events(FmtSpan::CLOSE);
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
            let layer = layer
                .with_ansi(false)
                .with_writer(std::io::stderr.and(std::sync::Mutex::new(handle)));
            let _ = tracing_subscriber::registry()
                .with(layer.with_filter(filter))
                .try_init();
            Some(path)
        }
        None => {
            let layer = layer.with_writer(std::io::stderr);
            let _ = tracing_subscriber::registry()
                .with(layer.with_filter(filter))
                .try_init();
            None
        }
    }
}
