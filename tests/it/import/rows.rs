//! Imports row by row: missing parents created first, owners found by email or name, rows
//! Salesforce refused retried alone, a cancelled import, and sheets that cannot be read.

use std::collections::{BTreeMap, HashSet};

use serde_json::{Value, json};
use tether::import::mapping::{ColumnMapping, ImportMapping, KeyMapping, LookupMapping};
use tether::import::parse::NumberLocale;
use tether::import::run::{ImportJob, confirm_unheard, run_import, undo_import_run};
use tether::run::unheard::{Unheard, find_by_key};
use tether::sync::engine::undo::undo_run;
use tether::workspace::journal::RunStatus;
use tokio_util::sync::CancellationToken;

use crate::support::sync::*;

use crate::support::import::load;
use load::*;

use crate::support::import::workbook;

/// A sheet of `count` valid deals for Acme, keyed `{prefix}-1`, `{prefix}-2`, ….
fn acme_deals(prefix: &str, count: u32) -> String {
    let mut text = String::from("Opp #,Deal Name,Account,Stage,Amount,Close Date,Product\r\n");
    for n in 1..=count {
        text.push_str(&format!(
            "{prefix}-{n},Deal {n},Acme,Won,${n}.00,03/04/2024,Widget Pro\r\n"
        ));
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_the_sheet_names_are_created_first_and_undone_with_it() {
    let bench = Bench::new().await;
    create_accounts(&bench.client, &["Acme Corporation".to_string()]).await;
    let file = write(
        bench.dir.path(),
        "new-accounts.csv",
        "Opp #,Deal Name,Account,Stage,Amount,Close Date,Product\r\n\
         N-1,First,Acme Corp.,Won,$10,01/02/2024,Widget Pro\r\n\
         N-2,Second,Zeta Logistics Ltd,Won,$20,01/03/2024,Widget Pro\r\n\
         N-3,Third,zeta logistics,Lost,$30,01/04/2024,Widget Pro\r\n\
         N-4,Fourth,Orphan Holdings,Won,$40,,Widget Pro\r\n",
    );
    let mut mapping = mapping("MM/DD/YYYY", NumberLocale::English);
    mapping.lookups[0].create_missing = true;
    let check = import(&bench, &file, &mapping, true).await;
    assert_eq!(
        (check.to_create, check.parents_to_create, check.invalid),
        (3, 1, 1),
        "{check:?}"
    );
    let report = read_results(check.report.as_ref().unwrap());
    assert!(
        report[1]["Message"].contains("Account `Zeta Logistics Ltd` will be created"),
        "{report:?}"
    );
    assert_eq!(
        query(&bench.client, "SELECT Id FROM Account").await.len(),
        1,
        "a dry run creates nothing"
    );

    let summary = import(&bench, &file, &mapping, false).await;
    assert_eq!(
        (summary.status, summary.created, summary.parents_created),
        (Some(RunStatus::Partial), 3, 1),
        "an account only an invalid row names is not created: {summary:?}"
    );
    let zeta = query(
        &bench.client,
        "SELECT Id, Name FROM Account WHERE Name = 'Zeta Logistics Ltd'",
    )
    .await;
    assert_eq!(zeta.len(), 1, "one account for two spellings");
    let on_zeta = query(
        &bench.client,
        &format!(
            "SELECT Id FROM Opportunity WHERE AccountId = '{}'",
            zeta[0]["Id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(on_zeta.len(), 2);

    let undo = undo_run(&bench.path, summary.run_id.unwrap(), &bench.client)
        .await
        .unwrap();
    assert_eq!(
        (undo.status, undo.counts.deleted),
        (RunStatus::Succeeded, 4),
        "{undo:?}"
    );
    assert!(imported(&bench.client).await.is_empty());
    let names: Vec<Value> = query(&bench.client, "SELECT Name FROM Account")
        .await
        .into_iter()
        .map(|r| r["Name"].clone())
        .collect();
    assert_eq!(names, vec![json!("Acme Corporation")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_salesforce_refused_are_retried_alone() {
    let bench = Bench::new().await;
    create_accounts(&bench.client, &["Acme Corporation".to_string()]).await;
    let file = write(bench.dir.path(), "retry.csv", &acme_deals("R", 2_500));
    let mapping = mapping("MM/DD/YYYY", NumberLocale::English);
    let mut job = ImportJob::new(&file, "Sandbox org", mapping.clone());
    job.bulk_from = usize::MAX;
    // Salesforce starts refusing writes once the first 2,000 rows are in.
    let org = bench.org.org.org().clone();
    let progress: tether::import::run::ImportProgressSink = std::sync::Arc::new(move |p| {
        if matches!(
            p,
            tether::import::run::ImportProgress::Sending { decided: 2_000, .. }
        ) {
            let mut faults = org.faults.config();
            faults.lock_error_rate = 1.0;
            org.faults.set(faults).unwrap();
        }
    });
    let first = run_import(
        &bench.path,
        &bench.client,
        &job,
        &CancellationToken::new(),
        Some(progress),
    )
    .await
    .unwrap();
    bench.org.set_faults(json!({})).await;
    assert_eq!((first.created, first.failed), (2_000, 500), "{first:?}");
    assert_eq!(first.status, Some(RunStatus::Partial), "{first:?}");
    let errors = read_results(first.error_file.as_ref().unwrap());
    assert_eq!(errors.len(), 500);
    assert!(
        errors
            .iter()
            .all(|e| e["Status"] == "Failed" && e["Message"].contains("UNABLE_TO_LOCK_ROW")),
        "{:?}",
        errors[0]
    );

    let ws = tether::workspace::Workspace::open(&bench.path).unwrap();
    let failed = tether::workspace::imports::rows_with(
        ws.conn(),
        first.run_id.unwrap(),
        &[tether::workspace::imports::RowStatus::Failed],
    )
    .unwrap();
    assert_eq!(failed.len(), 500);
    let mut retry = ImportJob::new(&file, "Sandbox org", mapping.clone());
    retry.only_rows = Some(failed.clone());
    retry.retry_of = first.run_id;
    retry.out_dir = Some(bench.dir.path().to_path_buf());
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
        (second.rows, second.created, second.failed),
        (500, 500, 0),
        "{second:?}"
    );
    let annotated = read_results(second.report.as_ref().unwrap());
    let rows: std::collections::BTreeSet<u64> = annotated
        .iter()
        .map(|l| l["Row"].parse().unwrap())
        .collect();
    assert_eq!(rows, failed, "the retry sends only the failed rows");
    let in_org = imported(&bench.client).await;
    let keys: Vec<String> = in_org
        .iter()
        .map(|r| r["Legacy_Opportunity_Id__c"].as_str().unwrap().to_string())
        .collect();
    let unique: HashSet<&String> = keys.iter().collect();
    assert_eq!((keys.len(), unique.len()), (2_500, 2_500));
    // Each row of both annotated copies names the record its own key names.
    let id_by_key: BTreeMap<&str, &str> = in_org
        .iter()
        .map(|r| {
            (
                r["Legacy_Opportunity_Id__c"].as_str().unwrap(),
                r["Id"].as_str().unwrap(),
            )
        })
        .collect();
    let first_annotated = read_results(first.report.as_ref().unwrap());
    for line in first_annotated.iter().chain(&annotated) {
        if line["Status"] == "Created" {
            assert_eq!(
                id_by_key.get(line["Opp #"].as_str()).copied(),
                Some(line["Salesforce Id"].as_str()),
                "{line:?}"
            );
        }
    }
    assert_eq!(
        first_annotated
            .iter()
            .chain(&annotated)
            .filter(|l| l["Status"] == "Created")
            .count(),
        2_500
    );

    // Undo of the first import waits for its retry, then each removes what it created.
    let blocked = undo_run(&bench.path, first.run_id.unwrap(), &bench.client).await;
    assert!(blocked.is_err_and(|e| e.to_string().contains("undo them first")));
    undo_run(&bench.path, second.run_id.unwrap(), &bench.client)
        .await
        .unwrap();
    assert_eq!(imported(&bench.client).await.len(), 2_000);
    undo_run(&bench.path, first.run_id.unwrap(), &bench.client)
        .await
        .unwrap();
    assert!(imported(&bench.client).await.is_empty());
}

/// Sheets that cannot be read stop the import before anything is sent, with a message naming
/// the file and what to fix; rows that cannot be read alone are reported and the rest go on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_sheets_stop_before_anything_is_sent_and_bad_rows_are_reported() {
    let bench = Bench::new().await;
    create_accounts(&bench.client, &["Acme Corporation".to_string()]).await;
    let header = "Opp #,Deal Name,Account,Stage,Amount,Close Date,Product\r\n";
    let good = "B-1,Deal,Acme,Won,$1,03/04/2024,Widget Pro\r\n";
    let refused: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.csv", Vec::new(), "is empty"),
        ("picture.csv", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(), "is not a text spreadsheet"),
        ("header-only.csv", header.as_bytes().to_vec(), "has a header row but no data rows"),
        ("twice.csv", b"Opp #,Stage,Stage\r\nB-1,Won,Won\r\n".to_vec(), "duplicate header `Stage`"),
        ("open-quote.csv", format!("{header}B-1,\"Deal,Acme,Won,$1,03/04/2024,Widget Pro\r\n").into_bytes(), "unclosed quote at row 2"),
        ("no-stage.csv", "Opp #,Deal Name,Account,Amount,Close Date,Product\r\nB-1,Deal,Acme,$1,03/04/2024,W\r\n".as_bytes().to_vec(), "reads column `Stage`, which the sheet does not have"),
    ];
    let mapping = mapping("MM/DD/YYYY", NumberLocale::English);
    for (name, bytes, expected) in refused {
        let path = bench.dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        for dry_run in [true, false] {
            let mut job = ImportJob::new(&path, "Sandbox org", mapping.clone());
            job.dry_run = dry_run;
            let err = run_import(
                &bench.path,
                &bench.client,
                &job,
                &CancellationToken::new(),
                None,
            )
            .await
            .expect_err(name)
            .to_string();
            assert!(err.contains(expected), "{name}: {err}");
            if !expected.contains("column `Stage`") {
                assert!(
                    err.contains(name),
                    "{name}: the message names the file: {err}"
                );
            }
        }
    }
    assert!(imported(&bench.client).await.is_empty());
    let ws = tether::workspace::Workspace::open(&bench.path).unwrap();
    assert!(
        tether::workspace::journal::runs(ws.conn(), None, 10)
            .unwrap()
            .is_empty(),
        "no run is recorded for a sheet that cannot be read"
    );

    let path = write(
        bench.dir.path(),
        "some-bad-rows.csv",
        &format!(
            "{header}{good}B-2,Deal,Acme,Won,$1,03/04/2024,Widget Pro,extra\r\nB-3,Deal\u{7},Acme,Won,$1,03/04/2024,Widget Pro\r\nB-4,Deal,Acme,Won,$1,03/04/2024,Widget Pro\r\n"
        ),
    );
    let summary = import(&bench, &path, &mapping, false).await;
    assert_eq!((summary.created, summary.invalid), (2, 2), "{summary:?}");
    let errors = read_results(summary.error_file.as_ref().unwrap());
    assert_eq!(errors[0]["Row"], "3");
    assert!(
        errors[0]["Message"].contains("row 3 has 8 cells where the header has 7"),
        "{errors:?}"
    );
    assert_eq!(errors[1]["Row"], "4");
    assert!(
        errors[1]["Message"].contains("control character U+0007"),
        "{errors:?}"
    );
}

/// The Owner column finds users by email or by name, active ones only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owners_are_found_by_email_or_name() {
    let bench = Bench::new().await;
    create_accounts(&bench.client, &["Acme Corporation".to_string()]).await;
    // Someone other than the user importing, who would own the records by default.
    let jane = bench
        .client
        .create(
            "User",
            &json!({"Username": "jane.roe@acme.example", "Email": "jane.roe@acme.example", "FirstName": "Jane", "LastName": "Roe", "Alias": "jroe"}),
        )
        .await
        .expect("a second user");
    let (id, name, email) = (jane.as_str(), "Jane Roe", "jane.roe@acme.example");
    let file = write(
        bench.dir.path(),
        "owners.csv",
        &format!(
            "Opp #,Deal Name,Account,Stage,Amount,Close Date,Product,Owner\r\n\
             O-1,One,Acme,Won,$1,03/04/2024,Widget Pro,{}\r\n\
             O-2,Two,Acme,Won,$1,03/04/2024,Widget Pro,{}\r\n\
             O-3,Three,Acme,Won,$1,03/04/2024,Widget Pro,nobody@nowhere.example\r\n",
            email.to_uppercase(),
            name.to_lowercase()
        ),
    );
    let mut mapping = mapping("MM/DD/YYYY", NumberLocale::English);
    mapping.lookups.push(LookupMapping {
        column: "Owner".into(),
        field: "OwnerId".into(),
        object: "User".into(),
        match_on: vec!["Name".into(), "Email".into()],
        create_missing: false,
        required: false,
        values: BTreeMap::new(),
    });
    let summary = import(&bench, &file, &mapping, false).await;
    assert_eq!((summary.created, summary.invalid), (2, 1), "{summary:?}");
    let errors = read_results(summary.error_file.as_ref().unwrap());
    assert!(
        errors[0]["Message"]
            .contains("no User has `nobody@nowhere.example` as its Email (active users only)"),
        "{errors:?}"
    );
    let owners: HashSet<String> = query(&bench.client, "SELECT OwnerId FROM Opportunity")
        .await
        .iter()
        .map(|r| r["OwnerId"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(owners, HashSet::from([id.to_string()]));
}

/// An Account column holding external ids finds the accounts by them, ignoring case.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_are_found_by_external_id() {
    let bench = Bench::new().await;
    let acme = bench
        .client
        .create(
            "Account",
            &json!({"Name": "Acme", "External_Id__c": "ACC-1"}),
        )
        .await
        .unwrap();
    bench
        .client
        .create(
            "Account",
            &json!({"Name": "Acme", "External_Id__c": "ACC-2"}),
        )
        .await
        .unwrap();
    let file = write(
        bench.dir.path(),
        "by-id.csv",
        "Opp #,Deal Name,Account,Stage,Amount,Close Date,Product\r\n\
         X-1,One,acc-1,Won,$1,03/04/2024,Widget Pro\r\n\
         X-2,Two,ACC-9,Won,$1,03/04/2024,Widget Pro\r\n",
    );
    let mut mapping = mapping("MM/DD/YYYY", NumberLocale::English);
    mapping.lookups[0].match_on = vec!["External_Id__c".into()];
    let summary = import(&bench, &file, &mapping, false).await;
    assert_eq!((summary.created, summary.invalid), (1, 1), "{summary:?}");
    let errors = read_results(summary.error_file.as_ref().unwrap());
    assert!(
        errors[0]["Message"].contains("no Account has `ACC-9` as its External_Id__c"),
        "{errors:?}"
    );
    let stored = imported(&bench.client).await;
    assert_eq!(stored[0]["AccountId"], json!(acme));
}

/// Cancel stops after the rows being sent; the rest are reported as not sent, and a retry
/// sends exactly them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_import_leaves_the_rest_for_a_retry() {
    let bench = Bench::new().await;
    create_accounts(&bench.client, &["Acme Corporation".to_string()]).await;
    let mut text = String::from("Opp #,Deal Name,Account,Stage,Amount,Close Date,Product\r\n");
    for n in 1..=2_500 {
        text.push_str(&format!(
            "C-{n},Deal {n},Acme,Won,$1,03/04/2024,Widget Pro\r\n"
        ));
    }
    let file = write(bench.dir.path(), "cancel.csv", &text);
    let mapping = mapping("MM/DD/YYYY", NumberLocale::English);
    let mut job = ImportJob::new(&file, "Sandbox org", mapping.clone());
    job.bulk_from = usize::MAX;
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    let progress: tether::import::run::ImportProgressSink = std::sync::Arc::new(move |p| {
        if matches!(p, tether::import::run::ImportProgress::Sending { .. }) {
            stop.cancel();
        }
    });
    let first = run_import(&bench.path, &bench.client, &job, &cancel, Some(progress))
        .await
        .unwrap();
    assert_eq!(first.status, Some(RunStatus::Cancelled), "{first:?}");
    assert_eq!((first.created, first.not_sent), (2_000, 500), "{first:?}");
    assert!(
        first
            .message
            .as_deref()
            .unwrap_or_default()
            .contains(&format!("tether import --retry {}", first.run_id.unwrap()))
    );
    let ws = tether::workspace::Workspace::open(&bench.path).unwrap();
    let unsent = tether::workspace::imports::rows_with(
        ws.conn(),
        first.run_id.unwrap(),
        &[tether::workspace::imports::RowStatus::NotSent],
    )
    .unwrap();
    assert_eq!(unsent.len(), 500);
    let mut retry = ImportJob::new(&file, "Sandbox org", mapping);
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
        (second.created, second.status),
        (500, Some(RunStatus::Succeeded)),
        "{second:?}"
    );
    let keys: HashSet<String> = imported(&bench.client)
        .await
        .iter()
        .map(|r| r["Legacy_Opportunity_Id__c"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(keys.len(), 2_500);
}

/// A workbook saved by Excel: the deals on its second sheet, dates as Excel stores them (serial
/// days shown through a date format) beside a date typed as text, amounts as numbers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_workbook_sheet_is_imported_with_its_dates_on_the_day_excel_shows() {
    use workbook::Cell::{Date, Number, Text};
    let bench = Bench::new().await;
    let header = || {
        vec![
            ("A", Text("Opp #")),
            ("B", Text("Deal Name")),
            ("C", Text("Stage")),
            ("D", Text("Amount")),
            ("E", Text("Close Date")),
        ]
    };
    let deal = |key, name, amount, close| {
        vec![
            ("A", Text(key)),
            ("B", Text(name)),
            ("C", Text("Prospecting")),
            ("D", Number(amount)),
            ("E", close),
        ]
    };
    let bytes = workbook::build(
        &[
            ("Notes", vec![(1, vec![("A", Text("Read me first"))])]),
            (
                "Deals",
                vec![
                    (1, header()),
                    (2, deal("W-1", "Workbook one", "1200.5", Date("45352"))),
                    (3, deal("W-2", "Workbook two", "300", Text("04/02/2024"))),
                    (4, deal("W-3", "Workbook three", "75", Date("45412"))),
                ],
            ),
        ],
        &[],
    );
    let file = bench.dir.path().join("pipeline.xlsx");
    std::fs::write(&file, bytes).unwrap();
    let mut mapping = ImportMapping::new("Opportunity");
    mapping.key = Some(KeyMapping {
        column: "Opp #".into(),
        field: "Legacy_Opportunity_Id__c".into(),
    });
    mapping.formats.date = tether::import::mapping::date_format_from_label("MM/DD/YYYY").unwrap();
    mapping.columns = vec![
        ColumnMapping::new("Deal Name", "Name"),
        ColumnMapping::new("Stage", "StageName"),
        ColumnMapping::new("Amount", "Amount"),
        ColumnMapping::new("Close Date", "CloseDate"),
    ];
    let mut job = ImportJob::new(&file, "Sandbox org", mapping);
    job.read.sheet = Some("Deals".into());
    job.out_dir = Some(bench.dir.path().to_path_buf());

    let summary = run_import(
        &bench.path,
        &bench.client,
        &job,
        &CancellationToken::new(),
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        (summary.created, summary.invalid, summary.status),
        (3, 0, Some(RunStatus::Succeeded)),
        "{summary:?}"
    );
    let stored: BTreeMap<String, (Value, Option<f64>)> = imported(&bench.client)
        .await
        .into_iter()
        .map(|r| {
            (
                r["Legacy_Opportunity_Id__c"].as_str().unwrap().to_string(),
                (r["CloseDate"].clone(), r["Amount"].as_f64()),
            )
        })
        .collect();
    assert_eq!(
        stored,
        BTreeMap::from([
            ("W-1".into(), (json!("2024-03-01"), Some(1200.5))),
            ("W-2".into(), (json!("2024-04-02"), Some(300.0))),
            ("W-3".into(), (json!("2024-04-30"), Some(75.0))),
        ])
    );
    // The annotated copy is a CSV of the chosen sheet, each row beside its record.
    let annotated = read_results(summary.report.as_ref().unwrap());
    let rows: Vec<(&str, &str)> = annotated
        .iter()
        .map(|r| (r["Row"].as_str(), r["Opp #"].as_str()))
        .collect();
    assert_eq!(rows, [("2", "W-1"), ("3", "W-2"), ("4", "W-3")]);
    assert!(
        annotated
            .iter()
            .all(|r| r["Salesforce Id"].starts_with("006"))
    );
}

/// Lead Source is not a restricted picklist: a word its list does not have makes the row
/// invalid, unless the column keeps such values, and then Salesforce stores them as written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unlisted_values_of_an_unrestricted_picklist_are_kept_when_the_column_asks() {
    let bench = Bench::new().await;
    let file = write(
        bench.dir.path(),
        "sources.csv",
        "Opp #,Deal Name,Stage,Close Date,Source\r\n\
         S-1,Fair deal,Prospecting,2024-03-01,Trade show 2019\r\n\
         S-2,Site deal,Prospecting,2024-03-02,web\r\n",
    );
    let mut mapping = ImportMapping::new("Opportunity");
    mapping.key = Some(KeyMapping {
        column: "Opp #".into(),
        field: "Legacy_Opportunity_Id__c".into(),
    });
    mapping.columns = vec![
        ColumnMapping::new("Deal Name", "Name"),
        ColumnMapping::new("Stage", "StageName"),
        ColumnMapping::new("Close Date", "CloseDate"),
        ColumnMapping::new("Source", "LeadSource"),
    ];
    let job = |mapping: &ImportMapping, dry_run| {
        let mut job = ImportJob::new(&file, "Sandbox org", mapping.clone());
        job.dry_run = dry_run;
        job.out_dir = Some(bench.dir.path().to_path_buf());
        job
    };
    let refused = run_import(
        &bench.path,
        &bench.client,
        &job(&mapping, true),
        &CancellationToken::new(),
        None,
    )
    .await
    .unwrap();
    assert_eq!((refused.to_create, refused.invalid), (1, 1), "{refused:?}");
    let report = read_results(refused.report.as_ref().unwrap());
    assert!(
        report[0]["Message"].contains("`Trade show 2019` is not a Lead Source (LeadSource) value")
            && report[0]["Message"].contains("let the column keep values the list does not have"),
        "{report:?}"
    );

    mapping.columns[3].keep_unlisted = true;
    let kept = run_import(
        &bench.path,
        &bench.client,
        &job(&mapping, false),
        &CancellationToken::new(),
        None,
    )
    .await
    .unwrap();
    assert_eq!((kept.created, kept.invalid), (2, 0), "{kept:?}");
    let sources: BTreeMap<String, Value> = query(
        &bench.client,
        "SELECT Legacy_Opportunity_Id__c, LeadSource FROM Opportunity WHERE Legacy_Opportunity_Id__c != null",
    )
    .await
    .into_iter()
    .map(|r| {
        (
            r["Legacy_Opportunity_Id__c"].as_str().unwrap().to_string(),
            r["LeadSource"].clone(),
        )
    })
    .collect();
    assert_eq!(
        sources,
        BTreeMap::from([
            ("S-1".into(), json!("Trade show 2019")),
            ("S-2".into(), json!("Web")),
        ]),
        "listed values take the list's spelling; others are kept as written"
    );
}

/// A kill between sending rows and storing Salesforce's answers leaves the run running and its
/// writes unconfirmed. Undo used to skip unconfirmed writes, leaving behind the records the
/// import had created; they are now found by their keys first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_killed_before_its_answers_were_stored_is_undone_whole() {
    let bench = Bench::new().await;
    create_accounts(&bench.client, &["Acme Corporation".to_string()]).await;
    let file = write(bench.dir.path(), "killed.csv", &acme_deals("K", 3));
    let mapping = mapping("MM/DD/YYYY", NumberLocale::English);
    let done = import(&bench, &file, &mapping, false).await;
    assert_eq!(done.created, 3, "{done:?}");
    let run = done.run_id.unwrap();
    assert_eq!(
        confirm_unheard(&bench.path, run, &bench.client)
            .await
            .unwrap(),
        0,
        "a finished import is left as it is"
    );

    // The state the kill leaves: the run still running, its creates sent but unconfirmed,
    // and no row's outcome stored.
    {
        let ws = tether::workspace::Workspace::open(&bench.path).unwrap();
        let conn = ws.conn();
        conn.execute(
            "UPDATE tether_remote_images SET confirmed = 0, sf_id = NULL WHERE run_id = ?1",
            [run],
        )
        .unwrap();
        conn.execute("DELETE FROM tether_import_rows WHERE run_id = ?1", [run])
            .unwrap();
        conn.execute(
            "UPDATE tether_runs SET status = 'running', ended_at = NULL WHERE id = ?1",
            [run],
        )
        .unwrap();
    }
    assert_eq!(imported(&bench.client).await.len(), 3);

    let undone = undo_import_run(&bench.path, run, &bench.client)
        .await
        .unwrap();
    assert_eq!(undone.status, RunStatus::Succeeded, "{undone:?}");
    assert_eq!(undone.counts.deleted, 3, "{undone:?}");
    assert!(imported(&bench.client).await.is_empty());
    let accounts = query(&bench.client, "SELECT Id FROM Account").await;
    assert_eq!(accounts.len(), 1, "the account it did not create stays");
}

/// A kill between sending rows and storing Salesforce's answers leaves updates unconfirmed as
/// well as creates. Undo used to look only for the creates, so the records the import had
/// updated kept its values; an update is now confirmed when its record holds every value it
/// sent, and put back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_killed_before_its_answers_were_stored_puts_back_the_records_it_updated() {
    let bench = Bench::new().await;
    create_accounts(&bench.client, &["Acme Corporation".to_string()]).await;
    let mapping = mapping("MM/DD/YYYY", NumberLocale::English);
    let first = write(bench.dir.path(), "first.csv", &acme_deals("U", 3));
    let created = import(&bench, &first, &mapping, false).await;
    assert_eq!(created.created, 3, "{created:?}");
    let renamed = acme_deals("U", 3)
        .replace(",Deal 1,", ",Renamed 1,")
        .replace(",Deal 2,", ",Renamed 2,")
        .replace(",Deal 3,", ",Renamed 3,");
    let second = write(bench.dir.path(), "second.csv", &renamed);
    let updated = import(&bench, &second, &mapping, false).await;
    assert_eq!(updated.updated, 3, "{updated:?}");
    let run = updated.run_id.unwrap();

    // The state the kill leaves: the run still running, its updates sent but unconfirmed,
    // and no row's outcome stored.
    {
        let ws = tether::workspace::Workspace::open(&bench.path).unwrap();
        let conn = ws.conn();
        conn.execute(
            "UPDATE tether_remote_images SET confirmed = 0 WHERE run_id = ?1",
            [run],
        )
        .unwrap();
        conn.execute("DELETE FROM tether_import_rows WHERE run_id = ?1", [run])
            .unwrap();
        conn.execute(
            "UPDATE tether_runs SET status = 'running', ended_at = NULL WHERE id = ?1",
            [run],
        )
        .unwrap();
    }

    let undone = undo_import_run(&bench.path, run, &bench.client)
        .await
        .unwrap();
    assert_eq!(undone.status, RunStatus::Succeeded, "{undone:?}");
    assert_eq!(undone.counts.updated, 3, "{undone:?}");
    let mut names: Vec<String> = imported(&bench.client)
        .await
        .iter()
        .map(|r| r["Name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["Deal 1", "Deal 2", "Deal 3"],
        "the names the import overwrote are back"
    );
}

/// The one rule for a write sent without an answer, as the engine's lost creates, an import
/// whose call failed part-way and an interrupted import's undo all use it: a create wrote when
/// a record holds its key; an update only when its record also holds every value it sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_sent_without_an_answer_is_confirmed_by_its_key_and_an_update_by_its_values_too() {
    let bench = Bench::new().await;
    create_accounts(&bench.client, &["Acme Corporation".to_string()]).await;
    let file = write(bench.dir.path(), "sent.csv", &acme_deals("F", 2));
    let mapping = mapping("MM/DD/YYYY", NumberLocale::English);
    assert_eq!(import(&bench, &file, &mapping, false).await.created, 2);
    let ids: BTreeMap<String, String> = imported(&bench.client)
        .await
        .iter()
        .map(|r| {
            (
                r["Legacy_Opportunity_Id__c"].as_str().unwrap().to_string(),
                r["Id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let values = |pairs: &[(&str, Value)]| -> tether::sync::plan::Values {
        pairs
            .iter()
            .map(|(f, v)| (f.to_string(), v.clone()))
            .collect()
    };
    let unheard = [
        Unheard {
            image: 1,
            key: "F-1".into(),
            update: None,
        },
        Unheard {
            image: 2,
            key: "F-2".into(),
            update: Some(values(&[("Name", json!("Deal 2"))])),
        },
        Unheard {
            image: 3,
            key: "F-2".into(),
            update: Some(values(&[("Name", json!("Not sent"))])),
        },
        Unheard {
            image: 4,
            key: "F-9".into(),
            update: None,
        },
        Unheard {
            image: 5,
            key: "f-1".into(),
            update: Some(values(&[("Amount", json!(1.0))])),
        },
    ];
    let found = find_by_key(
        &bench.client,
        "Opportunity",
        "Legacy_Opportunity_Id__c",
        &unheard,
    )
    .await
    .unwrap();
    assert_eq!(
        found,
        std::collections::HashMap::from([
            (1, ids["F-1"].clone()),
            (2, ids["F-2"].clone()),
            (5, ids["F-1"].clone()),
        ]),
        "an update whose record holds other values, and a key no record holds, wrote nothing"
    );
}

/// An account the check cannot find is listed with the accounts whose names start like it, so
/// the wizard and the CLI can offer them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_names_the_accounts_like_one_it_cannot_find() {
    let bench = Bench::new().await;
    create_accounts(
        &bench.client,
        &[
            "Acme Corporation".to_string(),
            "Acme Rockets".to_string(),
            "Globex Inc".to_string(),
        ],
    )
    .await;
    let file = write(
        bench.dir.path(),
        "near.csv",
        "Opp #,Deal Name,Account,Stage,Amount,Close Date,Product\r\n\
         N-1,First,Acme Crop,Won,$10,01/02/2024,Widget Pro\r\n\
         N-2,Second,Globx,Won,$20,01/03/2024,Widget Pro\r\n\
         N-3,Third,Globex,Won,$30,01/04/2024,Widget Pro\r\n",
    );
    let check = import(
        &bench,
        &file,
        &mapping("MM/DD/YYYY", NumberLocale::English),
        true,
    )
    .await;
    assert_eq!((check.invalid, check.to_create), (2, 1), "{check:?}");
    let near = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    assert_eq!(
        check.unresolved["AccountId"],
        [
            (
                "Acme Crop".to_string(),
                near(&["Acme Corporation", "Acme Rockets"])
            ),
            ("Globx".to_string(), near(&[])),
        ]
        .into()
    );
    let report = read_results(check.report.as_ref().unwrap());
    assert!(
        report[0]["Message"].contains("(similar: Acme Corporation, Acme Rockets)"),
        "{}",
        report[0]["Message"]
    );
}
