//! OAuth 2.0 and sessions of the sandbox org, over real HTTP on 127.0.0.1.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, LOCATION};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tether::emulator::config::{DEMO_CALLBACK, DEMO_CLIENT_ID, DEMO_PASSWORD, DEMO_USERNAME};
use tether::emulator::{ConnectedApp, OrgConfig, SandboxOrg, SandboxUser};

const SCRIPT_APP: &str = "ScriptApp";
const SCRIPT_SECRET: &str = "script-app-secret";
const JWT_APP: &str = "JwtApp";
const INACTIVE_USER: &str = "gone@tether-sandbox.example";
const TEST_CERT: &str = include_str!("fixtures/jwt/test-app.crt");
const TEST_KEY: &str = include_str!("fixtures/jwt/test-app.key");
const OTHER_KEY: &str = include_str!("fixtures/jwt/other.key");

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
    });
    config.users.push(SandboxUser {
        username: INACTIVE_USER.into(),
        password: "gone-pw".into(),
        first_name: "Gail".into(),
        last_name: "Gone".into(),
        email: "gail@tether-sandbox.example".into(),
        active: false,
    });
    config
}

async fn start_with(config: OrgConfig) -> Org {
    let org = SandboxOrg::start(config).await.unwrap_or_else(|e| panic!("sandbox org starts: {e}"));
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
    url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

fn get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
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
    async fn consent(&self, params: &[(&str, &str)], username: &str, password: &str, decision: &str) -> reqwest::Response {
        let mut form: Vec<(&str, &str)> = params.to_vec();
        form.extend([("username", username), ("password", password), ("decision", decision)]);
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
        let answer = self.consent(params, DEMO_USERNAME, DEMO_PASSWORD, "allow").await;
        assert_eq!(answer.status(), StatusCode::FOUND);
        let location = answer.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        assert!(location.starts_with(DEMO_CALLBACK), "{location}");
        let pairs = query_of(&location);
        assert_eq!(get(&pairs, "state"), params.iter().find(|(k, _)| *k == "state").map(|(_, v)| *v));
        get(&pairs, "code").unwrap_or_else(|| panic!("no code in {location}")).to_string()
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
        self.token(&[("grant_type", "refresh_token"), ("refresh_token", refresh_token), ("client_id", DEMO_CLIENT_ID)]).await
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
        assert_eq!(answer.status(), StatusCode::FOUND, "auto approve redirects at once");
        let location = answer.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        let code = get(&query_of(&location), "code").unwrap_or_default().to_string();
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
    assert_eq!(body, &json!({"error": error, "error_description": description}));
}

const INVALID_SESSION: &str = r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#;

fn assert_invalid_session(status: StatusCode, body: &Value) {
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body, &serde_json::from_str::<Value>(INVALID_SESSION).unwrap_or_default());
}

#[tokio::test]
async fn web_server_flow_with_pkce_variants() {
    let org = start().await;
    let long_verifier: String = (0..171).map(|i| (b'a' + (i % 26) as u8) as char).collect();
    let plain_verifier = "p".repeat(50);
    let s256_verifier = "S256-verifier_with.allowed~chars-0123456789abcdef".to_string();
    let s256_challenge = s256(&s256_verifier);
    let long_challenge = s256(&long_verifier);
    let cases: [(&str, Vec<(&str, &str)>, &str); 3] = [
        ("S256", vec![("code_challenge", &s256_challenge), ("code_challenge_method", "S256")], &s256_verifier),
        ("plain", vec![("code_challenge", &plain_verifier), ("code_challenge_method", "plain")], &plain_verifier),
        ("no method, 171 characters", vec![("code_challenge", &long_challenge)], &long_verifier),
    ];
    for (name, pkce, verifier) in cases {
        let mut params = vec![
            ("response_type", "code"),
            ("client_id", DEMO_CLIENT_ID),
            ("redirect_uri", DEMO_CALLBACK),
            ("state", "opaque state/with spaces & symbols"),
        ];
        params.extend(pkce);
        let code = org.code(&params).await;
        let (status, body) = org.exchange(&code, verifier).await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");

        let admin = org.org.org().auth.admin_user_id();
        let org_id = &org.org.org().config.org_id;
        let id = format!("{}/id/{org_id}/{admin}", org.base);
        let keys: Vec<&str> = body.as_object().map(|m| m.keys().map(String::as_str).collect()).unwrap_or_default();
        assert_eq!(
            keys,
            ["access_token", "refresh_token", "signature", "scope", "instance_url", "id", "token_type", "issued_at"],
            "{name}: no expires_in, real key order"
        );
        assert_eq!(text(&body, "id"), id);
        assert_eq!(text(&body, "instance_url"), org.base);
        assert_eq!(text(&body, "token_type"), "Bearer");
        assert_eq!(text(&body, "scope"), "refresh_token api", "{name}: no scope asked, the app's scopes granted");
        assert!(text(&body, "access_token").starts_with(&format!("{}!AQ", &org_id[..15])));
        let issued_at: i64 = text(&body, "issued_at").parse().unwrap_or(0);
        assert!(issued_at > 1_600_000_000_000, "issued_at in milliseconds");
        // A public client's signature is keyed by an empty secret.
        let mut mac = Hmac::<Sha256>::new_from_slice(b"").unwrap_or_else(|e| panic!("{e}"));
        mac.update(format!("{id}{issued_at}").as_bytes());
        assert_eq!(text(&body, "signature"), STANDARD.encode(mac.finalize().into_bytes()));

        let (status, _) = org.rest(text(&body, "access_token")).await;
        assert_eq!(status, StatusCode::OK, "{name}: the token opens the API");
    }
}

