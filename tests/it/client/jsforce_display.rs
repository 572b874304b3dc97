//! `toLabel()`, `FORMAT()` and `FOR VIEW` through jsforce 3 (`tests/jsforce/display.js`):
//! labels and formatted values under the names jsforce reads, the error for a non-picklist
//! field, and a FOR VIEW query leading `/recent`. Fails, never skips, when node or jsforce is
//! missing.

use std::time::Duration;

const EXPECTED_CHECKS: [&str; 5] = [
    "seed",
    "to_label",
    "format",
    "non_picklist_is_refused",
    "for_view",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jsforce_reads_labels_formatted_values_and_views() {
    let t = crate::support::org::start().await;
    let _report = crate::support::jsforce::run_script(
        "display.js",
        &[
            ("SANDBOX_BASE_URL", &t.base),
            ("SANDBOX_ACCESS_TOKEN", &t.token),
        ],
        &EXPECTED_CHECKS,
        Duration::from_secs(120),
    )
    .await;
}
