//! `tether query` with `toLabel()` and `FORMAT()`, against a `tether sandbox-org` process:
//! columns named as Salesforce answers them (the field's own name, the alias, or `expr0`).

use std::path::Path;
use std::process::Output;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::cli::{Org, Setup, connect, free_port, start_org, succeeded, tether};

const CONNECTION: &str = "query-display-test";

fn query(data: &Path, soql: &str, format: &str) -> Output {
    tether()
        .args(["query", CONNECTION, soql, "--format", format, "--data-dir"])
        .arg(data)
        .env("RUST_LOG", "warn")
        .output()
        .expect("tether query runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn labels_and_formatted_values_print_under_the_names_salesforce_answers() {
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
            vec![json!({"Name": "Acme", "CleanStatus": "Matched"})],
        )
        .await;
    org.write_records(
        "Opportunity",
        Method::POST,
        vec![
            json!({"Name": "Saw", "StageName": "Prospecting", "CloseDate": "2024-02-01", "Amount": 1200.5, "AccountId": accounts[0]}),
            json!({"Name": "Axe", "StageName": "Prospecting", "CloseDate": "2023-03-31", "Amount": 99.5, "AccountId": accounts[0]}),
        ],
    )
    .await;

    let records = "SELECT Name, toLabel(Account.CleanStatus), FORMAT(Amount) amt, FORMAT(CloseDate) FROM Opportunity ORDER BY Name";
    let csv = succeeded(
        "labels and formats as CSV",
        query(&setup.data, records, "csv"),
    );
    assert_eq!(
        csv,
        "Name,Account.CleanStatus,amt,CloseDate\nAxe,In Sync,$99.50,3/31/2023\nSaw,In Sync,\"$1,200.50\",2/1/2024\n"
    );
    let out = succeeded(
        "labels and formats as JSON",
        query(&setup.data, records, "json"),
    );
    let parsed: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(parsed[1]["Account.CleanStatus"], "In Sync", "{out}");
    assert_eq!(parsed[1]["amt"], "$1,200.50", "{out}");
    assert_eq!(parsed[1]["CloseDate"], "2/1/2024", "{out}");

    let aggregate = "SELECT FORMAT(MIN(CloseDate)), FORMAT(SUM(Amount)) total FROM Opportunity";
    let csv = succeeded(
        "formatted aggregates as CSV",
        query(&setup.data, aggregate, "csv"),
    );
    assert_eq!(csv, "expr0,total\n3/31/2023,\"$1,300.00\"\n");
}
