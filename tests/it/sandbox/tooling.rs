//! The Tooling API of the sandbox org: custom fields created while it runs reach every read
//! and write path, are refused with Salesforce's errors when wrong, are listed by
//! `/tooling/query`, and survive a restart of an org kept in a file.

use reqwest::Method;
use sandbox_org::OrgConfig;
use serde_json::{Value, json};

use crate::support::org::{TestOrg, V, answer, error_code, start, start_with};

mod query;

pub(super) async fn create_field(t: &TestOrg, full_name: &str, metadata: Value) -> (u16, Value) {
    answer(
        t.api(Method::POST, "/tooling/sobjects/CustomField")
            .json(&json!({"FullName": full_name, "Metadata": metadata}))
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// Grants read and edit on `full_name` to the admin's profile, as an admin does after creating
/// a field: a field created through the Tooling API is hidden from everyone until granted.
pub(super) async fn grant_edit(t: &TestOrg, full_name: &str) {
    let (status, body) = soql(
        t,
        "SELECT Id FROM PermissionSet WHERE Profile.Name = 'System Administrator'",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let parent = body["records"][0]["Id"]
        .as_str()
        .expect("the admin's permission set");
    let object = full_name.split('.').next().unwrap();
    t.create(
        "FieldPermissions",
        json!({"ParentId": parent, "SobjectType": object, "Field": full_name,
               "PermissionsRead": true, "PermissionsEdit": true}),
    )
    .await;
}

pub(super) async fn tooling_query(t: &TestOrg, soql: &str) -> (u16, Value) {
    answer(
        t.api(Method::GET, "/tooling/query")
            .query(&[("q", soql)])
            .send()
            .await
            .unwrap(),
    )
    .await
}

pub(super) async fn soql(t: &TestOrg, soql: &str) -> (u16, Value) {
    answer(
        t.api(Method::GET, "/query")
            .query(&[("q", soql)])
            .send()
            .await
            .unwrap(),
    )
    .await
}

pub(super) fn health_score() -> Value {
    json!({
        "label": "Churn Risk",
        "type": "Number",
        "precision": 5,
        "scale": 2,
        "externalId": false,
        "unique": false,
        "required": false,
        "description": "How healthy the account is",
        "inlineHelpText": "0 to 100",
    })
}

pub(super) async fn describe(t: &TestOrg, object: &str) -> (String, Value) {
    let r = t
        .api(Method::GET, &format!("/sobjects/{object}/describe"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let stamp = r.headers()["last-modified"].to_str().unwrap().to_string();
    (stamp, r.json().await.unwrap())
}

pub(super) fn described_field<'a>(describe: &'a Value, name: &str) -> Option<&'a Value> {
    describe["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
}

#[tokio::test]
async fn a_created_field_reaches_describe_soql_rest_collections_and_composite() {
    let t = start().await;
    let (before, _) = describe(&t, "Account").await;
    let cached = t
        .api(Method::GET, "/sobjects/Account/describe")
        .header("If-Modified-Since", &before)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), 304);

    let (status, body) = create_field(&t, "Account.Churn_Risk__c", health_score()).await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().unwrap();
    assert!(id.starts_with("00N") && id.len() == 18, "{id}");
    assert_eq!(
        body,
        json!({"id": id, "success": true, "errors": [], "warnings": [], "infos": []})
    );

    let fresh = t
        .api(Method::GET, "/sobjects/Account/describe")
        .header("If-Modified-Since", &before)
        .send()
        .await
        .unwrap();
    assert_eq!(fresh.status(), 200, "the describe changed since {before}");
    let (created, account) = describe(&t, "Account").await;
    assert!(
        described_field(&account, "Churn_Risk__c").is_none(),
        "a new field is hidden until a permission set grants it"
    );
    let (status, body) = soql(&t, "SELECT Churn_Risk__c FROM Account").await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "INVALID_FIELD"),
        "{body}"
    );
    grant_edit(&t, "Account.Churn_Risk__c").await;
    let (after, account) = describe(&t, "Account").await;
    assert!(
        after != before && after != created,
        "{before} {created} {after}"
    );
    let field = described_field(&account, "Churn_Risk__c").expect("new field in describe");
    assert_eq!(
        (
            &field["type"],
            &field["precision"],
            &field["scale"],
            &field["custom"]
        ),
        (&json!("double"), &json!(5), &json!(2), &json!(true))
    );
    assert_eq!(field["inlineHelpText"], "0 to 100");

    let record = t
        .create("Account", json!({"Name": "Healthy", "Churn_Risk__c": 87.5}))
        .await;
    assert_eq!(
        t.get("Account", &record).await["Churn_Risk__c"],
        json!(87.5)
    );
    let (status, body) = answer(
        t.api(Method::PATCH, &format!("/sobjects/Account/{record}"))
            .json(&json!({"Churn_Risk__c": 90}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = soql(
        &t,
        "SELECT Name, Churn_Risk__c FROM Account WHERE Churn_Risk__c > 80 ORDER BY Churn_Risk__c DESC",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["totalSize"], 1);
    assert_eq!(body["records"][0]["Churn_Risk__c"], json!(90.0));

    let (status, body) = answer(
        t.api(Method::POST, "/composite/sobjects")
            .json(&json!({"allOrNone": true, "records": [
                {"attributes": {"type": "Account"}, "Name": "Batch", "Churn_Risk__c": 12.25}
            ]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, &body[0]["success"]), (200, &json!(true)), "{body}");
    let batch = body[0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        t.get("Account", &batch).await["Churn_Risk__c"],
        json!(12.25)
    );

    let (status, body) = answer(
        t.api(Method::POST, "/composite")
            .json(&json!({"allOrNone": false, "compositeRequest": [{
                "method": "GET",
                "url": format!("/services/data/{V}/sobjects/Account/{record}?fields=Churn_Risk__c"),
                "referenceId": "read",
            }]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let read = &body["compositeResponse"][0];
    assert_eq!(read["httpStatusCode"], 200, "{read}");
    assert_eq!(read["body"]["Churn_Risk__c"], json!(90.0));
}

#[tokio::test]
async fn upserts_match_on_a_created_external_id_field() {
    let t = start().await;
    let (status, body) = create_field(
        &t,
        "Account.Partner_Key__c",
        json!({"label": "Partner Key", "type": "Text", "length": 40, "externalId": true, "unique": true}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    grant_edit(&t, "Account.Partner_Key__c").await;
    let mut statuses = Vec::new();
    for name in ["First", "Second"] {
        let (status, body) = answer(
            t.api(Method::PATCH, "/sobjects/Account/Partner_Key__c/PK-1")
                .json(&json!({"Name": name}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        statuses.push((status, body["created"].clone()));
    }
    assert_eq!(statuses, [(201, json!(true)), (200, json!(false))]);
    let (status, body) = soql(&t, "SELECT Name FROM Account WHERE Partner_Key__c = 'PK-1'").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (&body["totalSize"], &body["records"][0]["Name"]),
        (&json!(1), &json!("Second"))
    );
}

#[tokio::test]
async fn a_cursor_opened_before_a_field_was_added_keeps_paging_and_search_finds_the_field() {
    let t = start().await;
    for i in 0..450 {
        t.create("Account", json!({"Name": format!("Paged {i:03}")}))
            .await;
    }
    let r = t
        .api(Method::GET, "/query")
        .header("Sforce-Query-Options", "batchSize=200")
        .query(&[(
            "q",
            "SELECT Name FROM Account WHERE Name LIKE 'Paged%' ORDER BY Name",
        )])
        .send()
        .await
        .unwrap();
    let first: Value = r.json().await.unwrap();
    let next = first["nextRecordsUrl"].as_str().unwrap().to_string();
    let (status, body) = create_field(
        &t,
        "Account.Tier__c",
        json!({"label": "Tier", "type": "Text", "length": 20}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    grant_edit(&t, "Account.Tier__c").await;
    let second: Value = t
        .http
        .get(format!("{}{next}", t.base))
        .bearer_auth(&t.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(second["records"][0]["Name"], "Paged 200", "{second}");
    assert!(second["records"][0].get("Tier__c").is_none());
    let (status, body) = soql(
        &t,
        "SELECT Name, Tier__c FROM Account WHERE Name LIKE 'Paged%' ORDER BY Tier__c, Name LIMIT 2",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["records"][0]["Tier__c"], Value::Null);
    assert_eq!(body["records"][1]["Name"], "Paged 001");
    let tiered = t
        .create(
            "Account",
            json!({"Name": "Tiered", "Tier__c": "Platinumish"}),
        )
        .await;
    let (status, body) = answer(
        t.api(Method::GET, "/search")
            .query(&[(
                "q",
                "FIND {Platinumish} IN ALL FIELDS RETURNING Account(Id, Tier__c)",
            )])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["searchRecords"][0]["Id"], json!(tiered), "{body}");
    assert_eq!(body["searchRecords"][0]["Tier__c"], "Platinumish");
}

#[tokio::test]
async fn bulk_writes_and_reads_a_created_field() {
    let (org, c) = crate::sandbox::bulk::client::start().await;
    let (status, body) = c
        .send_json(
            Method::POST,
            "tooling/sobjects/CustomField",
            json!({"FullName": "Contact.Segment__c", "Metadata": {
                "label": "Segment", "type": "Picklist",
                "valueSet": {"restricted": true, "valueSetDefinition": {"sorted": false, "value": [
                    {"fullName": "Gold", "label": "Gold tier", "default": true},
                    {"fullName": "Silver", "label": "Silver", "default": false},
                ]}},
            }}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (_, admin) = c
        .get_json(
            "query?q=SELECT+Id+FROM+PermissionSet+WHERE+Profile.Name+=+'System+Administrator'",
        )
        .await;
    let (status, body) = c
        .send_json(
            Method::POST,
            "sobjects/FieldPermissions",
            json!({"ParentId": admin["records"][0]["Id"], "SobjectType": "Contact",
                   "Field": "Contact.Segment__c", "PermissionsRead": true, "PermissionsEdit": true}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (_, contact) = c.get_json("sobjects/Contact/describe").await;
    let segment = described_field(&contact, "Segment__c").expect("Segment__c described");
    assert_eq!(segment["restrictedPicklist"], true);
    assert_eq!(
        segment["picklistValues"][0],
        json!({"active": true, "defaultValue": true, "label": "Gold tier", "validFor": null, "value": "Gold"})
    );
    let (_, info) = c
        .run_ingest(
            json!({"object": "Contact", "operation": "insert", "lineEnding": "LF"}),
            "LastName,Segment__c\nBulky,Gold\nWrong,Copper\n",
        )
        .await;
    assert_eq!(
        (
            &info["numberRecordsProcessed"],
            &info["numberRecordsFailed"]
        ),
        (&json!(2), &json!(1)),
        "{info}"
    );
    let failed = c
        .result_text(info["id"].as_str().unwrap(), "failedResults")
        .await;
    assert!(
        failed.contains("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"),
        "{failed}"
    );
    let (status, job) = c
        .send_json(
            Method::POST,
            "jobs/query",
            json!({"operation": "query", "query": "SELECT LastName, Segment__c FROM Contact WHERE Segment__c = 'Gold'"}),
        )
        .await;
    assert_eq!(status, 200, "{job}");
    let id = job["id"].as_str().unwrap();
    c.wait("query", id).await;
    let rows = c
        .request(Method::GET, &format!("jobs/query/{id}/results"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(rows, "\"LastName\",\"Segment__c\"\n\"Bulky\",\"Gold\"\n");
    drop(org);
}

#[tokio::test]
async fn wrong_fields_are_refused_with_salesforce_s_errors() {
    let t = start().await;
    let picklist_without_values = json!({"label": "P", "type": "Picklist", "valueSet": {"valueSetDefinition": {"value": []}}});
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "Account.External_Id__c",
            json!({"label": "X", "type": "Text", "length": 10}),
            "DUPLICATE_DEVELOPER_NAME",
        ),
        (
            "Account.Bad__Name__c",
            json!({"label": "X", "type": "Text", "length": 10}),
            "FIELD_INTEGRITY_EXCEPTION",
        ),
        (
            "Account.9Lives__c",
            json!({"label": "X", "type": "Text", "length": 10}),
            "FIELD_INTEGRITY_EXCEPTION",
        ),
        (
            "Account.No_Suffix",
            json!({"label": "X", "type": "Text", "length": 10}),
            "FIELD_INTEGRITY_EXCEPTION",
        ),
        (
            "Account.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA__c",
            json!({"label": "X", "type": "Text", "length": 10}),
            "STRING_TOO_LONG",
        ),
        (
            "Account.Long_Text__c",
            json!({"label": "X", "type": "Text", "length": 256}),
            "FIELD_INTEGRITY_EXCEPTION",
        ),
        (
            "Account.Notes__c",
            json!({"label": "X", "type": "LongTextArea", "length": 200, "visibleLines": 3}),
            "FIELD_INTEGRITY_EXCEPTION",
        ),
        (
            "Account.Wide__c",
            json!({"label": "X", "type": "Number", "precision": 19, "scale": 0}),
            "FIELD_INTEGRITY_EXCEPTION",
        ),
        (
            "Account.Odd__c",
            json!({"label": "X", "type": "Currency", "precision": 4, "scale": 5}),
            "FIELD_INTEGRITY_EXCEPTION",
        ),
        (
            "Account.Choice__c",
            picklist_without_values,
            "FIELD_INTEGRITY_EXCEPTION",
        ),
        (
            "Account.Blob__c",
            json!({"label": "X", "type": "Blob"}),
            "INVALID_TYPE",
        ),
        (
            "Nowhere__c.Field__c",
            json!({"label": "X", "type": "Text", "length": 10}),
            "FIELD_INTEGRITY_EXCEPTION",
        ),
    ];
    for (full_name, metadata, code) in cases {
        let (status, body) = create_field(&t, full_name, metadata).await;
        assert_eq!(
            (status, error_code(&body)),
            (400, code),
            "{full_name}: {body}"
        );
        assert!(body[0]["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(body[0]["fields"].is_array(), "{body}");
    }
    let (status, body) = create_field(&t, "Account.Churn_Risk__c", health_score()).await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = create_field(&t, "Account.churn_risk__c", health_score()).await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "DUPLICATE_DEVELOPER_NAME"),
        "{body}"
    );
    let (_, account) = describe(&t, "Account").await;
    assert!(described_field(&account, "Long_Text__c").is_none());
}

#[tokio::test]
async fn a_field_read_by_id_then_deleted_leaves_the_schema() {
    let t = start().await;
    let (_, body) = create_field(
        &t,
        "Lead.Lead_Score__c",
        json!({"label": "Lead Score", "type": "Number", "precision": 3, "scale": 0}),
    )
    .await;
    let id = body["id"].as_str().unwrap().to_string();
    grant_edit(&t, "Lead.Lead_Score__c").await;
    let lead = t
        .create(
            "Lead",
            json!({"LastName": "Scored", "Company": "Acme", "Lead_Score__c": 7}),
        )
        .await;
    let (status, body) = answer(
        t.api(Method::GET, &format!("/tooling/sobjects/CustomField/{id}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["FullName"], "Lead.Lead_Score__c");
    assert_eq!(body["Metadata"]["precision"], 3);
    assert_eq!(body["attributes"]["type"], "CustomField");

    let (status, _) = answer(
        t.api(
            Method::DELETE,
            &format!("/tooling/sobjects/CustomField/{id}"),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 204);
    let (_, describe_after) = describe(&t, "Lead").await;
    assert!(described_field(&describe_after, "Lead_Score__c").is_none());
    let (status, body) = soql(&t, "SELECT Lead_Score__c FROM Lead").await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "INVALID_FIELD"),
        "{body}"
    );
    assert!(t.get("Lead", &lead).await.get("Lead_Score__c").is_none());
    let (status, body) = answer(
        t.api(Method::GET, &format!("/tooling/sobjects/CustomField/{id}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, error_code(&body)), (404, "NOT_FOUND"), "{body}");
    let (status, _) = answer(
        t.api(
            Method::DELETE,
            &format!("/tooling/sobjects/CustomField/{id}"),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 404);
    let (status, body) = create_field(
        &t,
        "Lead.Lead_Score__c",
        json!({"label": "Lead Score", "type": "Text", "length": 10}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_ne!(body["id"], json!(id));
    let (_, described) = describe(&t, "Lead").await;
    assert!(
        described_field(&described, "Lead_Score__c").is_none(),
        "deleting a field took its grants with it"
    );
    grant_edit(&t, "Lead.Lead_Score__c").await;
    let (status, body) = soql(
        &t,
        "SELECT Lead_Score__c FROM Lead WHERE Lead_Score__c != null",
    )
    .await;
    assert_eq!(
        (status, &body["totalSize"]),
        (200, &json!(0)),
        "a new field starts empty: {body}"
    );
    assert_eq!(t.get("Lead", &lead).await["Lead_Score__c"], Value::Null);
}

#[tokio::test]
async fn a_created_field_survives_a_restart_of_an_org_in_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = || OrgConfig {
        data_file: Some(dir.path().join("org.db")),
        ..OrgConfig::default()
    };
    let t = start_with(config()).await;
    let (_, body) = create_field(&t, "Account.Churn_Risk__c", health_score()).await;
    let id = body["id"].as_str().unwrap().to_string();
    grant_edit(&t, "Account.Churn_Risk__c").await;
    let account = t
        .create("Account", json!({"Name": "Kept", "Churn_Risk__c": 42}))
        .await;
    t.org.shutdown().await;

    let t = start_with(config()).await;
    let (_, described) = describe(&t, "Account").await;
    assert!(described_field(&described, "Churn_Risk__c").is_some());
    assert_eq!(
        t.get("Account", &account).await["Churn_Risk__c"],
        json!(42.0)
    );
    let (status, body) = tooling_query(
        &t,
        "SELECT Id, FullName FROM CustomField WHERE DeveloperName = 'Churn_Risk'",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["records"][0]["Id"],
        json!(id),
        "the field keeps its id"
    );
    let (_, body) = create_field(
        &t,
        "Account.Momentum__c",
        json!({"label": "Trend", "type": "Text", "length": 10}),
    )
    .await;
    assert_ne!(
        body["id"],
        json!(id),
        "ids minted after a restart never repeat"
    );
}
