//! The schema file's `apps` and `users` sections: a connected app with a consumer secret,
//! and a user's security token, set up without code.

use super::{assert_oauth_error, start_with};
use reqwest::StatusCode;
use sandbox_org::OrgConfig;
use sandbox_org::config::{DEMO_PASSWORD, DEMO_USERNAME};

const SCHEMA: &str = r#"{
  "apps": [
    { "clientId": "SeedScript", "clientSecret": "seed-secret" },
    { "clientId": "TetherDesktop", "clientSecret": "desktop-secret" }
  ],
  "users": [ { "username": "Admin@Tether-Sandbox.example", "securityToken": "FileToken123" } ]
}"#;

#[tokio::test]
async fn apps_and_tokens_from_the_schema_file_are_what_logins_check() {
    let org = start_with(OrgConfig {
        schema_extra_json: Some(SCHEMA.to_string()),
        ..super::config()
    })
    .await;
    assert_eq!(
        org.org.security_token(DEMO_USERNAME).as_deref(),
        Some("FileToken123")
    );
    let with_token = format!("{DEMO_PASSWORD}FileToken123");
    for (client, secret, expected) in [
        ("SeedScript", Some("seed-secret"), None),
        ("TetherDesktop", Some("desktop-secret"), None),
        ("SeedScript", Some("wrong"), Some("invalid_client")),
        ("SeedScript", None, Some("invalid_client")),
        ("TetherDesktop", None, Some("invalid_client")),
        ("NoSuchApp", Some("x"), Some("invalid_client_id")),
    ] {
        let mut form = vec![
            ("grant_type", "password"),
            ("client_id", client),
            ("username", DEMO_USERNAME),
            ("password", with_token.as_str()),
        ];
        if let Some(secret) = secret {
            form.push(("client_secret", secret));
        }
        let (status, body) = org.token(&form).await;
        match expected {
            None => assert_eq!(status, StatusCode::OK, "{client}: {body}"),
            Some("invalid_client_id") => assert_oauth_error(
                status,
                &body,
                "invalid_client_id",
                "client identifier invalid",
            ),
            Some(error) => assert_oauth_error(status, &body, error, "invalid client credentials"),
        }
    }
}

#[tokio::test]
async fn a_token_for_an_unknown_user_or_with_symbols_stops_the_org_from_starting() {
    for (schema, expected) in [
        (
            r#"{"users": [{"username": "nobody@example.com", "securityToken": "Abc"}]}"#,
            "nobody@example.com",
        ),
        (
            r#"{"users": [{"username": "admin@tether-sandbox.example", "securityToken": "a-b"}]}"#,
            "letters and digits",
        ),
        (r#"{"apps": [{"clientId": "A", "secret": "x"}]}"#, "secret"),
    ] {
        let started = sandbox_org::SandboxOrg::start(OrgConfig {
            schema_extra_json: Some(schema.to_string()),
            ..OrgConfig::default()
        })
        .await;
        match started {
            Ok(_) => panic!("{schema} should be refused"),
            Err(e) => assert!(e.to_string().contains(expected), "{schema}: {e}"),
        }
    }
}
