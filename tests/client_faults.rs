//! The client against a misbehaving sandbox org: 503 storms, row locks, dropped connections,
//! expired sessions and the circuit breaker.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use client_support::*;
use futures_util::{StreamExt, TryStreamExt};
use serde_json::{Value, json};
use tether::emulator::OrgConfig;
use tether::emulator::config::DEMO_CLIENT_ID;
use tether::salesforce::{
    BatchSize, BreakerConfig, BreakerState, Client, ClientConfig, Credentials, QueryPage,
    RefreshFuture, RefreshTokenGrant, RetryPolicy, SalesforceError, Secret, TokenRefresher,
};

fn faults(server_unavailable: f64, lock: f64, drop: f64) -> Value {
    json!({
        "server_unavailable_rate": server_unavailable,
        "lock_error_rate": lock,
        "drop_connection_rate": drop,
        "seed": 7,
    })
}

async fn account_count(client: &Client) -> u64 {
    let pages: Vec<QueryPage> = client
        .query("SELECT COUNT() FROM Account", None)
        .try_collect()
        .await
        .unwrap();
    pages[0].total_size
}

#[tokio::test]
async fn a_503_storm_is_ridden_out_and_a_permanent_outage_is_reported() {
    let (org, client) = org_and_client().await;
    org.set_faults(faults(0.3, 0.0, 0.0)).await;
    let mut refused = 0;
    for _ in 0..20 {
        let r = org
            .api(reqwest::Method::GET, "/limits")
            .send()
            .await
            .unwrap();
        refused += usize::from(r.status() == reqwest::StatusCode::SERVICE_UNAVAILABLE);
    }
    assert!(refused > 0, "the storm is on");
    for _ in 0..20 {
        client.limits().await.expect("retries get through a storm");
    }
    org.set_faults(faults(1.0, 0.0, 0.0)).await;
    let err = client.limits().await.unwrap_err();
    assert_eq!(err.code(), Some("SERVER_UNAVAILABLE"));
    assert!(err.is_transient());
}

#[tokio::test]
async fn lock_errors_are_retried_without_duplicating_writes() {
    let (org, client) = org_and_client().await;
    org.set_faults(faults(0.0, 0.5, 0.0)).await;
    let mut locked = 0;
    for _ in 0..10 {
        let r = org
            .api(reqwest::Method::POST, "/sobjects/Account/")
            .json(&json!({"Name": "Raw"}))
            .send()
            .await
            .unwrap();
        let (_, body) = answer(r).await;
        locked += usize::from(error_code(&body) == "UNABLE_TO_LOCK_ROW");
    }
    assert!(locked > 0, "the locks are on");
    let before = account_count(&client).await;
    for i in 0..20 {
        client
            .create("Account", &json!({"Name": format!("Locked {i}")}))
            .await
            .expect("a lock error is retried");
    }
    org.set_faults(faults(0.0, 0.0, 0.0)).await;
    assert_eq!(account_count(&client).await, before + 20);
}

#[tokio::test]
async fn dropped_connections_retry_reads_but_never_blind_creates() {
    let (org, client) = org_and_client().await;
    org.set_faults(faults(0.0, 0.0, 0.4)).await;
    let mut dropped = 0;
    for _ in 0..10 {
        let sent = org.api(reqwest::Method::GET, "/limits").send().await;
        dropped += usize::from(sent.is_err());
    }
    assert!(dropped > 0, "connections are being dropped");
    for _ in 0..15 {
        client.limits().await.expect("reads are retried");
    }
    let before = {
        org.set_faults(faults(0.0, 0.0, 0.0)).await;
        account_count(&client).await
    };
    org.set_faults(faults(0.0, 0.0, 1.0)).await;
    let err = client
        .create("Account", &json!({"Name": "Maybe"}))
        .await
        .unwrap_err();
    assert!(matches!(err, SalesforceError::Transport(_)), "{err:?}");
    org.set_faults(faults(0.0, 0.0, 0.0)).await;
    assert_eq!(
        account_count(&client).await,
        before + 1,
        "the create ran once and was not sent again"
    );
}

/// Counts refreshes so that tests can see they are shared.
struct Counting {
    inner: RefreshTokenGrant,
    calls: AtomicUsize,
}

impl TokenRefresher for Counting {
    fn refresh(&self) -> RefreshFuture<'_> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.refresh()
    }
}

async fn refreshable_client() -> (TestOrg, Client, Arc<Counting>) {
    refreshable_client_with(false, None).await
}

