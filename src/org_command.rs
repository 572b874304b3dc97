//! `tether sandbox-org`: the sandbox org as a standalone server.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{ArgMatches, Args};

use sandbox_org::config::{DEMO_CLIENT_ID, DEMO_PASSWORD, DEMO_USERNAME};
use sandbox_org::{ConnectedApp, OrgConfig, SandboxOrg};
use tether::cli::{CliError, DEFAULT_SEED_RECORDS};

#[derive(Debug, Clone, Args)]
pub struct SandboxOrgArgs {
    /// Port to listen on, on 127.0.0.1 (0 picks a free one; the URLs printed show it).
    #[arg(long, value_name = "N")]
    pub port: u16,
    /// SQLite file that keeps the org between runs (default: in memory).
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// About how many demo records to seed into an empty org, all objects together (0 seeds
    /// nothing): an Account per 8 (N/8 Accounts), each with 2-4 Contacts and 1-3
    /// Opportunities, and a Lead per 4. So 100000 seeds 12,500 Accounts.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SEED_RECORDS)]
    pub seed_size: usize,
    /// Latency added to every API response.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub latency_ms: u64,
    /// Up to this much more latency, uniformly random.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub jitter_ms: u64,
    /// Share (0 to 1) of API requests answered 503 SERVER_UNAVAILABLE.
    #[arg(long = "fail-rate-503", value_name = "R", default_value_t = 0.0, value_parser = parse_rate)]
    pub fail_rate_503: f64,
    /// Share (0 to 1) of write requests answered UNABLE_TO_LOCK_ROW.
    #[arg(long, value_name = "R", default_value_t = 0.0, value_parser = parse_rate)]
    pub lock_error_rate: f64,
    /// Share (0 to 1) of API requests whose connection is dropped without an answer.
    #[arg(long, value_name = "R", default_value_t = 0.0, value_parser = parse_rate)]
    pub drop_rate: f64,
    /// Seed of the fault dice, so that a run can be replayed.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub fault_seed: u64,
    /// Inactivity after which an access token is refused (default 7200, as a real org).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub session_timeout_secs: Option<u64>,
    /// Daily API request allocation (default 15000, as a Developer Edition org).
    #[arg(long, value_name = "N")]
    pub daily_api_limit: Option<u64>,
    /// Approve authorize requests without showing the login and consent page.
    #[arg(long)]
    pub auto_approve: bool,
    /// Issue a new refresh token on every refresh and revoke the old one.
    #[arg(long)]
    pub rotate_refresh_tokens: bool,
    /// Custom objects and fields added to the built-in schema: a JSON file shaped like
    /// assets/sandbox-schema.json.
    #[arg(long, value_name = "FILE")]
    pub schema: Option<PathBuf>,
    /// A JSON file shaped like assets/sandbox-schema.json used instead of it: it must declare
    /// Organization and User itself.
    #[arg(long, value_name = "FILE")]
    pub schema_replace: Option<PathBuf>,
    /// Register another connected app; the --callback flags after it belong to it.
    #[arg(long = "client-id", value_name = "ID")]
    pub client_ids: Vec<String>,
    /// A callback URL of the connected app named by the preceding --client-id.
    #[arg(long = "callback", value_name = "URL", requires = "client_ids")]
    pub callbacks: Vec<String>,
    /// PEM certificate that JWT bearer assertions of every registered app are checked against.
    #[arg(long, value_name = "FILE")]
    pub jwt_cert: Option<PathBuf>,
    /// Consumer secret of a connected app (TetherDesktop, one named by --client-id, or a new
    /// one), which the app's token requests must then send.
    #[arg(long = "client-secret", value_name = "ID=SECRET", value_parser = parse_client_secret)]
    pub client_secrets: Vec<(String, String)>,
    /// Security token of the demo user, appended to the password by SOAP and
    /// username-password logins (default: one derived from the org, printed at start).
    #[arg(long, value_name = "TOKEN")]
    pub security_token: Option<String>,
}

fn parse_client_secret(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((id, secret)) if !id.trim().is_empty() && !secret.is_empty() => {
            Ok((id.trim().to_string(), secret.to_string()))
        }
        _ => Err(
            "give the app's client id and its secret as ID=SECRET, e.g. MyApp=s3cret".to_string(),
        ),
    }
}

