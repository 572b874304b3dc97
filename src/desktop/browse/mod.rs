//! The Records page's work: listing, searching, reading and writing an org's records.

pub mod record;

use std::sync::Arc;

use super::service::Service;

/// What the Records page asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordsRequest {
    /// The open record's work.
    Record(record::RecordRequest),
}

/// What the service tells the Records page.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordsEvent {
    /// Answers to the open record.
    Record(record::RecordEvent),
}

impl Service {
    pub(super) async fn records(self: &Arc<Self>, request: RecordsRequest) -> anyhow::Result<()> {
        match request {
            RecordsRequest::Record(request) => self.record(request).await,
        }
    }
}
