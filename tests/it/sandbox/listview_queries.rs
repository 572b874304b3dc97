//! The `query` a standard list view's describe answers (with `toLabel()` on picklists) runs
//! through `/query` and lists the view's own results, labels included.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::org::{TestOrg, V, answer, start};

async fn get(t: &TestOrg, path: &str) -> Value {
    let path = path
        .strip_prefix(&format!("/services/data/{V}"))
        .unwrap_or(path);
    let (status, body) = answer(t.api(Method::GET, path).send().await.unwrap()).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

fn listed_ids(results: &Value) -> Vec<String> {
    results["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["columns"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["fieldNameOrPath"] == "Id")
                .and_then(|c| c["value"].as_str())
                .unwrap()
                .to_string()
        })
        .collect()
}

#[tokio::test]
async fn each_standard_list_view_query_lists_the_views_results() {
    let t = start().await;
    let account = t
        .create(
            "Account",
            json!({"Name": "Quasar Lumber", "Type": "Prospect"}),
        )
        .await;
    t.create("Account", json!({"Name": "Aurora Mills", "Type": "Other"}))
        .await;
    t.create("Contact", json!({"LastName": "Ng", "AccountId": account}))
        .await;
    for (name, stage) in [("Won deal", "Closed Won"), ("Open deal", "Prospecting")] {
        t.create(
            "Opportunity",
            json!({"Name": name, "StageName": stage, "CloseDate": "2026-12-01", "AccountId": account}),
        )
        .await;
    }
    t.create(
        "Lead",
        json!({"LastName": "Park", "Company": "Initech", "Status": "Open - Not Contacted"}),
    )
    .await;
    t.create("Case", json!({"Subject": "Broken saw", "Status": "New"}))
        .await;

    let mut checked = 0;
    let mut labelled = 0;
    for object in ["Account", "Contact", "Opportunity", "Lead", "Case"] {
        let list = get(&t, &format!("/sobjects/{object}/listviews")).await;
        for view in list["listviews"].as_array().unwrap() {
            let describe = get(&t, view["describeUrl"].as_str().unwrap()).await;
            let query = describe["query"].as_str().unwrap();
            let results = get(
                &t,
                &format!("{}?limit=2000", view["resultsUrl"].as_str().unwrap()),
            )
            .await;
            let (status, answered) = answer(
                t.api(Method::GET, "/query")
                    .query(&[("q", query)])
                    .send()
                    .await
                    .unwrap(),
            )
            .await;
            assert_eq!(
                status, 200,
                "{object} {}: {query}: {answered}",
                view["developerName"]
            );
            let ids: Vec<String> = answered["records"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["Id"].as_str().unwrap().to_string())
                .collect();
            assert_eq!(
                ids,
                listed_ids(&results),
                "{object} {}: {query}",
                view["developerName"]
            );
            if query.contains("toLabel(") {
                labelled += 1;
            }
            if query.contains("toLabel(Type)") && object == "Account" {
                let types: Vec<&Value> = answered["records"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| &r["Type"])
                    .collect();
                assert!(types.contains(&&json!("Prospect")), "{answered}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} views");
    assert!(labelled >= 1, "no view query used toLabel()");
}
