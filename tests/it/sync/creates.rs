//! Rows the user writes always sync: rows with an empty key, and rows of a link matched on the
//! Salesforce Id that have no Id yet, created when the link asks for it and never twice, even
//! when Salesforce's answer to a create was lost.

use crate::support::sync::*;
use serde_json::{Value, json};
use tether::sync::verify::{describes_for, verify};
use tether::workspace::Workspace;
use tether::workspace::journal::{self, RunStatus, Trigger};

const PEOPLE_TABLE: &str = "CREATE TABLE people (
    id INTEGER PRIMARY KEY, sf_id TEXT, first_name TEXT, last_name TEXT, active INTEGER,
    code TEXT)";

/// Contacts ↔ people, matched on the Salesforce Id in `sf_id`.
fn people_link(create_unmatched: Option<bool>) -> Value {
    let mut link = json!({
        "name": "people",
        "connection": "sandbox",
        "table": "people",
        "key": "id",
        "object": "Contact",
        "id_column": "sf_id",
        "fields": [
            {"local": {"column": "last_name"}, "remote": "LastName", "direction": "both"},
            {"local": {"column": "first_name"}, "remote": "FirstName", "direction": "both"},
            {"local": {"column": "active"}, "remote": "Active__c", "direction": "push"}
        ]
    });
    if let Some(on) = create_unmatched {
        link["create_unmatched"] = json!(on);
    }
    link
}

async fn count(bench: &Bench, soql: &str) -> u64 {
    bench.soql(soql).await["totalSize"].as_u64().unwrap()
}

