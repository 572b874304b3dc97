//! The engine plans from Salesforce's current values, never from a stale copy: regressions of
//! decisions dropped and rows overwritten once a Salesforce edit was older than the overlap
//! window, or outside what the link reads.
//!
//! The links here look back no further than their cursor (`overlap_seconds: 0`), and each test
//! waits for the clock to enter a new second between a Salesforce write and the run that reads
//! it: SOQL compares SystemModstamp to the second, so every later run's cursor is past it.

use crate::support::sync::*;
use serde_json::{Value, json};
use tether::workspace::conflicts::{self, ConflictStatus, Keep};
use tether::workspace::journal::{self, RunStatus};

/// Account ↔ customers, Name and Phone both ways, looking back no further than the cursor.
fn link(policy: &str, filter: Option<&str>) -> Value {
    let mut link = json!({
        "name": "customers",
        "connection": "sandbox",
        "table": "customers",
        "key": "id",
        "object": "Account",
        "id_column": "sf_id",
        "policy": policy,
        "strategy": {"overlap_seconds": 0},
        "fields": [
            {"local": {"column": "name"}, "remote": "Name", "direction": "both"},
            {"local": {"column": "phone"}, "remote": "Phone", "direction": "both"}
        ]
    });
    if let Some(filter) = filter {
        link["pull_filter"] = json!(filter);
    }
    link
}

const TABLE: &str = "CREATE TABLE customers (id INTEGER PRIMARY KEY, sf_id TEXT, ext TEXT,
    name TEXT, phone TEXT, industry TEXT, employees TEXT)";

async fn synced(bench: &Bench) -> tether::run::RunSummary {
    let run = bench.sync("customers").await;
    assert!(
        matches!(run.status, RunStatus::Succeeded | RunStatus::Partial),
        "{run:?}"
    );
    run
}

fn local(bench: &Bench, column: &str) -> Value {
    let rows = bench.rows(&format!("SELECT {column} FROM customers"));
    assert_eq!(rows.len(), 1, "one local row: {rows:?}");
    rows[0][0].clone()
}

fn error_codes(bench: &Bench, run: i64) -> Vec<(String, String)> {
    journal::errors(&bench.db(), Some(run), 100)
        .unwrap()
        .into_iter()
        .map(|e| (e.code, e.message))
        .collect()
}

