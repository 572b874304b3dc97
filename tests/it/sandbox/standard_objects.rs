//! The activity, campaign and product objects over REST: what every org holds, the
//! relationships their describes advertise, and what a real org refuses or derives.

use reqwest::Method;
use sandbox_org::OrgConfig;
use serde_json::{Value, json};

use crate::support::org::{answer, start, start_with};

async fn query(t: &crate::support::org::TestOrg, soql: &str) -> Value {
    let (status, body) = answer(
        t.api(Method::GET, "/query")
            .query(&[("q", soql)])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{soql}: {body}");
    body
}

#[tokio::test]
async fn every_org_has_its_standard_price_book_and_record_type() {
    let t = start().await;
    let books = query(
        &t,
        "SELECT Id, Name, IsActive FROM Pricebook2 WHERE IsStandard = true",
    )
    .await;
    assert_eq!(books["totalSize"], 1, "{books}");
    assert_eq!(books["records"][0]["Name"], "Standard Price Book");
    let (_, account) = answer(
        t.api(Method::GET, "/sobjects/Account/describe")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let household = account["recordTypeInfos"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["developerName"] == "Household")
        .unwrap()["recordTypeId"]
        .clone();
    let types = query(&t, "SELECT Id, DeveloperName, SobjectType FROM RecordType").await;
    assert_eq!(types["records"][0]["Id"], household, "{types}");
    assert_eq!(types["records"][0]["SobjectType"], "Account");
    let (status, refused) = answer(
        t.api(Method::POST, "/sobjects/RecordType/")
            .json(&json!({"Name": "Mine", "DeveloperName": "Mine", "SobjectType": "Account"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400, "record types are setup, not data: {refused}");
}

#[tokio::test]
async fn deleting_a_campaign_takes_its_members_and_a_task_needs_a_person_for_who() {
    let t = start().await;
    let contact = t.create("Contact", json!({"LastName": "Member"})).await;
    let campaign = t.create("Campaign", json!({"Name": "Launch"})).await;
    let member = t
        .create(
            "CampaignMember",
            json!({"CampaignId": campaign, "ContactId": contact}),
        )
        .await;
    assert_eq!(t.get("CampaignMember", &member).await["Status"], "Sent");
    let (status, _) = answer(
        t.api(Method::DELETE, &format!("/sobjects/Campaign/{campaign}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 204);
    let left = query(&t, "SELECT Id FROM CampaignMember").await;
    assert_eq!(
        left["totalSize"], 0,
        "members go with their campaign: {left}"
    );

    let (status, refused) = answer(
        t.api(Method::POST, "/sobjects/Task/")
            .json(&json!({"Subject": "Call", "WhoId": campaign}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400, "{refused}");
    let task = t
        .create(
            "Task",
            json!({"Subject": "Call", "WhoId": contact, "Status": "Completed"}),
        )
        .await;
    let read = t.get("Task", &task).await;
    assert_eq!(
        (read["IsClosed"].clone(), read["Priority"].clone()),
        (json!(true), json!("Normal"))
    );
}

#[tokio::test]
async fn seeded_tasks_and_line_items_hang_from_the_demo_records() {
    let t = start_with(OrgConfig {
        seed_records: Some(800),
        ..OrgConfig::default()
    })
    .await;
    let tasks = query(
        &t,
        "SELECT Id, WhoId, Who.Name, WhatId, Account.Name FROM Task WHERE WhoId != null LIMIT 20",
    )
    .await;
    assert!(tasks["totalSize"].as_u64().unwrap() > 0, "{tasks}");
    for task in tasks["records"].as_array().unwrap() {
        let contact = t.get("Contact", task["WhoId"].as_str().unwrap()).await;
        assert_eq!(
            contact["AccountId"], task["WhatId"],
            "a seeded task's person belongs to its account: {task}"
        );
    }
    let lines = query(
        &t,
        "SELECT Quantity, UnitPrice, TotalPrice, PricebookEntry.Pricebook2Id FROM OpportunityLineItem",
    )
    .await;
    assert!(lines["totalSize"].as_u64().unwrap() > 0, "{lines}");
    for line in lines["records"].as_array().unwrap() {
        let (q, u, total) = (
            line["Quantity"].as_f64().unwrap(),
            line["UnitPrice"].as_f64().unwrap(),
            line["TotalPrice"].as_f64().unwrap(),
        );
        assert!((q * u - total).abs() < 0.005, "{line}");
    }
}
