//! Relationship queries against the examples of Salesforce's SOQL reference ("Relationship
//! Queries", "Semi-Joins and Anti-Joins", "FIELDS()", "TYPEOF", "Querying Multi-Select
//! Picklists"), over the in-memory org of the parent module plus opportunities and events.

use super::*;

fn opportunity(n: u64) -> String {
    mint("006", n)
}
fn event(n: u64) -> String {
    mint("00U", n)
}

fn rel_org() -> Memory {
    let mut org = org();
    for (n, interests) in [
        (1, Some("Solar;Batteries")),
        (2, Some("Heat Pumps")),
        (3, Some("Solar")),
        (4, None),
    ] {
        if let Some((_, r)) = org.records.iter_mut().find(|(_, r)| r["Id"] == account(n)) {
            r.insert("Interests__c".into(), json!(interests));
            r.insert("Phone".into(), json!(format!("555-000{n}")));
        }
    }
    for (n, last, acct) in [(4, "Apple", 2), (5, "Nguyen", 1)] {
        org.records.push((
            "Contact",
            record(json!({"Id": contact(n), "IsDeleted": false, "LastName": last, "AccountId": account(acct), "Email": format!("{}@example.com", last.to_lowercase())})),
        ));
    }
    for (n, name, acct, stage, closed) in [
        (1, "Acme lost", 1, "Closed Lost", true),
        (2, "Labs open", 2, "Prospecting", false),
        (3, "Acme won", 1, "Closed Won", true),
    ] {
        org.records.push((
            "Opportunity",
            record(json!({"Id": opportunity(n), "IsDeleted": false, "Name": name, "AccountId": account(acct),
                "StageName": stage, "IsClosed": closed, "Amount": 100 * n, "CloseDate": "2024-03-01"})),
        ));
    }
    for (n, what, who) in [
        (1, Some(account(1)), Some(contact(1))),
        (2, Some(opportunity(2)), None),
        (3, None, Some(contact(4))),
    ] {
        org.records.push((
            "Event",
            record(json!({"Id": event(n), "IsDeleted": false, "Subject": format!("Visit {n}"), "WhatId": what, "WhoId": who})),
        ));
    }
    org
}

fn rel_run(soql: &str) -> Value {
    let schema = Schema::standard().unwrap();
    let plan = compile(soql, &schema, now()).unwrap_or_else(|e| panic!("{soql}: {}", e.message));
    execute(&plan, &rel_org(), false, "v60.0").unwrap()
}

