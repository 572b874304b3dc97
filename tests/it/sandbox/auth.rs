//! OAuth 2.0 and sessions of the sandbox org, over real HTTP on 127.0.0.1.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, LOCATION};
use sandbox_org::config::{DEMO_CALLBACK, DEMO_CLIENT_ID, DEMO_PASSWORD, DEMO_USERNAME};
use sandbox_org::{ConnectedApp, OrgConfig, SandboxOrg, SandboxUser};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const SCRIPT_APP: &str = "ScriptApp";
const SCRIPT_SECRET: &str = "script-app-secret";
const JWT_APP: &str = "JwtApp";
const INACTIVE_USER: &str = "gone@tether-sandbox.example";
const TEST_CERT: &str = include_str!("../../fixtures/jwt/test-app.crt");
const TEST_KEY: &str = include_str!("../../fixtures/jwt/test-app.key");
const OTHER_KEY: &str = include_str!("../../fixtures/jwt/other.key");

struct Org {
    org: SandboxOrg,
    http: reqwest::Client,
    base: String,
}

fn config() -> OrgConfig {
    let mut config = OrgConfig::default();
    config.apps.push(ConnectedApp {
        client_id: SCRIPT_APP.into(),
        client_secret: Some(SCRIPT_SECRET.into()),
        callbacks: vec!["http://localhost:8080/callback".into()],
        jwt_certificate_pem: None,
    });
    config.apps.push(ConnectedApp {
        client_id: JWT_APP.into(),
        client_secret: Some("jwt-secret".into()),
        callbacks: vec![],
        jwt_certificate_pem: Some(TEST_CERT.into()),
    });
    config.users.push(SandboxUser {
        username: "second@tether-sandbox.example".into(),
        password: "second-pw".into(),
        first_name: "Sam".into(),
        last_name: "Second".into(),
        email: "sam@tether-sandbox.example".into(),
        active: true,
        security_token: Some("SecondUsersToken0123456789".into()),
        profile: sandbox_org::config::ADMIN_PROFILE.into(),
    });
    config.users.push(SandboxUser {
        username: INACTIVE_USER.into(),
        password: "gone-pw".into(),
        first_name: "Gail".into(),
        last_name: "Gone".into(),
        email: "gail@tether-sandbox.example".into(),
        active: false,
        security_token: None,
        profile: sandbox_org::config::ADMIN_PROFILE.into(),
    });
    config
}

async fn start_with(config: OrgConfig) -> Org {
    let org = SandboxOrg::start(config)
        .await
        .unwrap_or_else(|e| panic!("sandbox org starts: {e}"));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("http client: {e}"));
    let base = org.base_url();
    Org { org, http, base }
}

async fn start() -> Org {
    start_with(config()).await
}

fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn query_of(location: &str) -> Vec<(String, String)> {
    let url = url::Url::parse(location).unwrap_or_else(|e| panic!("redirect {location:?}: {e}"));
    url.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

impl Org {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn authorize(&self, params: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .get(self.url("/services/oauth2/authorize"))
            .query(params)
            .send()
            .await
            .unwrap_or_else(|e| panic!("authorize: {e}"))
    }

    /// Submits the login and consent form with `params` (the authorize request) and returns
    /// the response, unfollowed.
    async fn consent(
        &self,
        params: &[(&str, &str)],
        username: &str,
        password: &str,
        decision: &str,
    ) -> reqwest::Response {
        let mut form: Vec<(&str, &str)> = params.to_vec();
        form.extend([
            ("username", username),
            ("password", password),
            ("decision", decision),
        ]);
        self.http
            .post(self.url("/services/oauth2/authorize"))
            .form(&form)
            .send()
            .await
            .unwrap_or_else(|e| panic!("consent: {e}"))
    }

    /// The whole interactive leg: the page is shown, the demo user allows, the code comes back.
    async fn code(&self, params: &[(&str, &str)]) -> String {
        let page = self.authorize(params).await;
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap_or_default();
        assert!(html.contains("name=\"password\""), "login page: {html}");
        let answer = self
            .consent(params, DEMO_USERNAME, DEMO_PASSWORD, "allow")
            .await;
        assert_eq!(answer.status(), StatusCode::FOUND);
        let location = answer
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(location.starts_with(DEMO_CALLBACK), "{location}");
        let pairs = query_of(&location);
        assert_eq!(
            get(&pairs, "state"),
            params.iter().find(|(k, _)| *k == "state").map(|(_, v)| *v)
        );
        get(&pairs, "code")
            .unwrap_or_else(|| panic!("no code in {location}"))
            .to_string()
    }

    async fn token(&self, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let response = self
            .http
            .post(self.url("/services/oauth2/token"))
            .form(form)
            .send()
            .await
            .unwrap_or_else(|e| panic!("token: {e}"));
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn exchange(&self, code: &str, verifier: &str) -> (StatusCode, Value) {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("client_id", DEMO_CLIENT_ID),
            ("redirect_uri", DEMO_CALLBACK),
            ("code_verifier", verifier),
        ])
        .await
    }

    async fn refresh(&self, refresh_token: &str) -> (StatusCode, Value) {
        self.token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", DEMO_CLIENT_ID),
        ])
        .await
    }

    async fn password(&self, username: &str, password: &str) -> (StatusCode, Value) {
        self.token(&[
            ("grant_type", "password"),
            ("client_id", SCRIPT_APP),
            ("client_secret", SCRIPT_SECRET),
            ("username", username),
            ("password", password),
        ])
        .await
    }

    /// Status and body of an authenticated REST call.
    async fn rest(&self, access_token: &str) -> (StatusCode, Value) {
        let response = self
            .http
            .get(self.url("/services/data/v60.0/"))
            .header(AUTHORIZATION, format!("Bearer {access_token}"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("rest: {e}"));
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// A token pair through the web-server flow, approved without a page (`auto_approve`).
    async fn auto_tokens(&self, scope: Option<&str>) -> Value {
        let verifier = "k".repeat(64);
        let challenge = s256(&verifier);
        let mut params = vec![
            ("response_type", "code"),
            ("client_id", DEMO_CLIENT_ID),
            ("redirect_uri", DEMO_CALLBACK),
            ("code_challenge", challenge.as_str()),
        ];
        if let Some(scope) = scope {
            params.push(("scope", scope));
        }
        let answer = self.authorize(&params).await;
        assert_eq!(
            answer.status(),
            StatusCode::FOUND,
            "auto approve redirects at once"
        );
        let location = answer
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let code = get(&query_of(&location), "code")
            .unwrap_or_default()
            .to_string();
        let (status, body) = self.exchange(&code, &verifier).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("no {key} in {v}"))
}

fn assert_oauth_error(status: StatusCode, body: &Value, error: &str, description: &str) {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        body,
        &json!({"error": error, "error_description": description})
    );
}

const INVALID_SESSION: &str =
    r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#;

fn assert_invalid_session(status: StatusCode, body: &Value) {
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body,
        &serde_json::from_str::<Value>(INVALID_SESSION).unwrap_or_default()
    );
}

fn assert_invalid_session_pair((status, body): (StatusCode, Value)) {
    assert_invalid_session(status, &body);
}

mod apps_section;
mod grants;
mod sessions;
mod soap_login;
mod web_server_flow;
