//! `tether import` around its edges: where its files go, how it asks before sending, and what it
//! says about a mistyped object or an org it cannot choose. Against a `tether sandbox-org`
//! process signed in through `tether connect` and the keychain of the test session.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use crate::support::cli::{Org, Setup, connect, free_port, start_org, succeeded, text};

fn failed(what: &str, out: Output, code: i32) -> String {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}: {}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

/// An org with one connection named `name`, and a sheet of two accounts beside the workspace.
async fn prepared(
    dir: &Path,
    name: &str,
) -> (crate::support::cli::Running, String, Setup, PathBuf) {
    let port = free_port();
    let (org, login) = start_org(&format!("http://localhost:{port}/OauthRedirect"), &[]);
    let setup = Setup::in_dir(dir);
    connect(&login, port, &setup.data, Some(name)).await;
    let sheet = dir.join("accounts.csv");
    std::fs::write(
        &sheet,
        "Account Name,Phone\nAcme,555-0100\nGlobex,555-0199\n",
    )
    .unwrap();
    (org, login, setup, sheet)
}

async fn account_names(login: &str) -> Vec<String> {
    let org = Org::sign_in(login).await;
    let mut names: Vec<String> = org
        .query_all("SELECT Name FROM Account")
        .await
        .iter()
        .filter_map(|r| r["Name"].as_str().map(str::to_string))
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_out_folder_that_does_not_exist_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let (_org, _login, setup, sheet) = prepared(dir.path(), "out-test").await;
    let out_dir = dir.path().join("reports").join("today");
    let said = succeeded(
        "import --dry-run --out NEW_DIR",
        setup
            .command(&[
                "import",
                sheet.to_str().unwrap(),
                "--object",
                "Account",
                "--dry-run",
            ])
            .arg("--out")
            .arg(&out_dir)
            .output()
            .unwrap(),
    );
    let written: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap_or_else(|e| panic!("{} exists ({e}): {said}", out_dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        written.iter().any(|n| n.contains("tether-check")),
        "the report is in the new folder: {written:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_confirmation_reads_the_answer_from_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let (_org, login, setup, sheet) = prepared(dir.path(), "pipe-test").await;
    let import = |stdin: Stdio| {
        setup
            .command(&["import", sheet.to_str().unwrap(), "--object", "Account"])
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("tether import starts")
    };

    // Nothing to read: it says --yes is needed and sends nothing.
    let said = failed(
        "import with no answer",
        import(Stdio::null()).wait_with_output().unwrap(),
        2,
    );
    assert!(said.contains("--yes"), "{said}");
    assert!(account_names(&login).await.is_empty(), "nothing sent");

    // `echo n | tether import …`: nothing sent.
    let mut child = import(Stdio::piped());
    child.stdin.take().unwrap().write_all(b"n\n").unwrap();
    let said = succeeded("import answered no", child.wait_with_output().unwrap());
    assert!(
        account_names(&login).await.is_empty(),
        "nothing sent: {said}"
    );

    // `echo y | tether import …`: sent.
    let mut child = import(Stdio::piped());
    child.stdin.take().unwrap().write_all(b"y\n").unwrap();
    let said = succeeded("import answered yes", child.wait_with_output().unwrap());
    assert!(said.contains("2 created"), "{said}");
    assert_eq!(account_names(&login).await, ["Acme", "Globex"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_of_a_mistyped_object_names_the_closest_objects() {
    let dir = tempfile::tempdir().unwrap();
    let (_org, _login, setup, sheet) = prepared(dir.path(), "object-test").await;
    let out = setup
        .command(&[
            "import",
            sheet.to_str().unwrap(),
            "--object",
            "Acount",
            "--dry-run",
        ])
        .output()
        .unwrap();
    let said = failed("import --object Acount", out, 2);
    assert!(said.contains("no object named `Acount`"), "{said}");
    assert!(said.contains("`Account`"), "the closest name: {said}");
    assert!(!said.contains("404"), "{said}");

    // A link's object, mistyped the same way.
    let link: tether::sync::link::Link = serde_json::from_value(serde_json::json!({
        "name": "customers",
        "connection": "object-test",
        "table": "customers",
        "key": "id",
        "object": "Acount",
        "id_column": "sf_id",
        "fields": [{"local": {"column": "name"}, "remote": "Name", "direction": "both"}]
    }))
    .expect("the link parses");
    let mut ws = tether::workspace::Workspace::open(&setup.workspace).unwrap();
    ws.conn()
        .execute_batch("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, sf_id TEXT)")
        .unwrap();
    ws.save_link(&link, "test").unwrap();
    drop(ws);
    let said = failed(
        "link verify of a link to Acount",
        setup
            .command(&["link", "verify", "customers"])
            .output()
            .unwrap(),
        2,
    );
    assert!(said.contains("no object named `Acount`"), "{said}");
    assert!(said.contains("`Account`"), "{said}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_with_two_orgs_connected_names_them() {
    let dir = tempfile::tempdir().unwrap();
    let (_org, login, setup, sheet) = prepared(dir.path(), "first-org").await;
    let port = free_port();
    let (_second, second_login) = start_org(&format!("http://localhost:{port}/OauthRedirect"), &[]);
    connect(&second_login, port, &setup.data, Some("second-org")).await;
    let said = failed(
        "import without --connection",
        setup
            .command(&[
                "import",
                sheet.to_str().unwrap(),
                "--object",
                "Account",
                "--yes",
            ])
            .output()
            .unwrap(),
        2,
    );
    assert!(
        said.contains("--connection") && said.contains("first-org") && said.contains("second-org"),
        "{said}"
    );
    assert!(account_names(&login).await.is_empty(), "nothing sent");
}
