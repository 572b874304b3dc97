//! The client's core against a sandbox org: URLs, version discovery, usage tracking, quota,
//! describes and single-record calls.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client_support;

use client_support::*;
use futures_util::TryStreamExt;
use reqwest::StatusCode;
use serde_json::{Map, Value, json};
use tether::salesforce::{
    BatchSize, Client, ClientConfig, Credentials, QueryPage, SalesforceError, check_url,
};

#[test]
fn https_is_required_except_on_loopback() {
    let cases = [
        ("https://example.my.salesforce.com", true),
        ("http://127.0.0.1:8080", true),
        ("http://localhost:1", true),
        ("http://[::1]:9", true),
        ("http://example.my.salesforce.com", false),
        ("http://10.0.0.1", false),
        ("ftp://127.0.0.1", false),
    ];
    for (url, allowed) in cases {
        assert_eq!(check_url(url).is_ok(), allowed, "{url}");
    }
    let err = check_url("http://login.salesforce.com").unwrap_err();
    assert!(matches!(err, SalesforceError::InsecureUrl(_)));
    assert!(err.to_string().contains("https://"), "{err}");
}

#[tokio::test]
async fn discovers_the_newest_version_and_tracks_usage() {
    let (org, client) = org_and_client().await;
    let versions = client.versions().await.unwrap();
    let newest = versions
        .iter()
        .max_by(|a, b| a.number().total_cmp(&b.number()))
        .unwrap();
    assert_eq!(client.api_version(), newest.version);
    assert!(versions.len() > 1);

    client.limits().await.unwrap();
    let usage = client.api_usage().expect("Sforce-Limit-Info seen");
    assert_eq!(usage.used, org.api_used().await);
    let limits = client.limits().await.unwrap();
    assert_eq!(
        limits["DailyApiRequests"].max as u64,
        client.api_usage().unwrap().max
    );
}

#[tokio::test]
async fn a_pinned_version_is_used_as_given() {
    let org = start().await;
    let config = ClientConfig {
        api_version: Some("58.0".into()),
        ..fast_config()
    };
    let client = client_for(&org, config).await;
    assert_eq!(client.api_version(), "58.0");
    client.describe("Account").await.unwrap();
}

