//! Each kind of link mistake, verified against the describes a running sandbox org serves.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client_support;

use std::collections::BTreeMap;

use client_support::org_and_client;
use rusqlite::Connection;
use tether::salesforce::ObjectDescribe;
use tether::sync::link::{
    DeletePolicy, Direction, FieldMapping, Link, LocalSource, MatchKey, Schedule,
};
use tether::sync::verify::{Problem, Severity, has_errors, parent_objects, verify};

/// The org's describes of Account and Contact, fetched once per test over HTTP.
struct Describes(BTreeMap<String, ObjectDescribe>);

async fn describes() -> Describes {
    let (_org, client) = org_and_client().await;
    let mut all = BTreeMap::new();
    for object in ["Account", "Contact"] {
        let describe = client.describe(object).await.expect("describe");
        all.insert(object.to_string(), (*describe).clone());
    }
    Describes(all)
}

impl Describes {
    fn of(&self, object: &str) -> &ObjectDescribe {
        self.0
            .get(object)
            .unwrap_or_else(|| panic!("{object} was described"))
    }

    /// Verifies `link` with the describes of its object and referenced parents.
    fn verify(&self, link: &Link, conn: &Connection) -> Vec<Problem> {
        let describe = self.of(&link.object);
        let parents = parent_objects(link, describe)
            .into_iter()
            .map(|p| (p.clone(), self.of(&p).clone()))
            .collect();
        verify(link, describe, &parents, conn)
    }
}

const TABLES: &str = "
CREATE TABLE accounts (
    ext_id TEXT PRIMARY KEY, sf_id TEXT, name TEXT, score REAL, trend TEXT, flag TEXT,
    archived INTEGER, segment TEXT
);
CREATE TABLE people (
    st_id TEXT PRIMARY KEY, sf_id TEXT, account_ext TEXT, first_name TEXT, last_name TEXT,
    born INTEGER
);
";

fn conn() -> Connection {
    let conn = Connection::open_in_memory().expect("in-memory db");
    conn.execute_batch(TABLES).expect("tables");
    conn
}

fn account_link() -> Link {
    Link {
        name: "accounts".into(),
        connection: "test".into(),
        table: "accounts".into(),
        key: "ext_id".into(),
        object: "Account".into(),
        id_column: "sf_id".into(),
        match_on: MatchKey::ExternalId {
            field: "External_Id__c".into(),
            column: "ext_id".into(),
        },
        create_unmatched: false,
        fields: vec![
            FieldMapping::column("name", "Name", Direction::Both),
            FieldMapping::column("score", "Health_Score__c", Direction::Push),
            FieldMapping::column("trend", "Health_Trend__c", Direction::Push),
            FieldMapping::expression("upper(name)", "Site"),
        ],
        pull_filter: Some("Type = 'Customer'".into()),
        push_filter: Some("archived IS NOT 1".into()),
        policy: Default::default(),
        deletes: DeletePolicy::MarkArchived,
        archive_column: Some("archived".into()),
        schedule: Schedule::Day { at: "06:30".into() },
        strategy: Default::default(),
        time_zone: None,
    }
}

fn contact_link() -> Link {
    Link {
        name: "people".into(),
        table: "people".into(),
        key: "st_id".into(),
        object: "Contact".into(),
        match_on: MatchKey::ExternalId {
            field: "ServiceTitan_Customer_Id__c".into(),
            column: "st_id".into(),
        },
        create_unmatched: false,
        fields: vec![
            FieldMapping::column("first_name", "FirstName", Direction::Push),
            FieldMapping::column("last_name", "LastName", Direction::Push),
            FieldMapping::column("account_ext", "Account.External_Id__c", Direction::Push),
        ],
        pull_filter: None,
        push_filter: None,
        deletes: DeletePolicy::Ignore,
        archive_column: None,
        schedule: Schedule::Manual,
        ..account_link()
    }
}

fn errors_and_warnings(problems: &[Problem]) -> Vec<String> {
    problems.iter().map(Problem::to_string).collect()
}

