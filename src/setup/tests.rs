use rusqlite::types::Value;
use serde_json::json;

use super::*;
use crate::sync::link::{Direction, FieldMapping, Link, MatchKey};

fn text(values: &[&str]) -> Vec<Value> {
    values.iter().map(|v| Value::Text(v.to_string())).collect()
}

#[test]
fn specs_follow_the_column_type_and_its_values() {
    let long = "x".repeat(300);
    // (declared, values, expected summary)
    let cases: Vec<(Option<&str>, Vec<Value>, &str)> = vec![
        (
            Some("TEXT"),
            text(&["Gold", "Platinum"]),
            "A (A__c): Text(10)",
        ),
        (
            Some("TEXT"),
            text(&["a fairly long tier name here"]),
            "A (A__c): Text(50)",
        ),
        (Some("TEXT"), vec![], "A (A__c): Text(255)"),
        (Some("TEXT"), text(&[&long]), "A (A__c): LongTextArea(512)"),
        (
            Some("REAL"),
            vec![Value::Real(72.5), Value::Real(100.25)],
            "A (A__c): Number(7, 2)",
        ),
        (
            Some("INTEGER"),
            vec![Value::Integer(12), Value::Integer(4031)],
            "A (A__c): Number(6, 0)",
        ),
        (
            Some("INTEGER"),
            vec![Value::Integer(0), Value::Integer(1)],
            "A (A__c): Checkbox",
        ),
        (Some("BOOLEAN"), vec![], "A (A__c): Checkbox"),
        (Some("REAL"), vec![], "A (A__c): Number(18, 2)"),
        (Some("INTEGER"), vec![], "A (A__c): Number(18, 0)"),
        (
            Some("TEXT"),
            text(&["2024-01-31", "2023-12-01"]),
            "A (A__c): Date",
        ),
        (
            Some("TEXT"),
            text(&["2024-01-31T10:00:00Z"]),
            "A (A__c): DateTime",
        ),
        (Some("DATETIME"), vec![], "A (A__c): DateTime"),
        (Some("TEXT"), text(&["ann@example.com"]), "A (A__c): Email"),
        (None, text(&["16.44%", "4.30%"]), "A (A__c): Text(10)"),
        (
            Some("NUMERIC"),
            vec![Value::Real(1200.5), Value::Integer(3)],
            "A (A__c): Number(7, 1)",
        ),
    ];
    for (declared, values, expected) in cases {
        let spec = derive_spec("A__c", declared, &values, &Source::Column("a"));
        assert_eq!(spec.summary(), expected, "{declared:?} {values:?}");
        spec.check().unwrap_or_else(|e| panic!("{expected}: {e}"));
    }
}