#[tokio::test]
async fn code_verifier_and_code_reuse() {
    let org = start().await;
    let verifier = "v".repeat(60);
    let challenge = s256(&verifier);
    let params = [
        ("response_type", "code"),
        ("client_id", DEMO_CLIENT_ID),
        ("redirect_uri", DEMO_CALLBACK),
        ("code_challenge", challenge.as_str()),
    ];

    let code = org.code(&params).await;
    let (status, body) = org.exchange(&code, &"w".repeat(60)).await;
    assert_oauth_error(status, &body, "invalid_grant", "invalid code verifier");
    let (status, body) = org.exchange(&code, &verifier).await;
    assert_oauth_error(status, &body, "invalid_grant", "invalid authorization code");

    let code = org.code(&params).await;
    let (status, _) = org.exchange(&code, &verifier).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = org.exchange(&code, &verifier).await;
    assert_oauth_error(status, &body, "invalid_grant", "invalid authorization code");

    let code = org.code(&params).await;
    let (status, body) = org
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", DEMO_CLIENT_ID),
            ("redirect_uri", "http://localhost:1717/Other"),
            ("code_verifier", &verifier),
        ])
        .await;
    assert_oauth_error(status, &body, "redirect_uri_mismatch", "redirect_uri must match configuration");

    let code = org.code(&params).await;
    org.org.org().auth.advance_clock(Duration::from_secs(15 * 60));
    let (status, body) = org.exchange(&code, &verifier).await;
    assert_oauth_error(status, &body, "invalid_grant", "expired authorization code");
}

#[tokio::test]
async fn authorize_errors_show_a_page_instead_of_redirecting() {
    let org = start().await;
    let challenge = s256(&"c".repeat(50));
    let cases = [
        ("http://localhost:1718/OauthRedirect", DEMO_CLIENT_ID, "redirect_uri_mismatch"),
        ("http://localhost:1717/OauthRedirect/", DEMO_CLIENT_ID, "redirect_uri_mismatch"),
        ("https://evil.example/cb", DEMO_CLIENT_ID, "redirect_uri_mismatch"),
        (DEMO_CALLBACK, "UnknownApp", "invalid_client_id"),
    ];
    for (redirect_uri, client_id, error) in cases {
        let params = [
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", redirect_uri),
            ("code_challenge", challenge.as_str()),
        ];
        let response = org.authorize(&params).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{redirect_uri}");
        assert!(response.headers().get(LOCATION).is_none(), "never a redirect to {redirect_uri}");
        let html = response.text().await.unwrap_or_default();
        assert!(html.contains(&format!("error={error}")), "{html}");
    }

    // With app and callback trusted, errors go back to the callback.
    let params = [("response_type", "code"), ("client_id", DEMO_CLIENT_ID), ("redirect_uri", DEMO_CALLBACK), ("state", "s1")];
    let response = org.authorize(&params).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let pairs = query_of(&location);
    assert_eq!(get(&pairs, "error"), Some("invalid_request"), "a public client must use PKCE");
    assert_eq!(get(&pairs, "state"), Some("s1"));
}

