//! The Analytics page's work: each chart's aggregate queries, filtered, and their export.

use std::sync::Arc;

use super::service::Service;

/// What the Analytics page asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum AnalyticsRequest {}

/// What the service tells the Analytics page.
#[derive(Debug, Clone, PartialEq)]
pub enum AnalyticsEvent {}

impl Service {
    pub(super) async fn analytics(
        self: &Arc<Self>,
        request: AnalyticsRequest,
    ) -> anyhow::Result<()> {
        match request {}
    }
}
