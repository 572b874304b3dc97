//! sObject Collections and Composite of the sandbox org, over real HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{V, answer, error_code};
use reqwest::Method;
use serde_json::{Value, json};

fn accounts(names: &[&str]) -> Value {
    Value::Array(
        names
            .iter()
            .map(|n| json!({"attributes": {"type": "Account"}, "Name": n}))
            .collect(),
    )
}

#[tokio::test]
async fn collection_create_answers_in_input_order_with_status_codes() {
    let t = common::start().await;
    let mut records = accounts(&["A", "B"]);
    records.as_array_mut().unwrap().insert(
        1,
        json!({"attributes": {"type": "Account"}, "Industry": "Energy"}),
    );
    let (status, results) = answer(
        t.api(Method::POST, "/composite/sobjects")
            .json(&json!({"allOrNone": false, "records": records}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let results = results.as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[0]["success"], true);
    assert_eq!(results[1]["success"], false);
    assert_eq!(
        results[1]["errors"][0]["statusCode"],
        "REQUIRED_FIELD_MISSING"
    );
    assert_eq!(results[1]["errors"][0]["fields"], json!(["Name"]));
    assert!(results[1]["errors"][0].get("errorCode").is_none());
    assert_eq!(results[2]["success"], true);
    let name = t.get("Account", results[2]["id"].as_str().unwrap()).await["Name"].clone();
    assert_eq!(name, "B");
}

#[tokio::test]
async fn all_or_none_rolls_every_record_back() {
    let t = common::start().await;
    let mut records = accounts(&["Kept?", "Also kept?"]);
    records
        .as_array_mut()
        .unwrap()
        .push(json!({"attributes": {"type": "Account"}, "Name": "x".repeat(300)}));
    let (_, results) = answer(
        t.api(Method::POST, "/composite/sobjects")
            .json(&json!({"allOrNone": true, "records": records}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let results = results.as_array().unwrap();
    assert_eq!(
        results[0]["errors"][0]["statusCode"],
        "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    );
    assert_eq!(
        results[1]["errors"][0]["statusCode"],
        "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    );
    assert_eq!(results[2]["errors"][0]["statusCode"], "STRING_TOO_LONG");
    assert_eq!(t.org.org().store.count("Account"), 0);
}

#[tokio::test]
async fn collections_cap_at_200_records() {
    let t = common::start().await;
    let names: Vec<String> = (0..201).map(|i| format!("A{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let (status, body) = answer(
        t.api(Method::POST, "/composite/sobjects")
            .json(&json!({"records": accounts(&refs)}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, error_code(&body)), (400, "EXCEEDED_ID_LIMIT"));
    assert_eq!(t.org.org().store.count("Account"), 0);
}

#[tokio::test]
async fn collection_update_upsert_retrieve_and_delete() {
    let t = common::start().await;
    let a = t
        .create("Account", json!({"Name": "A", "External_Id__c": "E-1"}))
        .await;
    let b = t.create("Account", json!({"Name": "B"})).await;
    let (_, updated) = answer(
        t.api(Method::PATCH, "/composite/sobjects")
            .json(&json!({"records": [
                {"attributes": {"type": "Account"}, "Id": a, "Industry": "Energy"},
                {"attributes": {"type": "Account"}, "Id": "001000000000000", "Industry": "Energy"},
                {"attributes": {"type": "Account"}, "Industry": "Energy"}
            ]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(updated[0]["success"], true);
    assert_eq!(updated[1]["errors"][0]["statusCode"], "NOT_FOUND");
    assert_eq!(updated[2]["errors"][0]["statusCode"], "MISSING_ARGUMENT");

    let (_, upserted) = answer(
        t.api(Method::PATCH, "/composite/sobjects/Account/External_Id__c")
            .json(&json!({"allOrNone": false, "records": [
                {"attributes": {"type": "Account"}, "External_Id__c": "E-1", "Name": "A2"},
                {"attributes": {"type": "Account"}, "External_Id__c": "E-2", "Name": "New"}
            ]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(upserted[0]["created"], false);
    assert_eq!(upserted[0]["id"], a.as_str());
    assert_eq!(upserted[1]["created"], true);

    let (_, fetched) = answer(
        t.api(
            Method::GET,
            &format!("/composite/sobjects/Account?ids={a},{b}&fields=Name,Industry"),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(fetched[0]["Name"], "A2");
    assert_eq!(fetched[0]["Industry"], "Energy");
    assert_eq!(fetched[1]["Name"], "B");

    let (_, deleted) = answer(
        t.api(
            Method::DELETE,
            &format!("/composite/sobjects?ids={a},{b},001bogus&allOrNone=false"),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(deleted[0]["success"], true);
    assert_eq!(deleted[1]["success"], true);
    assert_eq!(deleted[2]["errors"][0]["statusCode"], "MALFORMED_ID");
}

#[tokio::test]
async fn composite_chains_references_and_counts_once() {
    let t = common::start().await;
    let body = json!({
        "allOrNone": false,
        "compositeRequest": [
            {"method": "POST", "url": format!("/services/data/{V}/sobjects/Account"), "referenceId": "acct", "body": {"Name": "Chained"}},
            {"method": "POST", "url": format!("/services/data/{V}/sobjects/Contact"), "referenceId": "ct", "body": {"LastName": "Kid", "AccountId": "@{acct.id}"}},
            {"method": "GET", "url": format!("/services/data/{V}/sobjects/Contact/@{{ct.id}}?fields=AccountId"), "referenceId": "read"}
        ]
    });
    let (status, answer_body) = answer(
        t.api(Method::POST, "/composite")
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{answer_body}");
    let responses = answer_body["compositeResponse"].as_array().unwrap();
    assert_eq!(responses.len(), 3);
    assert_eq!(responses[0]["httpStatusCode"], 201);
    assert_eq!(responses[0]["referenceId"], "acct");
    assert!(
        responses[0]["httpHeaders"]["Location"]
            .as_str()
            .unwrap()
            .contains("/sobjects/Account/001")
    );
    assert_eq!(
        responses[2]["body"]["AccountId"],
        responses[0]["body"]["id"]
    );
}

#[tokio::test]
async fn composite_all_or_none_undoes_earlier_subrequests() {
    let t = common::start().await;
    let existing = t.create("Account", json!({"Name": "Before"})).await;
    let body = json!({
        "allOrNone": true,
        "compositeRequest": [
            {"method": "POST", "url": format!("/services/data/{V}/sobjects/Account"), "referenceId": "created", "body": {"Name": "Temporary"}},
            {"method": "PATCH", "url": format!("/services/data/{V}/sobjects/Account/{existing}"), "referenceId": "changed", "body": {"Name": "After"}},
            {"method": "POST", "url": format!("/services/data/{V}/sobjects/Contact"), "referenceId": "bad", "body": {"FirstName": "No last name"}}
        ]
    });
    let (_, answer_body) = answer(
        t.api(Method::POST, "/composite")
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let responses = answer_body["compositeResponse"].as_array().unwrap();
    assert_eq!(responses[0]["body"][0]["errorCode"], "PROCESSING_HALTED");
    assert_eq!(responses[1]["body"][0]["errorCode"], "PROCESSING_HALTED");
    assert_eq!(
        responses[2]["body"][0]["errorCode"],
        "REQUIRED_FIELD_MISSING"
    );
    assert_eq!(t.org.org().store.count("Account"), 1);
    assert_eq!(t.get("Account", &existing).await["Name"], "Before");
}

#[tokio::test]
async fn composite_refuses_more_than_25_subrequests_and_bad_references() {
    let t = common::start().await;
    let subs: Vec<Value> = (0..26)
        .map(|i| json!({"method": "GET", "url": format!("/services/data/{V}/sobjects/Account/describe"), "referenceId": format!("r{i}")}))
        .collect();
    let (status, body) = answer(
        t.api(Method::POST, "/composite")
            .json(&json!({"compositeRequest": subs}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body[0]["message"].as_str().unwrap().contains("25"));

    let body = json!({"compositeRequest": [
        {"method": "GET", "url": format!("/services/data/{V}/sobjects/Account/@{{nothing.id}}"), "referenceId": "r1"}
    ]});
    let (status, body) = answer(
        t.api(Method::POST, "/composite")
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        body["compositeResponse"][0]["body"][0]["errorCode"],
        "PROCESSING_HALTED"
    );
    assert_eq!(body["compositeResponse"][0]["httpStatusCode"], 400);
}

#[tokio::test]
async fn composite_refuses_an_unknown_method_instead_of_running_a_get() {
    let t = common::start().await;
    let existing = t.create("Account", json!({"Name": "Stays"})).await;
    let body = json!({"compositeRequest": [
        {"method": "PURGE", "url": format!("/services/data/{V}/sobjects/Account/{existing}"), "referenceId": "r1"}
    ]});
    let (status, body) = answer(
        t.api(Method::POST, "/composite")
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "INVALID_API_INPUT"),
        "{body}"
    );
    assert!(body[0]["message"].as_str().unwrap().contains("PURGE"));
    assert_eq!(t.get("Account", &existing).await["Name"], "Stays");
}
