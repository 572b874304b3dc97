//! One record created, edited or deleted as a run of its own (trigger `records`), with the
//! before- and after-images every run keeps, so that History's Undo and `tether undo RUN`
//! take it back as they take back a sync or an import.
//!
//! Blocks on SQLite between its requests (a workspace connection is held across them): call
//! it where blocking is allowed, as a CLI command does or the desktop service with `block_on`
//! on a blocking thread.

use std::path::Path;

use serde_json::Value;

use super::RecordsError;
use super::check::{Write, check_edits};
use crate::run::SyncLock;
use crate::salesforce::{Client, SalesforceError};
use crate::sync::hints::{Operation, hint, hint_on};
use crate::sync::plan::Values;
use crate::workspace::Workspace;
use crate::workspace::images::{self, NewImage, RemoteOp};
use crate::workspace::journal::{self, RecordFailure, RunCounts, RunStatus, Side, Trigger};
use crate::workspace::record_writes::{self, RecordWrite, run_name};

/// What Salesforce answered to a write that went through.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    pub run_id: i64,
    pub object: String,
    pub sf_id: String,
    /// Salesforce's answer in a sentence, with the run that undoes it.
    pub answer: String,
}

/// The edit of a record to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target<'a> {
    pub connection: &'a str,
    pub object: &'a str,
}

/// Updates record `id` with `edits` (field, value as text), checked against describe first.
pub async fn update(
    path: &Path,
    client: &Client,
    target: Target<'_>,
    id: &str,
    edits: &[(String, String)],
) -> Result<Written, RecordsError> {
    let calls_before = client.requests_answered();
    let describe = client.describe(target.object).await?;
    let values = check_edits(&describe, edits, Write::Update).map_err(RecordsError::Invalid)?;
    if values.is_empty() {
        return Err(RecordsError::Nothing);
    }
    let (_lock, ws) = open(path)?;
    let names: Vec<&str> = values.keys().map(String::as_str).collect();
    let now: Value = client
        .get(target.object, id, Some(names.as_slice()))
        .await?;
    let before: Values = names
        .iter()
        .map(|n| (n.to_string(), now.get(*n).cloned().unwrap_or(Value::Null)))
        .collect();
    let image = NewImage {
        object: target.object.to_string(),
        sf_id: Some(id.to_string()),
        row_key: None,
        op: RemoteOp::Update,
        before: Some(before),
        after: Some(values.clone()),
    };
    let mut run = Run::start(&ws, client, &target, Some(id), image, calls_before)?;
    let sent = client.update(target.object, id, &values).await;
    let fields = values.len();
    run.finish(sent.map(|()| id.to_string()), Operation::Update, |sf_id| {
        format!(
            "Salesforce saved {fields} field(s) of {} {sf_id}",
            target.object
        )
    })
}

/// Creates a record of `target.object` from `edits`, checked against describe first
/// (required fields included).
pub async fn create(
    path: &Path,
    client: &Client,
    target: Target<'_>,
    edits: &[(String, String)],
) -> Result<Written, RecordsError> {
    let calls_before = client.requests_answered();
    let describe = client.describe(target.object).await?;
    let values = check_edits(&describe, edits, Write::Create).map_err(RecordsError::Invalid)?;
    let (_lock, ws) = open(path)?;
    let image = NewImage {
        object: target.object.to_string(),
        sf_id: None,
        row_key: None,
        op: RemoteOp::Create,
        before: None,
        after: Some(values.clone()),
    };
    let mut run = Run::start(&ws, client, &target, None, image, calls_before)?;
    let sent = client.create(target.object, &values).await;
    run.finish(sent, Operation::Create, |sf_id| {
        format!("Salesforce created {} {sf_id}", target.object)
    })
}

/// Deletes record `id`, keeping what it held so that the undo can create it again.
pub async fn delete(
    path: &Path,
    client: &Client,
    target: Target<'_>,
    id: &str,
) -> Result<Written, RecordsError> {
    let calls_before = client.requests_answered();
    let describe = client.describe(target.object).await?;
    let (_lock, ws) = open(path)?;
    let now: Values = client.get(target.object, id, None).await?;
    // What a create can set again; the rest Salesforce fills.
    let before: Values = describe
        .fields
        .iter()
        .filter(|f| f.flag("createable"))
        .filter_map(|f| {
            let value = now.get(&f.name)?;
            (!value.is_null()).then(|| (f.name.clone(), value.clone()))
        })
        .collect();
    let image = NewImage {
        object: target.object.to_string(),
        sf_id: Some(id.to_string()),
        row_key: None,
        op: RemoteOp::Delete,
        before: Some(before),
        after: None,
    };
    let mut run = Run::start(&ws, client, &target, Some(id), image, calls_before)?;
    let sent = client.delete(target.object, id).await;
    run.finish(sent.map(|()| id.to_string()), Operation::Update, |sf_id| {
        format!("Salesforce deleted {} {sf_id}", target.object)
    })
}

