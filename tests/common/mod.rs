//! A sandbox org on 127.0.0.1 for one test, with a signed-in HTTP client.
#![allow(dead_code)]

use reqwest::{Method, RequestBuilder, Response};
use serde_json::Value;
use tether::emulator::config::{DEMO_CLIENT_ID, DEMO_PASSWORD, DEMO_USERNAME};
use tether::emulator::{OrgConfig, SandboxOrg};

pub const V: &str = "v60.0";

pub struct TestOrg {
    pub org: SandboxOrg,
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
}

pub async fn start() -> TestOrg {
    start_with(OrgConfig::default()).await
}

pub async fn start_with(config: OrgConfig) -> TestOrg {
    let org = SandboxOrg::start(config).await.expect("sandbox org starts");
    let base = org.base_url();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client");
    let token = password_login(&http, &base).await;
    TestOrg {
        org,
        http,
        base,
        token,
    }
}

/// Signs in with the password grant and returns the access token.
pub async fn password_login(http: &reqwest::Client, base: &str) -> String {
    let answer: Value = http
        .post(format!("{base}/services/oauth2/token"))
        .form(&[
            ("grant_type", "password"),
            ("client_id", DEMO_CLIENT_ID),
            ("username", DEMO_USERNAME),
            ("password", DEMO_PASSWORD),
        ])
        .send()
        .await
        .expect("token request")
        .json()
        .await
        .expect("token answer is JSON");
    answer["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no access token in {answer}"))
        .to_string()
}

impl TestOrg {
    /// A request to `/services/data/v60.0{path}` with the bearer token.
    pub fn api(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}/services/data/{V}{path}", self.base))
            .bearer_auth(&self.token)
    }

    pub async fn create(&self, object: &str, body: Value) -> String {
        let r = self
            .api(Method::POST, &format!("/sobjects/{object}/"))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let answer: Value = r.json().await.unwrap();
        assert_eq!(status, 201, "create {object} {body}: {answer}");
        answer["id"].as_str().unwrap().to_string()
    }

    pub async fn get(&self, object: &str, id: &str) -> Value {
        self.api(Method::GET, &format!("/sobjects/{object}/{id}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

/// Status and JSON body (null when empty).
pub async fn answer(r: Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let bytes = r.bytes().await.unwrap();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or(Value::Null)
    };
    (status, body)
}

/// The first error code of a REST error array.
pub fn error_code(body: &Value) -> &str {
    body[0]["errorCode"].as_str().unwrap_or_default()
}
