//! simple-salesforce, the most used Python Salesforce client, against the sandbox org: SOAP
//! login with username, password and security token, a query and a describe, run by
//! `tests/python/simple_salesforce_check.py` in the venv `scripts/test.sh` makes under
//! `target/`. Fails, never skips, when the venv is missing.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use sandbox_org::config::{DEMO_PASSWORD, DEMO_USERNAME};
use sandbox_org::{OrgConfig, SandboxOrg};

/// The Bulk API 1.0 insert is checked once the org serves Bulk API 1.0.
const BULK1: bool = true;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simple_salesforce_logs_in_by_soap_queries_and_describes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = root.join("target/python-venv/bin/python");
    assert!(
        python.exists(),
        "the Python venv is missing ({}): run scripts/test.sh, which makes it from tests/python/requirements.txt",
        python.display()
    );
    let org = SandboxOrg::start(OrgConfig {
        seed_records: Some(50),
        ..OrgConfig::default()
    })
    .await
    .expect("the sandbox org starts");
    let token = org
        .security_token(DEMO_USERNAME)
        .expect("the demo user's token");
    let mut command = tokio::process::Command::new(&python);
    command
        .arg("tests/python/simple_salesforce_check.py")
        .current_dir(root)
        .env("SANDBOX_BASE_URL", org.base_url())
        .env("SANDBOX_USERNAME", DEMO_USERNAME)
        .env("SANDBOX_PASSWORD", DEMO_PASSWORD)
        .env("SANDBOX_SECURITY_TOKEN", &token)
        .env_remove("HTTPS_PROXY")
        .env_remove("HTTP_PROXY")
        .env_remove("https_proxy")
        .env_remove("http_proxy")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if BULK1 {
        command.env("SANDBOX_BULK1", "1");
    }
    let child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {} ({e}): run scripts/test.sh", python.display()));
    let output = tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
        .await
        .expect("the Python script finishes within 2 minutes")
        .expect("the Python script runs");
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
    let mut expected = vec!["login_soap", "query", "describe"];
    if BULK1 {
        expected.push("bulk1_insert");
    }
    assert_eq!(names, expected, "every check is reported: {report}");
    let failures: Vec<String> = checks
        .iter()
        .filter(|c| c["ok"] != true)
        .map(|c| format!("  {}: {}\n{}", c["name"], c["error"], c["trace"]))
        .collect();
    assert!(
        failures.is_empty(),
        "simple-salesforce checks failed:\n{}\nstderr: {stderr}",
        failures.join("\n")
    );
    assert!(output.status.success(), "{:?}", output.status);
}
