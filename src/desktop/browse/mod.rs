//! The Records page's work: listing, searching, reading and writing an org's records.

use std::sync::Arc;

use super::service::Service;

/// What the Records page asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordsRequest {}

/// What the service tells the Records page.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordsEvent {}

impl Service {
    pub(super) async fn records(self: &Arc<Self>, request: RecordsRequest) -> anyhow::Result<()> {
        match request {}
    }
}
