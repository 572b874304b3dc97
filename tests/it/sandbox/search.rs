//! SOSL (`/search`) and parameterized search (`/parameterizedSearch`) over real HTTP.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::org::{TestOrg, answer, error_code, start};

async fn sosl(t: &TestOrg, text: &str) -> (u16, Value) {
    answer(
        t.api(Method::GET, "/search/")
            .query(&[("q", text)])
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// `(type, Id)` of each search record, in answer order.
fn found(body: &Value) -> Vec<(String, String)> {
    body["searchRecords"]
        .as_array()
        .unwrap_or_else(|| panic!("no searchRecords in {body}"))
        .iter()
        .map(|r| {
            let url = r["attributes"]["url"].as_str().unwrap();
            (
                r["attributes"]["type"].as_str().unwrap().to_string(),
                url.rsplit('/').next().unwrap().to_string(),
            )
        })
        .collect()
}

struct People {
    zephyr_account: String,
    zephyr_contact: String,
    quill_lead: String,
    quill_contact: String,
}

async fn people(t: &TestOrg) -> People {
    People {
        zephyr_account: t
            .create("Account", json!({"Name": "Zephyrine Holdings", "Phone": "(336) 555-0199", "Industry": "Energy"}))
            .await,
        zephyr_contact: t
            .create("Contact", json!({"LastName": "Zephyrine", "FirstName": "Ada", "Email": "ada@quillfeather.example"}))
            .await,
        quill_lead: t
            .create("Lead", json!({"LastName": "Quillfeather", "Company": "Nimbus Quarry", "Email": "q@nimbus.example"}))
            .await,
        quill_contact: t
            .create("Contact", json!({"LastName": "Quillfeather", "FirstName": "Bo", "Phone": "336-555-0142"}))
            .await,
    }
}

#[tokio::test]
async fn sosl_finds_records_by_scope_and_returns_the_fields_asked_for() {
    let t = start().await;
    let p = people(&t).await;

    let (status, body) = sosl(
        &t,
        "FIND {Zephyrine} IN NAME FIELDS RETURNING Account(Name, Phone), Contact(FirstName, LastName)",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        found(&body),
        vec![
            ("Account".to_string(), p.zephyr_account.clone()),
            ("Contact".to_string(), p.zephyr_contact.clone())
        ]
    );
    let account = &body["searchRecords"][0];
    assert_eq!(account["Name"], "Zephyrine Holdings");
    assert_eq!(account["Phone"], "(336) 555-0199");
    assert_eq!(
        account["attributes"]["url"],
        format!("/services/data/v60.0/sobjects/Account/{}", p.zephyr_account)
    );
    assert!(
        account.get("Id").is_none(),
        "only the fields asked for: {account}"
    );

    // The contact's email mentions "quillfeather": found in all fields, not in name fields.
    let (_, body) = sosl(&t, "FIND {quillfeather} RETURNING Contact(Id), Lead(Id)").await;
    let mut all = found(&body);
    all.sort();
    let mut wanted = vec![
        ("Contact".to_string(), p.zephyr_contact.clone()),
        ("Contact".to_string(), p.quill_contact.clone()),
        ("Lead".to_string(), p.quill_lead.clone()),
    ];
    wanted.sort();
    assert_eq!(all, wanted);
    let (_, body) = sosl(
        &t,
        "FIND {quillfeather} IN NAME FIELDS RETURNING Contact(Id)",
    )
    .await;
    assert_eq!(
        found(&body),
        vec![("Contact".to_string(), p.quill_contact.clone())]
    );
    let (_, body) = sosl(
        &t,
        "FIND {quillfeather} IN EMAIL FIELDS RETURNING Contact(Id)",
    )
    .await;
    assert_eq!(
        found(&body),
        vec![("Contact".to_string(), p.zephyr_contact.clone())]
    );

    // Phone numbers match on their digits, whatever the punctuation.
    let (_, body) = sosl(
        &t,
        "FIND {\"336 555 0142\"} IN PHONE FIELDS RETURNING Contact(Id), Account(Id)",
    )
    .await;
    assert_eq!(
        found(&body),
        vec![("Contact".to_string(), p.quill_contact.clone())]
    );
}

#[tokio::test]
async fn sosl_where_limit_and_offset_apply_to_the_matching_records() {
    let t = start().await;
    let mut ids = Vec::new();
    for (i, industry) in ["Energy", "Retail", "Energy", "Energy"].iter().enumerate() {
        ids.push(
            t.create(
                "Account",
                json!({"Name": format!("Brightwater {i}"), "Industry": industry}),
            )
            .await,
        );
    }
    let (status, body) = sosl(
        &t,
        "FIND {Brightwater} RETURNING Account(Name WHERE Industry = 'Energy' ORDER BY Name DESC LIMIT 2 OFFSET 1)",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let names: Vec<&str> = body["searchRecords"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Brightwater 2", "Brightwater 0"]);

    // Without RETURNING: ids of every searchable object, within the overall LIMIT.
    let (_, body) = sosl(&t, "FIND {Brightwater} LIMIT 3").await;
    let records = body["searchRecords"].as_array().unwrap();
    assert_eq!(records.len(), 3, "{body}");
    assert!(
        records.iter().all(|r| r.as_object().unwrap().len() == 2
            && ids.contains(&r["Id"].as_str().unwrap().to_string())),
        "{body}"
    );
}

#[tokio::test]
async fn sosl_errors_are_salesforces() {
    let t = start().await;
    let cases: &[(&str, u16, &str, &str)] = &[
        (
            "FIND Acme",
            400,
            "MALFORMED_SEARCH",
            "No search term found. The search term must be enclosed in braces.",
        ),
        (
            "FIND {a}",
            400,
            "INVALID_SEARCH",
            "search term must be longer than one character: a",
        ),
        (
            "FIND {acme} RETURNING Acount(Name)",
            400,
            "INVALID_TYPE",
            "sObject type 'Acount' is not supported.",
        ),
        (
            "FIND {acme} RETURNING Account(Nmae)",
            400,
            "INVALID_FIELD",
            "No such column 'Nmae'",
        ),
    ];
    for (text, status, code, message) in cases {
        let (got, body) = sosl(&t, text).await;
        assert_eq!((got, error_code(&body)), (*status, *code), "{text}: {body}");
        let said = body[0]["message"].as_str().unwrap_or_default();
        assert!(said.contains(message), "{text}: {said}");
    }
}

#[tokio::test]
async fn parameterized_search_answers_by_get_and_post() {
    let t = start().await;
    let p = people(&t).await;

    let (status, body) = answer(
        t.api(Method::GET, "/parameterizedSearch/")
            .query(&[
                ("q", "Quillfeather"),
                ("sobject", "Lead"),
                ("Lead.fields", "Id,LastName,Company"),
                ("Lead.limit", "10"),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        found(&body),
        vec![("Lead".to_string(), p.quill_lead.clone())]
    );
    assert_eq!(body["searchRecords"][0]["Company"], "Nimbus Quarry");

    let (status, body) = answer(
        t.api(Method::POST, "/parameterizedSearch/")
            .json(&json!({
                "q": "Quillfeather",
                "in": "NAME",
                "fields": ["Id", "LastName"],
                "sobjects": [{"name": "Contact"}, {"name": "Lead", "where": "Company = 'Nobody'"}],
                "overallLimit": 100
            }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        found(&body),
        vec![("Contact".to_string(), p.quill_contact.clone())]
    );
    assert_eq!(body["searchRecords"][0]["LastName"], "Quillfeather");

    let (status, body) = answer(
        t.api(Method::GET, "/parameterizedSearch/?sobject=Lead")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "MISSING_ARGUMENT"),
        "{body}"
    );
}