fn open(path: &Path) -> Result<(SyncLock, Workspace), RecordsError> {
    let lock = SyncLock::acquire(path)?;
    let ws = Workspace::open(path)?;
    Ok((lock, ws))
}

/// A write's run, from its intent to its end.
struct Run<'a> {
    ws: &'a Workspace,
    client: &'a Client,
    object: String,
    op: RemoteOp,
    run_id: i64,
    image: i64,
    calls_before: u64,
}

impl<'a> Run<'a> {
    fn start(
        ws: &'a Workspace,
        client: &'a Client,
        target: &Target<'_>,
        id: Option<&str>,
        image: NewImage,
        calls_before: u64,
    ) -> Result<Run<'a>, RecordsError> {
        let conn = ws.conn();
        let name = match id {
            Some(id) => run_name(target.object, id),
            None => format!("{} (new)", target.object),
        };
        let run_id = journal::start_unlinked_run(conn, &name, Trigger::Records, None)?;
        record_writes::record(
            conn,
            &RecordWrite {
                run_id,
                connection: target.connection.to_string(),
                object: target.object.to_string(),
                sf_id: id.map(str::to_string),
            },
        )?;
        let op = image.op;
        let ids = images::record_intents(conn, run_id, &[image])?;
        Ok(Run {
            ws,
            client,
            object: target.object.to_string(),
            op,
            run_id,
            image: ids.first().copied().unwrap_or_default(),
            calls_before,
        })
    }

    fn finish(
        &mut self,
        sent: Result<String, SalesforceError>,
        operation: Operation,
        answer: impl Fn(&str) -> String,
    ) -> Result<Written, RecordsError> {
        let conn = self.ws.conn();
        let mut counts = RunCounts {
            processed: 1,
            api_calls: self
                .client
                .requests_answered()
                .saturating_sub(self.calls_before),
            ..RunCounts::default()
        };
        match sent {
            Ok(sf_id) => {
                images::confirm(conn, self.image, Some(&sf_id))?;
                match self.op {
                    RemoteOp::Create => {
                        counts.created = 1;
                        record_writes::set_created_id(conn, self.run_id, &self.object, &sf_id)?;
                    }
                    RemoteOp::Update => counts.updated = 1,
                    RemoteOp::Delete => counts.deleted = 1,
                }
                let answer = format!("{}; undo it with run {}", answer(&sf_id), self.run_id);
                journal::finish_run(conn, self.run_id, RunStatus::Succeeded, &counts, None)?;
                Ok(Written {
                    run_id: self.run_id,
                    object: self.object.clone(),
                    sf_id,
                    answer,
                })
            }
            Err(SalesforceError::Api {
                code,
                message,
                fields,
                ..
            }) => {
                images::mark_not_written(conn, self.image)?;
                let hint = match self.op {
                    RemoteOp::Delete => hint(&code, &fields, &message),
                    _ => hint_on(operation, &code, &fields, &message),
                };
                let sf_id = images::of_run(conn, self.run_id)?
                    .into_iter()
                    .find_map(|i| i.sf_id);
                journal::record_error(
                    conn,
                    self.run_id,
                    &RecordFailure {
                        side: Side::Salesforce,
                        sf_id,
                        row_key: None,
                        code: code.clone(),
                        message: message.clone(),
                        fields: fields.clone(),
                        payload: None,
                        hint: hint.clone(),
                    },
                )?;
                counts.failed = 1;
                let refused = RecordsError::Refused {
                    run_id: self.run_id,
                    code,
                    message,
                    fields,
                    hint,
                };
                let text = refused.to_string();
                journal::finish_run(conn, self.run_id, RunStatus::Failed, &counts, Some(&text))?;
                Err(refused)
            }
            // No answer: the write may or may not have happened, and its image stays an
            // unconfirmed intent for the undo to look for.
            Err(other) => {
                counts.failed = 1;
                let text = format!("Salesforce: {other}");
                journal::finish_run(conn, self.run_id, RunStatus::Failed, &counts, Some(&text))?;
                Err(RecordsError::Salesforce(other))
            }
        }
    }
}