#[test]
fn a_case_expression_becomes_a_picklist_of_its_results() {
    let sql = "CASE WHEN x >= 10 THEN 'VIP' WHEN y THEN 'High Value' WHEN z THEN 'VIP' ELSE 'Standard' END";
    let spec = derive_spec(
        "Segment__c",
        None,
        &text(&["VIP"]),
        &Source::Expression(sql),
    );
    assert_eq!(spec.field_type, FieldType::Picklist);
    assert_eq!(spec.picklist_values, ["VIP", "High Value", "Standard"]);
    // (expression, results)
    let cases = [
        ("case when a then 'x' else 'y' end", Some(vec!["x", "y"])),
        ("CASE WHEN a THEN b ELSE 'y' END", None),
        ("printf('%.2f', a)", None),
        ("CASE WHEN a THEN 'it''s' END", Some(vec!["it's"])),
    ];
    for (sql, expected) in cases {
        let got = case_results(sql);
        let expected = expected.map(|v| v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(got, expected, "{sql}");
    }
}

#[test]
fn checks_name_the_field_and_what_to_change() {
    let number = |p, s| FieldSpec::number("Score__c", FieldType::Number, p, s);
    // (spec, error fragment)
    let cases: Vec<(FieldSpec, &str)> = vec![
        (
            FieldSpec::text("Score", 10),
            "`Score` is not a custom field's API name",
        ),
        (FieldSpec::text("9Score__c", 10), "`9Score__c` is not"),
        (
            FieldSpec::text("Two__Parts__c", 10),
            "`Two__Parts__c` is not",
        ),
        (FieldSpec::text("Trailing___c", 10), "`Trailing___c` is not"),
        (
            FieldSpec::text(&format!("{}__c", "a".repeat(41)), 10),
            "is not a custom field's",
        ),
        (
            FieldSpec::text("Name__c", 0),
            "`Name__c` (Text) needs a length of 1 to 255",
        ),
        (
            FieldSpec::text("Name__c", 256),
            "needs a length of 1 to 255",
        ),
        (number(19, 0), "`Score__c` needs a precision of 1 to 18"),
        (number(0, 0), "needs a precision of 1 to 18"),
        (
            number(5, 6),
            "`Score__c` has a scale of 6, more than its precision of 5",
        ),
        (
            FieldSpec::picklist("Tier__c", &[]),
            "`Tier__c` is a picklist without values",
        ),
        (
            FieldSpec::picklist("Tier__c", &["Gold", "gold"]),
            "lists the picklist value `gold` twice",
        ),
        (
            FieldSpec::new("Flag__c", FieldType::Checkbox).key(),
            "`Flag__c` cannot be an external id",
        ),
        (
            FieldSpec {
                length: Some(10),
                ..FieldSpec::new("When__c", FieldType::Date)
            },
            "`When__c` is a Date, which has no length",
        ),
        (
            FieldSpec {
                label: " ".into(),
                ..FieldSpec::text("Name__c", 10)
            },
            "`Name__c` needs a label",
        ),
        (
            FieldSpec {
                required: true,
                ..FieldSpec::new("Flag__c", FieldType::Checkbox)
            },
            "`Flag__c` cannot be required",
        ),
    ];
    for (spec, fragment) in cases {
        let error = spec.check().expect_err(fragment).to_string();
        assert!(error.contains(fragment), "{error:?} lacks {fragment:?}");
    }
    for ok in [
        FieldSpec::text("Name__c", 255),
        number(18, 18),
        FieldSpec::picklist("Tier__c", &["Gold"]),
        FieldSpec::text("Key__c", 50).key(),
    ] {
        ok.check().expect("valid");
    }
}

#[test]
fn metadata_is_the_tooling_api_shape() {
    let cases = [
        (
            FieldSpec::number("Health_Score__c", FieldType::Number, 5, 2).described("Score"),
            json!({"label":"Health Score","type":"Number","precision":5,"scale":2,"externalId":false,"unique":false,"required":false,"description":"Score"}),
        ),
        (
            FieldSpec::text("Key__c", 50).key(),
            json!({"label":"Key","type":"Text","length":50,"externalId":true,"unique":true,"required":false}),
        ),
        (
            FieldSpec::picklist("Tier__c", &["Gold"]),
            json!({"label":"Tier","type":"Picklist","externalId":false,"unique":false,"required":false,
                   "valueSet":{"restricted":true,"valueSetDefinition":{"sorted":false,"value":[{"fullName":"Gold","label":"Gold","default":false}]}}}),
        ),
        (
            FieldSpec::new("Flag__c", FieldType::Checkbox),
            json!({"label":"Flag","type":"Checkbox","defaultValue":"false","externalId":false,"unique":false,"required":false}),
        ),
        (
            FieldSpec {
                length: Some(32768),
                help_text: "Why".into(),
                ..FieldSpec::new("Notes__c", FieldType::LongTextArea)
            },
            json!({"label":"Notes","type":"LongTextArea","length":32768,"visibleLines":3,"inlineHelpText":"Why","externalId":false,"unique":false,"required":false}),
        ),
        (
            FieldSpec::new("When__c", FieldType::DateTime),
            json!({"label":"When","type":"DateTime","externalId":false,"unique":false,"required":false}),
        ),
    ];
    for (spec, expected) in cases {
        assert_eq!(spec.metadata(), expected, "{}", spec.api_name);
    }
}

#[test]
fn a_spec_file_is_a_checked_json_list() {
    let specs = parse_specs(
        r#"[{"apiName":"Tier__c","label":"Tier","type":"Picklist","picklistValues":["Gold","Silver"]},
            {"apiName":"Score__c","label":"Score","type":"Number","precision":5,"scale":2}]"#,
    )
    .expect("valid");
    assert_eq!(specs.len(), 2);
    assert_eq!(specs[1].precision, Some(5));
    for (text, fragment) in [
        ("{}", "not a JSON list"),
        ("[]", "lists no field"),
        (
            r#"[{"apiName":"X__c","label":"X","type":"Text"}]"#,
            "`X__c` (Text) needs a length",
        ),
        (
            r#"[{"apiName":"X__c","label":"X","type":"Blob"}]"#,
            "not a JSON list",
        ),
        (
            r#"[{"apiName":"X__c","label":"X","type":"Text","length":5,"colour":1}]"#,
            "not a JSON list",
        ),
    ] {
        let error = parse_specs(text).expect_err(text);
        assert!(error.contains(fragment), "{error} lacks {fragment}");
    }
}

fn describe(object: &str, fields: &[&str]) -> crate::salesforce::ObjectDescribe {
    let fields: Vec<_> = fields
        .iter()
        .map(|name| {
            let (name, extra) = match name.split_once("->") {
                Some((name, parent)) => (
                    name,
                    json!({"referenceTo": [parent], "relationshipName": parent}),
                ),
                None => (*name, json!({})),
            };
            let mut field = json!({"name": name, "type": "string"});
            if let (Some(f), Some(e)) = (field.as_object_mut(), extra.as_object()) {
                f.extend(e.clone());
            }
            field
        })
        .collect();
    serde_json::from_value(json!({"name": object, "fields": fields})).expect("describe")
}

