//! The SOQL explorer's work: running a query, its plan, its history and saved queries, export.

use std::sync::Arc;

use super::service::Service;

/// What the SOQL explorer asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryRequest {}

/// What the service tells the SOQL explorer.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryEvent {}

impl Service {
    pub(super) async fn query(self: &Arc<Self>, request: QueryRequest) -> anyhow::Result<()> {
        match request {}
    }
}
