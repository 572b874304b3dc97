//! `tether demo` and `tether` alone: the window and its desktop service.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::connect::{DataDirArg, data_dir};
use super::{CliError, DemoArgs};
use crate::connect::{DEFAULT_CALLBACK_PORT, KeyringStore, SecretStore};
use crate::desktop::{DesktopConfig, SandboxOptions, SandboxStart, SandboxStarter, UrlOpener};
use crate::ui::{self, Launch};

/// `tether`: the app on the user's own workspace, with the sandbox org one click away.
pub fn app(log_file: Option<PathBuf>, starter: SandboxStarter) -> Result<(), CliError> {
    let dir = data_dir(&DataDirArg::from_env())?;
    let config = DesktopConfig {
        workspace: dir.join("workspace.sqlite"),
        secrets: keychain(),
        open_url: browser(),
        callback_port: DEFAULT_CALLBACK_PORT,
        sign_in_timeout: Duration::from_secs(300),
        sandbox: Some(SandboxOptions {
            starter,
            start: SandboxStart {
                data_file: Some(dir.join("sandbox-org.sqlite")),
                seed_records: Some(super::DEFAULT_SEED_RECORDS),
            },
            connect_at_start: false,
            demo_links: true,
        }),
        data_dir: dir,
    };
    open(Launch::service(config, ui::APP_TITLE, log_file))
}

/// `tether demo`: connected to the sandbox org from the first frame, with demo links.
pub fn run(
    args: DemoArgs,
    log_file: Option<PathBuf>,
    starter: SandboxStarter,
) -> Result<(), CliError> {
    let dir = data_dir(&args.dir)?;
    let workspace = match args.workspace {
        Some(path) => path,
        None => demo_workspace(&dir, args.data.is_none())?,
    };
    let config = DesktopConfig {
        workspace,
        secrets: keychain(),
        open_url: browser(),
        callback_port: DEFAULT_CALLBACK_PORT,
        sign_in_timeout: Duration::from_secs(300),
        sandbox: Some(SandboxOptions {
            starter,
            start: SandboxStart {
                data_file: args.data,
                seed_records: (args.seed_size > 0).then_some(args.seed_size),
            },
            connect_at_start: true,
            demo_links: true,
        }),
        data_dir: dir,
    };
    open(Launch::service(config, ui::SANDBOX_TITLE, log_file))
}

/// The demo's own workspace; emptied when the org itself starts empty, so that its links
/// never point at records of an org that is gone.
fn demo_workspace(dir: &std::path::Path, fresh: bool) -> Result<PathBuf, CliError> {
    let folder = dir.join("demo");
    std::fs::create_dir_all(&folder).map_err(|e| {
        CliError::Usage(format!(
            "cannot create the demo folder {}: {e}. Pick another data directory with --data-dir",
            folder.display()
        ))
    })?;
    let path = folder.join("workspace.sqlite");
    if fresh {
        for suffix in ["", "-wal", "-shm"] {
            let file = PathBuf::from(format!("{}{suffix}", path.display()));
            if let Err(e) = std::fs::remove_file(&file)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                return Err(CliError::Usage(format!(
                    "cannot reset the demo workspace {}: {e}. Close other Tether windows, or pass --workspace",
                    file.display()
                )));
            }
        }
    }
    Ok(path)
}

fn keychain() -> Option<Arc<dyn SecretStore>> {
    match KeyringStore::open() {
        Ok(store) => Some(Arc::new(store)),
        Err(e) => {
            tracing::warn!("no keychain, connections cannot be saved: {e}");
            None
        }
    }
}

/// Opens URLs with the desktop's handler.
fn browser() -> UrlOpener {
    Arc::new(|url: &str| {
        std::process::Command::new("xdg-open")
            .arg(url)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .is_ok()
    })
}

fn open(launch: Launch) -> Result<(), CliError> {
    ui::run(launch).map_err(|e| CliError::Window(e.to_string()))
}
