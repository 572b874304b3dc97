//! `tether query` on aggregate statements, against a `tether sandbox-org` process: columns
//! named by alias or `expr0` as Salesforce names them, no `attributes`, numbers as answered.

use std::path::Path;
use std::process::Output;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::cli::{Org, Setup, connect, free_port, start_org, succeeded, tether};

const CONNECTION: &str = "query-aggregates-test";

fn query(data: &Path, soql: &str, format: &str) -> Output {
    tether()
        .args(["query", CONNECTION, soql, "--format", format, "--data-dir"])
        .arg(data)
        .env("RUST_LOG", "warn")
        .output()
        .expect("tether query runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aggregate_results_print_by_alias_and_expr_with_exact_numbers() {
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
    let opportunity = |account: &str, amount: &str, close: &str| {
        let amount: Value = serde_json::from_str(amount).unwrap();
        json!({"Name": "Deal", "StageName": "Prospecting", "CloseDate": close, "Amount": amount, "AccountId": account})
    };
    org.write_records(
        "Opportunity",
        Method::POST,
        vec![
            opportunity(&accounts[0], "0.1", "2023-03-31"),
            opportunity(&accounts[0], "0.2", "2024-12-01"),
            opportunity(&accounts[1], "1200.5", "2024-02-01"),
            opportunity(&accounts[1], "99.5", "2024-02-02"),
        ],
    )
    .await;

    let grouped = "SELECT Account.Industry, COUNT(Id), SUM(Amount) total FROM Opportunity GROUP BY Account.Industry ORDER BY Account.Industry";
    let csv = succeeded("grouped query as CSV", query(&setup.data, grouped, "csv"));
    assert_eq!(
        csv, "Account.Industry,expr0,total\nBanking,2,1300.0\nEnergy,2,0.3\n",
        "CSV columns follow the select list; 0.1 + 0.2 stays 0.3"
    );
    let out = succeeded("grouped query as JSON", query(&setup.data, grouped, "json"));
    assert!(
        !out.contains("attributes") && out.contains("0.3") && !out.contains("0.30000"),
        "{out}"
    );
    let parsed: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(
        parsed,
        json!([
            {"Industry": "Banking", "expr0": 2, "total": 1300.0},
            {"Industry": "Energy", "expr0": 2, "total": 0.3},
        ])
    );

    let rollup = "SELECT CALENDAR_YEAR(CloseDate) year, GROUPING(CALENDAR_YEAR(CloseDate)), MAX(Amount) FROM Opportunity GROUP BY ROLLUP(CALENDAR_YEAR(CloseDate)) ORDER BY CALENDAR_YEAR(CloseDate)";
    let csv = succeeded("rollup as CSV", query(&setup.data, rollup, "csv"));
    assert_eq!(
        csv, "year,expr0,expr1\n,1,1200.5\n2023,0,0.1\n2024,0,1200.5\n",
        "the subtotal row's null year sorts first, as ascending order puts nulls"
    );

    let count = succeeded(
        "COUNT() of groups",
        query(
            &setup.data,
            "SELECT COUNT() FROM Opportunity GROUP BY AccountId",
            "csv",
        ),
    );
    assert_eq!(
        count, "count\n2\n",
        "COUNT() with GROUP BY counts the groups"
    );
}
