//! A delete against an edit is a conflict like any other: regressions of a delete that always
//! won, even under manual review, and of policies that never looked at deletes.

use crate::support::sync::*;
use serde_json::{Value, json};
use tether::workspace::conflicts::{self, Keep};
use tether::workspace::journal::RunStatus;

const TABLE: &str = "CREATE TABLE customers (id INTEGER PRIMARY KEY, sf_id TEXT, name TEXT,
    phone TEXT, notes TEXT)";

fn link(policy: &str) -> Value {
    json!({
        "name": "customers",
        "connection": "sandbox",
        "table": "customers",
        "key": "id",
        "object": "Account",
        "id_column": "sf_id",
        "deletes": "propagate",
        "policy": policy,
        "strategy": {"overlap_seconds": 0},
        "fields": [
            {"local": {"column": "name"}, "remote": "Name", "direction": "both"},
            {"local": {"column": "phone"}, "remote": "Phone", "direction": "both"}
        ]
    })
}

/// One account, synced into one row whose `notes` column (not mapped) says "kept".
async fn one_synced_account(policy: &str) -> (Bench, String) {
    let bench = Bench::new().await;
    let id = bench
        .create("Account", json!({"Name": "Acme", "Phone": "111"}))
        .await;
    bench.execute(TABLE);
    bench.add_link(link(policy));
    synced(&bench).await;
    bench.execute("UPDATE customers SET notes = 'kept'");
    (bench, id)
}

async fn synced(bench: &Bench) -> tether::run::RunSummary {
    let run = bench.sync("customers").await;
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
    run
}

async fn exists(bench: &Bench, id: &str) -> bool {
    let found = bench
        .soql(&format!("SELECT Id FROM Account WHERE Id = '{id}'"))
        .await;
    found["totalSize"].as_u64() == Some(1)
}

async fn account_ids(bench: &Bench) -> Vec<String> {
    bench.soql("SELECT Id FROM Account").await["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Id"].as_str().unwrap().to_string())
        .collect()
}