#[tokio::test]
async fn exhausted_quota_is_a_clear_error_without_retries() {
    let (org, client) = org_and_client().await;
    let r = org
        .admin(reqwest::Method::PUT, "/limits")
        .json(&json!({"max": 100, "used": 100}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let before = org.api_used().await;
    let err = client.describe_global().await.unwrap_err();
    assert!(
        matches!(err, SalesforceError::QuotaExceeded { .. }),
        "{err:?}"
    );
    assert!(!err.is_transient());
    assert!(err.to_string().contains("limit"), "{err}");
    let after = org.api_used().await;
    assert!(
        after - before <= 1,
        "one call at most, not a retry loop: {before} -> {after}"
    );
}

#[tokio::test]
async fn describes_are_cached_with_if_modified_since() {
    let (org, client) = org_and_client().await;
    let first = client.describe("Account").await.unwrap();
    assert_eq!(first.name, "Account");
    assert!(
        first
            .fields
            .iter()
            .any(|f| f.name == "External_Id__c" && f.external_id)
    );
    let second = client.describe("Account").await.unwrap();
    assert!(
        std::sync::Arc::ptr_eq(&first, &second),
        "304 reuses the cache"
    );
    // The org answers 304 because the client sent If-Modified-Since.
    let raw = org
        .api(reqwest::Method::GET, "/sobjects/Account/describe/")
        .send()
        .await
        .unwrap();
    let last_modified = raw.headers()["last-modified"].to_str().unwrap().to_string();
    let again = org
        .api(reqwest::Method::GET, "/sobjects/Account/describe/")
        .header("if-modified-since", last_modified)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    let global = client.describe_global().await.unwrap();
    assert!(
        global
            .sobjects
            .iter()
            .any(|o| o.name == "Contact" && o.key_prefix.as_deref() == Some("003"))
    );
    let missing = client.describe("NoSuchThing__c").await.unwrap_err();
    assert_eq!(missing.code(), Some("NOT_FOUND"));
}

#[tokio::test]
async fn crud_round_trip() {
    let (_org, client) = org_and_client().await;
    let id = client
        .create("Account", &json!({"Name": "Acme"}))
        .await
        .unwrap();
    let got: Value = client.get("Account", &id, Some(&["Name"])).await.unwrap();
    assert_eq!(got["Name"], "Acme");
    client
        .update("Account", &id, &json!({"Name": "Acme 2"}))
        .await
        .unwrap();
    let got: Value = client.get("Account", &id, None).await.unwrap();
    assert_eq!(got["Name"], "Acme 2");
    client.delete("Account", &id).await.unwrap();
    let gone = client.get::<Value>("Account", &id, None).await.unwrap_err();
    assert!(matches!(gone, SalesforceError::Api { status, .. } if status == StatusCode::NOT_FOUND));

    let missing = client.create("Account", &json!({})).await.unwrap_err();
    match missing {
        SalesforceError::Api { code, fields, .. } => {
            assert_eq!(code, "REQUIRED_FIELD_MISSING");
            assert_eq!(fields, vec!["Name".to_string()]);
        }
        other => panic!("expected REQUIRED_FIELD_MISSING, got {other:?}"),
    }
}

#[tokio::test]
async fn upsert_by_external_id() {
    let (_org, client) = org_and_client().await;
    let body = json!({"Name": "Up"});
    let created = client
        .upsert("Account", "External_Id__c", "X-1", &body)
        .await
        .unwrap();
    assert!(created.created);
    let updated = client
        .upsert("Account", "External_Id__c", "X-1", &json!({"Name": "Up 2"}))
        .await
        .unwrap();
    assert!(!updated.created);
    assert_eq!(updated.id, created.id);
    assert!(created.id.is_some());

    for _ in 0..2 {
        client
            .create(
                "Contact",
                &json!({"LastName": "Twin", "Legacy_Contact_Id__c": "L-9"}),
            )
            .await
            .unwrap();
    }
    let err = client
        .upsert(
            "Contact",
            "Legacy_Contact_Id__c",
            "L-9",
            &json!({"LastName": "X"}),
        )
        .await
        .unwrap_err();
    match err {
        SalesforceError::MultipleMatches { urls } => assert_eq!(urls.len(), 2),
        other => panic!("expected MultipleMatches, got {other:?}"),
    }
}

#[tokio::test]
async fn query_streams_pages_and_query_all_sees_deleted_rows() {
    let (_org, client) = org_and_client().await;
    let mut ids = Vec::new();
    for i in 0..450 {
        ids.push(
            client
                .create("Account", &json!({"Name": format!("Q{i:03}")}))
                .await
                .unwrap(),
        );
    }
    let soql = "SELECT Id, Name FROM Account WHERE Name LIKE 'Q%'";
    let pages: Vec<QueryPage> = client
        .query(soql, Some(BatchSize(200)))
        .try_collect()
        .await
        .unwrap();
    let sizes: Vec<usize> = pages.iter().map(|p| p.records.len()).collect();
    assert_eq!(sizes, vec![200, 200, 50]);
    assert!(pages.iter().all(|p| p.total_size == 450));

    client.delete("Account", &ids[0]).await.unwrap();
    let live: usize = count(client.query::<Map<String, Value>>(soql, None)).await;
    let all: usize = count(client.query_all::<Map<String, Value>>(soql, None)).await;
    assert_eq!((live, all), (449, 450));

    let bad = client
        .query::<Value>("SELECT Nope FROM Account", None)
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(bad.code(), Some("INVALID_FIELD"));
}

async fn count<S>(stream: S) -> usize
where
    S: futures_util::Stream<Item = Result<QueryPage, SalesforceError>>,
{
    stream
        .try_fold(0, |n, page| async move { Ok(n + page.records.len()) })
        .await
        .unwrap()
}

#[tokio::test]
async fn get_updated_and_get_deleted() {
    let (_org, client) = org_and_client().await;
    let start = chrono::Utc::now() - chrono::Duration::minutes(5);
    let keep = client
        .create("Account", &json!({"Name": "Keep"}))
        .await
        .unwrap();
    let gone = client
        .create("Account", &json!({"Name": "Gone"}))
        .await
        .unwrap();
    client.delete("Account", &gone).await.unwrap();
    let end = chrono::Utc::now() + chrono::Duration::minutes(2);
    let updated = client.get_updated("Account", start, end).await.unwrap();
    let deleted = client.get_deleted("Account", start, end).await.unwrap();

    // Both windows end at the last whole minute, so a record is listed exactly when its
    // stamp falls before that.
    let stamp = |soql: String| {
        let client = client.clone();
        async move {
            let pages: Vec<QueryPage> = client.query_all(&soql, None).try_collect().await.unwrap();
            pages[0].records[0]["SystemModstamp"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let keep_stamp = stamp(format!(
        "SELECT SystemModstamp FROM Account WHERE Id = '{keep}'"
    ))
    .await;
    let gone_stamp = stamp(format!(
        "SELECT SystemModstamp FROM Account WHERE Id = '{gone}'"
    ))
    .await;
    let covered = updated.latest_date_covered.as_str();
    assert_eq!(updated.ids.contains(&keep), keep_stamp.as_str() < covered);
    assert!(!updated.ids.contains(&gone));
    let listed = deleted.deleted_records.iter().any(|d| d.id == gone);
    assert_eq!(
        listed,
        gone_stamp.as_str() < deleted.latest_date_covered.as_str()
    );
}

#[tokio::test]
async fn credentials_never_show_the_token() {
    let creds = Credentials::access_token("00Dsecret!token");
    assert!(!format!("{creds:?}").contains("secret"));
    let err = Client::connect("http://example.com", creds, ClientConfig::default())
        .await
        .err()
        .unwrap();
    assert!(matches!(err, SalesforceError::InsecureUrl(_)));
}
