//! `assets/link-schema.json` describes the links file `tether link export` writes: every shipped
//! template and a link using every setting validate against it, and it refuses what import
//! refuses. The schema is checked by a small validator for the keywords it uses, which fails
//! on any other keyword so that nothing in the schema is silently ignored.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

use serde_json::{Value, json};
use tether::sync::link::{
    ConflictPolicy, DeletePolicy, Direction, FieldMapping, Link, MatchKey, Schedule,
};
use tether::sync::{link_file, templates};

fn schema() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/link-schema.json");
    let text = std::fs::read_to_string(&path).expect("assets/link-schema.json reads");
    serde_json::from_str(&text).expect("the schema is JSON")
}

/// Every place where `value` breaks `rule`, as `path: reason`.
fn check(root: &Value, rule: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
    let Some(rule) = rule.as_object() else {
        panic!("schema rule at {path} is not an object: {rule}");
    };
    for (keyword, arg) in rule {
        match keyword.as_str() {
            "$schema" | "title" | "description" | "$defs" => {}
            "$ref" => {
                let name = arg
                    .as_str()
                    .and_then(|r| r.strip_prefix("#/$defs/"))
                    .unwrap_or_else(|| panic!("unsupported $ref {arg}"));
                let target = root["$defs"]
                    .get(name)
                    .unwrap_or_else(|| panic!("$ref to a missing definition {name}"));
                check(root, target, value, path, errors);
            }
            "type" => {
                let ok = match arg.as_str() {
                    Some("object") => value.is_object(),
                    Some("array") => value.is_array(),
                    Some("string") => value.is_string(),
                    Some("integer") => value.is_u64() || value.is_i64(),
                    Some("boolean") => value.is_boolean(),
                    other => panic!("unsupported type {other:?}"),
                };
                if !ok {
                    errors.push(format!("{path}: {value} is not of type {arg}"));
                }
            }
            "const" => {
                if value != arg {
                    errors.push(format!("{path}: {value} is not {arg}"));
                }
            }
            "enum" => {
                let options = arg.as_array().expect("enum is a list");
                if !options.contains(value) {
                    errors.push(format!("{path}: {value} is not one of {arg}"));
                }
            }
            "minimum" | "maximum" => {
                if let (Some(n), Some(bound)) = (value.as_f64(), arg.as_f64()) {
                    let ok = if keyword == "minimum" {
                        n >= bound
                    } else {
                        n <= bound
                    };
                    if !ok {
                        errors.push(format!("{path}: {value} breaks {keyword} {bound}"));
                    }
                }
            }
            "required" => {
                if let Some(object) = value.as_object() {
                    for key in arg.as_array().expect("required is a list") {
                        let key = key.as_str().expect("required names are strings");
                        if !object.contains_key(key) {
                            errors.push(format!("{path}: `{key}` is missing"));
                        }
                    }
                }
            }
            "properties" => {
                if let Some(object) = value.as_object() {
                    for (key, item) in object {
                        if let Some(sub) = arg.get(key) {
                            check(root, sub, item, &format!("{path}.{key}"), errors);
                        }
                    }
                }
            }
            "additionalProperties" => {
                assert_eq!(arg, &json!(false), "only additionalProperties: false");
                if let Some(object) = value.as_object() {
                    let known = rule.get("properties").and_then(Value::as_object);
                    for key in object.keys() {
                        if !known.is_some_and(|k| k.contains_key(key)) {
                            errors.push(format!("{path}: unknown key `{key}`"));
                        }
                    }
                }
            }
            "items" => {
                if let Some(items) = value.as_array() {
                    for (i, item) in items.iter().enumerate() {
                        check(root, arg, item, &format!("{path}[{i}]"), errors);
                    }
                }
            }
            "oneOf" => {
                let matching = arg
                    .as_array()
                    .expect("oneOf is a list")
                    .iter()
                    .filter(|option| {
                        let mut inner = Vec::new();
                        check(root, option, value, path, &mut inner);
                        inner.is_empty()
                    })
                    .count();
                if matching != 1 {
                    errors.push(format!(
                        "{path}: {value} matches {matching} of the oneOf options, not exactly one"
                    ));
                }
            }
            other => panic!("the validator does not know the schema keyword `{other}`"),
        }
    }
}

