//! The Analytics page's charts in the target table: each chart's refresh against a seeded org
//! at the benchmark's latency, filtered by owner and record type (the most calls a refresh
//! makes: both look-ups and the report), with its calls counted by the org.

use std::time::{Duration, Instant};

use anyhow::Context;
use sandbox_org::{OrgConfig, SandboxOrg};
use tether::analytics::{Filters, MAX_CALLS, Report, run_report};
use tether::salesforce::{Client, ClientConfig, Credentials};

use crate::sync::org_requests;
use crate::targets::{CallTarget, TargetRow};

/// The filters of a chart's most expensive refresh: an owner and, where the object has
/// them, a record type.
fn filters(report: Report) -> Filters {
    Filters {
        owner: "Maria Santos".into(),
        record_type: match report.object() {
            "Opportunity" => "Renewal".into(),
            "Account" => "Household".into(),
            _ => String::new(),
        },
        ..Filters::default()
    }
}

/// One row per chart over an org seeded with `records` demo records (0 leaves them out).
pub async fn rows(
    latency_ms: u64,
    records: usize,
    mut progress: impl FnMut(&TargetRow),
) -> anyhow::Result<Vec<TargetRow>> {
    if records == 0 {
        return Ok(Vec::new());
    }
    let mut config = OrgConfig {
        seed_records: Some(records),
        daily_api_limit: 50_000_000,
        ..OrgConfig::default()
    };
    config.faults.latency_ms = latency_ms;
    let org = SandboxOrg::start(config)
        .await
        .context("starting the sandbox org for the analytics rows")?;
    let token = crate::login(&reqwest::Client::new(), &org.base_url()).await?;
    let client = Client::connect(
        &org.base_url(),
        Credentials::access_token(token),
        ClientConfig::default(),
    )
    .await
    .context("connecting the benchmark's client to the sandbox org")?;
    let mut rows = Vec::new();
    for report in Report::ALL {
        let row = refresh(&client, report, records).await?;
        progress(&row);
        rows.push(row);
    }
    org.shutdown().await;
    Ok(rows)
}

async fn refresh(client: &Client, report: Report, records: usize) -> anyhow::Result<TargetRow> {
    // Reading the limits is a request too: measure what one costs and leave it out.
    let probe = org_requests(client).await?;
    let before = org_requests(client).await?;
    let limits_cost = before - probe;
    let filters = filters(report);
    let started = Instant::now();
    let chart = run_report(client, report, &filters)
        .await
        .with_context(|| format!("refreshing {}", report.title()))?;
    let elapsed: Duration = started.elapsed();
    let calls = (org_requests(client).await? - before).saturating_sub(limits_cost);
    Ok(TargetRow {
        work: format!("refresh chart: {}", report.short_name().to_lowercase()),
        elapsed,
        calls,
        bound: Some(chart.calls),
        path: format!("{} rows", chart.rows.len()),
        rss_growth_mb: None,
        target_seconds: None,
        target_mb: None,
        target_calls: Some(CallTarget::AtMost(MAX_CALLS)),
        note: format!("{records} demo records; owner and record type filters"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_chart_refresh_is_measured_within_three_calls() {
        let mut heard = 0;
        let rows = rows(0, 800, |_| heard += 1)
            .await
            .expect("the charts refresh");
        assert_eq!(heard, Report::ALL.len());
        assert_eq!(rows.len(), Report::ALL.len());
        for row in &rows {
            assert_eq!(
                Some(row.calls),
                row.bound,
                "the chart counts what the org counts: {row:?}"
            );
            assert!(row.meets(), "{row:?}");
        }
        let leads = rows
            .iter()
            .find(|r| r.work.ends_with("lead funnel"))
            .unwrap();
        assert_eq!(
            leads.calls, 2,
            "leads have no record types: the owner's look-up and the report"
        );
        assert!(rows.iter().all(|r| r.calls <= 3));
        assert!(rows.iter().any(|r| r.calls == 3));
    }
}
