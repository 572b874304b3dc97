//! Record-scoped runs from the window, on the real desktop service and the built-in sandbox
//! org: the palette's "update ACME health score in salesforce" sends that one account, and
//! Retry on the Errors page syncs the records of the chosen errors and nothing else.

use std::path::Path;

use crate::support::live::{click, nav, org_client, wait_for, wait_until, window};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use futures_util::TryStreamExt;
use serde_json::{Map, Value};
use tether::ui::TetherApp;
use tether::workspace::Workspace;

fn sql(dir: &Path, statement: &str) {
    let ws = Workspace::open(&dir.join("workspace.sqlite")).expect("workspace");
    ws.conn().execute_batch(statement).expect(statement);
}

fn count(dir: &Path, query: &str) -> i64 {
    let ws = Workspace::open(&dir.join("workspace.sqlite")).expect("workspace");
    ws.conn().query_row(query, [], |r| r.get(0)).expect(query)
}

fn texts(dir: &Path, query: &str) -> Vec<String> {
    let ws = Workspace::open(&dir.join("workspace.sqlite")).expect("workspace");
    let mut statement = ws.conn().prepare(query).expect(query);
    statement
        .query_map([], |r| r.get(0))
        .expect(query)
        .collect::<Result<_, _>>()
        .expect(query)
}

fn instance(harness: &Harness<'static, TetherApp>) -> String {
    harness
        .state()
        .model()
        .connections
        .iter()
        .find(|c| c.embedded)
        .map(|c| c.instance_url.clone())
        .expect("the sandbox org is connected")
}

/// `fields` of these Accounts as the org holds them, in the order of `ids`.
fn accounts(instance: &str, ids: &[String], fields: &str) -> Vec<Map<String, Value>> {
    let (runtime, client) = org_client(instance);
    runtime.block_on(async {
        let mut out = Vec::new();
        for id in ids {
            let soql = format!("SELECT Id, {fields} FROM Account WHERE Id = '{id}'");
            let pages: Vec<_> = client
                .query::<Map<String, Value>>(&soql, None)
                .try_collect()
                .await
                .unwrap();
            let record = pages.into_iter().flat_map(|p| p.records).next();
            out.push(record.expect("the account"));
        }
        out
    })
}

fn rename_account(instance: &str, id: &str, name: &str) {
    let (runtime, client) = org_client(instance);
    runtime.block_on(async {
        let mut record = Map::new();
        record.insert("Id".into(), id.into());
        record.insert("Name".into(), name.into());
        let results = client
            .update_many("Account", &[record], Default::default())
            .await
            .unwrap();
        assert!(results[0].success, "{results:?}");
    });
}

/// A run of the whole link by the engine itself, as the CLI or a schedule would start it.
fn run_outside_the_window(dir: &Path, instance: &str, link: &str) {
    use tether::sync::engine::{RunOptions, sync_link};
    use tether::workspace::journal::Trigger;
    let (runtime, client) = org_client(instance);
    let options = RunOptions::new(Trigger::Cli);
    let summary = runtime
        .block_on(sync_link(
            &dir.join("workspace.sqlite"),
            link,
            &client,
            &options,
        ))
        .expect("the run starts");
    assert!(summary.run_id > 0, "{summary:?}");
}

