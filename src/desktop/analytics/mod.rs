//! The Analytics page's work: each chart's aggregate queries, filtered, and their export.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;

use super::service::Service;
use super::{Event, Outbox};
use crate::analytics::{self, Chart, Filters, Report};

/// What the Analytics page asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum AnalyticsRequest {
    /// Compute `report` on the connection's org with `filters`.
    Refresh {
        connection: String,
        report: Report,
        filters: Filters,
    },
    /// Write a chart's data to `path` as CSV.
    Export { path: PathBuf, chart: Box<Chart> },
}

/// What the service tells the Analytics page.
#[derive(Debug, Clone, PartialEq)]
pub enum AnalyticsEvent {
    /// A chart computed with these filters.
    Chart {
        connection: String,
        filters: Filters,
        chart: Box<Chart>,
    },
    /// The report could not be computed: a filter named what is wrong, or the org refused.
    Refused {
        report: Report,
        filters: Filters,
        message: String,
    },
    Exported {
        report: Report,
        path: PathBuf,
    },
}

impl Service {
    pub(super) async fn analytics(
        self: &Arc<Self>,
        request: AnalyticsRequest,
    ) -> anyhow::Result<()> {
        match request {
            AnalyticsRequest::Refresh {
                connection,
                report,
                filters,
            } => {
                let outcome = self
                    .refresh_chart(connection.clone(), report, filters)
                    .await;
                self.report_usage_of(&connection);
                outcome
            }
            AnalyticsRequest::Export { path, chart } => export(&self.outbox, path, *chart).await,
        }
    }

    async fn refresh_chart(
        &self,
        connection: String,
        report: Report,
        filters: Filters,
    ) -> anyhow::Result<()> {
        let answer = match self.client(&connection).await {
            Ok(client) => analytics::run_report(&client, report, &filters)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(format!("{e:#}")),
        };
        self.outbox.send(Event::Analytics(match answer {
            Ok(chart) => AnalyticsEvent::Chart {
                connection,
                filters,
                chart: Box::new(chart),
            },
            Err(message) => AnalyticsEvent::Refused {
                report,
                filters,
                message,
            },
        }));
        Ok(())
    }
}

async fn export(outbox: &Outbox, path: PathBuf, chart: Chart) -> anyhow::Result<()> {
    let csv = analytics::to_csv(&chart);
    let target = path.clone();
    tokio::task::spawn_blocking(move || std::fs::write(&target, csv))
        .await
        .context("the export stopped unexpectedly; try again")?
        .with_context(|| {
            format!(
                "Tether could not write {}; choose a folder you can write to",
                path.display()
            )
        })?;
    outbox.send(Event::Analytics(AnalyticsEvent::Exported {
        report: chart.report,
        path,
    }));
    Ok(())
}