/// A Name conflict under manual review, opened by a run that read the Salesforce edit; the
/// edit is then behind the cursor.
async fn open_name_conflict(bench: &Bench) -> String {
    let id = bench
        .create("Account", json!({"Name": "Acme", "Phone": "1"}))
        .await;
    bench.execute(TABLE);
    bench.add_link(link("manual_review", None));
    synced(bench).await;
    bench.execute("UPDATE customers SET name = 'Acme Local'");
    bench
        .update("Account", &id, json!({"Name": "Acme Remote"}))
        .await;
    next_second();
    let run = synced(bench).await;
    assert_eq!(run.counts.conflicts, 1, "{run:?}");
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_conflict_stays_open_once_the_salesforce_edit_is_older_than_the_overlap() {
    let bench = Bench::new().await;
    let id = open_name_conflict(&bench).await;

    for _ in 0..2 {
        synced(&bench).await;
    }

    assert_eq!(
        bench.get("Account", &id).await["Name"],
        json!("Acme Remote"),
        "Salesforce keeps its edit while the conflict waits"
    );
    assert_eq!(local(&bench, "name"), json!("Acme Local"));
    let open = conflicts::open(&bench.db(), None).unwrap();
    assert_eq!(open.len(), 1, "still waiting for a person: {open:?}");
    assert_eq!(open[0].field, "Name");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keeping_salesforce_after_the_overlap_pulls_its_value() {
    let bench = Bench::new().await;
    let id = open_name_conflict(&bench).await;
    let conflict = conflicts::open(&bench.db(), None).unwrap()[0].id;
    conflicts::resolve(&bench.db(), conflict, Keep::Salesforce, "test").unwrap();

    synced(&bench).await;

    assert_eq!(local(&bench, "name"), json!("Acme Remote"));
    assert_eq!(
        bench.get("Account", &id).await["Name"],
        json!("Acme Remote")
    );
    let closed = conflicts::get(&bench.db(), conflict).unwrap().unwrap();
    assert_eq!(closed.status, ConflictStatus::KeptSalesforce);
    let quiet = synced(&bench).await;
    assert_eq!(quiet.counts.updated, 0, "the decision holds: {quiet:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keeping_local_after_the_overlap_pushes_it() {
    let bench = Bench::new().await;
    let id = open_name_conflict(&bench).await;
    let conflict = conflicts::open(&bench.db(), None).unwrap()[0].id;
    conflicts::resolve(&bench.db(), conflict, Keep::Local, "test").unwrap();

    synced(&bench).await;

    assert_eq!(bench.get("Account", &id).await["Name"], json!("Acme Local"));
    assert_eq!(local(&bench, "name"), json!("Acme Local"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_that_left_the_pull_filter_is_not_overwritten_from_a_stale_view() {
    let bench = Bench::new().await;
    let id = bench
        .create("Account", json!({"Name": "Acme", "Industry": "Energy"}))
        .await;
    bench.execute(TABLE);
    bench.add_link(link("manual_review", Some("Industry = 'Energy'")));
    synced(&bench).await;
    bench
        .update(
            "Account",
            &id,
            json!({"Industry": "Banking", "Name": "Acme Remote"}),
        )
        .await;
    next_second();
    synced(&bench).await;

    bench.execute("UPDATE customers SET name = 'Acme Local'");
    let run = synced(&bench).await;

    assert_eq!(
        bench.get("Account", &id).await["Name"],
        json!("Acme Remote"),
        "the newer Salesforce value is not overwritten: {run:?}"
    );
    let open = conflicts::open(&bench.db(), None).unwrap();
    assert_eq!(open.len(), 1, "both sides changed Name: {open:?}");
    assert_eq!(open[0].remote, Some(json!("Acme Remote")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn widening_the_pull_filter_pulls_records_that_already_existed() {
    let bench = Bench::new().await;
    bench
        .create("Account", json!({"Name": "Acme", "Industry": "Energy"}))
        .await;
    bench
        .create("Account", json!({"Name": "Globex", "Industry": "Banking"}))
        .await;
    bench.execute(TABLE);
    bench.add_link(link("salesforce_wins", Some("Industry = 'Energy'")));
    next_second();
    synced(&bench).await;
    assert_eq!(bench.rows("SELECT name FROM customers").len(), 1);

    bench.add_link(link(
        "salesforce_wins",
        Some("Industry IN ('Energy', 'Banking')"),
    ));
    synced(&bench).await;

    assert_eq!(
        bench.rows("SELECT name FROM customers ORDER BY name"),
        vec![vec![json!("Acme")], vec![json!("Globex")]]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_a_field_mapping_backfills_existing_records() {
    let bench = Bench::new().await;
    let id = bench
        .create("Account", json!({"Name": "Acme", "Industry": "Energy"}))
        .await;
    bench.execute(TABLE);
    bench.add_link(link("salesforce_wins", None));
    next_second();
    synced(&bench).await;

    let mut wider = link("salesforce_wins", None);
    wider["fields"]
        .as_array_mut()
        .unwrap()
        .push(json!({"local": {"column": "industry"}, "remote": "Industry", "direction": "both"}));
    bench.add_link(wider);
    synced(&bench).await;

    assert_eq!(local(&bench, "industry"), json!("Energy"));
    assert_eq!(bench.get("Account", &id).await["Industry"], json!("Energy"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prefilled_local_value_does_not_overwrite_salesforce_when_a_mapping_is_added() {
    let bench = Bench::new().await;
    let id = bench
        .create("Account", json!({"Name": "Acme", "Industry": "Energy"}))
        .await;
    bench.execute(TABLE);
    bench.add_link(link("salesforce_wins", None));
    next_second();
    synced(&bench).await;
    bench.execute("UPDATE customers SET industry = 'Retail'");

    let mut wider = link("salesforce_wins", None);
    wider["fields"]
        .as_array_mut()
        .unwrap()
        .push(json!({"local": {"column": "industry"}, "remote": "Industry", "direction": "both"}));
    bench.add_link(wider);
    synced(&bench).await;

    assert_eq!(
        bench.get("Account", &id).await["Industry"],
        json!("Energy"),
        "Salesforce wins the field both sides hold"
    );
    assert_eq!(local(&bench, "industry"), json!("Energy"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn salesforce_edits_made_while_a_row_was_unreadable_arrive_once_it_is_fixed() {
    let bench = Bench::new().await;
    let id = bench
        .create("Account", json!({"Name": "Acme", "NumberOfEmployees": 10}))
        .await;
    bench.execute(TABLE);
    let mut with_employees = link("salesforce_wins", None);
    with_employees["fields"].as_array_mut().unwrap().push(
        json!({"local": {"column": "employees"}, "remote": "NumberOfEmployees", "direction": "both"}),
    );
    bench.add_link(with_employees);
    synced(&bench).await;

    bench.execute("UPDATE customers SET employees = 'twelve'");
    bench
        .update("Account", &id, json!({"Name": "Acme Remote"}))
        .await;
    next_second();
    let skipped = synced(&bench).await;
    assert_eq!(skipped.status, RunStatus::Partial, "{skipped:?}");
    assert_eq!(
        local(&bench, "name"),
        json!("Acme"),
        "the row was left alone"
    );

    bench.execute("UPDATE customers SET employees = '12'");
    let fixed = synced(&bench).await;

    assert_eq!(fixed.status, RunStatus::Succeeded, "{fixed:?}");
    assert_eq!(local(&bench, "name"), json!("Acme Remote"));
    let remote = bench.get("Account", &id).await;
    assert_eq!(remote["Name"], json!("Acme Remote"));
    assert_eq!(remote["NumberOfEmployees"], json!(12));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_local_insert_is_retried_on_the_next_sync() {
    let bench = Bench::new().await;
    let id = bench.create("Account", json!({"Name": "Acme"})).await;
    bench.execute(TABLE);
    bench.execute(
        "CREATE TRIGGER refuse_acme BEFORE INSERT ON customers WHEN NEW.name = 'Acme'
         BEGIN SELECT RAISE(ABORT, 'not yet'); END;",
    );
    bench.add_link(link("salesforce_wins", None));
    next_second();
    let failed = synced(&bench).await;
    let codes = error_codes(&bench, failed.run_id);
    assert!(
        codes.iter().any(|(code, _)| code == "LOCAL_INSERT_FAILED"),
        "{codes:?}"
    );

    bench.execute("DROP TRIGGER refuse_acme");
    let retried = synced(&bench).await;

    assert_eq!(retried.status, RunStatus::Succeeded, "{retried:?}");
    assert_eq!(
        bench.rows("SELECT sf_id, name FROM customers"),
        vec![vec![json!(id), json!("Acme")]]
    );
}

fn external_id_link(filter: &str) -> Value {
    let mut link = link("salesforce_wins", Some(filter));
    link["match_on"] = json!({"by": "external_id", "field": "External_Id__c", "column": "ext"});
    link
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_row_naming_a_record_outside_the_pull_filter_is_refused_not_upserted() {
    let bench = Bench::new().await;
    let id = bench
        .create(
            "Account",
            json!({"Name": "Real", "Phone": "555", "Industry": "Banking", "External_Id__c": "ST-1"}),
        )
        .await;
    bench.execute(TABLE);
    bench.add_link(external_id_link("Industry = 'Energy'"));
    synced(&bench).await;
    bench.execute("INSERT INTO customers (ext, name) VALUES ('ST-1', 'Mine')");

    let run = synced(&bench).await;

    let remote = bench.get("Account", &id).await;
    assert_eq!(
        (remote["Name"].clone(), remote["Phone"].clone()),
        (json!("Real"), json!("555"))
    );
    assert_eq!(run.status, RunStatus::Partial, "{run:?}");
    let codes = error_codes(&bench, run.run_id);
    assert_eq!(codes.len(), 1, "{codes:?}");
    assert_eq!(codes[0].0, "OUTSIDE_PULL_FILTER");
    assert!(
        codes[0].1.contains(&id) && codes[0].1.contains("ST-1"),
        "names the record and the key: {}",
        codes[0].1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_row_naming_a_record_inside_the_filter_merges_instead_of_clearing_it() {
    let bench = Bench::new().await;
    bench.execute(TABLE);
    bench.add_link(external_id_link("Industry = 'Energy'"));
    synced(&bench).await;
    // Created after the first run: the link has not read it yet.
    let id = bench
        .create(
            "Account",
            json!({"Name": "Real", "Phone": "555", "Industry": "Energy", "External_Id__c": "ST-2"}),
        )
        .await;
    next_second();
    synced(&bench).await;
    // Another program replaces the row: a new key, the same external id.
    bench.execute("DELETE FROM customers");
    bench.execute("INSERT INTO customers (id, ext, name) VALUES (100, 'ST-2', 'Mine')");

    synced(&bench).await;

    let remote = bench.get("Account", &id).await;
    assert_eq!(remote["Name"], json!("Real"), "Salesforce wins the Name");
    assert_eq!(
        remote["Phone"],
        json!("555"),
        "an empty column clears nothing"
    );
    assert_eq!(
        bench.rows("SELECT sf_id, name, phone FROM customers"),
        vec![vec![json!(id), json!("Real"), json!("555")]]
    );
}