fn rel_error(soql: &str) -> SfError {
    let schema = Schema::standard().unwrap();
    match compile(soql, &schema, now()) {
        Ok(_) => panic!("{soql}: compiled"),
        Err(e) => e,
    }
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

fn child_names(parent: &Value, relationship: &str, field: &str) -> Option<Vec<String>> {
    let nested = &parent[relationship];
    if nested.is_null() {
        return None;
    }
    assert_eq!(nested["done"], true);
    let records = nested["records"].as_array().unwrap();
    assert_eq!(nested["totalSize"], records.len());
    Some(
        records
            .iter()
            .map(|r| r[field].as_str().unwrap().to_string())
            .collect(),
    )
}

#[test]
fn child_subqueries_nest_each_parents_records() {
    let answer = rel_run(
        "SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName) FROM Account ORDER BY Name",
    );
    assert_eq!(
        names(&answer, "Name"),
        ["Acme Corp", "acme labs", "Globex 50% Off", "Initech"]
    );
    let records = answer["records"].as_array().unwrap();
    let kids: Vec<Option<Vec<String>>> = records
        .iter()
        .map(|r| child_names(r, "Contacts", "LastName"))
        .collect();
    assert_eq!(
        kids,
        [
            Some(vec!["Ng".to_string(), "Nguyen".to_string()]),
            Some(vec!["Apple".to_string()]),
            None,
            Some(vec!["Ortiz".to_string()]),
        ]
    );
    assert_eq!(keys(&records[0]), ["attributes", "Name", "Contacts"]);
    let child = &records[0]["Contacts"]["records"][0];
    assert_eq!(child["attributes"]["type"], "Contact");
    assert_eq!(
        child["attributes"]["url"],
        format!("/services/data/v60.0/sobjects/Contact/{}", contact(1))
    );
    assert_eq!(keys(child), ["attributes", "LastName"]);
}

#[test]
fn child_subqueries_filter_order_and_limit_per_parent() {
    let cases: &[(&str, &[Option<&[&str]>])] = &[
        (
            "SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName DESC LIMIT 1) FROM Account WHERE Name LIKE 'acme%' ORDER BY Name",
            &[Some(&["Nguyen"]), Some(&["Apple"])],
        ),
        (
            "SELECT Name, (SELECT LastName FROM contacts WHERE LastName LIKE 'ng%' ORDER BY LastName) FROM Account WHERE Name LIKE 'acme%' ORDER BY Name",
            &[Some(&["Ng", "Nguyen"]), None],
        ),
        (
            "SELECT Name, (SELECT Name FROM Opportunities WHERE IsClosed = true ORDER BY Amount DESC) FROM Account WHERE Name LIKE 'acme%' ORDER BY Name",
            &[Some(&["Acme won", "Acme lost"]), None],
        ),
    ];
    for (soql, want) in cases {
        let answer = rel_run(soql);
        let relationship = if soql.contains("Opportunities") {
            "Opportunities"
        } else {
            "Contacts"
        };
        let field = if relationship == "Contacts" {
            "LastName"
        } else {
            "Name"
        };
        let got: Vec<Option<Vec<String>>> = answer["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| child_names(r, relationship, field))
            .collect();
        let want: Vec<Option<Vec<String>>> = want
            .iter()
            .map(|w| w.map(|names| names.iter().map(|n| n.to_string()).collect()))
            .collect();
        assert_eq!(got, want, "{soql}");
    }
}

#[test]
fn the_parent_may_be_named_before_the_relationship_and_the_child_before_its_fields() {
    let answer = rel_run(
        "SELECT Account.Name, (SELECT Contact.LastName FROM Account.Contacts ORDER BY Contact.LastName) FROM Account WHERE Name = 'Acme Corp'",
    );
    let acme = &answer["records"][0];
    assert_eq!(acme["Name"], "Acme Corp");
    assert_eq!(
        child_names(acme, "Contacts", "LastName"),
        Some(vec!["Ng".to_string(), "Nguyen".to_string()])
    );
    let err = rel_error("SELECT Name, (SELECT LastName FROM Contact.Contacts) FROM Account");
    assert_eq!(err.code, "INVALID_TYPE");
    assert!(
        err.message
            .contains("Didn't understand relationship 'Contact.Contacts' in FROM part"),
        "{}",
        err.message
    );
    let err = rel_error("SELECT Name FROM Account.Contacts");
    assert_eq!(err.code, "INVALID_TYPE");
}

#[test]
fn child_records_keep_select_order_and_their_own_parent_paths() {
    let answer = rel_run(
        "SELECT (SELECT LastName, Account.Name FROM Contacts ORDER BY LastName), Name FROM Account WHERE Name = 'Acme Corp'",
    );
    let acme = &answer["records"][0];
    assert_eq!(keys(acme), ["attributes", "Contacts", "Name"]);
    assert_eq!(
        acme["Contacts"]["records"][1]["Account"]["Name"],
        "Acme Corp"
    );
}

#[test]
fn child_subquery_errors_are_worded_as_a_real_org() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "SELECT Name, (SELECT LastName FROM Contactz) FROM Account",
            "INVALID_TYPE",
            "\nSELECT Name, (SELECT LastName FROM Contactz) FROM Account\n                                   ^\nERROR at Row:1:Column:36\nDidn't understand relationship 'Contactz' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.",
        ),
        (
            "SELECT Name, (SELECT Foo FROM Contacts) FROM Account",
            "INVALID_FIELD",
            "No such column 'Foo' on entity 'Contact'.",
        ),
        (
            "SELECT Name, (SELECT LastName, (SELECT Subject FROM Events) FROM Contacts) FROM Account",
            "MALFORMED_QUERY",
            "SOQL statements cannot query aggregate relationships more than 1 level away from the root entity object.",
        ),
    ];
    for (soql, code, text) in cases {
        let err = rel_error(soql);
        assert_eq!(err.code, *code, "{soql}");
        assert!(err.message.contains(text), "{soql}: {:?}", err.message);
    }
}

