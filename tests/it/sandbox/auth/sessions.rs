//! Sessions: revocation, timeouts, early expiry, identity and users.

use super::*;

#[tokio::test]
async fn revoke_access_and_refresh_tokens() {
    let org = start_with(OrgConfig {
        auto_approve: true,
        ..config()
    })
    .await;
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
    assert_eq!(
        org.refresh(text(&first, "refresh_token")).await.0,
        StatusCode::OK,
        "its refresh token survives"
    );

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
    assert_oauth_error(
        status,
        &body,
        "invalid_grant",
        "expired access/refresh token",
    );

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
    let org = start_with(OrgConfig {
        auto_approve: true,
        ..config()
    })
    .await;
    let auth = &org.org.org().auth;
    let timeout = org.org.org().config.session_timeout;

    let tokens = org.auto_tokens(None).await;
    let access = text(&tokens, "access_token");
    auth.advance_clock(timeout - Duration::from_secs(60));
    assert_eq!(
        org.rest(access).await.0,
        StatusCode::OK,
        "just inside the timeout"
    );
    auth.advance_clock(timeout - Duration::from_secs(60));
    assert_eq!(
        org.rest(access).await.0,
        StatusCode::OK,
        "the timeout slides with use"
    );
    auth.advance_clock(timeout);
    assert_invalid_session_pair(org.rest(access).await);
    let (status, body) = org.refresh(text(&tokens, "refresh_token")).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a refresh token outlives the session: {body}"
    );

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
async fn identity_userinfo_and_user_records() {
    let org = start_with(OrgConfig {
        auto_approve: true,
        ..config()
    })
    .await;
    let tokens = org.auto_tokens(None).await;
    let access = text(&tokens, "access_token");
    let admin = org.org.org().auth.admin_user_id();
    assert_eq!(
        admin,
        sandbox_org::testing::mint("005", 1),
        "the first user is the first record of a fresh org"
    );

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
    assert_eq!(
        identity["organization_id"],
        org.org.org().config.org_id.as_str()
    );
    assert_eq!(identity["username"], DEMO_USERNAME);
    assert_eq!(identity["display_name"], "Avery Admin");
    assert_eq!(identity["active"], true);
    assert_eq!(
        identity["urls"]["rest"],
        format!("{}/services/data/v{{version}}/", org.base).as_str()
    );

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

    let second = org
        .org
        .org()
        .auth
        .user_id("second@tether-sandbox.example")
        .unwrap_or_default();
    let other_id = format!("{}/id/{}/{second}", org.base, org.org.org().config.org_id);
    let cases = [
        (other_id.as_str(), Some(access), StatusCode::FORBIDDEN),
        (text(&tokens, "id"), None, StatusCode::FORBIDDEN),
    ];
    for (url, token, expected) in cases {
        let mut request = org.http.get(url);
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        assert_eq!(
            request.send().await.map(|r| r.status()).ok(),
            Some(expected),
            "{url}"
        );
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
    let inactive = org
        .org
        .org()
        .auth
        .user_id(INACTIVE_USER)
        .unwrap_or_default();
    assert_eq!(
        org.org
            .org()
            .store
            .get(&inactive)
            .map(|r| r["IsActive"].clone()),
        Some(Value::Bool(false))
    );
}

#[tokio::test]
async fn refresh_tokens_survive_a_restart_on_the_same_data_file_and_revoked_ones_stay_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let config = || OrgConfig {
        auto_approve: true,
        data_file: Some(dir.path().join("org.db")),
        ..config()
    };
    let org = start_with(config()).await;
    let kept = org.auto_tokens(None).await;
    let revoked = org.auto_tokens(None).await;
    let response = org
        .http
        .post(org.url("/services/oauth2/revoke"))
        .form(&[("token", text(&revoked, "refresh_token"))])
        .send()
        .await
        .unwrap_or_else(|e| panic!("revoke: {e}"));
    assert_eq!(response.status(), StatusCode::OK);
    org.org.shutdown().await;

    let org = start_with(config()).await;
    let (status, body) = org.refresh(text(&kept, "refresh_token")).await;
    assert_eq!(status, StatusCode::OK, "the connection survives: {body}");
    assert_eq!(
        org.rest(text(&body, "access_token")).await.0,
        StatusCode::OK
    );
    assert_invalid_session_pair(org.rest(text(&kept, "access_token")).await);
    let (status, body) = org.refresh(text(&revoked, "refresh_token")).await;
    assert_oauth_error(
        status,
        &body,
        "invalid_grant",
        "expired access/refresh token",
    );
    // The store keeps digests only: no usable token is written to the data file.
    let token = text(&kept, "refresh_token").as_bytes();
    for file in ["org.db", "org.db-wal"] {
        let bytes = std::fs::read(dir.path().join(file)).unwrap_or_default();
        assert!(!bytes.windows(token.len()).any(|w| w == token), "{file}");
    }
}
