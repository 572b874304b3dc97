//! Token grants: refresh, password, JWT bearer; the refresh-token cap; chunked bodies.

use super::*;

#[tokio::test]
async fn refresh_without_rotation_keeps_the_refresh_token() {
    let org = start_with(OrgConfig {
        auto_approve: true,
        ..config()
    })
    .await;
    let first = org.auto_tokens(None).await;
    let refresh_token = text(&first, "refresh_token").to_string();
    for _ in 0..2 {
        let (status, body) = org.refresh(&refresh_token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(
            body.get("refresh_token").is_none(),
            "no new refresh token without rotation"
        );
        assert_ne!(text(&body, "access_token"), text(&first, "access_token"));
        assert_eq!(
            org.rest(text(&body, "access_token")).await.0,
            StatusCode::OK
        );
    }
    assert_eq!(
        org.rest(text(&first, "access_token")).await.0,
        StatusCode::OK,
        "older access token lives on"
    );

    let (status, body) = org.refresh("5Aep861not-a-real-token").await;
    assert_oauth_error(
        status,
        &body,
        "invalid_grant",
        "expired access/refresh token",
    );
    let (status, body) = org
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh_token),
            ("client_id", "UnknownApp"),
        ])
        .await;
    assert_oauth_error(
        status,
        &body,
        "invalid_client_id",
        "client identifier invalid",
    );
}

#[tokio::test]
async fn refresh_with_rotation_replaces_the_refresh_token() {
    let org = start_with(OrgConfig {
        auto_approve: true,
        rotate_refresh_tokens: true,
        ..config()
    })
    .await;
    let first = org.auto_tokens(None).await;
    let old = text(&first, "refresh_token").to_string();
    let (status, body) = org.refresh(&old).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let new = text(&body, "refresh_token").to_string();
    assert_ne!(new, old);
    let (status, body) = org.refresh(&old).await;
    assert_oauth_error(
        status,
        &body,
        "invalid_grant",
        "expired access/refresh token",
    );
    assert_eq!(org.refresh(&new).await.0, StatusCode::OK);
}

#[tokio::test]
async fn refresh_token_needs_the_scope() {
    let org = start_with(OrgConfig {
        auto_approve: true,
        ..config()
    })
    .await;
    let cases = [
        (Some("api"), false),
        (Some("api refresh_token"), true),
        (Some("api offline_access"), true),
        (None, true),
    ];
    for (scope, refresh) in cases {
        let body = org.auto_tokens(scope).await;
        assert_eq!(
            body.get("refresh_token").is_some(),
            refresh,
            "scope {scope:?}: {body}"
        );
    }
}

#[tokio::test]
async fn at_most_five_refresh_tokens_per_user_and_app() {
    let org = start_with(OrgConfig {
        auto_approve: true,
        ..config()
    })
    .await;
    let mut answers = Vec::new();
    for _ in 0..6 {
        answers.push(org.auto_tokens(None).await);
    }
    let admin = org.org.org().auth.admin_user_id();
    assert_eq!(
        org.org
            .org()
            .auth
            .refresh_token_count(&admin, DEMO_CLIENT_ID),
        5
    );
    let (status, body) = org.refresh(text(&answers[0], "refresh_token")).await;
    assert_oauth_error(
        status,
        &body,
        "invalid_grant",
        "expired access/refresh token",
    );
    assert_invalid_session_pair(org.rest(text(&answers[0], "access_token")).await);
    for later in &answers[1..] {
        assert_eq!(
            org.refresh(text(later, "refresh_token")).await.0,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn password_grant() {
    let org = start().await;
    let (status, body) = org.password(DEMO_USERNAME, DEMO_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.get("refresh_token").is_none(),
        "the username-password flow gives no refresh token"
    );
    assert_eq!(
        org.rest(text(&body, "access_token")).await.0,
        StatusCode::OK
    );
    let id = text(&body, "id");
    let issued_at = text(&body, "issued_at");
    let mut mac =
        Hmac::<Sha256>::new_from_slice(SCRIPT_SECRET.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    mac.update(format!("{id}{issued_at}").as_bytes());
    assert_eq!(
        text(&body, "signature"),
        STANDARD.encode(mac.finalize().into_bytes()),
        "keyed by the client secret"
    );

    let security_token = org
        .org
        .security_token(DEMO_USERNAME)
        .expect("the demo user's token");
    let (status, _) = org
        .password(
            &DEMO_USERNAME.to_uppercase(),
            &format!("{DEMO_PASSWORD}{security_token}"),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "security token suffix and any username case are accepted"
    );

    // Another token than the user's is refused, whatever its shape.
    let wrong_token = format!("{DEMO_PASSWORD}AbCdEfGhIjKlMnOpQrStUvWx");
    let cases = [
        (DEMO_USERNAME, "wrong", "authentication failure"),
        (
            DEMO_USERNAME,
            wrong_token.as_str(),
            "authentication failure",
        ),
        (
            "nobody@example.com",
            DEMO_PASSWORD,
            "authentication failure",
        ),
        (INACTIVE_USER, "gone-pw", "inactive user"),
    ];
    for (username, password, description) in cases {
        let (status, body) = org.password(username, password).await;
        assert_oauth_error(status, &body, "invalid_grant", description);
    }

    let (status, body) = org
        .token(&[
            ("grant_type", "password"),
            ("client_id", SCRIPT_APP),
            ("username", DEMO_USERNAME),
            ("password", DEMO_PASSWORD),
        ])
        .await;
    assert_oauth_error(
        status,
        &body,
        "invalid_client",
        "invalid client credentials",
    );
    let (status, body) = org
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", SCRIPT_APP),
        ])
        .await;
    assert_oauth_error(
        status,
        &body,
        "unsupported_grant_type",
        "grant type not supported",
    );
}

fn assertion(key: &str, aud: &str, exp: i64, sub: &str) -> String {
    let claims = json!({"iss": JWT_APP, "sub": sub, "aud": aud, "exp": exp});
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(key.as_bytes())
        .unwrap_or_else(|e| panic!("test key: {e}"));
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256),
        &claims,
        &key,
    )
    .unwrap_or_else(|e| panic!("signing: {e}"))
}