#[test]
fn semi_and_anti_joins_filter_by_ids_a_subquery_selects() {
    let cases: &[(&str, &[&str])] = &[
        (
            "SELECT Id, Name FROM Account WHERE Id IN (SELECT AccountId FROM Opportunity WHERE StageName = 'Closed Lost')",
            &["Acme Corp"],
        ),
        (
            "SELECT Name FROM Account WHERE Id NOT IN (SELECT AccountId FROM Opportunity WHERE IsClosed = false) ORDER BY Name",
            &["Acme Corp", "Globex 50% Off", "Initech"],
        ),
        (
            "SELECT Name FROM Opportunity WHERE AccountId IN (SELECT AccountId FROM Contact WHERE LastName LIKE 'apple%')",
            &["Labs open"],
        ),
        (
            "SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE LastName LIKE 'Ng%') AND Id IN (SELECT AccountId FROM Opportunity WHERE IsClosed = true)",
            &["Acme Corp"],
        ),
        (
            "SELECT LastName FROM Contact WHERE AccountId IN (SELECT Id FROM Account WHERE Industry = 'Technology')",
            &["Ortiz"],
        ),
        (
            "SELECT Name, (SELECT LastName FROM Contacts) FROM Account WHERE Id IN (SELECT AccountId FROM Opportunity) ORDER BY Name",
            &["Acme Corp", "acme labs"],
        ),
    ];
    for (soql, want) in cases {
        let key = if soql.starts_with("SELECT LastName") {
            "LastName"
        } else {
            "Name"
        };
        assert_eq!(names(&rel_run(soql), key), *want, "{soql}");
    }
}

#[test]
fn semi_join_limits_are_refused_as_a_real_org_does() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "SELECT Name FROM Account WHERE Name IN (SELECT Name FROM Contact)",
            "INVALID_FIELD",
            "semi join sub selects are only supported on id fields, cannot use: 'Name'",
        ),
        (
            "SELECT Name FROM Account WHERE Id IN (SELECT LastName FROM Contact)",
            "INVALID_FIELD",
            "semi join sub selects can only query id fields, cannot use: 'LastName'",
        ),
        (
            "SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Contact) OR Name = 'x'",
            "MALFORMED_QUERY",
            "Semi join sub-selects are not allowed with the 'OR' operator",
        ),
        (
            "SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Contact) AND Id IN (SELECT AccountId FROM Case) AND Id NOT IN (SELECT AccountId FROM Opportunity)",
            "MALFORMED_QUERY",
            "Maximum of 2 semi join sub-selects are allowed",
        ),
        (
            "SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE Id IN (SELECT ContactId FROM Case))",
            "INVALID_FIELD",
            "Nesting of semi join sub-selects is not supported",
        ),
        (
            "SELECT Name FROM Account WHERE Id IN (SELECT AccountId, Id FROM Contact)",
            "MALFORMED_QUERY",
            "semi join sub selects can select only one field",
        ),
    ];
    for (soql, code, text) in cases {
        let err = rel_error(soql);
        assert_eq!(err.code, *code, "{soql}: {}", err.message);
        assert!(err.message.ends_with(text), "{soql}: {:?}", err.message);
    }
}

