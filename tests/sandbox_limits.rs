//! The daily API allocation, `Sforce-Limit-Info`, `/limits`, and the transport rules around
//! every request: gzip both ways and the body size cap.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod sandbox_support;

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use reqwest::{Method, StatusCode};
use sandbox_support::{Api, error_code};
use serde_json::{Value, json};
use tether::emulator::OrgConfig;

fn limit_info(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get("Sforce-Limit-Info")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[tokio::test]
async fn every_counted_call_carries_its_usage() {
    let api = Api::start(OrgConfig {
        daily_api_limit: 500,
        ..Default::default()
    })
    .await;
    let versions = api
        .client
        .get(api.url("/services/data/"))
        .send()
        .await
        .unwrap();
    assert_eq!(versions.status(), StatusCode::OK);
    assert_eq!(
        limit_info(&versions),
        None,
        "the version list is not an API call"
    );

    let mut seen = Vec::new();
    for path in ["/limits", "/sobjects/Account/describe", "/limits/"] {
        seen.push(limit_info(
            &api.api(Method::GET, path).send().await.unwrap(),
        ));
    }
    assert_eq!(
        seen,
        ["api-usage=1/500", "api-usage=2/500", "api-usage=3/500"].map(|s| Some(s.to_string()))
    );

    let composite = json!({ "compositeRequest": [
        { "method": "POST", "url": "/services/data/v60.0/sobjects/Account", "referenceId": "a", "body": { "Name": "A" } },
        { "method": "GET", "url": "/services/data/v60.0/sobjects/Account/@{a.id}", "referenceId": "b" },
        { "method": "GET", "url": "/services/data/v60.0/limits", "referenceId": "c" },
    ]});
    let response = api
        .api(Method::POST, "/composite")
        .json(&composite)
        .send()
        .await
        .unwrap();
    assert_eq!(
        limit_info(&response).as_deref(),
        Some("api-usage=4/500"),
        "a composite call counts as one"
    );

    let usage: Value = api
        .admin(Method::GET, "/limits")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(usage, json!({ "used": 4, "max": 500 }));
}

#[tokio::test]
async fn over_the_allocation_calls_are_refused_and_not_run() {
    let api = Api::start(OrgConfig::default()).await;
    let set = api
        .admin(Method::PUT, "/limits")
        .json(&json!({ "max": 1000, "used": 997 }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        set.json::<Value>().await.unwrap(),
        json!({ "used": 997, "max": 1000 })
    );

    for expected in [
        "api-usage=998/1000",
        "api-usage=999/1000",
        "api-usage=1000/1000",
    ] {
        let response = api.api(Method::GET, "/limits").send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(limit_info(&response).as_deref(), Some(expected));
    }
    let refused = api
        .api(Method::POST, "/sobjects/Account")
        .json(&json!({ "Name": "Too late" }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(limit_info(&refused).as_deref(), Some("api-usage=1000/1000"));
    let body: Value = refused.json().await.unwrap();
    assert_eq!(
        body,
        json!([{ "message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED" }])
    );
    assert_eq!(
        api.org.org().store.count("Account"),
        0,
        "the refused create did not run"
    );

    api.admin(Method::PUT, "/limits")
        .json(&json!({ "max": 2000 }))
        .send()
        .await
        .unwrap();
    let again = api.api(Method::GET, "/limits").send().await.unwrap();
    assert_eq!(
        limit_info(&again).as_deref(),
        Some("api-usage=1001/2000"),
        "a larger allocation lets calls through"
    );
}

#[tokio::test]
async fn the_limits_resource_has_the_documented_shape() {
    let api = Api::start(OrgConfig {
        daily_api_limit: 15_000,
        seed_records: Some(400),
        ..Default::default()
    })
    .await;
    let response = api.api(Method::GET, "/limits").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    let names = [
        "DailyApiRequests",
        "DailyBulkApiBatches",
        "DailyBulkV2QueryJobs",
        "DailyBulkV2QueryFileStorageMB",
        "DataStorageMB",
        "FileStorageMB",
        "ConcurrentAsyncGetReportInstances",
    ];
    for name in names {
        let entry = body[name]
            .as_object()
            .unwrap_or_else(|| panic!("{name} missing from {body}"));
        assert_eq!(
            entry.keys().collect::<Vec<_>>(),
            ["Max", "Remaining"],
            "{name}"
        );
        assert!(
            entry["Max"].as_u64() >= entry["Remaining"].as_u64(),
            "{name}: {entry:?}"
        );
    }
    assert_eq!(
        body["DailyApiRequests"],
        json!({ "Max": 15_000, "Remaining": 14_999 })
    );
    let storage = &body["DataStorageMB"];
    assert!(
        storage["Remaining"].as_u64() < storage["Max"].as_u64(),
        "seeded records use storage: {storage}"
    );

    let old = api
        .client
        .get(api.url("/services/data/v20.0/limits"))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn gzip_request_bodies_are_accepted_and_gzip_answers_served() {
    let api = Api::start(OrgConfig::default()).await;
    let body =
        serde_json::to_vec(&json!({ "Name": "Compressed Co", "External_Id__c": "GZ-1" })).unwrap();
    let created = api
        .api(Method::POST, "/sobjects/Account")
        .header("Content-Type", "application/json")
        .header("Content-Encoding", "gzip")
        .body(gzip(&body))
        .send()
        .await
        .unwrap();
    assert_eq!(
        created.status(),
        StatusCode::CREATED,
        "{}",
        created.text().await.unwrap_or_default()
    );
    assert_eq!(
        api.org
            .org()
            .store
            .find_by_key("Account", "External_Id__c", "GZ-1")
            .len(),
        1
    );

    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    let response = raw
        .get(api.url("/services/data/v60.0/sobjects/Account/describe"))
        .bearer_auth(&api.token)
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response
            .headers()
            .get("Content-Encoding")
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
    let zipped = response.bytes().await.unwrap();
    let mut text = String::new();
    GzDecoder::new(&zipped[..])
        .read_to_string(&mut text)
        .unwrap();
    let describe: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(describe["name"], "Account");
    assert!(zipped.len() < text.len(), "the answer was compressed");

    let plain = raw
        .get(api.url("/services/data/v60.0/sobjects/Account/describe"))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    assert!(
        plain.headers().get("Content-Encoding").is_none(),
        "no gzip unless asked for"
    );
}

#[tokio::test]
async fn oversized_bodies_get_a_413_json_error() {
    let api = Api::start(OrgConfig {
        max_body_bytes: 4 * 1024,
        ..Default::default()
    })
    .await;
    let big = serde_json::to_vec(&json!({ "Name": "x".repeat(8 * 1024) })).unwrap();
    let streamed = reqwest::Body::wrap_stream(futures_util::stream::iter(
        big.chunks(1024)
            .map(|c| Ok::<_, std::io::Error>(c.to_vec()))
            .collect::<Vec<_>>(),
    ));
    let bomb = gzip(&vec![b' '; 64 * 1024]);
    assert!(
        bomb.len() < 4 * 1024,
        "the compressed body itself is under the cap"
    );

    let sent: [(&str, reqwest::RequestBuilder); 3] = [
        (
            "with a length",
            api.api(Method::POST, "/sobjects/Account").body(big.clone()),
        ),
        (
            "chunked",
            api.api(Method::POST, "/sobjects/Account").body(streamed),
        ),
        (
            "gzip bomb",
            api.api(Method::POST, "/sobjects/Account")
                .header("Content-Encoding", "gzip")
                .body(bomb),
        ),
    ];
    for (how, request) in sent {
        let response = request
            .header("Content-Type", "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE, "{how}");
        let body: Value = response
            .json()
            .await
            .unwrap_or_else(|e| panic!("{how}: not JSON: {e}"));
        assert_eq!(error_code(&body), "EXCEEDED_MAX_SIZE_REQUEST", "{how}");
    }
    let small = api
        .api(Method::POST, "/sobjects/Account")
        .json(&json!({ "Name": "Fits" }))
        .send()
        .await
        .unwrap();
    assert_eq!(small.status(), StatusCode::CREATED);
}
