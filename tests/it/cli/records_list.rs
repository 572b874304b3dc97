//! `tether records list` as a user runs it: the Records page's list from a terminal, against a
//! `tether sandbox-org` process signed in through `tether connect`.

use std::path::Path;
use std::process::Output;

use reqwest::Method;
use serde_json::json;

use crate::support::cli::{Org, Setup, connect, free_port, start_org, succeeded, tether};

const CONNECTION: &str = "records-list-test";

fn records(data: &Path, args: &[&str]) -> Output {
    tether()
        .args(["records", "list", "--connection", CONNECTION])
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .env("RUST_LOG", "warn")
        .output()
        .expect("tether records runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_list_prints_filtered_sorted_pages_and_names_a_bad_filters_field() {
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
                json!({"Name": "Delta Power", "Industry": "Energy"}),
                json!({"Name": "=Alpha Grid", "Industry": "Energy"}),
                json!({"Name": "Charlie, Oil", "Industry": "Energy"}),
                json!({"Name": "Bravo Bank", "Industry": "Banking"}),
            ],
        )
        .await;
    org.write_records(
        "Contact",
        Method::POST,
        vec![json!({"LastName": "Nakamura", "AccountId": accounts[3]})],
    )
    .await;

    // Pages of 2 read by keyset until the end; the formula-like name is written as text.
    let csv = succeeded(
        "records list as CSV",
        records(
            &setup.data,
            &[
                "--object",
                "Account",
                "--columns",
                "Name,Industry",
                "--filter",
                "Industry = Energy",
                "--sort",
                "Name",
                "--desc",
                "--page-size",
                "2",
                "--all",
                "--format",
                "csv",
            ],
        ),
    );
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "Id,Name,Industry");
    let names: Vec<String> = lines[1..]
        .iter()
        .map(|l| l.split_once(',').unwrap().1.to_string())
        .collect();
    assert_eq!(
        names,
        [
            "Delta Power,Energy",
            "\"Charlie, Oil\",Energy",
            "'=Alpha Grid,Energy"
        ],
        "{csv}"
    );

    // A lookup column shows the parent's name; JSON keys are the column paths.
    let json_text = succeeded(
        "records list as JSON",
        records(
            &setup.data,
            &[
                "--object",
                "Contact",
                "--columns",
                "Name,AccountId",
                "--format",
                "json",
            ],
        ),
    );
    let parsed: serde_json::Value = serde_json::from_str(&json_text).unwrap();
    assert_eq!(parsed[0]["Account.Name"], "Bravo Bank", "{json_text}");
    assert_eq!(parsed[0]["Name"], "Nakamura");

    let table = succeeded(
        "records search as a table",
        records(
            &setup.data,
            &[
                "--object",
                "Account",
                "--search",
                "bravo",
                "--columns",
                "Name,Industry",
            ],
        ),
    );
    assert!(table.starts_with("Id  "), "{table}");
    assert!(
        table.contains("Bravo Bank") && !table.contains("Delta"),
        "{table}"
    );

    let bad = records(
        &setup.data,
        &["--object", "Account", "--filter", "AnnualRevenue > lots"],
    );
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("`lots` is not a value of Annual Revenue (currency): write a number"),
        "{stderr}"
    );
}
