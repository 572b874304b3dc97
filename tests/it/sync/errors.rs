//! Errors with a lifecycle against the sandbox org: a record that keeps failing is one open
//! error with its attempts, and the run that syncs it resolves it.

use crate::support::sync::*;
use serde_json::{Value, json};
use tether::workspace::journal::pages::{self, ErrorQuery};
use tether::workspace::journal::{self, ErrorStatus, FailedRecord, RunStatus};

fn errors(bench: &Bench, include_resolved: bool) -> Vec<pages::ErrorEntry> {
    let query = ErrorQuery {
        include_resolved,
        ..Default::default()
    };
    let page = pages::errors_page(&bench.db(), &query, 0, 100).unwrap();
    assert_eq!(page.total, page.rows.len() as u64, "{:?}", page.rows);
    page.rows
}

/// Row 1 holds a value Tether cannot read, row 2 a name Salesforce refuses (too long).
async fn two_failing_rows(bench: &Bench) -> (String, String) {
    let acme = bench.create("Account", json!({"Name": "Acme"})).await;
    let globex = bench.create("Account", json!({"Name": "Globex"})).await;
    bench.execute(CUSTOMERS_TABLE);
    bench.add_link(customers_link("local_wins"));
    let first = bench.sync("customers").await;
    assert_eq!(first.status, RunStatus::Succeeded, "{first:?}");
    bench.execute(&format!(
        "UPDATE customers SET health_score = 'very good' WHERE sf_id = '{acme}';
         UPDATE customers SET name = '{}' WHERE sf_id = '{globex}';",
        "G".repeat(300)
    ));
    (acme, globex)
}

