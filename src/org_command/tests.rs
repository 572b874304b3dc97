use std::time::Duration;

use clap::{CommandFactory, FromArgMatches};

use super::*;
use crate::{Cli, Command};

/// Parses a full command line (`tether sandbox-org ...`) into the org it describes.
fn config_from_argv<I, T>(argv: I) -> Result<OrgConfig, CliError>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let matches = Cli::command()
        .try_get_matches_from(argv)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let cli = Cli::from_arg_matches(&matches).map_err(|e| CliError::Usage(e.to_string()))?;
    match (cli.command, matches.subcommand_matches("sandbox-org")) {
        (Some(Command::SandboxOrg(args)), Some(sub)) => org_config(&args, &app_args_in_order(sub)),
        _ => Err(CliError::Usage(
            "expected the sandbox-org command".to_string(),
        )),
    }
}

fn config(flags: &[&str]) -> Result<OrgConfig, CliError> {
    let argv = ["tether", "sandbox-org"]
        .iter()
        .chain(flags.iter())
        .copied();
    config_from_argv(argv)
}

fn usage_message(flags: &[&str]) -> String {
    match config(flags) {
        Err(CliError::Usage(message)) => message,
        other => panic!("expected a usage error for {flags:?}, got {other:?}"),
    }
}

#[test]
fn defaults_bind_loopback_and_seed_the_demo_set() {
    let config = config(&["--port", "0"]).expect("minimal flags are valid");
    assert!(config.bind.ip().is_loopback());
    assert_eq!(config.bind.port(), 0);
    assert_eq!(config.seed_records, Some(DEFAULT_SEED_RECORDS));
    assert_eq!(config.faults, sandbox_org::FaultConfig::default());
    assert!(!config.auto_approve);
    assert_eq!(
        config.apps.len(),
        1,
        "only the demo app is registered by default"
    );
    assert_eq!(config.apps[0].client_id, DEMO_CLIENT_ID);
}

#[test]
fn each_flag_lands_in_its_field() {
    type Check = fn(&OrgConfig) -> bool;
    let cases: &[(&[&str], Check)] = &[
        (&["--port", "8123"], |c| c.bind.port() == 8123),
        (&["--data", "/tmp/org.db"], |c| {
            c.data_file.as_deref() == Some(Path::new("/tmp/org.db"))
        }),
        (&["--seed-size", "0"], |c| c.seed_records.is_none()),
        (&["--seed-size", "100000"], |c| {
            c.seed_records == Some(100_000)
        }),
        (&["--latency-ms", "250"], |c| c.faults.latency_ms == 250),
        (&["--jitter-ms", "40"], |c| c.faults.jitter_ms == 40),
        (&["--fail-rate-503", "0.25"], |c| {
            c.faults.server_unavailable_rate == 0.25
        }),
        (&["--lock-error-rate", "1"], |c| {
            c.faults.lock_error_rate == 1.0
        }),
        (&["--drop-rate", "0.5"], |c| {
            c.faults.drop_connection_rate == 0.5
        }),
        (&["--fault-seed", "7"], |c| c.faults.seed == 7),
        (&["--session-timeout-secs", "30"], |c| {
            c.session_timeout == Duration::from_secs(30)
        }),
        (&["--daily-api-limit", "42"], |c| c.daily_api_limit == 42),
        (&["--auto-approve"], |c| c.auto_approve),
        (&["--rotate-refresh-tokens"], |c| c.rotate_refresh_tokens),
    ];
    for (flags, check) in cases {
        let mut all: Vec<&str> = flags.to_vec();
        if !all.contains(&"--port") {
            all.extend(["--port", "0"]);
        }
        let config = config(&all).unwrap_or_else(|e| panic!("{flags:?} should parse: {e}"));
        assert!(check(&config), "{flags:?} did not reach the config");
    }
}

