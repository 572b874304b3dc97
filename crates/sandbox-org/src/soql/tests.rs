//! Compiling and running statements over an in-memory record source.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};

use super::*;
use crate::ids::mint;
use crate::schema::Schema;
use crate::store::Record;

mod display;
mod relations;

struct Memory {
    records: Vec<(&'static str, Record)>,
}

impl RecordSource for Memory {
    fn scan(
        &self,
        object: &str,
        include_deleted: bool,
        visit: &mut dyn FnMut(Record) -> bool,
    ) -> Result<(), SfError> {
        for (o, r) in &self.records {
            let deleted = r.get("IsDeleted") == Some(&Value::Bool(true));
            if *o == object && (include_deleted || !deleted) && !visit(r.clone()) {
                break;
            }
        }
        Ok(())
    }

    fn get(&self, id: &str) -> Option<Record> {
        self.records
            .iter()
            .find(|(_, r)| r["Id"] == id)
            .map(|(_, r)| r.clone())
    }
}

fn record(v: Value) -> Record {
    v.as_object().cloned().unwrap_or_default()
}

fn user(n: u64) -> String {
    mint("005", n)
}
fn account(n: u64) -> String {
    mint("001", n)
}
fn contact(n: u64) -> String {
    mint("003", n)
}

/// 2024-03-13T12:00:00Z, a Wednesday.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 13, 12, 0, 0).unwrap()
}

fn org() -> Memory {
    let mut records = vec![
        (
            "User",
            record(json!({"Id": user(1), "IsDeleted": false, "Name": "Avery Admin"})),
        ),
        (
            "User",
            record(json!({"Id": user(2), "IsDeleted": false, "Name": "Blake Rep"})),
        ),
    ];
    let accounts = [
        (
            1,
            "Acme Corp",
            Some("Energy"),
            Some(250),
            "2024-03-13T09:30:00.000+0000",
            1,
        ),
        (
            2,
            "acme labs",
            None,
            Some(12),
            "2024-03-12T23:59:59.999+0000",
            2,
        ),
        (
            3,
            "Globex 50% Off",
            Some("Retail"),
            None,
            "2024-02-01T00:00:00.000+0000",
            1,
        ),
        (
            4,
            "Initech",
            Some("Technology"),
            Some(5000),
            "2023-12-31T10:00:00.000+0000",
            2,
        ),
    ];
    for (n, name, industry, employees, stamp, owner) in accounts {
        records.push((
            "Account",
            record(json!({
                "Id": account(n), "IsDeleted": false, "Name": name, "Industry": industry,
                "NumberOfEmployees": employees, "OwnerId": user(owner), "SystemModstamp": stamp,
                "CreatedDate": stamp,
            })),
        ));
    }
    records.push((
        "Account",
        record(
            json!({"Id": account(5), "IsDeleted": true, "Name": "Gone Inc", "OwnerId": user(1),
            "SystemModstamp": "2024-03-10T00:00:00.000+0000"}),
        ),
    ));
    let contacts = [
        (1, "Ng", Some(1), Some("2024-03-13")),
        (2, "Ortiz", Some(4), Some("2024-03-10")),
        (3, "Park", None, None),
    ];
    for (n, last, acct, birth) in contacts {
        records.push((
            "Contact",
            record(json!({
                "Id": contact(n), "IsDeleted": false, "LastName": last, "AccountId": acct.map(account),
                "Birthdate": birth,
            })),
        ));
    }
    Memory { records }
}

fn run(soql: &str) -> Value {
    let schema = Schema::standard().unwrap();
    let plan = compile(soql, &schema, now()).unwrap_or_else(|e| panic!("{soql}: {}", e.message));
    execute(&plan, &org(), false, "v60.0").unwrap()
}

