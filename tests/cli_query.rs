//! `tether query` as a user runs it, against a `tether sandbox-org` process signed in through
//! `tether connect` and the keychain of the test session (scripts/test.sh).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod cli_support;

use std::path::Path;
use std::process::Output;

use reqwest::Method;
use serde_json::json;

use cli_support::{Org, Setup, connect, free_port, start_org, succeeded, tether};

const CONNECTION: &str = "query-test";
const CONNECTION_REFUSED: &str = "query-refused-test";

fn query(data: &Path, soql: &str, format: &str) -> Output {
    tether()
        .args(["query", CONNECTION, soql, "--format", format, "--data-dir"])
        .arg(data)
        .env("RUST_LOG", "warn")
        .output()
        .expect("tether query runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_csv_columns_follow_the_select_list_not_the_first_record() {
    let port = free_port();
    let (_org_process, login) = start_org(&format!("http://localhost:{port}/OauthRedirect"), &[]);
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup::in_dir(dir.path());
    connect(&login, port, &setup.data, Some(CONNECTION)).await;
    let org = Org::sign_in(&login).await;
    let acme = org
        .write_records("Account", Method::POST, vec![json!({"Name": "Acme, Inc."})])
        .await;
    org.write_records(
        "Contact",
        Method::POST,
        vec![
            json!({"LastName": "Aaron"}),
            json!({"LastName": "Baker", "AccountId": acme[0], "Title": "=HYPERLINK(\"x\")"}),
            json!({"LastName": "Cole", "AccountId": acme[0], "Title": "-2+3"}),
        ],
    )
    .await;

    // The first record has no account: its lookup is null, yet the column stays `Account.Name`
    // and the later rows keep their parent's name.
    let csv = succeeded(
        "query with a lookup",
        query(
            &setup.data,
            "SELECT LastName, Account.Name, Title FROM Contact ORDER BY LastName",
            "csv",
        ),
    );
    assert_eq!(
        csv,
        "LastName,Account.Name,Title\n\
         Aaron,,\n\
         Baker,\"Acme, Inc.\",\"'=HYPERLINK(\"\"x\"\")\"\n\
         Cole,\"Acme, Inc.\",'-2+3\n",
        "CSV columns and cells"
    );

    let empty = succeeded(
        "query with no result",
        query(
            &setup.data,
            "SELECT Id, Account.Name FROM Contact WHERE LastName = 'Nobody'",
            "csv",
        ),
    );
    assert_eq!(
        empty, "Id,Account.Name\n",
        "an empty result keeps its header"
    );

    let count = succeeded(
        "count query",
        query(&setup.data, "SELECT COUNT() FROM Contact", "csv"),
    );
    assert_eq!(count, "count\n3\n", "SELECT COUNT() prints the count");
    let count = succeeded(
        "count query as JSON",
        query(&setup.data, "SELECT COUNT() FROM Contact", "json"),
    );
    let parsed: serde_json::Value = serde_json::from_str(&count).expect("JSON");
    assert_eq!(parsed, json!([{"count": 3}]), "SELECT COUNT() as JSON");

    // `tether query … | head`: the reader is gone before tether writes a byte.
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let closed = tether()
        .args(["query", CONNECTION, "SELECT Id FROM Contact", "--data-dir"])
        .arg(&setup.data)
        .env("RUST_LOG", "warn")
        .stdout(writer)
        .output()
        .expect("tether query runs");
    assert_eq!(
        (
            closed.status.code(),
            String::from_utf8_lossy(&closed.stderr).into_owned()
        ),
        (Some(0), String::new()),
        "a query into a closed pipe ends quietly with 0"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_query_says_salesforce_refused_it_once() {
    let port = free_port();
    let (_org_process, login) = start_org(&format!("http://localhost:{port}/OauthRedirect"), &[]);
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup::in_dir(dir.path());
    connect(&login, port, &setup.data, Some(CONNECTION_REFUSED)).await;
    let out = tether()
        .args([
            "query",
            CONNECTION_REFUSED,
            "SELECT Nope__c FROM Account",
            "--data-dir",
        ])
        .arg(&setup.data)
        .env("RUST_LOG", "warn")
        .output()
        .expect("tether query runs");
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert_eq!(said.matches("refused the request").count(), 1, "{said}");
    assert!(said.contains("Nope__c"), "{said}");
}
