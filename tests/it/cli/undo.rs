//! `tether undo` as a user runs it, against a `tether sandbox-org` process signed in through
//! `tether connect` and the keychain of the test session (scripts/test.sh): a record edited
//! in Salesforce after the run stops the undo, unless the user says to overwrite it.

use reqwest::Method;
use serde_json::{Value, json};
use tether::sync::link::Link;
use tether::workspace::Workspace;

use crate::support::cli::{Org, Setup, connect, free_port, start_org, succeeded, text};

const CONNECTION: &str = "undo-test";

fn customers_link() -> Link {
    serde_json::from_value(json!({
        "name": "customers",
        "connection": CONNECTION,
        "table": "customers",
        "key": "id",
        "object": "Account",
        "id_column": "sf_id",
        "policy": "salesforce_wins",
        "fields": [
            {"local": {"column": "name"}, "remote": "Name", "direction": "both"},
            {"local": {"column": "phone"}, "remote": "Phone", "direction": "push"}
        ]
    }))
    .expect("the link parses")
}

async fn account(org: &Org, id: &str) -> Value {
    let records = org
        .query_all(&format!(
            "SELECT Name, Phone FROM Account WHERE Id = '{id}'"
        ))
        .await;
    records.into_iter().next().expect("the account exists")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undo_refuses_to_overwrite_a_later_salesforce_edit_unless_told_to() {
    let port = free_port();
    let (_org_process, login) = start_org(&format!("http://localhost:{port}/OauthRedirect"), &[]);
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup::in_dir(dir.path());
    connect(&login, port, &setup.data, Some(CONNECTION)).await;
    let org = Org::sign_in(&login).await;
    let ids = org
        .write_records(
            "Account",
            Method::POST,
            vec![json!({"Name": "Acme", "Phone": "555-0100"})],
        )
        .await;
    let acme = ids[0].clone();

    let mut ws = Workspace::open(&setup.workspace).expect("workspace");
    ws.conn()
        .execute_batch(
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, sf_id TEXT, name TEXT, phone TEXT)",
        )
        .unwrap();
    ws.save_link(&customers_link(), "test").expect("link");
    drop(ws);
    succeeded(
        "first sync",
        setup.command(&["sync", "customers"]).output().unwrap(),
    );
    setup
        .db()
        .execute_batch("UPDATE customers SET name = 'Acme Local', phone = '555-0199'")
        .unwrap();
    succeeded(
        "sync",
        setup.command(&["sync", "customers"]).output().unwrap(),
    );
    let run = setup.last_run_id().to_string();
    org.write_accounts(
        Method::PATCH,
        vec![json!({"Id": acme, "Name": "Acme Remote"})],
    )
    .await;

    let out = setup.command(&["undo", &run]).output().unwrap();
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains(&format!("Account {acme} (row 1): Name")),
        "the refusal names the record and the field: {said}"
    );
    assert!(
        said.contains("--overwrite-salesforce-edits"),
        "and says how to go ahead: {said}"
    );
    let kept = account(&org, &acme).await;
    assert_eq!(
        (kept["Name"].clone(), kept["Phone"].clone()),
        (json!("Acme Remote"), json!("555-0199")),
        "nothing was written"
    );
    let help = succeeded(
        "undo --help",
        setup.command(&["undo", "--help"]).output().unwrap(),
    );
    assert!(help.contains("--overwrite-salesforce-edits"), "{help}");

    succeeded(
        "undo overwriting the edit",
        setup
            .command(&["undo", &run, "--overwrite-salesforce-edits"])
            .output()
            .unwrap(),
    );
    let after = account(&org, &acme).await;
    assert_eq!(
        (after["Name"].clone(), after["Phone"].clone()),
        (json!("Acme"), json!("555-0100"))
    );
}
