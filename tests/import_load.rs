//! Spreadsheet imports into the sandbox org, end to end: a sales manager's messy opportunity
//! sheets checked, loaded exactly once, loaded again without duplicates, and undone exactly;
//! missing accounts created first; failed rows retried alone.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use futures_util::TryStreamExt;
use serde_json::{Map, Value, json};
use tether::import::mapping::{ColumnMapping, ImportMapping, KeyMapping, LookupMapping};
use tether::import::parse::NumberLocale;
use tether::import::run::{ImportJob, ImportSummary, run_import};
use tether::salesforce::{BatchSize, Client, CollectionOptions};
use tether::sync::engine::Cancel;
use tether::sync::engine::undo::undo_run;
use tether::sync::workspace::journal::RunStatus;

#[path = "sync_support/mod.rs"]
mod sync_support;
use sync_support::*;

#[path = "import_support/messy.rs"]
mod messy;
use messy::{Expect, Problem};

/// The mapping a person builds for the manager's sheets: his stage names and product
/// spellings in value maps, the account found by name, his opportunity number as the key.
fn mapping(dates: &str, numbers: NumberLocale) -> ImportMapping {
    let mut mapping = ImportMapping::new("Opportunity");
    mapping.key = Some(KeyMapping {
        column: "Opp #".into(),
        field: "Legacy_Opportunity_Id__c".into(),
    });
    mapping.formats.date = tether::import::mapping::date_format_from_label(dates).unwrap();
    mapping.formats.number = numbers;
    let mut stage = ColumnMapping::new("Stage", "StageName");
    stage.values = messy::stage_value_map()
        .into_iter()
        .map(|(from, to)| (from.to_string(), to.to_string()))
        .collect();
    let mut product = ColumnMapping::new("Product", "Description");
    product.values = messy::product_value_map().into_iter().collect();
    mapping.columns = vec![
        ColumnMapping::new("Deal Name", "Name"),
        stage,
        ColumnMapping::new("Amount", "Amount"),
        ColumnMapping::new("Close Date", "CloseDate"),
        product,
    ];
    mapping.lookups.push(LookupMapping {
        column: "Account".into(),
        field: "AccountId".into(),
        object: "Account".into(),
        match_on: vec!["Name".into()],
        create_missing: false,
        required: true,
        values: BTreeMap::new(),
    });
    mapping
}

fn mappings() -> [ImportMapping; 2] {
    [
        mapping("MM/DD/YYYY", NumberLocale::English),
        mapping("DD.MM.YYYY", NumberLocale::German),
    ]
}

async fn import(
    bench: &Bench,
    file: &Path,
    mapping: &ImportMapping,
    dry_run: bool,
) -> ImportSummary {
    let mut job = ImportJob::new(file, "Sandbox org", mapping.clone());
    job.dry_run = dry_run;
    job.out_dir = Some(bench.dir.path().join("out"));
    std::fs::create_dir_all(job.out_dir.as_ref().unwrap()).unwrap();
    run_import(&bench.path, &bench.client, &job, &Cancel::new(), None)
        .await
        .expect("the import runs")
}

async fn query(client: &Client, soql: &str) -> Vec<Map<String, Value>> {
    let pages: Vec<_> = client
        .query::<Map<String, Value>>(soql, Some(BatchSize(2000)))
        .try_collect()
        .await
        .expect("query runs");
    pages.into_iter().flat_map(|p| p.records).collect()
}

async fn imported(client: &Client) -> Vec<Map<String, Value>> {
    query(
        client,
        "SELECT Id, Legacy_Opportunity_Id__c, Name, StageName, Amount, CloseDate, AccountId, Description
         FROM Opportunity WHERE Legacy_Opportunity_Id__c != null",
    )
    .await
}

async fn create_accounts(client: &Client, names: &[String]) -> HashMap<String, String> {
    let bodies: Vec<Map<String, Value>> = names
        .iter()
        .map(|n| json!({ "Name": n }).as_object().unwrap().clone())
        .collect();
    let results = client
        .create_many("Account", &bodies, CollectionOptions::default())
        .await
        .unwrap();
    results
        .into_iter()
        .zip(names)
        .map(|(r, n)| {
            assert!(r.success, "account {n}: {:?}", r.errors);
            (r.id.unwrap(), n.clone())
        })
        .collect()
}

