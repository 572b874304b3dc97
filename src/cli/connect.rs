//! `tether connect`, `tether connections` and `tether disconnect`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use super::CliError;
use crate::connect::oauth::{jwt_login, password_login_with_secret};
use crate::connect::{
    CallbackListener, ConnectError, ConnectionDb, DEFAULT_CALLBACK_PORT, KeyringStore, LoginUrl,
    NewConnection, SecretStore, disconnect, http_client, save, web_login_with_secret,
};

/// Where Tether keeps its local database, unless told otherwise.
#[derive(Debug, Clone, Args)]
pub struct DataDirArg {
    /// Directory of Tether's local database (default: $XDG_DATA_HOME/tether).
    #[arg(long, value_name = "DIR", env = "TETHER_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
}

impl DataDirArg {
    /// `TETHER_DATA_DIR` when set, for the app started without a command (and so without the
    /// flag that reads it).
    pub fn from_env() -> DataDirArg {
        DataDirArg {
            data_dir: std::env::var_os("TETHER_DATA_DIR")
                .filter(|d| !d.is_empty())
                .map(PathBuf::from),
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct ConnectArgs {
    /// Where to sign in: `production`, `sandbox`, a My Domain URL or any custom host.
    #[arg(long, value_name = "URL", default_value = "production")]
    pub login_url: String,
    /// Consumer key of the connected app.
    #[arg(long, value_name = "ID")]
    pub client_id: String,
    /// Name of the connection (default: the username that signed in).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Loopback port of the callback URL registered in the connected app
    /// (http://localhost:<N>/OauthRedirect).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CALLBACK_PORT)]
    pub port: u16,
    /// Only print the sign-in URL; do not open a browser.
    #[arg(long)]
    pub no_browser: bool,
    /// Seconds to wait for the browser sign-in.
    #[arg(long, value_name = "SECS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,
    /// JWT bearer flow for headless or scheduled use: the private key (PEM) whose
    /// certificate is uploaded to the connected app. Needs --username.
    #[arg(
        long,
        value_name = "KEY_FILE",
        requires = "username",
        conflicts_with = "password_flow"
    )]
    pub jwt: Option<PathBuf>,
    /// User to sign in as (JWT bearer and username-password flows).
    #[arg(long, value_name = "USERNAME")]
    pub username: Option<String>,
    /// Discouraged: the username-password flow, for legacy orgs that allow nothing else.
    /// The password (with security token appended, if the org wants one) is read from
    /// TETHER_PASSWORD or standard input. Needs --username.
    #[arg(long, requires = "username")]
    pub password_flow: bool,
    /// Consumer secret of the connected app, for apps that require one (a new connected
    /// app does). Prefer the environment variable to the flag, which other users of the
    /// machine can see. Kept in the system keychain with the tokens.
    #[arg(
        long,
        value_name = "SECRET",
        env = "TETHER_CLIENT_SECRET",
        hide_env_values = true,
        conflicts_with = "jwt"
    )]
    pub client_secret: Option<String>,
    #[command(flatten)]
    pub data: DataDirArg,
}

#[derive(Debug, Clone, Args)]
pub struct ConnectionsArgs {
    #[command(flatten)]
    pub data: DataDirArg,
}

#[derive(Debug, Clone, Args)]
pub struct DisconnectArgs {
    /// The connection to remove (see `tether connections`).
    pub name: String,
    #[command(flatten)]
    pub data: DataDirArg,
}

/// The data directory, created if missing.
pub(super) fn data_dir(data: &DataDirArg) -> Result<PathBuf, CliError> {
    let dir = match &data.data_dir {
        Some(dir) => dir.clone(),
        None => default_data_dir()?,
    };
    std::fs::create_dir_all(&dir).map_err(|e| {
        CliError::Usage(format!(
            "cannot create the data directory {}: {e}. Pick another with --data-dir",
            dir.display()
        ))
    })?;
    Ok(dir)
}

pub(super) fn open_db(data: &DataDirArg) -> Result<ConnectionDb, CliError> {
    let dir = data_dir(data)?;
    Ok(ConnectionDb::open(&dir.join("tether.db")).map_err(ConnectError::from)?)
}

/// The data directory `data` names, without creating it.
pub(super) fn data_dir_path(data: &DataDirArg) -> Option<PathBuf> {
    data.data_dir.clone().or_else(|| default_data_dir().ok())
}

fn default_data_dir() -> Result<PathBuf, CliError> {
    let base = match std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => match std::env::var_os("HOME") {
            Some(home) => Path::new(&home).join(".local/share"),
            None => {
                return Err(CliError::Usage(
                    "cannot tell where to keep Tether's data: set HOME or pass --data-dir".into(),
                ));
            }
        },
    };
    Ok(base.join("tether"))
}

