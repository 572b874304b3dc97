//! Runs whose changes are more than one batch (`RunOptions::batch_records`): each batch of
//! Salesforce's records is planned and written on its own, what needs the whole run waits for
//! its last step, and the run ends where a run of one batch would.

use std::sync::Arc;

use crate::support::sync::*;
use serde_json::{Value, json};
use tether::run::{ReadPath, RunSummary};
use tether::sync::engine::{self, Progress, RunOptions};
use tether::workspace::journal::{RunStatus, Trigger};

fn options(batch: usize) -> RunOptions {
    let mut options = RunOptions::new(Trigger::Cli);
    options.batch_records = batch;
    options
}

async fn sync_in_batches(bench: &Bench, link: &str, batch: usize) -> RunSummary {
    engine::sync_link(&bench.path, link, &bench.client, &options(batch))
        .await
        .expect("the run starts")
}

/// `n` Accounts named `Account 000`, `Account 001`, …, by Id in that order.
async fn accounts(bench: &Bench, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let body = json!({"Name": format!("Account {i:03}"), "Industry": "Energy"});
        ids.push(bench.create("Account", body).await);
    }
    ids
}

fn count(bench: &Bench, sql: &str) -> i64 {
    bench.rows(sql)[0][0].as_i64().expect("a count")
}

fn customers(policy: &str, bulk_above: u64) -> Value {
    let mut link = customers_link(policy);
    link["create_unmatched"] = json!(true);
    link["strategy"] = json!({"bulk_pull_above": bulk_above});
    link
}

