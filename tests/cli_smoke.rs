//! The built `tether` binary, run as a user would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

mod cli_support;

const TETHER: &str = env!("CARGO_BIN_EXE_tether");

/// Kills the child when the test ends, pass or fail.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn tether(args: &[&str]) -> Output {
    Command::new(TETHER)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("the tether binary runs")
}

/// Starts `tether sandbox-org` and returns it with the login URL it printed.
fn start_sandbox_org(extra: &[&str]) -> (Running, String) {
    let mut child = Command::new(TETHER)
        .args(["sandbox-org", "--port", "0", "--seed-size", "0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the tether binary starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let running = Running(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut printed = Vec::new();
    loop {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => {
                if let Some(url) = line.trim().strip_prefix("Login URL") {
                    return (running, url.trim().to_string());
                }
                printed.push(line);
            }
            Err(e) => panic!(
                "no login URL printed ({e}); stdout so far:\n{}",
                printed.join("\n")
            ),
        }
    }
}

#[tokio::test]
async fn sandbox_org_prints_its_url_and_answers_there() {
    let (_org, login_url) = start_sandbox_org(&[]);
    let port: u16 = login_url
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("the login URL names its port: {login_url}"));
    assert_ne!(port, 0, "the printed URL shows the port actually bound");
    assert!(login_url.starts_with("http://127.0.0.1:"), "{login_url}");

    let answer = reqwest::get(format!("{login_url}/services/data/"))
        .await
        .expect("the org answers");
    assert_eq!(answer.status(), 200);
    let versions: serde_json::Value = answer.json().await.expect("a JSON list of versions");
    let listed = versions.as_array().expect("an array");
    assert!(
        listed
            .iter()
            .any(|v| v["version"] == "62.0" && v["url"] == "/services/data/v62.0"),
        "v62.0 is served: {versions}"
    );
}

#[test]
fn help_lists_the_commands() {
    let output = tether(&["--help"]);
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for command in ["demo", "sandbox-org"] {
        assert!(help.contains(command), "--help lists {command}:\n{help}");
    }
    let sub_help = String::from_utf8_lossy(&tether(&["sandbox-org", "--help"]).stdout).to_string();
    for flag in [
        "--port",
        "--fail-rate-503",
        "--client-id",
        "--callback",
        "--jwt-cert",
        "--auto-approve",
    ] {
        assert!(sub_help.contains(flag), "sandbox-org --help lists {flag}");
    }
}

