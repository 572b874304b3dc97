//! `toLabel()` and `FORMAT()` against the examples of Salesforce's SOQL reference
//! ("toLabel()", "FORMAT()"), for the sandbox org's en_US user in GMT.

use super::*;

fn opportunity(n: u64) -> String {
    mint("006", n)
}

fn display_org() -> Memory {
    let mut org = org();
    for (n, forecast, amount, close) in [
        (1, "Forecast", Some(44000.0), "2015-12-28"),
        (2, "BestCase", Some(1200.5), "2024-03-01"),
        (3, "Retired", None, "2024-03-02"),
    ] {
        org.records.push((
            "Opportunity",
            record(
                json!({"Id": opportunity(n), "IsDeleted": false, "Name": format!("Deal {n}"),
                "AccountId": account(1), "StageName": "Prospecting", "ForecastCategory": forecast,
                "Amount": amount, "CloseDate": close,
                "LastModifiedDate": "2025-04-10T15:31:37.000+0000"}),
            ),
        ));
    }
    if let Some((_, r)) = org.records.iter_mut().find(|(_, r)| r["Id"] == account(1)) {
        r.insert("CleanStatus".into(), json!("Matched"));
        r.insert("Type".into(), json!("Prospect"));
    }
    org
}

fn display_run(soql: &str) -> Value {
    let schema = Schema::standard().unwrap();
    let plan = compile(soql, &schema, now()).unwrap_or_else(|e| panic!("{soql}: {}", e.message));
    execute(&plan, &display_org(), false, "v60.0").unwrap()
}

fn display_error(soql: &str) -> SfError {
    let schema = Schema::standard().unwrap();
    match compile(soql, &schema, now()) {
        Ok(_) => panic!("{soql} compiled"),
        Err(e) => e,
    }
}

#[test]
fn to_label_answers_the_label_under_the_field_name_or_alias() {
    let cases: &[(&str, &str, &[Value])] = &[
        (
            "SELECT toLabel(ForecastCategory) FROM Opportunity ORDER BY Name",
            "ForecastCategory",
            &[json!("Commit"), json!("Best Case"), json!("Retired")],
        ),
        (
            "SELECT Name, toLabel(ForecastCategory) forecast FROM Opportunity ORDER BY Name",
            "forecast",
            &[json!("Commit"), json!("Best Case"), json!("Retired")],
        ),
        (
            "SELECT toLabel(CleanStatus) FROM Account WHERE Name = 'Acme Corp'",
            "CleanStatus",
            &[json!("In Sync")],
        ),
    ];
    for (soql, key, expected) in cases {
        let answer = display_run(soql);
        let got: Vec<Value> = answer["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r[*key].clone())
            .collect();
        assert_eq!(&got, expected, "{soql}");
    }
    let parent =
        display_run("SELECT toLabel(Account.CleanStatus) FROM Opportunity WHERE Name = 'Deal 1'");
    assert_eq!(
        parent["records"][0]["Account"]["CleanStatus"],
        json!("In Sync"),
        "{parent}"
    );
    let plain = display_run("SELECT ForecastCategory FROM Opportunity WHERE Name = 'Deal 1'");
    assert_eq!(plain["records"][0]["ForecastCategory"], json!("Forecast"));
}

#[test]
fn to_label_in_where_compares_labels() {
    let cases: &[(&str, &[&str])] = &[
        (
            "SELECT Name FROM Opportunity WHERE toLabel(ForecastCategory) = 'Commit'",
            &["Deal 1"],
        ),
        (
            "SELECT Name FROM Opportunity WHERE toLabel(ForecastCategory) = 'best case'",
            &["Deal 2"],
        ),
        (
            "SELECT Name FROM Opportunity WHERE toLabel(ForecastCategory) IN ('Commit', 'Retired') ORDER BY Name",
            &["Deal 1", "Deal 3"],
        ),
        (
            "SELECT Name FROM Opportunity WHERE toLabel(ForecastCategory) != 'Commit' ORDER BY Name",
            &["Deal 2", "Deal 3"],
        ),
    ];
    for (soql, expected) in cases {
        assert_eq!(names(&display_run(soql), "Name"), *expected, "{soql}");
    }
}

#[test]
fn format_answers_localized_text_with_aliases() {
    let answer = display_run(
        "SELECT Amount, FORMAT(Amount) Amt, FORMAT(CloseDate) closes, FORMAT(LastModifiedDate) editDate FROM Opportunity ORDER BY Name",
    );
    let rows: Vec<(Value, Value, Value, Value)> = answer["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["Amount"].clone(),
                r["Amt"].clone(),
                r["closes"].clone(),
                r["editDate"].clone(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (
                json!(44000.0),
                json!("$44,000.00"),
                json!("12/28/2015"),
                json!("4/10/2025, 3:31 PM")
            ),
            (
                json!(1200.5),
                json!("$1,200.50"),
                json!("3/1/2024"),
                json!("4/10/2025, 3:31 PM")
            ),
            (
                Value::Null,
                Value::Null,
                json!("3/2/2024"),
                json!("4/10/2025, 3:31 PM")
            ),
        ]
    );
    let unaliased = display_run("SELECT FORMAT(Amount) FROM Opportunity WHERE Name = 'Deal 2'");
    assert_eq!(unaliased["records"][0]["Amount"], json!("$1,200.50"));
}

#[test]
fn display_functions_refuse_fields_they_do_not_apply_to() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "SELECT toLabel(Name) FROM Account",
            "INVALID_FIELD",
            "toLabel() can only be used with picklist fields: Name",
        ),
        (
            "SELECT FORMAT(Name) FROM Account",
            "INVALID_FIELD",
            "FORMAT() can only be used with number, currency, percent, date, time and dateTime fields: Name",
        ),
        (
            "SELECT Amount, FORMAT(Amount) FROM Opportunity",
            "MALFORMED_QUERY",
            "duplicate field selected: Amount",
        ),
        (
            "SELECT Name FROM Opportunity WHERE FORMAT(Amount) = '$1.00'",
            "MALFORMED_QUERY",
            "unexpected token: FORMAT",
        ),
    ];
    for (soql, code, tail) in cases {
        let err = display_error(soql);
        assert_eq!(err.code, *code, "{soql}: {}", err.message);
        assert!(err.message.ends_with(tail), "{soql}: {:?}", err.message);
    }
}

