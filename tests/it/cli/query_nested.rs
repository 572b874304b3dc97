//! `tether query` with child-relationship subqueries: nested arrays in JSON, one row per
//! child record in CSV with the parent's columns repeated.

use std::path::Path;
use std::process::Output;

use reqwest::Method;
use serde_json::json;

use crate::support::cli::{Org, Setup, connect, free_port, start_org, succeeded, tether};

const CONNECTION: &str = "query-nested-test";

fn query(data: &Path, soql: &str, format: &str) -> Output {
    tether()
        .args(["query", CONNECTION, soql, "--format", format, "--data-dir"])
        .arg(data)
        .env("RUST_LOG", "warn")
        .output()
        .expect("tether query runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_prints_child_records_nested_in_json_and_one_row_each_in_csv() {
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
            vec![json!({"Name": "Acme, Inc."}), json!({"Name": "Lonely"})],
        )
        .await;
    org.write_records(
        "Contact",
        Method::POST,
        vec![
            json!({"LastName": "Baker", "AccountId": accounts[0], "Title": "=1+1"}),
            json!({"LastName": "Aaron", "AccountId": accounts[0]}),
        ],
    )
    .await;
    let soql = "SELECT Name, (SELECT LastName, Title FROM Contacts ORDER BY LastName) FROM Account ORDER BY Name";

    let csv = succeeded(
        "query with a subquery as CSV",
        query(&setup.data, soql, "csv"),
    );
    assert_eq!(
        csv,
        "Name,Contacts.LastName,Contacts.Title\n\
         \"Acme, Inc.\",Aaron,\n\
         \"Acme, Inc.\",Baker,'=1+1\n\
         Lonely,,\n",
        "one row per child record, the parent's columns repeated; a parent without children keeps one row"
    );

    let text = succeeded(
        "query with a subquery as JSON",
        query(&setup.data, soql, "json"),
    );
    let parsed: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(
        parsed,
        json!([
            {"Name": "Acme, Inc.", "Contacts": [
                {"LastName": "Aaron", "Title": null},
                {"LastName": "Baker", "Title": "=1+1"}
            ]},
            {"Name": "Lonely", "Contacts": null}
        ]),
        "child records nest as an array under the relationship name"
    );
}
