//! `tether import` as a user runs it: against a `tether sandbox-org` process, signed in through
//! `tether connect` and the keychain of the test session (scripts/test.sh).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod cli_support;

use std::path::Path;
use std::process::Output;

use serde_json::{Value, json};

use cli_support::{Org, Setup, connect, free_port, start_org, succeeded, text};

fn failed(what: &str, out: Output, code: i32) -> String {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}: {}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

async fn opportunities(org: &Org) -> Vec<Value> {
    org.query_all(
        "SELECT Id, Name, StageName, Amount, CloseDate, AccountId, Legacy_Opportunity_Id__c FROM Opportunity",
    )
    .await
}

/// The sheet: Windows-1252, semicolons, German numbers and dates, a formula in a cell, one
/// row without a close date, and one account spelled another way.
fn write_sheet(path: &Path) {
    let text = "Opp #;Deal Name;Account;Stage;Amount;Close Date\r\n\
                L-1;Müller renewal;Müller GmbH;Won;1.200,50 €;03.04.2024\r\n\
                L-2;=HYPERLINK(\"http://x.example\",\"click\");Müller GmbH;Lost;(500,00);31.12.2023\r\n\
                L-3;Third;Müller GmbH;Won;12;\r\n\
                L-4;Fourth;Mueller GmbH;Won;7,5;15.01.2024\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    std::fs::write(path, bytes).unwrap();
}

