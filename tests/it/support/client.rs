//! A sandbox org and a `salesforce::Client` signed in to it, for the client tests.

use std::time::Duration;

use serde_json::Value;
use tether::salesforce::{BreakerConfig, Client, ClientConfig, Credentials, RetryPolicy};

pub use crate::support::org::*;

/// Retries quick enough for tests, still exponential.
pub fn fast_config() -> ClientConfig {
    ClientConfig {
        retry: RetryPolicy {
            max_attempts: 8,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(40),
        },
        breaker: BreakerConfig {
            failure_threshold: 50,
            cool_down: Duration::from_secs(60),
        },
        ..ClientConfig::default()
    }
}

pub async fn client_for(org: &TestOrg, config: ClientConfig) -> Client {
    Client::connect(&org.base, Credentials::access_token(&org.token), config)
        .await
        .expect("client connects")
}

pub async fn org_and_client() -> (TestOrg, Client) {
    let org = start().await;
    let client = client_for(&org, fast_config()).await;
    (org, client)
}

impl TestOrg {
    pub fn admin(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}/__sandbox{path}", self.base))
    }

    pub async fn set_faults(&self, faults: Value) {
        let r = self
            .admin(reqwest::Method::PUT, "/faults")
            .json(&faults)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "faults {faults}: {}", r.status());
    }

    /// API requests the org has counted so far.
    pub async fn api_used(&self) -> u64 {
        let usage: Value = self
            .admin(reqwest::Method::GET, "/limits")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        usage["used"].as_u64().unwrap()
    }
}
