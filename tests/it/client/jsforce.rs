//! jsforce 3, the most used JavaScript Salesforce client, run against the sandbox org.
//!
//! The script in `tests/jsforce/` performs each flow as jsforce does it and prints a JSON
//! report; this test starts the org, runs the script and asserts on every check. It fails,
//! never skips, when node or jsforce is missing: `scripts/test.sh` installs both.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use sandbox_org::{ConnectedApp, OrgConfig, SandboxOrg};

const CLIENT_ID: &str = "JsforceConformance";
const CALLBACK: &str = "http://localhost:3999/oauth2/callback";

/// Every check the script must report, so that a check dropped from the script is noticed.
const EXPECTED_CHECKS: &[&str] = &[
    "oauth_web_server_pkce",
    "identity",
    "refresh_after_expiry",
    "describe",
    "query_autofetch_pages",
    "create_update_delete",
    "query_all",
    "upsert_external_id",
    "collections_partial_failure",
    "composite",
    "bulk2_ingest",
    "sosl_search",
    "list_views",
    "layouts",
    "limits",
    "parent_child_query",
    "semi_and_anti_join",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jsforce_works_against_the_sandbox_org() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(
        root.join("tests/jsforce/node_modules/jsforce/package.json")
            .exists(),
        "jsforce is not installed: run `npm ci` in tests/jsforce (scripts/test.sh does it)"
    );

    let mut config = OrgConfig {
        auto_approve: true,
        seed_records: Some(2_500),
        ..OrgConfig::default()
    };
    config.apps.push(ConnectedApp {
        client_id: CLIENT_ID.to_string(),
        client_secret: None,
        callbacks: vec![CALLBACK.to_string()],
        jwt_certificate_pem: None,
    });
    let org = SandboxOrg::start(config)
        .await
        .expect("the sandbox org starts");

    let child = tokio::process::Command::new("node")
        .arg("tests/jsforce/conformance.js")
        .current_dir(root)
        .env("SANDBOX_BASE_URL", org.base_url())
        .env("SANDBOX_CLIENT_ID", CLIENT_ID)
        .env("SANDBOX_CALLBACK", CALLBACK)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run node ({e}): install Node.js 18 or later (scripts/test.sh does it)")
        });
    let output = tokio::time::timeout(Duration::from_secs(240), child.wait_with_output())
        .await
        .expect("the jsforce script finishes within 4 minutes")
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
    assert!(
        output.status.success(),
        "the script exits 0 only when every check passed: {:?}",
        output.status
    );
    assert!(
        report["jsforceVersion"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.")),
        "jsforce 3 is the client under test: {report}"
    );
}
