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
