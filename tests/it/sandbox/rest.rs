//! sObject REST resources of the sandbox org, over real HTTP.

use crate::support::org::{V, answer, error_code};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn version_list_needs_no_login_and_ends_at_the_current_release() {
    let t = crate::support::org::start().await;
    let list: Vec<Value> = t
        .http
        .get(format!("{}/services/data/", t.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let last = list.last().unwrap();
    assert_eq!(last["version"], "67.0");
    assert_eq!(last["url"], "/services/data/v67.0");
    assert!(
        list.iter()
            .all(|v| v["label"].as_str().is_some_and(|l| l.contains('\'')))
    );
}

#[tokio::test]
async fn requests_without_a_valid_token_are_refused_as_invalid_session() {
    let t = crate::support::org::start().await;
    for token in [None, Some("00Dbogus!token")] {
        let mut r = t
            .http
            .get(format!("{}/services/data/{V}/sobjects/", t.base));
        if let Some(tok) = token {
            r = r.bearer_auth(tok);
        }
        let (status, body) = answer(r.send().await.unwrap()).await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(error_code(&body), "INVALID_SESSION_ID");
    }
}

#[tokio::test]
async fn unserved_api_versions_are_not_found() {
    let t = crate::support::org::start().await;
    for v in ["v20.0", "v99.0", "latest"] {
        let r = t
            .http
            .get(format!("{}/services/data/{v}/sobjects/", t.base))
            .bearer_auth(&t.token);
        let (status, body) = answer(r.send().await.unwrap()).await;
        assert_eq!(status, 404, "{v}: {body}");
        assert_eq!(error_code(&body), "NOT_FOUND");
    }
}

#[tokio::test]
async fn describe_honours_if_modified_since() {
    let t = crate::support::org::start().await;
    let r = t
        .api(Method::GET, "/sobjects/Account/describe")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let last_modified = r.headers()["last-modified"].to_str().unwrap().to_string();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["name"], "Account");
    assert!(
        body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == "External_Id__c")
    );
    let again = t
        .api(Method::GET, "/sobjects/Account/describe")
        .header("If-Modified-Since", &last_modified)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await.unwrap().is_empty());
    let old = t
        .api(Method::GET, "/sobjects/")
        .header("If-Modified-Since", "Mon, 01 Jan 2001 00:00:00 GMT")
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 200);
}

