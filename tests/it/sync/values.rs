//! The round trip of every field type through every SQLite column affinity: a value made in
//! Salesforce is pulled into the local table and must come back unchanged, with the second
//! run sending nothing, unless Verify refuses the column first, with its fix. Verify's verdict
//! on every pair must be the README's table.

use std::collections::BTreeMap;

use crate::support::sync::*;
use proptest::prelude::*;
use serde_json::{Value, json};
use tether::salesforce::ObjectDescribe;
use tether::sync::link::Link;
use tether::sync::verify::{self, Severity};
use tether::workspace::journal::RunStatus;
use tether_decimal::parse_decimal;

/// One Account field of each type the sandbox org describes.
const FIELDS: &[(&str, &str)] = &[
    ("string", "Name"),
    ("phone", "Phone"),
    ("picklist", "Type"),
    ("combobox", "Referral_Source__c"),
    ("textarea", "Description"),
    ("email", "Billing_Email__c"),
    ("url", "Website"),
    ("boolean", "Tax_Exempt__c"),
    ("int", "NumberOfEmployees"),
    ("double", "Health_Score__c"),
    ("double", "Big_Number__c"),
    ("currency", "Account_Balance__c"),
    ("currency", "Big_Amount__c"),
    ("percent", "Discount__c"),
    ("date", "Renewal_Date__c"),
    ("datetime", "Last_Visit__c"),
    ("reference", "ParentId"),
    ("id", "Id"),
    ("multipicklist", "Interests__c"),
    ("time", "Best_Call_Time__c"),
];

/// Each affinity, as a declared type (and a table name).
const AFFINITIES: &[(&str, &str)] = &[
    ("text", "TEXT"),
    ("numeric", "NUMERIC"),
    ("integer", "INTEGER"),
    ("real", "REAL"),
    ("blob", "BLOB"),
    ("none", ""),
];

/// The README's column for a declared type.
fn readme_name(declared: &str) -> &str {
    if declared.is_empty() {
        "none"
    } else {
        declared
    }
}

/// Whether the README's table lists `declared` for a field of this type, precision and scale.
fn readme_accepts(field_type: &str, precision: u64, scale: u64, declared: &str) -> bool {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let table = readme
        .split("<!-- value-columns")
        .nth(1)
        .expect("the README's table of value columns");
    let rows = table
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2);
    for row in rows {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let (types, columns) = (cells[1], cells[2]);
        let named = types.split('`').skip(1).step_by(2).any(|t| t == field_type);
        let qualified = if types.contains("(scale 0, precision ≤ 15)") {
            scale == 0 && precision <= 15
        } else if types.contains("(scale 0, precision 16–18)") {
            scale == 0 && (16..=18).contains(&precision)
        } else if types.contains("(scale > 0, precision ≤ 15)") {
            scale > 0 && precision <= 15
        } else if types.contains("(scale > 0, precision 16–18)") {
            scale > 0 && (16..=18).contains(&precision)
        } else {
            true
        };
        if named && qualified {
            return columns
                .split(',')
                .map(str::trim)
                .any(|c| c == readme_name(declared));
        }
    }
    false
}

fn attribute(describe: &ObjectDescribe, field: &str, name: &str) -> u64 {
    describe
        .fields
        .iter()
        .find(|f| f.name == field)
        .and_then(|f| f.other.get(name))
        .and_then(Value::as_u64)
        .unwrap_or(0)
}

fn column(field: &str) -> String {
    format!("c_{}", field.to_ascii_lowercase())
}

fn link(table: &str, fields: &[&str]) -> Value {
    let mappings: Vec<Value> = fields
        .iter()
        .map(|f| {
            let direction = if *f == "Id" { "pull" } else { "both" };
            json!({"local": {"column": column(f)}, "remote": f, "direction": direction})
        })
        .collect();
    json!({
        "name": table,
        "connection": "sandbox",
        "table": table,
        "key": "id",
        "object": "Account",
        "id_column": "sf_id",
        "policy": "salesforce_wins",
        "time_zone": "America/New_York",
        "fields": mappings
    })
}