/// A result file as rows of column → cell.
fn read_results(path: &Path) -> Vec<HashMap<String, String>> {
    let bytes = std::fs::read(path).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let text = text
        .strip_prefix('\u{feff}')
        .expect("result files start with a BOM");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .map(String::from)
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// Words the report must use for each kind of problem: a person reads them.
fn reason_words(problem: Problem) -> &'static [&'static str] {
    match problem {
        Problem::BlankKey => &["the key `Opp #` is blank"],
        Problem::DuplicateKey => &["is also on row"],
        Problem::BlankAccount => &["Account is blank"],
        Problem::UnknownAccount => &["no Account is named"],
        Problem::BlankCloseDate => &["Close Date (CloseDate) is blank, and Salesforce requires it"],
        Problem::UnknownStage => &["is not a Stage (StageName) value"],
        Problem::BadAmount => &["does not fit the", "number format"],
        Problem::BadDate => &["is not a date"],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_messy_opportunity_migration_is_imported_once_checked_row_by_row_and_undone_exactly() {
    let bench = Bench::new().await;
    let files = messy::build(bench.dir.path(), 7);
    let accounts = create_accounts(&bench.client, &files.accounts).await;
    let mappings = mappings();

    // The dry run reports every row and sends nothing.
    for (f, file) in files.files.iter().enumerate() {
        let check = import(&bench, file, &mappings[f], true).await;
        let expected: Vec<_> = files.rows.iter().filter(|r| r.file == f).collect();
        assert_eq!(check.rows, expected.len() as u64);
        assert_eq!(check.run_id, None);
        let report = read_results(check.report.as_ref().unwrap());
        assert_eq!(report.len(), expected.len());
        for (line, truth) in report.iter().zip(&expected) {
            assert_eq!(line["Row"], truth.row.to_string());
            match &truth.expect {
                Expect::Valid(_) => assert_eq!(
                    line["Status"], "Will create",
                    "row {}: {}",
                    truth.row, line["Message"]
                ),
                Expect::Invalid(problem) => {
                    assert_eq!(
                        line["Status"], "Invalid",
                        "row {} should fail with {problem:?}",
                        truth.row
                    );
                    for word in reason_words(*problem) {
                        assert!(
                            line["Message"].contains(word),
                            "row {} ({problem:?}): {}",
                            truth.row,
                            line["Message"]
                        );
                    }
                }
            }
        }
    }
    assert!(
        imported(&bench.client).await.is_empty(),
        "a dry run sent records"
    );

    // The load creates every valid row once.
    let mut runs = Vec::new();
    for (f, file) in files.files.iter().enumerate() {
        let summary = import(&bench, file, &mappings[f], false).await;
        let valid = files
            .rows
            .iter()
            .filter(|r| r.file == f && matches!(r.expect, Expect::Valid(_)))
            .count();
        let invalid = files.rows.iter().filter(|r| r.file == f).count() - valid;
        assert_eq!(summary.status, Some(RunStatus::Partial), "{summary:?}");
        assert_eq!(
            (summary.created, summary.updated, summary.failed),
            (valid as u64, 0, 0),
            "{summary:?}"
        );
        assert_eq!(summary.invalid, invalid as u64);
        let annotated = read_results(summary.report.as_ref().unwrap());
        let errors = read_results(summary.error_file.as_ref().unwrap());
        let successes = read_results(summary.success_file.as_ref().unwrap());
        assert_eq!((successes.len(), errors.len()), (valid, invalid));
        let expected: Vec<_> = files.rows.iter().filter(|r| r.file == f).collect();
        for (line, truth) in annotated.iter().zip(&expected) {
            assert_eq!(line["Row"], truth.row.to_string());
            assert_eq!(
                line["Opp #"], truth.key,
                "the annotated copy keeps the sheet's cells"
            );
            let created = matches!(truth.expect, Expect::Valid(_));
            assert_eq!(
                line["Status"],
                if created { "Created" } else { "Invalid" },
                "row {}",
                truth.row
            );
            assert_eq!(line["Salesforce Id"].is_empty(), !created);
        }
        runs.push((summary.run_id.unwrap(), annotated));
    }

    let stored = imported(&bench.client).await;
    let valid: Vec<_> = files
        .rows
        .iter()
        .filter_map(|r| match &r.expect {
            Expect::Valid(v) => Some((r, v)),
            Expect::Invalid(_) => None,
        })
        .collect();
    assert_eq!(
        stored.len(),
        valid.len(),
        "every valid row is created exactly once"
    );
    let by_key: HashMap<&str, &Map<String, Value>> = stored
        .iter()
        .map(|r| (r["Legacy_Opportunity_Id__c"].as_str().unwrap(), r))
        .collect();
    let ids_from_files: HashMap<String, String> = runs
        .iter()
        .flat_map(|(_, annotated)| annotated.iter())
        .filter(|l| l["Status"] == "Created")
        .map(|l| (l["Opp #"].clone(), l["Salesforce Id"].clone()))
        .collect();
    for (row, v) in &valid {
        let record = by_key
            .get(row.key.as_str())
            .unwrap_or_else(|| panic!("{} was not created", row.key));
        assert_eq!(record["Name"], json!(v.name), "{}", row.key);
        assert_eq!(record["StageName"], json!(v.stage), "{}", row.key);
        assert_eq!(
            record["CloseDate"],
            json!(v.close_date),
            "{} (no day shift)",
            row.key
        );
        assert_eq!(record["Description"], json!(v.description), "{}", row.key);
        assert_eq!(record["Amount"].as_f64(), v.amount, "{}", row.key);
        let account = record["AccountId"].as_str().and_then(|id| accounts.get(id));
        assert_eq!(account, Some(&v.account), "{}", row.key);
        assert_eq!(
            ids_from_files.get(&row.key),
            record["Id"].as_str().map(String::from).as_ref(),
            "the annotated copy names the record of its row"
        );
    }

    // Importing the same sheet again creates nothing and sends nothing.
    let again = import(&bench, &files.files[0], &mappings[0], false).await;
    let valid_in_first = files
        .rows
        .iter()
        .filter(|r| r.file == 0 && matches!(r.expect, Expect::Valid(_)))
        .count();
    assert_eq!(
        (again.created, again.updated, again.unchanged),
        (0, 0, valid_in_first as u64),
        "{again:?}"
    );
    assert_eq!(imported(&bench.client).await.len(), valid.len());

    // Undo removes exactly what each import created, and nothing else.
    let accounts_before = query(&bench.client, "SELECT Id FROM Account").await.len();
    let first = undo_run(&bench.path, runs[0].0, &bench.client)
        .await
        .expect("undo runs");
    assert_eq!(first.status, RunStatus::Succeeded, "{first:?}");
    let left: HashSet<String> = imported(&bench.client)
        .await
        .iter()
        .map(|r| r["Legacy_Opportunity_Id__c"].as_str().unwrap().to_string())
        .collect();
    let second_file: HashSet<String> = valid
        .iter()
        .filter(|(r, _)| r.file == 1)
        .map(|(r, _)| r.key.clone())
        .collect();
    assert_eq!(left, second_file);
    let second = undo_run(&bench.path, runs[1].0, &bench.client)
        .await
        .expect("undo runs");
    assert_eq!(second.status, RunStatus::Succeeded, "{second:?}");
    assert!(imported(&bench.client).await.is_empty());
    assert_eq!(
        query(&bench.client, "SELECT Id FROM Account").await.len(),
        accounts_before,
        "accounts that existed before stay"
    );
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
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
         N-3,Third,zeta logistics,Lost,$30,01/04/2024,Widget Pro\r\n",
    );
    let mut mapping = mapping("MM/DD/YYYY", NumberLocale::English);
    mapping.lookups[0].create_missing = true;
    let check = import(&bench, &file, &mapping, true).await;
    assert_eq!(
        (check.to_create, check.parents_to_create, check.invalid),
        (3, 1, 0),
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
        (Some(RunStatus::Succeeded), 3, 1),
        "{summary:?}"
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
    let mut text = String::from("Opp #,Deal Name,Account,Stage,Amount,Close Date,Product\r\n");
    for n in 1..=2_500 {
        text.push_str(&format!(
            "R-{n},Deal {n},Acme,Won,${n}.00,03/04/2024,Widget Pro\r\n"
        ));
    }
    let file = write(bench.dir.path(), "retry.csv", &text);
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
        &Cancel::new(),
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

    let ws = tether::sync::workspace::Workspace::open(&bench.path).unwrap();
    let failed = tether::sync::workspace::imports::rows_with(
        ws.conn(),
        first.run_id.unwrap(),
        &[tether::sync::workspace::imports::RowStatus::Failed],
    )
    .unwrap();
    assert_eq!(failed.len(), 500);
    let mut retry = ImportJob::new(&file, "Sandbox org", mapping.clone());
    retry.only_rows = Some(failed.clone());
    retry.retry_of = first.run_id;
    retry.out_dir = Some(bench.dir.path().to_path_buf());
    let second = run_import(&bench.path, &bench.client, &retry, &Cancel::new(), None)
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
    let keys: Vec<String> = imported(&bench.client)
        .await
        .iter()
        .map(|r| r["Legacy_Opportunity_Id__c"].as_str().unwrap().to_string())
        .collect();
    let unique: HashSet<&String> = keys.iter().collect();
    assert_eq!((keys.len(), unique.len()), (2_500, 2_500));

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
        ("twice.csv", format!("Opp #,Stage,Stage\r\nB-1,Won,Won\r\n").into_bytes(), "duplicate header `Stage`"),
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
            let err = run_import(&bench.path, &bench.client, &job, &Cancel::new(), None)
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
    let ws = tether::sync::workspace::Workspace::open(&bench.path).unwrap();
    assert!(
        tether::sync::workspace::journal::runs(ws.conn(), None, 10)
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