#[test]
fn callbacks_belong_to_the_client_id_before_them() {
    let config = config(&[
        "--port",
        "0",
        "--client-id",
        "First",
        "--callback",
        "http://localhost:1/a",
        "--callback",
        "http://localhost:2/b",
        "--client-id",
        "Second",
        "--client-id",
        "Third",
        "--callback",
        "http://localhost:3/c",
    ])
    .expect("valid apps");
    let apps: Vec<(&str, Vec<&str>)> = config
        .apps
        .iter()
        .map(|a| {
            (
                a.client_id.as_str(),
                a.callbacks.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        apps[1..],
        [
            (
                "First",
                vec!["http://localhost:1/a", "http://localhost:2/b"]
            ),
            ("Second", vec![]),
            ("Third", vec!["http://localhost:3/c"]),
        ]
    );
}

#[test]
fn bad_flags_are_refused_with_a_next_step() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--port", "0", "--fail-rate-503", "1.5"],
            "between 0 and 1",
        ),
        (&["--port", "0", "--drop-rate", "often"], "between 0 and 1"),
        (&["--port", "70000"], "70000"),
        (&["--port", "0", "--session-timeout-secs", "0"], "0"),
        (
            &["--port", "0", "--callback", "http://localhost:1/a"],
            "--client-id",
        ),
        (
            &["--port", "0", "--client-id", "A", "--callback", "not a url"],
            "give it in full",
        ),
        (
            &["--port", "0", "--schema", "/nonexistent/schema.json"],
            "/nonexistent/schema.json",
        ),
        (
            &["--port", "0", "--jwt-cert", "/nonexistent/cert.pem"],
            "/nonexistent/cert.pem",
        ),
        (&[], "--port"),
    ];
    for (flags, expected) in cases {
        let message = usage_message(flags);
        assert!(
            message.contains(expected),
            "{flags:?}: {message:?} should mention {expected:?}"
        );
    }
}

#[test]
fn a_callback_before_a_second_client_id_stays_with_the_first() {
    let args = [
        AppArg::ClientId("A".into()),
        AppArg::Callback("http://localhost:9/cb".into()),
        AppArg::ClientId("B".into()),
    ];
    let apps = connected_apps(&args).expect("valid");
    assert_eq!(apps[0].callbacks, ["http://localhost:9/cb"]);
    assert!(apps[1].callbacks.is_empty());
}

#[test]
fn jwt_certificate_is_read_and_given_to_every_app() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pem_path = dir.path().join("cert.pem");
    let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    std::fs::write(&pem_path, pem).expect("write");
    let not_pem = dir.path().join("cert.txt");
    std::fs::write(&not_pem, "hello").expect("write");

    let pem_flag = pem_path.to_string_lossy().to_string();
    let config =
        config(&["--port", "0", "--client-id", "Cli", "--jwt-cert", &pem_flag]).expect("valid");
    assert_eq!(config.apps.len(), 2);
    assert!(
        config
            .apps
            .iter()
            .all(|a| a.jwt_certificate_pem.as_deref() == Some(pem))
    );

    let not_pem_flag = not_pem.to_string_lossy().to_string();
    assert!(usage_message(&["--port", "0", "--jwt-cert", &not_pem_flag]).contains("not PEM"));
}

#[test]
fn schema_file_is_read_into_the_config() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("schema.json");
    std::fs::write(&path, "{\"objects\":[]}").expect("write");
    let flag = path.to_string_lossy().to_string();
    let added = config(&["--port", "0", "--schema", &flag]).expect("valid");
    assert_eq!(added.schema_extra_json.as_deref(), Some("{\"objects\":[]}"));
    assert_eq!(added.schema_json, None, "the built-in schema stays");
    let replaced = config(&["--port", "0", "--schema-replace", &flag]).expect("valid");
    assert_eq!(replaced.schema_json.as_deref(), Some("{\"objects\":[]}"));
    assert_eq!(replaced.schema_extra_json, None);
}

#[test]
fn client_secrets_go_to_the_app_they_name_or_register_one() {
    let config = config(&[
        "--port",
        "0",
        "--client-id",
        "MyApp",
        "--callback",
        "http://localhost:1717/OauthRedirect",
        "--client-secret",
        "MyApp=s3cret=with=equals",
        "--client-secret",
        "TetherDesktop=desk",
        "--client-secret",
        "ScriptOnly=script",
    ])
    .expect("valid flags");
    let secret_of = |id: &str| {
        config
            .apps
            .iter()
            .find(|a| a.client_id == id)
            .and_then(|a| a.client_secret.clone())
    };
    assert_eq!(secret_of("MyApp").as_deref(), Some("s3cret=with=equals"));
    assert_eq!(secret_of(DEMO_CLIENT_ID).as_deref(), Some("desk"));
    assert_eq!(secret_of("ScriptOnly").as_deref(), Some("script"));
    assert_eq!(config.apps.len(), 3);
}

#[test]
fn security_token_flag_sets_the_demo_users_token_and_refuses_symbols() {
    let config = config(&["--port", "0", "--security-token", "Abc123Def456"]).expect("valid");
    assert_eq!(
        config.users[0].security_token.as_deref(),
        Some("Abc123Def456")
    );
    for (flags, expected) in [
        (
            &["--port", "0", "--security-token", "a b"][..],
            "letters and digits",
        ),
        (
            &["--port", "0", "--client-secret", "NoEquals"][..],
            "ID=SECRET",
        ),
        (&["--port", "0", "--client-secret", "=x"][..], "ID=SECRET"),
    ] {
        let message = usage_message(flags);
        assert!(message.contains(expected), "{flags:?}: {message}");
    }
}