/// Verify's verdict on each field in a column of `declared`: the fields it refuses.
async fn refused(
    bench: &Bench,
    describe: &ObjectDescribe,
    table: &str,
    declared: &str,
) -> Vec<String> {
    let columns: Vec<String> = FIELDS
        .iter()
        .map(|(_, f)| format!("{} {declared}", column(f)))
        .collect();
    bench.execute(&format!(
        "CREATE TABLE {table} (id INTEGER PRIMARY KEY, sf_id TEXT, {})",
        columns.join(", ")
    ));
    let all: Vec<&str> = FIELDS.iter().map(|(_, f)| *f).collect();
    let link: Link = serde_json::from_value(link(table, &all)).expect("link parses");
    let problems = verify::verify(&link, describe, &BTreeMap::new(), &bench.db());
    let mut refused = Vec::new();
    for (field_type, field) in FIELDS {
        let precision =
            attribute(describe, field, "precision").max(attribute(describe, field, "digits"));
        let scale = attribute(describe, field, "scale");
        let problem = problems.iter().find(|p| {
            p.severity == Severity::Error
                && p.field.as_deref() == Some(*field)
                && p.message.contains(&format!("`{}`", column(field)))
        });
        let listed = readme_accepts(field_type, precision, scale, declared);
        assert_eq!(
            problem.is_none(),
            listed,
            "{field} ({field_type}, {precision},{scale}) in a `{declared}` column: Verify says {problem:?}, the README {}",
            if listed { "lists it" } else { "does not" }
        );
        if let Some(problem) = problem {
            assert!(
                problem.fix.contains("TEXT") || problem.fix.contains("NUMERIC"),
                "the fix names the type to use: {problem}"
            );
            refused.push(field.to_string());
        }
    }
    refused
}

#[derive(Debug, Clone)]
struct Values {
    text: String,
    phone: String,
    picklist: String,
    combobox: String,
    textarea: String,
    email: String,
    url: String,
    boolean: bool,
    int: i64,
    score: i64,
    big: i64,
    balance: i64,
    amount: i64,
    discount: i64,
    day: (i32, u32, u32),
    instant_ms: i64,
    interests: Vec<bool>,
    time: (u32, u32, u32, u32),
}

/// Text that looks like what SQLite would rewrite, or ordinary text.
fn tricky(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        Just("007".to_string()),
        Just("1.50".to_string()),
        Just("1e3".to_string()),
        Just("12345678901234567890".to_string()),
        Just("111".to_string()),
        "[0-9]{1,20}",
        proptest::string::string_regex(&format!(
            "[A-Za-zé😀0-9][A-Za-z é😀0-9.,'-]{{0,{max}}}[A-Za-z0-9]"
        ))
        .unwrap(),
    ]
}

fn values() -> impl Strategy<Value = Values> {
    (
        (tricky(30), tricky(15), tricky(20), tricky(20), tricky(40)),
        (
            "[a-z0-9]{1,10}@[a-z]{1,8}\\.com",
            "https://[a-z]{1,10}\\.com/[0-9]{0,5}",
            any::<bool>(),
        ),
        (
            -99_999_999i64..=99_999_999,
            hundredths_of(SCALED[0]),
            -999_999_999_999_999_999i64..=999_999_999_999_999_999,
            hundredths_of(SCALED[1]),
            hundredths_of(SCALED[2]),
            hundredths_of(SCALED[3]),
        ),
        (
            (1900i32..2100, 1u32..=12, 1u32..=28),
            0i64..4_102_444_800_000,
        ),
        (
            proptest::collection::vec(any::<bool>(), 4),
            (0u32..24, 0u32..60, 0u32..60, 0u32..1000),
        ),
    )
        .prop_map(
            |(
                (text, phone, picklist, combobox, textarea),
                (email, url, boolean),
                n,
                (day, instant_ms),
                (interests, time),
            )| {
                Values {
                    text,
                    phone,
                    picklist,
                    combobox,
                    textarea,
                    email,
                    url,
                    boolean,
                    int: n.0,
                    score: n.1,
                    big: n.2,
                    balance: n.3,
                    amount: n.5,
                    discount: n.4,
                    day,
                    instant_ms,
                    interests,
                    time,
                }
            },
        )
}

/// The two-place number fields and their precision, as the sandbox org describes them: values
/// are generated with every digit the field allows, up to 18, which no double holds.
const SCALED: [(&str, u32); 4] = [
    ("Health_Score__c", 5),
    ("Account_Balance__c", 16),
    ("Discount__c", 5),
    ("Big_Amount__c", 18),
];

/// Hundredths of a two-place field of `precision` digits.
fn hundredths_of((_, precision): (&str, u32)) -> std::ops::RangeInclusive<i64> {
    let max = 10i64.pow(precision) - 1;
    -max..=max
}

