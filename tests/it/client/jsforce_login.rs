//! jsforce 3 logging in without a browser: by SOAP with the security token, by the
//! username-password flow with a consumer secret, and working at v45.0 and v62.0. Runs
//! `tests/jsforce/login.js`; fails, never skips, when node or jsforce is missing.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use sandbox_org::config::{DEMO_PASSWORD, DEMO_USERNAME};
use sandbox_org::{ConnectedApp, OrgConfig, SandboxOrg};

const CLIENT_ID: &str = "JsforceWithSecret";
const CLIENT_SECRET: &str = "jsforce-consumer-secret";
const CHECKS: [&str; 4] = [
    "login_soap",
    "login_password_with_secret",
    "version_45",
    "version_62",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jsforce_logs_in_by_soap_and_with_a_consumer_secret_at_old_and_new_versions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(
        root.join("tests/jsforce/node_modules/jsforce/package.json")
            .exists(),
        "jsforce is not installed: run `npm ci` in tests/jsforce (scripts/test.sh does it)"
    );
    let mut config = OrgConfig::default();
    config.apps.push(ConnectedApp {
        client_id: CLIENT_ID.to_string(),
        client_secret: Some(CLIENT_SECRET.to_string()),
        callbacks: Vec::new(),
        jwt_certificate_pem: None,
    });
    let org = SandboxOrg::start(config)
        .await
        .expect("the sandbox org starts");
    let token = org
        .security_token(DEMO_USERNAME)
        .expect("the demo user's token");

    let child = tokio::process::Command::new("node")
        .arg("tests/jsforce/login.js")
        .current_dir(root)
        .env("SANDBOX_BASE_URL", org.base_url())
        .env("SANDBOX_USERNAME", DEMO_USERNAME)
        .env("SANDBOX_PASSWORD", DEMO_PASSWORD)
        .env("SANDBOX_SECURITY_TOKEN", &token)
        .env("SANDBOX_SECRET_CLIENT_ID", CLIENT_ID)
        .env("SANDBOX_CLIENT_SECRET", CLIENT_SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run node ({e}): install Node.js 18 or later (scripts/test.sh does it)")
        });
    let output = tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
        .await
        .expect("the jsforce script finishes within 2 minutes")
        .expect("the jsforce script runs");
    org.shutdown().await;

    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report: serde_json::Value = stdout
        .lines()
        .rev()
        .find_map(|line| serde_json::from_str(line).ok())
        .unwrap_or_else(|| panic!("no JSON report.\nstdout: {stdout}\nstderr: {stderr}"));
    let checks = report["checks"].as_array().cloned().unwrap_or_default();
    let names: Vec<&str> = checks.iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(names, CHECKS, "every check is reported: {report}");
    let failures: Vec<String> = checks
        .iter()
        .filter(|c| c["ok"] != true)
        .map(|c| format!("  {}: {}", c["name"], c["error"]))
        .collect();
    assert!(
        failures.is_empty(),
        "jsforce checks failed:\n{}\nstderr: {stderr}",
        failures.join("\n")
    );
    assert!(output.status.success(), "{:?}", output.status);
}