fn names(answer: &Value, key: &str) -> Vec<String> {
    answer["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[key].as_str().unwrap_or("null").to_string())
        .collect()
}

#[test]
fn filters_and_orders_as_a_real_org() {
    let cases: &[(&str, &[&str])] = &[
        (
            "SELECT Name FROM Account ORDER BY Name",
            &["Acme Corp", "acme labs", "Globex 50% Off", "Initech"],
        ),
        (
            "SELECT Name FROM Account WHERE Name = 'ACME CORP'",
            &["Acme Corp"],
        ),
        (
            "SELECT Name FROM Account WHERE Name LIKE 'acme%' ORDER BY Name DESC",
            &["acme labs", "Acme Corp"],
        ),
        (
            "SELECT Name FROM Account WHERE Name LIKE '%50\\% off'",
            &["Globex 50% Off"],
        ),
        (
            "SELECT Name FROM Account WHERE Name LIKE '_nitech'",
            &["Initech"],
        ),
        (
            "SELECT Name FROM Account WHERE Industry = null ORDER BY Name",
            &["acme labs"],
        ),
        (
            "SELECT Name FROM Account WHERE Industry != 'Energy' ORDER BY Name",
            &["acme labs", "Globex 50% Off", "Initech"],
        ),
        (
            "SELECT Name FROM Account WHERE Industry IN ('energy', 'RETAIL') ORDER BY Name",
            &["Acme Corp", "Globex 50% Off"],
        ),
        (
            "SELECT Name FROM Account WHERE Industry NOT IN ('Energy') ORDER BY Name",
            &["acme labs", "Globex 50% Off", "Initech"],
        ),
        (
            "SELECT Name FROM Account WHERE NumberOfEmployees > 12 ORDER BY NumberOfEmployees DESC",
            &["Initech", "Acme Corp"],
        ),
        (
            "SELECT Name FROM Account WHERE NumberOfEmployees <= 250 ORDER BY Name",
            &["Acme Corp", "acme labs"],
        ),
        (
            "SELECT Name FROM Account ORDER BY NumberOfEmployees",
            &["Globex 50% Off", "acme labs", "Acme Corp", "Initech"],
        ),
        (
            "SELECT Name FROM Account ORDER BY NumberOfEmployees DESC",
            &["Initech", "Acme Corp", "acme labs", "Globex 50% Off"],
        ),
        (
            "SELECT Name FROM Account ORDER BY NumberOfEmployees ASC NULLS LAST",
            &["acme labs", "Acme Corp", "Initech", "Globex 50% Off"],
        ),
        (
            "SELECT Name FROM Account ORDER BY Owner.Name DESC, Name",
            &["acme labs", "Initech", "Acme Corp", "Globex 50% Off"],
        ),
        (
            "SELECT Name FROM Account WHERE Owner.Name = 'blake rep' ORDER BY Name",
            &["acme labs", "Initech"],
        ),
        (
            "SELECT Name FROM Account WHERE (Industry = 'Energy' OR Industry = 'Retail') AND NOT Name LIKE 'G%'",
            &["Acme Corp"],
        ),
        (
            "SELECT Name FROM Account ORDER BY Name LIMIT 2 OFFSET 1",
            &["acme labs", "Globex 50% Off"],
        ),
        (
            "SELECT Name FROM Account WHERE SystemModstamp >= 2024-03-12T23:59:59.999Z ORDER BY SystemModstamp, Id",
            &["acme labs", "Acme Corp"],
        ),
        (
            "SELECT Name FROM Account WHERE SystemModstamp > 2024-03-13T01:00:00+02:00 ORDER BY Name",
            &["Acme Corp", "acme labs"],
        ),
        (
            "SELECT Name FROM Account WHERE CreatedDate = TODAY",
            &["Acme Corp"],
        ),
        (
            "SELECT Name FROM Account WHERE CreatedDate = YESTERDAY",
            &["acme labs"],
        ),
        (
            "SELECT Name FROM Account WHERE CreatedDate < LAST_N_DAYS:45 ORDER BY Name",
            &["Initech"],
        ),
        (
            "SELECT Name FROM Account WHERE CreatedDate = LAST_N_DAYS:45 ORDER BY Name",
            &["Acme Corp", "acme labs", "Globex 50% Off"],
        ),
        ("SELECT Name FROM Account WHERE CreatedDate > TODAY", &[]),
        (
            "SELECT Name FROM Account WHERE CreatedDate >= THIS_MONTH ORDER BY Name",
            &["Acme Corp", "acme labs"],
        ),
        (
            "SELECT LastName FROM Contact WHERE Birthdate = 2024-03-13",
            &["Ng"],
        ),
        (
            "SELECT LastName FROM Contact WHERE Birthdate = NEXT_N_DAYS:3",
            &[],
        ),
        (
            "SELECT LastName FROM Contact WHERE Birthdate = LAST_N_DAYS:3 ORDER BY LastName",
            &["Ng", "Ortiz"],
        ),
        (
            "SELECT LastName FROM Contact WHERE Account.Industry = 'Technology'",
            &["Ortiz"],
        ),
        (
            "SELECT LastName FROM Contact WHERE Account.Owner.Name LIKE 'avery%'",
            &["Ng"],
        ),
        (
            "SELECT LastName FROM Contact WHERE AccountId = null",
            &["Park"],
        ),
    ];
    for (soql, want) in cases {
        let answer = run(soql);
        let key = if soql.contains("FROM Contact") {
            "LastName"
        } else {
            "Name"
        };
        assert_eq!(names(&answer, key), *want, "{soql}");
        assert_eq!(answer["totalSize"], want.len(), "{soql}");
    }
}

#[test]
fn ids_compare_in_15_and_18_character_forms() {
    let id18 = account(2);
    for literal in [id18.clone(), id18[..15].to_string(), id18.to_lowercase()] {
        let answer = run(&format!("SELECT Name FROM Account WHERE Id = '{literal}'"));
        assert_eq!(names(&answer, "Name"), ["acme labs"], "{literal}");
    }
}

#[test]
fn records_have_the_real_shape() {
    let answer =
        run("select lastname, account.name, ACCOUNT.owner.name, id from contact order by lastname");
    let first = &answer["records"][0];
    let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["attributes", "LastName", "Account", "Id"]);
    assert_eq!(
        first["attributes"],
        json!({"type": "Contact", "url": format!("/services/data/v60.0/sobjects/Contact/{}", contact(1))})
    );
    assert_eq!(
        first["Account"],
        json!({
            "attributes": {"type": "Account", "url": format!("/services/data/v60.0/sobjects/Account/{}", account(1))},
            "Name": "Acme Corp",
            "Owner": {
                "attributes": {"type": "User", "url": format!("/services/data/v60.0/sobjects/User/{}", user(1))},
                "Name": "Avery Admin",
            },
        })
    );
    assert_eq!(answer["records"][2]["Account"], Value::Null);
    assert_eq!(answer["records"][2]["LastName"], "Park");
}

