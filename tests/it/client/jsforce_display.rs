//! `toLabel()`, `FORMAT()` and `FOR VIEW` through jsforce 3 (`tests/jsforce/display.js`):
//! labels and formatted values under the names jsforce reads, the error for a non-picklist
//! field, and a FOR VIEW query leading `/recent`. Fails, never skips, when node or jsforce is
//! missing.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

const EXPECTED_CHECKS: [&str; 5] = [
    "seed",
    "to_label",
    "format",
    "non_picklist_is_refused",
    "for_view",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jsforce_reads_labels_formatted_values_and_views() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(
        root.join("tests/jsforce/node_modules/jsforce/package.json")
            .exists(),
        "jsforce is not installed: run `npm ci` in tests/jsforce (scripts/test.sh does it)"
    );
    let t = crate::support::org::start().await;
    let child = tokio::process::Command::new("node")
        .arg("tests/jsforce/display.js")
        .current_dir(root)
        .env("SANDBOX_BASE_URL", &t.base)
        .env("SANDBOX_ACCESS_TOKEN", &t.token)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run node ({e}): install Node.js 18 or later"));
    let output = tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
        .await
        .expect("the jsforce script finishes within 2 minutes")
        .expect("the jsforce script runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report: serde_json::Value = stdout
        .lines()
        .rev()
        .find_map(|line| serde_json::from_str(line).ok())
        .unwrap_or_else(|| panic!("no JSON report.\nstdout: {stdout}\nstderr: {stderr}"));
    let checks = report["checks"].as_array().cloned().unwrap_or_default();
    let names: Vec<&str> = checks.iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(names, EXPECTED_CHECKS, "every check reported: {report}");
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
    assert!(output.status.success(), "exit status {:?}", output.status);
}
