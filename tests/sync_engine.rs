//! The sync engine end to end against the sandbox org: pulls, pushes, conflicts, deletes,
//! undo.

mod sync_support;

use serde_json::{Value, json};
use sync_support::*;
use tether::sync::workspace::journal::RunStatus;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_sync_pulls_every_account_then_edits_flow_both_ways() {
    let bench = Bench::new().await;
    let acme = bench
        .create("Account", json!({"Name": "Acme", "Industry": "Energy"}))
        .await;
    let globex = bench.create("Account", json!({"Name": "Globex"})).await;
    bench.execute(CUSTOMERS_TABLE);
    bench.add_link(customers_link("salesforce_wins"));

    let first = bench.sync("customers").await;
    assert_eq!(first.status, RunStatus::Succeeded, "{first:?}");
    assert_eq!(first.counts.created, 2);
    let rows = bench.rows("SELECT sf_id, name, industry FROM customers ORDER BY name");
    assert_eq!(
        rows,
        vec![
            vec![json!(acme), json!("Acme"), json!("Energy")],
            vec![json!(globex), json!("Globex"), Value::Null],
        ]
    );

    bench.execute("UPDATE customers SET health_score = 81.5 WHERE name = 'Acme'");
    bench.execute("UPDATE customers SET name = 'Globex Corp' WHERE name = 'Globex'");
    bench
        .update("Account", &acme, json!({"Industry": "Banking"}))
        .await;
    let second = bench.sync("customers").await;
    assert_eq!(second.status, RunStatus::Succeeded, "{second:?}");
    assert_eq!(
        bench.get("Account", &acme).await["Health_Score__c"],
        json!(81.5)
    );
    assert_eq!(
        bench.get("Account", &globex).await["Name"],
        json!("Globex Corp")
    );
    assert_eq!(
        bench.rows("SELECT industry FROM customers WHERE name = 'Acme'"),
        vec![vec![json!("Banking")]]
    );

    let quiet = bench.sync("customers").await;
    assert_eq!(quiet.status, RunStatus::Succeeded);
    assert_eq!(
        (
            quiet.counts.created,
            quiet.counts.updated,
            quiet.counts.deleted
        ),
        (0, 0, 0),
        "a sync with nothing new writes nothing: {quiet:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undo_puts_both_sides_back() {
    let bench = Bench::new().await;
    let acme = bench.create("Account", json!({"Name": "Acme"})).await;
    bench.execute(CUSTOMERS_TABLE);
    bench.add_link(customers_link("salesforce_wins"));
    bench.sync("customers").await;

    bench.execute("UPDATE customers SET name = 'Acme Local', health_score = 50");
    bench
        .update("Account", &acme, json!({"Industry": "Energy"}))
        .await;
    let before_local = bench.rows("SELECT sf_id, name, industry, health_score FROM customers");
    let before_remote = bench.get("Account", &acme).await;
    let run = bench.sync("customers").await;
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
    assert_eq!(
        bench.get("Account", &acme).await["Name"],
        json!("Acme Local")
    );

    let undo = tether::sync::engine::undo::undo_run(&bench.path, run.run_id, &bench.client)
        .await
        .expect("undo starts");
    assert_eq!(undo.status, RunStatus::Succeeded, "{undo:?}");
    assert_eq!(
        bench.rows("SELECT sf_id, name, industry, health_score FROM customers"),
        before_local
    );
    let after_remote = bench.get("Account", &acme).await;
    for field in ["Name", "Industry", "Health_Score__c"] {
        assert_eq!(after_remote[field], before_remote[field], "{field}");
    }
}
