//! The sync engine end to end against the sandbox org: pulls, pushes, conflicts, deletes,
//! undo.

use crate::support::sync::*;
use serde_json::{Value, json};
use tether::workspace::journal::RunStatus;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resolved_conflict_is_carried_out_by_the_next_sync() {
    use tether::workspace::conflicts::{self, Keep};
    let bench = Bench::new().await;
    let acme = bench.create("Account", json!({"Name": "Acme"})).await;
    bench.execute(CUSTOMERS_TABLE);
    bench.add_link(customers_link("manual_review"));
    bench.sync("customers").await;

    bench.execute("UPDATE customers SET name = 'Acme Local'");
    bench
        .update("Account", &acme, json!({"Name": "Acme Remote"}))
        .await;
    let held = bench.sync("customers").await;
    assert_eq!(held.counts.conflicts, 1, "{held:?}");
    assert_eq!(
        bench.get("Account", &acme).await["Name"],
        json!("Acme Remote")
    );
    assert_eq!(
        bench.rows("SELECT name FROM customers"),
        vec![vec![json!("Acme Local")]]
    );

    let again = bench.sync("customers").await;
    assert_eq!(again.counts.conflicts, 1, "still waiting: {again:?}");
    let open = conflicts::open(&bench.db(), None).unwrap();
    assert_eq!(open.len(), 1, "one queue entry, not one per run");
    assert_eq!(open[0].local, Some(json!("Acme Local")));
    assert_eq!(open[0].remote, Some(json!("Acme Remote")));

    conflicts::resolve(&bench.db(), open[0].id, Keep::Local, "test").unwrap();
    let done = bench.sync("customers").await;
    assert_eq!(done.counts.conflicts, 0, "{done:?}");
    assert_eq!(
        bench.get("Account", &acme).await["Name"],
        json!("Acme Local")
    );
    assert!(conflicts::open(&bench.db(), None).unwrap().is_empty());
}

