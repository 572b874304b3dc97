//! Aggregate statements against the documented examples of Salesforce's SOQL reference
//! (GROUP BY, GROUP BY ROLLUP and CUBE, GROUPING, aliases, HAVING, date functions).

use chrono::{TimeZone, Utc};
use serde_json::{Map, Value, json};

use super::*;
use crate::ids::mint;
use crate::schema::Schema;
use crate::store::Record;

struct Rows(Vec<(&'static str, Record)>);

impl RecordSource for Rows {
    fn scan(
        &self,
        object: &str,
        _include_deleted: bool,
        visit: &mut dyn FnMut(Record) -> bool,
    ) -> Result<(), SfError> {
        for (o, r) in &self.0 {
            if *o == object && !visit(r.clone()) {
                break;
            }
        }
        Ok(())
    }

    fn get(&self, id: &str) -> Option<Record> {
        self.0
            .iter()
            .find(|(_, r)| r.get("Id").and_then(Value::as_str) == Some(id))
            .map(|(_, r)| r.clone())
    }
}

fn record(v: Value) -> Record {
    v.as_object().cloned().unwrap_or_default()
}

fn run(rows: &Rows, soql: &str) -> Result<Value, SfError> {
    let schema = Schema::standard().unwrap();
    let now = Utc.with_ymd_and_hms(2024, 3, 13, 12, 0, 0).unwrap();
    let plan = compile(soql, &schema, now)?;
    execute(&plan, rows, false, "v60.0")
}

fn answer(rows: &Rows, soql: &str) -> Value {
    run(rows, soql).unwrap_or_else(|e| panic!("{soql}: {} {}", e.code, e.message))
}

/// Each row's fields after `attributes`, as `[value, ...]`; every row is an AggregateResult.
fn table(rows: &Rows, soql: &str) -> Vec<Vec<Value>> {
    let body = answer(rows, soql);
    assert_eq!(body["done"], true, "{soql}");
    let records = body["records"].as_array().cloned().unwrap_or_default();
    assert_eq!(body["totalSize"], json!(records.len()), "{soql}");
    records
        .iter()
        .map(|r| {
            let fields: &Map<String, Value> = r.as_object().unwrap();
            assert_eq!(
                fields.get("attributes"),
                Some(&json!({"type": "AggregateResult"})),
                "{soql}: {r}"
            );
            fields
                .iter()
                .filter(|(k, _)| *k != "attributes")
                .map(|(_, v)| v.clone())
                .collect()
        })
        .collect()
}

fn names(rows: &Rows, soql: &str) -> Vec<String> {
    let body = answer(rows, soql);
    body["records"][0]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

fn leads(spec: &[(&str, Option<&str>, Option<&str>, usize)]) -> Rows {
    let mut out = Vec::new();
    for (source, rating, status, n) in spec {
        for _ in 0..*n {
            let i = out.len() as u64 + 1;
            out.push((
                "Lead",
                record(json!({
                    "Id": mint("00Q", i), "Name": format!("Lead {i}"), "Company": format!("Co {}", i % 3),
                    "LeadSource": source, "Rating": rating, "Status": status,
                })),
            ));
        }
    }
    Rows(out)
}

#[test]
fn rollup_of_one_field_adds_a_grand_total_row() {
    let rows = leads(&[
        ("Web", None, None, 7),
        ("Phone Inquiry", None, None, 4),
        ("Partner Referral", None, None, 4),
        ("Purchased List", None, None, 7),
    ]);
    assert_eq!(
        table(
            &rows,
            "SELECT LeadSource, COUNT(Name) cnt FROM Lead GROUP BY ROLLUP(LeadSource)"
        ),
        vec![
            vec![json!("Web"), json!(7)],
            vec![json!("Phone Inquiry"), json!(4)],
            vec![json!("Partner Referral"), json!(4)],
            vec![json!("Purchased List"), json!(7)],
            vec![Value::Null, json!(22)],
        ]
    );
}

#[test]
fn grouping_tells_subtotal_rows_from_null_values() {
    let rows = leads(&[
        ("Web", None, None, 5),
        ("Web", Some("Hot"), None, 1),
        ("Web", Some("Warm"), None, 1),
        ("Phone Inquiry", Some("Hot"), None, 2),
    ]);
    let soql = "SELECT LeadSource, Rating, GROUPING(LeadSource) grpLS, GROUPING(Rating) grpRating, COUNT(Name) cnt FROM Lead GROUP BY ROLLUP(LeadSource, Rating)";
    assert_eq!(
        names(&rows, soql),
        [
            "attributes",
            "LeadSource",
            "Rating",
            "grpLS",
            "grpRating",
            "cnt"
        ]
    );
    let row =
        |s: Value, r: Value, ls: u8, rt: u8, n: u64| vec![s, r, json!(ls), json!(rt), json!(n)];
    let null = Value::Null;
    assert_eq!(
        table(&rows, soql),
        vec![
            row(json!("Web"), null.clone(), 0, 0, 5),
            row(json!("Web"), json!("Hot"), 0, 0, 1),
            row(json!("Web"), json!("Warm"), 0, 0, 1),
            row(json!("Web"), null.clone(), 0, 1, 7),
            row(json!("Phone Inquiry"), json!("Hot"), 0, 0, 2),
            row(json!("Phone Inquiry"), null.clone(), 0, 1, 2),
            row(null.clone(), null, 1, 1, 9),
        ]
    );
}

#[test]
fn cube_adds_subtotals_for_every_combination() {
    let rows = leads(&[
        ("Web", Some("Hot"), Some("Open"), 2),
        ("Web", Some("Warm"), Some("Closed"), 1),
        ("Phone Inquiry", Some("Hot"), Some("Open"), 3),
    ]);
    let grid = table(
        &rows,
        "SELECT LeadSource, Rating, GROUPING(LeadSource) gs, GROUPING(Rating) gr, COUNT(Id) n FROM Lead GROUP BY CUBE(LeadSource, Rating)",
    );
    // 3 groups, 2 sources, 2 ratings, 1 grand total.
    assert_eq!(grid.len(), 8, "{grid:?}");
    let hot = grid
        .iter()
        .find(|r| r[0].is_null() && r[1] == json!("Hot"))
        .unwrap();
    assert_eq!(hot[2..], [json!(1), json!(0), json!(5)]);
    let total = grid.iter().find(|r| r[2] == json!(1) && r[3] == json!(1));
    assert_eq!(total.map(|r| r[4].clone()), Some(json!(6)));
}

fn opportunities() -> Rows {
    let mut out = vec![
        (
            "Account",
            record(json!({"Id": mint("001", 1), "Name": "Acme", "Industry": "Energy"})),
        ),
        (
            "Account",
            record(json!({"Id": mint("001", 2), "Name": "Globex", "Industry": "Banking"})),
        ),
    ];
    let opps = [
        ("Big", 0.1, "2009-03-01T10:00:00.000+0000", "2009-03-31", 1),
        ("Big", 0.2, "2009-11-05T23:30:00.000+0000", "2009-12-01", 1),
        (
            "Small",
            1200.5,
            "2010-01-02T08:15:00.000+0000",
            "2010-02-01",
            2,
        ),
        (
            "Small",
            99.5,
            "2010-01-02T17:00:00.000+0000",
            "2010-02-02",
            2,
        ),
    ];
    for (i, (name, amount, created, close, account)) in opps.into_iter().enumerate() {
        out.push((
            "Opportunity",
            record(json!({
                "Id": mint("006", i as u64 + 1), "Name": name, "Amount": amount,
                "CreatedDate": created, "CloseDate": close, "AccountId": mint("001", account),
                "StageName": "Prospecting",
            })),
        ));
    }
    Rows(out)
}

#[test]
fn unaliased_aggregates_are_named_expr_in_order() {
    let rows = opportunities();
    assert_eq!(
        names(
            &rows,
            "SELECT Name n, MAX(Amount) max FROM Opportunity GROUP BY Name"
        ),
        ["attributes", "n", "max"]
    );
    assert_eq!(
        names(
            &rows,
            "SELECT Name, MAX(Amount), MIN(Amount) FROM Opportunity GROUP BY Name"
        ),
        ["attributes", "Name", "expr0", "expr1"]
    );
    assert_eq!(
        names(
            &rows,
            "SELECT Name, MAX(Amount), MIN(Amount) min, SUM(Amount) FROM Opportunity GROUP BY Name"
        ),
        ["attributes", "Name", "expr0", "min", "expr1"]
    );
}

#[test]
fn sums_are_exact_and_averages_are_doubles() {
    let rows = opportunities();
    let grid = table(
        &rows,
        "SELECT Name, SUM(Amount) total, AVG(Amount), MIN(CloseDate), MAX(CreatedDate), COUNT(Id), COUNT_DISTINCT(AccountId) FROM Opportunity GROUP BY Name ORDER BY Name",
    );
    // Serialised as written: 0.1 + 0.2 is 0.3, not 0.30000000000000004.
    let text: Vec<String> = grid
        .iter()
        .map(|r| Value::Array(r.clone()).to_string())
        .collect();
    assert_eq!(
        text,
        [
            r#"["Big",0.3,0.15,"2009-03-31","2009-11-05T23:30:00.000+0000",2,1]"#,
            r#"["Small",1300.0,650.0,"2010-02-01","2010-01-02T17:00:00.000+0000",2,1]"#,
        ]
    );
}

#[test]
fn aggregates_without_group_by_answer_one_row_even_over_nothing() {
    let rows = opportunities();
    assert_eq!(
        table(
            &rows,
            "SELECT COUNT(Id), SUM(Amount), MAX(CloseDate) FROM Opportunity WHERE Name = 'none'"
        ),
        vec![vec![json!(0), Value::Null, Value::Null]]
    );
    assert!(
        table(
            &rows,
            "SELECT Name, COUNT(Id) FROM Opportunity WHERE Name = 'none' GROUP BY Name"
        )
        .is_empty()
    );
}

#[test]
fn date_functions_group_filter_and_order() {
    let rows = opportunities();
    assert_eq!(
        table(
            &rows,
            "SELECT CALENDAR_YEAR(CreatedDate), SUM(Amount) FROM Opportunity GROUP BY CALENDAR_YEAR(CreatedDate) ORDER BY CALENDAR_YEAR(CreatedDate) DESC"
        ),
        vec![
            vec![
                json!(2010),
                serde_json::from_str::<Value>("1300.0").unwrap()
            ],
            vec![json!(2009), json!(0.3)],
        ]
    );
    let filtered = answer(
        &rows,
        "SELECT CreatedDate, Amount FROM Opportunity WHERE CALENDAR_YEAR(CreatedDate) = 2009",
    );
    assert_eq!(filtered["totalSize"], 2);
    assert_eq!(filtered["records"][0]["attributes"]["type"], "Opportunity");
    assert_eq!(
        table(
            &rows,
            "SELECT DAY_ONLY(CreatedDate) day, HOUR_IN_DAY(CreatedDate) hour, COUNT(Id) n FROM Opportunity WHERE FISCAL_YEAR(CloseDate) = 2010 GROUP BY DAY_ONLY(CreatedDate), HOUR_IN_DAY(CreatedDate) ORDER BY HOUR_IN_DAY(CreatedDate)"
        ),
        vec![
            vec![json!("2010-01-02"), json!(8), json!(1)],
            vec![json!("2010-01-02"), json!(17), json!(1)],
        ]
    );
    assert_eq!(
        table(
            &rows,
            "SELECT CALENDAR_QUARTER(CloseDate) q, COUNT(Id) n FROM Opportunity WHERE CALENDAR_MONTH(CloseDate) IN (3, 12) GROUP BY CALENDAR_QUARTER(CloseDate) HAVING CALENDAR_QUARTER(CloseDate) > 1"
        ),
        vec![vec![json!(4), json!(1)]]
    );
    assert_eq!(
        answer(
            &rows,
            "SELECT Id FROM Opportunity WHERE HOUR_IN_DAY(convertTimezone(CreatedDate)) > 12 ORDER BY CALENDAR_YEAR(CreatedDate)"
        )["totalSize"],
        2
    );
}

#[test]
fn relationship_fields_group_under_their_field_name() {
    let rows = opportunities();
    assert_eq!(
        names(
            &rows,
            "SELECT Account.Industry, SUM(Amount) FROM Opportunity GROUP BY Account.Industry"
        ),
        ["attributes", "Industry", "expr0"]
    );
    assert_eq!(
        table(
            &rows,
            "SELECT Account.Industry, COUNT(Id) FROM Opportunity GROUP BY Account.Industry ORDER BY Account.Industry"
        ),
        vec![
            vec![json!("Banking"), json!(2)],
            vec![json!("Energy"), json!(2)]
        ]
    );
}

fn accounts(names: &[&str]) -> Rows {
    Rows(
        names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let industry = if i % 2 == 0 { "Energy" } else { "Banking" };
                (
                    "Account",
                    record(json!({"Id": mint("001", i as u64 + 1), "Name": name, "Industry": industry})),
                )
            })
            .collect(),
    )
}

#[test]
fn having_filters_groups_by_aggregates_and_grouped_fields() {
    let rows = accounts(&["Acme", "Acme", "Globex", "Initech", "Initech", "Initech"]);
    assert_eq!(
        table(
            &rows,
            "SELECT Name, Count(Id) FROM Account GROUP BY Name HAVING Count(Id) > 1"
        ),
        vec![
            vec![json!("Acme"), json!(2)],
            vec![json!("Initech"), json!(3)]
        ]
    );
    assert_eq!(
        table(
            &rows,
            "SELECT Name FROM Account GROUP BY Name HAVING Name LIKE 'I%' OR COUNT(Id) IN (1)"
        ),
        vec![vec![json!("Globex")], vec![json!("Initech")]]
    );
}

#[test]
fn order_limit_and_offset_apply_to_rows_by_aggregate_or_alias() {
    let rows = accounts(&["Acme", "Acme", "Globex", "Initech", "Initech", "Initech"]);
    let by_count = |soql: &str| {
        table(&rows, soql)
            .into_iter()
            .map(|r| r[0].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        by_count("SELECT Name, COUNT(Id) n FROM Account GROUP BY Name ORDER BY COUNT(Id) DESC"),
        [json!("Initech"), json!("Acme"), json!("Globex")]
    );
    assert_eq!(
        by_count("SELECT Name, COUNT(Id) n FROM Account GROUP BY Name ORDER BY n LIMIT 2"),
        [json!("Globex"), json!("Acme")]
    );
    assert_eq!(
        by_count(
            "SELECT Name, COUNT(Id) n FROM Account GROUP BY Name ORDER BY n DESC LIMIT 1 OFFSET 1"
        ),
        [json!("Acme")]
    );
}

#[test]
fn count_with_group_by_answers_the_number_of_groups() {
    let rows = accounts(&["Acme", "Acme", "Globex"]);
    let body = answer(&rows, "SELECT COUNT() FROM Account GROUP BY Name");
    assert_eq!(body, json!({"totalSize": 2, "done": true, "records": []}));
}

#[test]
fn more_than_two_thousand_groups_are_refused_without_a_limit() {
    let names: Vec<String> = (0..2001).map(|i| format!("Account {i:04}")).collect();
    let rows = accounts(&names.iter().map(String::as_str).collect::<Vec<_>>());
    let err = run(&rows, "SELECT Name, COUNT(Id) FROM Account GROUP BY Name").unwrap_err();
    assert_eq!(
        (err.code.as_str(), err.message.as_str()),
        (
            "EXCEEDED_ID_LIMIT",
            "Aggregate query does not support queryMore(), use LIMIT to restrict the results to a single batch"
        )
    );
    let limited = answer(
        &rows,
        "SELECT Name, COUNT(Id) FROM Account GROUP BY Name LIMIT 2000",
    );
    assert_eq!(limited["totalSize"], 2000);
    assert_eq!(limited["done"], true);
    assert!(limited.get("nextRecordsUrl").is_none());
}

#[test]
fn misuse_answers_the_orgs_errors() {
    let rows = accounts(&["Acme"]);
    let cases: &[(&str, &str, &str)] = &[
        (
            "SELECT Name, COUNT(Id) FROM Account",
            "MALFORMED_QUERY",
            "Field must be grouped or aggregated: Name",
        ),
        (
            "SELECT Name, COUNT(Id) FROM Account GROUP BY Industry",
            "MALFORMED_QUERY",
            "Field must be grouped or aggregated: Name",
        ),
        (
            "SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry ORDER BY Name",
            "MALFORMED_QUERY",
            "Ordered field must be grouped or aggregated: Name",
        ),
        (
            "SELECT SUM(Name) FROM Account",
            "MALFORMED_QUERY",
            "field Name does not support aggregate operator SUM",
        ),
        (
            "SELECT AVG(CreatedDate) FROM Account",
            "MALFORMED_QUERY",
            "field CreatedDate does not support aggregate operator AVG",
        ),
        (
            "SELECT COUNT(Id) FROM Account GROUP BY AnnualRevenue",
            "INVALID_FIELD",
            "field 'AnnualRevenue' can not be grouped in a query call",
        ),
        (
            "SELECT CALENDAR_YEAR(Name), COUNT(Id) FROM Account GROUP BY CALENDAR_YEAR(Name)",
            "INVALID_FIELD",
            "CALENDAR_YEAR can only be used on a date or dateTime field, and Name is not one",
        ),
        (
            "SELECT Id FROM Opportunity WHERE DAY_ONLY(CloseDate) = 2024-01-01",
            "INVALID_FIELD",
            "DAY_ONLY can only be used on a dateTime field, and CloseDate is not one",
        ),
        (
            "SELECT CALENDAR_YEAR(CreatedDate) FROM Account",
            "MALFORMED_QUERY",
            "Field must be grouped or aggregated: CreatedDate",
        ),
        (
            "SELECT Id FROM Account WHERE COUNT(Id) > 1",
            "MALFORMED_QUERY",
            "Aggregate functions are not allowed in WHERE; filter on them with HAVING",
        ),
        (
            "SELECT Name n FROM Account",
            "MALFORMED_QUERY",
            "unexpected token: n",
        ),
        (
            "SELECT COUNT(), Name FROM Account GROUP BY Name",
            "MALFORMED_QUERY",
            "COUNT() must be the only element in the SELECT list",
        ),
        (
            "SELECT COUNT(Id) FROM Account GROUP BY ROLLUP(Name, Industry, Rating, Site)",
            "MALFORMED_QUERY",
            "GROUP BY ROLLUP and GROUP BY CUBE take at most 3 fields",
        ),
        (
            "SELECT MAX(CreatedDate) FROM Account LIMIT 1",
            "MALFORMED_QUERY",
            "answers one row and takes no LIMIT; remove the LIMIT or add a GROUP BY",
        ),
        (
            "SELECT convertTimezone(CreatedDate) FROM Opportunity",
            "MALFORMED_QUERY",
            "unexpected token: convertTimezone",
        ),
        (
            "SELECT CreatedDate, Amount FROM Opportunity WHERE CALENDAR_YEAR(CreatedDate) = THIS_YEAR",
            "INVALID_FIELD",
            "must be of type integer and should not be enclosed in quotes",
        ),
        (
            "SELECT CALENDAR_YEAR(CreatedDate), Amount FROM Opportunity",
            "MALFORMED_QUERY",
            "Field must be grouped or aggregated: CreatedDate",
        ),
        (
            "SELECT Name, COUNT(Id) FROM Account GROUP BY Name HAVING COUNT(Id) > 'x'",
            "INVALID_FIELD",
            "must be of type integer and should not be enclosed in quotes",
        ),
    ];
    for (soql, code, detail) in cases {
        let err = run(&rows, soql).expect_err(soql);
        assert_eq!(err.code, *code, "{soql}: {}", err.message);
        assert!(err.message.ends_with(detail), "{soql}: {}", err.message);
        assert!(err.message.contains("ERROR at Row:1:Column:"), "{soql}");
    }
}

#[test]
fn min_and_max_of_a_picklist_follow_its_order_not_the_alphabet() {
    let stages = [
        "Qualification",
        "Closed Won",
        "Prospecting",
        "Qualification",
    ];
    let rows = Rows(
        stages
            .iter()
            .enumerate()
            .map(|(i, stage)| {
                (
                    "Opportunity",
                    record(json!({"Id": mint("006", i as u64 + 1), "Name": "Deal", "StageName": stage})),
                )
            })
            .collect(),
    );
    assert_eq!(
        table(
            &rows,
            "SELECT MIN(StageName), MAX(StageName), MAX(Name) FROM Opportunity"
        ),
        vec![vec![
            json!("Prospecting"),
            json!("Closed Won"),
            json!("Deal")
        ]]
    );
}