#[test]
fn missing_fields_come_from_the_link_the_template_and_the_table() {
    let conn = rusqlite::Connection::open_in_memory().expect("db");
    conn.execute_batch(
        "CREATE TABLE t (id TEXT PRIMARY KEY, sf TEXT, code TEXT, score REAL, plan TEXT, name TEXT);
         INSERT INTO t VALUES ('1', NULL, 'C-0001', 12.5, 'Gold', 'a'), ('2', NULL, 'C-0002', 99.75, 'Silver', 'b');",
    )
    .expect("table");
    let link = Link {
        match_on: MatchKey::ExternalId {
            field: "Code__c".into(),
            column: "code".into(),
        },
        fields: vec![
            FieldMapping::column("name", "Name", Direction::Push),
            FieldMapping::column("name", "Nickname", Direction::Push),
            FieldMapping::column("score", "Score__c", Direction::Push),
            FieldMapping::column("score", "Health_Score__c", Direction::Push),
            FieldMapping::expression(
                "CASE WHEN score > 50 THEN 'Hot' ELSE 'Cold' END",
                "Temperature__c",
            ),
            FieldMapping::column("code", "Account.Code__c", Direction::Push),
            FieldMapping::column("plan", "Plan__c", Direction::Push),
        ],
        ..(crate::sync::templates::find("customer-health")
            .expect("shipped")
            .links)("c")
        .remove(0)
    };
    let link = Link {
        table: "t".into(),
        key: "id".into(),
        id_column: "sf".into(),
        object: "Account".into(),
        ..link
    };
    let own = describe("Account", &["Id", "Name", "Plan__c", "ParentId->Account"]);
    let plan = SetupPlan {
        fields: missing_fields(&link, &own, &Default::default(), &conn),
    };
    let summaries: Vec<String> = plan
        .fields
        .iter()
        .map(|f| format!("{} {}", f.object, f.spec.summary()))
        .collect();
    assert_eq!(
        summaries,
        [
            "Account Code (Code__c): Text(10), external id, unique",
            "Account Score (Score__c): Number(6, 2)",
            "Account Health Score (Health_Score__c): Number(5, 2)",
            "Account Temperature (Temperature__c): Picklist [Hot, Cold]",
        ],
        "Nickname is standard-looking and left to Verify; Plan__c exists; the parent's Code__c is the same field"
    );
    assert!(plan.fields[1].spec.description.contains("`t.score`"));
    plan.check().expect("valid plan");
    assert!(plan.render().contains("Then: permission set Tether_Sync"));
}

#[test]
fn the_package_holds_the_fields_and_the_permission_set() {
    let plan = template_plan("customer-health");
    let files = package_files(&plan);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "package.xml",
            "objects/Account.object",
            "permissionsets/Tether_Sync.permissionset"
        ]
    );
    let text = |name: &str| {
        files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.clone())
            .expect(name)
    };
    for (file, fragment) in [
        ("package.xml", "<members>Account.Health_Score__c</members>"),
        ("package.xml", "<name>CustomField</name>"),
        ("package.xml", "<members>Tether_Sync</members>"),
        (
            "objects/Account.object",
            "<fullName>Health_Score__c</fullName>",
        ),
        ("objects/Account.object", "<precision>5</precision>"),
        ("objects/Account.object", "<fullName>Declining</fullName>"),
        (
            "permissionsets/Tether_Sync.permissionset",
            "<field>Account.Health_Trend__c</field>",
        ),
        (
            "permissionsets/Tether_Sync.permissionset",
            "<editable>true</editable>",
        ),
    ] {
        assert!(
            text(file).contains(fragment),
            "{file} lacks {fragment}:\n{}",
            text(file)
        );
    }
    let zip = package_zip(&plan).expect("zip");
    let archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).expect("readable zip");
    assert_eq!(archive.len(), 3);
    let steps = setup_steps(&plan);
    assert!(steps.contains("1. Setup → Object Manager → Account → Fields & Relationships → New: Data Type Number, Field Label \"Health Score\", Field Name Health_Score; Length 3 and Decimal Places 2"), "{steps}");
    assert!(steps.contains("Manage Assignments"), "{steps}");
}

#[test]
fn the_readme_example_spec_file_is_valid() {
    let readme = include_str!("../../README.md");
    let named = readme
        .find("A `fields.json`:")
        .expect("README shows a fields.json");
    let block = &readme[named..];
    let start = block.find("```json\n").expect("json block") + "```json\n".len();
    let end = block[start..].find("```").expect("block ends");
    let specs = parse_specs(&block[start..start + end]).expect("the README's example is valid");
    assert_eq!(specs.len(), 3);
}
