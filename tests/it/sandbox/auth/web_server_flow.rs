//! The web-server flow: authorize page, consent, PKCE, codes.

use super::*;

/// Name, PKCE parameters of the authorize request, and the verifier sent with the code.
type PkceCase<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);

#[tokio::test]
async fn web_server_flow_with_pkce_variants() {
    let org = start().await;
    let long_verifier: String = (0..171).map(|i| (b'a' + (i % 26) as u8) as char).collect();
    let plain_verifier = "p".repeat(50);
    let s256_verifier = "S256-verifier_with.allowed~chars-0123456789abcdef".to_string();
    let s256_challenge = s256(&s256_verifier);
    let long_challenge = s256(&long_verifier);
    let cases: [PkceCase<'_>; 3] = [
        (
            "S256",
            vec![
                ("code_challenge", &s256_challenge),
                ("code_challenge_method", "S256"),
            ],
            &s256_verifier,
        ),
        (
            "plain",
            vec![
                ("code_challenge", &plain_verifier),
                ("code_challenge_method", "plain"),
            ],
            &plain_verifier,
        ),
        (
            "no method, 171 characters",
            vec![("code_challenge", &long_challenge)],
            &long_verifier,
        ),
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
        let keys: Vec<&str> = body
            .as_object()
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        assert_eq!(
            keys,
            [
                "access_token",
                "refresh_token",
                "signature",
                "scope",
                "instance_url",
                "id",
                "token_type",
                "issued_at"
            ],
            "{name}: no expires_in, real key order"
        );
        assert_eq!(text(&body, "id"), id);
        assert_eq!(text(&body, "instance_url"), org.base);
        assert_eq!(text(&body, "token_type"), "Bearer");
        assert_eq!(
            text(&body, "scope"),
            "refresh_token api",
            "{name}: no scope asked, the app's scopes granted"
        );
        assert!(text(&body, "access_token").starts_with(&format!("{}!AQ", &org_id[..15])));
        let issued_at: i64 = text(&body, "issued_at").parse().unwrap_or(0);
        assert!(issued_at > 1_600_000_000_000, "issued_at in milliseconds");
        // A public client's signature is keyed by an empty secret.
        let mut mac = Hmac::<Sha256>::new_from_slice(b"").unwrap_or_else(|e| panic!("{e}"));
        mac.update(format!("{id}{issued_at}").as_bytes());
        assert_eq!(
            text(&body, "signature"),
            STANDARD.encode(mac.finalize().into_bytes())
        );

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
    assert_oauth_error(
        status,
        &body,
        "redirect_uri_mismatch",
        "redirect_uri must match configuration",
    );

    let code = org.code(&params).await;
    org.org
        .org()
        .auth
        .advance_clock(Duration::from_secs(15 * 60));
    let (status, body) = org.exchange(&code, &verifier).await;
    assert_oauth_error(status, &body, "invalid_grant", "expired authorization code");
}

#[tokio::test]
async fn authorize_errors_show_a_page_instead_of_redirecting() {
    let org = start().await;
    let challenge = s256(&"c".repeat(50));
    let cases = [
        (
            "http://localhost:1718/OauthRedirect",
            DEMO_CLIENT_ID,
            "redirect_uri_mismatch",
        ),
        (
            "http://localhost:1717/OauthRedirect/",
            DEMO_CLIENT_ID,
            "redirect_uri_mismatch",
        ),
        (
            "https://evil.example/cb",
            DEMO_CLIENT_ID,
            "redirect_uri_mismatch",
        ),
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
        assert!(
            response.headers().get(LOCATION).is_none(),
            "never a redirect to {redirect_uri}"
        );
        let html = response.text().await.unwrap_or_default();
        assert!(html.contains(&format!("error={error}")), "{html}");
    }

    // With app and callback trusted, errors go back to the callback.
    let params = [
        ("response_type", "code"),
        ("client_id", DEMO_CLIENT_ID),
        ("redirect_uri", DEMO_CALLBACK),
        ("state", "s1"),
    ];
    let response = org.authorize(&params).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let pairs = query_of(&location);
    assert_eq!(
        get(&pairs, "error"),
        Some("invalid_request"),
        "a public client must use PKCE"
    );
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
    assert!(
        page.headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap_or_default();
    for expected in [
        "Allow",
        "Deny",
        &format!("value=\"{DEMO_USERNAME}\""),
        "Tether Sandbox Org",
    ] {
        assert!(html.contains(expected), "page lacks {expected}: {html}");
    }

    let denied = org.consent(&params, "", "", "deny").await;
    assert_eq!(denied.status(), StatusCode::FOUND);
    let location = denied
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert_eq!(
        location,
        format!(
            "{DEMO_CALLBACK}?error=access_denied&error_description=end-user+denied+authorization&state=xyz"
        )
    );

    for (username, password) in [
        (DEMO_USERNAME, "wrong"),
        ("nobody@example.com", DEMO_PASSWORD),
        (INACTIVE_USER, "gone-pw"),
    ] {
        let failed = org.consent(&params, username, password, "allow").await;
        assert_eq!(
            failed.status(),
            StatusCode::OK,
            "{username}: the page again, no redirect"
        );
        assert!(failed.headers().get(LOCATION).is_none());
        let html = failed.text().await.unwrap_or_default();
        assert!(
            html.contains("Please check your username and password"),
            "{html}"
        );
    }
}

#[tokio::test]
async fn auto_approve_honours_login_hint() {
    let org = start_with(OrgConfig {
        auto_approve: true,
        ..config()
    })
    .await;
    let verifier = "h".repeat(50);
    let challenge = s256(&verifier);
    let cases = [
        (
            Some("second@tether-sandbox.example"),
            "second@tether-sandbox.example",
        ),
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
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let code = get(&query_of(&location), "code")
            .unwrap_or_default()
            .to_string();
        let (status, body) = org.exchange(&code, &verifier).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let expected_id = org.org.org().auth.user_id(expected).unwrap_or_default();
        assert!(text(&body, "id").ends_with(&expected_id), "{hint:?}");
    }
}
