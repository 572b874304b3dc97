//! Runs a script of `tests/jsforce/` with node against a sandbox org and checks its report.
//!
//! Each script performs flows as jsforce does them and prints one JSON line:
//! `{ok, jsforceVersion, checks: [{name, ok, error}]}`. A run fails, never skips, when node or
//! jsforce is missing: `scripts/test.sh` installs both.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;

/// Runs `tests/jsforce/{script}` with `env`, asserts that it reports exactly `expected` checks
/// in order, all passed, and exits 0; returns the report for further assertions.
pub async fn run_script(
    script: &str,
    env: &[(&str, &str)],
    expected: &[&str],
    timeout: Duration,
) -> Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(
        root.join("tests/jsforce/node_modules/jsforce/package.json")
            .exists(),
        "jsforce is not installed: run `npm ci` in tests/jsforce (scripts/test.sh does it)"
    );
    let mut command = tokio::process::Command::new("node");
    command
        .arg(format!("tests/jsforce/{script}"))
        .current_dir(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (key, value) in env {
        command.env(key, value);
    }
    let child = command.spawn().unwrap_or_else(|e| {
        panic!("cannot run node ({e}): install Node.js 18 or later (scripts/test.sh does it)")
    });
    let output = tokio::time::timeout(timeout, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("{script} finishes within {timeout:?}"))
        .expect("the jsforce script runs");

    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report: Value = stdout
        .lines()
        .rev()
        .find_map(|line| serde_json::from_str(line).ok())
        .unwrap_or_else(|| {
            panic!("no JSON report from {script}.\nstdout: {stdout}\nstderr: {stderr}")
        });
    let checks = report["checks"].as_array().cloned().unwrap_or_default();
    let names: Vec<&str> = checks.iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(
        names, expected,
        "{script} reports every check, in order (report: {report})"
    );
    let failures: Vec<String> = checks
        .iter()
        .filter(|c| c["ok"] != Value::Bool(true))
        .map(|c| format!("  {}: {}", c["name"], c["error"]))
        .collect();
    assert!(
        failures.is_empty(),
        "jsforce checks of {script} failed:\n{}\nstderr: {stderr}",
        failures.join("\n")
    );
    assert!(
        output.status.success(),
        "{script} exits 0 only when every check passed: {:?}",
        output.status
    );
    report
}