#[test]
fn fields_functions_expand_to_the_describes_fields() {
    let schema = Schema::standard().unwrap();
    let account = schema.object("Account").unwrap();
    let columns = |soql: &str| -> Vec<String> {
        match compile(soql, &schema, now()).unwrap().output {
            Output::Records(columns) => columns.iter().map(|c| c.path.field.clone()).collect(),
            other => panic!("{soql}: {other:?}"),
        }
    };
    let standard: Vec<String> = account
        .fields
        .iter()
        .filter(|f| !f.custom)
        .map(|f| f.name.clone())
        .collect();
    let custom: Vec<String> = account
        .fields
        .iter()
        .filter(|f| f.custom)
        .map(|f| f.name.clone())
        .collect();
    assert!(custom.iter().any(|f| f == "Interests__c"));
    assert_eq!(columns("SELECT FIELDS(STANDARD) FROM Account"), standard);
    assert_eq!(
        columns("SELECT FIELDS(CUSTOM) FROM Account LIMIT 200"),
        custom
    );
    let mut mixed = vec!["Name".to_string(), "Id".to_string()];
    mixed.extend(custom.iter().cloned());
    assert_eq!(
        columns("SELECT Name, Id, FIELDS(CUSTOM) FROM Account LIMIT 200"),
        mixed
    );
    assert_eq!(
        columns("SELECT fields(all) FROM Account LIMIT 10").len(),
        account.fields.len()
    );
    let answer = rel_run("SELECT FIELDS(CUSTOM) FROM Account WHERE Name = 'Acme Corp' LIMIT 1");
    assert_eq!(answer["records"][0]["Interests__c"], "Solar;Batteries");
    assert!(answer["records"][0].get("Name").is_none());
}

#[test]
fn fields_all_and_custom_need_a_limit_of_at_most_200() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "SELECT FIELDS(ALL) FROM Account",
            "MALFORMED_QUERY",
            "The SOQL FIELDS function must have a LIMIT of at most 200",
        ),
        (
            "SELECT Id, FIELDS(CUSTOM) FROM Account LIMIT 201",
            "MALFORMED_QUERY",
            "The SOQL FIELDS function must have a LIMIT of at most 200",
        ),
        (
            "SELECT Id, FIELDS(ALL) FROM User LIMIT 200",
            "MALFORMED_QUERY",
            "duplicate field selected: Id",
        ),
        (
            "SELECT Name, (SELECT FIELDS(ALL) FROM Contacts) FROM Account",
            "MALFORMED_QUERY",
            "The SOQL FIELDS function must have a LIMIT of at most 200",
        ),
        (
            "SELECT FIELDS(SOME) FROM Account",
            "MALFORMED_QUERY",
            "unexpected token: SOME",
        ),
    ];
    for (soql, code, text) in cases {
        let err = rel_error(soql);
        assert_eq!(err.code, *code, "{soql}: {}", err.message);
        assert!(err.message.ends_with(text), "{soql}: {:?}", err.message);
    }
    let positioned = rel_error("SELECT FIELDS(ALL) FROM Account").message;
    assert!(
        positioned.contains("ERROR at Row:1:Column:8"),
        "{positioned}"
    );
}

#[test]
fn typeof_picks_the_fields_of_the_parents_type() {
    let answer = rel_run(
        "SELECT Subject, TYPEOF What WHEN Account THEN Phone, NumberOfEmployees WHEN Opportunity THEN Amount, CloseDate ELSE Name, Email END FROM Event ORDER BY Subject",
    );
    let records = answer["records"].as_array().unwrap();
    assert_eq!(keys(&records[0]), ["attributes", "Subject", "What"]);
    let what = &records[0]["What"];
    assert_eq!(keys(what), ["attributes", "Phone", "NumberOfEmployees"]);
    assert_eq!(what["attributes"]["type"], "Account");
    assert_eq!(
        (&what["Phone"], &what["NumberOfEmployees"]),
        (&json!("555-0001"), &json!(250))
    );
    let what = &records[1]["What"];
    assert_eq!(keys(what), ["attributes", "Amount", "CloseDate"]);
    assert_eq!(what["attributes"]["type"], "Opportunity");
    assert_eq!(what["Amount"], 200);
    assert!(records[2]["What"].is_null());

    let answer = rel_run(
        "SELECT TYPEOF Who WHEN Lead THEN Company ELSE LastName, Email END FROM Event WHERE WhoId != null ORDER BY Subject",
    );
    let who = &answer["records"][1]["Who"];
    assert_eq!(who["attributes"]["type"], "Contact");
    assert_eq!(
        (&who["LastName"], &who["Email"]),
        (&json!("Apple"), &json!("apple@example.com"))
    );
}

