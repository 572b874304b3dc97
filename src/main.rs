//! `tether`: the window, the CLI, `tether demo`, `tether sandbox-org` and `tether bench`.
//!
//! The library (`tether`) holds the product; this program adds what starts the sandbox org,
//! which the library never links.

mod org_command;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use tether::cli::{self, CliError, DataDirArg, DemoArgs};

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
    SandboxOrg(org_command::SandboxOrgArgs),
    /// Measure the sandbox org: seeding and paged queries, printed as a table.
    Bench(tether_bench::BenchArgs),
    #[command(flatten)]
    Product(cli::Command),
}

fn main() -> ExitCode {
    tether::mark_process_start();
    let matches = Cli::command().get_matches();
    let parsed = match Cli::from_arg_matches(&matches) {
        Ok(parsed) => parsed,
        Err(e) => e.exit(),
    };
    let log_file = match &parsed.command {
        None => cli::window_log_file(&DataDirArg::from_env()),
        Some(Command::Demo(args)) => cli::window_log_file(&args.dir),
        _ => None,
    };
    let log_file = cli::init_logging(log_file);
    let data_dir = matches
        .subcommand()
        .and_then(|(_, sub)| sub.try_get_one::<PathBuf>("data_dir").ok().flatten())
        .cloned();
    cli::install_panic_log(log_file.clone(), data_dir);
    cli::quiet_on_closed_stdout();
    let result = match parsed.command {
        None => window(log_file, None),
        Some(Command::Demo(args)) => window(log_file, Some(args)),
        Some(Command::SandboxOrg(args)) => {
            let apps = matches
                .subcommand_matches("sandbox-org")
                .map(org_command::app_args_in_order)
                .unwrap_or_default();
            org_command::run(args, apps)
        }
        Some(Command::Bench(args)) => tether_bench::run_command(args).map_err(CliError::Bench),
        Some(Command::Product(command)) => cli::run(command),
    };
    cli::exit(result)
}

/// `tether` alone opens the app on the user's workspace; `tether demo` opens it connected to
/// the sandbox org.
#[cfg(feature = "gui")]
fn window(log_file: Option<PathBuf>, demo: Option<DemoArgs>) -> Result<(), CliError> {
    let starter = tether_bench::embedded::sandbox_starter();
    match demo {
        None => cli::demo::app(log_file, starter),
        Some(args) => cli::demo::run(args, log_file, starter),
    }
}

#[cfg(not(feature = "gui"))]
fn window(_: Option<PathBuf>, _: Option<DemoArgs>) -> Result<(), CliError> {
    Err(CliError::Usage(
        "this tether was built without the window; use the CLI (tether --help lists its commands)"
            .to_string(),
    ))
}
