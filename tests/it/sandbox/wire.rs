//! What every answer shares: JSON 404s and 405s, `X-PrettyPrint`, and unknown subresources.

use crate::support::org::{answer, error_code};
use reqwest::Method;

#[tokio::test]
async fn unknown_paths_and_wrong_methods_answer_salesforce_json_errors() {
    let t = crate::support::org::start().await;
    let (status, body) = answer(t.api(Method::GET, "/no/such/thing").send().await.unwrap()).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(error_code(&body), "NOT_FOUND");
    assert_eq!(body[0]["message"], "The requested resource does not exist");

    let r = t
        .api(Method::PUT, "/sobjects/Account/describe")
        .send()
        .await
        .unwrap();
    let allow = r
        .headers()
        .get("allow")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let (status, body) = answer(r).await;
    assert_eq!(status, 405, "{body}");
    assert_eq!(error_code(&body), "METHOD_NOT_ALLOWED");
    assert!(allow.contains("GET"), "Allow: {allow}");
    assert_eq!(
        body[0]["message"],
        format!("HTTP Method 'PUT' not allowed. Allowed are {allow}")
    );
}

#[tokio::test]
async fn unknown_subresources_are_not_read_as_external_id_fields() {
    let t = crate::support::org::start().await;
    for path in [
        "/sobjects/Account/namedLayouts",
        "/sobjects/Contact/eventSeriesUpdates",
    ] {
        let (status, body) = answer(t.api(Method::GET, path).send().await.unwrap()).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert_eq!(
            body[0]["message"], "The requested resource does not exist",
            "{path}"
        );
    }
}

#[tokio::test]
async fn x_prettyprint_indents_json_answers() {
    let t = crate::support::org::start().await;
    let plain = t
        .api(Method::GET, "/limits")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!plain.contains('\n'), "compact unless asked");
    let pretty = t
        .api(Method::GET, "/limits")
        .header("X-PrettyPrint", "1")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(pretty.contains("\n  \""), "{pretty}");
    let same: serde_json::Value = serde_json::from_str(&pretty).unwrap();
    let compact: serde_json::Value = serde_json::from_str(&plain).unwrap();
    assert_eq!(
        same["DailyApiRequests"]["Max"],
        compact["DailyApiRequests"]["Max"]
    );
}

#[tokio::test]
async fn recent_lists_the_records_viewed_latest_first_not_those_changed() {
    let t = crate::support::org::start().await;
    let first = t
        .create("Account", serde_json::json!({"Name": "Viewed first"}))
        .await;
    let second = t
        .create("Account", serde_json::json!({"Name": "Viewed second"}))
        .await;
    let changed = t
        .create("Account", serde_json::json!({"Name": "Only changed"}))
        .await;
    let (_, nothing) = answer(t.api(Method::GET, "/recent").send().await.unwrap()).await;
    assert_eq!(nothing, serde_json::json!([]), "nothing viewed yet");

    t.get("Account", &first).await;
    t.get("Account", &second).await;
    t.get("Account", &first).await;
    let (status, recent) = answer(t.api(Method::GET, "/recent").send().await.unwrap()).await;
    assert_eq!(status, 200, "{recent}");
    let ids: Vec<&str> = recent
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["Id"].as_str())
        .collect();
    assert_eq!(ids, [first.as_str(), second.as_str()], "{recent}");
    assert!(!ids.contains(&changed.as_str()));
    assert_eq!(recent[0]["Name"], "Viewed first");
    assert_eq!(recent[0]["attributes"]["type"], "Account");
}

#[tokio::test]
async fn describe_links_point_at_the_org_itself_and_every_link_answers() {
    let t = crate::support::org::start().await;
    let id = t
        .create("Account", serde_json::json!({"Name": "Linked"}))
        .await;
    let (_, describe) = answer(
        t.api(Method::GET, "/sobjects/Account/describe")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let (_, global) = answer(t.api(Method::GET, "/sobjects").send().await.unwrap()).await;
    let mut links: Vec<String> = describe["urls"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    for entry in global["sobjects"].as_array().unwrap() {
        for v in entry["urls"].as_object().unwrap().values() {
            links.push(v.as_str().unwrap().to_string());
        }
    }
    for link in &links {
        assert!(
            link.starts_with("/services/data/v60.0/") || link.starts_with(&format!("{}/", t.base)),
            "{link} points away from the org"
        );
    }
    for (key, link) in describe["urls"].as_object().unwrap() {
        let link = link.as_str().unwrap().replace("{ID}", &id);
        let link = link.strip_prefix(&t.base).unwrap_or(&link).to_string();
        let (status, body) = answer(
            t.http
                .get(format!("{}{link}", t.base))
                .bearer_auth(&t.token)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200, "{key} {link}: {body}");
    }
    // A record page needs a session, and a path that is no record is the org's JSON 404.
    let page = t.http.get(format!("{}/{id}", t.base)).send().await.unwrap();
    assert_eq!(page.status(), 401);
    let (status, body) = answer(
        t.http
            .get(format!("{}/not-a-record", t.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, error_code(&body)), (404, "NOT_FOUND"), "{body}");
}
