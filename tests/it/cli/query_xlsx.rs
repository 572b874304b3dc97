//! `tether query --format xlsx --output FILE` against a `tether sandbox-org` process: a
//! workbook with typed cells, aggregates by their names, and a clear refusal without a file.

use std::path::Path;
use std::process::Output;

use calamine::{Data, Reader, Xlsx, open_workbook};
use reqwest::Method;
use serde_json::json;

use crate::support::cli::{Org, Setup, connect, free_port, start_org, succeeded, tether};

const CONNECTION: &str = "query-xlsx-test";
/// Each test its own connection: they share the keychain.
const SAVED_CONNECTION: &str = "query-saved-test";

fn query(data: &Path, args: &[&str]) -> Output {
    query_on(CONNECTION, data, args)
}

fn query_on(connection: &str, data: &Path, args: &[&str]) -> Output {
    tether()
        .args(["query", connection])
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .env("RUST_LOG", "warn")
        .output()
        .expect("tether query runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workbooks_hold_numbers_dates_and_aggregates_as_typed_cells() {
    let port = free_port();
    let (_org_process, login) = start_org(&format!("http://localhost:{port}/OauthRedirect"), &[]);
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup::in_dir(dir.path());
    connect(&login, port, &setup.data, Some(CONNECTION)).await;
    let org = Org::sign_in(&login).await;
    let accounts = org
        .write_records(
            "Account",
            Method::POST,
            vec![
                json!({"Name": "Acme", "Industry": "Energy"}),
                json!({"Name": "Globex", "Industry": "Banking"}),
            ],
        )
        .await;
    let deal = |account: &str, amount: f64, close: &str| json!({"Name": "@Deal", "StageName": "Prospecting", "CloseDate": close, "Amount": amount, "AccountId": account});
    org.write_records(
        "Opportunity",
        Method::POST,
        vec![
            deal(&accounts[0], 0.1, "2024-02-29"),
            deal(&accounts[0], 0.2, "2024-03-01"),
            deal(&accounts[1], 1200.5, "2023-12-31"),
        ],
    )
    .await;

    let refused = query(&setup.data, &["SELECT Id FROM Account", "--format", "xlsx"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("--output"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );

    let plain = dir.path().join("deals.xlsx");
    succeeded(
        "records to a workbook",
        query(
            &setup.data,
            &[
                "SELECT Name, Account.Name, Amount, CloseDate FROM Opportunity ORDER BY CloseDate",
                "--format",
                "xlsx",
                "--output",
                plain.to_str().unwrap(),
            ],
        ),
    );
    let mut book: Xlsx<_> = open_workbook(&plain).unwrap();
    let sheet = book.worksheet_range("Query").unwrap();
    assert_eq!(
        sheet.rows().next().unwrap(),
        &[
            Data::String("Name".into()),
            Data::String("Account.Name".into()),
            Data::String("Amount".into()),
            Data::String("CloseDate".into()),
        ]
    );
    assert_eq!(sheet.get((1, 0)), Some(&Data::String("@Deal".into())));
    assert_eq!(sheet.get((1, 1)), Some(&Data::String("Globex".into())));
    assert_eq!(sheet.get((1, 2)), Some(&Data::Float(1200.5)));
    let Some(Data::DateTime(close)) = sheet.get((1, 3)) else {
        panic!("{:?}", sheet.get((1, 3)));
    };
    assert_eq!(
        close.as_datetime().map(|d| d.date().to_string()),
        Some("2023-12-31".into())
    );

    let grouped = dir.path().join("grouped.xlsx");
    succeeded(
        "aggregates to a workbook",
        query(
            &setup.data,
            &[
                "SELECT Account.Industry, COUNT(Id), SUM(Amount) total FROM Opportunity GROUP BY Account.Industry ORDER BY Account.Industry",
                "--format",
                "xlsx",
                "--output",
                grouped.to_str().unwrap(),
            ],
        ),
    );
    let mut book: Xlsx<_> = open_workbook(&grouped).unwrap();
    let sheet = book.worksheet_range("Query").unwrap();
    let rows: Vec<Vec<Data>> = sheet.rows().map(<[Data]>::to_vec).collect();
    assert_eq!(
        rows,
        [
            vec![
                Data::String("Account.Industry".into()),
                Data::String("expr0".into()),
                Data::String("total".into())
            ],
            vec![
                Data::String("Banking".into()),
                Data::Float(1.0),
                Data::Float(1200.5)
            ],
            vec![
                Data::String("Energy".into()),
                Data::Float(2.0),
                Data::Float(0.3)
            ],
        ]
    );

    let count = dir.path().join("count.xlsx");
    succeeded(
        "a count to a workbook",
        query(
            &setup.data,
            &[
                "SELECT COUNT() FROM Opportunity",
                "--format",
                "xlsx",
                "--output",
                count.to_str().unwrap(),
            ],
        ),
    );
    let mut book: Xlsx<_> = open_workbook(&count).unwrap();
    let sheet = book.worksheet_range("Query").unwrap();
    assert_eq!(sheet.get((1, 0)), Some(&Data::Float(3.0)));

    let csv = dir.path().join("deals.csv");
    let out = succeeded(
        "CSV to a file",
        query(
            &setup.data,
            &[
                "SELECT Name, Amount FROM Opportunity WHERE Amount > 1000",
                "--output",
                csv.to_str().unwrap(),
            ],
        ),
    );
    assert_eq!(out, "", "nothing on standard output");
    assert_eq!(
        std::fs::read_to_string(&csv).unwrap(),
        "Name,Amount\n'@Deal,1200.5\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saved_queries_run_by_name_and_every_run_is_in_the_history() {
    let port = free_port();
    let (_org_process, login) = start_org(&format!("http://localhost:{port}/OauthRedirect"), &[]);
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup::in_dir(dir.path());
    connect(&login, port, &setup.data, Some(SAVED_CONNECTION)).await;
    let org = Org::sign_in(&login).await;
    org.write_records("Account", Method::POST, vec![json!({"Name": "Acme"})])
        .await;
    let queries = |args: &[&str]| {
        tether()
            .arg("queries")
            .args(args)
            .arg("--data-dir")
            .arg(&setup.data)
            .output()
            .expect("tether queries runs")
    };

    let missing = query_on(SAVED_CONNECTION, &setup.data, &["@accounts"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("tether queries"));

    let first = succeeded(
        "a run saved by name",
        query_on(
            SAVED_CONNECTION,
            &setup.data,
            &["SELECT Name FROM Account", "--save", "accounts"],
        ),
    );
    assert_eq!(first, "Name\nAcme\n");
    assert_eq!(
        succeeded(
            "the saved query by name",
            query_on(SAVED_CONNECTION, &setup.data, &["@Accounts"])
        ),
        first
    );
    let refused = query_on(
        SAVED_CONNECTION,
        &setup.data,
        &["SELECT Nope FROM Account", "--save", "bad"],
    );
    assert_eq!(refused.status.code(), Some(1));

    assert_eq!(
        succeeded("the saved queries", queries(&[])),
        "accounts\tSELECT Name FROM Account\n",
        "a refused statement is not saved"
    );
    let history = succeeded("the history", queries(&["--history"]));
    let outcomes: Vec<(&str, &str)> = history
        .lines()
        .map(|l| {
            let cells: Vec<&str> = l.split('\t').collect();
            (cells[2], cells[3])
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("INVALID_FIELD", "SELECT Nope FROM Account"),
            ("1 records", "SELECT Name FROM Account"),
            ("1 records", "SELECT Name FROM Account"),
        ]
    );
}