pub(super) fn keychain() -> Result<Arc<dyn SecretStore>, CliError> {
    Ok(Arc::new(KeyringStore::open().map_err(ConnectError::from)?))
}

pub(super) fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Runtime::new().map_err(CliError::Runtime)
}

pub fn connect(args: ConnectArgs) -> Result<(), CliError> {
    let login = LoginUrl::parse(&args.login_url).map_err(|e| CliError::Usage(e.to_string()))?;
    // Both checked before anyone signs in, so that nothing is lost afterwards.
    let secrets = keychain()?;
    let db = open_db(&args.data)?;
    let password = if args.password_flow {
        Some(read_password()?)
    } else {
        None
    };
    let client_secret = args.client_secret.clone().filter(|s| !s.is_empty());
    let client_secret = client_secret.as_deref();
    runtime()?.block_on(async move {
        let http = http_client()?;
        let tokens = match (&args.jwt, &args.username, password) {
            (Some(key), Some(user), _) => {
                jwt_login(&http, &login, &args.client_id, user, key)
                    .await
                    .map_err(ConnectError::from)?
            }
            (None, Some(user), Some(password)) => {
                eprintln!(
                    "warning: the username-password flow is discouraged; prefer the browser or --jwt"
                );
                password_login_with_secret(
                    &http,
                    &login,
                    &args.client_id,
                    client_secret,
                    user,
                    &password,
                )
                .await
                .map_err(ConnectError::from)?
            }
            _ => {
                let listener = CallbackListener::bind(args.port).await.map_err(ConnectError::from)?;
                let timeout = Duration::from_secs(args.timeout);
                web_login_with_secret(
                    &http,
                    &login,
                    &args.client_id,
                    client_secret,
                    listener,
                    timeout,
                    |url| show_sign_in(url, args.no_browser),
                )
                .await?
            }
        };
        let new = NewConnection {
            name: args.name.clone(),
            login: login.clone(),
            client_id: args.client_id.clone(),
        };
        let connection = save(&http, &db, secrets, new, tokens).await?;
        println!(
            "Connected `{}` as {} (org {}, {}).",
            connection.name, connection.username, connection.org_id, connection.instance_url
        );
        Ok(())
    })
}

fn show_sign_in(url: &url::Url, no_browser: bool) {
    println!("Sign in at:\n{url}");
    if !no_browser {
        let opened = std::process::Command::new("xdg-open")
            .arg(url.as_str())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .is_ok();
        if !opened {
            println!("Cannot open a browser: copy the URL above into one.");
        }
    }
    println!("Waiting for the sign-in to finish…");
}

fn read_password() -> Result<String, CliError> {
    if let Some(password) = std::env::var("TETHER_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
    {
        return Ok(password);
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).map_err(|e| {
        CliError::Usage(format!("cannot read the password from standard input: {e}"))
    })?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        return Err(CliError::Usage(
            "no password given: set TETHER_PASSWORD or pipe it on standard input".into(),
        ));
    }
    Ok(password)
}

pub fn connections(args: ConnectionsArgs) -> Result<(), CliError> {
    let db = open_db(&args.data)?;
    let all = db.list().map_err(ConnectError::from)?;
    if all.is_empty() {
        println!("No connections. Add one with `tether connect --login-url URL --client-id ID`.");
        return Ok(());
    }
    let width = all.iter().map(|c| c.name.len()).max().unwrap_or(0).max(4);
    println!(
        "{:width$}  {:30}  {:18}  {:40}  CONNECTED",
        "NAME", "USERNAME", "ORG", "INSTANCE"
    );
    for c in all {
        println!(
            "{:width$}  {:30}  {:18}  {:40}  {}",
            c.name,
            c.username,
            c.org_id,
            c.instance_url,
            c.connected_at.format("%Y-%m-%d %H:%M UTC")
        );
    }
    Ok(())
}

pub fn disconnect_command(args: DisconnectArgs) -> Result<(), CliError> {
    let db = open_db(&args.data)?;
    let secrets = keychain()?;
    let outcome = runtime()?.block_on(async {
        let http = http_client()?;
        disconnect(&http, &db, secrets, &args.name).await
    })?;
    if outcome.revoked {
        println!(
            "Disconnected `{}`: its tokens are revoked and removed from the keychain.",
            args.name
        );
    } else {
        println!(
            "Disconnected `{}` and removed its tokens from the keychain, but the org could not be told to revoke them; they expire on their own.",
            args.name
        );
    }
    Ok(())
}