async fn first_pull_in_batches(bulk_above: u64) {
    let bench = Bench::new().await;
    let ids = accounts(&bench, 23).await;
    bench.execute(CUSTOMERS_TABLE);
    bench.add_link(customers("salesforce_wins", bulk_above));

    let pulled = sync_in_batches(&bench, "customers", 5).await;
    assert_eq!(pulled.status, RunStatus::Succeeded, "{pulled:?}");
    let path = if bulk_above < 23 {
        ReadPath::Bulk
    } else {
        ReadPath::Rest
    };
    assert_eq!(pulled.read_path, Some(path), "{pulled:?}");
    assert_eq!(pulled.counts.created, 23, "{pulled:?}");
    let rows = bench.rows("SELECT sf_id, name, industry FROM customers ORDER BY name");
    let want: Vec<Vec<Value>> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| vec![json!(id), json!(format!("Account {i:03}")), json!("Energy")])
        .collect();
    assert_eq!(rows, want, "every record once, with its values");
    assert_eq!(count(&bench, "SELECT COUNT(*) FROM tether_base"), 23);
    let run = pulled.run_id;
    assert_eq!(
        count(
            &bench,
            &format!("SELECT COUNT(*) FROM tether_base_images WHERE run_id = {run}")
        ),
        0,
        "a record new to the workspace keeps no base image: undo deletes its row and base"
    );
    assert_eq!(
        count(
            &bench,
            &format!("SELECT COUNT(*) FROM tether_changes WHERE run_id = {run}")
        ),
        23,
        "one line of the change log a row"
    );

    // The next run reads the same records again (they are inside the overlap) and writes
    // nothing, batch after batch.
    let quiet = sync_in_batches(&bench, "customers", 5).await;
    assert_eq!(quiet.status, RunStatus::Succeeded, "{quiet:?}");
    assert_eq!(
        (
            quiet.counts.created,
            quiet.counts.updated,
            quiet.counts.deleted,
            quiet.counts.processed
        ),
        (0, 0, 0, 0),
        "{quiet:?}"
    );
    let quiet_run = quiet.run_id;
    assert_eq!(
        count(
            &bench,
            &format!(
                "SELECT (SELECT COUNT(*) FROM tether_changes WHERE run_id = {quiet_run})
                      + (SELECT COUNT(*) FROM tether_base_images WHERE run_id = {quiet_run})"
            )
        ),
        0,
        "a run with nothing to do writes nothing"
    );

    let undo = engine::undo::undo_run(&bench.path, run, &bench.client)
        .await
        .expect("the undo runs");
    assert_eq!(undo.status, RunStatus::Succeeded, "{undo:?}");
    assert_eq!(count(&bench, "SELECT COUNT(*) FROM customers"), 0);
    assert_eq!(
        count(&bench, "SELECT COUNT(*) FROM tether_base"),
        0,
        "the bases of the rows the pull added go with them"
    );
    assert_eq!(
        bench.soql("SELECT COUNT() FROM Account").await["totalSize"],
        json!(23),
        "undoing a pull leaves Salesforce as it was"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_pull_by_rest_in_batches_writes_each_record_once_and_undoes_whole() {
    first_pull_in_batches(20_000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_pull_by_bulk_in_batches_writes_each_record_once_and_undoes_whole() {
    first_pull_in_batches(10).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflicts_pushes_and_creates_of_a_batched_run_wait_for_its_last_step() {
    let bench = Bench::new().await;
    let ids = accounts(&bench, 14).await;
    bench.execute(CUSTOMERS_TABLE);
    bench.add_link(customers("manual_review", 20_000));
    let first = bench.sync("customers").await;
    assert_eq!(first.counts.created, 14, "{first:?}");

    // Account 002: both sides renamed (a conflict); 007: Salesforce changed its industry (a
    // pull); 011: a local score (a push); a new local row (a create); a new Account (a row).
    bench.execute("UPDATE customers SET name = 'Local 002' WHERE name = 'Account 002'");
    bench
        .update("Account", &ids[2], json!({"Name": "Remote 002"}))
        .await;
    bench
        .update("Account", &ids[7], json!({"Industry": "Banking"}))
        .await;
    bench.execute("UPDATE customers SET health_score = 42.5 WHERE name = 'Account 011'");
    bench.execute("INSERT INTO customers (name, health_score) VALUES ('Brand New', 7)");
    let newer = bench
        .create(
            "Account",
            json!({"Name": "From Salesforce", "Industry": "Retail"}),
        )
        .await;

    let run = sync_in_batches(&bench, "customers", 3).await;
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
    assert_eq!(run.counts.conflicts, 1, "{run:?}");
    assert_eq!(
        bench.rows("SELECT sf_id, field, status FROM tether_conflicts ORDER BY id"),
        vec![vec![json!(ids[2]), json!("Name"), json!("open")]]
    );
    assert_eq!(
        bench.rows("SELECT name FROM customers WHERE sf_id = (SELECT sf_id FROM tether_conflicts)"),
        vec![vec![json!("Local 002")]],
        "neither side of a conflict is written"
    );
    assert_eq!(
        bench.get("Account", &ids[2]).await["Name"],
        json!("Remote 002")
    );
    assert_eq!(
        bench.rows(&format!(
            "SELECT industry FROM customers WHERE sf_id = '{}'",
            ids[7]
        )),
        vec![vec![json!("Banking")]]
    );
    assert_eq!(
        bench.get("Account", &ids[11]).await["Health_Score__c"],
        json!(42.5)
    );
    let created = bench.rows("SELECT sf_id FROM customers WHERE name = 'Brand New'");
    let created = created[0][0]
        .as_str()
        .expect("the new row got its record's Id");
    assert_eq!(
        bench.get("Account", created).await["Name"],
        json!("Brand New")
    );
    assert_eq!(
        bench.rows(&format!(
            "SELECT name, industry FROM customers WHERE sf_id = '{newer}'"
        )),
        vec![vec![json!("From Salesforce"), json!("Retail")]]
    );
    assert_eq!(count(&bench, "SELECT COUNT(*) FROM customers"), 16);
    assert_eq!(count(&bench, "SELECT COUNT(*) FROM tether_base"), 16);

    let quiet = sync_in_batches(&bench, "customers", 3).await;
    assert_eq!(
        (
            quiet.counts.created,
            quiet.counts.updated,
            quiet.counts.deleted
        ),
        (0, 0, 0),
        "{quiet:?}"
    );
    assert_eq!(
        quiet.counts.conflicts, 1,
        "the conflict stays open: {quiet:?}"
    );
}

fn people_link() -> Value {
    json!({
        "name": "people",
        "connection": "sandbox",
        "table": "people",
        "key": "code",
        "object": "Contact",
        "id_column": "sf_id",
        "create_unmatched": true,
        "deletes": "propagate",
        "fields": [
            {"local": {"column": "last_name"}, "remote": "LastName", "direction": "both"}
        ]
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mass_delete_guard_stops_a_batched_run_before_any_delete() {
    let bench = Bench::new().await;
    bench.execute("CREATE TABLE people (code TEXT PRIMARY KEY, sf_id TEXT, last_name TEXT)");
    for n in 1..=30 {
        bench.execute(&format!(
            "INSERT INTO people (code, last_name) VALUES ('P-{n:02}', 'Person {n}')"
        ));
    }
    bench.add_link(people_link());
    let first = bench.sync("people").await;
    assert_eq!(first.counts.created, 30, "{first:?}");
    let ids = bench.rows("SELECT sf_id FROM people WHERE code > 'P-05' ORDER BY code");
    for id in &ids {
        bench
            .delete("Contact", id[0].as_str().expect("an Id"))
            .await;
    }
    next_second();
    let cursor = bench.rows("SELECT pulled_through FROM tether_cursors");

    let stopped = sync_in_batches(&bench, "people", 4).await;
    assert_eq!(stopped.status, RunStatus::NeedsConfirmation, "{stopped:?}");
    assert_eq!(stopped.counts.deleted, 0, "{stopped:?}");
    assert_eq!(stopped.counts.deletes_waiting, 25, "{stopped:?}");
    assert_eq!(count(&bench, "SELECT COUNT(*) FROM people"), 30);
    assert_eq!(
        bench.rows("SELECT pulled_through FROM tether_cursors"),
        cursor
    );

    let mut allowed = options(4);
    allowed.allow_mass_delete = true;
    let run = engine::sync_link(&bench.path, "people", &bench.client, &allowed)
        .await
        .expect("the run starts");
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
    assert_eq!(run.counts.deleted, 25, "{run:?}");
    assert_eq!(count(&bench, "SELECT COUNT(*) FROM people"), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_stopped_between_batches_keeps_what_they_wrote_and_the_next_run_finishes() {
    let bench = Bench::new().await;
    let ids = accounts(&bench, 20).await;
    bench.execute(CUSTOMERS_TABLE);
    bench.add_link(customers("salesforce_wins", 20_000));

    let mut stopping = options(5);
    let cancel = stopping.cancel.clone();
    // Stopped as the first batch starts writing: that batch commits, no other starts.
    stopping.progress = Some(Arc::new(move |progress| {
        if matches!(progress, Progress::Writing { .. }) {
            cancel.cancel();
        }
    }));
    let stopped = engine::sync_link(&bench.path, "customers", &bench.client, &stopping)
        .await
        .expect("the run starts");
    assert_eq!(stopped.status, RunStatus::Cancelled, "{stopped:?}");
    assert_eq!(count(&bench, "SELECT COUNT(*) FROM customers"), 5);
    assert_eq!(
        count(
            &bench,
            "SELECT COUNT(*) FROM customers JOIN tether_base USING (sf_id)"
        ),
        5,
        "each row written with its base"
    );
    assert!(
        bench.rows("SELECT * FROM tether_cursors").is_empty(),
        "the cursor moves only when the run finishes"
    );

    let finished = sync_in_batches(&bench, "customers", 5).await;
    assert_eq!(finished.status, RunStatus::Succeeded, "{finished:?}");
    assert_eq!(finished.counts.created, 15, "{finished:?}");
    let mut held: Vec<String> = bench
        .rows("SELECT sf_id FROM customers")
        .into_iter()
        .map(|r| r[0].as_str().unwrap_or_default().to_string())
        .collect();
    held.sort();
    let mut want = ids.clone();
    want.sort();
    assert_eq!(held, want, "every record once");
    assert_eq!(count(&bench, "SELECT COUNT(*) FROM tether_base"), 20);
}
