//! jsforce 3 logging in without a browser: by SOAP with the security token, by the
//! username-password flow with a consumer secret, and working at v45.0 and v62.0. Runs
//! `tests/jsforce/login.js`; fails, never skips, when node or jsforce is missing.

use std::time::Duration;

use sandbox_org::config::{DEMO_PASSWORD, DEMO_USERNAME};
use sandbox_org::{ConnectedApp, OrgConfig, SandboxOrg};

const CLIENT_ID: &str = "JsforceWithSecret";
const CLIENT_SECRET: &str = "jsforce-consumer-secret";
const CHECKS: [&str; 4] = [
    "login_soap",
    "login_password_with_secret",
    "version_45",
    "version_62",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jsforce_logs_in_by_soap_and_with_a_consumer_secret_at_old_and_new_versions() {
    let mut config = OrgConfig::default();
    config.apps.push(ConnectedApp {
        client_id: CLIENT_ID.to_string(),
        client_secret: Some(CLIENT_SECRET.to_string()),
        callbacks: Vec::new(),
        jwt_certificate_pem: None,
    });
    let org = SandboxOrg::start(config)
        .await
        .expect("the sandbox org starts");
    let token = org
        .security_token(DEMO_USERNAME)
        .expect("the demo user's token");

    let _report = crate::support::jsforce::run_script(
        "login.js",
        &[
            ("SANDBOX_BASE_URL", &org.base_url()),
            ("SANDBOX_USERNAME", DEMO_USERNAME),
            ("SANDBOX_PASSWORD", DEMO_PASSWORD),
            ("SANDBOX_SECURITY_TOKEN", &token),
            ("SANDBOX_SECRET_CLIENT_ID", CLIENT_ID),
            ("SANDBOX_CLIENT_SECRET", CLIENT_SECRET),
        ],
        &CHECKS,
        Duration::from_secs(120),
    )
    .await;
    org.shutdown().await;
}