#[tokio::test]
async fn well_formed_links_have_no_problems() {
    let d = describes().await;
    let conn = conn();
    for link in [account_link(), contact_link()] {
        let problems = d.verify(&link, &conn);
        assert!(
            problems.is_empty(),
            "{}: {:?}",
            link.name,
            errors_and_warnings(&problems)
        );
    }
}

type Change = fn(&mut Link);

/// What is wrong, the link, the change, the severity, the field named, words in the message.
type Case = (
    &'static str,
    Link,
    Change,
    Severity,
    Option<&'static str>,
    &'static str,
);

#[tokio::test]
async fn each_mistake_is_named_with_its_field_and_fix() {
    let d = describes().await;
    let cases: &[Case] = &[
        (
            "misspelt field",
            account_link(),
            |l| l.fields[1].remote = "Helth_Score__c".into(),
            Severity::Error,
            Some("Helth_Score__c"),
            "did you mean `Health_Score__c`",
        ),
        (
            "missing local column",
            account_link(),
            |l| l.fields[0].local = LocalSource::Column("nme".into()),
            Severity::Error,
            Some("nme"),
            "has no column `nme`",
        ),
        (
            "missing table",
            account_link(),
            |l| l.table = "acounts".into(),
            Severity::Error,
            None,
            "`acounts` does not exist",
        ),
        (
            "missing id column",
            account_link(),
            |l| l.id_column = "salesforce_id".into(),
            Severity::Error,
            Some("salesforce_id"),
            "where the Salesforce Id is kept",
        ),
        (
            "text in an integer column",
            account_link(),
            |l| {
                l.fields
                    .push(FieldMapping::column("archived", "Phone", Direction::Pull))
            },
            Severity::Error,
            Some("Phone"),
            "the local column `archived` is declared INTEGER",
        ),
        (
            "an 18-digit number in a real column",
            account_link(),
            |l| {
                l.fields.push(FieldMapping::column(
                    "score",
                    "AnnualRevenue",
                    Direction::Pull,
                ))
            },
            Severity::Error,
            Some("AnnualRevenue"),
            "the local column `score` is declared REAL",
        ),
        (
            "expression pulled",
            account_link(),
            |l| l.fields[3].direction = Direction::Both,
            Severity::Error,
            Some("Site"),
            "can only be pushed",
        ),
        (
            "expression does not compile",
            account_link(),
            |l| l.fields[3].local = LocalSource::Expression("upper(nam)".into()),
            Severity::Error,
            Some("Site"),
            "does not compile in SQLite: no such column: nam",
        ),
        (
            "push filter does not compile",
            account_link(),
            |l| l.push_filter = Some("archived = = 1".into()),
            Severity::Error,
            None,
            "push filter `archived = = 1` does not compile",
        ),
        (
            "pull filter with WHERE",
            account_link(),
            |l| l.pull_filter = Some("WHERE Type = 'x'".into()),
            Severity::Error,
            None,
            "starts with WHERE",
        ),
        (
            "pull filter with an open quote",
            account_link(),
            |l| l.pull_filter = Some("Type = 'Customer".into()),
            Severity::Error,
            None,
            "has an unclosed quote",
        ),
        (
            "push to a read-only field",
            account_link(),
            |l| {
                l.fields.push(FieldMapping::column(
                    "name",
                    "LastModifiedDate",
                    Direction::Push,
                ))
            },
            Severity::Error,
            Some("LastModifiedDate"),
            "read-only",
        ),
        (
            "both on a read-only field",
            account_link(),
            |l| {
                l.fields.push(FieldMapping::column(
                    "segment",
                    "CreatedById",
                    Direction::Both,
                ))
            },
            Severity::Error,
            Some("CreatedById"),
            "cannot be pushed",
        ),
        (
            "compound field",
            account_link(),
            |l| {
                l.fields.push(FieldMapping::column(
                    "segment",
                    "BillingAddress",
                    Direction::Pull,
                ))
            },
            Severity::Error,
            Some("BillingAddress"),
            "address field",
        ),
        (
            "mapped twice",
            account_link(),
            |l| {
                l.fields
                    .push(FieldMapping::column("segment", "Name", Direction::Pull))
            },
            Severity::Error,
            Some("Name"),
            "mapped more than once",
        ),
        (
            "two pulls into one column",
            account_link(),
            |l| {
                l.fields
                    .push(FieldMapping::column("name", "Description", Direction::Pull))
            },
            Severity::Error,
            Some("name"),
            "same local column",
        ),
        (
            "match on a non-external-id field",
            account_link(),
            |l| {
                l.match_on = MatchKey::ExternalId {
                    field: "Name".into(),
                    column: "ext_id".into(),
                }
            },
            Severity::Error,
            Some("Name"),
            "not an external-id field",
        ),
        (
            "match on a missing field",
            account_link(),
            |l| {
                l.match_on = MatchKey::ExternalId {
                    field: "Ext__c".into(),
                    column: "ext_id".into(),
                }
            },
            Severity::Error,
            Some("Ext__c"),
            "no field `Ext__c` to match on",
        ),
        (
            "required field not pushed",
            account_link(),
            |l| l.fields[0].direction = Direction::Pull,
            Severity::Error,
            Some("Name"),
            "required to create a record",
        ),
        (
            "required field of a contact",
            contact_link(),
            |l| {
                l.fields.remove(1);
            },
            Severity::Error,
            Some("LastName"),
            "required to create a record",
        ),
        (
            "archive without column",
            account_link(),
            |l| l.archive_column = None,
            Severity::Error,
            None,
            "no archive column",
        ),
        (
            "bad daily time",
            account_link(),
            |l| l.schedule = Schedule::Day { at: "25:00".into() },
            Severity::Error,
            None,
            "`25:00` is not a time",
        ),
        (
            "zero minutes",
            account_link(),
            |l| l.schedule = Schedule::Minutes { minutes: 0 },
            Severity::Error,
            None,
            "every 0 minutes",
        ),
        (
            "parent by a non-external-id field",
            contact_link(),
            |l| l.fields[2].remote = "Account.Name".into(),
            Severity::Error,
            Some("Account.Name"),
            "`Account.Name` is not an external-id field",
        ),
        (
            "parent field missing",
            contact_link(),
            |l| l.fields[2].remote = "Account.ServiceTitan_Id__c".into(),
            Severity::Error,
            Some("Account.ServiceTitan_Id__c"),
            "`Account` has no field",
        ),
        (
            "unknown relationship",
            contact_link(),
            |l| l.fields[2].remote = "Acount.External_Id__c".into(),
            Severity::Error,
            Some("Acount.External_Id__c"),
            "no relationship named `Acount`",
        ),
        (
            "parent reference pulled",
            contact_link(),
            |l| l.fields[2].direction = Direction::Both,
            Severity::Error,
            Some("Account.External_Id__c"),
            "can only be pushed",
        ),
        (
            "date from a number",
            contact_link(),
            |l| {
                l.fields
                    .push(FieldMapping::column("born", "Birthdate", Direction::Pull))
            },
            Severity::Warning,
            Some("Birthdate"),
            "Salesforce expects ISO 8601",
        ),
    ];
    let conn = conn();
    for (what, base, change, severity, field, words) in cases {
        let mut link = base.clone();
        change(&mut link);
        let problems = d.verify(&link, &conn);
        let found = problems.iter().find(|p| {
            p.severity == *severity && p.field.as_deref() == *field && p.message.contains(words)
        });
        let Some(problem) = found else {
            panic!(
                "{what}: expected {severity} on {field:?} with `{words}`, got {:?}",
                errors_and_warnings(&problems)
            );
        };
        assert!(!problem.fix.is_empty(), "{what}: no fix in {problem}");
        assert!(problem.to_string().contains("Fix: "), "{what}: {problem}");
    }
}

