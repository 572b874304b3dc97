//! Verify speaks of field-level security: a custom field the user may read but not edit is a
//! push error whose fix is a permission set's Edit, and a field the org has but hides from the
//! user is "hidden from you", not "does not exist".

use std::collections::{BTreeMap, BTreeSet};

use crate::support::client::org_and_client;
use rusqlite::Connection;
use tether::salesforce::ObjectDescribe;
use tether::sync::link::{DeletePolicy, Direction, FieldMapping, Link, MatchKey};
use tether::sync::verify::{Problem, Severity, verify_seeing};

fn link() -> Link {
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
        ],
        pull_filter: None,
        push_filter: None,
        policy: Default::default(),
        deletes: DeletePolicy::MarkArchived,
        archive_column: Some("archived".into()),
        schedule: Default::default(),
        strategy: Default::default(),
        time_zone: None,
    }
}

fn conn() -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE accounts (ext_id TEXT PRIMARY KEY, sf_id TEXT, name TEXT, score REAL, archived INTEGER)",
    )
    .unwrap();
    conn
}

async fn account() -> ObjectDescribe {
    let (_org, client) = org_and_client().await;
    (*client.describe("Account").await.expect("describe")).clone()
}

fn problem_of<'p>(problems: &'p [Problem], field: &str) -> &'p Problem {
    problems
        .iter()
        .find(|p| p.field.as_deref() == Some(field))
        .unwrap_or_else(|| panic!("no problem of {field}: {problems:#?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_custom_field_readable_but_not_editable_is_a_field_level_security_error() {
    let mut describe = account().await;
    let score = describe
        .fields
        .iter_mut()
        .find(|f| f.name == "Health_Score__c")
        .expect("the org declares Health_Score__c");
    // What a describe says of a field the user's permission sets grant read on, not edit.
    score.updateable = false;
    score.other.insert("createable".into(), false.into());
    let problems = verify_seeing(
        &link(),
        &describe,
        &BTreeMap::new(),
        &conn(),
        &BTreeSet::new(),
    );
    let problem = problem_of(&problems, "Health_Score__c");
    assert_eq!(problem.severity, Severity::Error);
    assert!(
        problem.message.contains("field-level security"),
        "{problem}"
    );
    assert!(
        problem
            .fix
            .contains("grant Edit on `Account.Health_Score__c`"),
        "{problem}"
    );
    assert!(problem.fix.contains("permission set"), "{problem}");

    let system = verify_seeing(
        &{
            let mut l = link();
            l.fields.push(FieldMapping::column(
                "name",
                "LastModifiedDate",
                Direction::Push,
            ));
            l
        },
        &describe,
        &BTreeMap::new(),
        &conn(),
        &BTreeSet::new(),
    );
    let problem = problem_of(&system, "LastModifiedDate");
    assert!(
        problem.message.contains("formula, system or locked"),
        "a standard read-only field keeps its own reason: {problem}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_field_hidden_by_field_level_security_is_not_called_missing() {
    let mut describe = account().await;
    // What a describe leaves out when no permission set grants read on the field.
    describe.fields.retain(|f| f.name != "Health_Score__c");
    let hidden = BTreeSet::from(["health_score__c".to_string()]);
    let problems = verify_seeing(&link(), &describe, &BTreeMap::new(), &conn(), &hidden);
    let problem = problem_of(&problems, "Health_Score__c");
    assert_eq!(problem.severity, Severity::Error);
    assert!(
        problem
            .message
            .starts_with("field `Health_Score__c` is hidden from you by field-level security"),
        "{problem}"
    );
    assert!(!problem.message.contains("has no field"), "{problem}");

    let missing = verify_seeing(
        &link(),
        &describe,
        &BTreeMap::new(),
        &conn(),
        &BTreeSet::new(),
    );
    let problem = problem_of(&missing, "Health_Score__c");
    assert!(problem.message.contains("has no field"), "{problem}");
}
