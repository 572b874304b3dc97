//! `tether runs`, `tether errors` and `tether conflicts` on a workspace prepared through the
//! library, run as a user would.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{Value, json};
use tether::sync::link::{FieldMapping, Link, MatchKey};
use tether::sync::plan::{Conflict, Direction, Values};
use tether::workspace::Workspace;
use tether::workspace::base::{self, BaseRecord};
use tether::workspace::conflicts::{self, ConflictStatus};
use tether::workspace::journal::{self, RecordFailure, RunCounts, RunStatus, Side, Trigger};

const TETHER: &str = env!("CARGO_BIN_EXE_tether");
const ACME: &str = "001000000000001AAA";

fn tether(dir: &Path, args: &[&str]) -> Output {
    Command::new(TETHER)
        .args(args)
        .arg("--workspace")
        .arg(dir.join("workspace.sqlite"))
        .env("TETHER_DATA_DIR", dir.join("data"))
        .env("RUST_LOG", "warn")
        .output()
        .expect("the tether binary runs")
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "tether failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json_of(out: &Output) -> Value {
    serde_json::from_str(&stdout(out)).expect("JSON on stdout")
}

struct Prepared {
    link: i64,
    succeeded: i64,
    partial: i64,
    conflict: i64,
}

fn prepare(dir: &Path) -> Prepared {
    let mut ws = Workspace::open(&dir.join("workspace.sqlite")).expect("workspace");
    ws.conn()
        .execute_batch(
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, sf_id TEXT);
             INSERT INTO customers VALUES (1, 'Acme Ltd', '001000000000001AAA');",
        )
        .expect("table");
    let link = ws
        .save_link(
            &Link {
                name: "customers".into(),
                connection: "main".into(),
                table: "customers".into(),
                key: "id".into(),
                object: "Account".into(),
                id_column: "sf_id".into(),
                match_on: MatchKey::SalesforceId,
                create_unmatched: false,
                fields: vec![FieldMapping::column("name", "Name", Direction::Both)],
                pull_filter: None,
                push_filter: None,
                policy: Default::default(),
                deletes: Default::default(),
                archive_column: None,
                schedule: Default::default(),
                strategy: Default::default(),
                time_zone: None,
            },
            "test",
        )
        .expect("link");
    let conn = ws.conn();

    let succeeded = journal::start_run(conn, link, "customers", Trigger::Cli, None).unwrap();
    let counts = RunCounts {
        processed: 120,
        created: 3,
        updated: 17,
        api_calls: 2,
        ..Default::default()
    };
    journal::finish_run(conn, succeeded, RunStatus::Succeeded, &counts, None).unwrap();

    let partial = journal::start_run(conn, link, "customers", Trigger::Schedule, None).unwrap();
    journal::record_error(
        conn,
        partial,
        &RecordFailure {
            side: Side::Salesforce,
            sf_id: None,
            row_key: Some("9".into()),
            code: "STRING_TOO_LONG".into(),
            message: "Account Name: data value too large".into(),
            fields: vec!["Name".into()],
            payload: Some(json!({"Name": "x".repeat(300)})),
            hint: "Shorten `name` of row 9 to 255 characters, then sync again.".into(),
        },
    )
    .unwrap();
    let fields: Values = [("Name".to_string(), json!("Acme"))].into_iter().collect();
    base::put(
        conn,
        link,
        &BaseRecord {
            sf_id: ACME.into(),
            row_key: Some("1".into()),
            fields,
            remote_modstamp: None,
            remote_deleted: false,
        },
    )
    .unwrap();
    let conflict = conflicts::record_open(
        conn,
        link,
        ACME,
        Some("1"),
        &Conflict {
            field: "Name".into(),
            base: Some(json!("Acme")),
            local: Some(json!("Acme Ltd")),
            remote: Some(json!("ACME Corporation")),
        },
        Some(partial),
    )
    .unwrap();
    let counts = RunCounts {
        processed: 5,
        failed: 1,
        conflicts: 1,
        api_calls: 1,
        ..Default::default()
    };
    journal::finish_run(
        conn,
        partial,
        RunStatus::Partial,
        &counts,
        Some("1 record failed"),
    )
    .unwrap();
    Prepared {
        link,
        succeeded,
        partial,
        conflict,
    }
}

