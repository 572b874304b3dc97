//! Each rule an edit is checked by, against the sandbox org's own describe of Account: the
//! problem names the field and says what to do, and nothing is sent.

use serde_json::json;
use tether::records_write::RecordsError;
use tether::records_write::check::{EditProblem, Write, check_edits, create_fields};
use tether::records_write::write;

use super::{Bench, account, edits};

async fn problems(bench: &Bench, pairs: &[(&str, &str)], write: Write) -> Vec<EditProblem> {
    let describe = bench.client.describe("Account").await.unwrap();
    match check_edits(&describe, &edits(pairs), write) {
        Ok(values) => panic!("{pairs:?} passed as {values:?}"),
        Err(problems) => problems,
    }
}

async fn one(bench: &Bench, pairs: &[(&str, &str)], write: Write) -> String {
    let found = problems(bench, pairs, write).await;
    assert_eq!(found.len(), 1, "{found:?}");
    found[0].to_string()
}

/// Edits, and the words their one problem must say.
type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str]);

#[tokio::test]
async fn each_rule_of_describe_stops_an_edit_naming_the_field_and_what_to_do() {
    let bench = Bench::new().await;
    let cases: [Case; 9] = [
        // Not updateable.
        (
            &[("CreatedDate", "2024-01-01T00:00:00Z")],
            &[
                "Created Date (CreatedDate) cannot be edited",
                "leave it as it is",
            ],
        ),
        // Required, emptied.
        (
            &[("Name", "  ")],
            &["Account Name (Name) is required", "enter a value"],
        ),
        // Type: not a number.
        (
            &[("Health_Score__c", "lots")],
            &["Health Score (Health_Score__c)"],
        ),
        // Precision and scale: 5 digits, 2 after the point.
        (
            &[("Health_Score__c", "12345.5")],
            &["Health Score (Health_Score__c)"],
        ),
        (
            &[("Health_Score__c", "1.234")],
            &["Health Score (Health_Score__c)"],
        ),
        // Length: Name holds 255 characters.
        (
            &[("Name", &"x".repeat(256))],
            &[
                "256 characters long",
                "Account Name (Name) holds at most 255",
                "shorten it",
            ],
        ),
        // Restricted picklist.
        (
            &[("Health_Trend__c", "Up")],
            &[
                "`Up` is not one of the values of Health Trend (Health_Trend__c)",
                "Growing, Stable, Declining",
            ],
        ),
        // Restricted multi-select picklist: each value must be listed.
        (
            &[("Interests__c", "Solar;Wind")],
            &[
                "`Wind` is not one of the values of Interests (Interests__c)",
                "Solar, Heat Pumps, Batteries, Insulation",
            ],
        ),
        // Type: not an email address.
        (
            &[("Billing_Email__c", "nobody")],
            &["Billing Email (Billing_Email__c)", "name@example.com"],
        ),
    ];
    for (pairs, words) in cases {
        let message = one(&bench, pairs, Write::Update).await;
        for word in words {
            assert!(message.contains(word), "{pairs:?}: {message}");
        }
    }
    let unknown = one(&bench, &[("Nope__c", "1")], Write::Update).await;
    assert!(
        unknown.contains("Account has no field `Nope__c`"),
        "{unknown}"
    );
}

#[tokio::test]
async fn values_that_fit_describe_pass_as_salesforce_takes_them() {
    let bench = Bench::new().await;
    let describe = bench.client.describe("Account").await.unwrap();
    let values = check_edits(
        &describe,
        &edits(&[
            ("Health_Score__c", "98.5"),
            ("Health_Trend__c", "Stable"),
            ("Interests__c", "Solar;Batteries"),
            ("Renewal_Date__c", "2027-03-01"),
            ("Tax_Exempt__c", "yes"),
            ("Phone", ""),
        ]),
        Write::Update,
    )
    .unwrap();
    assert_eq!(values["Health_Score__c"], json!(98.5));
    assert_eq!(values["Health_Trend__c"], json!("Stable"));
    assert_eq!(values["Interests__c"], json!("Solar;Batteries"));
    assert_eq!(values["Renewal_Date__c"], json!("2027-03-01"));
    assert_eq!(values["Tax_Exempt__c"], json!(true));
    assert_eq!(
        values["Phone"],
        json!(null),
        "a blank value empties the field"
    );
}

#[tokio::test]
async fn a_create_names_every_required_field_left_empty_and_lists_them_first() {
    let bench = Bench::new().await;
    let describe = bench.client.describe("Contact").await.unwrap();
    let fields = create_fields(&describe);
    assert_eq!(fields[0].name, "LastName", "required fields come first");
    let found = match check_edits(&describe, &edits(&[("FirstName", "Ada")]), Write::Create) {
        Err(found) => found,
        Ok(values) => panic!("a contact without a last name passed: {values:?}"),
    };
    let text: Vec<String> = found.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "Last Name (LastName) is required: Salesforce refuses the record without it; enter a value"
        ]
    );

    let not_createable = problems(
        &bench,
        &[("Name", "Acme"), ("CreatedDate", "2024-01-01")],
        Write::Create,
    )
    .await;
    assert!(
        not_createable[0]
            .to_string()
            .contains("Created Date (CreatedDate) cannot be set on a new record"),
        "{not_createable:?}"
    );
}

#[tokio::test]
async fn an_invalid_edit_sends_nothing_and_records_no_run() {
    let bench = Bench::new().await;
    let id = bench.org.create("Account", json!({ "Name": "Acme" })).await;
    let used = bench.org.api_used().await;
    let refused = write::update(
        &bench.workspace(),
        &bench.client,
        account(),
        &id,
        &edits(&[("Health_Trend__c", "Up")]),
    )
    .await;
    assert!(
        matches!(refused, Err(RecordsError::Invalid(_))),
        "{refused:?}"
    );
    // The describe only (answered from cache or not), never a write.
    assert!(bench.org.api_used().await <= used + 1);
    assert_eq!(
        bench.org.get("Account", &id).await["Health_Trend__c"],
        json!(null)
    );
    if bench.workspace().exists() {
        let conn = rusqlite::Connection::open(bench.workspace()).unwrap();
        let runs: i64 = conn
            .query_row("SELECT COUNT(*) FROM tether_runs", [], |r| r.get(0))
            .unwrap();
        assert_eq!(runs, 0);
    }
}