fn open_conflicts(bench: &Bench) -> Vec<conflicts::ConflictRecord> {
    conflicts::open(&bench.db(), None).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manual_review_queues_a_local_delete_against_a_salesforce_edit() {
    let (bench, id) = one_synced_account("manual_review").await;
    bench.execute("DELETE FROM customers");
    bench.update("Account", &id, json!({"Phone": "222"})).await;
    next_second();

    let run = synced(&bench).await;

    assert!(
        exists(&bench, &id).await,
        "the edited record is not deleted"
    );
    assert_eq!(
        bench.rows("SELECT id FROM customers").len(),
        0,
        "nor the row restored"
    );
    let open = open_conflicts(&bench);
    assert_eq!(open.len(), 1, "one decision waits: {open:?}");
    assert_eq!(open[0].deleted_side(), Some(Keep::Local), "{open:?}");
    assert_eq!(open[0].remote, Some(json!({"Phone": "222"})), "{open:?}");
    assert_eq!(run.counts.conflicts, 1, "{run:?}");

    let again = synced(&bench).await;
    assert!(exists(&bench, &id).await, "still waiting: {again:?}");
    assert_eq!(
        open_conflicts(&bench).len(),
        1,
        "the same conflict, not a second"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_the_delete_carries_a_local_delete_to_salesforce() {
    let (bench, id) = one_synced_account("manual_review").await;
    bench.execute("DELETE FROM customers");
    bench.update("Account", &id, json!({"Phone": "222"})).await;
    synced(&bench).await;
    let conflict = open_conflicts(&bench).remove(0);

    conflicts::resolve(&bench.db(), conflict.id, Keep::Local, "test").unwrap();
    next_second();
    let run = synced(&bench).await;

    assert!(
        !exists(&bench, &id).await,
        "the delete went through: {run:?}"
    );
    assert_eq!(bench.rows("SELECT id FROM customers").len(), 0);
    assert!(open_conflicts(&bench).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_the_record_restores_a_deleted_row_with_the_salesforce_edit() {
    let (bench, id) = one_synced_account("manual_review").await;
    bench.execute("DELETE FROM customers");
    bench.update("Account", &id, json!({"Phone": "222"})).await;
    synced(&bench).await;
    let conflict = open_conflicts(&bench).remove(0);

    conflicts::resolve(&bench.db(), conflict.id, Keep::Salesforce, "test").unwrap();
    next_second();
    synced(&bench).await;

    assert!(exists(&bench, &id).await);
    assert_eq!(
        bench.rows("SELECT id, sf_id, name, phone, notes FROM customers"),
        vec![vec![
            json!(1),
            json!(id),
            json!("Acme"),
            json!("222"),
            json!("kept")
        ]],
        "the row is back as it was, at its key, with the edit"
    );
    assert!(open_conflicts(&bench).is_empty());
    next_second();
    let quiet = synced(&bench).await;
    assert_eq!(quiet.counts.processed, 0, "settled: {quiet:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manual_review_queues_a_salesforce_delete_against_a_local_edit() {
    let (bench, id) = one_synced_account("manual_review").await;
    bench.execute("UPDATE customers SET phone = '333'");
    bench.delete("Account", &id).await;
    next_second();

    synced(&bench).await;

    assert_eq!(
        bench.rows("SELECT phone FROM customers"),
        vec![vec![json!("333")]],
        "the edited row is not deleted"
    );
    let open = open_conflicts(&bench);
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0].deleted_side(), Some(Keep::Salesforce), "{open:?}");
    assert_eq!(open[0].local, Some(json!({"Phone": "333"})), "{open:?}");

    next_second();
    synced(&bench).await;
    assert_eq!(
        open_conflicts(&bench).len(),
        1,
        "still one decision waiting"
    );
    assert_eq!(bench.rows("SELECT id FROM customers").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_the_record_creates_a_salesforce_record_again_for_an_edited_row() {
    let (bench, id) = one_synced_account("manual_review").await;
    bench.execute("UPDATE customers SET phone = '333'");
    bench.delete("Account", &id).await;
    synced(&bench).await;
    let conflict = open_conflicts(&bench).remove(0);

    conflicts::resolve(&bench.db(), conflict.id, Keep::Local, "test").unwrap();
    next_second();
    synced(&bench).await;

    let ids = account_ids(&bench).await;
    assert_eq!(ids.len(), 1, "created again, once: {ids:?}");
    assert_ne!(ids[0][..15], id[..15], "a deleted Id is never reused");
    let record = bench.get("Account", &ids[0]).await;
    assert_eq!(
        (&record["Name"], &record["Phone"]),
        (&json!("Acme"), &json!("333"))
    );
    assert_eq!(
        bench.rows("SELECT sf_id FROM customers"),
        vec![vec![json!(ids[0])]],
        "the row points at the new record"
    );
    assert!(open_conflicts(&bench).is_empty());
    next_second();
    let quiet = synced(&bench).await;
    assert_eq!(quiet.counts.processed, 0, "settled: {quiet:?}");
    assert_eq!(account_ids(&bench).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_the_delete_carries_a_salesforce_delete_to_the_row() {
    let (bench, id) = one_synced_account("manual_review").await;
    bench.execute("UPDATE customers SET phone = '333'");
    bench.delete("Account", &id).await;
    synced(&bench).await;
    let conflict = open_conflicts(&bench).remove(0);

    conflicts::resolve(&bench.db(), conflict.id, Keep::Salesforce, "test").unwrap();
    next_second();
    synced(&bench).await;

    assert_eq!(bench.rows("SELECT id FROM customers").len(), 0);
    assert!(account_ids(&bench).await.is_empty());
    assert!(open_conflicts(&bench).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn salesforce_wins_keeps_a_salesforce_edit_over_a_local_delete() {
    let (bench, id) = one_synced_account("salesforce_wins").await;
    bench.execute("DELETE FROM customers");
    bench.update("Account", &id, json!({"Phone": "222"})).await;
    next_second();

    synced(&bench).await;

    assert!(exists(&bench, &id).await, "the edit outranks the delete");
    assert_eq!(
        bench.rows("SELECT id, sf_id, phone, notes FROM customers"),
        vec![vec![json!(1), json!(id), json!("222"), json!("kept")]],
        "the row comes back with the edit"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn salesforce_wins_lets_a_salesforce_delete_beat_a_local_edit() {
    let (bench, id) = one_synced_account("salesforce_wins").await;
    bench.execute("UPDATE customers SET phone = '333'");
    bench.delete("Account", &id).await;
    next_second();

    synced(&bench).await;

    assert_eq!(bench.rows("SELECT id FROM customers").len(), 0);
    assert!(
        account_ids(&bench).await.is_empty(),
        "nothing created again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_wins_keeps_a_local_edit_over_a_salesforce_delete() {
    let (bench, id) = one_synced_account("local_wins").await;
    bench.execute("UPDATE customers SET phone = '333'");
    bench.delete("Account", &id).await;
    next_second();

    synced(&bench).await;

    let ids = account_ids(&bench).await;
    assert_eq!(ids.len(), 1, "the record is created again: {ids:?}");
    let record = bench.get("Account", &ids[0]).await;
    assert_eq!(record["Phone"], json!("333"));
    assert_eq!(
        bench.rows("SELECT sf_id, phone, notes FROM customers"),
        vec![vec![json!(ids[0]), json!("333"), json!("kept")]]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_wins_lets_a_local_delete_beat_a_salesforce_edit() {
    let (bench, id) = one_synced_account("local_wins").await;
    bench.execute("DELETE FROM customers");
    bench.update("Account", &id, json!({"Phone": "222"})).await;
    next_second();

    synced(&bench).await;

    assert!(!exists(&bench, &id).await);
    assert_eq!(bench.rows("SELECT id FROM customers").len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn most_recent_wins_compares_the_delete_time_with_the_edit_time() {
    // Deleted locally, then edited in Salesforce: the edit is later and wins.
    let (bench, id) = one_synced_account("most_recent_wins").await;
    bench.execute("DELETE FROM customers");
    next_second();
    bench.update("Account", &id, json!({"Phone": "222"})).await;
    next_second();
    synced(&bench).await;
    assert!(exists(&bench, &id).await, "the later edit wins");
    assert_eq!(
        bench.rows("SELECT phone FROM customers"),
        vec![vec![json!("222")]]
    );

    // Edited in Salesforce, then deleted locally: the delete is later and wins.
    let (bench, id) = one_synced_account("most_recent_wins").await;
    bench.update("Account", &id, json!({"Phone": "222"})).await;
    next_second();
    bench.execute("DELETE FROM customers");
    next_second();
    synced(&bench).await;
    assert!(!exists(&bench, &id).await, "the later delete wins");
    assert_eq!(bench.rows("SELECT id FROM customers").len(), 0);

    // Edited locally, then deleted in Salesforce: the delete is later and wins.
    let (bench, id) = one_synced_account("most_recent_wins").await;
    bench.execute("UPDATE customers SET phone = '333'");
    next_second();
    bench.delete("Account", &id).await;
    next_second();
    synced(&bench).await;
    assert_eq!(bench.rows("SELECT id FROM customers").len(), 0);
    assert!(account_ids(&bench).await.is_empty());

    // Deleted in Salesforce, then edited locally: the edit is later and wins.
    let (bench, id) = one_synced_account("most_recent_wins").await;
    bench.delete("Account", &id).await;
    next_second();
    bench.execute("UPDATE customers SET phone = '333'");
    next_second();
    synced(&bench).await;
    let ids = account_ids(&bench).await;
    assert_eq!(ids.len(), 1, "created again: {ids:?}");
    assert_eq!(
        bench.rows("SELECT sf_id, phone FROM customers"),
        vec![vec![json!(ids[0]), json!("333")]]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_against_no_edit_still_travels_under_every_policy() {
    for policy in [
        "salesforce_wins",
        "local_wins",
        "most_recent_wins",
        "manual_review",
    ] {
        let (bench, id) = one_synced_account(policy).await;
        bench.execute("DELETE FROM customers");
        next_second();
        synced(&bench).await;
        assert!(!exists(&bench, &id).await, "{policy}");

        let (bench, id) = one_synced_account(policy).await;
        bench.delete("Account", &id).await;
        next_second();
        synced(&bench).await;
        assert_eq!(bench.rows("SELECT id FROM customers").len(), 0, "{policy}");
    }
}
