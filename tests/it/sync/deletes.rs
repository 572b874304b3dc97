//! Deletes travel only where data travels: regressions of a pull-only link that emptied
//! Salesforce when its table was emptied, a push-only link that deleted local rows when their
//! records went, and a push filter that deletes went around.

use crate::support::sync::*;
use serde_json::{Value, json};
use tether::workspace::journal::RunStatus;

const TABLE: &str = "CREATE TABLE customers (id INTEGER PRIMARY KEY, sf_id TEXT, name TEXT,
    health_score REAL)";

fn link(name_direction: &str, push_filter: Option<&str>) -> Value {
    let mut link = json!({
        "name": "customers",
        "connection": "sandbox",
        "table": "customers",
        "key": "id",
        "object": "Account",
        "id_column": "sf_id",
        "deletes": "propagate",
        "strategy": {"overlap_seconds": 0},
        "fields": [
            {"local": {"column": "name"}, "remote": "Name", "direction": name_direction}
        ]
    });
    if let Some(filter) = push_filter {
        link["push_filter"] = json!(filter);
        link["fields"]
            .as_array_mut()
            .unwrap()
            .push(json!({"local": {"column": "health_score"}, "remote": "Health_Score__c", "direction": "push"}));
    }
    link
}

async fn accounts(bench: &Bench) -> u64 {
    bench.soql("SELECT Id FROM Account").await["totalSize"]
        .as_u64()
        .unwrap()
}

async fn synced(bench: &Bench) {
    let run = bench.sync("customers").await;
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emptying_the_table_of_a_pull_only_link_deletes_nothing_in_salesforce() {
    let bench = Bench::new().await;
    for name in ["Acme", "Globex", "Initech"] {
        bench.create("Account", json!({ "Name": name })).await;
    }
    bench.execute(TABLE);
    bench.add_link(link("pull", None));
    synced(&bench).await;
    assert_eq!(bench.rows("SELECT id FROM customers").len(), 3);

    bench.execute("DELETE FROM customers");
    synced(&bench).await;

    assert_eq!(
        accounts(&bench).await,
        3,
        "no field pushes, so no delete does"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_only_link_keeps_its_rows_when_their_records_go() {
    let bench = Bench::new().await;
    bench.execute(TABLE);
    bench.execute("INSERT INTO customers (id, name) VALUES (1, 'Acme')");
    let id = bench.create("Account", json!({"Name": "Acme"})).await;
    bench.execute(&format!("UPDATE customers SET sf_id = '{id}'"));
    bench.add_link(link("push", None));
    synced(&bench).await;

    bench.delete("Account", &id).await;
    synced(&bench).await;

    assert_eq!(
        bench.rows("SELECT name FROM customers"),
        vec![vec![json!("Acme")]],
        "no field pulls, so the local row stays"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_the_push_filter_leaves_out_never_deletes_its_record() {
    let bench = Bench::new().await;
    let kept = bench.create("Account", json!({"Name": "Low"})).await;
    let gone = bench.create("Account", json!({"Name": "High"})).await;
    bench.execute(TABLE);
    bench.add_link(link("both", Some("health_score >= 50")));
    synced(&bench).await;
    bench.execute("UPDATE customers SET health_score = 10 WHERE name = 'Low'");
    bench.execute("UPDATE customers SET health_score = 80 WHERE name = 'High'");
    synced(&bench).await;

    next_second();
    let quiet = bench.sync("customers").await.counts.api_calls;

    bench.execute("DELETE FROM customers");
    synced(&bench).await;
    next_second();
    let after = bench.sync("customers").await;
    assert_eq!(
        after.counts.api_calls, quiet,
        "the kept record is not read again on every run: {after:?}"
    );

    let left = bench.soql("SELECT Id FROM Account").await["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Id"].as_str().unwrap().to_string())
        .collect::<Vec<_>>();
    assert_eq!(
        left,
        vec![kept],
        "the row the filter left out keeps its record; the other's delete travels ({gone})"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undo_of_a_propagated_delete_restores_the_local_row_at_the_new_id() {
    let bench = Bench::new().await;
    let old = bench.create("Account", json!({"Name": "Acme"})).await;
    bench.execute(TABLE);
    bench.add_link(link("both", None));
    synced(&bench).await;
    bench.execute("UPDATE customers SET health_score = 42");
    bench.execute("DELETE FROM customers");
    let deleting = bench.sync("customers").await;
    assert_eq!(deleting.counts.deleted, 1, "{deleting:?}");

    let undo = tether::sync::engine::undo::undo_run(&bench.path, deleting.run_id, &bench.client)
        .await
        .expect("the undo runs");
    assert_eq!(undo.status, RunStatus::Succeeded, "{undo:?}");

    let records = bench.soql("SELECT Id, Name FROM Account").await;
    let new = records["records"][0]["Id"].as_str().unwrap().to_string();
    assert_ne!(new, old, "Salesforce gives the record a new Id");
    assert_eq!(
        bench.rows("SELECT sf_id, name, health_score FROM customers"),
        vec![vec![json!(new), json!("Acme"), json!(42.0)]],
        "the row is back, pointing at the new record"
    );
    let quiet = bench.sync("customers").await;
    assert_eq!(quiet.status, RunStatus::Succeeded, "{quiet:?}");
    assert_eq!(
        (quiet.counts.deleted, quiet.counts.created),
        (0, 0),
        "the next sync neither deletes it again nor pulls a copy: {quiet:?}"
    );
    assert_eq!(
        bench.soql("SELECT Id FROM Account").await["totalSize"],
        json!(1)
    );
}
