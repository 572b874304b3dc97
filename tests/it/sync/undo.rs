//! Undo against the sandbox org when Salesforce changed after the run: a later edit, or a
//! deletion, of a record the run wrote stops the undo, naming the record and field; a write
//! of the same values in another form does not.

use crate::support::sync::*;
use serde_json::{Value, json};
use tether::run::undo::UndoOptions;
use tether::sync::engine::undo::{undo_run, undo_run_with};
use tether::workspace::Workspace;
use tether::workspace::journal::{self, RunStatus};

/// How many runs the workspace has recorded, and whether run `id` is marked undone.
fn journal_state(bench: &Bench, id: i64) -> (usize, Option<i64>) {
    let ws = Workspace::open(&bench.path).unwrap();
    let runs = journal::runs(ws.conn(), None, usize::MAX).unwrap().len();
    let run = journal::run(ws.conn(), id)
        .unwrap()
        .expect("the run is recorded");
    (runs, run.undone_by)
}

/// Acme in Salesforce and in `customers`, then a run that pushes a local edit of its name and
/// health score. Returns Acme's Id and the pushing run.
async fn acme_pushed(bench: &Bench) -> (String, i64) {
    let acme = bench.create("Account", json!({"Name": "Acme"})).await;
    bench.execute(CUSTOMERS_TABLE);
    bench.add_link(customers_link("salesforce_wins"));
    let pulled = bench.sync("customers").await;
    assert_eq!(pulled.status, RunStatus::Succeeded, "{pulled:?}");
    bench.execute("UPDATE customers SET name = 'Acme Local', health_score = 50");
    let pushed = bench.sync("customers").await;
    assert_eq!(pushed.status, RunStatus::Succeeded, "{pushed:?}");
    assert_eq!(
        bench.get("Account", &acme).await["Name"],
        json!("Acme Local")
    );
    (acme, pushed.run_id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undo_refuses_to_overwrite_a_later_salesforce_edit() {
    let bench = Bench::new().await;
    let (acme, run) = acme_pushed(&bench).await;
    bench
        .update("Account", &acme, json!({"Name": "Acme Remote"}))
        .await;
    let recorded = journal_state(&bench, run);

    let undo = undo_run(&bench.path, run, &bench.client).await;
    let message = match &undo {
        Err(e) => e.to_string(),
        Ok(summary) => panic!("the undo went ahead over the later edit: {summary:?}"),
    };
    assert!(
        message.contains(&acme) && message.contains("Name"),
        "the refusal names the record and the field: {message}"
    );
    assert!(
        !message.contains("Health_Score__c"),
        "a field still as the run left it is not named: {message}"
    );
    assert!(
        message.contains("--overwrite-salesforce-edits"),
        "the refusal says how to go ahead anyway: {message}"
    );
    let remote = bench.get("Account", &acme).await;
    assert_eq!(remote["Name"], json!("Acme Remote"), "the later edit stays");
    assert_eq!(
        remote["Health_Score__c"],
        json!(50.0),
        "nothing was written"
    );
    assert_eq!(
        bench.rows("SELECT name, health_score FROM customers"),
        vec![vec![json!("Acme Local"), json!(50.0)]],
        "nothing was written locally"
    );
    assert_eq!(
        journal_state(&bench, run),
        recorded,
        "a refused undo records no run and leaves the run as it was"
    );

    // Asked for explicitly, the undo puts back what the run replaced.
    let undo = undo_run_with(&bench.path, run, &bench.client, OVERWRITE)
        .await
        .expect("the undo goes ahead when told to");
    assert_eq!(undo.status, RunStatus::Succeeded, "{undo:?}");
    let remote = bench.get("Account", &acme).await;
    assert_eq!(remote["Name"], json!("Acme"));
    assert_eq!(remote["Health_Score__c"], Value::Null);
    assert_eq!(
        bench.rows("SELECT name, health_score FROM customers"),
        vec![vec![json!("Acme Local"), json!(50.0)]],
        "the run wrote nothing locally, so the local edit it pushed stays"
    );
    assert_eq!(journal_state(&bench, run).1, Some(undo.run_id));
}

const OVERWRITE: UndoOptions = UndoOptions {
    overwrite_salesforce_edits: true,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undo_refuses_to_write_back_a_record_deleted_in_salesforce_since() {
    let bench = Bench::new().await;
    let (acme, run) = acme_pushed(&bench).await;
    bench.delete("Account", &acme).await;

    let undo = undo_run(&bench.path, run, &bench.client).await;
    let message = match &undo {
        Err(e) => e.to_string(),
        Ok(summary) => panic!("the undo went ahead over the deletion: {summary:?}"),
    };
    assert!(
        message.contains(&acme) && message.contains("deleted"),
        "the refusal names the deleted record: {message}"
    );
    assert_eq!(
        bench.rows("SELECT name, health_score FROM customers"),
        vec![vec![json!("Acme Local"), json!(50.0)]]
    );
}

/// Contacts keyed by code, pushing a job count (a number Salesforce keeps as a double) and a
/// time of last visit (SQLite's `datetime()` form locally, ISO 8601 with an offset in
/// Salesforce).
fn visits_link() -> Value {
    json!({
        "name": "visits",
        "connection": "sandbox",
        "table": "visits",
        "key": "code",
        "object": "Contact",
        "id_column": "sf_id",
        "match_on": {"by": "external_id", "field": "External_Id__c", "column": "code"},
        "policy": "local_wins",
        "fields": [
            {"local": {"column": "last_name"}, "remote": "LastName", "direction": "both"},
            {"local": {"column": "jobs"}, "remote": "Total_Jobs__c", "direction": "push"},
            {"local": {"column": "last_visit"}, "remote": "Last_Sync_DateTime__c", "direction": "push"}
        ]
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_later_salesforce_write_of_the_same_values_in_another_form_does_not_stop_an_undo() {
    let bench = Bench::new().await;
    bench.execute(
        "CREATE TABLE visits (code TEXT PRIMARY KEY, sf_id TEXT, last_name TEXT, jobs INTEGER, last_visit TEXT);
         INSERT INTO visits (code, last_name, jobs, last_visit) VALUES ('V-1', 'Lovelace', 3, '2026-01-02 03:04:05');",
    );
    bench.add_link(visits_link());
    let created = bench.sync("visits").await;
    assert_eq!(created.counts.created, 1, "{created:?}");
    let id = bench.rows("SELECT sf_id FROM visits")[0][0]
        .as_str()
        .unwrap()
        .to_string();
    bench.execute("UPDATE visits SET jobs = 7, last_visit = '2026-02-03 10:00:00'");
    let pushed = bench.sync("visits").await;
    assert_eq!(pushed.counts.updated, 1, "{pushed:?}");

    // Another program saves the record again: the same values written another way, and a
    // field the run did not write.
    bench
        .update(
            "Contact",
            &id,
            json!({
                "Total_Jobs__c": 7.0,
                "Last_Sync_DateTime__c": "2026-02-03T12:00:00.000+02:00",
                "Email": "ada@example.com"
            }),
        )
        .await;

    let undo = undo_run(&bench.path, pushed.run_id, &bench.client)
        .await
        .expect("the undo is not refused");
    assert_eq!(undo.status, RunStatus::Succeeded, "{undo:?}");
    let remote = bench.get("Contact", &id).await;
    assert_eq!(remote["Total_Jobs__c"], json!(3.0));
    assert_eq!(
        remote["Last_Sync_DateTime__c"],
        json!("2026-01-02T03:04:05.000+0000")
    );
    assert_eq!(
        remote["Email"],
        json!("ada@example.com"),
        "a field the run did not write is left alone"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undo_refuses_to_delete_a_created_record_edited_in_salesforce_since() {
    let bench = Bench::new().await;
    bench.execute(
        "CREATE TABLE visits (code TEXT PRIMARY KEY, sf_id TEXT, last_name TEXT, jobs INTEGER, last_visit TEXT);
         INSERT INTO visits (code, last_name, jobs) VALUES ('V-1', 'Lovelace', 3);",
    );
    bench.add_link(visits_link());
    let created = bench.sync("visits").await;
    assert_eq!(created.counts.created, 1, "{created:?}");
    let id = bench.rows("SELECT sf_id FROM visits")[0][0]
        .as_str()
        .unwrap()
        .to_string();
    bench
        .update("Contact", &id, json!({"Total_Jobs__c": 4}))
        .await;

    let undo = undo_run(&bench.path, created.run_id, &bench.client).await;
    let message = match &undo {
        Err(e) => e.to_string(),
        Ok(summary) => panic!("the undo deleted a record edited since: {summary:?}"),
    };
    assert!(
        message.contains(&id) && message.contains("Total_Jobs__c"),
        "{message}"
    );
    assert_eq!(
        bench.get("Contact", &id).await["Total_Jobs__c"],
        json!(4.0),
        "the record and its later edit stay"
    );
}

use crate::support::import::load;

/// Two deals for Acme keyed `U-1` and `U-2`, with these amounts.
fn deals(dir: &std::path::Path, name: &str, amounts: [u32; 2]) -> std::path::PathBuf {
    load::write(
        dir,
        name,
        &format!(
            "Opp #,Deal Name,Account,Stage,Amount,Close Date,Product\r\n\
             U-1,Deal 1,Acme Corporation,Won,${},03/04/2024,Widget Pro\r\n\
             U-2,Deal 2,Acme Corporation,Won,${},03/04/2024,Widget Pro\r\n",
            amounts[0], amounts[1]
        ),
    )
}

/// Amount of each imported deal by key.
async fn amounts(bench: &Bench) -> Vec<(String, Value)> {
    let mut deals: Vec<(String, Value)> = load::imported(&bench.client)
        .await
        .iter()
        .map(|r| {
            (
                r["Legacy_Opportunity_Id__c"].as_str().unwrap().to_string(),
                r["Amount"].clone(),
            )
        })
        .collect();
    deals.sort_by(|a, b| a.0.cmp(&b.0));
    deals
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undo_of_an_import_refuses_to_overwrite_a_later_salesforce_edit() {
    let bench = Bench::new().await;
    load::create_accounts(&bench.client, &["Acme Corporation".to_string()]).await;
    let mapping = load::mapping("MM/DD/YYYY", tether::import::parse::NumberLocale::English);
    let first = deals(bench.dir.path(), "first.csv", [10, 20]);
    let created = load::import(&bench, &first, &mapping, false).await;
    assert_eq!(created.created, 2, "{created:?}");
    let second = deals(bench.dir.path(), "second.csv", [15, 25]);
    let updated = load::import(&bench, &second, &mapping, false).await;
    assert_eq!(updated.updated, 2, "{updated:?}");
    let run = updated.run_id.expect("the import is a run");
    let deal_1 = load::imported(&bench.client)
        .await
        .iter()
        .find(|r| r["Legacy_Opportunity_Id__c"] == json!("U-1"))
        .and_then(|r| r["Id"].as_str().map(str::to_string))
        .expect("deal U-1");
    bench
        .update("Opportunity", &deal_1, json!({"Amount": 99}))
        .await;

    let undo = undo_run(&bench.path, run, &bench.client).await;
    let message = match &undo {
        Err(e) => e.to_string(),
        Ok(summary) => panic!("the undo went ahead over the later edit: {summary:?}"),
    };
    assert!(
        message.contains(&deal_1) && message.contains("Amount"),
        "the refusal names the record and the field: {message}"
    );
    assert_eq!(
        amounts(&bench).await,
        vec![("U-1".into(), json!(99.0)), ("U-2".into(), json!(25.0))],
        "nothing was put back"
    );

    let undo =
        tether::import::run::undo_import_run_with(&bench.path, run, &bench.client, OVERWRITE)
            .await
            .expect("the undo goes ahead when told to");
    assert_eq!(undo.status, RunStatus::Succeeded, "{undo:?}");
    assert_eq!(
        amounts(&bench).await,
        vec![("U-1".into(), json!(10.0)), ("U-2".into(), json!(20.0))]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_undo_counts_records_its_retried_deletes_removed_as_deleted() {
    let bench = Bench::new().await;
    bench.execute(CUSTOMERS_TABLE);
    let mut link = customers_link("salesforce_wins");
    link["create_unmatched"] = json!(true);
    bench.add_link(link);
    bench.execute(
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 600)
         INSERT INTO customers (id, name) SELECT x, 'Customer ' || x FROM n",
    );
    let pushed = bench.sync("customers").await;
    assert_eq!(
        (pushed.status, pushed.counts.created),
        (RunStatus::Succeeded, 600),
        "{pushed:?}"
    );
    // Deletes whose answers are lost are sent again, and find their records already gone.
    bench
        .org
        .set_faults(json!({ "drop_connection_rate": 0.5, "seed": 11 }))
        .await;
    let undo = undo_run(&bench.path, pushed.run_id, &bench.client)
        .await
        .unwrap();
    bench.org.set_faults(json!({})).await;
    assert_eq!(
        (undo.status, undo.counts.deleted, undo.counts.failed),
        (RunStatus::Succeeded, 600, 0),
        "{undo:?}"
    );
    assert_eq!(
        bench.soql("SELECT Id FROM Account").await["totalSize"],
        json!(0)
    );
}
