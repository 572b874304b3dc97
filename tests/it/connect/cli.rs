//! `tether connect`, `tether connections` and `tether disconnect` as a new user runs them,
//! against `tether sandbox-org`, with the keychain of the test session (scripts/test.sh).

use std::io::BufReader;
use std::path::Path;
use std::process::{Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use sandbox_org::config::DEMO_USERNAME;

use crate::support::cli::{
    self, CLIENT_ID, Running, approve_in_browser, free_port, lines, wait_for_line,
};
use tether::connect::{KeyringStore, SecretStore};

fn tether(args: &[&str], data: &Path) -> Output {
    cli::tether()
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .env("RUST_LOG", "warn")
        .output()
        .expect("the tether binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_list_and_disconnect_from_the_command_line() {
    let _keychain = cli::DEMO_USER_CONNECTION.lock().await;
    let secrets = KeyringStore::open().expect("a Secret Service must be running (scripts/test.sh)");
    let port = free_port();
    let callback = format!("http://localhost:{port}/OauthRedirect");
    let (_org, login) = cli::start_org(&callback, &[]);

    let data = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let log_file = logs.path().join("connect.log");
    let connect = cli::tether()
        .args([
            "connect",
            "--login-url",
            &login,
            "--client-id",
            CLIENT_ID,
            "--no-browser",
        ])
        .args(["--port", &port.to_string(), "--data-dir"])
        .arg(data.path())
        .env("RUST_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log_file).unwrap())
        .spawn()
        .expect("tether connect starts");
    let done = approve_in_browser(connect).await;
    assert!(done.contains(DEMO_USERNAME), "{done}");

    let listed = tether(&["connections"], data.path());
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let listed = text(&listed.stdout);
    assert!(
        listed.contains(DEMO_USERNAME) && listed.contains(&login),
        "{listed}"
    );

    let secret = secrets
        .get(DEMO_USERNAME)
        .unwrap()
        .expect("tokens in the keychain");
    let api = reqwest::Client::new();
    let limits = format!("{login}/services/data/v60.0/limits");
    let answer = api
        .get(&limits)
        .bearer_auth(&secret.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    for entry in std::fs::read_dir(data.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let token = secret.access_token.as_bytes();
        assert!(
            !bytes.windows(token.len()).any(|w| w == token),
            "token on disk"
        );
    }

    let queried = tether(
        &[
            "query",
            DEMO_USERNAME,
            "SELECT Id, Username FROM User",
            "--format",
            "json",
        ],
        data.path(),
    );
    assert!(queried.status.success(), "{}", text(&queried.stderr));
    let users: serde_json::Value = serde_json::from_slice(&queried.stdout).expect("JSON rows");
    assert_eq!(users[0]["Username"], DEMO_USERNAME, "{users}");
    assert!(users[0].get("attributes").is_none());

    // An expired session is renewed from the keychain's refresh token, and the query completes.
    let expired = api
        .post(format!("{login}/__sandbox/sessions/expire"))
        .send()
        .await
        .unwrap();
    assert!(expired.status().is_success());
    let again = tether(
        &[
            "query",
            DEMO_USERNAME,
            &format!("SELECT Username FROM User WHERE Username = '{DEMO_USERNAME}'"),
        ],
        data.path(),
    );
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert_eq!(text(&again.stdout), format!("Username\n{DEMO_USERNAME}\n"));

    let shown = tether(&["limits", DEMO_USERNAME], data.path());
    assert!(shown.status.success(), "{}", text(&shown.stderr));
    assert!(
        text(&shown.stdout).contains("DailyApiRequests"),
        "{}",
        text(&shown.stdout)
    );

    let bad = tether(
        &["query", DEMO_USERNAME, "SELECT Nope FROM User"],
        data.path(),
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad.stderr).contains("INVALID_FIELD"),
        "{}",
        text(&bad.stderr)
    );
    let unknown = tether(&["query", "nobody", "SELECT Id FROM User"], data.path());
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr).contains("tether connections"));

    let gone = tether(&["disconnect", DEMO_USERNAME], data.path());
    assert!(gone.status.success(), "{}", text(&gone.stderr));
    assert!(
        text(&gone.stdout).contains("revoked"),
        "{}",
        text(&gone.stdout)
    );
    assert_eq!(secrets.get(DEMO_USERNAME).unwrap(), None);
    let answer = api
        .get(&limits)
        .bearer_auth(&secret.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
    let listed = tether(&["connections"], data.path());
    assert!(
        text(&listed.stdout).contains("No connections"),
        "{}",
        text(&listed.stdout)
    );
}

#[test]
fn without_a_keychain_connect_fails_with_advice_and_writes_nothing() {
    let empty = tempfile::tempdir().unwrap();
    let data = empty.path().join("data");
    let out = cli::tether()
        .args([
            "connect",
            "--login-url",
            "http://127.0.0.1:9",
            "--client-id",
            "X",
            "--no-browser",
        ])
        .arg("--data-dir")
        .arg(&data)
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}/no-bus", empty.path().display()),
        )
        .env("XDG_RUNTIME_DIR", empty.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("keychain") && stderr.contains("gnome-keyring"),
        "{stderr}"
    );
    assert!(!data.exists(), "something was written without a keychain");
}

#[test]
fn help_marks_the_password_flow_as_discouraged() {
    let out = cli::tether().args(["connect", "--help"]).output().unwrap();
    let help = text(&out.stdout);
    assert!(
        help.contains("--password-flow") && help.contains("Discouraged"),
        "{help}"
    );
    assert!(
        help.contains("--jwt") && help.contains("--no-browser"),
        "{help}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_port_the_app_does_not_accept_fails_at_once_naming_the_url() {
    let mut org = cli::tether()
        .args(["sandbox-org", "--port", "0", "--seed-size", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("sandbox org starts");
    let org_lines = lines(&mut org);
    let _org = Running(org);
    let login = wait_for_line(&org_lines, |l| l.trim().starts_with("Login URL"));
    let login = login
        .trim()
        .trim_start_matches("Login URL")
        .trim()
        .to_string();
    let callback = wait_for_line(&org_lines, |l| l.trim().starts_with("Callback URL"));
    assert!(
        callback.contains("http://localhost:1717/OauthRedirect"),
        "the banner prints the callback the built-in app accepts: {callback}"
    );

    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let started = std::time::Instant::now();
    let mut connect = cli::tether()
        .args([
            "connect",
            "--login-url",
            &login,
            "--no-browser",
            "--client-id",
            "TetherDesktop",
        ])
        .args([
            "--port",
            &port.to_string(),
            "--timeout",
            "120",
            "--data-dir",
        ])
        .arg(data.path())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tether connect starts");
    let (tx, rx) = mpsc::channel();
    let stderr = connect.stderr.take().expect("piped stderr");
    let connect = Running(connect);
    std::thread::spawn(move || {
        let mut said = String::new();
        std::io::Read::read_to_string(&mut BufReader::new(stderr), &mut said).ok();
        let _ = tx.send(said);
    });
    let said = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("connect stops within seconds, not at its sign-in timeout");
    let mut connect = connect;
    let status = connect.0.wait().unwrap();
    assert!(!status.success(), "{said}");
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(
        said.contains(&format!("http://localhost:{port}/OauthRedirect")),
        "names the callback it offered: {said}"
    );
    assert!(said.contains("--port"), "says what to do: {said}");
}
