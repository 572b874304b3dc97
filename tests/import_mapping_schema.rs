//! The mapping file is documented: the JSON Schema in `assets/`, printed by
//! `tether import --print-schema`, accepts what the parser accepts and refuses what it refuses,
//! and the README's example fits both.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use serde_json::{Value, json};
use tether::import::mapping::{ColumnMapping, ImportMapping, KeyMapping, LookupMapping};
use tether::import::parse::{ALL_DATE_FORMATS, NumberLocale};

fn schema() -> Value {
    serde_json::from_str(include_str!("../assets/import-mapping.schema.json")).unwrap()
}

/// The subset of JSON Schema the mapping's schema uses: `type`, `properties`, `required`,
/// `additionalProperties` (false or a schema), `items`, `enum` and local `$ref`s.
fn violations(root: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.trim_start_matches("#/$defs/");
        return violations(root, &root["$defs"][name], value, at, out);
    }
    if let Some(kind) = schema.get("type").and_then(Value::as_str) {
        let fits = match kind {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "boolean" => value.is_boolean(),
            other => panic!("type {other} is not used by the schema"),
        };
        if !fits {
            out.push(format!("{at}: not a {kind}"));
            return;
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        out.push(format!("{at}: {value} is not one of {allowed:?}"));
    }
    if let Some(items) = schema.get("items") {
        for (i, item) in value.as_array().into_iter().flatten().enumerate() {
            violations(root, items, item, &format!("{at}[{i}]"), out);
        }
    }
    let Some(object) = value.as_object() else {
        return;
    };
    for name in schema["required"].as_array().into_iter().flatten() {
        let name = name.as_str().unwrap();
        if !object.contains_key(name) {
            out.push(format!("{at}: `{name}` is missing"));
        }
    }
    for (key, inner) in object {
        let path = format!("{at}.{key}");
        match (
            schema["properties"].get(key),
            &schema["additionalProperties"],
        ) {
            (Some(property), _) => violations(root, property, inner, &path, out),
            (None, Value::Bool(false)) => out.push(format!("{path}: unknown key")),
            (None, Value::Object(_)) => {
                violations(root, &schema["additionalProperties"], inner, &path, out)
            }
            (None, _) => {}
        }
    }
}

fn check(value: &Value) -> Vec<String> {
    let root = schema();
    let mut out = Vec::new();
    violations(&root, &root, value, "$", &mut out);
    out
}

/// The first ```json block after the README's heading for the mapping file.
fn readme_example() -> Value {
    let readme = include_str!("../README.md");
    let section = readme
        .split_once("### The mapping file")
        .expect("the README has a section on the mapping file")
        .1;
    let block = section
        .split_once("```json\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .expect("the section shows an example")
        .0;
    serde_json::from_str(block).expect("the example is JSON")
}

#[test]
fn the_mapping_file_is_documented_and_the_readme_example_fits_schema_and_parser() {
    let example = readme_example();
    assert_eq!(check(&example), Vec::<String>::new());
    let parsed: ImportMapping = serde_json::from_value(example.clone()).unwrap();
    assert_eq!(parsed.object, "Opportunity");
    // Every key the schema knows shows in the example, so the README shows each one.
    let root = schema();
    let mut shown = BTreeSet::new();
    fn keys(value: &Value, into: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => map.iter().for_each(|(k, v)| {
                into.insert(k.clone());
                keys(v, into);
            }),
            Value::Array(items) => items.iter().for_each(|v| keys(v, into)),
            _ => {}
        }
    }
    keys(&example, &mut shown);
    let mut documented = BTreeSet::new();
    for part in std::iter::once(&root).chain(root["$defs"].as_object().unwrap().values()) {
        for key in part["properties"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
        {
            documented.insert(key.clone());
        }
    }
    let missing: Vec<&String> = documented.difference(&shown).collect();
    assert!(
        missing.is_empty(),
        "the README example leaves out {missing:?}"
    );
}

#[test]
fn the_mapping_file_schema_and_parser_both_refuse_an_unknown_key() {
    for bad in [
        json!({"object": "Account", "colums": []}),
        json!({"object": "Account", "columns": [{"column": "Name", "field": "Name", "dafault": "x"}]}),
        json!({"object": "Account", "formats": {"date": "MM/DD/YYYY", "number": "English", "blank_checkbox": "false", "zone": "Z"}}),
        json!({"object": "Account", "formats": {"date": "MM/DD/YY", "number": "English", "blank_checkbox": "false"}}),
        json!({"columns": []}),
    ] {
        assert!(!check(&bad).is_empty(), "the schema takes {bad}");
        assert!(
            serde_json::from_value::<ImportMapping>(bad.clone()).is_err(),
            "the parser takes {bad}"
        );
    }
}

#[test]
fn the_mapping_file_schema_names_every_key_and_value_the_parser_writes() {
    let mut mapping = ImportMapping::new("Opportunity");
    mapping.key = Some(KeyMapping {
        column: "Opp #".into(),
        field: "Legacy_Opportunity_Id__c".into(),
    });
    let mut column = ColumnMapping::new("Stage", "StageName");
    column.values.insert("Won".into(), "Closed Won".into());
    column.default = Some("Prospecting".into());
    column.date_format = Some(ALL_DATE_FORMATS[0]);
    column.number_format = Some(NumberLocale::German);
    column.keep_unlisted = true;
    mapping.columns.push(column);
    mapping.constants.insert("Type".into(), "New".into());
    let mut lookup = LookupMapping::new("Account", "AccountId", "Account", &["Name"]);
    lookup.create_missing = true;
    lookup.required = true;
    lookup
        .values
        .insert("Acme Crop".into(), "Acme Corporation".into());
    mapping.lookups.push(lookup);
    mapping.formats.round_numbers = true;
    mapping
        .formats
        .set_by_hand
        .insert(tether::import::mapping::FormatKind::Number);
    let written = serde_json::to_value(&mapping).unwrap();
    assert_eq!(check(&written), Vec::<String>::new());

    let root = schema();
    let enum_of = |name: &str| -> Vec<String> {
        root["$defs"][name]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let dates: Vec<String> = ALL_DATE_FORMATS.iter().map(|f| f.label()).collect();
    assert_eq!(enum_of("dateFormat"), dates);
    let numbers: Vec<String> = NumberLocale::ALL
        .iter()
        .map(|l| l.name().to_string())
        .collect();
    assert_eq!(enum_of("numberFormat"), numbers);
    for date in dates {
        let mut each = written.clone();
        each["formats"]["date"] = json!(date);
        assert!(
            serde_json::from_value::<ImportMapping>(each).is_ok(),
            "{date}"
        );
    }
}

#[test]
fn the_mapping_file_schema_is_printed_by_the_command_line() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tether"))
        .args(["import", "--print-schema"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed, schema());
}
