//! `tether records` as a user runs it, against a `tether sandbox-org` process signed in through
//! `tether connect` and the keychain of the test session: a record read by its layout, an edit
//! refused by describe before anything is sent, an edit saved as a run that `tether undo`
//! takes back, and a create and delete.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::cli::{Org, Setup, connect, free_port, start_org, succeeded, text};

const CONNECTION: &str = "records-test";

async fn account(org: &Org, id: &str) -> Value {
    org.query_all(&format!(
        "SELECT Name, Health_Score__c FROM Account WHERE Id = '{id}'"
    ))
    .await
    .into_iter()
    .next()
    .expect("the account exists")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_are_read_edited_past_describe_and_undone_from_the_command_line() {
    let port = free_port();
    let (_org_process, login) = start_org(&format!("http://localhost:{port}/OauthRedirect"), &[]);
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup::in_dir(dir.path());
    connect(&login, port, &setup.data, Some(CONNECTION)).await;
    let org = Org::sign_in(&login).await;
    let ids = org
        .write_records("Account", Method::POST, vec![json!({"Name": "Acme"})])
        .await;
    let acme = ids[0].clone();
    let record = |action: &str, more: &[&str]| {
        let mut args = vec![
            "records",
            action,
            "--connection",
            CONNECTION,
            "--object",
            "Account",
        ];
        args.extend_from_slice(more);
        setup.command(&args).output().unwrap()
    };

    let shown = succeeded("records get", record("get", &["--id", &acme]));
    assert!(shown.starts_with("Account Acme ("), "{shown}");
    assert!(shown.contains("  Account Name: Acme"), "{shown}");
    assert!(shown.contains("Contacts (0)"), "{shown}");

    let out = record(
        "update",
        &["--id", &acme, "--set", "Health_Score__c=1234.567"],
    );
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("nothing was sent"), "{said}");
    assert!(said.contains("Health Score (Health_Score__c)"), "{said}");
    assert_eq!(account(&org, &acme).await["Health_Score__c"], json!(null));

    let saved = succeeded(
        "records update",
        record(
            "update",
            &[
                "--id",
                &acme,
                "--set",
                "Name=Acme Solar",
                "--set",
                "Health_Score__c=88.5",
            ],
        ),
    );
    assert!(
        saved.contains("Salesforce saved 2 field(s) of Account"),
        "{saved}"
    );
    let run = setup.last_run_id();
    assert!(
        saved.contains(&format!("undo it with run {run}")),
        "{saved}"
    );
    let trigger: String = setup
        .db()
        .query_row(
            "SELECT trigger FROM tether_runs WHERE id = ?1",
            [run],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(trigger, "records");
    assert_eq!(account(&org, &acme).await["Name"], "Acme Solar");

    succeeded(
        "undo",
        setup.command(&["undo", &run.to_string()]).output().unwrap(),
    );
    let back = account(&org, &acme).await;
    assert_eq!(back["Name"], "Acme");
    assert_eq!(back["Health_Score__c"], json!(null));

    let missing = record("create", &["--set", "Website=acme.example"]);
    let said = format!("{}{}", text(&missing.stdout), text(&missing.stderr));
    assert!(said.contains("Account Name (Name) is required"), "{said}");

    let created = succeeded(
        "records create",
        record("create", &["--set", "Name=Acme Heat"]),
    );
    let new_id = created
        .split_whitespace()
        .nth(3)
        .unwrap_or_default()
        .trim_end_matches(';')
        .to_string();
    assert!(
        created.starts_with("Salesforce created Account "),
        "{created}"
    );
    let deleted = succeeded("records delete", record("delete", &["--id", &new_id]));
    assert!(
        deleted.starts_with(&format!("Salesforce deleted Account {new_id}")),
        "{deleted}"
    );
    assert!(
        org.query_all(&format!("SELECT Id FROM Account WHERE Id = '{new_id}'"))
            .await
            .is_empty()
    );
}