fn key_of(bench: &Bench, sf_id: &str) -> String {
    bench.rows(&format!(
        "SELECT CAST(id AS TEXT) FROM customers WHERE sf_id = '{sf_id}'"
    ))[0][0]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_failing_in_three_runs_is_one_open_error_with_three_attempts() {
    let bench = Bench::new().await;
    let (acme, globex) = two_failing_rows(&bench).await;
    let mut runs = Vec::new();
    for _ in 0..3 {
        let run = bench.sync("customers").await;
        assert_eq!(run.status, RunStatus::Partial, "{run:?}");
        assert_eq!(run.counts.failed, 2, "{run:?}");
        runs.push(run.run_id);
    }
    let open = errors(&bench, false);
    assert_eq!(
        open.len(),
        2,
        "one open error per failing record, not one per run: {open:#?}"
    );
    for entry in &open {
        let life = &entry.lifecycle;
        assert_eq!(life.status, ErrorStatus::Open, "{entry:#?}");
        assert_eq!(life.attempts, 3, "{entry:#?}");
        assert_eq!(life.first_run, runs[0], "{entry:#?}");
        assert_eq!(entry.error.run_id, runs[2], "the last answer is shown");
        assert!(life.first_seen <= life.last_seen, "{entry:#?}");
    }
    let mut failing = journal::open_errors(&bench.db(), "customers").unwrap();
    failing.sort_by(|a, b| a.row_key.cmp(&b.row_key));
    let mut want = vec![
        FailedRecord {
            sf_id: None,
            row_key: Some(key_of(&bench, &acme)),
        },
        FailedRecord {
            sf_id: Some(globex.clone()),
            row_key: Some(key_of(&bench, &globex)),
        },
    ];
    want.sort_by(|a, b| a.row_key.cmp(&b.row_key));
    assert_eq!(failing, want, "the records whose last attempt failed");
    // Every attempt is still in the history of its run.
    for run in &runs {
        assert_eq!(
            journal::errors(&bench.db(), Some(*run), 10).unwrap().len(),
            2
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_run_that_syncs_a_failed_record_resolves_its_error() {
    let bench = Bench::new().await;
    let (acme, globex) = two_failing_rows(&bench).await;
    let failed = bench.sync("customers").await;
    assert_eq!(failed.counts.failed, 2, "{failed:?}");
    // Only the first row is fixed: the second stays open.
    bench.execute(&format!(
        "UPDATE customers SET health_score = 81 WHERE sf_id = '{acme}'"
    ));
    let fixed = bench.sync("customers").await;
    assert_eq!(fixed.status, RunStatus::Partial, "{fixed:?}");
    assert_eq!(
        bench.get("Account", &acme).await["Health_Score__c"],
        json!(81.0)
    );
    let open = errors(&bench, false);
    assert_eq!(open.len(), 1, "{open:#?}");
    assert_eq!(open[0].error.sf_id.as_deref(), Some(globex.as_str()));
    assert_eq!(open[0].lifecycle.attempts, 2);

    let all = errors(&bench, true);
    assert_eq!(all.len(), 2, "{all:#?}");
    let resolved = all
        .iter()
        .find(|e| e.lifecycle.status == ErrorStatus::Resolved)
        .expect("the fixed record's error is kept, resolved");
    assert_eq!(resolved.error.row_key, Some(key_of(&bench, &acme)));
    assert_eq!(resolved.lifecycle.resolved_run, Some(fixed.run_id));
    assert_eq!(resolved.lifecycle.attempts, 1);

    // Searching finds resolved errors when asked for all, open ones otherwise.
    let search = |include_resolved| {
        let query = ErrorQuery {
            text: "very good".into(),
            include_resolved,
            ..Default::default()
        };
        pages::errors_page(&bench.db(), &query, 0, 10).unwrap().rows
    };
    assert!(search(false).is_empty());
    assert_eq!(search(true).len(), 1);

    // A record failing again after it was resolved opens a new error.
    bench.execute(&format!(
        "UPDATE customers SET health_score = 'bad again' WHERE sf_id = '{acme}';
         UPDATE customers SET name = 'Globex' WHERE sf_id = '{globex}';"
    ));
    let again = bench.sync("customers").await;
    assert_eq!(again.counts.failed, 1, "{again:?}");
    let open = errors(&bench, false);
    assert_eq!(open.len(), 1, "{open:#?}");
    assert_eq!(open[0].lifecycle.attempts, 1);
    assert_eq!(open[0].lifecycle.first_run, again.run_id);
    assert_eq!(errors(&bench, true).len(), 3);
    assert_eq!(
        journal::open_errors(&bench.db(), "customers")
            .unwrap()
            .into_iter()
            .map(|r| r.row_key)
            .collect::<Vec<_>>(),
        vec![Some(key_of(&bench, &acme))]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_that_fails_as_a_whole_resolves_nothing() {
    let bench = Bench::new().await;
    let (acme, _globex) = two_failing_rows(&bench).await;
    bench.sync("customers").await;
    bench.execute(&format!(
        "UPDATE customers SET health_score = 81 WHERE sf_id = '{acme}'"
    ));
    // The link now maps a field Account does not have: the run fails before any record.
    let mut link = customers_link("local_wins");
    link["fields"][2]["remote"] = Value::from("No_Such_Field__c");
    bench.add_link(link);
    let run = bench.sync("customers").await;
    assert_eq!(run.status, RunStatus::Failed, "{run:?}");
    assert_eq!(
        errors(&bench, false).len(),
        2,
        "a run that synced nothing resolves nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_of_one_record_resolves_only_that_records_error() {
    let bench = Bench::new().await;
    let (acme, globex) = two_failing_rows(&bench).await;
    let failed = bench.sync("customers").await;
    assert_eq!(failed.counts.failed, 2, "{failed:?}");
    bench.execute(&format!(
        "UPDATE customers SET health_score = 80 WHERE sf_id = '{acme}'"
    ));

    let options = tether::sync::engine::RunOptions {
        scope: tether::sync::engine::RunScope::Records(tether::sync::engine::Records {
            keys: vec![key_of(&bench, &acme)],
            ids: Vec::new(),
        }),
        ..tether::sync::engine::RunOptions::new(journal::Trigger::Cli)
    };
    let one = tether::sync::engine::sync_link(&bench.path, "customers", &bench.client, &options)
        .await
        .expect("the run starts");
    assert_eq!(one.status, RunStatus::Succeeded, "{one:?}");

    let open = journal::open_errors(&bench.db(), "customers").unwrap();
    assert_eq!(
        open.iter().map(|f| f.sf_id.clone()).collect::<Vec<_>>(),
        vec![Some(globex)],
        "Globex was not in the run: its error stays open"
    );
}
