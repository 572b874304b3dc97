//! Values that must come back from a round trip through the local table as they went in: the
//! cases an audit found changed by SQLite's column affinity, by floating point, or by time
//! zones, each against the sandbox org.

use std::collections::BTreeMap;

use crate::support::sync::*;
use serde_json::{Value, json};
use tether::sync::link::Link;
use tether::sync::verify::{self, Problem, Severity};
use tether::workspace::journal::RunStatus;

/// A table `accounts (id, sf_id, v <declared>)` and a link of `v` to `field` on Account.
fn value_link(bench: &Bench, field: &str, declared: &str, direction: &str, extra: Value) -> Link {
    bench.execute(&format!(
        "CREATE TABLE accounts (id INTEGER PRIMARY KEY, sf_id TEXT, v {declared})"
    ));
    let mut link = json!({
        "name": "values",
        "connection": "sandbox",
        "table": "accounts",
        "key": "id",
        "object": "Account",
        "id_column": "sf_id",
        "policy": "salesforce_wins",
        "fields": [
            {"local": {"column": "v"}, "remote": field, "direction": direction}
        ]
    });
    if let (Some(link), Some(extra)) = (link.as_object_mut(), extra.as_object()) {
        link.extend(extra.clone());
    }
    bench.add_link(link)
}

async fn problems(bench: &Bench, link: &Link) -> Vec<Problem> {
    let describe = bench.client.describe("Account").await.expect("describe");
    verify::verify(link, &describe, &BTreeMap::new(), &bench.db())
}

