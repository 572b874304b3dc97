//! Record-scoped runs against the sandbox org: a run of some records reads and writes those
//! records only, by key or by Id, at the cost of a few calls whatever the link's size, and
//! leaves the link's cursor where it was.

use crate::support::sync::{Bench, CUSTOMERS_TABLE, customers_link};
use serde_json::{Value, json};
use tether::run::RunSummary;
use tether::sync::engine::{self, Records, RunOptions, RunScope, SyncError};
use tether::workspace::journal::{RunStatus, Trigger};

async fn scoped(bench: &Bench, keys: &[&str], ids: &[&str]) -> Result<RunSummary, SyncError> {
    let mut options = RunOptions::new(Trigger::Cli);
    options.scope = RunScope::Records(Records {
        keys: keys.iter().map(|k| k.to_string()).collect(),
        ids: ids.iter().map(|i| i.to_string()).collect(),
    });
    engine::sync_link(&bench.path, "customers", &bench.client, &options).await
}

fn creating_link() -> Value {
    let mut link = customers_link("salesforce_wins");
    link["create_unmatched"] = json!(true);
    link
}

/// `n` customers, synced once: every row has its record and its base.
async fn synced_customers(n: usize) -> Bench {
    let bench = Bench::new().await;
    bench.execute(CUSTOMERS_TABLE);
    bench.execute(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})
         INSERT INTO customers (id, name, health_score) SELECT i, 'Customer ' || i, 50 FROM n"
    ));
    bench.add_link(creating_link());
    let first = bench.sync("customers").await;
    assert_eq!(first.status, RunStatus::Succeeded, "{first:?}");
    assert_eq!(first.counts.created, n as u64, "{first:?}");
    bench
}

fn sf_id(bench: &Bench, key: i64) -> String {
    bench.rows(&format!("SELECT sf_id FROM customers WHERE id = {key}"))[0][0]
        .as_str()
        .expect("the row has its Id")
        .to_string()
}

async fn score(bench: &Bench, key: i64) -> Value {
    let id = sf_id(bench, key);
    bench.get("Account", &id).await["Health_Score__c"].clone()
}

fn cursor(bench: &Bench) -> Vec<Vec<Value>> {
    bench.rows("SELECT pulled_through FROM tether_cursors")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_by_key_of_a_ten_thousand_row_link_sends_one_record_in_three_calls() {
    let bench = synced_customers(10_000).await;
    bench.execute("UPDATE customers SET health_score = 77 WHERE id IN (2, 5000, 9999)");
    let cursor_before = cursor(&bench);
    let used_before = bench.org.api_used().await;

    let run = scoped(&bench, &["5000"], &[])
        .await
        .expect("the run starts");

    let calls = bench.org.api_used().await - used_before;
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
    assert!(calls <= 3, "the run spent {calls} API calls: {run:?}");
    assert_eq!(run.counts.processed, 1, "{run:?}");
    assert_eq!(
        run.counts.api_calls, calls,
        "the run counts what the org counted"
    );
    assert_eq!(
        score(&bench, 5000).await,
        json!(77.0),
        "the named record was sent"
    );
    assert_eq!(
        score(&bench, 2).await,
        json!(50.0),
        "another changed row waits"
    );
    assert_eq!(
        score(&bench, 9999).await,
        json!(50.0),
        "another changed row waits"
    );
    assert_eq!(cursor(&bench), cursor_before, "the link's cursor stays");
    assert_eq!(
        bench.rows(&format!(
            "SELECT scope FROM tether_runs WHERE id = {}",
            run.run_id
        )),
        vec![vec![json!("key 5000")]],
        "History marks the run with its record"
    );

    // The whole link's next run still sends the other two.
    let rest = bench.sync("customers").await;
    assert_eq!(rest.status, RunStatus::Succeeded, "{rest:?}");
    assert_eq!(score(&bench, 2).await, json!(77.0));
    assert_eq!(score(&bench, 9999).await, json!(77.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_by_id_pulls_a_record_no_row_holds_yet_and_nothing_else() {
    let bench = synced_customers(3).await;
    let wanted = bench
        .create("Account", json!({"Name": "Wanted", "Industry": "Energy"}))
        .await;
    let other = bench.create("Account", json!({"Name": "Other"})).await;
    let cursor_before = cursor(&bench);

    let run = scoped(&bench, &[], &[&wanted])
        .await
        .expect("the run starts");
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
    assert_eq!(run.counts.created, 1, "{run:?}");
    assert_eq!(
        bench.rows("SELECT name, industry FROM customers WHERE id > 3"),
        vec![vec![json!("Wanted"), json!("Energy")]],
        "only the named record became a row"
    );
    assert_eq!(cursor(&bench), cursor_before, "the link's cursor stays");

    let rest = bench.sync("customers").await;
    assert_eq!(rest.counts.created, 1, "{rest:?}");
    assert_eq!(
        bench.rows(&format!(
            "SELECT name FROM customers WHERE sf_id = '{other}'"
        )),
        vec![vec![json!("Other")]],
        "the whole run still finds the record the scoped run left alone"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_run_is_undone_like_any_run() {
    let bench = synced_customers(3).await;
    bench.execute("UPDATE customers SET health_score = 91 WHERE id IN (1, 2)");
    let run = scoped(&bench, &["1"], &[]).await.expect("the run starts");
    assert_eq!(run.counts.processed, 1, "{run:?}");
    assert_eq!(score(&bench, 1).await, json!(91.0));

    let undone = engine::undo::undo_run(&bench.path, run.run_id, &bench.client)
        .await
        .expect("the undo runs");
    assert_eq!(undone.status, RunStatus::Succeeded, "{undone:?}");
    assert_eq!(score(&bench, 1).await, json!(50.0), "put back");
    assert_eq!(score(&bench, 2).await, json!(50.0), "never sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_key_is_named_and_nothing_is_recorded() {
    let bench = synced_customers(2).await;
    let runs_before = bench.rows("SELECT count(*) FROM tether_runs");
    let refused = scoped(&bench, &["1", "404"], &[]).await;
    let message = refused
        .expect_err("an unknown key stops the run")
        .to_string();
    assert!(
        message.contains("no row of `customers` has `id` = `404`"),
        "{message}"
    );
    assert!(
        !message.contains("`1`"),
        "the known key is not named: {message}"
    );
    assert_eq!(bench.rows("SELECT count(*) FROM tether_runs"), runs_before);
}
