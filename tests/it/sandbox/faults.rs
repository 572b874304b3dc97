//! Faults of the sandbox org seen by a client over real HTTP: 503s at the configured rate and
//! reproducible from the seed, lock errors per resource, dropped connections, latency, and
//! the admin endpoint that sets them.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::support::sandbox::{Api, error_code};
use axum::body::Body;
use axum::extract::ConnectInfo;
use reqwest::{Method, StatusCode};
use sandbox_org::FaultConfig;
use serde_json::{Value, json};
use tower::ServiceExt;

async fn statuses(api: &Api, calls: usize) -> Vec<StatusCode> {
    let mut out = Vec::with_capacity(calls);
    for _ in 0..calls {
        out.push(
            api.api(Method::GET, "/sobjects/Account/describe")
                .send()
                .await
                .unwrap()
                .status(),
        );
    }
    out
}

#[tokio::test]
async fn server_unavailable_comes_at_the_configured_rate_and_replays_from_the_seed() {
    let faults = FaultConfig {
        server_unavailable_rate: 0.25,
        seed: 2024,
        ..Default::default()
    };
    let first = Api::with_faults(faults.clone()).await;
    let run = statuses(&first, 200).await;
    let unavailable = run
        .iter()
        .filter(|s| **s == StatusCode::SERVICE_UNAVAILABLE)
        .count();
    assert!(
        (25..=75).contains(&unavailable),
        "{unavailable} of 200 calls at 25%"
    );
    assert!(
        run.iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::SERVICE_UNAVAILABLE)
    );

    let second = Api::with_faults(faults.clone()).await;
    assert_eq!(
        statuses(&second, 200).await,
        run,
        "the same seed gives the same run"
    );

    first.set_faults(&faults).await;
    assert_eq!(
        statuses(&first, 200).await,
        run,
        "setting the faults again restarts the dice"
    );

    let response = loop {
        let r = first.api(Method::GET, "/limits").send().await.unwrap();
        if r.status() == StatusCode::SERVICE_UNAVAILABLE {
            break r;
        }
    };
    assert!(
        response.headers().get("Sforce-Limit-Info").is_none(),
        "a refused call is not counted"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!([{ "message": "Server temporarily unavailable", "errorCode": "SERVER_UNAVAILABLE" }])
    );
}

#[tokio::test]
async fn lock_errors_take_the_shape_of_each_resource_and_write_nothing() {
    let api = Api::with_faults(FaultConfig {
        lock_error_rate: 1.0,
        ..Default::default()
    })
    .await;
    let store = &api.org.org().store;

    let single = api
        .api(Method::POST, "/sobjects/Account")
        .json(&json!({ "Name": "Locked" }))
        .send()
        .await
        .unwrap();
    assert_eq!(single.status(), StatusCode::BAD_REQUEST);
    let body: Value = single.json().await.unwrap();
    assert_eq!(error_code(&body), "UNABLE_TO_LOCK_ROW");

    let records = json!({ "allOrNone": false, "records": [
        { "attributes": { "type": "Account" }, "Name": "One" },
        { "attributes": { "type": "Account" }, "Name": "Two" },
    ]});
    let collection = api
        .api(Method::POST, "/composite/sobjects")
        .json(&records)
        .send()
        .await
        .unwrap();
    assert_eq!(collection.status(), StatusCode::OK);
    let results: Vec<Value> = collection.json().await.unwrap();
    assert_eq!(results.len(), 2);
    for result in &results {
        assert_eq!(result["success"], json!(false));
        assert_eq!(
            result["errors"][0]["statusCode"],
            json!("UNABLE_TO_LOCK_ROW")
        );
    }

    let composite = json!({ "allOrNone": false, "compositeRequest": [
        { "method": "POST", "url": "/services/data/v60.0/sobjects/Account", "referenceId": "a", "body": { "Name": "A" } },
        { "method": "POST", "url": "/services/data/v60.0/sobjects/Account", "referenceId": "b", "body": { "Name": "B" } },
    ]});
    let answer: Value = api
        .api(Method::POST, "/composite")
        .json(&composite)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let subresponses = answer["compositeResponse"].as_array().unwrap();
    assert_eq!(
        subresponses
            .iter()
            .map(|s| s["referenceId"].clone())
            .collect::<Vec<_>>(),
        [json!("a"), json!("b")]
    );
    assert!(
        subresponses.iter().all(
            |s| s["httpStatusCode"] == 400 && s["body"][0]["errorCode"] == "UNABLE_TO_LOCK_ROW"
        )
    );
    assert_eq!(store.count("Account"), 0, "a locked write does not run");

    let read = api
        .api(Method::GET, "/sobjects/Account/describe")
        .send()
        .await
        .unwrap();
    assert_eq!(
        read.status(),
        StatusCode::OK,
        "reads never meet a lock error"
    );
}

