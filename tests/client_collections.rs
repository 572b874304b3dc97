//! sObject Collections and Composite through the client.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client_support;

use std::collections::HashMap;

use client_support::*;
use futures_util::TryStreamExt;
use serde_json::{Map, Value, json};
use tether::salesforce::{Client, CollectionOptions, QueryPage, Subrequest};

fn record(fields: Value) -> Map<String, Value> {
    fields.as_object().cloned().unwrap_or_default()
}

async fn names_by_id(client: &Client, soql: &str) -> HashMap<String, String> {
    let pages: Vec<QueryPage> = client.query(soql, None).try_collect().await.unwrap();
    pages
        .into_iter()
        .flat_map(|p| p.records)
        .map(|r| {
            (
                r["Id"].as_str().unwrap().to_string(),
                r["Name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn many_records_are_chunked_and_results_keep_input_order() {
    let (_org, client) = org_and_client().await;
    let mut records: Vec<Map<String, Value>> = (0..450)
        .map(|i| record(json!({"Name": format!("C{i:03}")})))
        .collect();
    records[250] = record(json!({"Description": "no name"}));
    let options = CollectionOptions {
        all_or_none: false,
        concurrency: 3,
    };
    let results = client
        .create_many("Account", &records, options)
        .await
        .unwrap();
    assert_eq!(results.len(), 450);
    assert!(!results[250].success);
    assert_eq!(results[250].errors[0].status_code, "REQUIRED_FIELD_MISSING");
    let names = names_by_id(&client, "SELECT Id, Name FROM Account WHERE Name LIKE 'C%'").await;
    assert_eq!(names.len(), 449);
    for (i, result) in results.iter().enumerate().filter(|(i, _)| *i != 250) {
        let id = result.id.as_deref().unwrap();
        assert_eq!(names[id], format!("C{i:03}"), "result {i}");
    }

    let ids: Vec<String> = results.iter().filter_map(|r| r.id.clone()).collect();
    let renamed: Vec<Map<String, Value>> = ids
        .iter()
        .map(|id| record(json!({"Id": id, "Name": format!("R-{id}")})))
        .collect();
    let updated = client
        .update_many("Account", &renamed, CollectionOptions::default())
        .await
        .unwrap();
    assert!(updated.iter().all(|r| r.success));
    let names = names_by_id(
        &client,
        "SELECT Id, Name FROM Account WHERE Name LIKE 'R-%'",
    )
    .await;
    assert!(ids.iter().all(|id| names[id] == format!("R-{id}")));

    let deleted = client
        .delete_many(&ids, CollectionOptions::default())
        .await
        .unwrap();
    assert_eq!(deleted.len(), ids.len());
    assert!(
        deleted
            .iter()
            .zip(&ids)
            .all(|(r, id)| r.success && r.id.as_ref() == Some(id))
    );
}

#[tokio::test]
async fn upsert_many_reports_created_and_updated() {
    let (_org, client) = org_and_client().await;
    let first: Vec<Map<String, Value>> = (0..3)
        .map(|i| record(json!({"External_Id__c": format!("E{i}"), "Name": "one"})))
        .collect();
    let created = client
        .upsert_many(
            "Account",
            "External_Id__c",
            &first,
            CollectionOptions::default(),
        )
        .await
        .unwrap();
    assert!(created.iter().all(|r| r.success && r.created == Some(true)));
    let second: Vec<Map<String, Value>> = (1..5)
        .map(|i| record(json!({"External_Id__c": format!("E{i}"), "Name": "two"})))
        .collect();
    let again = client
        .upsert_many(
            "Account",
            "External_Id__c",
            &second,
            CollectionOptions::default(),
        )
        .await
        .unwrap();
    let flags: Vec<Option<bool>> = again.iter().map(|r| r.created).collect();
    assert_eq!(
        flags,
        vec![Some(false), Some(false), Some(true), Some(true)]
    );
    assert_eq!(again[0].id, created[1].id);
}

#[tokio::test]
async fn locked_records_are_sent_again_until_written() {
    let (org, client) = org_and_client().await;
    org.set_faults(json!({"lock_error_rate": 0.5, "seed": 3}))
        .await;
    let records: Vec<Map<String, Value>> = (0..30)
        .map(|i| record(json!({"Name": format!("L{i}")})))
        .collect();
    let results = client
        .create_many("Account", &records, CollectionOptions::default())
        .await
        .unwrap();
    assert!(results.iter().all(|r| r.success), "{results:?}");
    org.set_faults(json!({})).await;
    let names = names_by_id(&client, "SELECT Id, Name FROM Account WHERE Name LIKE 'L%'").await;
    assert_eq!(names.len(), 30, "each record written once");
}

#[tokio::test]
async fn composite_runs_subrequests_with_references() {
    let (_org, client) = org_and_client().await;
    let subrequests = vec![
        Subrequest {
            method: "POST".into(),
            url: client.data_path("/sobjects/Account"),
            reference_id: "acct".into(),
            body: Some(json!({"Name": "Parent"})),
        },
        Subrequest {
            method: "POST".into(),
            url: client.data_path("/sobjects/Contact"),
            reference_id: "person".into(),
            body: Some(json!({"LastName": "Child", "AccountId": "@{acct.id}"})),
        },
        Subrequest {
            method: "GET".into(),
            url: client.data_path("/sobjects/Contact/@{person.id}?fields=AccountId"),
            reference_id: "check".into(),
            body: None,
        },
    ];
    let answers = client.composite(true, &subrequests).await.unwrap();
    let statuses: Vec<u16> = answers.iter().map(|a| a.http_status_code).collect();
    assert_eq!(statuses, vec![201, 201, 200]);
    assert_eq!(answers[2].body["AccountId"], answers[0].body["id"]);

    let failing = vec![Subrequest {
        method: "POST".into(),
        url: client.data_path("/sobjects/Account"),
        reference_id: "bad".into(),
        body: Some(json!({})),
    }];
    let answers = client.composite(true, &failing).await.unwrap();
    assert_eq!(answers[0].http_status_code, 400);
    assert_eq!(answers[0].body[0]["errorCode"], "REQUIRED_FIELD_MISSING");
}
