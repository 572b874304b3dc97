use std::collections::HashMap;

use serde_json::json;

use super::*;
use crate::import::Row;
use crate::import::lookup::Parent;
use crate::import::mapping::{ColumnMapping, ImportMapping, KeyMapping, LookupMapping};
use crate::import::parse::{DateFormat, DateOrder, DateSeparator};
use crate::import::validate::{MappingError, Validator};
use crate::salesforce::ObjectDescribe;

fn opportunity() -> ObjectDescribe {
    let mut describe: serde_json::Value = serde_json::from_str(include_str!(
        "../../../assets/salesforce/describe/Opportunity.json"
    ))
    .unwrap();
    describe["fields"].as_array_mut().unwrap().push(json!({
        "name": "Legacy_Opportunity_Id__c", "label": "Legacy Opportunity Id", "type": "string",
        "length": 20, "nillable": true, "createable": true, "updateable": true, "externalId": true
    }));
    serde_json::from_value(describe).unwrap()
}

const HEADERS: [&str; 6] = ["Opp #", "Deal", "Account", "Stage", "Amount", "Close"];

fn mapping() -> ImportMapping {
    let mut mapping = ImportMapping::new("Opportunity");
    mapping.key = Some(KeyMapping {
        column: "Opp #".into(),
        field: "Legacy_Opportunity_Id__c".into(),
    });
    mapping.formats.date = DateFormat::Ordered {
        order: DateOrder::MonthDayYear,
        separator: DateSeparator::Slash,
    };
    let mut stage = ColumnMapping::new("Stage", "StageName");
    stage.values.insert("Won".into(), "Closed Won".into());
    mapping.columns = vec![
        ColumnMapping::new("Deal", "Name"),
        stage,
        ColumnMapping::new("Amount", "Amount"),
        ColumnMapping::new("Close", "CloseDate"),
    ];
    mapping.lookups.push(LookupMapping {
        required: true,
        ..LookupMapping::new("Account", "AccountId", "Account", &["Name"])
    });
    mapping
}

fn headers() -> Vec<String> {
    HEADERS.iter().map(|h| h.to_string()).collect()
}

fn tables() -> Vec<LookupTable> {
    let mut table = LookupTable::default();
    table.found.insert(
        "acme".into(),
        vec![Parent {
            id: "001000000000001AAA".into(),
            name: "Acme Corporation".into(),
        }],
    );
    table.found.insert(
        "globex".into(),
        vec![
            Parent {
                id: "001000000000002AAA".into(),
                name: "Globex Inc".into(),
            },
            Parent {
                id: "001000000000003AAA".into(),
                name: "Globex Ltd".into(),
            },
        ],
    );
    table.to_create.insert("initech".into(), "Initech".into());
    table.near.insert(
        "acne".into(),
        vec![Parent {
            id: "001000000000004AAA".into(),
            name: "Acne Studios".into(),
        }],
    );
    vec![table]
}

