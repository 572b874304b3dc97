//! jsforce 3 against the sandbox org for what users' Node scripts run beyond sign-in: Bulk API
//! 1.0 (`conn.bulk`: insert, query, update, delete, job states and errors), Bulk API 2.0 edge
//! cases and the activity, campaign and product objects.
//!
//! The script `tests/jsforce/fidelity.js` prints a JSON report; this test starts the org,
//! signs in with the password grant, runs the script and asserts on every check. It fails,
//! never skips, when node or jsforce is missing: `scripts/test.sh` installs both.

use std::time::Duration;

use sandbox_org::{OrgConfig, SandboxOrg};

use crate::support::org::password_login;

/// Every check the script must report, so that a check dropped from the script is noticed.
const EXPECTED_CHECKS: [&str; 8] = [
    "bulk1_insert",
    "bulk1_query",
    "bulk1_update",
    "bulk1_delete",
    "bulk1_job_lifecycle",
    "bulk1_errors",
    "bulk2_edges",
    "standard_objects",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jsforce_bulk_and_standard_objects_work_against_the_sandbox_org() {
    let org = SandboxOrg::start(OrgConfig::default())
        .await
        .expect("the sandbox org starts");
    let http = reqwest::Client::new();
    let token = password_login(&http, &org.base_url()).await;

    let report = crate::support::jsforce::run_script(
        "fidelity.js",
        &[
            ("SANDBOX_BASE_URL", &org.base_url()),
            ("SANDBOX_ACCESS_TOKEN", &token),
        ],
        &EXPECTED_CHECKS,
        Duration::from_secs(180),
    )
    .await;
    org.shutdown().await;
    assert_eq!(report["ok"], true, "report: {report}");
}
