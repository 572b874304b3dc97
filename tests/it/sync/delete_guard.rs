//! The mass-delete guard against the sandbox org: a run that would delete more than
//! max(20, 10 % of the link's records) on one side stops before it writes anything.

use crate::support::sync::Bench;
use serde_json::{Value, json};
use tether::sync::engine::{self, RunOptions};
use tether::workspace::journal::{RunStatus, Trigger};

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

/// A `people` table of 30 rows, linked to Contacts and not synced yet.
async fn thirty_people() -> Bench {
    let bench = Bench::new().await;
    bench.execute("CREATE TABLE people (code TEXT PRIMARY KEY, sf_id TEXT, last_name TEXT)");
    for n in 1..=30 {
        bench.execute(&format!(
            "INSERT INTO people (code, last_name) VALUES ('P-{n:02}', 'Person {n}')"
        ));
    }
    bench.add_link(people_link());
    bench
}

async fn contacts_in_salesforce(bench: &Bench) -> u64 {
    bench.soql("SELECT COUNT() FROM Contact").await["totalSize"]
        .as_u64()
        .expect("a count")
}

fn cursor(bench: &Bench) -> Vec<Vec<Value>> {
    bench.rows("SELECT pulled_through FROM tether_cursors")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_that_would_delete_more_than_the_guard_allows_stops_before_writing() {
    let bench = thirty_people().await;
    let first = bench.sync("people").await;
    assert_eq!(first.status, RunStatus::Succeeded, "{first:?}");
    assert_eq!(first.counts.created, 30, "{first:?}");
    assert_eq!(contacts_in_salesforce(&bench).await, 30);

    bench.execute("DELETE FROM people WHERE code > 'P-05'");
    let cursor_before = cursor(&bench);
    let stopped = bench.sync("people").await;
    assert_eq!(stopped.status, RunStatus::NeedsConfirmation, "{stopped:?}");
    assert_eq!(stopped.counts.deleted, 0, "{stopped:?}");
    assert_eq!(stopped.counts.deletes_waiting, 25, "{stopped:?}");
    let message = stopped.message.clone().unwrap_or_default();
    assert!(
        message.contains("25 Contact record(s) in Salesforce") && message.contains("15 more"),
        "the message names how many and which: {message}"
    );
    assert_eq!(
        contacts_in_salesforce(&bench).await,
        30,
        "Salesforce keeps every record"
    );
    assert_eq!(cursor(&bench), cursor_before, "the cursor does not move");
    let recorded =
        bench.rows("SELECT status, deletes_waiting FROM tether_runs ORDER BY id DESC LIMIT 1");
    assert_eq!(recorded, vec![vec![json!("needs_confirmation"), json!(25)]]);

    // The same run again still stops: nothing was forgotten.
    let again = bench.sync("people").await;
    assert_eq!(again.status, RunStatus::NeedsConfirmation, "{again:?}");

    let mut allowed = RunOptions::new(Trigger::Cli);
    allowed.allow_mass_delete = true;
    let run = engine::sync_link(&bench.path, "people", &bench.client, &allowed)
        .await
        .expect("the run starts");
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
    assert_eq!(run.counts.deleted, 25, "{run:?}");
    assert_eq!(contacts_in_salesforce(&bench).await, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletes_within_the_guard_go_through_without_asking() {
    let bench = thirty_people().await;
    bench.sync("people").await;
    bench.execute("DELETE FROM people WHERE code > 'P-10'");
    let run = bench.sync("people").await;
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
    assert_eq!(run.counts.deleted, 20, "{run:?}");
    assert_eq!(contacts_in_salesforce(&bench).await, 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn salesforce_deletes_past_the_guard_leave_the_local_rows_until_allowed() {
    let bench = thirty_people().await;
    bench.sync("people").await;
    let ids = bench.rows("SELECT sf_id FROM people WHERE code > 'P-05'");
    for id in &ids {
        bench
            .delete("Contact", id[0].as_str().expect("an Id"))
            .await;
    }
    crate::support::sync::next_second();
    let stopped = bench.sync("people").await;
    assert_eq!(stopped.status, RunStatus::NeedsConfirmation, "{stopped:?}");
    let message = stopped.message.clone().unwrap_or_default();
    assert!(
        message.contains("25 row(s) of `people` (P-06, P-07"),
        "{message}"
    );
    assert_eq!(bench.rows("SELECT code FROM people").len(), 30);

    let mut allowed = RunOptions::new(Trigger::Cli);
    allowed.allow_mass_delete = true;
    let run = engine::sync_link(&bench.path, "people", &bench.client, &allowed)
        .await
        .expect("the run starts");
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
    assert_eq!(bench.rows("SELECT code FROM people").len(), 5);
}
