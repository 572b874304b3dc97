//! The API usage gauge follows the calls of every page that asks the org, not only syncs.

use tether::analytics::{Filters, Report};
use tether::desktop::{
    AnalyticsEvent, AnalyticsRequest, Event, QueryEvent, QueryRequest, RecordsEvent,
    RecordsRequest, Request,
};

use crate::support::desktop::{Window, empty_sandbox_config, org_client};

const CONNECTION: &str = "Sandbox org";

/// The org's count as another session last heard it, after one call of its own.
async fn used_now(base: &str) -> u64 {
    let org = org_client(base).await;
    org.limits().await.expect("the org's limits");
    org.api_usage().expect("a usage header").used
}

/// Waits for the gauge to pass `before`: a page whose calls are not reported never does.
async fn reported_above(window: &mut Window, page: &str, before: u64) -> u64 {
    window
        .wait(
            &format!("the API usage after the {page} page's calls"),
            |e| match e {
                Event::ApiUsage {
                    connection, used, ..
                } if connection == CONNECTION && *used > before => Some(*used),
                _ => None,
            },
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn records_soql_and_analytics_calls_move_the_api_usage_gauge() {
    let dir = tempfile::tempdir().unwrap();
    let mut window = Window::start(empty_sandbox_config(
        dir.path(),
        dir.path().join("workspace.sqlite"),
    ));
    let base = window
        .wait("the sandbox connection", |e| match e {
            Event::Connected(v) => Some(v.instance_url.clone()),
            _ => None,
        })
        .await;

    let before = used_now(&base).await;
    window.send(Request::Records(RecordsRequest::ListObjects {
        connection: CONNECTION.into(),
    }));
    window
        .wait("the Records page's objects", |e| {
            matches!(e, Event::Records(RecordsEvent::Objects { .. })).then_some(())
        })
        .await;
    reported_above(&mut window, "Records", before).await;

    let before = used_now(&base).await;
    window.send(Request::Query(QueryRequest::Run {
        connection: CONNECTION.into(),
        soql: "SELECT Id FROM Account".into(),
        run: 1,
    }));
    window
        .wait("the query's end", |e| {
            matches!(e, Event::Query(QueryEvent::Done { run: 1, .. })).then_some(())
        })
        .await;
    reported_above(&mut window, "SOQL", before).await;

    let before = used_now(&base).await;
    window.send(Request::Analytics(AnalyticsRequest::Refresh {
        connection: CONNECTION.into(),
        report: Report::PipelineByStage,
        filters: Filters::default(),
    }));
    window
        .wait("the chart", |e| {
            matches!(e, Event::Analytics(AnalyticsEvent::Chart { .. })).then_some(())
        })
        .await;
    reported_above(&mut window, "Analytics", before).await;
}