#[tokio::test]
async fn consent_page_deny_and_failed_login() {
    let org = start().await;
    let challenge = s256(&"d".repeat(50));
    let params = [
        ("response_type", "code"),
        ("client_id", DEMO_CLIENT_ID),
        ("redirect_uri", DEMO_CALLBACK),
        ("code_challenge", challenge.as_str()),
        ("state", "xyz"),
        ("login_hint", DEMO_USERNAME),
    ];
    let page = org.authorize(&params).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().starts_with("text/html"));
    let html = page.text().await.unwrap_or_default();
    for expected in ["Allow", "Deny", &format!("value=\"{DEMO_USERNAME}\""), "Tether Sandbox Org"] {
        assert!(html.contains(expected), "page lacks {expected}: {html}");
    }

    let denied = org.consent(&params, "", "", "deny").await;
    assert_eq!(denied.status(), StatusCode::FOUND);
    let location = denied.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert_eq!(
        location,
        format!("{DEMO_CALLBACK}?error=access_denied&error_description=end-user+denied+authorization&state=xyz")
    );

    for (username, password) in [(DEMO_USERNAME, "wrong"), ("nobody@example.com", DEMO_PASSWORD), (INACTIVE_USER, "gone-pw")] {
        let failed = org.consent(&params, username, password, "allow").await;
        assert_eq!(failed.status(), StatusCode::OK, "{username}: the page again, no redirect");
        assert!(failed.headers().get(LOCATION).is_none());
        let html = failed.text().await.unwrap_or_default();
        assert!(html.contains("Please check your username and password"), "{html}");
    }
}

#[tokio::test]
async fn refresh_without_rotation_keeps_the_refresh_token() {
    let org = start_with(OrgConfig { auto_approve: true, ..config() }).await;
    let first = org.auto_tokens(None).await;
    let refresh_token = text(&first, "refresh_token").to_string();
    for _ in 0..2 {
        let (status, body) = org.refresh(&refresh_token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.get("refresh_token").is_none(), "no new refresh token without rotation");
        assert_ne!(text(&body, "access_token"), text(&first, "access_token"));
        assert_eq!(org.rest(text(&body, "access_token")).await.0, StatusCode::OK);
    }
    assert_eq!(org.rest(text(&first, "access_token")).await.0, StatusCode::OK, "older access token lives on");

    let (status, body) = org.refresh("5Aep861not-a-real-token").await;
    assert_oauth_error(status, &body, "invalid_grant", "expired access/refresh token");
    let (status, body) = org
        .token(&[("grant_type", "refresh_token"), ("refresh_token", &refresh_token), ("client_id", "UnknownApp")])
        .await;
    assert_oauth_error(status, &body, "invalid_client_id", "client identifier invalid");
}

#[tokio::test]
async fn refresh_with_rotation_replaces_the_refresh_token() {
    let org = start_with(OrgConfig { auto_approve: true, rotate_refresh_tokens: true, ..config() }).await;
    let first = org.auto_tokens(None).await;
    let old = text(&first, "refresh_token").to_string();
    let (status, body) = org.refresh(&old).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let new = text(&body, "refresh_token").to_string();
    assert_ne!(new, old);
    let (status, body) = org.refresh(&old).await;
    assert_oauth_error(status, &body, "invalid_grant", "expired access/refresh token");
    assert_eq!(org.refresh(&new).await.0, StatusCode::OK);
}

#[tokio::test]
async fn refresh_token_needs_the_scope() {
    let org = start_with(OrgConfig { auto_approve: true, ..config() }).await;
    let cases = [(Some("api"), false), (Some("api refresh_token"), true), (Some("api offline_access"), true), (None, true)];
    for (scope, refresh) in cases {
        let body = org.auto_tokens(scope).await;
        assert_eq!(body.get("refresh_token").is_some(), refresh, "scope {scope:?}: {body}");
    }
}

#[tokio::test]
async fn at_most_five_refresh_tokens_per_user_and_app() {
    let org = start_with(OrgConfig { auto_approve: true, ..config() }).await;
    let mut answers = Vec::new();
    for _ in 0..6 {
        answers.push(org.auto_tokens(None).await);
    }
    let admin = org.org.org().auth.admin_user_id();
    assert_eq!(org.org.org().auth.refresh_token_count(&admin, DEMO_CLIENT_ID), 5);
    let (status, body) = org.refresh(text(&answers[0], "refresh_token")).await;
    assert_oauth_error(status, &body, "invalid_grant", "expired access/refresh token");
    assert_invalid_session_pair(org.rest(text(&answers[0], "access_token")).await);
    for later in &answers[1..] {
        assert_eq!(org.refresh(text(later, "refresh_token")).await.0, StatusCode::OK);
    }
}

