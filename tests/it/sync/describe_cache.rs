//! The link's describe is kept in the workspace across runs: a run with nothing to do spends
//! one call, and a kept describe that no longer fits the org is read again.

use serde_json::{Value, json};
use tether::workspace::journal::RunStatus;

use crate::support::sync::{Bench, CUSTOMERS_TABLE, customers_link, next_second};

/// Three customers with their Accounts, synced once.
async fn synced() -> Bench {
    let bench = Bench::new().await;
    bench.execute(CUSTOMERS_TABLE);
    bench.execute(
        "INSERT INTO customers (id, name, health_score) VALUES (1, 'Ada', 10), (2, 'Grace', 20), (3, 'Edsger', 30)",
    );
    let mut link = customers_link("salesforce_wins");
    link["create_unmatched"] = json!(true);
    bench.add_link(link);
    let first = bench.sync("customers").await;
    assert_eq!(first.status, RunStatus::Succeeded, "{first:?}");
    assert_eq!(first.counts.created, 3, "{first:?}");
    bench
}

/// Rewrites the kept describe of Account through `edit`, kept before the org last changed its
/// schema (an older `Last-Modified`), as after a field is added or removed in Setup.
fn edit_kept_describe(bench: &Bench, edit: impl FnOnce(&mut Vec<Value>)) {
    let conn = bench.db();
    let (url, body): (String, String) = conn
        .query_row(
            "SELECT url, body FROM tether_describes WHERE url LIKE '%/sobjects/Account/describe/'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("the Account describe is kept");
    let mut describe: Value = serde_json::from_str(&body).unwrap();
    let fields = describe["fields"].as_array_mut().unwrap();
    edit(fields);
    conn.execute(
        "UPDATE tether_describes SET body = ?2, last_modified = 'Thu, 01 Jan 2004 00:00:00 GMT' WHERE url = ?1",
        rusqlite::params![url, describe.to_string()],
    )
    .unwrap();
}

fn kept_fields(bench: &Bench) -> Vec<String> {
    let body = &bench.rows("SELECT body FROM tether_describes")[0][0];
    let describe: Value = serde_json::from_str(body.as_str().unwrap()).unwrap();
    describe["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_with_nothing_to_do_costs_one_call() {
    let bench = synced().await;
    next_second();
    let before = bench.org.api_used().await;
    let quiet = bench.sync("customers").await;
    let spent = bench.org.api_used().await - before;
    assert_eq!(quiet.status, RunStatus::Succeeded, "{quiet:?}");
    assert_eq!(
        spent, 1,
        "a run with nothing to do spent {spent} calls (the describe is kept across runs): {quiet:?}"
    );
    assert_eq!(
        quiet.counts.api_calls, spent,
        "the run counts what the org counted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mapped_field_missing_from_the_kept_describe_reads_the_describe_again() {
    let bench = synced().await;
    edit_kept_describe(&bench, |fields| {
        fields.retain(|f| f["name"] != "Health_Score__c")
    });
    bench.execute("UPDATE customers SET health_score = 99 WHERE id = 2");
    let run = bench.sync("customers").await;
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
    assert!(
        kept_fields(&bench).iter().any(|f| f == "Health_Score__c"),
        "the fresh describe is kept"
    );
    let id = bench.rows("SELECT sf_id FROM customers WHERE id = 2")[0][0]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        bench.get("Account", &id).await["Health_Score__c"],
        json!(99.0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_field_the_org_refuses_is_checked_against_a_fresh_describe() {
    let bench = synced().await;
    edit_kept_describe(&bench, |fields| {
        let mut ghost = fields
            .iter()
            .find(|f| f["name"] == "Industry")
            .cloned()
            .unwrap();
        ghost["name"] = json!("Ghost__c");
        fields.push(ghost);
    });
    bench.execute("ALTER TABLE customers ADD COLUMN ghost TEXT");
    let mut link = customers_link("salesforce_wins");
    link["create_unmatched"] = json!(true);
    link["fields"]
        .as_array_mut()
        .unwrap()
        .push(json!({"local": {"column": "ghost"}, "remote": "Ghost__c", "direction": "pull"}));
    bench.add_link(link);

    let run = bench.sync("customers").await;
    assert_eq!(run.status, RunStatus::Failed, "{run:?}");
    let message = run.message.unwrap_or_default();
    assert!(
        message.contains("no field `Ghost__c`"),
        "the run names the field the org no longer has, from a fresh describe: {message}"
    );
    assert!(
        !kept_fields(&bench).iter().any(|f| f == "Ghost__c"),
        "the out-of-date describe is replaced"
    );
}