#[tokio::test]
async fn create_read_update_delete_round_trip() {
    let t = crate::support::org::start().await;
    let id = t
        .create(
            "Account",
            json!({"name": "Acme", "Industry": "Energy", "Health_Score__c": 12.345}),
        )
        .await;
    assert_eq!(id.len(), 18);
    assert!(id.starts_with("001"));
    let record = t.get("Account", &id).await;
    assert_eq!(record["attributes"]["type"], "Account");
    assert_eq!(
        record["attributes"]["url"],
        format!("/services/data/{V}/sobjects/Account/{id}")
    );
    assert_eq!(record["Name"], "Acme");
    assert_eq!(record["Health_Score__c"], 12.35);
    assert_eq!(record["IsDeleted"], false);
    let created = record["CreatedDate"].as_str().unwrap();
    assert_eq!(
        created.len(),
        "2024-01-31T10:00:00.000+0000".len(),
        "{created}"
    );
    assert!(created.ends_with("+0000"));

    let r = t
        .api(Method::PATCH, &format!("/sobjects/Account/{id}"))
        .json(&json!({"Industry": "Retail"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let fields: Value = t
        .api(
            Method::GET,
            &format!("/sobjects/Account/{}?fields=Industry,Name", &id[..15]),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(fields["Industry"], "Retail");
    assert!(fields.get("Health_Score__c").is_none());

    let r = t
        .api(Method::DELETE, &format!("/sobjects/Account/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let (status, body) = answer(
        t.api(Method::GET, &format!("/sobjects/Account/{id}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, error_code(&body)), (404, "ENTITY_IS_DELETED"));
    let (status, body) = answer(
        t.api(Method::DELETE, &format!("/sobjects/Account/{id}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, error_code(&body)), (404, "ENTITY_IS_DELETED"));
}

#[tokio::test]
async fn a_real_orgs_rules_refuse_bad_records_with_its_codes() {
    let t = crate::support::org::start().await;
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        (
            "Account",
            json!({"Industry": "Energy"}),
            400,
            "REQUIRED_FIELD_MISSING",
        ),
        (
            "Opportunity",
            json!({"Name": "x"}),
            400,
            "REQUIRED_FIELD_MISSING",
        ),
        (
            "Opportunity",
            json!({"Name": "x".repeat(121), "StageName": "Prospecting", "CloseDate": "2024-01-01"}),
            400,
            "STRING_TOO_LONG",
        ),
        (
            "Account",
            json!({"Name": "A", "Health_Trend__c": "Sideways"}),
            400,
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        ),
        (
            "Account",
            json!({"Name": "A", "Foo__c": 1}),
            400,
            "INVALID_FIELD",
        ),
        (
            "Account",
            json!({"Name": "A", "Id": "001000000000000AAA"}),
            400,
            "INVALID_FIELD",
        ),
        (
            "Account",
            json!({"Name": "A", "CreatedDate": "2024-01-01T00:00:00Z"}),
            400,
            "INVALID_FIELD_FOR_INSERT_UPDATE",
        ),
        (
            "Contact",
            json!({"LastName": "L", "AccountId": "not-an-id"}),
            400,
            "MALFORMED_ID",
        ),
        (
            "Contact",
            json!({"LastName": "L", "AccountId": "0035g000000001AAAA"}),
            400,
            "FIELD_INTEGRITY_EXCEPTION",
        ),
        (
            "Contact",
            json!({"LastName": "L", "Birthdate": "03/04/2024"}),
            400,
            "JSON_PARSER_ERROR",
        ),
        ("Nope__c", json!({"Name": "A"}), 404, "NOT_FOUND"),
    ];
    for (object, body, want_status, want_code) in cases {
        let (status, answer) = answer(
            t.api(Method::POST, &format!("/sobjects/{object}"))
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (status, error_code(&answer)),
            (want_status, want_code),
            "{object} {body}: {answer}"
        );
        assert!(answer[0]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

#[tokio::test]
async fn malformed_json_is_a_parser_error_not_a_crash() {
    let t = crate::support::org::start().await;
    for body in ["{", "", "[1,2]", "\"text\"", "{\"Name\": }", "\u{0}\u{1}"] {
        let (status, answer) = answer(
            t.api(Method::POST, "/sobjects/Account/")
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (status, error_code(&answer)),
            (400, "JSON_PARSER_ERROR"),
            "{body:?}: {answer}"
        );
    }
}

#[tokio::test]
async fn unique_external_ids_refuse_duplicates() {
    let t = crate::support::org::start().await;
    t.create("Account", json!({"Name": "A", "External_Id__c": "ACME-1"}))
        .await;
    let (status, body) = answer(
        t.api(Method::POST, "/sobjects/Account")
            .json(&json!({"Name": "B", "External_Id__c": "acme-1"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "DUPLICATE_VALUE"),
        "{body}"
    );
}

#[tokio::test]
async fn upsert_creates_then_updates_and_reports_multiple_matches() {
    let t = crate::support::org::start().await;
    let path = "/sobjects/Account/External_Id__c/ACME-7";
    let (status, first) = answer(
        t.api(Method::PATCH, path)
            .json(&json!({"Name": "Acme"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["created"], true);
    assert_eq!(first["success"], true);
    let (status, second) = answer(
        t.api(Method::PATCH, path)
            .json(&json!({"Name": "Acme Corp"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["created"], false);
    assert_eq!(second["id"], first["id"]);
    let by_key: Value = t
        .api(Method::GET, path)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(by_key["Name"], "Acme Corp");

    let (status, body) = answer(
        t.api(Method::PATCH, "/sobjects/Account/Nope__c/1")
            .json(&json!({"Name": "x"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, error_code(&body)), (404, "NOT_FOUND"));

    for _ in 0..2 {
        t.create(
            "Contact",
            json!({"LastName": "Twin", "Legacy_Contact_Id__c": "L-1"}),
        )
        .await;
    }
    let (status, body) = answer(
        t.api(Method::PATCH, "/sobjects/Contact/Legacy_Contact_Id__c/L-1")
            .json(&json!({"LastName": "x"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 300, "{body}");
    let urls = body.as_array().unwrap();
    assert_eq!(urls.len(), 2);
    assert!(urls.iter().all(|u| {
        u.as_str()
            .unwrap()
            .starts_with(&format!("/services/data/{V}/sobjects/Contact/003"))
    }));
}

#[tokio::test]
async fn parent_references_resolve_by_external_id() {
    let t = crate::support::org::start().await;
    let account = t
        .create(
            "Account",
            json!({"Name": "Parent", "External_Id__c": "P-1"}),
        )
        .await;
    let contact = t
        .create(
            "Contact",
            json!({"LastName": "Child", "FirstName": "Kid", "Account": {"External_Id__c": "P-1"}}),
        )
        .await;
    let record = t.get("Contact", &contact).await;
    assert_eq!(record["AccountId"], account);
    assert_eq!(record["Name"], "Kid Child");
    let (status, body) = answer(
        t.api(Method::POST, "/sobjects/Contact")
            .json(&json!({"LastName": "Orphan", "Account": {"External_Id__c": "P-404"}}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "INVALID_FIELD"),
        "{body}"
    );
}

#[tokio::test]
async fn opportunity_probability_follows_the_stage() {
    let t = crate::support::org::start().await;
    let id = t.create("Opportunity", json!({"Name": "Deal", "StageName": "Negotiation/Review", "CloseDate": "2024-06-30", "Amount": 1000})).await;
    let record = t.get("Opportunity", &id).await;
    assert_eq!(record["Probability"], 90.0);
    assert_eq!(record["CloseDate"], "2024-06-30");
    t.api(Method::PATCH, &format!("/sobjects/Opportunity/{id}"))
        .json(&json!({"StageName": "Closed Won"}))
        .send()
        .await
        .unwrap();
    let record = t.get("Opportunity", &id).await;
    assert_eq!(record["Probability"], 100.0);
    assert_eq!(record["IsWon"], true);
}

#[tokio::test]
async fn a_non_id_path_segment_reads_as_a_missing_external_id_field() {
    let t = crate::support::org::start().await;
    let (status, body) = answer(
        t.api(Method::GET, "/sobjects/Account/23foo")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, error_code(&body)), (404, "NOT_FOUND"));
    assert!(body[0]["message"].as_str().unwrap().contains("23foo"));
}

#[tokio::test]
async fn get_updated_and_get_deleted_cover_the_window() {
    let t = crate::support::org::start().await;
    let start = chrono::Utc::now() - chrono::Duration::minutes(5);
    let keep = t.create("Account", json!({"Name": "Keep"})).await;
    let gone = t.create("Account", json!({"Name": "Gone"})).await;
    t.api(Method::DELETE, &format!("/sobjects/Account/{gone}"))
        .send()
        .await
        .unwrap();
    let end = chrono::Utc::now() + chrono::Duration::minutes(2);
    let fmt = |d: chrono::DateTime<chrono::Utc>| d.format("%Y-%m-%dT%H:%M:%S+00:00").to_string();
    let updated: Value = t
        .api(Method::GET, "/sobjects/Account/updated/")
        .query(&[("start", fmt(start)), ("end", fmt(end))])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = updated["ids"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(!ids.contains(&gone.as_str()));
    // A window reaching now covers the current minute: a change made seconds ago is listed.
    assert!(ids.contains(&keep.as_str()), "{updated}");
    // A record is listed exactly when its stamp falls inside the covered window.
    let keep_stamp = t.get("Account", &keep).await["SystemModstamp"]
        .as_str()
        .unwrap()
        .to_string();
    let covered = updated["latestDateCovered"].as_str().unwrap();
    assert_eq!(
        ids.contains(&keep.as_str()),
        keep_stamp.as_str() < covered,
        "{keep_stamp} vs {covered}"
    );
    let deleted: Value = t
        .api(Method::GET, "/sobjects/Account/deleted/")
        .query(&[
            ("start", fmt(start)),
            ("end", fmt(end + chrono::Duration::minutes(1))),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(deleted["earliestDateAvailable"].is_string());
    // The deleted record is listed exactly when its deletion falls inside the covered window.
    let deleted_at = t.org.org().store.get(&gone).unwrap()["SystemModstamp"]
        .as_str()
        .unwrap()
        .to_string();
    let covered = deleted["latestDateCovered"].as_str().unwrap();
    let rows = deleted["deletedRecords"].as_array().unwrap();
    assert_eq!(
        rows.len(),
        usize::from(deleted_at.as_str() < covered),
        "{deleted}"
    );
    for row in rows {
        assert_eq!(row["id"], gone.as_str());
        assert_eq!(row["deletedDate"], deleted_at.as_str());
    }
    let old = fmt(chrono::Utc::now() - chrono::Duration::days(40));
    let (status, body) = answer(
        t.api(Method::GET, "/sobjects/Account/updated/")
            .query(&[("start", old.clone()), ("end", fmt(end))])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "INVALID_REPLICATION_DATE")
    );
}

#[tokio::test]
async fn deleting_an_account_takes_its_contacts_and_opportunities() {
    let t = crate::support::org::start().await;
    let account = t.create("Account", json!({"Name": "Parent"})).await;
    let other = t.create("Account", json!({"Name": "Other"})).await;
    let contact = t
        .create(
            "Contact",
            json!({"LastName": "Child", "AccountId": account}),
        )
        .await;
    let unrelated = t
        .create(
            "Contact",
            json!({"LastName": "Elsewhere", "AccountId": other}),
        )
        .await;
    let deal = t.create("Opportunity", json!({"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2024-01-01", "AccountId": account})).await;
    let r = t
        .api(Method::DELETE, &format!("/sobjects/Account/{account}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    for (object, id) in [("Contact", &contact), ("Opportunity", &deal)] {
        let (status, body) = answer(
            t.api(Method::GET, &format!("/sobjects/{object}/{id}"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (status, error_code(&body)),
            (404, "ENTITY_IS_DELETED"),
            "{object}"
        );
    }
    assert_eq!(t.get("Contact", &unrelated).await["IsDeleted"], false);
}
