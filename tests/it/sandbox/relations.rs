//! Relationship queries over the seeded store, through the REST query endpoint and its
//! pages: child records match their parents, semi- and anti-joins agree with them, and
//! INCLUDES/EXCLUDES split the seeded multi-select values.

use reqwest::Method;
use sandbox_org::OrgConfig;
use serde_json::Value;

use crate::support::org::{TestOrg, answer, start_with};

async fn all_records(t: &TestOrg, soql: &str) -> Vec<Value> {
    let q: String = url::form_urlencoded::byte_serialize(soql.as_bytes()).collect();
    let request = t
        .api(Method::GET, &format!("/query?q={q}"))
        .header("Sforce-Query-Options", "batchSize=200");
    let (status, mut page) = answer(request.send().await.unwrap()).await;
    assert_eq!(status, 200, "{soql}: {page}");
    let mut records = Vec::new();
    loop {
        records.extend(page["records"].as_array().cloned().unwrap_or_default());
        let Some(next) = page["nextRecordsUrl"].as_str().map(str::to_string) else {
            break;
        };
        let r = t
            .http
            .get(format!("{}{next}", t.base))
            .bearer_auth(&t.token)
            .send()
            .await
            .unwrap();
        page = answer(r).await.1;
    }
    records
}

async fn count(t: &TestOrg, soql: &str) -> u64 {
    let q: String = url::form_urlencoded::byte_serialize(soql.as_bytes()).collect();
    let (status, body) = answer(
        t.api(Method::GET, &format!("/query?q={q}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{soql}: {body}");
    body["totalSize"].as_u64().unwrap()
}

#[tokio::test]
async fn child_records_joins_and_includes_agree_over_the_seeded_store() {
    let t = start_with(OrgConfig {
        seed_records: Some(2_500),
        ..Default::default()
    })
    .await;
    // Every seeded account has contacts; this one has none.
    t.create("Account", serde_json::json!({"Name": "No Contacts"}))
        .await;
    let accounts = count(&t, "SELECT COUNT() FROM Account").await;
    let parents = all_records(
        &t,
        "SELECT Id, (SELECT Id, AccountId FROM Contacts ORDER BY Id) FROM Account",
    )
    .await;
    assert!(parents.len() > 200, "more than one page of parents");
    assert_eq!(parents.len() as u64, accounts);
    let mut with_children = 0u64;
    let mut children = 0u64;
    for parent in &parents {
        let nested = &parent["Contacts"];
        if nested.is_null() {
            continue;
        }
        with_children += 1;
        let kids = nested["records"].as_array().unwrap();
        assert_eq!(nested["totalSize"], kids.len(), "{parent}");
        for kid in kids {
            assert_eq!(
                kid["AccountId"], parent["Id"],
                "a child under its own parent"
            );
        }
        children += kids.len() as u64;
    }
    assert!(with_children > 0 && with_children < accounts);
    assert_eq!(
        children,
        count(&t, "SELECT COUNT() FROM Contact WHERE AccountId != null").await
    );
    assert_eq!(
        count(
            &t,
            "SELECT COUNT() FROM Account WHERE Id IN (SELECT AccountId FROM Contact)"
        )
        .await,
        with_children
    );
    assert_eq!(
        count(
            &t,
            "SELECT COUNT() FROM Account WHERE Id NOT IN (SELECT AccountId FROM Contact)"
        )
        .await,
        accounts - with_children
    );

    let solar = all_records(
        &t,
        "SELECT Interests__c FROM Account WHERE Interests__c INCLUDES ('Solar')",
    )
    .await;
    assert!(!solar.is_empty());
    for record in &solar {
        let values = record["Interests__c"].as_str().unwrap();
        assert!(values.split(';').any(|v| v == "Solar"), "{values}");
    }
    let without = count(
        &t,
        "SELECT COUNT() FROM Account WHERE Interests__c EXCLUDES ('Solar')",
    )
    .await;
    assert!(without > 0);
    assert_eq!(solar.len() as u64 + without, accounts);
    let both = count(
        &t,
        "SELECT COUNT() FROM Account WHERE Interests__c INCLUDES ('Solar;Heat Pumps')",
    )
    .await;
    assert!(
        both > 0 && both < solar.len() as u64,
        "{both} of {}",
        solar.len()
    );
}

/// TYPEOF reads each event's parent by its id's type, and FIELDS(…) expands to the
/// describe's fields, through the store.
#[tokio::test]
async fn typeof_and_fields_answer_through_the_store() {
    let t = crate::support::org::start().await;
    let account = t
        .create(
            "Account",
            serde_json::json!({"Name": "Typed", "Phone": "555-0100"}),
        )
        .await;
    let opportunity = t
        .create(
            "Opportunity",
            serde_json::json!({"Name": "Typed deal", "StageName": "Prospecting", "CloseDate": "2024-06-30", "Amount": 1200}),
        )
        .await;
    for (subject, what) in [("A call", &account), ("B demo", &opportunity)] {
        t.create(
            "Event",
            serde_json::json!({"Subject": subject, "WhatId": what, "DurationInMinutes": 30,
                "ActivityDateTime": "2024-06-01T10:00:00.000Z"}),
        )
        .await;
    }
    let events = all_records(
        &t,
        "SELECT Subject, TYPEOF What WHEN Account THEN Phone WHEN Opportunity THEN Amount, CloseDate END FROM Event ORDER BY Subject",
    )
    .await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["What"]["attributes"]["type"], "Account");
    assert_eq!(events[0]["What"]["Phone"], "555-0100");
    assert_eq!(events[1]["What"]["attributes"]["type"], "Opportunity");
    assert_eq!(events[1]["What"]["CloseDate"], "2024-06-30");
    assert!(events[1]["What"].get("Phone").is_none(), "{}", events[1]);

    let typed = all_records(
        &t,
        "SELECT FIELDS(STANDARD) FROM Account WHERE Name = 'Typed'",
    )
    .await;
    assert_eq!(typed[0]["Phone"], "555-0100");
    assert!(typed[0].get("Interests__c").is_none());
    let q: String =
        url::form_urlencoded::byte_serialize(b"SELECT FIELDS(ALL) FROM Account").collect();
    let (status, refused) = answer(
        t.api(Method::GET, &format!("/query?q={q}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(refused[0]["errorCode"], "MALFORMED_QUERY");
    let message = refused[0]["message"].as_str().unwrap();
    assert!(
        message.ends_with("The SOQL FIELDS function must have a LIMIT of at most 200"),
        "{message}"
    );
}