/// Salesforce holds `value` in `field`; the link maps it both ways to a column declared
/// `declared`, which cannot hold it. Two runs must leave the record as it was, and Verify must
/// name the column and the field and say which column type to use.
async fn refused_before_any_sync(field: &str, value: &str, declared: &str) {
    let bench = Bench::new().await;
    let id = bench
        .create("Account", json!({"Name": "Acme", field: value}))
        .await;
    let link = value_link(&bench, field, declared, "both", json!({}));
    let stamp = bench.get("Account", &id).await["SystemModstamp"].clone();

    bench.sync("values").await;
    bench.sync("values").await;
    let record = bench.get("Account", &id).await;
    assert_eq!(
        record[field],
        json!(value),
        "{field} kept as written after two runs with a {declared} column"
    );
    assert_eq!(record["SystemModstamp"], stamp, "nothing was written");

    let found = problems(&bench, &link).await;
    let problem = found
        .iter()
        .find(|p| p.severity == Severity::Error && p.field.as_deref() == Some(field))
        .unwrap_or_else(|| panic!("Verify rejects `v` ({declared}) for {field}: {found:?}"));
    assert!(
        problem.message.contains("`v`") && problem.message.contains(declared),
        "names the column and its type: {problem}"
    );
    assert!(
        problem.fix.contains("TEXT"),
        "offers the type to use: {problem}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_007_in_an_integer_column_is_not_pushed_back_as_7() {
    refused_before_any_sync("Phone", "007", "INTEGER").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_1_50_in_a_numeric_column_is_not_pushed_back_as_1_5() {
    refused_before_any_sync("Phone", "1.50", "NUMERIC").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_1e3_in_a_real_column_is_not_pushed_back_as_1000() {
    refused_before_any_sync("Phone", "1e3", "REAL").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_20_digit_phone_in_an_integer_column_is_not_pushed_back_in_floating_point() {
    refused_before_any_sync("Phone", "12345678901234567890", "INTEGER").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_111_in_a_real_column_does_not_update_the_record_every_run() {
    refused_before_any_sync("Phone", "111", "REAL").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_number_111_in_a_real_column_does_not_update_the_record_every_run() {
    let bench = Bench::new().await;
    let id = bench
        .create("Account", json!({"Name": "Acme", "Health_Score__c": 111}))
        .await;
    value_link(&bench, "Health_Score__c", "REAL", "both", json!({}));
    let first = bench.sync("values").await;
    assert_eq!(first.status, RunStatus::Succeeded, "{first:?}");
    assert_eq!(
        bench.rows("SELECT v FROM accounts"),
        vec![vec![json!(111.0)]]
    );
    let stamp = bench.get("Account", &id).await["SystemModstamp"].clone();
    for _ in 0..2 {
        let again = bench.sync("values").await;
        assert_eq!(again.status, RunStatus::Succeeded, "{again:?}");
        assert_eq!(
            (again.counts.created, again.counts.updated),
            (0, 0),
            "{again:?}"
        );
    }
    assert_eq!(bench.get("Account", &id).await["SystemModstamp"], stamp);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_verify_finds_a_text_field_in_a_numeric_column_instead_of_no_problems() {
    for declared in ["INTEGER", "REAL", "NUMERIC", "DECIMAL(10,2)"] {
        let bench = Bench::new().await;
        let link = value_link(&bench, "Phone", declared, "pull", json!({}));
        let found = problems(&bench, &link).await;
        assert!(
            verify::has_errors(&found),
            "{declared}: Verify finds no problem: {found:?}"
        );
    }
    let bench = Bench::new().await;
    let link = value_link(&bench, "Phone", "TEXT", "both", json!({}));
    let found = problems(&bench, &link).await;
    assert!(!verify::has_errors(&found), "TEXT holds a phone: {found:?}");
}

/// Pushes the local value `local` (into a column declared `declared`) to `field` of a new
/// Account and returns what Salesforce then holds; a second run must send nothing.
async fn pushed(field: &str, declared: &str, local: &str, extra: Value) -> Value {
    let bench = Bench::new().await;
    let id = bench.create("Account", json!({"Name": "Acme"})).await;
    value_link(&bench, field, declared, "push", extra);
    bench.execute(&format!(
        "INSERT INTO accounts (id, sf_id, v) VALUES (1, '{id}', {local})"
    ));
    let run = bench.sync("values").await;
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
    let record = bench.get("Account", &id).await;
    let again = bench.sync("values").await;
    assert_eq!(again.status, RunStatus::Succeeded, "{again:?}");
    assert_eq!(
        (again.counts.created, again.counts.updated),
        (0, 0),
        "the second run sends nothing: {again:?}"
    );
    assert_eq!(
        bench.get("Account", &id).await["SystemModstamp"],
        record["SystemModstamp"]
    );
    record[field].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_number_18_0_above_2_pow_53_is_pushed_exactly() {
    let sent = pushed("AnnualRevenue", "INTEGER", "12345678901234567", json!({})).await;
    assert_eq!(sent.to_string(), "12345678901234567");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scale_rounding_of_1_005_gives_1_01() {
    let sent = pushed("Account_Balance__c", "NUMERIC", "1.005", json!({})).await;
    assert_eq!(sent, json!(1.01));
    let sent = pushed("Account_Balance__c", "TEXT", "'-1.005'", json!({})).await;
    assert_eq!(sent, json!(-1.01));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_date_written_with_an_offset_is_the_calendar_day_written() {
    let sent = pushed(
        "Renewal_Date__c",
        "TEXT",
        "'2026-03-08T23:30:00-08:00'",
        json!({}),
    )
    .await;
    assert_eq!(sent, json!("2026-03-08"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_datetime_without_an_offset_is_read_in_the_links_time_zone() {
    let sent = pushed(
        "Last_Visit__c",
        "TEXT",
        "'2026-01-08 23:30:00'",
        json!({"time_zone": "America/Los_Angeles"}),
    )
    .await;
    assert_eq!(sent, json!("2026-01-09T07:30:00.000+0000"));
    // Summer time: the same wall clock is an hour earlier in UTC.
    let sent = pushed(
        "Last_Visit__c",
        "TEXT",
        "'2026-07-08 23:30:00'",
        json!({"time_zone": "America/Los_Angeles"}),
    )
    .await;
    assert_eq!(sent, json!("2026-07-09T06:30:00.000+0000"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_stored_before_the_time_zone_setting_keep_utc_and_new_ones_take_the_machines() {
    let bench = Bench::new().await;
    value_link(&bench, "Last_Visit__c", "TEXT", "push", json!({}));
    let stored = |bench: &Bench| {
        tether::workspace::Workspace::open(&bench.path)
            .unwrap()
            .link("values")
            .unwrap()
            .link
            .time_zone
    };
    assert_eq!(
        stored(&bench),
        Some(tether::sync::link::machine_time_zone()),
        "a new link takes the machine's zone"
    );
    bench.execute("CREATE TABLE tpl (id INTEGER PRIMARY KEY, sf_id TEXT, v TEXT)");
    let template_link: Link =
        serde_json::from_value(link_json("from_template", "tpl")).expect("link parses");
    tether::workspace::Workspace::open(&bench.path)
        .unwrap()
        .save_link(&template_link, "template")
        .unwrap();
    // The workspace as it was before (no zones stored, no record of Tether's own tables),
    // then the migration that added them, run as `Workspace::open` runs it.
    bench.execute(
        "UPDATE tether_links SET definition = json_remove(definition, '$.time_zone');
         DROP TABLE tether_managed_tables;",
    );
    bench.execute(include_str!("../../../src/workspace/schema_v8.sql"));
    assert_eq!(
        stored(&bench).as_deref(),
        Some("UTC"),
        "the migration gives a link stored before the setting UTC, what it assumed"
    );
    assert_eq!(
        bench.rows("SELECT name, created_by FROM tether_managed_tables"),
        vec![vec![json!("tpl"), json!("template")]],
        "the table of a link a template created is recorded as Tether's"
    );
}

fn link_json(name: &str, table: &str) -> Value {
    json!({
        "name": name,
        "connection": "sandbox",
        "table": table,
        "key": "id",
        "object": "Account",
        "id_column": "sf_id",
        "fields": [{"local": {"column": "v"}, "remote": "Phone", "direction": "pull"}]
    })
}

/// The customers table as the customer-health template created it before its annual revenue
/// column was NUMERIC.
const OLD_CUSTOMERS: &str = "CREATE TABLE IF NOT EXISTS customers (
    customer_id     TEXT PRIMARY KEY,
    name            TEXT,
    industry        TEXT,
    annual_revenue  REAL,
    health_score    REAL,
    archived        INTEGER NOT NULL DEFAULT 0
);";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_table_whose_column_rounds_18_digits_is_fixed_by_verify_fix() {
    use tether::sync::verify::fix;
    use tether::workspace::{Workspace, managed};

    let bench = Bench::new().await;
    let id = bench
        .create(
            "Account",
            json!({"Name": "Acme", "AnnualRevenue": 12345678901234567i64}),
        )
        .await;
    {
        let mut ws = Workspace::open(&bench.path).unwrap();
        managed::create_tables(ws.conn(), OLD_CUSTOMERS, "template").unwrap();
        let template = tether::sync::templates::find("customer-health").unwrap();
        tether::sync::templates::install(&mut ws, &template, "sandbox").unwrap();
        ws.conn()
            .execute(
                "INSERT INTO customers (customer_id, name, annual_revenue, health_score) VALUES (?1, 'Acme', 5.0, 70)",
                [&id],
            )
            .unwrap();
    }
    let link = Workspace::open(&bench.path)
        .unwrap()
        .link("customer-health")
        .unwrap()
        .link;
    let describe = bench.client.describe("Account").await.unwrap();
    let found = problems(&bench, &link).await;
    let problem = found
        .iter()
        .find(|p| p.field.as_deref() == Some("AnnualRevenue"))
        .unwrap_or_else(|| panic!("Verify names AnnualRevenue: {found:?}"));
    assert_eq!(problem.severity, Severity::Error, "{problem}");
    assert!(
        problem.message.contains("`annual_revenue`") && problem.message.contains("REAL"),
        "{problem}"
    );
    assert!(
        problem
            .fix
            .contains("tether link verify customer-health --fix"),
        "a table the template created gets the command that fixes it: {problem}"
    );
    let refused = bench.sync("customer-health").await;
    assert_eq!(refused.status, RunStatus::Failed, "{refused:?}");
    assert!(
        refused
            .message
            .as_deref()
            .unwrap_or_default()
            .contains("--fix"),
        "{refused:?}"
    );

    let fixed = fix::fix(&mut bench.db(), &link, &describe).expect("the fix runs");
    assert_eq!(fixed.len(), 1, "{fixed:?}");
    assert_eq!(
        bench.rows("SELECT type FROM pragma_table_info('customers') WHERE name = 'annual_revenue'"),
        vec![vec![json!("NUMERIC")]]
    );
    assert_eq!(
        bench.rows("SELECT customer_id, name, annual_revenue, health_score FROM customers"),
        vec![vec![json!(id), json!("Acme"), json!(5), json!(70.0)]],
        "the rows are kept"
    );
    let found = problems(&bench, &link).await;
    assert!(!verify::has_errors(&found), "{found:?}");
    let run = bench.sync("customer-health").await;
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
    assert_eq!(
        bench.rows("SELECT CAST(annual_revenue AS TEXT) FROM customers"),
        vec![vec![json!("12345678901234567")]]
    );
    bench.execute("UPDATE customers SET name = 'Acme Local'");
    assert_eq!(
        bench.rows("SELECT count(*) FROM tether_changes WHERE run_id IS NULL AND op = 'update'"),
        vec![vec![json!(1)]],
        "change capture survives the rebuild"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_fix_leaves_a_table_tether_did_not_create_as_it_is() {
    use tether::sync::verify::fix::{self, FixError};

    let bench = Bench::new().await;
    let link = value_link(&bench, "Phone", "INTEGER", "both", json!({}));
    let describe = bench.client.describe("Account").await.unwrap();
    let err = fix::fix(&mut bench.db(), &link, &describe).expect_err("not Tether's table");
    assert!(matches!(err, FixError::NotOurs { .. }), "{err}");
    assert!(err.to_string().contains("declare `v` as TEXT"), "{err}");
    assert_eq!(
        bench.rows("SELECT type FROM pragma_table_info('accounts') WHERE name = 'v'"),
        vec![vec![json!("INTEGER")]]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_number_18_2_with_18_digits_survives_the_round_trip() {
    let bench = Bench::new().await;
    let id = bench
        .create(
            "Account",
            json!({"Name": "Acme", "Big_Amount__c": "1234567890123456.78"}),
        )
        .await;
    assert_eq!(
        bench.get("Account", &id).await["Big_Amount__c"].to_string(),
        "1234567890123456.78",
        "the sandbox org keeps all 18 digits"
    );
    value_link(&bench, "Big_Amount__c", "TEXT", "both", json!({}));
    let first = bench.sync("values").await;
    assert_eq!(first.status, RunStatus::Succeeded, "{first:?}");
    assert_eq!(
        bench.rows("SELECT v FROM accounts"),
        vec![vec![json!("1234567890123456.78")]],
        "pulled with every digit"
    );
    let stamp = bench.get("Account", &id).await["SystemModstamp"].clone();
    let again = bench.sync("values").await;
    assert_eq!(
        (again.counts.created, again.counts.updated),
        (0, 0),
        "the second run sends nothing: {again:?}"
    );
    assert_eq!(bench.get("Account", &id).await["SystemModstamp"], stamp);

    bench.execute("UPDATE accounts SET v = '-9876543210987654.32'");
    let pushed = bench.sync("values").await;
    assert_eq!(pushed.counts.updated, 1, "{pushed:?}");
    assert_eq!(
        bench.get("Account", &id).await["Big_Amount__c"].to_string(),
        "-9876543210987654.32",
        "pushed with every digit"
    );
}