#[test]
fn an_empty_workspace_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 4] = [
        (&["runs"], "No runs yet: run `tether sync LINK`"),
        (&["runs", "--link", "leads"], "run `tether sync leads`"),
        (&["errors"], "No errors recorded"),
        (&["conflicts"], "No open conflicts"),
    ];
    for (args, expected) in cases {
        let text = stdout(&tether(dir.path(), args));
        assert!(text.contains(expected), "{args:?}: {text}");
    }
    for command in ["runs", "errors", "conflicts"] {
        let listed = json_of(&tether(dir.path(), &[command, "--format", "json"]));
        assert_eq!(listed, json!([]), "{command}");
    }
}

#[test]
fn runs_are_listed_newest_first_with_their_counts() {
    let dir = tempfile::tempdir().unwrap();
    let p = prepare(dir.path());

    let runs = json_of(&tether(dir.path(), &["runs", "--format", "json"]));
    let runs = runs.as_array().expect("an array");
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["id"], p.partial);
    assert_eq!(runs[0]["status"], "partial");
    assert_eq!(runs[0]["trigger"], "schedule");
    assert_eq!(runs[0]["failed"], 1);
    assert_eq!(runs[1]["id"], p.succeeded);
    assert_eq!(runs[1]["processed"], 120);
    assert_eq!(runs[1]["api_calls"], 2);

    let limited = json_of(&tether(
        dir.path(),
        &["runs", "--limit", "1", "--format", "json"],
    ));
    assert_eq!(limited.as_array().map(Vec::len), Some(1));

    let table = stdout(&tether(dir.path(), &["runs"]));
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].trim_start().starts_with("ID"));
    assert!(lines[0].contains("API CALLS"));
    let header_end = lines[0].len();
    assert_eq!(
        lines[1].len(),
        header_end,
        "counts right-aligned under their header"
    );
    assert!(lines[1].contains("partial") && lines[1].contains("schedule"));
    assert!(lines[2].contains("succeeded"));
    assert!(table.contains(&format!("run {}: 1 record failed", p.partial)));
}

