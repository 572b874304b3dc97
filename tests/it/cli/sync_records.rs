//! `tether sync LINK --key K`, `--keys-from`, `--id` and `--failed`, as a user runs them
//! against a `tether sandbox-org` process: a run of some records sends those records only, at
//! the cost of a few API calls (counted by the org itself) whatever the link's size.

use serde_json::{Value, json};
use tether::sync::link::Link;
use tether::workspace::Workspace;

use crate::support::cli::{Org, Setup, connect, free_port, start_org, succeeded, text};

/// Tests that run at the same time share the session keychain: each names its connection.
fn customers_link(connection: &str) -> Link {
    serde_json::from_value(json!({
        "name": "customers",
        "connection": connection,
        "table": "customers",
        "key": "id",
        "object": "Account",
        "id_column": "sf_id",
        "create_unmatched": true,
        "fields": [
            {"local": {"column": "name"}, "remote": "Name", "direction": "both"},
            {"local": {"column": "health_score"}, "remote": "Health_Score__c", "direction": "push"}
        ]
    }))
    .expect("the link parses")
}

/// API calls the org has counted so far, read through its admin endpoint (not itself counted).
async fn api_used(org: &Org) -> u64 {
    let usage: Value = org
        .http
        .get(format!("{}/__sandbox/limits", org.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    usage["used"].as_u64().expect("the org counts its calls")
}

fn sf_id(setup: &Setup, key: i64) -> String {
    setup
        .db()
        .query_row("SELECT sf_id FROM customers WHERE id = ?1", [key], |r| {
            r.get(0)
        })
        .expect("the row has its Id")
}

async fn score(org: &Org, id: &str) -> Value {
    let rows = org
        .query_all(&format!(
            "SELECT Health_Score__c FROM Account WHERE Id = '{id}'"
        ))
        .await;
    rows[0]["Health_Score__c"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_by_key_sends_one_record_of_ten_thousand_in_at_most_three_calls() {
    let port = free_port();
    let (_org_process, login) = start_org(&format!("http://localhost:{port}/OauthRedirect"), &[]);
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup::in_dir(dir.path());
    connect(&login, port, &setup.data, Some("records-by-key")).await;
    let org = Org::sign_in(&login).await;

    let mut ws = Workspace::open(&setup.workspace).expect("workspace");
    ws.conn()
        .execute_batch(
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, sf_id TEXT, name TEXT, health_score REAL);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
             INSERT INTO customers (id, name, health_score) SELECT i, 'Customer ' || i, 50 FROM n;",
        )
        .unwrap();
    ws.save_link(&customers_link("records-by-key"), "test")
        .expect("link");
    drop(ws);
    succeeded(
        "first sync",
        setup.command(&["sync", "customers"]).output().unwrap(),
    );
    setup
        .db()
        .execute_batch("UPDATE customers SET health_score = 77 WHERE id IN (2, 5000, 9999)")
        .unwrap();

    let before = api_used(&org).await;
    let run = setup
        .command(&["sync", "customers", "--key", "5000"])
        .output()
        .unwrap();
    let calls = api_used(&org).await - before;
    let said = format!("{}{}", text(&run.stdout), text(&run.stderr));
    assert!(run.status.success(), "{said}");
    assert!(calls <= 3, "`--key 5000` spent {calls} API calls: {said}");
    assert!(said.contains("only key 5000"), "{said}");
    assert!(said.contains("1 processed"), "{said}");
    assert_eq!(score(&org, &sf_id(&setup, 5000)).await, json!(77.0));
    assert_eq!(
        score(&org, &sf_id(&setup, 2)).await,
        json!(50.0),
        "not sent"
    );
    assert_eq!(score(&org, &sf_id(&setup, 9999)).await, json!(50.0));

    // By Id, and keys from a file.
    let keys = dir.path().join("keys.txt");
    std::fs::write(&keys, "2\n\n").unwrap();
    succeeded(
        "keys from a file",
        setup
            .command(&["sync", "customers", "--keys-from", &keys.to_string_lossy()])
            .output()
            .unwrap(),
    );
    assert_eq!(score(&org, &sf_id(&setup, 2)).await, json!(77.0));
    assert_eq!(score(&org, &sf_id(&setup, 9999)).await, json!(50.0));
    let id = sf_id(&setup, 9999);
    succeeded(
        "by Id",
        setup
            .command(&["sync", "customers", "--id", &id])
            .output()
            .unwrap(),
    );
    assert_eq!(score(&org, &id).await, json!(77.0));

    // `tether runs` marks each run with its records.
    let runs = setup.command(&["runs"]).output().unwrap();
    let listed = text(&runs.stdout);
    for wanted in ["RECORDS", "key 5000", "key 2", &format!("Id {id}")] {
        assert!(listed.contains(wanted), "`{wanted}` missing from: {listed}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_keys_and_ids_are_named_and_failed_records_are_retried_alone() {
    let port = free_port();
    let (_org_process, login) = start_org(&format!("http://localhost:{port}/OauthRedirect"), &[]);
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup::in_dir(dir.path());
    connect(&login, port, &setup.data, Some("records-failed")).await;
    let org = Org::sign_in(&login).await;

    let mut ws = Workspace::open(&setup.workspace).expect("workspace");
    ws.conn()
        .execute_batch(
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, sf_id TEXT, name TEXT, health_score REAL);
             INSERT INTO customers (id, name, health_score)
             VALUES (1, 'One', 10), (2, 'Two', 20), (3, 'Three', 30);",
        )
        .unwrap();
    ws.save_link(&customers_link("records-failed"), "test")
        .expect("link");
    drop(ws);
    succeeded(
        "first sync",
        setup.command(&["sync", "customers"]).output().unwrap(),
    );

    let unknown_key = setup
        .command(&["sync", "customers", "--key", "42"])
        .output()
        .unwrap();
    let said = text(&unknown_key.stderr);
    assert!(!unknown_key.status.success(), "{said}");
    assert!(
        said.contains("no row of `customers` has `id` = `42`"),
        "{said}"
    );

    let absent = sandbox_org::testing::mint("001", 987_654);
    let unknown_id = setup
        .command(&["sync", "customers", "--id", &absent, "--id", "001nonsense"])
        .output()
        .unwrap();
    let said = format!("{}{}", text(&unknown_id.stdout), text(&unknown_id.stderr));
    assert!(!unknown_id.status.success(), "{said}");
    assert!(
        said.contains("`001nonsense` is not a Salesforce Id"),
        "{said}"
    );
    let only_absent = setup
        .command(&["sync", "customers", "--id", &absent])
        .output()
        .unwrap();
    let said = format!("{}{}", text(&only_absent.stdout), text(&only_absent.stderr));
    assert!(!only_absent.status.success(), "{said}");
    assert!(
        said.contains(&format!(
            "`{absent}` is not a record of the link `customers`"
        )),
        "{said}"
    );

    // Two names Salesforce refuses, then both fixed and a third row changed.
    let long = "N".repeat(300);
    setup
        .db()
        .execute_batch(&format!(
            "UPDATE customers SET name = '{long}' WHERE id IN (1, 2)"
        ))
        .unwrap();
    let refused = setup.command(&["sync", "customers"]).output().unwrap();
    assert!(!refused.status.success(), "the long names were refused");
    setup
        .db()
        .execute_batch(
            "UPDATE customers SET name = 'One fixed' WHERE id = 1;
             UPDATE customers SET name = 'Two fixed' WHERE id = 2;
             UPDATE customers SET name = 'Three changed' WHERE id = 3;",
        )
        .unwrap();
    let retried = setup
        .command(&["sync", "customers", "--failed"])
        .output()
        .unwrap();
    let said = text(&retried.stdout);
    assert!(retried.status.success(), "{said}{}", text(&retried.stderr));
    assert!(said.contains("2 processed"), "{said}");
    let names: Vec<String> = org
        .query_all("SELECT Name FROM Account ORDER BY Name")
        .await
        .iter()
        .map(|r| r["Name"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        names,
        ["One fixed", "Three", "Two fixed"],
        "only the failed two"
    );

    let again = setup
        .command(&["sync", "customers", "--failed"])
        .output()
        .unwrap();
    assert!(again.status.success());
    assert!(
        text(&again.stdout).contains("No record of customers failed its last attempt"),
        "{}",
        text(&again.stdout)
    );
}