fn annotated(dir: &Path) -> String {
    let file = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with("-annotated.csv"))
        .expect("an annotated copy");
    // In the sheet's own encoding (Windows-1252), or UTF-8 with a BOM when it cannot hold a value.
    let bytes = std::fs::read(file).unwrap();
    match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(utf8) => String::from_utf8(utf8.to_vec()).unwrap(),
        None => encoding_rs::WINDOWS_1252.decode(&bytes).0.into_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sheet_is_checked_confirmed_imported_reused_and_undone_from_the_command_line() {
    let port = free_port();
    let (_org_process, login) = start_org(&format!("http://localhost:{port}/OauthRedirect"), &[]);
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup::in_dir(dir.path());
    connect(&login, port, &setup.data, Some("import-test")).await;
    let org = Org::sign_in(&login).await;
    org.write_records(
        "Account",
        reqwest::Method::POST,
        vec![json!({"Name": "Müller GmbH"})],
    )
    .await;
    let sheets = dir.path().join("sheets");
    std::fs::create_dir_all(&sheets).unwrap();
    let sheet = sheets.join("deals.csv");
    write_sheet(&sheet);
    let sheet_arg = sheet.to_str().unwrap();

    // Without --yes and without a terminal, the sheet is checked and nothing is sent.
    let out = setup
        .command(&[
            "import",
            sheet_arg,
            "--object",
            "Opportunity",
            "--connection",
            "import-test",
        ])
        .output()
        .unwrap();
    let said = failed("import without --yes", out, 2);
    assert!(said.contains("proposed from the column names"), "{said}");
    assert!(
        said.contains("key: `Opp #` → Legacy_Opportunity_Id__c"),
        "{said}"
    );
    assert!(said.contains("Checked 4 rows"), "{said}");
    assert!(
        said.contains("AccountId: no single record matches `Mueller GmbH`"),
        "{said}"
    );
    assert!(said.contains("run again with --yes"), "{said}");
    assert!(
        opportunities(&org).await.is_empty(),
        "nothing is sent before the user confirms"
    );

    // The proposal saved, his stage names added, then imported.
    let mapping_file = dir.path().join("mapping.json");
    succeeded(
        "save the mapping",
        setup
            .command(&[
                "import",
                sheet_arg,
                "--object",
                "Opportunity",
                "--connection",
                "import-test",
                "--dry-run",
                "--save-mapping",
                mapping_file.to_str().unwrap(),
            ])
            .output()
            .unwrap(),
    );
    let mut mapping: Value =
        serde_json::from_str(&std::fs::read_to_string(&mapping_file).unwrap()).unwrap();
    let stage = mapping["columns"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|c| c["field"] == "StageName")
        .expect("Stage is mapped");
    stage["values"] = json!({"Won": "Closed Won", "Lost": "Closed Lost"});
    let account = mapping["lookups"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|l| l["field"] == "AccountId")
        .expect("Account is a lookup");
    account["values"] = json!({"Mueller GmbH": "Müller GmbH"});
    assert_eq!(mapping["formats"]["date"], "DD.MM.YYYY", "{mapping}");
    assert_eq!(mapping["formats"]["number"], "German", "{mapping}");
    std::fs::write(&mapping_file, mapping.to_string()).unwrap();
    let out = setup
        .command(&[
            "import",
            sheet_arg,
            "--mapping",
            mapping_file.to_str().unwrap(),
            "--connection",
            "import-test",
            "--yes",
            "--save-template",
            "deals",
        ])
        .output()
        .unwrap();
    let said = failed("import with one bad row", out, 1);
    assert!(said.contains("3 created"), "{said}");
    assert!(said.contains("1 invalid"), "{said}");
    let stored = opportunities(&org).await;
    assert_eq!(stored.len(), 3);
    let first = stored
        .iter()
        .find(|r| r["Legacy_Opportunity_Id__c"] == "L-1")
        .unwrap();
    assert_eq!(
        (
            first["Name"].clone(),
            first["Amount"].clone(),
            first["CloseDate"].clone()
        ),
        (json!("Müller renewal"), json!(1200.5), json!("2024-04-03"))
    );
    let formula = stored
        .iter()
        .find(|r| r["Legacy_Opportunity_Id__c"] == "L-2")
        .unwrap();
    assert_eq!(
        formula["Name"], "=HYPERLINK(\"http://x.example\",\"click\")",
        "kept as text"
    );
    assert_eq!(formula["Amount"], json!(-500.0));
    let respelled = stored
        .iter()
        .find(|r| r["Legacy_Opportunity_Id__c"] == "L-4")
        .unwrap();
    assert_eq!(
        respelled["AccountId"], first["AccountId"],
        "`Mueller GmbH` is looked up as the lookup's values say"
    );
    assert!(first["AccountId"].is_string());
    let copy = annotated(&sheets);
    assert!(
        copy.contains("\"'=HYPERLINK(\"\"http://x.example\"\",\"\"click\"\")\""),
        "written so that no spreadsheet runs it: {copy}"
    );
    assert!(copy.contains("Close Date (CloseDate) is blank"), "{copy}");
    let run: i64 = setup.last_run_id();

    // The next sheet with these headers reuses the template; nothing is created twice.
    let out = setup
        .command(&[
            "import",
            sheet_arg,
            "--connection",
            "import-test",
            "--yes",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let said = failed("import again", out, 1);
    assert!(
        said.contains("Using the mapping template `deals`"),
        "{said}"
    );
    let summary: Value =
        serde_json::from_str(said.split("Using").next().unwrap_or_default()).unwrap_or(Value::Null);
    assert_eq!(
        (summary["created"].clone(), summary["unchanged"].clone()),
        (json!(0), json!(3)),
        "{said}"
    );
    assert_eq!(opportunities(&org).await.len(), 3);

    // Nothing to retry; undo removes what the import created.
    let said = failed(
        "retry",
        setup
            .command(&["import", "--retry", &run.to_string()])
            .output()
            .unwrap(),
        2,
    );
    assert!(said.contains("no failed or unsent rows"), "{said}");
    let said = succeeded(
        "undo",
        setup.command(&["undo", &run.to_string()]).output().unwrap(),
    );
    assert!(said.contains("succeeded"), "{said}");
    assert!(opportunities(&org).await.is_empty());
    assert_eq!(org.query_all("SELECT Id FROM Account").await.len(), 1);
}

/// A small workbook claiming more rows than `--max-rows` stops at the survey: no account is
/// created, and the message names the row and the flag.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_workbook_past_max_rows_is_refused_before_anything_is_sent() {
    let port = free_port();
    let (_org_process, login) = start_org(&format!("http://localhost:{port}/OauthRedirect"), &[]);
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup::in_dir(dir.path());
    connect(&login, port, &setup.data, Some("import-max-rows")).await;
    let org = Org::sign_in(&login).await;
    let sheet = dir.path().join("accounts.xlsx");
    tether::bench::hostile::many_rows(&sheet, 30).unwrap();
    let out = setup
        .command(&[
            "import",
            sheet.to_str().unwrap(),
            "--object",
            "Account",
            "--connection",
            "import-max-rows",
            "--yes",
            "--max-rows",
            "10",
        ])
        .output()
        .unwrap();
    let said = failed("import past --max-rows", out, 1);
    assert!(
        said.contains(&format!(
            "{}: the sheet has more than 10 rows (row 12 is past that). Split it into files of at most 10 rows, or raise the limit with --max-rows.",
            sheet.display()
        )),
        "{said}"
    );
    assert!(
        org.query_all("SELECT Id FROM Account WHERE Name = 'Acme'")
            .await
            .is_empty(),
        "nothing is sent when the sheet is past the limit"
    );
}

/// A template saved from a US sheet, reused on the same sheet exported in Europe: the formats
/// it detected are detected again on the new file, and the change is said before the check.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn formats_detected_win_over_a_templates_unless_the_user_set_them() {
    let port = free_port();
    let (_org_process, login) = start_org(&format!("http://localhost:{port}/OauthRedirect"), &[]);
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup::in_dir(dir.path());
    connect(&login, port, &setup.data, Some("import-formats")).await;
    let us = dir.path().join("us.csv");
    std::fs::write(
        &us,
        "Deal Name,Stage,Amount,Close Date\r\nFirst,Prospecting,\"1,200.50\",03/04/2024\r\nSecond,Prospecting,950.00,12/31/2023\r\n",
    )
    .unwrap();
    let europe = dir.path().join("europe.csv");
    std::fs::write(
        &europe,
        "Deal Name;Stage;Amount;Close Date\r\nFirst;Prospecting;1.200,50;03.04.2024\r\nSecond;Prospecting;950,00;31.12.2023\r\n",
    )
    .unwrap();
    let check = |file: &Path, extra: &[&str]| {
        let mut args = vec![
            "import",
            file.to_str().unwrap(),
            "--object",
            "Opportunity",
            "--connection",
            "import-formats",
            "--dry-run",
        ];
        args.extend_from_slice(extra);
        setup.command(&args).output().unwrap()
    };
    let said = succeeded(
        "the US sheet saved as a template",
        check(&us, &["--save-template", "Deals"]),
    );
    assert!(said.contains("2 valid"), "{said}");

    let out = check(&europe, &[]);
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(
        said.contains("Using the mapping template `Deals`"),
        "{said}"
    );
    assert!(
        said.contains(
            "dates in this file read as DD.MM.YYYY, not MM/DD/YYYY as when the template was saved: DD.MM.YYYY is used"
        ),
        "{said}"
    );
    assert!(
        said.contains(
            "numbers in this file read as German, not English as when the template was saved: German is used"
        ),
        "{said}"
    );
    assert!(said.contains("Checked 2 rows: 2 valid"), "{said}");
    assert!(out.status.success(), "{said}");
}