fn violations(document: &Value) -> Vec<String> {
    let root = schema();
    let mut errors = Vec::new();
    check(&root, &root, document, "$", &mut errors);
    errors
}

/// A link that sets everything a link can set.
fn every_setting() -> Link {
    let mut link = (templates::find("customer-health").expect("shipped").links)("prod").remove(0);
    link.name = "every-setting".into();
    link.match_on = MatchKey::ExternalId {
        field: "Legacy_Id__c".into(),
        column: "legacy_id".into(),
    };
    link.create_unmatched = true;
    link.fields.push(FieldMapping {
        policy: Some(ConflictPolicy::ManualReview),
        ..FieldMapping::column("phone", "Phone", Direction::Both)
    });
    link.pull_filter = Some("Type = 'Customer'".into());
    link.push_filter = Some("health_score IS NOT NULL".into());
    link.policy = ConflictPolicy::MostRecentWins;
    link.deletes = DeletePolicy::MarkArchived;
    link.schedule = Schedule::Day { at: "06:30".into() };
    link
}

#[test]
fn every_shipped_template_and_an_exported_link_validate_against_the_schema() {
    let mut links: Vec<Link> = templates::all()
        .iter()
        .flat_map(|t| (t.links)("prod"))
        .collect();
    links.push(every_setting());
    let mut every_15 = every_setting();
    every_15.name = "every-15".into();
    every_15.schedule = Schedule::Minutes { minutes: 15 };
    every_15.match_on = MatchKey::SalesforceId;
    links.push(every_15);
    let exported: Value = serde_json::from_str(&link_file::export(&links)).expect("export is JSON");
    assert_eq!(violations(&exported), Vec::<String>::new());
}

#[test]
fn a_link_exported_by_the_cli_validates_against_the_schema() {
    let dir = tempfile::tempdir().expect("tempdir");
    let workspace = dir.path().join("workspace.sqlite");
    let tether = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_tether"))
            .args(args)
            .arg("--workspace")
            .arg(&workspace)
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .env("RUST_LOG", "warn")
            .output()
            .expect("tether runs");
        assert!(
            out.status.success(),
            "tether {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    tether(&[
        "link",
        "template",
        "service-customers",
        "--connection",
        "prod",
    ]);
    let exported: Value = serde_json::from_str(&tether(&["link", "export"])).expect("JSON");
    assert!(!exported["links"].as_array().expect("links").is_empty());
    assert_eq!(violations(&exported), Vec::<String>::new());
}

/// A change to a good links file.
type Edit = dyn Fn(&mut Value);

#[test]
fn the_schema_refuses_what_import_refuses() {
    let good: Value =
        serde_json::from_str(&link_file::export(&[every_setting()])).expect("export is JSON");
    let broken = |edit: &dyn Fn(&mut Value)| {
        let mut document = good.clone();
        edit(&mut document);
        let text = serde_json::to_string(&document).expect("serialises");
        (violations(&document), link_file::parse(&text).is_err())
    };
    let cases: [(&str, &Edit); 6] = [
        ("a misspelt key", &|d| {
            d["links"][0]["fields"][0]["direciton"] = json!("pull")
        }),
        ("an unknown direction", &|d| {
            d["links"][0]["fields"][0]["direction"] = json!("sideways")
        }),
        ("a missing table", &|d| {
            d["links"][0].as_object_mut().unwrap().remove("table");
        }),
        ("an unknown schedule", &|d| {
            d["links"][0]["schedule"] = json!({"every": "week"})
        }),
        ("another format", &|d| d["format"] = json!("tether-mapping")),
        ("an external id without its column", &|d| {
            d["links"][0]["match_on"] = json!({"by": "external_id", "field": "X__c"})
        }),
    ];
    for (what, edit) in cases {
        let (errors, import_refuses) = broken(edit);
        assert!(!errors.is_empty(), "the schema accepts {what}");
        assert!(import_refuses, "import accepts {what}");
    }
}
