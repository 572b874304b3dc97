//! A sandbox org on 127.0.0.1 for one test, with a signed-in HTTP client.

use reqwest::{Method, RequestBuilder, Response};
use sandbox_org::config::{DEMO_CLIENT_ID, DEMO_PASSWORD, DEMO_USERNAME};
use sandbox_org::{OrgConfig, SandboxOrg};
use serde_json::Value;

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

/// The web-server flow with PKCE against an org started with `auto_approve`: the token answer.
pub async fn code_flow_login(http: &reqwest::Client, base: &str) -> Value {
    use base64::Engine;
    use sandbox_org::config::DEMO_CALLBACK;
    use sha2::Digest;
    let verifier = "v".repeat(64);
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()));
    let authorize = http
        .get(format!("{base}/services/oauth2/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", DEMO_CLIENT_ID),
            ("redirect_uri", DEMO_CALLBACK),
            ("code_challenge", challenge.as_str()),
            ("state", "s1"),
        ])
        .send()
        .await
        .expect("authorize request");
    let location = authorize.headers()["location"]
        .to_str()
        .unwrap()
        .to_string();
    let url = url::Url::parse(&location).unwrap();
    let code = url
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("no code in {location}"));
    http.post(format!("{base}/services/oauth2/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", DEMO_CLIENT_ID),
            ("redirect_uri", DEMO_CALLBACK),
            ("code", code.as_str()),
            ("code_verifier", verifier.as_str()),
        ])
        .send()
        .await
        .expect("token request")
        .json()
        .await
        .expect("token answer is JSON")
}
