//! A connected app that requires its consumer secret: `tether connect` sends it (by the web
//! flow, and by the password flow), keeps it in the keychain only, and refreshes with it.

use std::path::Path;
use std::process::{Output, Stdio};

use sandbox_org::config::{DEMO_PASSWORD, DEMO_USERNAME};
use tether::connect::{KeyringStore, SecretStore};

use crate::support::cli::{self, CLIENT_ID, approve_in_browser, free_port};

const SECRET: &str = "consumer-secret-7Hq2";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// No file of the data directory holds `secret`.
fn assert_not_on_disk(dir: &Path, secret: &str) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            assert_not_on_disk(&path, secret);
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "the consumer secret is in {}",
            path.display()
        );
    }
}

fn password_connect(login: &str, data: &Path, secret: Option<&str>) -> Output {
    let mut command = cli::tether();
    command
        .args(["connect", "--login-url", login, "--client-id", CLIENT_ID])
        .args([
            "--username",
            DEMO_USERNAME,
            "--password-flow",
            "--name",
            "secret-app",
        ])
        .arg("--data-dir")
        .arg(data)
        .env("TETHER_PASSWORD", DEMO_PASSWORD)
        .env("RUST_LOG", "trace")
        .env_remove("TETHER_CLIENT_SECRET");
    if let Some(secret) = secret {
        command.env("TETHER_CLIENT_SECRET", secret);
    }
    command.output().expect("tether connect runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_password_flow_sends_the_consumer_secret_and_keeps_it_in_the_keychain_only() {
    let secrets = KeyringStore::open().expect("a Secret Service must be running (scripts/test.sh)");
    let callback = format!("http://localhost:{}/OauthRedirect", free_port());
    let app_secret = format!("{CLIENT_ID}={SECRET}");
    let (_org, login) = cli::start_org(&callback, &["--client-secret", &app_secret]);
    let data = tempfile::tempdir().unwrap();

    for wrong in [None, Some("not-the-secret")] {
        let refused = password_connect(&login, data.path(), wrong);
        assert_eq!(refused.status.code(), Some(1), "{}", text(&refused.stderr));
        let said = text(&refused.stderr);
        assert!(said.contains("invalid_client"), "{said}");
        assert!(!said.contains(SECRET), "{said}");
    }

    let done = password_connect(&login, data.path(), Some(SECRET));
    assert!(done.status.success(), "{}", text(&done.stderr));
    let logged = text(&done.stderr);
    assert!(
        !logged.contains(SECRET),
        "the secret is in the log: {logged}"
    );
    let kept = secrets
        .get("secret-app")
        .unwrap()
        .expect("a keychain entry");
    assert_eq!(kept.client_secret.as_deref(), Some(SECRET));
    assert_not_on_disk(data.path(), SECRET);
    secrets.delete("secret-app").unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_flow_sends_the_consumer_secret_and_refreshes_with_it() {
    let secrets = KeyringStore::open().expect("a Secret Service must be running (scripts/test.sh)");
    let port = free_port();
    let callback = format!("http://localhost:{port}/OauthRedirect");
    let app_secret = format!("{CLIENT_ID}={SECRET}");
    let (_org, login) = cli::start_org(&callback, &["--client-secret", &app_secret]);
    let data = tempfile::tempdir().unwrap();
    let connect = cli::tether()
        .args(["connect", "--login-url", &login, "--client-id", CLIENT_ID])
        .args([
            "--no-browser",
            "--name",
            "secret-web",
            "--port",
            &port.to_string(),
        ])
        .arg("--data-dir")
        .arg(data.path())
        .env("TETHER_CLIENT_SECRET", SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("tether connect starts");
    let done = approve_in_browser(connect).await;
    assert!(done.contains(DEMO_USERNAME), "{done}");
    let kept = secrets
        .get("secret-web")
        .unwrap()
        .expect("a keychain entry");
    assert_eq!(kept.client_secret.as_deref(), Some(SECRET));
    assert!(kept.refresh_token.is_some());

    // The refresh after an expired session must send the secret, or the org refuses it.
    let expired = reqwest::Client::new()
        .post(format!("{login}/__sandbox/sessions/expire"))
        .send()
        .await
        .unwrap();
    assert!(expired.status().is_success());
    let queried = cli::tether()
        .args([
            "query",
            "secret-web",
            &format!("SELECT Username FROM User WHERE Username = '{DEMO_USERNAME}'"),
        ])
        .arg("--data-dir")
        .arg(data.path())
        .output()
        .unwrap();
    assert!(queried.status.success(), "{}", text(&queried.stderr));
    assert_eq!(
        text(&queried.stdout),
        format!("Username\n{DEMO_USERNAME}\n")
    );
    assert_not_on_disk(data.path(), SECRET);
    secrets.delete("secret-web").unwrap();
}
