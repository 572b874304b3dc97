//! The edges a migration reaches: a sheet whose rows are one another's parents, rows with too
//! many or too few cells, an undo under lock errors, and advice that names what will work.

use std::collections::HashMap;

use serde_json::{Value, json};
use tether::import::parse::NumberLocale;
use tether::import::run::{ImportJob, ImportProgress, ImportProgressSink, run_import};
use tether::salesforce::{ClientConfig, RetryPolicy};
use tether::sync::engine::undo::undo_run;
use tether::workspace::journal::RunStatus;
use tokio_util::sync::CancellationToken;

use crate::support::sync::*;

use crate::support::import::load;
use load::*;

/// Accounts by name, with the name of their parent (blank when none).
async fn accounts_by_name(bench: &Bench) -> HashMap<String, Vec<(String, Option<String>)>> {
    let mut by_name: HashMap<String, Vec<(String, Option<String>)>> = HashMap::new();
    for record in query(&bench.client, "SELECT Id, Name, ParentId FROM Account").await {
        by_name
            .entry(record["Name"].as_str().unwrap().to_string())
            .or_default()
            .push((
                record["Id"].as_str().unwrap().to_string(),
                record["ParentId"].as_str().map(String::from),
            ));
    }
    by_name
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parents_named_by_rows_of_the_same_sheet_are_created_once() {
    let bench = Bench::new().await;
    // Children come before their parents; one parent (Umbrella Group) is no row of the sheet.
    let file = write(
        bench.dir.path(),
        "accounts.csv",
        "Account Id,Account Name,Parent\r\n\
         A-1,Globex East Boston,Globex East\r\n\
         A-2,Globex East,Globex Holdings\r\n\
         A-3,Globex Holdings,\r\n\
         A-4,Initech,Umbrella Group\r\n\
         A-5,Initech West,initech\r\n",
    );
    let mapping = accounts_mapping();
    let check = import(&bench, &file, &mapping, true).await;
    assert_eq!(
        (check.to_create, check.parents_to_create, check.invalid),
        (5, 1, 0),
        "{check:?}"
    );
    let report = read_results(check.report.as_ref().unwrap());
    let boston = report.iter().find(|r| r["Row"] == "2").unwrap();
    assert!(
        boston["Message"].contains("Account `Globex East` is created by row 3 first"),
        "{report:?}"
    );

    let summary = import(&bench, &file, &mapping, false).await;
    assert_eq!(
        (
            summary.status,
            summary.created,
            summary.parents_created,
            summary.invalid
        ),
        (Some(RunStatus::Succeeded), 5, 1, 0),
        "{summary:?}"
    );
    let accounts = accounts_by_name(&bench).await;
    let mut counts: Vec<(String, usize)> = accounts
        .iter()
        .map(|(name, records)| (name.clone(), records.len()))
        .collect();
    counts.sort();
    assert_eq!(
        counts,
        [
            "Globex East",
            "Globex East Boston",
            "Globex Holdings",
            "Initech",
            "Initech West",
            "Umbrella Group"
        ]
        .map(|n| (n.to_string(), 1))
        .to_vec(),
        "5 accounts for 5 rows, and one for the parent no row makes"
    );
    let id = |name: &str| Some(accounts[name][0].0.clone());
    let parent = |name: &str| accounts[name][0].1.clone();
    assert_eq!(parent("Globex East Boston"), id("Globex East"));
    assert_eq!(parent("Globex East"), id("Globex Holdings"));
    assert_eq!(parent("Globex Holdings"), None);
    assert_eq!(parent("Initech"), id("Umbrella Group"));
    assert_eq!(parent("Initech West"), id("Initech"));

    let again = import(&bench, &file, &mapping, false).await;
    assert_eq!(
        (again.created, again.parents_created, again.unchanged),
        (0, 0, 5),
        "a second import creates nothing: {again:?}"
    );

    // Rows that are each other's parents cannot be created in any order.
    let cycle = write(
        bench.dir.path(),
        "cycle.csv",
        "Account Id,Account Name,Parent\r\n\
         L-1,Loop North,Loop South\r\n\
         L-2,Loop South,Loop North\r\n\
         L-3,Loop Child,Loop North\r\n\
         L-4,Self Made,Self Made\r\n\
         L-5,Standalone,\r\n",
    );
    let first = summary.run_id.unwrap();
    let summary = import(&bench, &cycle, &mapping, false).await;
    assert_eq!(
        (summary.created, summary.parents_created, summary.invalid),
        (1, 0, 4),
        "{summary:?}"
    );
    let errors = read_results(summary.error_file.as_ref().unwrap());
    let message = |row: &str| {
        errors
            .iter()
            .find(|r| r["Row"] == row)
            .map(|r| r["Message"].clone())
            .unwrap_or_default()
    };
    for row in ["2", "3"] {
        assert!(
            message(row).contains("rows 2 and 3 name each other as parents"),
            "row {row}: {errors:?}"
        );
    }
    assert!(
        message("4")
            .contains("its parent `Loop North` is row 2 of this sheet, which was not imported"),
        "{errors:?}"
    );
    assert!(
        message("5").contains("row 5 names itself as its parent"),
        "{errors:?}"
    );
    let accounts = accounts_by_name(&bench).await;
    for name in ["Loop North", "Loop South", "Loop Child", "Self Made"] {
        assert!(!accounts.contains_key(name), "{name} was created");
    }

    // Undo takes back the children and the parents the sheet made, whatever their order.
    for run in [summary.run_id.unwrap(), first] {
        let undo = undo_run(&bench.path, run, &bench.client).await.unwrap();
        assert_eq!(undo.status, RunStatus::Succeeded, "{undo:?}");
    }
    assert!(accounts_by_name(&bench).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ragged_row_keeps_its_cells_and_its_key_counts_for_duplicates() {
    let bench = Bench::new().await;
    create_accounts(&bench.client, &["Acme Corporation".to_string()]).await;
    let file = write(
        bench.dir.path(),
        "ragged.csv",
        "Opp #,Deal Name,Account,Stage,Amount,Close Date,Product\r\n\
         G-1,Good,Acme,Won,$1,03/04/2024,Widget Pro\r\n\
         G-2,Long row,Acme,Won,$2,03/04/2024,Widget Pro,stray note\r\n\
         G-3,Short row,Acme,Won,$3,03/04/2024\r\n\
         g-2,Same key,Acme,Won,$4,03/04/2024,Widget Pro\r\n",
    );
    let mapping = mapping("MM/DD/YYYY", NumberLocale::English);
    let check = import(&bench, &file, &mapping, true).await;
    let summary = import(&bench, &file, &mapping, false).await;
    assert_eq!(
        (summary.created, summary.invalid, summary.duplicated_keys),
        (1, 3, 1),
        "{summary:?}"
    );
    let files = [
        ("check report", check.report.as_ref().unwrap()),
        ("annotated copy", summary.report.as_ref().unwrap()),
        ("errors file", summary.error_file.as_ref().unwrap()),
    ];
    for (what, path) in files {
        let rows = read_results(path);
        let row = |n: &str| rows.iter().find(|r| r["Row"] == n).unwrap();
        let long = row("3");
        assert_eq!(
            (
                long["Opp #"].as_str(),
                long["Deal Name"].as_str(),
                long["Product"].as_str(),
                long["Extra cell 1"].as_str()
            ),
            ("G-2", "Long row", "Widget Pro", "stray note"),
            "{what}: {rows:?}"
        );
        assert!(
            long["Message"].contains("row 3 has 8 cells where the header has 7")
                && long["Message"].contains("also on row 5"),
            "{what}: {rows:?}"
        );
        let short = row("4");
        assert_eq!(
            (short["Deal Name"].as_str(), short["Close Date"].as_str()),
            ("Short row", "03/04/2024"),
            "{what}: {rows:?}"
        );
        assert!(
            short["Message"].contains("row 4 has 6 cells where the header has 7"),
            "{what}: {rows:?}"
        );
        let twin = row("5");
        assert_eq!(twin["Status"], "Invalid", "{what}: {rows:?}");
        assert!(
            twin["Message"].contains("also on row 3"),
            "{what}: {rows:?}"
        );
    }
    let keys: Vec<Value> = imported(&bench.client)
        .await
        .into_iter()
        .map(|r| r["Legacy_Opportunity_Id__c"].clone())
        .collect();
    assert_eq!(keys, vec![json!("G-1")]);
}

/// `count` deals for Acme keyed `U-1`…, imported; returns the import's run id.
async fn imported_deals(bench: &Bench, count: u32) -> i64 {
    create_accounts(&bench.client, &["Acme Corporation".to_string()]).await;
    let mut text = String::from("Opp #,Deal Name,Account,Stage,Amount,Close Date,Product\r\n");
    for n in 1..=count {
        text.push_str(&format!(
            "U-{n},Deal {n},Acme,Won,$1,03/04/2024,Widget Pro\r\n"
        ));
    }
    let file = write(bench.dir.path(), "undo.csv", &text);
    let summary = import(
        bench,
        &file,
        &mapping("MM/DD/YYYY", NumberLocale::English),
        false,
    )
    .await;
    assert_eq!(summary.created, u64::from(count), "{summary:?}");
    summary.run_id.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undo_retries_what_writes_retry() {
    let bench = Bench::new().await;
    let run = imported_deals(&bench, 1_000).await;
    bench
        .org
        .set_faults(json!({
            "lock_error_rate": 0.3,
            "server_unavailable_rate": 0.1,
            "drop_connection_rate": 0.1,
            "seed": 17
        }))
        .await;
    let undo = undo_run(&bench.path, run, &bench.client).await.unwrap();
    bench.org.set_faults(json!({})).await;
    assert_eq!(
        (undo.status, undo.counts.deleted, undo.counts.failed),
        (RunStatus::Succeeded, 1_000, 0),
        "{undo:?}"
    );
    assert!(imported(&bench.client).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_undo_counts_only_what_salesforce_deleted() {
    let bench = Bench::new().await;
    let run = imported_deals(&bench, 1_000).await;
    // One attempt per call: a chunk refused for a lock stays behind.
    let impatient = client_for(
        &bench.org,
        ClientConfig {
            retry: RetryPolicy {
                max_attempts: 1,
                ..fast_config().retry
            },
            ..fast_config()
        },
    )
    .await;
    bench
        .org
        .set_faults(json!({ "lock_error_rate": 0.5, "seed": 7 }))
        .await;
    let first = undo_run(&bench.path, run, &impatient).await.unwrap();
    bench.org.set_faults(json!({})).await;
    let left = imported(&bench.client).await.len() as u64;
    assert!(
        first.status == RunStatus::Partial && left > 0 && left < 1_000,
        "the first undo leaves some records: {first:?}, {left} left"
    );
    assert_eq!(first.counts.deleted, 1_000 - left, "{first:?}");

    let second = undo_run(&bench.path, run, &bench.client).await.unwrap();
    assert_eq!(
        (second.status, second.counts.deleted, second.counts.failed),
        (RunStatus::Succeeded, left, 0),
        "the second undo deleted {left} records: {second:?}"
    );
    assert!(
        second
            .message
            .as_deref()
            .unwrap_or_default()
            .contains(&format!("{} record(s) were already deleted", 1_000 - left)),
        "{second:?}"
    );
    assert!(imported(&bench.client).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn advice_says_what_will_work() {
    let bench = Bench::new().await;
    create_accounts(&bench.client, &["Acme Corporation".to_string()]).await;
    let mapping = mapping("MM/DD/YYYY", NumberLocale::English);
    let sheet = |prefix: &str| {
        format!(
            "Opp #,Deal Name,Account,Stage,Amount,Close Date,Product\r\n\
             {prefix}-1,Good,Acme,Won,$1,03/04/2024,Widget Pro\r\n\
             {prefix}-2,Bad amount,Acme,Won,lots,03/04/2024,Widget Pro\r\n"
        )
    };

    // Only a row that failed the check: a retry would refuse it.
    let file = write(bench.dir.path(), "checked.csv", &sheet("K"));
    let summary = import(&bench, &file, &mapping, false).await;
    let message = summary.message.clone().unwrap_or_default();
    assert_eq!(summary.status, Some(RunStatus::Partial), "{summary:?}");
    assert!(
        message.contains("1 row(s) failed the check")
            && message.contains("import the file again")
            && !message.contains("--retry"),
        "{message}"
    );

    // A row Salesforce refused as well: that one can be retried.
    let file = write(bench.dir.path(), "refused.csv", &sheet("R"));
    bench
        .org
        .set_faults(json!({ "lock_error_rate": 1.0 }))
        .await;
    let summary = import(&bench, &file, &mapping, false).await;
    bench.org.set_faults(json!({})).await;
    let message = summary.message.clone().unwrap_or_default();
    assert_eq!((summary.failed, summary.invalid), (1, 1), "{summary:?}");
    assert!(
        message.contains("1 row(s) failed the check")
            && message.contains(&format!(
                "1 row(s) Salesforce refused: retry them with `tether import --retry {}`",
                summary.run_id.unwrap()
            )),
        "{message}"
    );

    // A new parent whose name is longer than Account Name holds fails the check.
    let mut parents = mapping.clone();
    parents.lookups[0].create_missing = true;
    let long_name = "Very Long Holdings ".repeat(15);
    let long_name = long_name.trim();
    let file = write(
        bench.dir.path(),
        "long-parent.csv",
        &format!(
            "Opp #,Deal Name,Account,Stage,Amount,Close Date,Product\r\n\
             P-1,Deal,{long_name},Won,$1,03/04/2024,Widget Pro\r\n"
        ),
    );
    let check = import(&bench, &file, &parents, true).await;
    let report = read_results(check.report.as_ref().unwrap());
    assert_eq!(
        (check.invalid, check.parents_to_create),
        (1, 0),
        "{check:?}"
    );
    assert!(
        report[0]["Message"].contains(&format!(
            "is {} characters long, but Account Name holds 255",
            long_name.chars().count()
        )) && !report[0]["Message"].contains("spelling"),
        "{report:?}"
    );

    // A new parent Salesforce refuses is reported with Salesforce's reason.
    let file = write(
        bench.dir.path(),
        "refused-parent.csv",
        "Opp #,Deal Name,Account,Stage,Amount,Close Date,Product\r\n\
         Q-1,Deal,Brand New Co,Won,$1,03/04/2024,Widget Pro\r\n",
    );
    bench
        .org
        .set_faults(json!({ "lock_error_rate": 1.0 }))
        .await;
    let summary = import(&bench, &file, &parents, false).await;
    bench.org.set_faults(json!({})).await;
    let errors = read_results(summary.error_file.as_ref().unwrap());
    assert!(
        errors[0]["Message"]
            .contains("Salesforce refused to create Account `Brand New Co`: UNABLE_TO_LOCK_ROW")
            && !errors[0]["Message"].contains("spelling"),
        "{errors:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_import_of_rows_that_are_each_others_parents_leaves_the_children_for_a_retry() {
    let bench = Bench::new().await;
    let file = write(
        bench.dir.path(),
        "accounts.csv",
        "Account Id,Account Name,Parent\r\n\
         A-1,Globex East,Globex Holdings\r\n\
         A-2,Globex Holdings,\r\n\
         A-3,Globex East Boston,Globex East\r\n",
    );
    let mut job = ImportJob::new(&file, "Sandbox org", accounts_mapping());
    job.out_dir = Some(bench.dir.path().join("out"));
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    // Cancelled once the first pass (the holding) is sent.
    let progress: ImportProgressSink = std::sync::Arc::new(move |p| {
        if matches!(p, ImportProgress::Sending { .. }) {
            stop.cancel();
        }
    });
    let first = run_import(&bench.path, &bench.client, &job, &cancel, Some(progress))
        .await
        .unwrap();
    assert_eq!(
        (first.status, first.created, first.not_sent, first.invalid),
        (Some(RunStatus::Cancelled), 1, 2, 0),
        "{first:?}"
    );
    let ws = tether::workspace::Workspace::open(&bench.path).unwrap();
    let unsent = tether::workspace::imports::rows_with(
        ws.conn(),
        first.run_id.unwrap(),
        &[tether::workspace::imports::RowStatus::NotSent],
    )
    .unwrap();
    let mut retry = job.clone();
    retry.only_rows = Some(unsent);
    let second = run_import(
        &bench.path,
        &bench.client,
        &retry,
        &CancellationToken::new(),
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        (second.status, second.created, second.parents_created),
        (Some(RunStatus::Succeeded), 2, 0),
        "{second:?}"
    );
    let accounts = accounts_by_name(&bench).await;
    assert_eq!(accounts.len(), 3, "{accounts:?}");
    let id = |name: &str| Some(accounts[name][0].0.clone());
    assert_eq!(accounts["Globex East"][0].1, id("Globex Holdings"));
    assert_eq!(accounts["Globex East Boston"][0].1, id("Globex East"));
}