fn assert_invalid_session_pair((status, body): (StatusCode, Value)) {
    assert_invalid_session(status, &body);
}

#[tokio::test]
async fn password_grant() {
    let org = start().await;
    let (status, body) = org.password(DEMO_USERNAME, DEMO_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("refresh_token").is_none(), "the username-password flow gives no refresh token");
    assert_eq!(org.rest(text(&body, "access_token")).await.0, StatusCode::OK);
    let id = text(&body, "id");
    let issued_at = text(&body, "issued_at");
    let mut mac = Hmac::<Sha256>::new_from_slice(SCRIPT_SECRET.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    mac.update(format!("{id}{issued_at}").as_bytes());
    assert_eq!(text(&body, "signature"), STANDARD.encode(mac.finalize().into_bytes()), "keyed by the client secret");

    let security_token = "AbCdEfGhIjKlMnOpQrStUvWx";
    let (status, _) = org.password(&DEMO_USERNAME.to_uppercase(), &format!("{DEMO_PASSWORD}{security_token}")).await;
    assert_eq!(status, StatusCode::OK, "security token suffix and any username case are accepted");

    let cases = [
        (DEMO_USERNAME, "wrong", "authentication failure"),
        ("nobody@example.com", DEMO_PASSWORD, "authentication failure"),
        (INACTIVE_USER, "gone-pw", "inactive user"),
    ];
    for (username, password, description) in cases {
        let (status, body) = org.password(username, password).await;
        assert_oauth_error(status, &body, "invalid_grant", description);
    }

    let (status, body) = org
        .token(&[("grant_type", "password"), ("client_id", SCRIPT_APP), ("username", DEMO_USERNAME), ("password", DEMO_PASSWORD)])
        .await;
    assert_oauth_error(status, &body, "invalid_client", "invalid client credentials");
    let (status, body) = org.token(&[("grant_type", "client_credentials"), ("client_id", SCRIPT_APP)]).await;
    assert_oauth_error(status, &body, "unsupported_grant_type", "grant type not supported");
}

fn assertion(key: &str, aud: &str, exp: i64, sub: &str) -> String {
    let claims = json!({"iss": JWT_APP, "sub": sub, "aud": aud, "exp": exp});
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(key.as_bytes()).unwrap_or_else(|e| panic!("test key: {e}"));
    jsonwebtoken::encode(&jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256), &claims, &key)
        .unwrap_or_else(|e| panic!("signing: {e}"))
}

#[tokio::test]
async fn jwt_bearer_grant() {
    let org = start().await;
    let now = chrono::Utc::now().timestamp();
    let base = org.base.clone();
    let cases = [
        ("good", TEST_KEY, base.as_str(), now + 180, DEMO_USERNAME, Ok(())),
        ("production audience", TEST_KEY, "https://login.salesforce.com", now + 180, DEMO_USERNAME, Ok(())),
        ("wrong key", OTHER_KEY, base.as_str(), now + 180, DEMO_USERNAME, Err("invalid assertion")),
        ("expired", TEST_KEY, base.as_str(), now - 10, DEMO_USERNAME, Err("expired authorization code")),
        ("wrong audience", TEST_KEY, "https://login.example.com", now + 180, DEMO_USERNAME, Err("audience is invalid")),
        ("unknown user", TEST_KEY, base.as_str(), now + 180, "nobody@example.com", Err("invalid assertion")),
        ("inactive user", TEST_KEY, base.as_str(), now + 180, INACTIVE_USER, Err("inactive user")),
    ];
    for (name, key, aud, exp, sub, expected) in cases {
        let jwt = assertion(key, aud, exp, sub);
        let (status, body) = org.token(&[("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", &jwt)]).await;
        match expected {
            Ok(()) => {
                assert_eq!(status, StatusCode::OK, "{name}: {body}");
                assert!(body.get("refresh_token").is_none(), "{name}: no refresh token");
                assert_eq!(org.rest(text(&body, "access_token")).await.0, StatusCode::OK, "{name}");
            }
            Err(description) => assert_oauth_error(status, &body, "invalid_grant", description),
        }
    }
}

