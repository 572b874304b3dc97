//! Runs that read only what changed locally: the rows other programs wrote since the last run
//! (from the change log the capture triggers feed), the rows of the records Salesforce sent
//! and the records still owed a sync. What they leave unread must be what a whole read would
//! have found nothing to do for.

use crate::support::sync::*;
use serde_json::json;
use tether::workspace::journal::RunStatus;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_table_another_program_made_again_is_read_whole_and_its_edits_pushed() {
    let bench = Bench::new().await;
    let acme = bench.create("Account", json!({"Name": "Acme"})).await;
    let globex = bench.create("Account", json!({"Name": "Globex"})).await;
    bench.execute(CUSTOMERS_TABLE);
    bench.add_link(without_overlap(customers_link("local_wins")));
    let first = bench.sync("customers").await;
    assert_eq!(first.status, RunStatus::Succeeded, "{first:?}");
    let quiet = bench.sync("customers").await;
    assert_eq!(quiet.status, RunStatus::Succeeded, "{quiet:?}");

    // As a data tool replacing a table does: drop it (and Tether's triggers with it), make it
    // again and fill it, with one name changed. None of it is in the change log.
    let rows = bench.rows("SELECT id, sf_id, name FROM customers ORDER BY id");
    bench.execute("DROP TABLE customers");
    bench.execute(CUSTOMERS_TABLE);
    for row in &rows {
        let name = match row[2].as_str() {
            Some("Globex") => "Globex Replaced",
            Some(other) => other,
            None => "",
        };
        bench.execute(&format!(
            "INSERT INTO customers (id, sf_id, name) VALUES ({}, '{}', '{name}')",
            row[0],
            row[1].as_str().unwrap_or_default()
        ));
    }
    let after = bench.sync("customers").await;
    assert_eq!(after.status, RunStatus::Succeeded, "{after:?}");
    assert_eq!(
        bench.get("Account", &globex).await["Name"],
        json!("Globex Replaced"),
        "an edit made while the capture triggers were gone reaches Salesforce: {after:?}"
    );
    assert_eq!(bench.get("Account", &acme).await["Name"], json!("Acme"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_another_program_writes_between_runs_are_synced_and_nothing_else_is_written() {
    let bench = Bench::new().await;
    let acme = bench.create("Account", json!({"Name": "Acme"})).await;
    bench.create("Account", json!({"Name": "Globex"})).await;
    bench.execute(CUSTOMERS_TABLE);
    let mut link = customers_link("local_wins");
    link["create_unmatched"] = json!(true);
    bench.add_link(link);
    let first = bench.sync("customers").await;
    assert_eq!(first.status, RunStatus::Succeeded, "{first:?}");

    let db = bench.db();
    db.execute_batch(
        "UPDATE customers SET health_score = 12.5 WHERE name = 'Acme';
         INSERT INTO customers (name) VALUES ('Initech');",
    )
    .unwrap();
    drop(db);
    let second = bench.sync("customers").await;
    assert_eq!(second.status, RunStatus::Succeeded, "{second:?}");
    assert_eq!(
        bench.get("Account", &acme).await["Health_Score__c"],
        json!(12.5)
    );
    let initech = bench
        .soql("SELECT Id FROM Account WHERE Name = 'Initech'")
        .await;
    assert_eq!(
        initech["totalSize"],
        json!(1),
        "the new row was created once"
    );

    let quiet = bench.sync("customers").await;
    assert_eq!(quiet.status, RunStatus::Succeeded, "{quiet:?}");
    assert_eq!(
        (
            quiet.counts.created,
            quiet.counts.updated,
            quiet.counts.processed
        ),
        (0, 0, 0),
        "{quiet:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_delete_guard_counts_every_record_of_the_link_on_a_run_that_reads_what_changed() {
    let bench = Bench::new().await;
    bench.execute("CREATE TABLE people (code TEXT PRIMARY KEY, sf_id TEXT, last_name TEXT)");
    let db = bench.db();
    for n in 1..=300 {
        db.execute(
            "INSERT INTO people (code, last_name) VALUES (?1, ?2)",
            [format!("P-{n:03}"), format!("Person {n}")],
        )
        .unwrap();
    }
    drop(db);
    bench.add_link(without_overlap(json!({
        "name": "people", "connection": "sandbox", "table": "people", "key": "code",
        "object": "Contact", "id_column": "sf_id", "create_unmatched": true,
        "deletes": "propagate",
        "fields": [{"local": {"column": "last_name"}, "remote": "LastName", "direction": "both"}]
    })));
    let first = bench.sync("people").await;
    assert_eq!(first.status, RunStatus::Succeeded, "{first:?}");
    assert_eq!(first.counts.created, 300, "{first:?}");
    // The records it created are read back once; after that Salesforce sends none.
    let quiet = bench.sync("people").await;
    assert_eq!(quiet.status, RunStatus::Succeeded, "{quiet:?}");
    next_second();

    // 25 of 300: past the floor of 20, within 10 % of the link's records.
    bench.execute("DELETE FROM people WHERE code <= 'P-025'");
    let run = bench.sync("people").await;
    assert_eq!(
        run.status,
        RunStatus::Succeeded,
        "25 deletes of 300 records are within the guard, whatever the run read: {run:?}"
    );
    let left = bench.soql("SELECT COUNT() FROM Contact").await;
    assert_eq!(left["totalSize"], json!(275));
}

/// The link without the overlap window: Salesforce's answer then names no record a run has
/// already read, so only the local read can find what changed.
fn without_overlap(mut link: serde_json::Value) -> serde_json::Value {
    link["strategy"] = json!({
        "bulk_pull_above": 20000, "bulk_push_above": 5000, "overlap_seconds": 0
    });
    link
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_another_writer_makes_inside_the_overlap_window_after_a_push_is_pulled() {
    let bench = Bench::new().await;
    let acme = bench
        .create("Account", json!({"Name": "Acme", "Industry": "Energy"}))
        .await;
    bench.execute(CUSTOMERS_TABLE);
    bench.add_link(customers_link("local_wins"));
    let first = bench.sync("customers").await;
    assert_eq!(first.status, RunStatus::Succeeded, "{first:?}");

    bench.execute("UPDATE customers SET name = 'Acme Local', health_score = 70");
    let push = bench.sync("customers").await;
    assert_eq!(push.status, RunStatus::Succeeded, "{push:?}");
    assert_eq!(
        bench.get("Account", &acme).await["Name"],
        json!("Acme Local")
    );

    // Seconds later, well inside the 300-second overlap, and as the same user Tether signs in
    // as: the record's new SystemModstamp is not one Tether's push caused.
    next_second();
    bench
        .update(
            "Account",
            &acme,
            json!({"Name": "Acme Renamed", "Industry": "Banking"}),
        )
        .await;
    let after = bench.sync("customers").await;
    assert_eq!(after.status, RunStatus::Succeeded, "{after:?}");
    assert_eq!(
        bench.rows("SELECT name, industry, health_score FROM customers"),
        vec![vec![json!("Acme Renamed"), json!("Banking"), json!(70.0)]],
        "the other writer's change after the push is pulled: {after:?}"
    );
    let quiet = bench.sync("customers").await;
    assert_eq!(quiet.counts.updated, 0, "{quiet:?}");
    assert_eq!(
        bench.get("Account", &acme).await["Name"],
        json!("Acme Renamed"),
        "nothing is pushed back over it"
    );
}

/// A change that commits late: another writer's transaction stamped the record before the
/// last run began reading and became visible only after it, so its SystemModstamp lies behind
/// the cursor, inside the overlap window. The overlap is what reads it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_stamped_before_the_cursor_inside_the_overlap_window_is_pulled() {
    let bench = Bench::new().await;
    let acme = bench
        .create("Account", json!({"Name": "Acme", "Industry": "Energy"}))
        .await;
    bench.execute(CUSTOMERS_TABLE);
    bench.add_link(customers_link("local_wins"));
    let first = bench.sync("customers").await;
    assert_eq!(first.status, RunStatus::Succeeded, "{first:?}");
    bench.execute("UPDATE customers SET name = 'Acme Local', health_score = 70");
    let push = bench.sync("customers").await;
    assert_eq!(push.status, RunStatus::Succeeded, "{push:?}");

    bench
        .update("Account", &acme, json!({"Industry": "Banking"}))
        .await;
    // Two minutes back: before the push's read began, well within the 300-second overlap.
    bench
        .org
        .org
        .age_records("Account", std::time::Duration::from_secs(120))
        .expect("the org ages its Accounts");
    let stamped = bench.get("Account", &acme).await["SystemModstamp"]
        .as_str()
        .and_then(tether::sync::engine::values::parse_datetime)
        .expect("a SystemModstamp");
    let cursor = bench.rows("SELECT pulled_through FROM tether_cursors")[0][0]
        .as_str()
        .and_then(tether::sync::engine::values::parse_datetime)
        .expect("a cursor");
    assert!(
        stamped < cursor && stamped > cursor - chrono::Duration::seconds(300),
        "the change is stamped inside the overlap: {stamped} against the cursor {cursor}"
    );

    let after = bench.sync("customers").await;
    assert_eq!(after.status, RunStatus::Succeeded, "{after:?}");
    assert_eq!(
        bench.rows("SELECT name, industry, health_score FROM customers"),
        vec![vec![json!("Acme Local"), json!("Banking"), json!(70.0)]],
        "the late change is pulled: {after:?}"
    );
}
