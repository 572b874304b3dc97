//! `toLabel()`, `FORMAT()` and `FOR VIEW` through `/query` over real HTTP.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::org::{TestOrg, answer, error_code, start};

async fn query(t: &TestOrg, soql: &str) -> (u16, Value) {
    answer(
        t.api(Method::GET, "/query")
            .query(&[("q", soql)])
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn recent_ids(t: &TestOrg) -> Vec<String> {
    let (status, recent) = answer(t.api(Method::GET, "/recent").send().await.unwrap()).await;
    assert_eq!(status, 200, "{recent}");
    recent
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["Id"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn query_answers_labels_and_formatted_values_under_their_names() {
    let t = start().await;
    let account = t
        .create(
            "Account",
            json!({"Name": "Quasar Lumber", "CleanStatus": "Matched"}),
        )
        .await;
    t.create(
        "Opportunity",
        json!({"Name": "Big saw", "StageName": "Prospecting", "CloseDate": "2026-12-01",
            "Amount": 1200.5, "AccountId": account}),
    )
    .await;
    let (status, body) = query(
        &t,
        "SELECT Name, toLabel(Account.CleanStatus), Amount, FORMAT(Amount) amt, FORMAT(CloseDate) FROM Opportunity",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let row = &body["records"][0];
    assert_eq!(row["Account"]["CleanStatus"], "In Sync", "{body}");
    assert_eq!(row["Amount"], json!(1200.5), "{body}");
    assert_eq!(row["amt"], "$1,200.50", "{body}");
    assert_eq!(row["CloseDate"], "12/1/2026", "{body}");

    let (status, body) = query(&t, "SELECT toLabel(Name) FROM Account").await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "INVALID_FIELD"),
        "{body}"
    );
}

#[tokio::test]
async fn for_view_marks_the_answered_records_as_viewed() {
    let t = start().await;
    let first = t.create("Account", json!({"Name": "Aurora Mills"})).await;
    let second = t.create("Account", json!({"Name": "Boreal Paper"})).await;
    let unseen = t.create("Account", json!({"Name": "Zenith Pulp"})).await;

    let (status, body) = query(&t, "SELECT Id FROM Account ORDER BY Name FOR REFERENCE").await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = query(&t, "SELECT Id FROM Account UPDATE TRACKING").await;
    assert_eq!(status, 200, "{body}");
    assert!(recent_ids(&t).await.is_empty(), "only FOR VIEW marks views");

    let (status, body) = query(
        &t,
        "SELECT Id, Name FROM Account WHERE Name != 'Zenith Pulp' ORDER BY Name LIMIT 5 FOR VIEW",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["totalSize"], 2, "{body}");
    assert_eq!(recent_ids(&t).await, [first.clone(), second.clone()]);
    assert!(!recent_ids(&t).await.contains(&unseen));
}