#[tokio::test]
async fn revoke_access_and_refresh_tokens() {
    let org = start_with(OrgConfig { auto_approve: true, ..config() }).await;
    let first = org.auto_tokens(None).await;
    let second = org.auto_tokens(None).await;

    let response = org
        .http
        .post(org.url("/services/oauth2/revoke"))
        .form(&[("token", text(&first, "access_token"))])
        .send()
        .await
        .unwrap_or_else(|e| panic!("revoke: {e}"));
    assert_eq!(response.status(), StatusCode::OK);
    assert_invalid_session_pair(org.rest(text(&first, "access_token")).await);
    assert_eq!(org.refresh(text(&first, "refresh_token")).await.0, StatusCode::OK, "its refresh token survives");

    let (_, refreshed) = org.refresh(text(&second, "refresh_token")).await;
    let response = org
        .http
        .get(org.url("/services/oauth2/revoke"))
        .query(&[("token", text(&second, "refresh_token"))])
        .send()
        .await
        .unwrap_or_else(|e| panic!("revoke: {e}"));
    assert_eq!(response.status(), StatusCode::OK);
    assert_invalid_session_pair(org.rest(text(&second, "access_token")).await);
    assert_invalid_session_pair(org.rest(text(&refreshed, "access_token")).await);
    let (status, body) = org.refresh(text(&second, "refresh_token")).await;
    assert_oauth_error(status, &body, "invalid_grant", "expired access/refresh token");

    let response = org
        .http
        .post(org.url("/services/oauth2/revoke"))
        .form(&[("token", text(&second, "refresh_token"))])
        .send()
        .await
        .unwrap_or_else(|e| panic!("revoke: {e}"));
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(body["error"], "invalid_token");
}

#[tokio::test]
async fn sessions_expire_after_inactivity_and_on_faults() {
    let org = start_with(OrgConfig { auto_approve: true, ..config() }).await;
    let auth = &org.org.org().auth;
    let timeout = org.org.org().config.session_timeout;

    let tokens = org.auto_tokens(None).await;
    let access = text(&tokens, "access_token");
    auth.advance_clock(timeout - Duration::from_secs(60));
    assert_eq!(org.rest(access).await.0, StatusCode::OK, "just inside the timeout");
    auth.advance_clock(timeout - Duration::from_secs(60));
    assert_eq!(org.rest(access).await.0, StatusCode::OK, "the timeout slides with use");
    auth.advance_clock(timeout);
    assert_invalid_session_pair(org.rest(access).await);
    let (status, body) = org.refresh(text(&tokens, "refresh_token")).await;
    assert_eq!(status, StatusCode::OK, "a refresh token outlives the session: {body}");

    let access = text(&body, "access_token").to_string();
    auth.expire_all_sessions();
    assert_invalid_session_pair(org.rest(&access).await);

    auth.set_session_expiry_secs(Some(30));
    let (_, body) = org.refresh(text(&tokens, "refresh_token")).await;
    let access = text(&body, "access_token").to_string();
    auth.advance_clock(Duration::from_secs(20));
    assert_eq!(org.rest(&access).await.0, StatusCode::OK);
    auth.advance_clock(Duration::from_secs(10));
    assert_invalid_session_pair(org.rest(&access).await);

    for header in [None, Some("Bearer nonsense"), Some("Basic abc")] {
        let mut request = org.http.get(org.url("/services/data/v60.0/"));
        if let Some(h) = header {
            request = request.header(AUTHORIZATION, h);
        }
        let response = request.send().await.unwrap_or_else(|e| panic!("rest: {e}"));
        let status = response.status();
        assert_invalid_session(status, &response.json().await.unwrap_or(Value::Null));
    }
}

#[tokio::test]
async fn chunked_token_request_body() {
    let org = start_with(OrgConfig { auto_approve: true, ..config() }).await;
    let first = org.auto_tokens(None).await;
    let body = format!(
        "grant_type=refresh_token&client_id={DEMO_CLIENT_ID}&refresh_token={}",
        url::form_urlencoded::byte_serialize(text(&first, "refresh_token").as_bytes()).collect::<String>()
    );
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = body.as_bytes().chunks(7).map(|c| Ok(c.to_vec())).collect();
    let request = org
        .http
        .post(org.url("/services/oauth2/token"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(chunks)))
        .build()
        .unwrap_or_else(|e| panic!("request: {e}"));
    assert!(request.headers().get(CONTENT_LENGTH).is_none(), "sent chunked");
    let response = org.http.execute(request).await.unwrap_or_else(|e| panic!("token: {e}"));
    assert_eq!(response.status(), StatusCode::OK);
    let answer: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(org.rest(text(&answer, "access_token")).await.0, StatusCode::OK);
}

