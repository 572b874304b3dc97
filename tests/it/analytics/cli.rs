//! `tether analytics` against a `tether sandbox-org` process.

use serde_json::Value;

use crate::support::cli::{Setup, connect, free_port, start_org, succeeded, tether, text};

const CONNECTION: &str = "analytics-test";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analytics_prints_each_group_as_table_csv_and_json_and_names_bad_filters() {
    let port = free_port();
    let (_org, login) = start_org(
        &format!("http://localhost:{port}/OauthRedirect"),
        &["--seed-size", "800"],
    );
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup::in_dir(dir.path());
    connect(&login, port, &setup.data, Some(CONNECTION)).await;
    let run = |args: &[&str]| {
        tether()
            .arg("analytics")
            .args(args)
            .args(["--connection", CONNECTION, "--data-dir"])
            .arg(&setup.data)
            .env("RUST_LOG", "warn")
            .output()
            .expect("tether analytics runs")
    };

    let table = succeeded("pipeline as a table", run(&["pipeline"]));
    for title in [
        "Pipeline by stage (1 API call)",
        "Open pipeline by close month (1 API call)",
        "Win rate and average deal size by quarter (1 API call)",
        "Deal size distribution (1 API call)",
    ] {
        assert!(table.contains(title), "{title} in:\n{table}");
    }
    assert!(table.contains("Closed Won"), "{table}");

    let json: Value = serde_json::from_str(&succeeded(
        "owners as JSON",
        run(&["owners", "--owner", "Priya Raman", "--format", "json"]),
    ))
    .unwrap();
    let rows = json[0]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "one owner once filtered: {json}");
    assert_eq!(rows[0]["label"], "Priya Raman");
    assert_eq!(json[0]["calls"], 2, "the owner's look-up and the report");

    let csv = succeeded(
        "leads as CSV",
        run(&["leads", "--from", "2024-06-01", "--format", "csv"]),
    );
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("chart,category,series,value"));
    assert!(
        csv.contains("Lead funnel by source,Partner Referral,Conversion rate %,"),
        "{csv}"
    );
    assert!(
        !csv.lines()
            .any(|l| l.starts_with("Leads by status over time,2024-05")),
        "months before --from are left out:\n{csv}"
    );

    let accounts = succeeded("accounts", run(&["accounts"]));
    assert!(
        accounts.contains("Accounts by industry (1 API call)")
            && accounts.contains("Annual revenue")
    );

    let bad = run(&["pipeline", "--to", "31/12/2025"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("the to date `31/12/2025` is not a date"),
        "{}",
        text(&bad.stderr)
    );
    let bad = run(&["pipeline", "--record-type", "Upsell"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("its record types are New Business, Renewal"),
        "{}",
        text(&bad.stderr)
    );
}
