//! Every recorded response of a real org parses with the client's wire types, and every
//! recorded error maps to the right typed error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use tether::salesforce::{
    ApiVersion, DeletedRecords, GlobalDescribe, ObjectDescribe, QueryPage, SalesforceError,
    SaveResult, TokenResponse, UpdatedIds,
};

const DIR: &str = "tests/fixtures/salesforce/responses";

fn read(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(DIR).join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn parses<T: DeserializeOwned>(name: &str) -> Result<(), String> {
    serde_json::from_slice::<T>(&read(name))
        .map(drop)
        .map_err(|e| e.to_string())
}

type Parser = fn(&str) -> Result<(), String>;
type ErrorCheck = fn(&SalesforceError) -> bool;

/// How each recorded success is read.
fn success_parser(name: &str) -> Option<Parser> {
    let parser: Parser = match name {
        "auth_success_response.json"
        | "reauth_success_response.json"
        | "refresh_success_response.json" => parses::<TokenResponse>,
        "services_data_success_response.json" => parses::<Vec<ApiVersion>>,
        "sobject_create_success_response.json" | "sobject_upsert_created_success_response.json" => {
            parses::<SaveResult>
        }
        "sobject_describe_sobjects_success_response.json"
        | "sobject_list_sobjects_success_response.json" => parses::<GlobalDescribe>,
        "sobject_sobject_describe_success_response.json" => parses::<ObjectDescribe>,
        "sobject_get_deleted_success_response.json" => parses::<DeletedRecords>,
        "sobject_get_updated_success_response.json" => parses::<UpdatedIds>,
        "sobject_org_query_response.json"
        | "sobject_query_aggregate_success_response.json"
        | "sobject_query_empty_response.json"
        | "sobject_query_paginated_first_page_response.json"
        | "sobject_query_paginated_last_page_response.json"
        | "sobject_query_success_response.json" => parses::<QueryPage>,
        "sobject_recent_success_response.json" | "sobject_search_success_response.json" => {
            parses::<Vec<Map<String, Value>>>
        }
        "sobject_sobject_find_success_response.json"
        | "sobject_sobject_select_success_response.json" => parses::<Map<String, Value>>,
        "sobject_list_view_results_success_response.json" => parses::<Value>,
        _ => return None,
    };
    Some(parser)
}

/// The status each recorded error came with, and the typed error it must become.
fn expected_error(name: &str) -> Option<(u16, ErrorCheck)> {
    let not_found: ErrorCheck =
        |e| matches!(e, SalesforceError::Api { code, .. } if code == "NOT_FOUND");
    let invalid_field: ErrorCheck =
        |e| matches!(e, SalesforceError::Api { code, .. } if code == "INVALID_FIELD");
    let invalid_grant: ErrorCheck =
        |e| matches!(e, SalesforceError::OAuth { error, .. } if error == "invalid_grant");
    Some(match name {
        "auth_error_response.json" | "refresh_error_response.json" => (400, invalid_grant),
        "expired_session_response.json" => (
            401,
            |e| matches!(e, SalesforceError::Api { code, .. } if code == "INVALID_SESSION_ID"),
        ),
        "sobject_delete_error_response.json"
        | "sobject_sobject_describe_error_response.json"
        | "sobject_sobject_find_error_response.json"
        | "sobject_upsert_error_response.json" => (404, not_found),
        "sobject_query_error_response.json" | "sobject_write_error_response.json" => {
            (400, invalid_field)
        }
        "sobject_search_error_response.json" => (
            400,
            |e| matches!(e, SalesforceError::Api { code, .. } if code == "MALFORMED_SEARCH"),
        ),
        "sobject_upsert_multiple_error_response.json" => (
            300,
            |e| matches!(e, SalesforceError::MultipleMatches { urls } if urls.len() == 2),
        ),
        _ => return None,
    })
}

#[test]
fn every_recorded_response_is_understood() {
    let mut names: Vec<String> = std::fs::read_dir(DIR)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    assert!(names.len() >= 30, "{names:?}");
    let mut failures = Vec::new();
    for name in &names {
        if name == "sobject_upsert_updated_success_response.json" {
            // Recorded from an API version that answers an update with no body.
            assert!(read(name).iter().all(u8::is_ascii_whitespace));
            continue;
        }
        if let Some(parse) = success_parser(name) {
            if let Err(e) = parse(name) {
                failures.push(format!("{name}: {e}"));
            }
        } else if let Some((status, is_expected)) = expected_error(name) {
            let status = StatusCode::from_u16(status).unwrap();
            let error = SalesforceError::from_response(status, &read(name));
            if !is_expected(&error) {
                failures.push(format!("{name}: became {error:?}"));
            }
            if error.is_transient() {
                failures.push(format!(
                    "{name}: classified transient, but none of these go away by retrying"
                ));
            }
        } else {
            failures.push(format!("{name}: no parser for this fixture"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn errors_are_classified_transient_or_permanent() {
    let body = |code: &str| format!(r#"[{{"message":"m","errorCode":"{code}"}}]"#);
    let cases = [
        (503, "SERVER_UNAVAILABLE", true),
        (400, "UNABLE_TO_LOCK_ROW", true),
        (500, "UNKNOWN_EXCEPTION", true),
        (400, "INVALID_FIELD", false),
        (400, "MALFORMED_QUERY", false),
        (400, "REQUIRED_FIELD_MISSING", false),
        (400, "DUPLICATE_VALUE", false),
        (400, "STRING_TOO_LONG", false),
        (400, "ENTITY_IS_DELETED", false),
        (403, "REQUEST_LIMIT_EXCEEDED", false),
    ];
    for (status, code, transient) in cases {
        let error = SalesforceError::from_response(
            StatusCode::from_u16(status).unwrap(),
            body(code).as_bytes(),
        );
        assert_eq!(error.is_transient(), transient, "{code}");
        assert_eq!(error.code(), Some(code));
    }
    let quota = SalesforceError::from_response(
        StatusCode::FORBIDDEN,
        body("REQUEST_LIMIT_EXCEEDED").as_bytes(),
    );
    assert!(matches!(quota, SalesforceError::QuotaExceeded { .. }));
    let html = SalesforceError::from_response(StatusCode::BAD_GATEWAY, b"<html>bad gateway</html>");
    assert!(html.is_transient());
    let fields = SalesforceError::from_response(
        StatusCode::BAD_REQUEST,
        br#"[{"message":"Required fields are missing: [Name]","errorCode":"REQUIRED_FIELD_MISSING","fields":["Name"]}]"#,
    );
    assert!(fields.to_string().contains("fields: Name"), "{fields}");
}

#[test]
fn token_responses_keep_tokens_out_of_debug() {
    let token: TokenResponse = serde_json::from_slice(&read("auth_success_response.json")).unwrap();
    assert!(token.access_token.expose().starts_with("00Dx"));
    assert!(!format!("{token:?}").contains("00Dx0000000BV7z!"));
}