#[test]
fn a_port_in_use_is_reported_with_exit_code_2() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = taken.local_addr().expect("bound").port().to_string();
    let output = tether(&["sandbox-org", "--port", &port, "--seed-size", "0"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert!(
        stderr.contains(&port) && stderr.contains("--port"),
        "says which port and what to do: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn bad_flags_get_clear_errors() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["sandbox-org", "--port", "0", "--fail-rate-503", "2"],
            "between 0 and 1",
        ),
        (&["sandbox-org"], "--port"),
        (
            &["sandbox-org", "--port", "0", "--no-such-flag"],
            "--no-such-flag",
        ),
        (&["no-such-command"], "no-such-command"),
    ];
    for (args, expected) in cases {
        let output = tether(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{args:?} should mention {expected:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[tokio::test]
async fn the_printed_admin_url_answers_with_its_endpoints() {
    let (_org, login_url) = start_sandbox_org(&[]);
    for path in ["/__sandbox", "/__sandbox/"] {
        let answer = reqwest::get(format!("{login_url}{path}"))
            .await
            .expect("the org answers");
        assert_eq!(answer.status(), 200, "{path}");
        let index: serde_json::Value = answer.json().await.expect("a JSON index");
        let listed = index.to_string();
        for endpoint in [
            "/__sandbox/health",
            "/__sandbox/faults",
            "/__sandbox/limits",
            "/__sandbox/sessions/expire",
        ] {
            assert!(
                listed.contains(endpoint),
                "{path} lists {endpoint}: {index}"
            );
        }
    }
}

#[test]
fn the_app_without_a_command_honours_tether_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let xdg = dir.path().join("xdg");
    // No display here, so the window cannot open; its log is written before it tries.
    let out = Command::new(TETHER)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("TETHER_DATA_DIR", &data)
        .env("XDG_DATA_HOME", &xdg)
        .env("HOME", dir.path())
        .env("RUST_LOG", "warn")
        .output()
        .expect("the tether binary runs");
    assert_eq!(out.status.code(), Some(1), "no window without a display");
    let log = data.join("logs").join("tether.log");
    let written = std::fs::read_to_string(&log)
        .unwrap_or_else(|e| panic!("{} holds the log ({e})", log.display()));
    assert!(
        !written.contains('\u{1b}'),
        "no colour codes in the log file: {written}"
    );
    assert!(
        !xdg.join("tether").exists(),
        "nothing goes to the default data directory"
    );
}

#[tokio::test]
async fn sandbox_org_logs_each_request_at_debug_level() {
    let mut child = Command::new(TETHER)
        .args(["sandbox-org", "--port", "0", "--seed-size", "0"])
        .env("RUST_LOG", "tether=debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the tether binary starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let stderr = child.stderr.take().expect("piped stderr");
    let _running = Running(child);
    let (tx, rx) = mpsc::channel();
    let err_tx = tx.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = err_tx.send(line);
        }
    });
    let mut seen = Vec::new();
    let next = |seen: &mut Vec<String>| {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|e| panic!("{e}; printed so far:\n{}", seen.join("\n")));
        seen.push(line.clone());
        line
    };
    let login_url = loop {
        if let Some(url) = next(&mut seen).trim().strip_prefix("Login URL") {
            break url.trim().to_string();
        }
    };
    let answer = reqwest::get(format!("{login_url}/services/data/v62.0/sobjects/Nope"))
        .await
        .expect("the org answers");
    assert_eq!(answer.status(), 401, "no session");
    while !next(&mut seen).contains("GET /services/data/v62.0/sobjects/Nope 401") {}
}

/// Starts `tether sandbox-org ARGS`, and returns it with its login URL, or what it said when
/// it stopped without printing one.
fn try_sandbox_org(args: &[&str]) -> Result<(Running, String), String> {
    let mut child = Command::new(TETHER)
        .args(["sandbox-org", "--port", "0", "--seed-size", "0"])
        .args(args)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the tether binary starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
    let running = Running(child);
    match lines.find_map(|l| {
        l.trim()
            .strip_prefix("Login URL")
            .map(|u| u.trim().to_string())
    }) {
        Some(url) => {
            std::thread::spawn(move || lines.for_each(drop));
            Ok((running, url))
        }
        None => {
            let mut said = String::new();
            std::io::Read::read_to_string(&mut stderr, &mut said).ok();
            Err(said)
        }
    }
}

#[tokio::test]
async fn sandbox_org_schema_file_adds_to_the_built_in_schema() {
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("projects.json");
    std::fs::write(
        &schema,
        r#"{"objects": [{"name": "Project__c", "label": "Project", "labelPlural": "Projects",
            "keyPrefix": "a07", "fields": [
              {"name": "Budget__c", "label": "Budget", "type": "currency"}]}]}"#,
    )
    .unwrap();
    let schema = schema.to_string_lossy().into_owned();

    let (_org, login) = try_sandbox_org(&["--schema", &schema])
        .unwrap_or_else(|said| panic!("--schema with one custom object: {said}"));
    let org = cli_support::Org::sign_in(&login).await;
    let global: serde_json::Value = org
        .http
        .get(format!("{login}/services/data/v62.0/sobjects/"))
        .bearer_auth(&org.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = global["sobjects"]
        .as_array()
        .expect("a global describe")
        .iter()
        .filter_map(|o| o["name"].as_str())
        .collect();
    for wanted in ["Project__c", "Account", "Organization"] {
        assert!(names.contains(&wanted), "{wanted} in {names:?}");
    }

    // --schema-replace keeps the file as the whole custom schema, as --schema did before.
    let said = try_sandbox_org(&["--schema-replace", &schema])
        .err()
        .expect("a schema without Organization cannot start");
    assert!(said.contains("Organization"), "{said}");
}
