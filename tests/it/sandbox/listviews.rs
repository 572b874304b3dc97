//! The standard list views (`/sobjects/X/listviews`) over real HTTP: every advertised link
//! answers, and a view's results are what its query answers.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::org::{TestOrg, answer, error_code, start};

async fn get(t: &TestOrg, path: &str) -> (u16, Value) {
    // Links in answers start at /services/data/vNN.0; t.api adds that prefix itself.
    let path = path
        .strip_prefix(&format!("/services/data/{}", crate::support::org::V))
        .unwrap_or(path);
    answer(t.api(Method::GET, path).send().await.unwrap()).await
}

async fn views(t: &TestOrg, object: &str) -> Vec<Value> {
    let (status, body) = get(t, &format!("/sobjects/{object}/listviews")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["sobjectType"], object);
    assert_eq!(body["size"], body["listviews"].as_array().unwrap().len());
    body["listviews"].as_array().unwrap().clone()
}

fn by_name<'a>(views: &'a [Value], developer_name: &str) -> &'a Value {
    views
        .iter()
        .find(|v| v["developerName"] == developer_name)
        .unwrap_or_else(|| panic!("no {developer_name} in {views:?}"))
}

/// The ids a results page lists, from its hidden Id column.
fn result_ids(results: &Value) -> Vec<String> {
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

async fn soql_ids(t: &TestOrg, soql: &str) -> Vec<String> {
    let (status, body) = answer(
        t.api(Method::GET, "/query")
            .query(&[("q", soql)])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{soql}: {body}");
    body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn every_advertised_list_view_link_answers() {
    let t = start().await;
    for object in ["Account", "Contact", "Opportunity", "Lead", "Case"] {
        let (_, describe) = get(&t, &format!("/sobjects/{object}/describe")).await;
        let advertised = describe["urls"]["listviews"].as_str().unwrap();
        let (status, _) = get(&t, advertised).await;
        assert_eq!(status, 200, "{object}: {advertised}");
        let views = views(&t, object).await;
        assert!(views.len() >= 2, "{object}: {views:?}");
        for view in &views {
            for link in ["url", "describeUrl", "resultsUrl"] {
                let url = view[link].as_str().unwrap();
                let (status, body) = get(&t, url).await;
                assert_eq!(status, 200, "{object} {link} {url}: {body}");
            }
        }
    }
}

#[tokio::test]
async fn list_view_results_are_what_its_query_answers() {
    let t = start().await;
    for (i, name) in ["Quasar Lumber", "Aurora Mills", "Boreal Paper"]
        .iter()
        .enumerate()
    {
        t.create(
            "Account",
            json!({"Name": name, "Phone": format!("555-010{i}"), "Type": "Prospect"}),
        )
        .await;
    }
    let views = views(&t, "Account").await;
    let mine = by_name(&views, "MyAccounts");
    let (_, describe) = get(&t, mine["describeUrl"].as_str().unwrap()).await;
    assert_eq!(describe["scope"], "mine");
    let query = describe["query"].as_str().unwrap();
    assert!(
        query
            .starts_with("SELECT Name, Site, BillingState, Phone, toLabel(Type), Owner.Alias, Id,"),
        "{query}"
    );

    let (status, page) = get(
        &t,
        &format!("{}?limit=2", mine["resultsUrl"].as_str().unwrap()),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["size"], 3);
    assert_eq!(page["done"], false);
    let (_, rest) = get(
        &t,
        &format!("{}?limit=2&offset=2", mine["resultsUrl"].as_str().unwrap()),
    )
    .await;
    assert_eq!(rest["done"], true);
    let mut listed = result_ids(&page);
    listed.extend(result_ids(&rest));

    let (_, me) = answer(
        t.http
            .get(format!("{}/services/oauth2/userinfo", t.base))
            .bearer_auth(&t.token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let user_id = me["user_id"].as_str().unwrap();
    let wanted = soql_ids(
        &t,
        &format!("SELECT Id FROM Account WHERE OwnerId = '{user_id}' ORDER BY Name ASC NULLS FIRST, Id ASC NULLS FIRST"),
    )
    .await;
    assert_eq!(listed, wanted);

    let first = &page["records"][0]["columns"];
    let cell = |path: &str| {
        first
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["fieldNameOrPath"] == path)
            .unwrap()["value"]
            .clone()
    };
    assert_eq!(cell("Name"), "Aurora Mills");
    assert_eq!(cell("Phone"), "555-0101");
    let created = cell("CreatedDate");
    assert!(
        created.as_str().unwrap().contains(" GMT "),
        "date-times shown as the list shows them: {created}"
    );
}

#[tokio::test]
async fn a_won_view_lists_only_won_deals_and_an_unknown_view_is_not_found() {
    let t = start().await;
    let account = t.create("Account", json!({"Name": "Deal Maker"})).await;
    for (name, stage) in [("Won deal", "Closed Won"), ("Open deal", "Prospecting")] {
        t.create("Opportunity", json!({"Name": name, "StageName": stage, "CloseDate": "2026-12-01", "AccountId": account}))
            .await;
    }
    let views = views(&t, "Opportunity").await;
    let won = by_name(&views, "Won");
    let (_, results) = get(&t, won["resultsUrl"].as_str().unwrap()).await;
    let wanted = soql_ids(
        &t,
        "SELECT Id FROM Opportunity WHERE IsWon = true ORDER BY Name, Id",
    )
    .await;
    assert_eq!(result_ids(&results), wanted);
    assert!(!wanted.is_empty());

    let (status, body) = get(&t, "/sobjects/Account/listviews/00B000000000000AAA/results").await;
    assert_eq!((status, error_code(&body)), (404, "NOT_FOUND"), "{body}");
}
