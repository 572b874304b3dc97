//! Push expressions run with a budget and may only read the row: a runaway expression fails
//! `link verify` and the run naming its field instead of hanging them, and an expression that
//! loads an extension or smuggles in another statement (an ATTACH) is refused, naming its field.

use std::time::Duration;

use crate::support::sync::*;
use serde_json::json;
use tether::sync::link::Link;
use tether::sync::verify::{Problem, Severity, describes_for, verify};
use tether::workspace::Workspace;
use tether::workspace::journal::RunStatus;

const RECURSIVE: &str =
    "(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c)";

/// The customers link with `expression` computing the pushed health score.
fn with_expression(bench: &Bench, expression: &str) -> Link {
    let mut link = customers_link("local_wins");
    link["fields"][2]["local"] = json!({ "expression": expression });
    bench.add_link(link)
}

/// `link verify` as the CLI runs it, on a thread of its own so that a hang fails the test.
async fn verify_in_time(bench: &Bench, link: &Link) -> Vec<Problem> {
    let (describe, parents) = describes_for(&bench.client, link).await.unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let (path, link) = (bench.path.clone(), link.clone());
    std::thread::spawn(move || {
        let ws = Workspace::open(&path).unwrap();
        let _ = tx.send(verify(&link, &describe, &parents, ws.conn()));
    });
    rx.recv_timeout(Duration::from_secs(30))
        .expect("link verify returns within 30 s instead of hanging")
}

fn errors_of<'p>(problems: &'p [Problem], field: &str) -> Vec<&'p Problem> {
    problems
        .iter()
        .filter(|p| p.severity == Severity::Error && p.field.as_deref() == Some(field))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recursive_cte_in_a_push_expression_fails_link_verify_naming_the_field() {
    let bench = Bench::new().await;
    bench.execute(CUSTOMERS_TABLE);
    bench.execute("INSERT INTO customers (id, name) VALUES (1, 'Acme'), (2, 'Globex')");
    let link = with_expression(&bench, RECURSIVE);
    let problems = verify_in_time(&bench, &link).await;
    let named = errors_of(&problems, "Health_Score__c");
    assert!(
        named.iter().any(|p| p.message.contains("budget")),
        "{:#?}",
        problems.iter().map(ToString::to_string).collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_stops_on_a_runaway_push_expression_naming_the_field() {
    let bench = Bench::new().await;
    bench.execute(CUSTOMERS_TABLE);
    bench.execute("INSERT INTO customers (id, name) VALUES (1, 'Acme')");
    with_expression(&bench, RECURSIVE);
    let run = tokio::time::timeout(Duration::from_secs(30), bench.sync("customers"))
        .await
        .expect("the run ends within 30 s instead of hanging");
    assert_eq!(run.status, RunStatus::Failed, "{run:?}");
    let message = run.message.unwrap_or_default();
    assert!(
        message.contains("Health_Score__c") && message.contains("budget"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_expression_that_loads_an_extension_or_attaches_is_refused_naming_the_field() {
    let bench = Bench::new().await;
    bench.execute(CUSTOMERS_TABLE);
    bench.execute("INSERT INTO customers (id, name) VALUES (1, 'Acme')");
    let other = bench.dir.path().join("other.sqlite");
    let attach = format!(
        "1) FROM customers; ATTACH DATABASE '{}' AS other; SELECT (1",
        other.display()
    );
    let cases = [
        ("load_extension('evil.so')", "load_extension"),
        (attach.as_str(), "ATTACH"),
    ];
    for (expression, words) in cases {
        let link = with_expression(&bench, expression);
        let problems = verify_in_time(&bench, &link).await;
        let named = errors_of(&problems, "Health_Score__c");
        assert!(
            named.iter().any(|p| p.message.contains(words)),
            "{expression}: {:#?}",
            problems.iter().map(ToString::to_string).collect::<Vec<_>>()
        );
        let run = bench.sync("customers").await;
        assert_eq!(run.status, RunStatus::Failed, "{expression}: {run:?}");
        let message = run.message.unwrap_or_default();
        assert!(
            message.contains("Health_Score__c") && message.contains(words),
            "{expression}: {message}"
        );
    }
    assert!(!other.exists(), "nothing was attached");
}