#[test]
fn format_writes_aggregate_values_as_the_user_reads_them() {
    let answer = display_run(
        "SELECT FORMAT(MIN(CloseDate)) Amt, FORMAT(SUM(Amount)), COUNT(Id) FROM Opportunity",
    );
    let row = &answer["records"][0];
    assert_eq!(row["Amt"], json!("12/28/2015"), "{answer}");
    assert_eq!(row["expr0"], json!("$45,200.50"), "{answer}");
    assert_eq!(row["expr1"], json!(3), "{answer}");
    let grouped = display_run(
        "SELECT ForecastCategory, FORMAT(MAX(Amount)) top FROM Opportunity GROUP BY ForecastCategory ORDER BY ForecastCategory",
    );
    let tops: Vec<&Value> = grouped["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["top"])
        .collect();
    assert_eq!(
        tops,
        vec![&json!("$1,200.50"), &json!("$44,000.00"), &Value::Null],
        "{grouped}"
    );
    let err = display_error("SELECT FORMAT(MIN(Name)) FROM Opportunity");
    assert_eq!(err.code, "INVALID_FIELD", "{}", err.message);
}

#[test]
fn to_label_of_a_grouped_picklist_answers_labels_under_the_field_name() {
    let answer = display_run(
        "SELECT toLabel(ForecastCategory), COUNT(Id) FROM Opportunity GROUP BY ForecastCategory ORDER BY ForecastCategory",
    );
    let rows: Vec<(Value, Value)> = answer["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["ForecastCategory"].clone(), r["expr0"].clone()))
        .collect();
    assert_eq!(
        rows,
        vec![
            (json!("Best Case"), json!(1)),
            (json!("Commit"), json!(1)),
            (json!("Retired"), json!(1)),
        ],
        "{answer}"
    );
    let err = display_error("SELECT toLabel(Name), COUNT(Id) FROM Account GROUP BY Name");
    assert_eq!(err.code, "INVALID_FIELD", "{}", err.message);
}
