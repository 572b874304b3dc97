//! What a run reports while it works: records read of the total, then planned and written
//! locally of those read, whichever way it reads.

use std::sync::{Arc, Mutex};

use crate::support::sync::*;
use serde_json::json;
use tether::sync::engine::{Progress, RunOptions};
use tether::workspace::journal::{RunStatus, Trigger};

async fn reported(bench: &Bench) -> Vec<Progress> {
    let seen: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let sink = seen.clone();
    let mut options = RunOptions::new(Trigger::Button);
    options.progress = Some(Arc::new(move |p| sink.lock().unwrap().push(p)));
    let summary =
        tether::sync::engine::sync_link(&bench.path, "customers", &bench.client, &options)
            .await
            .unwrap();
    assert_eq!(summary.status, RunStatus::Succeeded, "{summary:?}");
    std::mem::take(&mut *seen.lock().unwrap())
}

async fn three_accounts(bulk: bool) -> Bench {
    let bench = Bench::new().await;
    for name in ["Acme", "Globex", "Initech"] {
        bench.create("Account", json!({"Name": name})).await;
    }
    bench.execute(CUSTOMERS_TABLE);
    let mut link = customers_link("salesforce_wins");
    if bulk {
        link["strategy"] = json!({"bulk_pull_above": 1});
    }
    bench.add_link(link);
    bench
}

fn check_counts(seen: &[Progress]) {
    let reading: Vec<_> = seen
        .iter()
        .filter_map(|p| match p {
            Progress::Reading { done, total } => Some((*done, *total)),
            _ => None,
        })
        .collect();
    assert_eq!(
        reading.last(),
        Some(&(3, Some(3))),
        "the read ends at the total it announced: {seen:?}"
    );
    assert!(
        reading.iter().all(|(_, total)| *total == Some(3)),
        "the total is known from the first count: {seen:?}"
    );
    assert!(
        seen.contains(&Progress::Planning { done: 3, total: 3 }),
        "planning counts up to the records read: {seen:?}"
    );
    assert!(
        seen.contains(&Progress::Writing { done: 0, total: 3 }),
        "writing locally says how many it writes: {seen:?}"
    );
    let order: Vec<usize> = [
        seen.iter()
            .position(|p| matches!(p, Progress::Reading { .. })),
        seen.iter()
            .position(|p| matches!(p, Progress::Planning { .. })),
        seen.iter()
            .position(|p| matches!(p, Progress::Writing { .. })),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert!(order.is_sorted() && order.len() == 3, "{seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rest_read_reports_records_read_of_the_query_total_then_planning_and_writing() {
    let bench = three_accounts(false).await;
    check_counts(&reported(&bench).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_read_reports_the_jobs_count_before_and_while_it_downloads() {
    let bench = three_accounts(true).await;
    let seen = reported(&bench).await;
    assert_eq!(
        seen.iter().find(|p| matches!(p, Progress::Reading { .. })),
        Some(&Progress::Reading {
            done: 0,
            total: Some(3)
        }),
        "the total is shown while Salesforce prepares the job: {seen:?}"
    );
    check_counts(&seen);
}