#[test]
fn counting() {
    assert_eq!(
        run("SELECT COUNT() FROM Account"),
        json!({"totalSize": 4, "done": true, "records": []})
    );
    assert_eq!(
        run("SELECT COUNT() FROM Account WHERE Name LIKE 'acme%' LIMIT 1")["totalSize"],
        1
    );
    let answer = run("SELECT COUNT(Id), COUNT(Industry) withIndustry FROM Account");
    assert_eq!(
        answer,
        json!({"totalSize": 1, "done": true, "records": [
            {"attributes": {"type": "AggregateResult"}, "expr0": 4, "withIndustry": 3}
        ]})
    );
}

#[test]
fn deleted_rows_only_when_asked() {
    let schema = Schema::standard().unwrap();
    let plan = compile(
        "SELECT Name, IsDeleted FROM Account WHERE IsDeleted = true",
        &schema,
        now(),
    )
    .unwrap();
    assert_eq!(
        execute(&plan, &org(), false, "v60.0").unwrap()["totalSize"],
        0
    );
    let all = execute(&plan, &org(), true, "v60.0").unwrap();
    assert_eq!(names(&all, "Name"), ["Gone Inc"]);
}

#[test]
fn limit_without_order_stops_the_scan_early() {
    let schema = Schema::standard().unwrap();
    let plan = compile("SELECT Id FROM Account LIMIT 2", &schema, now()).unwrap();
    assert_eq!(
        matching_ids(&plan, &org(), false).unwrap(),
        [account(1), account(2)]
    );
}

#[test]
fn names_resolve_to_describe_case_and_columns_are_dotted() {
    let schema = Schema::standard().unwrap();
    let plan = compile("select id, account.OWNER.name from CONTACT", &schema, now()).unwrap();
    assert_eq!(plan.object, "Contact");
    let Output::Records(columns) = &plan.output else {
        panic!("records expected")
    };
    let dotted: Vec<String> = columns.iter().map(|c| c.path.dotted()).collect();
    assert_eq!(dotted, ["Id", "Account.Owner.Name"]);
    let answer = run("select id, name from account where name = 'initech'");
    let keys: Vec<&String> = answer["records"][0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["attributes", "Id", "Name"]);
}

const INVALID_FIELD_TAIL: &str = "If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.";

