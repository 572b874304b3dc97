//! The path a push takes: Composite requests of five Collections subrequests below the Bulk
//! threshold, calls kept in flight in a sliding window, and records refused for a lock sent
//! again.

use serde_json::json;
use tether::run::push::WritePath;
use tether::workspace::journal::RunStatus;

use crate::support::sync::{Bench, CUSTOMERS_TABLE, customers_link};

async fn customers(n: usize) -> Bench {
    let bench = Bench::new().await;
    bench.execute(CUSTOMERS_TABLE);
    bench.execute(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})
         INSERT INTO customers (id, name, health_score) SELECT i, 'Customer ' || i, 50 FROM n"
    ));
    let mut link = customers_link("salesforce_wins");
    link["create_unmatched"] = json!(true);
    bench.add_link(link);
    bench
}

async fn accounts_in_org(bench: &Bench) -> u64 {
    bench.soql("SELECT COUNT() FROM Account").await["totalSize"]
        .as_u64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_thousand_creates_take_three_composite_calls() {
    let bench = customers(3_000).await;
    let before = bench.org.api_used().await;
    let run = bench.sync("customers").await;
    let spent = bench.org.api_used().await - before;
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
    assert_eq!(run.write_path, Some(WritePath::Composite), "{run:?}");
    assert_eq!(run.counts.created, 3_000, "{run:?}");
    assert_eq!(accounts_in_org(&bench).await, 3_000);
    // The describe, one count of the empty object, then 1,000 records a call.
    assert_eq!(spent, 2 + 3, "{run:?}");
    let without_id = bench.rows("SELECT COUNT(*) FROM customers WHERE sf_id IS NULL")[0][0].clone();
    assert_eq!(without_id, json!(0), "every row learned its record's Id");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_refused_for_a_lock_are_sent_again_once_each() {
    let bench = customers(1_200).await;
    bench
        .org
        .set_faults(json!({ "lock_error_rate": 0.4, "seed": 5 }))
        .await;
    let run = bench.sync("customers").await;
    bench
        .org
        .set_faults(json!({ "lock_error_rate": 0.0 }))
        .await;
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
    assert_eq!(run.counts.created, 1_200, "{run:?}");
    assert_eq!(
        accounts_in_org(&bench).await,
        1_200,
        "a record refused for a lock is created once, not twice"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_of_a_few_records_is_one_collections_call() {
    let bench = customers(150).await;
    let run = bench.sync("customers").await;
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
    assert_eq!(run.write_path, Some(WritePath::Collections), "{run:?}");
    assert_eq!(accounts_in_org(&bench).await, 150);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_records_above_the_bulk_threshold_go_by_composite() {
    let bench = Bench::new().await;
    bench.execute(CUSTOMERS_TABLE);
    bench.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1200)
         INSERT INTO customers (id, name, health_score) SELECT i, 'Customer ' || i, 50 FROM n",
    );
    let mut link = customers_link("salesforce_wins");
    link["create_unmatched"] = json!(true);
    link["strategy"] = json!({ "bulk_push_above": 100 });
    bench.add_link(link);
    let before = bench.org.api_used().await;
    let run = bench.sync("customers").await;
    let spent = bench.org.api_used().await - before;
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
    assert_eq!(run.write_path, Some(WritePath::Composite), "{run:?}");
    let why = run.write_choice.clone().unwrap_or_default();
    assert!(why.contains("not Bulk"), "{why}");
    assert_eq!(run.counts.created, 1_200, "{run:?}");
    assert_eq!(accounts_in_org(&bench).await, 1_200);
    // The describe, one count of the empty object, then 1,000 records a call.
    assert_eq!(spent, 2 + 2, "{run:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_records_beside_a_bulk_job_each_learn_their_own_record() {
    let bench = customers(300).await;
    let first = bench.sync("customers").await;
    assert_eq!(first.status, RunStatus::Succeeded, "{first:?}");
    let mut link = customers_link("salesforce_wins");
    link["create_unmatched"] = json!(true);
    link["strategy"] = json!({ "bulk_push_above": 100 });
    bench.add_link(link);
    bench.execute("UPDATE customers SET health_score = 75");
    bench.execute(
        "WITH RECURSIVE n(i) AS (SELECT 301 UNION ALL SELECT i + 1 FROM n WHERE i < 550)
         INSERT INTO customers (id, name, health_score) SELECT i, 'Customer ' || i, 20 FROM n",
    );
    let run = bench.sync("customers").await;
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
    assert_eq!(run.write_path, Some(WritePath::Bulk), "{run:?}");
    assert_eq!(
        (run.counts.updated, run.counts.created),
        (300, 250),
        "{run:?}"
    );
    let why = run.write_choice.clone().unwrap_or_default();
    assert!(why.contains("its 250 new records by Composite"), "{why}");
    assert_eq!(accounts_in_org(&bench).await, 550);
    let in_org = bench
        .soql("SELECT Id, Name, Health_Score__c FROM Account")
        .await;
    let by_id: std::collections::HashMap<String, (String, f64)> = in_org["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["Id"].as_str().unwrap().to_string(),
                (
                    r["Name"].as_str().unwrap().to_string(),
                    r["Health_Score__c"].as_f64().unwrap(),
                ),
            )
        })
        .collect();
    for row in bench.rows("SELECT sf_id, name, health_score FROM customers") {
        let id = row[0].as_str().expect("every row learned its record's Id");
        assert_eq!(
            by_id.get(id),
            Some(&(
                row[1].as_str().unwrap().to_string(),
                row[2].as_f64().unwrap()
            )),
            "row {row:?} holds the Id of its own record"
        );
    }
}