#[tokio::test]
async fn jwt_bearer_grant() {
    let org = start().await;
    let now = chrono::Utc::now().timestamp();
    let base = org.base.clone();
    let cases = [
        (
            "good",
            TEST_KEY,
            base.as_str(),
            now + 180,
            DEMO_USERNAME,
            Ok(()),
        ),
        (
            "production audience",
            TEST_KEY,
            "https://login.salesforce.com",
            now + 180,
            DEMO_USERNAME,
            Ok(()),
        ),
        (
            "wrong key",
            OTHER_KEY,
            base.as_str(),
            now + 180,
            DEMO_USERNAME,
            Err("invalid assertion"),
        ),
        (
            "expired",
            TEST_KEY,
            base.as_str(),
            now - 10,
            DEMO_USERNAME,
            Err("expired authorization code"),
        ),
        (
            "wrong audience",
            TEST_KEY,
            "https://login.example.com",
            now + 180,
            DEMO_USERNAME,
            Err("audience is invalid"),
        ),
        (
            "unknown user",
            TEST_KEY,
            base.as_str(),
            now + 180,
            "nobody@example.com",
            Err("invalid assertion"),
        ),
        (
            "inactive user",
            TEST_KEY,
            base.as_str(),
            now + 180,
            INACTIVE_USER,
            Err("inactive user"),
        ),
    ];
    for (name, key, aud, exp, sub, expected) in cases {
        let jwt = assertion(key, aud, exp, sub);
        let (status, body) = org
            .token(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ("assertion", &jwt),
            ])
            .await;
        match expected {
            Ok(()) => {
                assert_eq!(status, StatusCode::OK, "{name}: {body}");
                assert!(
                    body.get("refresh_token").is_none(),
                    "{name}: no refresh token"
                );
                assert_eq!(
                    org.rest(text(&body, "access_token")).await.0,
                    StatusCode::OK,
                    "{name}"
                );
            }
            Err(description) => assert_oauth_error(status, &body, "invalid_grant", description),
        }
    }
}

#[tokio::test]
async fn chunked_token_request_body() {
    let org = start_with(OrgConfig {
        auto_approve: true,
        ..config()
    })
    .await;
    let first = org.auto_tokens(None).await;
    let body = format!(
        "grant_type=refresh_token&client_id={DEMO_CLIENT_ID}&refresh_token={}",
        url::form_urlencoded::byte_serialize(text(&first, "refresh_token").as_bytes())
            .collect::<String>()
    );
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        body.as_bytes().chunks(7).map(|c| Ok(c.to_vec())).collect();
    let request = org
        .http
        .post(org.url("/services/oauth2/token"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .build()
        .unwrap_or_else(|e| panic!("request: {e}"));
    assert!(
        request.headers().get(CONTENT_LENGTH).is_none(),
        "sent chunked"
    );
    let response = org
        .http
        .execute(request)
        .await
        .unwrap_or_else(|e| panic!("token: {e}"));
    assert_eq!(response.status(), StatusCode::OK);
    let answer: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(
        org.rest(text(&answer, "access_token")).await.0,
        StatusCode::OK
    );
}