async fn refreshable_client_with(
    rotate: bool,
    on_rotation: Option<tether::salesforce::RotationHook>,
) -> (TestOrg, Client, Arc<Counting>) {
    let org = start_with(OrgConfig {
        auto_approve: true,
        rotate_refresh_tokens: rotate,
        ..OrgConfig::default()
    })
    .await;
    let tokens = code_flow_login(&org.http, &org.base).await;
    let access = tokens["access_token"].as_str().unwrap();
    let refresh = tokens["refresh_token"].as_str().expect("a refresh token");
    let mut grant = RefreshTokenGrant::new(
        reqwest::Client::new(),
        &org.base,
        DEMO_CLIENT_ID,
        Secret::new(refresh),
    );
    if let Some(hook) = on_rotation {
        grant = grant.on_rotation(hook);
    }
    let counting = Arc::new(Counting {
        inner: grant,
        calls: AtomicUsize::new(0),
    });
    let credentials = Credentials::access_token(access).with_refresher(counting.clone());
    let client = Client::connect(&org.base, credentials, fast_config())
        .await
        .unwrap();
    (org, client, counting)
}

async fn expire_sessions(org: &TestOrg) {
    let r = org
        .admin(reqwest::Method::POST, "/sessions/expire")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_session_that_expires_mid_query_is_refreshed_and_the_query_completes() {
    let (org, client, counting) = refreshable_client().await;
    for i in 0..450 {
        client
            .create("Account", &json!({"Name": format!("P{i}")}))
            .await
            .unwrap();
    }
    let mut pages = Box::pin(client.query::<Value>(
        "SELECT Id FROM Account WHERE Name LIKE 'P%'",
        Some(BatchSize(200)),
    ));
    let first = pages.next().await.unwrap().unwrap();
    assert!(!first.done);
    expire_sessions(&org).await;
    let rest: Vec<QueryPage<Value>> = pages.try_collect().await.unwrap();
    let total = first.records.len() + rest.iter().map(|p| p.records.len()).sum::<usize>();
    assert_eq!(total, 450);
    assert_eq!(counting.calls.load(Ordering::SeqCst), 1);
    assert_eq!(client.token_generation().await, 1);
}

#[tokio::test]
async fn concurrent_requests_share_one_refresh() {
    let (org, client, counting) = refreshable_client().await;
    expire_sessions(&org).await;
    let calls = (0..8).map(|_| {
        let client = client.clone();
        async move { client.limits().await }
    });
    for result in futures_util::future::join_all(calls).await {
        result.expect("every call succeeds after the refresh");
    }
    assert_eq!(counting.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn rotated_refresh_tokens_are_kept_and_handed_on() {
    let rotations = Arc::new(std::sync::Mutex::new(Vec::<Secret>::new()));
    let seen = rotations.clone();
    let hook: tether::salesforce::RotationHook =
        Arc::new(move |token: &Secret| seen.lock().unwrap().push(token.clone()));
    let (org, client, counting) = refreshable_client_with(true, Some(hook)).await;
    for _ in 0..3 {
        expire_sessions(&org).await;
        client
            .limits()
            .await
            .expect("each expiry is refreshed with the newest token");
    }
    assert_eq!(counting.calls.load(Ordering::SeqCst), 3);
    let rotations = rotations.lock().unwrap();
    assert_eq!(rotations.len(), 3);
    assert_ne!(rotations[0], rotations[1]);
}

#[tokio::test]
async fn without_a_refresher_an_expired_session_is_reported() {
    let (org, client) = org_and_client().await;
    expire_sessions(&org).await;
    let err = client.limits().await.unwrap_err();
    assert!(matches!(err, SalesforceError::SessionExpired(_)), "{err:?}");
    assert!(err.to_string().contains("connect the org again"), "{err}");
}

#[tokio::test]
async fn the_breaker_opens_on_a_failing_org_and_closes_after_a_good_trial() {
    let org = start().await;
    let cool_down = Duration::from_millis(50);
    let config = ClientConfig {
        retry: RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
        },
        breaker: BreakerConfig {
            failure_threshold: 3,
            cool_down,
        },
        ..ClientConfig::default()
    };
    let client = client_for(&org, config).await;
    org.set_faults(faults(1.0, 0.0, 0.0)).await;
    let first = client.limits().await.unwrap_err();
    assert_eq!(first.code(), Some("SERVER_UNAVAILABLE"));
    let second = client.limits().await.unwrap_err();
    assert!(
        matches!(second, SalesforceError::CircuitOpen { failures: 3 }),
        "{second:?}"
    );
    assert_eq!(client.breaker_state(), BreakerState::Open);
    let refused = client.limits().await.unwrap_err();
    assert!(matches!(refused, SalesforceError::CircuitOpen { .. }));

    org.set_faults(faults(0.0, 0.0, 0.0)).await;
    tokio::time::sleep(cool_down + Duration::from_millis(10)).await;
    assert_eq!(client.breaker_state(), BreakerState::HalfOpen);
    client.limits().await.expect("the trial call goes through");
    assert_eq!(client.breaker_state(), BreakerState::Closed);
}