fn contacts_by_external_id(deletes: &str) -> Value {
    json!({
        "name": "people",
        "connection": "sandbox",
        "table": "people",
        "key": "code",
        "object": "Contact",
        "id_column": "sf_id",
        "match_on": {"by": "external_id", "field": "External_Id__c", "column": "code"},
        "deletes": deletes,
        "archive_column": "archived",
        "fields": [
            {"local": {"column": "last_name"}, "remote": "LastName", "direction": "both"},
            {"local": {"expression": "upper(substr(first_name, 1, 1)) || substr(first_name, 2)"}, "remote": "FirstName", "direction": "push"}
        ]
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upserts_on_an_external_id_create_each_record_once_and_write_ids_back() {
    let bench = Bench::new().await;
    bench.execute(
        "CREATE TABLE people (code TEXT PRIMARY KEY, sf_id TEXT, first_name TEXT, last_name TEXT, archived INTEGER DEFAULT 0);
         INSERT INTO people (code, first_name, last_name) VALUES ('C-1', 'ada', 'Lovelace'), ('C-2', 'alan', 'Turing');",
    );
    bench.add_link(contacts_by_external_id("propagate"));
    let run = bench.sync("people").await;
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
    assert_eq!(run.counts.created, 2, "{run:?}");
    let rows = bench.rows("SELECT code, sf_id FROM people ORDER BY code");
    for row in &rows {
        let id = row[1].as_str().expect("the Salesforce id was written back");
        let remote = bench.get("Contact", id).await;
        assert_eq!(remote["External_Id__c"], row[0]);
    }
    let ada = rows[0][1].as_str().unwrap().to_string();
    assert_eq!(bench.get("Contact", &ada).await["FirstName"], json!("Ada"));

    // Forget the written-back ids, as a crash before the write-back would: the next run
    // finds the records by external id instead of creating them again.
    bench.execute("UPDATE people SET sf_id = NULL; DELETE FROM tether_base;");
    let again = bench.sync("people").await;
    assert_eq!(again.counts.created, 0, "{again:?}");
    let count = bench
        .org
        .api(reqwest::Method::GET, "/query")
        .query(&[("q", "SELECT COUNT() FROM Contact")])
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(count["totalSize"], json!(2), "no duplicates");

    bench.execute("DELETE FROM people WHERE code = 'C-2'");
    let turing = rows[1][1].as_str().unwrap().to_string();
    let deleted = bench.sync("people").await;
    assert_eq!(deleted.counts.deleted, 1, "{deleted:?}");
    let gone = bench
        .org
        .api(reqwest::Method::GET, &format!("/sobjects/Contact/{turing}"))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404, "a local delete propagates");

    bench.delete("Contact", &ada).await;
    let pulled = bench.sync("people").await;
    assert_eq!(pulled.counts.deleted, 1, "{pulled:?}");
    assert!(bench.rows("SELECT code FROM people").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_salesforce_delete_marks_the_row_archived_under_mark_archived() {
    let bench = Bench::new().await;
    bench.execute(
        "CREATE TABLE people (code TEXT PRIMARY KEY, sf_id TEXT, first_name TEXT, last_name TEXT, archived INTEGER DEFAULT 0);
         INSERT INTO people (code, first_name, last_name) VALUES ('C-1', 'ada', 'Lovelace');",
    );
    bench.add_link(contacts_by_external_id("mark_archived"));
    bench.sync("people").await;
    let id = bench.rows("SELECT sf_id FROM people")[0][0]
        .as_str()
        .unwrap()
        .to_string();
    bench.delete("Contact", &id).await;
    let run = bench.sync("people").await;
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
    assert_eq!(
        bench.rows("SELECT archived FROM people"),
        vec![vec![json!(1)]],
        "{run:?}"
    );
    let quiet = bench.sync("people").await;
    assert_eq!(
        quiet.counts.created, 0,
        "an archived row is not sent again: {quiet:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_value_of_the_wrong_type_is_reported_with_its_row_and_nothing_is_sent() {
    let bench = Bench::new().await;
    let acme = bench.create("Account", json!({"Name": "Acme"})).await;
    bench.execute(CUSTOMERS_TABLE);
    // Under `propagate`, a row that could not be read must not pass for a deleted one.
    let mut link = customers_link("salesforce_wins");
    link["deletes"] = json!("propagate");
    bench.add_link(link);
    bench.sync("customers").await;
    bench.execute("UPDATE customers SET health_score = 'very good'");
    let run = bench.sync("customers").await;
    assert_eq!(run.status, RunStatus::Partial, "{run:?}");
    let errors = tether::workspace::journal::errors(&bench.db(), Some(run.run_id), 10).unwrap();
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].message.contains("very good") && errors[0].message.contains("row 1"),
        "{}",
        errors[0].message
    );
    assert_eq!(errors[0].fields, vec!["Health_Score__c".to_string()]);
    assert_eq!(
        bench.get("Account", &acme).await["Health_Score__c"],
        Value::Null
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undo_of_a_first_sync_removes_what_it_created_on_both_sides() {
    let bench = Bench::new().await;
    bench.create("Account", json!({"Name": "Acme"})).await;
    bench.execute(CUSTOMERS_TABLE);
    bench.add_link(customers_link("salesforce_wins"));
    let pulled = bench.sync("customers").await;
    assert_eq!(pulled.counts.created, 1);
    let undo = tether::sync::engine::undo::undo_run(&bench.path, pulled.run_id, &bench.client)
        .await
        .unwrap();
    assert_eq!(undo.status, RunStatus::Succeeded, "{undo:?}");
    assert!(bench.rows("SELECT * FROM customers").is_empty());
    assert!(bench.rows("SELECT * FROM tether_base").is_empty());
    let again = bench.sync("customers").await;
    assert_eq!(
        again.counts.created, 1,
        "the undone pull happens again: {again:?}"
    );

    bench.execute(
        "CREATE TABLE people (code TEXT PRIMARY KEY, sf_id TEXT, first_name TEXT, last_name TEXT, archived INTEGER DEFAULT 0);
         INSERT INTO people (code, first_name, last_name) VALUES ('C-1', 'ada', 'Lovelace');",
    );
    bench.add_link(contacts_by_external_id("ignore"));
    let pushed = bench.sync("people").await;
    let id = bench.rows("SELECT sf_id FROM people")[0][0]
        .as_str()
        .unwrap()
        .to_string();
    let undo = tether::sync::engine::undo::undo_run(&bench.path, pushed.run_id, &bench.client)
        .await
        .unwrap();
    assert_eq!(undo.status, RunStatus::Succeeded, "{undo:?}");
    let gone = bench
        .org
        .api(reqwest::Method::GET, &format!("/sobjects/Contact/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404, "the created contact is deleted again");
    assert_eq!(
        bench.rows("SELECT sf_id FROM people"),
        vec![vec![Value::Null]]
    );

    let twice =
        tether::sync::engine::undo::undo_run(&bench.path, pushed.run_id, &bench.client).await;
    assert!(
        twice
            .as_ref()
            .is_err_and(|e| e.to_string().contains("already undone")),
        "{twice:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_run_stops_before_writing_and_the_next_run_does_the_work() {
    use std::sync::Arc;
    use tether::sync::engine::{Progress, RunOptions};
    use tether::workspace::journal::Trigger;
    let bench = Bench::new().await;
    bench.create("Account", json!({"Name": "Acme"})).await;
    bench.execute(CUSTOMERS_TABLE);
    bench.add_link(customers_link("salesforce_wins"));
    let mut options = RunOptions::new(Trigger::Button);
    let cancel = options.cancel.clone();
    options.progress = Some(Arc::new(move |p| {
        if matches!(p, Progress::Planned { .. }) {
            cancel.cancel();
        }
    }));
    let cancelled =
        tether::sync::engine::sync_link(&bench.path, "customers", &bench.client, &options)
            .await
            .unwrap();
    assert_eq!(cancelled.status, RunStatus::Cancelled, "{cancelled:?}");
    assert!(bench.rows("SELECT * FROM customers").is_empty());
    let next = bench.sync("customers").await;
    assert_eq!(
        (next.status, next.counts.created),
        (RunStatus::Succeeded, 1),
        "{next:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_reads_and_writes_give_the_same_result_as_rest() {
    use tether::run::ReadPath;
    use tether::run::push::WritePath;
    let bench = Bench::new().await;
    let mut ids = Vec::new();
    for (name, industry) in [
        ("Acme", "Energy"),
        ("Globex", "Banking"),
        ("Initech", "Technology"),
    ] {
        ids.push(
            bench
                .create("Account", json!({"Name": name, "Industry": industry}))
                .await,
        );
    }
    bench.execute(CUSTOMERS_TABLE);
    let mut link = customers_link("salesforce_wins");
    link["deletes"] = json!("propagate");
    link["strategy"] = json!({"bulk_pull_above": 1, "bulk_push_above": 1});
    bench.add_link(link);

    let first = bench.sync("customers").await;
    assert_eq!(first.status, RunStatus::Succeeded, "{first:?}");
    assert_eq!(first.read_path, Some(ReadPath::Bulk));
    assert_eq!(
        bench.rows("SELECT name, industry FROM customers ORDER BY name"),
        vec![
            vec![json!("Acme"), json!("Energy")],
            vec![json!("Globex"), json!("Banking")],
            vec![json!("Initech"), json!("Technology")],
        ]
    );

    bench.execute("UPDATE customers SET health_score = 70.25 WHERE name IN ('Acme', 'Globex')");
    bench.delete("Account", &ids[2]).await;
    let second = bench.sync("customers").await;
    assert_eq!(second.status, RunStatus::Succeeded, "{second:?}");
    assert_eq!(
        (second.read_path, second.write_path),
        (Some(ReadPath::Bulk), Some(WritePath::Bulk)),
        "{second:?}"
    );
    for id in &ids[..2] {
        assert_eq!(
            bench.get("Account", id).await["Health_Score__c"],
            json!(70.25)
        );
    }
    assert_eq!(
        bench.rows("SELECT name FROM customers ORDER BY name"),
        vec![vec![json!("Acme")], vec![json!("Globex")]],
        "the record deleted in Salesforce, read by a Bulk queryAll, is deleted locally"
    );
    let quiet = bench.sync("customers").await;
    assert_eq!(
        (
            quiet.counts.created,
            quiet.counts.updated,
            quiet.counts.deleted
        ),
        (0, 0, 0),
        "{quiet:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undo_refuses_to_overwrite_a_local_edit_made_after_the_run() {
    let bench = Bench::new().await;
    bench.create("Account", json!({"Name": "Acme"})).await;
    bench.execute(CUSTOMERS_TABLE);
    bench.add_link(customers_link("salesforce_wins"));
    let pulled = bench.sync("customers").await;
    bench.execute("UPDATE customers SET health_score = 42");
    let undo =
        tether::sync::engine::undo::undo_run(&bench.path, pulled.run_id, &bench.client).await;
    assert!(
        undo.as_ref()
            .is_err_and(|e| e.to_string().contains("edited since")),
        "{undo:?}"
    );
    assert_eq!(
        bench.rows("SELECT name, health_score FROM customers"),
        vec![vec![json!("Acme"), json!(42.0)]],
        "the edit is still there"
    );
}
