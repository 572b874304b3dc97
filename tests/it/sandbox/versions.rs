//! API versions: every version from v31.0 up, sessions checked before versions, and the
//! shapes that differ by version.

use crate::support::org::{answer, error_code};
use reqwest::Method;
use serde_json::{Value, json};

fn at(
    t: &crate::support::org::TestOrg,
    method: Method,
    v: &str,
    path: &str,
) -> reqwest::RequestBuilder {
    t.http
        .request(method, format!("{}/services/data/{v}{path}", t.base))
        .bearer_auth(&t.token)
}

#[tokio::test]
async fn every_version_from_v31_up_is_listed_and_served() {
    let t = crate::support::org::start().await;
    let list: Vec<Value> = t
        .http
        .get(format!("{}/services/data/", t.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let versions: Vec<&str> = list.iter().filter_map(|v| v["version"].as_str()).collect();
    let expected: Vec<String> = (31..=67).map(|n| format!("{n}.0")).collect();
    assert_eq!(versions, expected, "{list:?}");
    assert_eq!(list[0]["url"], "/services/data/v31.0");
    assert_eq!(list[0]["label"], "Summer '14");
    for v in ["v31.0", "v45.0", "v50.0", "v62.0", "v67.0"] {
        let (status, body) = answer(
            at(&t, Method::GET, v, "/sobjects/Account/describe")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200, "{v}: {body}");
        let (status, body) = answer(
            at(&t, Method::GET, v, "/query")
                .query(&[("q", "SELECT Id FROM Account LIMIT 1")])
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200, "{v}: {body}");
    }
}

#[tokio::test]
async fn a_bad_token_is_refused_with_401_at_any_version_and_any_path() {
    let t = crate::support::org::start().await;
    for path in [
        "/services/data/v45.0/sobjects/",
        "/services/data/v31.0/query?q=SELECT+Id+FROM+Account",
        "/services/data/v20.0/sobjects/",
        "/services/data/v99.0/limits",
        "/services/data/v50.0/no/such/resource",
        "/services/data/v41.0/composite/sobjects",
    ] {
        let (status, body) = answer(
            t.http
                .get(format!("{}{path}", t.base))
                .bearer_auth("00Dbogus!token")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 401, "{path}: {body}");
        assert_eq!(error_code(&body), "INVALID_SESSION_ID", "{path}");
    }
}

#[tokio::test]
async fn resources_newer_than_the_version_asked_are_not_found() {
    let t = crate::support::org::start().await;
    let batch =
        json!({"allOrNone": false, "records": [{"attributes": {"type": "Account"}, "Name": "A"}]});
    let (status, body) = answer(
        at(&t, Method::POST, "v41.0", "/composite/sobjects")
            .json(&batch)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, error_code(&body)), (404, "NOT_FOUND"), "{body}");
    let (status, body) = answer(
        at(&t, Method::POST, "v42.0", "/composite/sobjects")
            .json(&batch)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body[0]["success"], true, "{body}");

    let composite = json!({"compositeRequest": [{"method": "GET", "url": "/services/data/v37.0/limits", "referenceId": "l"}]});
    let (status, _) = answer(
        at(&t, Method::POST, "v37.0", "/composite")
            .json(&composite)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404);

    let job = json!({"object": "Account", "operation": "insert"});
    let (status, _) = answer(
        at(&t, Method::POST, "v40.0", "/jobs/ingest")
            .json(&job)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404);
    let (status, body) = answer(
        at(&t, Method::POST, "v41.0", "/jobs/ingest")
            .json(&job)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn an_upsert_that_updates_answers_204_before_v46_and_a_body_after() {
    let t = crate::support::org::start().await;
    let key = "/sobjects/Account/External_Id__c/VER-1";
    let (status, body) = answer(
        at(&t, Method::PATCH, "v45.0", key)
            .json(&json!({"Name": "A"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["success"], true);
    let (status, body) = answer(
        at(&t, Method::PATCH, "v45.0", key)
            .json(&json!({"Name": "B"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body), (204, Value::Null));
    let (status, body) = answer(
        at(&t, Method::PATCH, "v46.0", key)
            .json(&json!({"Name": "C"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["created"], false);
}