#[tokio::test]
async fn the_parent_describe_missing_is_a_warning_not_a_pass() {
    let d = describes().await;
    let conn = conn();
    let link = contact_link();
    let problems = verify(&link, d.of("Contact"), &BTreeMap::new(), &conn);
    assert_eq!(problems.len(), 1, "{:?}", errors_and_warnings(&problems));
    assert_eq!(problems[0].severity, Severity::Warning);
    assert!(
        problems[0]
            .message
            .contains("describe of `Account` was not available")
    );
}

#[tokio::test]
async fn values_too_long_or_outside_a_restricted_picklist_are_listed_by_row() {
    let d = describes().await;
    let conn = conn();
    // Account.Name is 255 characters; Health_Trend__c allows Growing, Stable, Declining.
    let long = "x".repeat(256);
    for i in 0..8 {
        conn.execute(
            "INSERT INTO accounts (ext_id, name, trend) VALUES (?1, ?2, ?3)",
            rusqlite::params![
                format!("a{i}"),
                long,
                if i < 2 { "growing" } else { "Growing" }
            ],
        )
        .expect("row");
    }
    conn.execute(
        "INSERT INTO accounts (ext_id, name, trend, archived) VALUES ('hidden', ?1, 'Up', 1)",
        [&long],
    )
    .expect("a row the push filter skips");

    let problems = d.verify(&account_link(), &conn);
    let name = problems
        .iter()
        .find(|p| p.field.as_deref() == Some("Name"))
        .unwrap_or_else(|| panic!("{:?}", errors_and_warnings(&problems)));
    assert_eq!(name.severity, Severity::Error);
    assert!(name.message.starts_with("8 row(s)"), "{name}");
    assert!(name.message.contains("row a0 (256 characters)"), "{name}");
    assert!(name.message.contains("and 3 more"), "{name}");
    assert!(!name.message.contains("hidden"), "{name}");

    let trend = problems
        .iter()
        .find(|p| p.field.as_deref() == Some("Health_Trend__c"))
        .unwrap_or_else(|| panic!("{:?}", errors_and_warnings(&problems)));
    assert!(trend.message.starts_with("2 row(s)"), "{trend}");
    assert!(trend.message.contains("row a1 (`growing`)"), "{trend}");
    assert!(
        trend.message.contains("Growing, Stable, Declining"),
        "{trend}"
    );
    assert!(!trend.message.contains("`Up`"), "{trend}");
}