/// A `--client-id` or `--callback` flag, in command-line order.
#[derive(Debug, Clone, PartialEq)]
pub enum AppArg {
    ClientId(String),
    Callback(String),
}

/// The connected-app flags in the order given, which clap's derive does not keep.
pub fn app_args_in_order(matches: &ArgMatches) -> Vec<AppArg> {
    let mut ordered: Vec<(usize, AppArg)> = Vec::new();
    let mut collect = |id: &str, make: fn(String) -> AppArg| {
        if let (Some(indices), Some(values)) =
            (matches.indices_of(id), matches.get_many::<String>(id))
        {
            ordered.extend(indices.zip(values).map(|(i, v)| (i, make(v.clone()))));
        }
    };
    collect("client_ids", AppArg::ClientId);
    collect("callbacks", AppArg::Callback);
    ordered.sort_by_key(|(i, _)| *i);
    ordered.into_iter().map(|(_, arg)| arg).collect()
}

/// The org that the flags describe. Files named by flags are read here.
pub fn org_config(args: &SandboxOrgArgs, app_args: &[AppArg]) -> Result<OrgConfig, CliError> {
    let mut config = OrgConfig {
        bind: SocketAddr::from((Ipv4Addr::LOCALHOST, args.port)),
        data_file: args.data.clone(),
        seed_records: (args.seed_size > 0).then_some(args.seed_size),
        auto_approve: args.auto_approve,
        rotate_refresh_tokens: args.rotate_refresh_tokens,
        ..OrgConfig::default()
    };
    config.faults.latency_ms = args.latency_ms;
    config.faults.jitter_ms = args.jitter_ms;
    config.faults.server_unavailable_rate = args.fail_rate_503;
    config.faults.lock_error_rate = args.lock_error_rate;
    config.faults.drop_connection_rate = args.drop_rate;
    config.faults.seed = args.fault_seed;
    if let Some(secs) = args.session_timeout_secs {
        config.session_timeout = Duration::from_secs(secs);
    }
    if let Some(limit) = args.daily_api_limit {
        config.daily_api_limit = limit;
    }
    let schema = |path| {
        read_file(
            path,
            "schema",
            "a JSON file shaped like assets/sandbox-schema.json",
        )
    };
    if let Some(path) = &args.schema_replace {
        config.schema_json = Some(schema(path)?);
    }
    if let Some(path) = &args.schema {
        config.schema_extra_json = Some(schema(path)?);
    }
    config.apps.extend(connected_apps(app_args)?);
    for (id, secret) in &args.client_secrets {
        match config.apps.iter_mut().find(|a| &a.client_id == id) {
            Some(app) => app.client_secret = Some(secret.clone()),
            None => config.apps.push(ConnectedApp {
                client_id: id.clone(),
                client_secret: Some(secret.clone()),
                callbacks: Vec::new(),
                jwt_certificate_pem: None,
            }),
        }
    }
    if let Some(token) = &args.security_token {
        if token.is_empty() || !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(CliError::Usage(
                "--security-token must be letters and digits only, e.g. 24 of them".to_string(),
            ));
        }
        for user in config
            .users
            .iter_mut()
            .filter(|u| u.username == DEMO_USERNAME)
        {
            user.security_token = Some(token.clone());
        }
    }
    if let Some(path) = &args.jwt_cert {
        let pem = read_file(
            path,
            "JWT certificate",
            "a PEM file (-----BEGIN CERTIFICATE-----)",
        )?;
        if !pem.contains("-----BEGIN ") {
            return Err(CliError::Usage(format!(
                "{} is not PEM: pass the certificate your JWT signing key belongs to, starting with -----BEGIN CERTIFICATE-----",
                path.display()
            )));
        }
        for app in &mut config.apps {
            app.jwt_certificate_pem = Some(pem.clone());
        }
    }
    Ok(config)
}

