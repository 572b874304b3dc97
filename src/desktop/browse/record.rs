//! The open record's work: reading it by its layout, the new record's form, and its writes,
//! each a run (trigger `records`) in History.

use std::sync::Arc;

use anyhow::Context;

use super::super::protocol::Event;
use super::super::service::Service;
use super::RecordsEvent;
use crate::records_write::read::{self, FieldShown, RecordPage};
use crate::records_write::write::{self, Target, Written};
use crate::records_write::{EditProblem, RecordsError};

/// What the open record asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordRequest {
    Read {
        connection: String,
        object: String,
        id: String,
    },
    /// The fields of a new record, required ones first.
    NewForm { connection: String, object: String },
    /// Sends `edits` (field, value as text): an update of `id`, or a create without one.
    Save {
        connection: String,
        object: String,
        id: Option<String>,
        edits: Vec<(String, String)>,
    },
    Delete {
        connection: String,
        object: String,
        id: String,
    },
}

impl RecordRequest {
    pub fn connection(&self) -> &str {
        match self {
            RecordRequest::Read { connection, .. }
            | RecordRequest::NewForm { connection, .. }
            | RecordRequest::Save { connection, .. }
            | RecordRequest::Delete { connection, .. } => connection,
        }
    }
}

/// What the service tells the open record.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordEvent {
    Read(Box<RecordPage>),
    NewForm {
        object: String,
        fields: Vec<FieldShown>,
    },
    /// The edits did not fit describe; nothing was sent.
    Invalid(Vec<EditProblem>),
    /// Salesforce took the write; a new run is in History.
    Written {
        written: Written,
        deleted: bool,
    },
    /// The write did not go through: Salesforce's answer and the hint.
    Refused(String),
}

/// Whether `event` reports a new run, so that History reads its pages again.
pub fn made_a_run(event: &Event) -> bool {
    matches!(
        event,
        Event::Records(RecordsEvent::Record(
            RecordEvent::Written { .. } | RecordEvent::Refused(_)
        ))
    )
}

fn answer(event: RecordEvent) -> Event {
    Event::Records(RecordsEvent::Record(event))
}

impl Service {
    pub(super) async fn record(self: &Arc<Self>, request: RecordRequest) -> anyhow::Result<()> {
        match request {
            RecordRequest::Read {
                connection,
                object,
                id,
            } => {
                let client = self.client(&connection).await?;
                let page = read::read_record(&client, &object, &id).await;
                self.report_usage(&connection, &client);
                let page = page.with_context(|| format!("Tether could not read {object} {id}"))?;
                self.outbox.send(answer(RecordEvent::Read(Box::new(page))));
            }
            RecordRequest::NewForm { connection, object } => {
                let client = self.client(&connection).await?;
                let fields = read::new_record_form(&client, &object)
                    .await
                    .with_context(|| format!("Tether could not describe {object}"))?;
                self.outbox
                    .send(answer(RecordEvent::NewForm { object, fields }));
            }
            RecordRequest::Save {
                connection,
                object,
                id,
                edits,
            } => {
                self.write(connection, object, id, Some(edits)).await?;
            }
            RecordRequest::Delete {
                connection,
                object,
                id,
            } => {
                self.write(connection, object, Some(id), None).await?;
            }
        }
        Ok(())
    }

    /// A save (`edits`) or a delete (`None`), queued behind syncs as every run is.
    async fn write(
        self: &Arc<Self>,
        connection: String,
        object: String,
        id: Option<String>,
        edits: Option<Vec<(String, String)>>,
    ) -> anyhow::Result<()> {
        let client = self.client(&connection).await?;
        let _turn = self.sync_queue.lock().await;
        let path = self.config.workspace.clone();
        let runtime = tokio::runtime::Handle::current();
        let reporter = client.clone();
        let name = connection.clone();
        let deleted = edits.is_none();
        // The run keeps a workspace connection across its requests, so it runs on a thread of
        // its own rather than as a task that may move between threads.
        let outcome = tokio::task::spawn_blocking(move || {
            runtime.block_on(async {
                let target = Target {
                    connection: &name,
                    object: &object,
                };
                match (id, edits) {
                    (Some(id), Some(edits)) => {
                        write::update(&path, &client, target, &id, &edits).await
                    }
                    (None, Some(edits)) => write::create(&path, &client, target, &edits).await,
                    (Some(id), None) => write::delete(&path, &client, target, &id).await,
                    (None, None) => Err(RecordsError::Nothing),
                }
            })
        })
        .await
        .context("the write stopped unexpectedly")?;
        self.report_usage(&connection, &reporter);
        let event = match outcome {
            Ok(written) => RecordEvent::Written { written, deleted },
            Err(RecordsError::Invalid(problems)) => RecordEvent::Invalid(problems),
            Err(other) => RecordEvent::Refused(other.to_string()),
        };
        self.outbox.send(answer(event));
        Ok(())
    }
}