#[tokio::test]
async fn expression_values_are_checked_too() {
    let d = describes().await;
    let conn = conn();
    conn.execute(
        "INSERT INTO accounts (ext_id, name, score) VALUES ('a', 'Acme', 3)",
        [],
    )
    .expect("row");
    let mut link = account_link();
    link.fields[2].local =
        LocalSource::Expression("CASE WHEN score > 2 THEN 'Rising' ELSE 'Stable' END".into());
    let problems = d.verify(&link, &conn);
    assert!(
        problems
            .iter()
            .any(|p| p.field.as_deref() == Some("Health_Trend__c")
                && p.message.contains("row a (`Rising`)")),
        "{:?}",
        errors_and_warnings(&problems)
    );
}

#[tokio::test]
async fn problems_list_errors_before_warnings_and_has_errors_says_so() {
    let d = describes().await;
    let conn = conn();
    let mut link = account_link();
    link.fields.push(FieldMapping::column(
        "archived",
        "Renewal_Date__c",
        Direction::Pull,
    ));
    let problems = d.verify(&link, &conn);
    assert!(
        !has_errors(&problems),
        "{:?}",
        errors_and_warnings(&problems)
    );
    link.fields[1].remote = "Nope__c".into();
    let problems = d.verify(&link, &conn);
    assert!(has_errors(&problems));
    assert_eq!(problems[0].severity, Severity::Error);
    assert_eq!(problems.last().map(|p| p.severity), Some(Severity::Warning));
}
