//! `tether link …` driven through the built binary, on a workspace in a temporary directory.
//! `link verify` needs a connection in the keychain, so it is covered by the library tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

const TETHER: &str = env!("CARGO_BIN_EXE_tether");

/// `tether link --workspace WORKSPACE ARGS…`.
fn tether(workspace: &Path, args: &[&str]) -> Output {
    Command::new(TETHER)
        .arg("link")
        .arg("--workspace")
        .arg(workspace)
        .arg("--data-dir")
        .arg(workspace.with_extension("data"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("the tether binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs and expects success, returning standard output.
fn ok(workspace: &Path, args: &[&str]) -> String {
    let output = tether(workspace, args);
    assert!(
        output.status.success(),
        "tether link {args:?} failed: {}{}",
        stdout(&output),
        stderr(&output)
    );
    stdout(&output)
}

/// Runs and expects failure with `code`, returning standard error.
fn fails(workspace: &Path, args: &[&str], code: i32) -> String {
    let output = tether(workspace, args);
    assert_eq!(
        output.status.code(),
        Some(code),
        "tether link {args:?}: {}{}",
        stdout(&output),
        stderr(&output)
    );
    stderr(&output)
}

#[test]
fn templates_install_list_show_and_delete() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = dir.path().join("workspace.sqlite");

    assert!(ok(&ws, &["list"]).contains("No links yet"));
    let templates = ok(&ws, &["template"]);
    for name in ["customer-health", "lead-scores", "service-customers"] {
        assert!(templates.contains(name), "{templates}");
    }
    assert!(fails(&ws, &["template", "lead-scores"], 2).contains("--connection"));
    assert!(
        fails(&ws, &["template", "lead-score", "--connection", "x"], 2).contains("lead-scores")
    );

    for name in ["customer-health", "lead-scores", "service-customers"] {
        let out = ok(&ws, &["template", name, "--connection", "sandbox"]);
        assert!(out.contains("Installed"), "{out}");
    }
    let list = ok(&ws, &["list"]);
    for name in [
        "customer-health",
        "customer-health-stakeholders",
        "lead-scores",
        "service-accounts",
        "service-contacts",
    ] {
        assert!(
            list.lines().any(|l| l.starts_with(&format!("{name} "))),
            "{name} missing:\n{list}"
        );
    }

    let show = ok(&ws, &["show", "lead-scores"]);
    assert!(
        show.contains("Table lead_scores (key `lead_id`) <-> Lead"),
        "{show}"
    );
    assert!(show.contains("->  push  Expected_Conversion__c"), "{show}");
    assert!(
        show.contains("Push only rows where: julianday(scored_at)"),
        "{show}"
    );
    assert!(show.contains("Conflicts: local wins"), "{show}");

    assert!(fails(&ws, &["show", "nope"], 1).contains("no link named `nope`"));
    assert!(ok(&ws, &["delete", "lead-scores"]).contains("Deleted"));
    assert!(!ok(&ws, &["list"]).contains("lead-scores "));
    assert!(fails(&ws, &["delete", "lead-scores"], 1).contains("no link named"));
}

#[test]
fn links_exported_from_one_workspace_import_into_another() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = dir.path().join("first.sqlite");
    let second = dir.path().join("second.sqlite");
    ok(
        &first,
        &["template", "service-customers", "--connection", "prod"],
    );

    let all = ok(&first, &["export"]);
    assert!(all.contains("\"format\": \"tether-links\""), "{all}");
    assert!(all.contains("service-accounts") && all.contains("service-contacts"));
    let file = dir.path().join("links.json");
    ok(
        &first,
        &[
            "export",
            "service-contacts",
            "--output",
            file.to_str().expect("utf-8 path"),
        ],
    );
    let one = std::fs::read_to_string(&file).expect("written");
    assert!(
        one.contains("service-contacts") && !one.contains("service-accounts"),
        "{one}"
    );

    // The table must exist before its links are imported.
    let refused = fails(&second, &["import", file.to_str().expect("utf-8 path")], 2);
    assert!(refused.contains("`service_customers`"), "{refused}");
    assert!(ok(&second, &["list"]).contains("No links yet"));

    let installed_tables =
        "CREATE TABLE service_customers (st_id TEXT PRIMARY KEY, contact_sf_id TEXT)";
    rusqlite::Connection::open(&second)
        .expect("workspace opens")
        .execute_batch(installed_tables)
        .expect("table");
    let out = ok(&second, &["import", file.to_str().expect("utf-8 path")]);
    assert!(
        out.contains("Imported 1 link(s): service-contacts"),
        "{out}"
    );
    assert_eq!(ok(&second, &["export", "service-contacts"]), one);
}

#[test]
fn a_typo_in_an_imported_file_is_refused_with_its_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = dir.path().join("workspace.sqlite");
    ok(&ws, &["template", "lead-scores", "--connection", "prod"]);
    let text = ok(&ws, &["export"]).replacen("\"direction\"", "\"direciton\"", 1);
    let line = text
        .lines()
        .position(|l| l.contains("direciton"))
        .expect("typo")
        + 1;
    let file = dir.path().join("typo.json");
    std::fs::write(&file, text).expect("written");
    let err = fails(&ws, &["import", file.to_str().expect("utf-8 path")], 2);
    assert!(err.contains("direciton"), "{err}");
    assert!(err.contains("`lead-scores`"), "{err}");
    assert!(err.contains(&format!("line {line}, column")), "{err}");
}