/// `units` hundredths as a JSON number written with all its digits.
fn hundredths(units: i64) -> Value {
    let text = format!(
        "{}{}.{:02}",
        if units < 0 { "-" } else { "" },
        units.abs() / 100,
        units.abs() % 100
    );
    serde_json::from_str(&text).expect("a decimal")
}

fn record(v: &Values, parent: &str) -> Value {
    let chosen: Vec<&str> = ["Solar", "Heat Pumps", "Batteries", "Insulation"]
        .iter()
        .zip(&v.interests)
        .filter(|(_, on)| **on)
        .map(|(name, _)| *name)
        .collect();
    let instant = chrono::DateTime::from_timestamp_millis(v.instant_ms).expect("an instant");
    json!({
        "Name": v.text,
        "Phone": v.phone,
        "Type": v.picklist,
        "Referral_Source__c": v.combobox,
        "Description": format!("{}\n{}", v.textarea, v.text),
        "Billing_Email__c": v.email,
        "Website": v.url,
        "Tax_Exempt__c": v.boolean,
        "NumberOfEmployees": v.int,
        "Health_Score__c": hundredths(v.score),
        "Big_Number__c": v.big,
        "Account_Balance__c": hundredths(v.balance),
        "Big_Amount__c": hundredths(v.amount),
        "Discount__c": hundredths(v.discount),
        "Renewal_Date__c": format!("{:04}-{:02}-{:02}", v.day.0, v.day.1, v.day.2),
        "Last_Visit__c": instant.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        "ParentId": parent,
        "Interests__c": if chosen.is_empty() { Value::Null } else { json!(chosen.join(";")) },
        "Best_Call_Time__c": format!("{:02}:{:02}:{:02}.{:03}Z", v.time.0, v.time.1, v.time.2, v.time.3),
    })
}

async fn round_trip(v: Values) {
    let bench = Bench::new().await;
    let describe = (*bench.client.describe("Account").await.expect("describe")).clone();
    for (field, precision) in SCALED {
        assert_eq!(
            (
                attribute(&describe, field, "precision"),
                attribute(&describe, field, "scale")
            ),
            (u64::from(precision), 2),
            "{field} is generated to its described precision and scale"
        );
    }
    let parent = bench.create("Account", json!({"Name": "Parent"})).await;
    let made = record(&v, &parent);
    let id = bench.create("Account", made.clone()).await;
    let before = bench.get("Account", &id).await;
    for (field, _) in SCALED {
        let digits = |v: &Value| parse_decimal(&v.to_string());
        assert_eq!(
            digits(&before[field]),
            digits(&made[field]),
            "{field} keeps every digit in Salesforce"
        );
    }

    let mut tables = Vec::new();
    for (name, declared) in AFFINITIES {
        let table = format!("t_{name}");
        let refused = refused(&bench, &describe, &table, declared).await;
        let held: Vec<&str> = FIELDS
            .iter()
            .map(|(_, f)| *f)
            .filter(|f| !refused.iter().any(|r| r == f))
            .collect();
        bench.add_link(link(&table, &held));
        tables.push(table);
    }
    for table in &tables {
        let first = bench.sync(table).await;
        assert_eq!(first.status, RunStatus::Succeeded, "{table}: {first:?}");
        assert_eq!(
            first.counts.updated, 0,
            "{table}: the first run only pulls: {first:?}"
        );
    }
    for table in &tables {
        let second = bench.sync(table).await;
        assert_eq!(second.status, RunStatus::Succeeded, "{table}: {second:?}");
        assert_eq!(
            (
                second.counts.created,
                second.counts.updated,
                second.counts.deleted
            ),
            (0, 0, 0),
            "{table}: the second run sends nothing for {v:?}"
        );
    }
    let after = bench.get("Account", &id).await;
    for (_, field) in FIELDS {
        assert_eq!(
            after[field], before[field],
            "{field} made the round trip unchanged"
        );
    }
    assert_eq!(
        after["SystemModstamp"], before["SystemModstamp"],
        "nothing was written"
    );
}

#[test]
fn every_field_type_survives_every_column_affinity_or_verify_refuses_it() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let config = ProptestConfig {
        cases: proptest_cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    proptest!(config, |(v in values())| {
        runtime.block_on(round_trip(v));
    });
}