#[tokio::test]
async fn identity_userinfo_and_user_records() {
    let org = start_with(OrgConfig { auto_approve: true, ..config() }).await;
    let tokens = org.auto_tokens(None).await;
    let access = text(&tokens, "access_token");
    let admin = org.org.org().auth.admin_user_id();
    assert_eq!(admin, tether::emulator::ids::mint("005", 1), "the first user is the first record of a fresh org");

    let identity: Value = org
        .http
        .get(text(&tokens, "id"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap_or_else(|e| panic!("identity: {e}"))
        .json()
        .await
        .unwrap_or(Value::Null);
    assert_eq!(identity["user_id"], admin.as_str());
    assert_eq!(identity["organization_id"], org.org.org().config.org_id.as_str());
    assert_eq!(identity["username"], DEMO_USERNAME);
    assert_eq!(identity["display_name"], "Avery Admin");
    assert_eq!(identity["active"], true);
    assert_eq!(identity["urls"]["rest"], format!("{}/services/data/v{{version}}/", org.base).as_str());

    let userinfo: Value = org
        .http
        .get(org.url("/services/oauth2/userinfo"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap_or_else(|e| panic!("userinfo: {e}"))
        .json()
        .await
        .unwrap_or(Value::Null);
    assert_eq!(userinfo["preferred_username"], DEMO_USERNAME);
    assert_eq!(userinfo["sub"], text(&tokens, "id"));

    let second = org.org.org().auth.user_id("second@tether-sandbox.example").unwrap_or_default();
    let other_id = format!("{}/id/{}/{second}", org.base, org.org.org().config.org_id);
    let cases = [(other_id.as_str(), Some(access), StatusCode::FORBIDDEN), (text(&tokens, "id"), None, StatusCode::FORBIDDEN)];
    for (url, token, expected) in cases {
        let mut request = org.http.get(url);
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        assert_eq!(request.send().await.map(|r| r.status()).ok(), Some(expected), "{url}");
    }

    let user: Value = org
        .http
        .get(org.url(&format!("/services/data/v60.0/sobjects/User/{admin}")))
        .bearer_auth(access)
        .send()
        .await
        .unwrap_or_else(|e| panic!("user record: {e}"))
        .json()
        .await
        .unwrap_or(Value::Null);
    assert_eq!(user["Username"], DEMO_USERNAME, "{user}");
    assert_eq!(user["Name"], "Avery Admin");
    assert_eq!(user["CreatedById"], admin.as_str());
    let inactive = org.org.org().auth.user_id(INACTIVE_USER).unwrap_or_default();
    assert_eq!(org.org.org().store.get(&inactive).map(|r| r["IsActive"].clone()), Some(Value::Bool(false)));
}

#[tokio::test]
async fn auto_approve_honours_login_hint() {
    let org = start_with(OrgConfig { auto_approve: true, ..config() }).await;
    let verifier = "h".repeat(50);
    let challenge = s256(&verifier);
    let cases = [
        (Some("second@tether-sandbox.example"), "second@tether-sandbox.example"),
        (Some(INACTIVE_USER), DEMO_USERNAME),
        (None, DEMO_USERNAME),
    ];
    for (hint, expected) in cases {
        let mut params = vec![
            ("response_type", "code"),
            ("client_id", DEMO_CLIENT_ID),
            ("redirect_uri", DEMO_CALLBACK),
            ("code_challenge", challenge.as_str()),
        ];
        if let Some(h) = hint {
            params.push(("login_hint", h));
        }
        let response = org.authorize(&params).await;
        let location = response.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        let code = get(&query_of(&location), "code").unwrap_or_default().to_string();
        let (status, body) = org.exchange(&code, &verifier).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let expected_id = org.org.org().auth.user_id(expected).unwrap_or_default();
        assert!(text(&body, "id").ends_with(&expected_id), "{hint:?}");
    }
}