/// Read as another program would, without taking the workspace's migrations or triggers.
fn finished_runs(dir: &Path) -> i64 {
    let conn = rusqlite::Connection::open_with_flags(
        dir.join("workspace.sqlite"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("workspace");
    conn.query_row(
        "SELECT count(*) FROM tether_runs WHERE status != 'running'",
        [],
        |r| r.get(0),
    )
    .expect("runs")
}

#[test]
fn the_palette_phrase_updates_one_accounts_score_only() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut h = window(dir, 40, true, 900.0);
    click(&mut h, "Explore the sandbox org");
    wait_for(&mut h, "Status of customer-health: Not synced yet");
    let instance = instance(&h);
    let ids = texts(
        dir,
        "SELECT customer_id FROM customers WHERE health_score IS NOT NULL ORDER BY customer_id",
    );
    assert!(ids.len() >= 3, "the demo scores a few customers: {ids:?}");
    let acme = ids[0].clone();
    rename_account(&instance, &acme, "ACME");
    sql(
        dir,
        &format!(
            "UPDATE customers SET name = 'ACME', health_score = 91 WHERE customer_id = '{acme}'"
        ),
    );
    let before = accounts(&instance, &ids, "Health_Score__c");

    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    wait_for(&mut h, "Command palette input");
    h.get_by_label("Command palette input").focus();
    h.step();
    h.get_by_label("Command palette input")
        .type_text("update ACME health score in salesforce");
    h.step();
    h.step();
    h.key_press(egui::Key::Enter);
    wait_until(&mut h, "the palette's run", |_| finished_runs(dir) >= 1);

    let after = accounts(&instance, &ids, "Health_Score__c");
    assert_eq!(
        after[0].get("Health_Score__c"),
        Some(&Value::from(91.0)),
        "ACME's score was sent: {after:?}"
    );
    for (was, now) in before.iter().zip(&after).skip(1) {
        assert_eq!(
            was.get("Health_Score__c"),
            now.get("Health_Score__c"),
            "another customer's score was sent too: {} went from {:?} to {:?}",
            now.get("Id").and_then(Value::as_str).unwrap_or_default(),
            was.get("Health_Score__c"),
            now.get("Health_Score__c"),
        );
    }
    assert_eq!(
        texts(
            dir,
            "SELECT scope FROM tether_runs ORDER BY id DESC LIMIT 1"
        ),
        vec![format!("key {acme}")],
        "History marks the run with its record"
    );
}

#[test]
fn retry_of_two_selected_errors_syncs_those_two_records_only() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut h = window(dir, 40, true, 900.0);
    click(&mut h, "Explore the sandbox org");
    wait_for(&mut h, "Status of Accounts: Not synced yet");
    let instance = instance(&h);

    // The first run fills `accounts`.
    run_outside_the_window(dir, &instance, "Accounts");
    let ids = texts(dir, "SELECT sf_id FROM accounts ORDER BY sf_id LIMIT 3");
    assert_eq!(ids.len(), 3, "the pull filled the table");
    let (a, b, c) = (&ids[0], &ids[1], &ids[2]);

    // Two phones Salesforce refuses.
    let long = "9".repeat(46);
    sql(
        dir,
        &format!("UPDATE accounts SET phone = '{long}' WHERE sf_id IN ('{a}', '{b}')"),
    );
    run_outside_the_window(dir, &instance, "Accounts");
    let errors = texts(
        dir,
        "SELECT CAST(id AS TEXT) FROM tether_run_errors
         WHERE run_id = (SELECT max(id) FROM tether_runs) ORDER BY id",
    );
    assert_eq!(errors.len(), 2, "both long phones were refused");

    // Both fixed, and a third row edited that nobody asked to retry.
    sql(
        dir,
        &format!(
            "UPDATE accounts SET phone = '555-0101' WHERE sf_id = '{a}';
             UPDATE accounts SET phone = '555-0102' WHERE sf_id = '{b}';
             UPDATE accounts SET phone = '555-0303' WHERE sf_id = '{c}';"
        ),
    );
    nav(&mut h, "Errors");
    for id in &errors {
        click(&mut h, &format!("Select error {id}"));
    }
    click(&mut h, "Retry 2 failed records");
    wait_until(&mut h, "the retry", |_| finished_runs(dir) >= 3);

    let phones: Vec<Option<String>> = accounts(&instance, &ids, "Phone")
        .iter()
        .map(|r| r.get("Phone").and_then(Value::as_str).map(str::to_string))
        .collect();
    assert_eq!(phones[0].as_deref(), Some("555-0101"), "{phones:?}");
    assert_eq!(phones[1].as_deref(), Some("555-0102"), "{phones:?}");
    assert_ne!(
        phones[2].as_deref(),
        Some("555-0303"),
        "the retry sent a record whose error was not chosen"
    );
    assert_eq!(
        count(
            dir,
            "SELECT processed FROM tether_runs ORDER BY id DESC LIMIT 1"
        ),
        2,
        "the retry read and wrote the two records only"
    );
}