fn run_column(bench: &Bench, run: i64, column: &str) -> Value {
    let rows = bench.rows(&format!(
        "SELECT {column} FROM tether_runs WHERE id = {run}"
    ));
    rows[0][0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_insert_with_an_empty_key_is_accepted_and_counted() {
    let bench = Bench::new().await;
    bench.execute(
        "CREATE TABLE customers (id TEXT PRIMARY KEY, sf_id TEXT, name TEXT, industry TEXT,
             health_score REAL)",
    );
    let mut link = customers_link("salesforce_wins");
    bench.add_link(link.clone());

    // Another program writes a row without a key: the table accepts it, so must capture.
    bench
        .db()
        .execute(
            "INSERT INTO customers (id, name, health_score) VALUES (NULL, 'Nameless', 12.5)",
            [],
        )
        .expect("the table accepts a row with an empty key, and so does change capture");
    bench.execute("INSERT INTO customers (id, name) VALUES ('c-1', 'Keyed')");

    let run = bench.sync("customers").await;
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
    assert_eq!(run.counts.failed, 0, "an empty key is no failure: {run:?}");
    assert_eq!(run_column(&bench, run.run_id, "keyless"), json!(1));
    let message = run.message.clone().unwrap_or_default();
    assert!(
        message.contains("1 row") && message.contains("`id`"),
        "the run says how many rows and which column to fill: {message}"
    );
    let notices = bench.rows(&format!(
        "SELECT code, message, hint FROM tether_run_errors WHERE run_id = {}",
        run.run_id
    ));
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0][0], json!("NO_KEY"));
    assert!(
        notices[0][2].as_str().unwrap().contains("`id`"),
        "{notices:?}"
    );
    assert_eq!(
        count(&bench, "SELECT Id FROM Account WHERE Name = 'Nameless'").await,
        0,
        "this link does not create records"
    );

    // A link that creates records creates it, and writes its Id back by rowid.
    link["create_unmatched"] = json!(true);
    bench.add_link(link);
    let created = bench.sync("customers").await;
    assert_eq!(created.status, RunStatus::Succeeded, "{created:?}");
    assert_eq!(created.counts.created, 2, "Nameless and Keyed: {created:?}");
    let rows = bench.rows("SELECT sf_id FROM customers WHERE id IS NULL");
    let id = rows[0][0]
        .as_str()
        .expect("the new Id is written back to the row without a key")
        .to_string();
    let account = bench.get("Account", &id).await;
    assert_eq!(account["Name"], json!("Nameless"));
    assert_eq!(account["Health_Score__c"], json!(12.5));

    // The row keeps no key, so it is still listed; it is never created again.
    let again = bench.sync("customers").await;
    assert_eq!(again.status, RunStatus::Succeeded, "{again:?}");
    assert_eq!(again.counts.created, 0, "{again:?}");
    assert_eq!(run_column(&bench, again.run_id, "keyless"), json!(1));
    assert_eq!(
        count(&bench, "SELECT Id FROM Account WHERE Name = 'Nameless'").await,
        1
    );

    // Given a key, the row syncs like any other.
    bench.execute("UPDATE customers SET id = 'c-2', name = 'Named' WHERE id IS NULL");
    let keyed = bench.sync("customers").await;
    assert_eq!(keyed.status, RunStatus::Succeeded, "{keyed:?}");
    assert_eq!(run_column(&bench, keyed.run_id, "keyless"), json!(0));
    assert_eq!(bench.get("Account", &id).await["Name"], json!("Named"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_id_matched_link_creates_unmatched_rows_when_asked() {
    let bench = Bench::new().await;
    bench.execute(
        "CREATE TABLE leads (id INTEGER PRIMARY KEY, sf_id TEXT, last_name TEXT, company TEXT,
             status TEXT);
         INSERT INTO leads (last_name, company, status) VALUES
             ('Lovelace', 'Analytical Engines', NULL),
             ('Turing', 'Bletchley Park', 'Working - Contacted');",
    );
    bench.add_link(json!({
        "name": "leads",
        "connection": "sandbox",
        "table": "leads",
        "key": "id",
        "object": "Lead",
        "id_column": "sf_id",
        "create_unmatched": true,
        "fields": [
            {"local": {"column": "last_name"}, "remote": "LastName", "direction": "both"},
            {"local": {"column": "company"}, "remote": "Company", "direction": "both"},
            {"local": {"column": "status"}, "remote": "Status", "direction": "push"}
        ]
    }));

    let run = bench.sync("leads").await;
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
    assert_eq!(run.counts.created, 2, "{run:?}");
    let rows = bench.rows("SELECT last_name, sf_id FROM leads ORDER BY id");
    let ada = rows[0][1].as_str().expect("Id written back").to_string();
    let alan = rows[1][1].as_str().expect("Id written back").to_string();
    let ada_record = bench.get("Lead", &ada).await;
    assert_eq!(ada_record["LastName"], json!("Lovelace"));
    assert_eq!(ada_record["Company"], json!("Analytical Engines"));
    assert_eq!(
        ada_record["Status"],
        json!("Open - Not Contacted"),
        "an empty value is not sent, so the field gets its default rather than a refusal"
    );
    let alan_record = bench.get("Lead", &alan).await;
    assert_eq!(alan_record["LastName"], json!("Turing"));
    assert_eq!(alan_record["Status"], json!("Working - Contacted"));

    let again = bench.sync("leads").await;
    assert_eq!(again.status, RunStatus::Succeeded, "{again:?}");
    assert_eq!(
        (again.counts.created, again.counts.updated),
        (0, 0),
        "{again:?}"
    );
    assert_eq!(count(&bench, "SELECT Id FROM Lead").await, 2);
    assert_eq!(
        bench.rows("SELECT COUNT(*) FROM leads"),
        vec![vec![json!(2)]],
        "the created records are not pulled back as new rows"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_link_without_create_unmatched_creates_nothing() {
    let bench = Bench::new().await;
    bench.execute(PEOPLE_TABLE);
    bench.execute(
        "INSERT INTO people (first_name, last_name) VALUES ('Ada', 'Lovelace'), ('Alan', 'Turing');",
    );
    // Stored as an earlier Tether stored it: without the field.
    let definition = people_link(None).to_string();
    bench.execute(&format!(
        "INSERT INTO tether_links (name, definition, created_at, updated_at)
         VALUES ('people', '{}', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z')",
        definition.replace('\'', "''")
    ));

    let run = bench.sync("people").await;
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
    assert_eq!(run.counts.created, 0, "{run:?}");
    assert_eq!(count(&bench, "SELECT Id FROM Contact").await, 0);

    let ws = Workspace::open(&bench.path).unwrap();
    let link = ws.link("people").unwrap().link;
    let (describe, parents) = describes_for(&bench.client, &link).await.unwrap();
    let problems = verify(&link, &describe, &parents, ws.conn());
    let said: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        problems.iter().any(|p| p.message.contains("2 rows")
            && p.message.contains("no Salesforce Id")
            && p.fix.contains("create_unmatched")),
        "verify says how many rows would be created: {said:#?}"
    );
}

/// A run that sent creates and died before hearing back, recorded as the engine records it:
/// the run, then one create intent per row, before anything is sent.
fn interrupted_run_with_intents(bench: &Bench, intents: &[(i64, Value)]) -> i64 {
    let ws = Workspace::open(&bench.path).unwrap();
    let link = ws.link("people").unwrap();
    let run = journal::start_run(ws.conn(), link.id, "people", Trigger::Cli, None).unwrap();
    for (key, after) in intents {
        ws.conn()
            .execute(
                "INSERT INTO tether_remote_images (run_id, object, sf_id, row_key, op, before, after)
                 VALUES (?1, 'Contact', NULL, ?2, 'create', NULL, ?3)",
                rusqlite::params![run, key.to_string(), after.to_string()],
            )
            .unwrap();
    }
    run
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_create_answer_is_found_not_duplicated() {
    let bench = Bench::new().await;
    bench.execute(PEOPLE_TABLE);
    bench.execute(
        "INSERT INTO people (id, first_name, last_name) VALUES (1, 'Ada', 'Lovelace'), (2, 'Alan', 'Turing');",
    );
    bench.add_link(people_link(Some(true)));
    // Someone else's record with the same last name.
    let other = bench
        .create(
            "Contact",
            json!({"FirstName": "Augusta", "LastName": "Lovelace"}),
        )
        .await;
    let lost = interrupted_run_with_intents(
        &bench,
        &[
            (1, json!({"FirstName": "Ada", "LastName": "Lovelace"})),
            (2, json!({"FirstName": "Alan", "LastName": "Turing"})),
        ],
    );
    // Salesforce created the first; the answer never came back. The second never arrived.
    let made = bench
        .create(
            "Contact",
            json!({"FirstName": "Ada", "LastName": "Lovelace"}),
        )
        .await;

    let run = bench.sync("people").await;
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
    let rows = bench.rows("SELECT id, sf_id FROM people ORDER BY id");
    assert_eq!(
        rows[0],
        vec![json!(1), json!(made)],
        "the record the lost answer made is found and its Id written back"
    );
    assert_eq!(
        count(
            &bench,
            "SELECT Id FROM Contact WHERE FirstName = 'Ada' AND LastName = 'Lovelace'"
        )
        .await,
        1,
        "never created twice"
    );
    assert_eq!(
        count(&bench, "SELECT Id FROM Contact WHERE LastName = 'Turing'").await,
        1,
        "the create that never arrived is sent again"
    );
    assert_eq!(count(&bench, "SELECT Id FROM Contact").await, 3);
    let linked: Vec<Value> = bench
        .rows("SELECT sf_id FROM people WHERE sf_id IS NOT NULL ORDER BY id")
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(
        linked.len(),
        3,
        "Ada, Alan and the other record: {linked:?}"
    );
    assert!(linked.contains(&json!(other)), "{linked:?}");
    let images = bench.rows(&format!(
        "SELECT row_key, confirmed, sf_id FROM tether_remote_images WHERE run_id = {lost} ORDER BY row_key"
    ));
    assert_eq!(
        images[0],
        vec![json!("1"), json!(1), json!(made)],
        "the interrupted run's create is confirmed, so undoing that run removes it"
    );

    let again = bench.sync("people").await;
    assert_eq!(again.counts.created, 0, "{again:?}");
    assert_eq!(count(&bench, "SELECT Id FROM Contact").await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_create_answer_is_found_by_its_external_id() {
    let bench = Bench::new().await;
    bench.execute(PEOPLE_TABLE);
    bench.execute(
        "INSERT INTO people (id, first_name, last_name, code) VALUES (1, 'Ada', 'Lovelace', 'P-1');",
    );
    let mut link = people_link(Some(true));
    link["fields"].as_array_mut().unwrap().push(
        json!({"local": {"column": "code"}, "remote": "External_Id__c", "direction": "push"}),
    );
    bench.add_link(link);
    interrupted_run_with_intents(
        &bench,
        &[(
            1,
            json!({"External_Id__c": "P-1", "FirstName": "Ada", "LastName": "Lovelace"}),
        )],
    );
    let made = bench
        .create(
            "Contact",
            json!({"External_Id__c": "P-1", "FirstName": "Ada", "LastName": "Lovelace"}),
        )
        .await;
    // Edited since, so only its external id still says it is the row's record.
    bench
        .update("Contact", &made, json!({"FirstName": "Augusta"}))
        .await;

    let run = bench.sync("people").await;
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
    assert_eq!(
        bench.rows("SELECT sf_id FROM people WHERE id = 1"),
        vec![vec![json!(made)]]
    );
    assert_eq!(count(&bench, "SELECT Id FROM Contact").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_recommends_an_external_id_for_exactly_once_creates() {
    let bench = Bench::new().await;
    bench.execute(PEOPLE_TABLE);
    let warned = |link: &tether::sync::link::Link, problems: &[tether::sync::verify::Problem]| {
        let said: Vec<String> = problems.iter().map(ToString::to_string).collect();
        let warned = problems.iter().any(|p| {
            p.message.contains("without an external id") && p.fix.contains("`External_Id__c`")
        });
        (warned, format!("{}: {said:#?}", link.name))
    };
    let ws = Workspace::open(&bench.path).unwrap();

    let without: tether::sync::link::Link =
        serde_json::from_value(people_link(Some(true))).unwrap();
    let (describe, parents) = describes_for(&bench.client, &without).await.unwrap();
    let (said, all) = warned(&without, &verify(&without, &describe, &parents, ws.conn()));
    assert!(
        said,
        "a link creating without an external id hears of one: {all}"
    );

    let mut with = people_link(Some(true));
    with["fields"].as_array_mut().unwrap().push(
        json!({"local": {"column": "code"}, "remote": "External_Id__c", "direction": "push"}),
    );
    let with: tether::sync::link::Link = serde_json::from_value(with).unwrap();
    let (said, all) = warned(&with, &verify(&with, &describe, &parents, ws.conn()));
    assert!(!said, "{all}");
}
