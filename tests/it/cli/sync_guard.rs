//! `tether sync` and the mass-delete guard, as a user runs it against a `tether sandbox-org`
//! process: a run that would delete too much stops with exit code 1, naming the deletes and
//! the flag that allows them.

use serde_json::json;
use tether::sync::link::Link;
use tether::workspace::Workspace;

use crate::support::cli::{Org, Setup, connect, free_port, start_org, succeeded, text};

const CONNECTION: &str = "guard-test";

fn customers_link() -> Link {
    serde_json::from_value(json!({
        "name": "customers",
        "connection": CONNECTION,
        "table": "customers",
        "key": "id",
        "object": "Account",
        "id_column": "sf_id",
        "create_unmatched": true,
        "deletes": "propagate",
        "fields": [
            {"local": {"column": "name"}, "remote": "Name", "direction": "both"}
        ]
    }))
    .expect("the link parses")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_stops_before_a_mass_delete_unless_allowed() {
    let port = free_port();
    let (_org_process, login) = start_org(&format!("http://localhost:{port}/OauthRedirect"), &[]);
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup::in_dir(dir.path());
    connect(&login, port, &setup.data, Some(CONNECTION)).await;
    let org = Org::sign_in(&login).await;

    let mut ws = Workspace::open(&setup.workspace).expect("workspace");
    ws.conn()
        .execute_batch("CREATE TABLE customers (id INTEGER PRIMARY KEY, sf_id TEXT, name TEXT)")
        .unwrap();
    for n in 1..=30 {
        ws.conn()
            .execute(
                "INSERT INTO customers (id, name) VALUES (?1, ?2)",
                rusqlite::params![n, format!("Guarded {n}")],
            )
            .unwrap();
    }
    ws.save_link(&customers_link(), "test").expect("link");
    drop(ws);
    succeeded(
        "first sync",
        setup.command(&["sync", "customers"]).output().unwrap(),
    );
    let guarded = "SELECT Id FROM Account WHERE Name LIKE 'Guarded%'";
    assert_eq!(org.query_all(guarded).await.len(), 30);

    setup
        .db()
        .execute_batch("DELETE FROM customers WHERE id > 5")
        .unwrap();
    let stopped = setup.command(&["sync", "customers"]).output().unwrap();
    let said = format!("{}{}", text(&stopped.stdout), text(&stopped.stderr));
    assert_eq!(stopped.status.code(), Some(1), "{said}");
    for wanted in [
        "needs_confirmation",
        "25 Account record(s) in Salesforce",
        "and 15 more",
        "tether sync customers --allow-mass-delete",
    ] {
        assert!(said.contains(wanted), "`{wanted}` missing from: {said}");
    }
    assert_eq!(org.query_all(guarded).await.len(), 30, "nothing deleted");

    succeeded(
        "allowed sync",
        setup
            .command(&["sync", "customers", "--allow-mass-delete"])
            .output()
            .unwrap(),
    );
    assert_eq!(org.query_all(guarded).await.len(), 5);
}
