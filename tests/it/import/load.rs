//! The acceptance scenario of spreadsheet import: a sales manager's messy opportunity sheets
//! checked row by row, imported into the sandbox org exactly once, imported again without
//! duplicates, and undone exactly.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::{Map, Value, json};
use tether::sync::engine::undo::undo_run;
use tether::workspace::journal::RunStatus;

use crate::support::sync::*;

use crate::support::import::messy;
use messy::{Expect, Problem};

use crate::support::import::load;
use load::*;

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
        Problem::Ragged => &["cells where the header has 7", "is also on row"],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_messy_opportunity_migration_is_imported_once_checked_row_by_row_and_undone_exactly() {
    let bench = Bench::new().await;
    let mut files = messy::build(bench.dir.path(), 7);
    plant_ragged_twins(&mut files);
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
        // The accounts no record matches are listed for the wizard to offer as spellings.
        let unknown: BTreeSet<String> = report
            .iter()
            .zip(&expected)
            .filter(|(_, t)| matches!(t.expect, Expect::Invalid(Problem::UnknownAccount)))
            .map(|(line, _)| line["Account"].trim().to_string())
            .collect();
        assert!(!unknown.is_empty());
        let listed: BTreeSet<String> = check.unresolved["AccountId"]
            .keys()
            .map(|t| t.trim().to_string())
            .collect();
        assert_eq!(listed, unknown);
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

    // A sheet of accounts whose rows are one another's parents: one account per row, each
    // under the account its parent's row made (or the one that existed), and undone whole.
    let before = query(&bench.client, "SELECT Id FROM Account").await.len();
    let (family_file, family) = family_sheet(bench.dir.path(), &files.accounts[12..27]);
    let summary = import(&bench, &family_file, &accounts_mapping(), false).await;
    assert_eq!(
        (
            summary.status,
            summary.created,
            summary.parents_created,
            summary.invalid
        ),
        (Some(RunStatus::Succeeded), family.len() as u64, 0, 0),
        "{summary:?}"
    );
    let all = query(&bench.client, "SELECT Id, Name, ParentId FROM Account").await;
    assert_eq!(all.len(), before + family.len(), "one account per row");
    let ids: HashMap<&str, &str> = all
        .iter()
        .map(|r| (r["Name"].as_str().unwrap(), r["Id"].as_str().unwrap()))
        .collect();
    let parents: HashMap<&str, Option<&str>> = all
        .iter()
        .map(|r| (r["Name"].as_str().unwrap(), r["ParentId"].as_str()))
        .collect();
    for (name, parent) in &family {
        assert_eq!(
            parents[name.as_str()],
            Some(ids[parent.as_str()]),
            "{name} is under {parent}"
        );
    }
    let undo = undo_run(&bench.path, summary.run_id.unwrap(), &bench.client)
        .await
        .expect("undo runs");
    assert_eq!(
        (undo.status, undo.counts.deleted),
        (RunStatus::Succeeded, family.len() as u64),
        "{undo:?}"
    );

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
