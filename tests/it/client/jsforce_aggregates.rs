//! Aggregate SOQL through jsforce 3 (`tests/jsforce/aggregates.js`): AggregateResult rows as
//! jsforce reads them, one fetch whatever the batch size, and the org's error for an ungrouped
//! field. Fails, never skips, when node or jsforce is missing.

use std::time::Duration;

const EXPECTED_CHECKS: [&str; 5] = [
    "seed",
    "grouped_rows",
    "one_fetch_whatever_the_batch_size",
    "rollup_having_dates",
    "ungrouped_field_is_refused",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jsforce_reads_aggregate_results() {
    let t = crate::support::org::start().await;
    let _report = crate::support::jsforce::run_script(
        "aggregates.js",
        &[
            ("SANDBOX_BASE_URL", &t.base),
            ("SANDBOX_ACCESS_TOKEN", &t.token),
        ],
        &EXPECTED_CHECKS,
        Duration::from_secs(120),
    )
    .await;
}