#[test]
fn typeof_reads_owner_where_the_schema_makes_it_polymorphic() {
    let schema = Schema::standard().unwrap();
    let plan = compile(
        "SELECT Company, TYPEOF Owner WHEN User THEN Username, Email ELSE Name END FROM Lead",
        &schema,
        now(),
    )
    .unwrap_or_else(|e| panic!("{}", e.message));
    assert_eq!(plan.nested.len(), 1);
    let err = rel_error("SELECT TYPEOF Owner WHEN User THEN Name END FROM Account");
    assert!(
        err.message
            .contains("TYPEOF is only supported on polymorphic relationship fields"),
        "{}",
        err.message
    );
}

#[test]
fn typeof_needs_a_polymorphic_relationship_and_its_types() {
    let cases: &[(&str, &str)] = &[
        (
            "SELECT TYPEOF Account WHEN Account THEN Name END FROM Contact",
            "TYPEOF is only supported on polymorphic relationship fields",
        ),
        (
            "SELECT TYPEOF What WHEN Lead THEN Company END FROM Event",
            "'Lead' is not a type the relationship 'What' can point to",
        ),
        (
            "SELECT TYPEOF What WHEN Account THEN Nme END FROM Event",
            "No such column 'Nme' on entity 'Account'",
        ),
        (
            "SELECT TYPEOF What ELSE Name END FROM Event",
            "unexpected token: ELSE",
        ),
    ];
    for (soql, text) in cases {
        let err = rel_error(soql);
        assert!(err.message.contains(text), "{soql}: {:?}", err.message);
    }
}

#[test]
fn includes_and_excludes_match_multi_select_values() {
    let cases: &[(&str, &[&str])] = &[
        (
            "SELECT Name FROM Account WHERE Interests__c INCLUDES ('Solar;Batteries', 'Heat Pumps') ORDER BY Name",
            &["Acme Corp", "acme labs"],
        ),
        (
            "SELECT Name FROM Account WHERE Interests__c INCLUDES ('solar') ORDER BY Name",
            &["Acme Corp", "Globex 50% Off"],
        ),
        (
            "SELECT Name FROM Account WHERE Interests__c INCLUDES ('Batteries;Solar')",
            &["Acme Corp"],
        ),
        (
            "SELECT Name FROM Account WHERE Interests__c EXCLUDES ('Solar') ORDER BY Name",
            &["acme labs", "Initech"],
        ),
        (
            "SELECT Name FROM Account WHERE Interests__c EXCLUDES ('Solar', 'Heat Pumps')",
            &["Initech"],
        ),
    ];
    for (soql, want) in cases {
        assert_eq!(names(&rel_run(soql), "Name"), *want, "{soql}");
    }
    let err = rel_error("SELECT Name FROM Account WHERE Name INCLUDES ('a')");
    assert_eq!(err.code, "INVALID_FIELD");
    assert!(
        err.message
            .ends_with("INCLUDES/EXCLUDES operator only valid on multipicklist field: Name"),
        "{}",
        err.message
    );
}

#[test]
fn relationship_statements_print_back_as_they_parse() {
    for soql in [
        "SELECT Name, (SELECT LastName FROM Contacts WHERE LastName != null ORDER BY LastName ASC LIMIT 5) FROM Account",
        "SELECT Id FROM Account WHERE Id NOT IN (SELECT AccountId FROM Opportunity WHERE IsClosed = false)",
        "SELECT FIELDS(STANDARD), TYPEOF What WHEN Account THEN Phone, Name ELSE Name END FROM Event",
        "SELECT Id FROM Account WHERE Interests__c INCLUDES ('Solar;Batteries', 'Heat Pumps') AND Interests__c EXCLUDES ('Insulation')",
    ] {
        let printed = parse(soql).unwrap().to_string();
        assert_eq!(printed, soql);
    }
}