#[test]
fn errors_show_the_hint_and_json_adds_the_payload() {
    let dir = tempfile::tempdir().unwrap();
    let p = prepare(dir.path());
    let run = p.partial.to_string();

    let table = stdout(&tether(dir.path(), &["errors", "--run", &run]));
    assert!(table.contains("STRING_TOO_LONG"), "{table}");
    assert!(table.contains("row 9"));
    assert!(table.contains("Shorten `name` of row 9"));
    assert!(!table.contains(&"x".repeat(300)), "no payload in the table");

    let listed = json_of(&tether(
        dir.path(),
        &["errors", "--run", &run, "--format", "json"],
    ));
    assert_eq!(listed[0]["fields"], json!(["Name"]));
    assert_eq!(listed[0]["payload"]["Name"], json!("x".repeat(300)));

    let clean = stdout(&tether(
        dir.path(),
        &["errors", "--run", &p.succeeded.to_string()],
    ));
    assert!(clean.contains("recorded no errors"), "{clean}");

    let missing = tether(dir.path(), &["errors", "--run", "999"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("tether runs"));
}

#[test]
fn a_resolved_conflict_moves_the_base_and_leaves_the_queue() {
    let dir = tempfile::tempdir().unwrap();
    let p = prepare(dir.path());

    let table = stdout(&tether(dir.path(), &["conflicts"]));
    assert!(table.contains("\"ACME Corporation\""), "{table}");
    assert!(table.contains("\"Acme Ltd\""));
    assert!(table.contains("customers"));
    let listed = json_of(&tether(dir.path(), &["conflicts", "--format", "json"]));
    assert_eq!(listed[0]["id"], p.conflict);
    assert_eq!(listed[0]["link"], "customers");
    assert_eq!(listed[0]["base"], "Acme");

    let id = p.conflict.to_string();
    let done = stdout(&tether(
        dir.path(),
        &["conflicts", "resolve", &id, "--keep", "local"],
    ));
    assert!(done.contains("tether sync customers"), "{done}");

    let ws = Workspace::open(&dir.path().join("workspace.sqlite")).unwrap();
    let base = base::get(ws.conn(), p.link, ACME).unwrap().unwrap();
    assert_eq!(
        base.fields["Name"],
        json!("ACME Corporation"),
        "only the local side now differs from the base, so the next sync pushes it"
    );
    let resolved = conflicts::get(ws.conn(), p.conflict).unwrap().unwrap();
    assert_eq!(resolved.status, ConflictStatus::KeptLocal);
    assert!(conflicts::open(ws.conn(), None).unwrap().is_empty());
    assert_eq!(
        journal::audit_log(ws.conn(), 1).unwrap()[0].action,
        "conflict.resolve"
    );

    // `--workspace` before the subcommand names the same workspace.
    let again = Command::new(TETHER)
        .arg("conflicts")
        .arg("--workspace")
        .arg(dir.path().join("workspace.sqlite"))
        .args(["resolve", &id, "--keep", "salesforce"])
        .env("TETHER_DATA_DIR", dir.path().join("data"))
        .output()
        .expect("the tether binary runs");
    assert_eq!(again.status.code(), Some(1));
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(err.contains("no longer open"), "{err}");
    assert!(stdout(&tether(dir.path(), &["conflicts"])).contains("No open conflicts"));

    let unknown_link = tether(dir.path(), &["conflicts", "--link", "leads"]);
    assert_eq!(unknown_link.status.code(), Some(1));
}

#[test]
fn an_import_row_is_named_once_not_row_row() {
    let dir = tempfile::tempdir().unwrap();
    let p = prepare(dir.path());
    // An import without a key names its rows "row N" already.
    let ws = Workspace::open(&dir.path().join("workspace.sqlite")).unwrap();
    journal::record_error(
        ws.conn(),
        p.partial,
        &RecordFailure {
            side: Side::Salesforce,
            sf_id: None,
            row_key: Some("row 11".into()),
            code: "REQUIRED_FIELD_MISSING".into(),
            message: "Required fields are missing: [LastName]".into(),
            fields: vec!["LastName".into()],
            payload: None,
            hint: "Fill in LastName.".into(),
        },
    )
    .unwrap();
    let table = stdout(&tether(
        dir.path(),
        &["errors", "--run", &p.partial.to_string()],
    ));
    assert!(table.contains("row 11"), "{table}");
    assert!(!table.contains("row row"), "{table}");
    assert!(
        table.contains("row 9"),
        "a plain key still reads as a row: {table}"
    );
}

#[test]
fn a_closed_pipe_ends_runs_errors_and_conflicts_quietly_with_0() {
    let dir = tempfile::tempdir().unwrap();
    prepare(dir.path());
    for command in ["runs", "errors", "conflicts"] {
        // The reader is gone before tether writes a byte, as with `tether runs | head -0`.
        let (reader, writer) = std::io::pipe().expect("a pipe");
        drop(reader);
        let out = Command::new(TETHER)
            .arg(command)
            .arg("--workspace")
            .arg(dir.path().join("workspace.sqlite"))
            .env("TETHER_DATA_DIR", dir.path().join("data"))
            .env("RUST_LOG", "warn")
            .stdout(writer)
            .output()
            .expect("the tether binary runs");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{command} into a closed pipe: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "",
            "{command} says nothing"
        );
    }
}