fn connected_apps(app_args: &[AppArg]) -> Result<Vec<ConnectedApp>, CliError> {
    let mut apps: Vec<ConnectedApp> = Vec::new();
    for arg in app_args {
        match arg {
            AppArg::ClientId(id) if id.trim().is_empty() => {
                return Err(CliError::Usage(
                    "--client-id needs a non-empty value".to_string(),
                ));
            }
            AppArg::ClientId(id) => apps.push(ConnectedApp {
                client_id: id.clone(),
                client_secret: None,
                callbacks: Vec::new(),
                jwt_certificate_pem: None,
            }),
            AppArg::Callback(url) => {
                let app = apps.last_mut().ok_or_else(|| {
                    CliError::Usage(format!("--callback {url} comes before any --client-id: put it after the --client-id it belongs to"))
                })?;
                url::Url::parse(url).map_err(|e| {
                    CliError::Usage(format!("--callback {url} is not a URL ({e}): give it in full, e.g. http://localhost:1717/OauthRedirect"))
                })?;
                app.callbacks.push(url.clone());
            }
        }
    }
    Ok(apps)
}

fn read_file(path: &Path, what: &str, expected: &str) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|e| {
        CliError::Usage(format!(
            "cannot read the {what} file {}: {e}. Pass {expected}",
            path.display()
        ))
    })
}

fn parse_rate(text: &str) -> Result<f64, String> {
    let rate: f64 = text.parse().map_err(|_| {
        format!("'{text}' is not a number: give a share between 0 and 1, e.g. 0.05")
    })?;
    if (0.0..=1.0).contains(&rate) {
        Ok(rate)
    } else {
        Err(format!(
            "{rate} is outside 0..1: give a share between 0 and 1, e.g. 0.05"
        ))
    }
}

/// Starts the org, prints how to reach it, and serves until Ctrl+C or SIGTERM.
pub fn run(args: SandboxOrgArgs, app_args: Vec<AppArg>) -> Result<(), CliError> {
    let config = org_config(&args, &app_args)?;
    let runtime = tokio::runtime::Runtime::new().map_err(CliError::Runtime)?;
    runtime.block_on(async move {
        let org_name = config.org_name.clone();
        let users: Vec<(String, String)> = config
            .users
            .iter()
            .map(|u| (u.username.clone(), u.profile.clone()))
            .collect();
        let extra_apps: Vec<String> = config
            .apps
            .iter()
            .skip(1)
            .map(|a| a.client_id.clone())
            .collect();
        let callbacks = config
            .apps
            .first()
            .map(|a| a.callbacks.clone())
            .unwrap_or_default();
        let org = SandboxOrg::start(config)
            .await
            .map_err(|e| CliError::OrgStart(e.into()))?;
        let token = org.security_token(DEMO_USERNAME).unwrap_or_default();
        print_banner(
            &org.base_url(),
            &org_name,
            &callbacks,
            &extra_apps,
            &token,
            &users,
        );
        wait_for_stop_signal().await;
        tracing::info!("stopping the sandbox org");
        org.shutdown().await;
        Ok(())
    })
}

fn print_banner(
    base: &str,
    org_name: &str,
    callbacks: &[String],
    extra_apps: &[String],
    security_token: &str,
    users: &[(String, String)],
) {
    let mut out = std::io::stdout().lock();
    let mut lines = vec![
        format!("Sandbox org \"{org_name}\" is running."),
        format!("  Login URL     {base}"),
        format!("  Instance URL  {base}"),
        format!("  Client id     {DEMO_CLIENT_ID}"),
        // The only URLs its sign-in sends the browser back to: `tether connect --port`
        // must name this port.
        format!("  Callback URL  {}", callbacks.join(" or ")),
        format!("  Username      {DEMO_USERNAME}"),
        format!("  Password      {DEMO_PASSWORD}"),
        // What SOAP logins (simple-salesforce, jsforce without a client id) append to it.
        format!("  Security token {security_token}"),
        format!("  Admin URL     {base}/__sandbox (health, faults, limits, sessions/expire)"),
    ];
    if !extra_apps.is_empty() {
        lines.push(format!("  Other apps    {}", extra_apps.join(", ")));
    }
    lines.push("  Users (each with the password above):".to_string());
    lines.extend(
        users
            .iter()
            .map(|(username, profile)| format!("    {username:<36} {profile}")),
    );
    lines.push("Press Ctrl+C to stop.".to_string());
    // A closed stdout (e.g. piped into `head`) must not stop the server.
    let _ = writeln!(out, "{}", lines.join("\n"));
    let _ = out.flush();
}

async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests;