/// Each case: the row's cells, then what the verdict must say (an action, or words its
/// reasons contain).
#[test]
fn rows_become_actions_or_reasons() {
    let validator = Validator::new(&opportunity(), &mapping(), &headers()).unwrap();
    let mut keys = KeyCounts::default();
    for (row, key) in [
        (2, "OPP-1"),
        (3, "OPP-2"),
        (4, "opp-2"),
        (5, "OPP-3"),
        (6, "OPP-4"),
    ] {
        keys.add(key, row);
    }
    let mut existing = HashMap::new();
    existing.insert(
        "opp-3".to_string(),
        Existing {
            id: "006000000000003AAA".into(),
            values: [
                ("Name".to_string(), json!("Big deal")),
                ("StageName".to_string(), json!("Closed Won")),
                ("Amount".to_string(), json!(1200.5)),
                ("CloseDate".to_string(), json!("2024-03-04")),
                ("AccountId".to_string(), json!("001000000000001AAA")),
            ]
            .into(),
        },
    );
    existing.insert(
        "opp-4".to_string(),
        Existing {
            id: "006000000000004AAA".into(),
            values: Values::new(),
        },
    );
    let tables = tables();
    let context = Context {
        validator: &validator,
        tables: &tables,
        keys: &keys,
        existing: &existing,
    };
    type Case<'a> = (&'a [&'a str], Result<Action, &'a [&'a str]>);
    let cases: Vec<Case> = vec![
        (
            &[
                "OPP-1",
                "Big deal",
                "ACME Corp.",
                "won",
                "$1,200.50",
                "03/04/2024",
            ],
            Ok(Action::Create),
        ),
        (
            &["OPP-2", "Big deal", "Acme", "Won", "1", "03/04/2024"],
            Err(&["the key `OPP-2` is also on row 4"]),
        ),
        (
            &[
                "OPP-3",
                "Big deal",
                "Acme Corporation",
                "Won",
                "1200.50",
                "03/04/2024",
            ],
            Ok(Action::Unchanged {
                id: "006000000000003AAA".into(),
            }),
        ),
        (
            &["OPP-4", "Big deal", "Acme", "Won", "", "03/04/2024"],
            Ok(Action::Update {
                id: "006000000000004AAA".into(),
            }),
        ),
        (
            &["OPP-5", "Big deal", "Acme", "Wonn", "1", "03/04/2024"],
            Err(&["Stage: `Wonn` is not a Stage (StageName) value"]),
        ),
        (
            &["OPP-6", "Big deal", "Acme", "Won", "1", ""],
            Err(&["Close Date (CloseDate) is blank, and Salesforce requires it"]),
        ),
        (
            &["OPP-7", "Big deal", "", "Won", "1", "03/04/2024"],
            Err(&["Account is blank"]),
        ),
        (
            &["OPP-8", "Big deal", "Acne Corp", "Won", "1", "03/04/2024"],
            Err(&["no Account is named `Acne Corp`", "(similar: Acne Studios)"]),
        ),
        (
            &["OPP-9", "Big deal", "Globex", "Won", "1", "03/04/2024"],
            Err(&["matches 2 Account records"]),
        ),
        (
            &["", "Big deal", "Acme", "Won", "1", "03/04/2024"],
            Err(&["the key `Opp #` is blank"]),
        ),
        (
            &["OPP-10", "Big deal", "Acme", "Won", "TBD", "02/30/2024"],
            Err(&["`TBD` does not fit", "`02/30/2024` is not a date"]),
        ),
        (
            &["OPP-11", "Big deal", "Initech", "Won", "1", "03/04/2024"],
            Ok(Action::Create),
        ),
    ];
    for (number, (cells, expected)) in cases.into_iter().enumerate() {
        let row = Row {
            number: number as u64 + 2,
            cells: cells.iter().map(|c| c.to_string()).collect(),
        };
        let texts = vec![validator.lookup_text(0, &row)];
        let verdict = decide(validator.check(&row), &texts, &context);
        // Only an account no single record matches is offered for a spelling.
        let unresolved: Vec<(&str, &str, Vec<&str>)> = verdict
            .unresolved
            .iter()
            .map(|u| {
                let near = u.near.iter().map(String::as_str).collect();
                (u.field.as_str(), u.written.as_str(), near)
            })
            .collect();
        match cells[2] {
            "Acne Corp" => assert_eq!(
                unresolved,
                [("AccountId", "Acne Corp", vec!["Acne Studios"])],
                "records like it are named"
            ),
            "Globex" => assert_eq!(
                unresolved,
                [("AccountId", "Globex", vec!["Globex Inc", "Globex Ltd"])],
                "the records it matches are named"
            ),
            _ => assert!(unresolved.is_empty(), "{cells:?}: {unresolved:?}"),
        }
        match expected {
            Ok(action) => assert_eq!(
                verdict.action,
                Some(action),
                "{cells:?}: {}",
                verdict.reasons()
            ),
            Err(words) => {
                assert_eq!(verdict.action, None, "{cells:?}");
                for word in words {
                    assert!(
                        verdict.reasons().contains(word),
                        "{cells:?}: {}",
                        verdict.reasons()
                    );
                }
            }
        }
    }
}

#[test]
fn a_created_parent_is_noted_and_a_found_one_fills_the_reference() {
    let validator = Validator::new(&opportunity(), &mapping(), &headers()).unwrap();
    let tables = tables();
    let (keys, existing) = (KeyCounts::default(), HashMap::new());
    let context = Context {
        validator: &validator,
        tables: &tables,
        keys: &keys,
        existing: &existing,
    };
    let row = |account: &str| Row {
        number: 2,
        cells: ["OPP-1", "Deal", account, "Won", "1", "03/04/2024"]
            .iter()
            .map(|c| c.to_string())
            .collect(),
    };
    let found = decide(
        validator.check(&row("acme inc")),
        &["acme inc".into()],
        &context,
    );
    assert_eq!(
        found.values.get("AccountId"),
        Some(&json!("001000000000001AAA"))
    );
    let created = decide(
        validator.check(&row("Initech")),
        &["Initech".into()],
        &context,
    );
    assert_eq!(
        created.notes,
        vec![
            "Close Date (CloseDate): Mon 4 Mar 2024 (a day, the same in every time zone)"
                .to_string(),
            "Account `Initech` will be created".to_string()
        ]
    );
}

#[test]
fn mappings_that_cannot_work_are_refused_before_any_row() {
    let describe = opportunity();
    type Change = Box<dyn Fn(&mut ImportMapping)>;
    let cases: Vec<(Change, &str)> = vec![
        (
            Box::new(|m| m.columns[0].column = "Deal Name".into()),
            "reads column `Deal Name`, which the sheet does not have",
        ),
        (
            Box::new(|m| m.columns[0].field = "Nme".into()),
            "Opportunity has no field `Nme`",
        ),
        (
            Box::new(|m| {
                m.columns.remove(3);
            }),
            "requires Close Date (CloseDate)",
        ),
        (
            Box::new(|m| m.columns[2].field = "StageName".into()),
            "is filled twice",
        ),
        (
            Box::new(|m| m.key.as_mut().unwrap().field = "Name".into()),
            "is not an external id",
        ),
        (
            Box::new(|m| m.columns[2].field = "IsWon".into()),
            "cannot be written",
        ),
        (
            Box::new(|m| m.lookups[0].object = "User".into()),
            "is not a lookup to User",
        ),
        (
            Box::new(|m| {
                m.constants.insert("Probability".into(), "lots".into());
            }),
            "the constant for Probability",
        ),
        (
            Box::new(|m| m.formats.time_zone = "CET".into()),
            "`CET` is not a time zone offset",
        ),
        (
            Box::new(|m| m.columns[2].keep_unlisted = true),
            "column `Amount` cannot keep values the list of Amount does not have: it is not a picklist",
        ),
        (
            Box::new(|m| {
                m.columns[1].field = "ForecastCategoryName".into();
                m.columns[1].keep_unlisted = true;
                m.constants.insert("StageName".into(), "Prospecting".into());
            }),
            "it is a restricted picklist, and Salesforce refuses them",
        ),
    ];
    for (change, expected) in cases {
        let mut mapping = mapping();
        change(&mut mapping);
        let err: MappingError = Validator::new(&describe, &mapping, &headers())
            .err()
            .expect(expected);
        assert!(err.to_string().contains(expected), "{err}");
    }
}