#[test]
fn schema_errors_are_worded_as_a_real_org() {
    let cases: &[(&str, &str, String)] = &[
        (
            "SELECT Foo FROM Account",
            "INVALID_FIELD",
            format!("\nSELECT Foo FROM Account\n       ^\nERROR at Row:1:Column:8\nNo such column 'Foo' on entity 'Account'. {INVALID_FIELD_TAIL}"),
        ),
        (
            "SELECT Id FROM Acount",
            "INVALID_TYPE",
            "\nSELECT Id FROM Acount\n               ^\nERROR at Row:1:Column:16\nsObject type 'Acount' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.".to_string(),
        ),
        (
            "SELECT Id FROM Account WHERE NumberOfEmployees = '5'",
            "INVALID_FIELD",
            "\nSELECT Id FROM Account WHERE NumberOfEmployees = '5'\n                             ^\nERROR at Row:1:Column:30\nvalue of filter criterion for field 'NumberOfEmployees' must be of type integer and should not be enclosed in quotes".to_string(),
        ),
        (
            "SELECT Id FROM Account WHERE Name = 5",
            "INVALID_FIELD",
            "\nSELECT Id FROM Account WHERE Name = 5\n                             ^\nERROR at Row:1:Column:30\nvalue of filter criterion for field 'Name' must be of type string and should be enclosed in quotes".to_string(),
        ),
        (
            "SELECT Id FROM Contact WHERE Acount.Name = 'x'",
            "INVALID_FIELD",
            "\nSELECT Id FROM Contact WHERE Acount.Name = 'x'\n                             ^\nERROR at Row:1:Column:30\nDidn't understand relationship 'Acount' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.".to_string(),
        ),
        (
            "SELECT Account.Nme FROM Contact",
            "INVALID_FIELD",
            format!("\nSELECT Account.Nme FROM Contact\n               ^\nERROR at Row:1:Column:16\nNo such column 'Nme' on entity 'Account'. {INVALID_FIELD_TAIL}"),
        ),
        (
            "SELECT Id FROM Account WHERE Id = 'abc'",
            "INVALID_QUERY_FILTER_OPERATOR",
            "\nSELECT Id FROM Account WHERE Id = 'abc'\n                                  ^\nERROR at Row:1:Column:35\ninvalid ID field: abc".to_string(),
        ),
        (
            "SELECT Id FROM Account WHERE Description = 'x'",
            "INVALID_FIELD",
            "\nSELECT Id FROM Account WHERE Description = 'x'\n                             ^\nERROR at Row:1:Column:30\nfield 'Description' can not be filtered in a query call".to_string(),
        ),
        (
            "SELECT Id FROM Account ORDER BY Description",
            "INVALID_FIELD",
            "\nSELECT Id FROM Account ORDER BY Description\n                                ^\nERROR at Row:1:Column:33\nfield 'Description' can not be sorted in a query call".to_string(),
        ),
        (
            "SELECT Id FROM Account OFFSET 2001",
            "NUMBER_OUTSIDE_VALID_RANGE",
            "\nSELECT Id FROM Account OFFSET 2001\n                              ^\nERROR at Row:1:Column:31\nMaximum SOQL offset allowed is 2000".to_string(),
        ),
    ];
    let schema = Schema::standard().unwrap();
    for (soql, code, message) in cases {
        let err = compile(soql, &schema, now()).unwrap_err();
        assert_eq!(
            (err.code.as_str(), &err.message),
            (*code, message),
            "{soql}"
        );
    }
}

#[test]
fn literal_types_must_match_the_field() {
    let cases: &[(&str, &str)] = &[
        (
            "SELECT Id FROM Account WHERE CreatedDate > 2024-01-01",
            "must be of type dateTime",
        ),
        (
            "SELECT Id FROM Contact WHERE Birthdate > 2024-01-01T00:00:00Z",
            "must be of type date",
        ),
        (
            "SELECT Id FROM Account WHERE IsDeleted = 'true'",
            "must be of type boolean",
        ),
        (
            "SELECT Id FROM Account WHERE AnnualRevenue = TODAY",
            "must be of type double",
        ),
        (
            "SELECT Id FROM Account WHERE Industry IN ('Energy', 3)",
            "must be of type string",
        ),
        (
            "SELECT Id FROM Account WHERE OwnerId = 5",
            "must be of type id",
        ),
        (
            "SELECT Id FROM Account WHERE NumberOfEmployees LIKE '5%'",
            "invalid operator on field",
        ),
        (
            "SELECT Id FROM Account WHERE BillingAddress = null",
            "can not be filtered",
        ),
        (
            "SELECT Id, Name, id FROM Account",
            "duplicate field selected: Id",
        ),
        (
            "SELECT COUNT(), Name FROM Account",
            "COUNT() must be the only element",
        ),
        (
            "SELECT COUNT(Id), Name FROM Account",
            "Field must be grouped or aggregated: Name",
        ),
        (
            "SELECT Account.Owner.Manager.Account.Owner.Account.Name FROM Contact",
            "more than 5 levels",
        ),
    ];
    let schema = Schema::standard().unwrap();
    for (soql, fragment) in cases {
        let err = compile(soql, &schema, now()).unwrap_err();
        assert!(err.message.contains(fragment), "{soql}: {}", err.message);
    }
}

#[test]
fn the_object_name_may_prefix_its_own_fields() {
    let answer = run("SELECT Account.Name FROM Account WHERE Account.Name = 'Initech'");
    assert_eq!(names(&answer, "Name"), ["Initech"]);
}
