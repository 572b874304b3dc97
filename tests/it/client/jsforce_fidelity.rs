//! jsforce 3 against the sandbox org for what users' Node scripts run beyond sign-in: Bulk API
//! 1.0 (`conn.bulk`: insert, query, update, delete, job states and errors), Bulk API 2.0 edge
//! cases and the activity, campaign and product objects.
//!
//! The script `tests/jsforce/fidelity.js` prints a JSON report; this test starts the org,
//! signs in with the password grant, runs the script and asserts on every check. It fails,
//! never skips, when node or jsforce is missing: `scripts/test.sh` installs both.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use sandbox_org::{OrgConfig, SandboxOrg};

use crate::support::org::password_login;

/// Every check the script must report, so that a check dropped from the script is noticed.
const EXPECTED_CHECKS: [&str; 8] = [
    "bulk1_insert",
    "bulk1_query",
    "bulk1_update",
    "bulk1_delete",
    "bulk1_job_lifecycle",
    "bulk1_errors",
    "bulk2_edges",
    "standard_objects",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jsforce_bulk_and_standard_objects_work_against_the_sandbox_org() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(
        root.join("tests/jsforce/node_modules/jsforce/package.json")
            .exists(),
        "jsforce is not installed: run `npm ci` in tests/jsforce (scripts/test.sh does it)"
    );
    let org = SandboxOrg::start(OrgConfig::default())
        .await
        .expect("the sandbox org starts");
    let http = reqwest::Client::new();
    let token = password_login(&http, &org.base_url()).await;

    let child = tokio::process::Command::new("node")
        .arg("tests/jsforce/fidelity.js")
        .current_dir(root)
        .env("SANDBOX_BASE_URL", org.base_url())
        .env("SANDBOX_ACCESS_TOKEN", &token)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run node ({e}): install Node.js 18 or later (scripts/test.sh does it)")
        });
    let output = tokio::time::timeout(Duration::from_secs(180), child.wait_with_output())
        .await
        .expect("the jsforce script finishes within 3 minutes")
        .expect("the jsforce script runs");
    org.shutdown().await;

    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report: serde_json::Value = stdout
        .lines()
        .rev()
        .find_map(|line| serde_json::from_str(line).ok())
        .unwrap_or_else(|| {
            panic!("no JSON report from the script.\nstdout: {stdout}\nstderr: {stderr}")
        });
    let checks = report["checks"].as_array().cloned().unwrap_or_default();
    let names: Vec<&str> = checks.iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(
        names, EXPECTED_CHECKS,
        "the script reports every check, in order (report: {report})"
    );
    let failures: Vec<String> = checks
        .iter()
        .filter(|c| c["ok"] != serde_json::Value::Bool(true))
        .map(|c| format!("  {}: {}", c["name"], c["error"]))
        .collect();
    assert!(
        failures.is_empty(),
        "jsforce checks failed:\n{}\nstderr: {stderr}",
        failures.join("\n")
    );
    assert_eq!(report["ok"], true, "report: {report}");
    assert!(output.status.success(), "{:?}", output.status);
}
