//! jsforce 3, the most used JavaScript Salesforce client, run against the sandbox org.
//!
//! The script in `tests/jsforce/` performs each flow as jsforce does it and prints a JSON
//! report; this test starts the org, runs the script and asserts on every check. It fails,
//! never skips, when node or jsforce is missing: `scripts/test.sh` installs both.

use std::time::Duration;

use sandbox_org::{ConnectedApp, OrgConfig, SandboxOrg};

const CLIENT_ID: &str = "JsforceConformance";
const CALLBACK: &str = "http://localhost:3999/oauth2/callback";

/// Every check the script must report, so that a check dropped from the script is noticed.
const EXPECTED_CHECKS: &[&str] = &[
    "oauth_web_server_pkce",
    "identity",
    "refresh_after_expiry",
    "describe",
    "query_autofetch_pages",
    "create_update_delete",
    "query_all",
    "upsert_external_id",
    "collections_partial_failure",
    "composite",
    "bulk2_ingest",
    "sosl_search",
    "list_views",
    "layouts",
    "limits",
    "parent_child_query",
    "semi_and_anti_join",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jsforce_works_against_the_sandbox_org() {
    let mut config = OrgConfig {
        auto_approve: true,
        seed_records: Some(2_500),
        ..OrgConfig::default()
    };
    config.apps.push(ConnectedApp {
        client_id: CLIENT_ID.to_string(),
        client_secret: None,
        callbacks: vec![CALLBACK.to_string()],
        jwt_certificate_pem: None,
    });
    let org = SandboxOrg::start(config)
        .await
        .expect("the sandbox org starts");

    let report = crate::support::jsforce::run_script(
        "conformance.js",
        &[
            ("SANDBOX_BASE_URL", &org.base_url()),
            ("SANDBOX_CLIENT_ID", CLIENT_ID),
            ("SANDBOX_CALLBACK", CALLBACK),
        ],
        EXPECTED_CHECKS,
        Duration::from_secs(240),
    )
    .await;
    org.shutdown().await;
    assert_eq!(report["ok"], true, "report: {report}");
    assert!(
        report["jsforceVersion"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.")),
        "jsforce 3 is the client under test: {report}"
    );
}

/// The checks of `tests/jsforce/tooling.js`, in order.
const TOOLING_CHECKS: &[&str] = &[
    "create_field",
    "duplicate_is_refused",
    "bad_length_is_refused",
    "query_custom_field",
    "query_field_definition",
    "field_is_usable",
    "describe_global",
    "retrieve_and_delete",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jsforce_creates_and_queries_custom_fields_through_the_tooling_api() {
    let t = crate::support::org::start().await;
    let report = crate::support::jsforce::run_script(
        "tooling.js",
        &[
            ("SANDBOX_BASE_URL", &t.base),
            ("SANDBOX_ACCESS_TOKEN", &t.token),
        ],
        TOOLING_CHECKS,
        Duration::from_secs(120),
    )
    .await;
    let detail = |name: &str| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .map(|c| c["detail"].clone())
            .unwrap()
    };
    let id = detail("create_field")["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("00N") && id.len() == 18, "{id}");
    assert_eq!(
        detail("duplicate_is_refused")["message"],
        "There is already a field named Churn_Risk on Account."
    );
    assert_eq!(
        detail("query_custom_field"),
        serde_json::json!({
            "developerName": "Churn_Risk",
            "table": "Account",
            "fullName": "Account.Churn_Risk__c",
            "type": "Number",
            "precision": 5,
            "scale": 2,
        })
    );
    assert_eq!(
        detail("query_field_definition"),
        serde_json::json!({"dataType": "Number(3, 2)", "entity": "Account"})
    );
    assert_eq!(
        detail("field_is_usable"),
        serde_json::json!({"hiddenBeforeGrant": true, "type": "double", "value": 64.5})
    );
    let names = detail("describe_global")["names"].clone();
    for name in ["CustomField", "EntityDefinition", "FieldDefinition"] {
        assert!(names.as_array().unwrap().contains(&name.into()), "{names}");
    }
    assert_eq!(
        detail("retrieve_and_delete"),
        serde_json::json!({
            "fullName": "Account.Churn_Risk__c",
            "deleted": true,
            "stillDescribed": false,
        })
    );
    assert!(
        t.org
            .org()
            .schema()
            .object("Account")
            .unwrap()
            .field("Churn_Risk__c")
            .is_none(),
        "the deleted field left the org's schema"
    );
}
