//! SOAP `login` of the partner API: username, password and security token in; a session id
//! that REST takes, or a `LoginFault` with HTTP 500, out.

use super::{INACTIVE_USER, start};
use reqwest::StatusCode;
use sandbox_org::config::{DEMO_PASSWORD, DEMO_USERNAME};
use serde_json::Value;

fn envelope(username: &str, password: &str) -> String {
    // Prefixed elements, as simple-salesforce writes them, with an escaped character.
    format!(
        r#"<?xml version="1.0" encoding="utf-8" ?><env:Envelope xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:partner.soap.sforce.com"><env:Header><urn:CallOptions><urn:client>tests</urn:client><urn:defaultNamespace>sf</urn:defaultNamespace></urn:CallOptions></env:Header><env:Body><n1:login xmlns:n1="urn:partner.soap.sforce.com"><n1:username>{username}</n1:username><n1:password>{password}</n1:password></n1:login></env:Body></env:Envelope>"#
    )
}

fn between<'a>(xml: &'a str, tag: &str) -> Option<&'a str> {
    let open = format!("<{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{tag}>"))? + start;
    Some(&xml[start..end])
}

async fn login(org: &super::Org, version: &str, body: String) -> (StatusCode, String, String) {
    let r = org
        .http
        .post(format!("{}/services/Soap/u/{version}", org.base))
        .header("Content-Type", "text/xml; charset=UTF-8")
        .header("SOAPAction", "login")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let content_type = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, content_type, r.text().await.unwrap())
}

#[tokio::test]
async fn soap_login_with_password_and_security_token_answers_a_session_rest_accepts() {
    let org = start().await;
    let token = org.org.security_token(DEMO_USERNAME).expect("demo token");
    assert_eq!(token.len(), 24, "{token}");
    assert!(token.bytes().all(|b| b.is_ascii_alphanumeric()), "{token}");
    let (status, content_type, xml) = login(
        &org,
        "45.0",
        envelope(
            &DEMO_USERNAME.to_uppercase(),
            &format!("{DEMO_PASSWORD}{token}"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{xml}");
    assert!(content_type.starts_with("text/xml"), "{content_type}");
    let session = between(&xml, "sessionId").expect("sessionId");
    let server_url = between(&xml, "serverUrl").expect("serverUrl");
    let user_id = between(&xml, "userId").expect("userId");
    let org_id = between(&xml, "organizationId").expect("organizationId");
    assert_eq!(
        server_url,
        format!("{}/services/Soap/u/45.0/{org_id}", org.base)
    );
    assert_eq!(between(&xml, "userName"), Some(DEMO_USERNAME));
    assert_eq!(between(&xml, "passwordExpired"), Some("false"));
    assert!(xml.contains("<userInfo>"), "{xml}");

    let me: Value = org
        .http
        .get(format!("{}/services/data/v45.0/query", org.base))
        .query(&[(
            "q",
            format!("SELECT Id, Username FROM User WHERE Id = '{user_id}'"),
        )])
        .bearer_auth(session)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["records"][0]["Username"], DEMO_USERNAME, "{me}");
}

#[tokio::test]
async fn soap_login_with_bad_credentials_answers_an_invalid_login_fault() {
    let org = start().await;
    let wrong_token = format!("{DEMO_PASSWORD}AbCdEfGhIjKlMnOpQrStUvWx");
    for (username, password) in [
        (DEMO_USERNAME, "wrong"),
        (DEMO_USERNAME, wrong_token.as_str()),
        ("nobody@example.com", DEMO_PASSWORD),
        (INACTIVE_USER, "gone-pw"),
    ] {
        let (status, content_type, xml) = login(&org, "62.0", envelope(username, password)).await;
        assert_eq!(
            status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{username}: {xml}"
        );
        assert!(content_type.starts_with("text/xml"), "{content_type}");
        assert!(xml.contains("<soapenv:Fault>"), "{xml}");
        assert_eq!(
            between(&xml, "faultcode"),
            Some("sf:INVALID_LOGIN"),
            "{xml}"
        );
        assert_eq!(
            between(&xml, "faultstring"),
            Some("INVALID_LOGIN: Invalid username, password, security token; or user locked out.")
        );
        assert_eq!(between(&xml, "sf:exceptionCode"), Some("INVALID_LOGIN"));
        assert!(!xml.contains("sessionId"), "{xml}");
    }
}

#[tokio::test]
async fn soap_calls_other_than_login_and_unserved_versions_are_faults() {
    let org = start().await;
    let query = r#"<se:Envelope xmlns:se="http://schemas.xmlsoap.org/soap/envelope/"><se:Body><query xmlns="urn:partner.soap.sforce.com"><queryString>SELECT Id FROM Account</queryString></query></se:Body></se:Envelope>"#;
    let (status, _, xml) = login(&org, "62.0", query.to_string()).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{xml}");
    assert_eq!(between(&xml, "faultcode"), Some("soapenv:Client"), "{xml}");
    assert!(xml.contains("{urn:partner.soap.sforce.com}query"), "{xml}");

    let (status, _, xml) = login(&org, "20.0", envelope(DEMO_USERNAME, DEMO_PASSWORD)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{xml}");
    assert_eq!(
        between(&xml, "faultcode"),
        Some("sf:UNSUPPORTED_API_VERSION"),
        "{xml}"
    );
}
