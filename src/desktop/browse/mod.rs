//! The Records page's work: listing, searching, reading and writing an org's records.

mod list;
pub mod record;

use std::sync::Arc;

use super::service::Service;
use crate::browse::{Catalog, Key, ListSpec, Page};

pub use list::ObjectChoice;

/// What the Records page asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordsRequest {
    /// The open record's work.
    Record(record::RecordRequest),
    /// Every object of the connection's global describe; answered by [`RecordsEvent::Objects`].
    ListObjects { connection: String },
    /// The columns an object's list may show; answered by [`RecordsEvent::Columns`].
    Columns { connection: String, object: String },
    /// One page of a list, after `after` (the first without); one call. Answered by
    /// [`RecordsEvent::Page`] with the same `ticket`, so an answer overtaken by a newer
    /// request is dropped.
    Page(Box<PageRequest>),
}

/// One page of a list: which, and what to read it with.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRequest {
    pub ticket: u64,
    pub connection: String,
    /// The object's columns, as [`RecordsEvent::Columns`] gave them: no describe per page.
    pub catalog: Catalog,
    pub spec: ListSpec,
    pub after: Option<Key>,
}

/// What the service tells the Records page.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordsEvent {
    /// Answers to the open record.
    Record(record::RecordEvent),
    Objects {
        connection: String,
        objects: Vec<ObjectChoice>,
    },
    Columns {
        connection: String,
        object: String,
        /// Or what went wrong, said for the person.
        catalog: Result<Box<Catalog>, String>,
    },
    Page {
        ticket: u64,
        /// Or what to change (a filter naming its field) or what Salesforce refused.
        page: Result<Box<Page>, String>,
    },
}

impl RecordsRequest {
    /// The connection whose org the request is for.
    pub fn connection(&self) -> &str {
        match self {
            RecordsRequest::Record(record) => record.connection(),
            RecordsRequest::ListObjects { connection }
            | RecordsRequest::Columns { connection, .. } => connection,
            RecordsRequest::Page(page) => &page.connection,
        }
    }
}

impl Service {
    pub(super) async fn records(self: &Arc<Self>, request: RecordsRequest) -> anyhow::Result<()> {
        let connection = request.connection().to_string();
        let outcome = self.records_for(request).await;
        self.report_usage_of(&connection);
        outcome
    }

    async fn records_for(self: &Arc<Self>, request: RecordsRequest) -> anyhow::Result<()> {
        match request {
            RecordsRequest::Record(request) => self.record(request).await,
            RecordsRequest::ListObjects { connection } => self.record_objects(&connection).await,
            RecordsRequest::Columns { connection, object } => {
                self.record_columns(&connection, &object).await
            }
            RecordsRequest::Page(page) => {
                let PageRequest {
                    ticket,
                    connection,
                    catalog,
                    spec,
                    after,
                } = *page;
                self.record_page(ticket, &connection, &catalog, &spec, after.as_ref())
                    .await
            }
        }
    }
}
