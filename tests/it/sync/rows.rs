//! Rows the engine must read as the user meant them, against the sandbox org: a malformed Id
//! in one row, an edit to another column, an empty checkbox.

use crate::support::sync::*;
use serde_json::{Value, json};
use tether::workspace::journal::{self, RunStatus};

/// Waits until the wall clock has moved on, so that two edits never share a millisecond and
/// "the later edit" is well defined for both clocks (SQLite's and the org's).
fn next_tick() {
    let start = chrono::Utc::now();
    while chrono::Utc::now() - start < chrono::Duration::milliseconds(5) {
        std::hint::spin_loop();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_id_in_one_row_fails_only_that_row() {
    let bench = Bench::new().await;
    let acme = bench
        .create("Account", json!({"Name": "Acme", "Industry": "Energy"}))
        .await;
    let globex = bench.create("Account", json!({"Name": "Globex"})).await;
    bench.execute(CUSTOMERS_TABLE);
    bench.execute(&format!(
        "INSERT INTO customers (id, sf_id, name, health_score) VALUES
           (1, '{acme}', 'Acme', 70), (2, '{globex}', 'Globex', 80), (3, '001X', 'Broken', 90)"
    ));
    bench.add_link(customers_link("salesforce_wins"));

    let run = bench.sync("customers").await;
    assert_eq!(run.status, RunStatus::Partial, "{run:?}");
    let errors = journal::errors(&bench.db(), Some(run.run_id), 10).unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let error = &errors[0];
    assert_eq!(error.code, "INVALID_ID");
    assert_eq!(error.row_key.as_deref(), Some("3"));
    for named in ["row 3", "`sf_id`", "`001X`"] {
        assert!(error.message.contains(named), "{named}: {}", error.message);
    }
    assert!(error.hint.contains("clear it"), "{}", error.hint);

    assert_eq!(
        bench.get("Account", &acme).await["Health_Score__c"],
        json!(70.0)
    );
    assert_eq!(
        bench.get("Account", &globex).await["Health_Score__c"],
        json!(80.0)
    );
    assert_eq!(
        bench.rows("SELECT id, sf_id, name, industry FROM customers ORDER BY id"),
        vec![
            vec![json!(1), json!(acme), json!("Acme"), json!("Energy")],
            vec![json!(2), json!(globex), json!("Globex"), Value::Null],
            vec![json!(3), json!("001X"), json!("Broken"), Value::Null],
        ],
        "the good rows synced, the bad one is left as it was"
    );

    bench.execute("UPDATE customers SET sf_id = NULL WHERE id = 3");
    let fixed = bench.sync("customers").await;
    assert_eq!(fixed.status, RunStatus::Succeeded, "{fixed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn most_recent_wins_ignores_a_later_edit_to_another_column() {
    let bench = Bench::new().await;
    let acme = bench.create("Account", json!({"Name": "Acme"})).await;
    bench.execute(
        "CREATE TABLE customers (
            id INTEGER PRIMARY KEY, sf_id TEXT, name TEXT, industry TEXT, health_score REAL,
            notes TEXT)",
    );
    bench.add_link(customers_link("most_recent_wins"));
    let first = bench.sync("customers").await;
    assert_eq!(first.status, RunStatus::Succeeded, "{first:?}");

    next_tick();
    bench.execute("UPDATE customers SET name = 'Acme Local'");
    next_tick();
    bench
        .update("Account", &acme, json!({"Name": "Acme Remote"}))
        .await;
    next_tick();
    bench.execute("UPDATE customers SET notes = 'called them'");
    let modstamp = bench.get("Account", &acme).await["SystemModstamp"]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f%z").ok())
        .expect("a SystemModstamp");
    let local_edits = bench.rows(
        "SELECT changed_at FROM tether_changes WHERE op = 'update' AND run_id IS NULL ORDER BY seq",
    );
    let times: Vec<chrono::DateTime<chrono::FixedOffset>> = local_edits
        .iter()
        .filter_map(|r| r[0].as_str())
        .filter_map(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .collect();
    assert!(
        times.len() == 2 && times[0] < modstamp && modstamp < times[1],
        "the edits happened in the order the test means: {times:?} around {modstamp}"
    );

    let run = bench.sync("customers").await;
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
    assert_eq!(
        bench.get("Account", &acme).await["Name"],
        json!("Acme Remote"),
        "Salesforce's Name is the later edit of Name"
    );
    assert_eq!(
        bench.rows("SELECT name, notes FROM customers"),
        vec![vec![json!("Acme Remote"), json!("called them")]]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_local_checkbox_does_not_overwrite_salesforce_on_first_sync() {
    let bench = Bench::new().await;
    let ada = bench
        .create(
            "Contact",
            json!({"LastName": "Lovelace", "Do_Not_Service__c": true}),
        )
        .await;
    let alan = bench
        .create(
            "Contact",
            json!({"LastName": "Turing", "Do_Not_Service__c": false}),
        )
        .await;
    bench.execute(&format!(
        "CREATE TABLE people (id INTEGER PRIMARY KEY, sf_id TEXT, last_name TEXT, do_not_service INTEGER);
         INSERT INTO people (id, sf_id, last_name) VALUES (1, '{ada}', 'Lovelace'), (2, '{alan}', 'Turing');"
    ));
    bench.add_link(json!({
        "name": "people",
        "connection": "sandbox",
        "table": "people",
        "key": "id",
        "object": "Contact",
        "id_column": "sf_id",
        "policy": "local_wins",
        "fields": [
            {"local": {"column": "last_name"}, "remote": "LastName", "direction": "both"},
            {"local": {"column": "do_not_service"}, "remote": "Do_Not_Service__c", "direction": "both"}
        ]
    }));

    let first = bench.sync("people").await;
    assert_eq!(first.status, RunStatus::Succeeded, "{first:?}");
    assert_eq!(
        bench.get("Contact", &ada).await["Do_Not_Service__c"],
        json!(true),
        "an empty checkbox is no value: Salesforce's fills it"
    );
    assert_eq!(
        bench.rows("SELECT do_not_service FROM people ORDER BY id"),
        vec![vec![json!(1)], vec![json!(0)]]
    );

    // Once both sides agreed, clearing the checkbox unticks it, sent as false.
    bench.execute("UPDATE people SET do_not_service = NULL WHERE id = 1");
    let cleared = bench.sync("people").await;
    assert_eq!(cleared.status, RunStatus::Succeeded, "{cleared:?}");
    assert_eq!(
        bench.get("Contact", &ada).await["Do_Not_Service__c"],
        json!(false)
    );
    let quiet = bench.sync("people").await;
    assert_eq!(
        (quiet.counts.created, quiet.counts.updated),
        (0, 0),
        "an empty checkbox and Salesforce's false are one value: {quiet:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pulled_value_the_local_table_refuses_fails_only_that_row() {
    let bench = Bench::new().await;
    let acme = bench.create("Account", json!({"Name": "Acme"})).await;
    let globex = bench.create("Account", json!({"Name": "Globex"})).await;
    bench.execute(
        "CREATE TABLE customers (
            id INTEGER PRIMARY KEY, sf_id TEXT, name TEXT CHECK (length(name) <= 12),
            industry TEXT, health_score REAL)",
    );
    bench.add_link(customers_link("salesforce_wins"));
    let first = bench.sync("customers").await;
    assert_eq!(first.status, RunStatus::Succeeded, "{first:?}");

    bench
        .update(
            "Account",
            &acme,
            json!({"Name": "Acme Corporation Worldwide"}),
        )
        .await;
    bench
        .update("Account", &globex, json!({"Name": "Globex Corp"}))
        .await;
    let run = bench.sync("customers").await;
    assert_eq!(run.status, RunStatus::Partial, "{run:?}");
    let errors = journal::errors(&bench.db(), Some(run.run_id), 10).unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code, "LOCAL_UPDATE_FAILED");
    assert_eq!(errors[0].sf_id.as_deref(), Some(acme.as_str()));
    assert!(
        errors[0].message.contains("row 1") && errors[0].message.contains("CHECK"),
        "{}",
        errors[0].message
    );
    assert_eq!(
        bench.rows("SELECT name FROM customers ORDER BY id"),
        vec![vec![json!("Acme")], vec![json!("Globex Corp")]]
    );

    bench.execute(
        "ALTER TABLE customers RENAME TO old_customers;
         CREATE TABLE customers (
            id INTEGER PRIMARY KEY, sf_id TEXT, name TEXT, industry TEXT, health_score REAL);
         INSERT INTO customers SELECT * FROM old_customers;",
    );
    let again = bench.sync("customers").await;
    assert_eq!(again.status, RunStatus::Succeeded, "{again:?}");
    assert_eq!(
        bench.rows("SELECT name FROM customers ORDER BY id"),
        vec![
            vec![json!("Acme Corporation Worldwide")],
            vec![json!("Globex Corp")]
        ],
        "the refused value arrives once the table takes it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_conflict_stays_open_while_its_row_is_left_out() {
    use tether::workspace::conflicts;
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

    for unreadable in [
        "UPDATE customers SET health_score = 'very good'",
        "UPDATE customers SET health_score = NULL, sf_id = '001X'",
    ] {
        bench.execute(unreadable);
        let run = bench.sync("customers").await;
        assert_eq!(run.status, RunStatus::Partial, "{unreadable}: {run:?}");
        let open = conflicts::open(&bench.db(), None).unwrap();
        assert_eq!(
            open.len(),
            1,
            "{unreadable}: the conflict waits for a person"
        );
        assert_eq!(
            bench.get("Account", &acme).await["Name"],
            json!("Acme Remote")
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_local_delete_the_table_refuses_fails_only_that_row() {
    let bench = Bench::new().await;
    let acme = bench.create("Account", json!({"Name": "Acme"})).await;
    let globex = bench.create("Account", json!({"Name": "Globex"})).await;
    bench.execute(CUSTOMERS_TABLE);
    let mut link = customers_link("salesforce_wins");
    link["deletes"] = json!("propagate");
    bench.add_link(link);
    bench.sync("customers").await;
    bench.execute(
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers (id));
         INSERT INTO orders (customer_id) SELECT id FROM customers WHERE name = 'Acme';",
    );

    bench.delete("Account", &acme).await;
    bench
        .update("Account", &globex, json!({"Name": "Globex Corp"}))
        .await;
    let run = bench.sync("customers").await;
    assert_eq!(run.status, RunStatus::Partial, "{run:?}");
    let errors = journal::errors(&bench.db(), Some(run.run_id), 10).unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code, "LOCAL_DELETE_FAILED");
    assert!(
        errors[0].message.contains("row 1") && errors[0].message.contains("FOREIGN KEY"),
        "{}",
        errors[0].message
    );
    assert_eq!(
        bench.rows("SELECT name FROM customers ORDER BY id"),
        vec![vec![json!("Acme")], vec![json!("Globex Corp")]],
        "the refused row stays, the other row syncs"
    );
}