#[tokio::test]
async fn a_dropped_connection_is_a_transport_error_after_the_request_ran() {
    let api = Api::with_faults(FaultConfig {
        drop_connection_rate: 1.0,
        ..Default::default()
    })
    .await;
    let read = api
        .api(Method::GET, "/sobjects/Account/describe")
        .send()
        .await;
    assert!(
        read.is_err(),
        "expected a transport error, got an answer: {read:?}"
    );
    let zipped = api
        .api(Method::GET, "/sobjects/Account/describe")
        .header("Accept-Encoding", "gzip")
        .send()
        .await;
    assert!(
        zipped.is_err(),
        "a compressed answer is dropped as well: {zipped:?}"
    );

    let write = api
        .api(Method::POST, "/sobjects/Account")
        .json(&json!({ "Name": "Maybe written" }))
        .send()
        .await;
    assert!(write.is_err());
    assert_eq!(
        api.org.org().store.count("Account"),
        1,
        "the write happened, only its answer was lost"
    );

    api.set_faults(&FaultConfig::default()).await;
    let after = api
        .api(Method::GET, "/sobjects/Account/describe")
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::OK);
}

#[tokio::test]
async fn latency_delays_every_api_answer() {
    let api = Api::with_faults(FaultConfig {
        latency_ms: 150,
        jitter_ms: 50,
        seed: 5,
        ..Default::default()
    })
    .await;
    for _ in 0..3 {
        let started = Instant::now();
        let response = api.api(Method::GET, "/limits").send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            started.elapsed() >= Duration::from_millis(150),
            "answered after {:?}",
            started.elapsed()
        );
    }
}

#[tokio::test]
async fn faults_are_read_and_set_through_the_admin_endpoint() {
    let api = Api::with_faults(FaultConfig::default()).await;
    let wanted = FaultConfig {
        latency_ms: 5,
        jitter_ms: 2,
        server_unavailable_rate: 0.1,
        lock_error_rate: 0.2,
        drop_connection_rate: 0.05,
        session_expiry_secs: Some(60),
        seed: 99,
    };
    api.set_faults(&wanted).await;
    let read: FaultConfig = api
        .admin(Method::GET, "/faults")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(read, wanted);
    assert_eq!(
        api.org.org().faults.session_expiry(),
        Some(Duration::from_secs(60))
    );
    assert_eq!(
        api.org.org().auth.session_expiry_secs(),
        Some(60),
        "the auth module enforces the early expiry"
    );

    let refused = [
        json!({ "lock_error_rate": 2.0 }),
        json!({ "server_unavailable_rate": -1 }),
        json!({ "latency": 5 }),
        json!("fast"),
    ];
    for body in refused {
        let response = api
            .admin(Method::PUT, "/faults")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        let errors: Value = response.json().await.unwrap();
        assert!(!error_code(&errors).is_empty(), "{errors}");
    }
    let kept: FaultConfig = api
        .admin(Method::GET, "/faults")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        kept, wanted,
        "a refused change leaves the faults as they were"
    );

    let expired = api
        .admin(Method::POST, "/sessions/expire")
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), StatusCode::NO_CONTENT);
    let refused = api.api(Method::GET, "/limits").send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        error_code(&refused.json().await.unwrap()),
        "INVALID_SESSION_ID"
    );
    let health: Value = api
        .admin(Method::GET, "/health")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
}

#[tokio::test]
async fn the_admin_endpoint_refuses_peers_other_than_loopback() {
    let api = Api::with_faults(FaultConfig::default()).await;
    let app = sandbox_org::testing::router(api.org.state().clone());
    let peers: [(Option<SocketAddr>, u16); 3] = [
        (Some(([127, 0, 0, 1], 4000).into()), 200),
        (Some(([192, 168, 1, 20], 4000).into()), 403),
        (None, 403),
    ];
    for (peer, status) in peers {
        let mut request = axum::http::Request::get("/__sandbox/health")
            .body(Body::empty())
            .unwrap();
        if let Some(addr) = peer {
            request.extensions_mut().insert(ConnectInfo(addr));
        }
        let response = app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status().as_u16(), status, "peer {peer:?}");
    }
}
