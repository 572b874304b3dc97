//! Undoing a run: Salesforce from the run's before-images (an import's whole undo; a sync's
//! local rows, bases and cursor go back in `sync::engine::undo`). Runs are undone newest
//! first, so that an undo never overwrites a later run's work; and an undo stops before
//! writing when records the run wrote were changed since in Salesforce (`later_edits`).

pub(crate) mod deletes;

use std::path::Path;

use rusqlite::Connection;
use serde_json::{Map, Value};

use super::later_edits;
use super::{RunError, RunSummary, SyncLock};
use crate::run::push::{WritePath, record_body};
use crate::salesforce::{Client, CollectionOptions, SaveResult};
use crate::workspace::Workspace;
use crate::workspace::images::{self, RemoteImage, RemoteOp};
use crate::workspace::imports;
use crate::workspace::journal::{self, RecordFailure, RunCounts, RunStatus, Trigger};

fn refuse(message: String) -> RunError {
    RunError::Undo(message)
}

/// How far an undo may go.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UndoOptions {
    /// Put the before-images back even over records Salesforce changed since the run
    /// (otherwise the undo stops with [`RunError::LaterSalesforceEdits`], writing nothing).
    pub overwrite_salesforce_edits: bool,
}

/// Locks the workspace at `path` and reads run `run_id`, refusing (writing nothing) a run
/// that is missing, is itself an undo, was undone already, or has later runs to undo first.
pub(crate) fn begin(
    path: &Path,
    run_id: i64,
) -> Result<(SyncLock, Workspace, journal::RunRecord), RunError> {
    let lock = SyncLock::acquire(path)?;
    let ws = Workspace::open(path)?;
    journal::mark_interrupted(ws.conn())?;
    let target = journal::run(ws.conn(), run_id)?.ok_or_else(|| {
        refuse(format!(
            "there is no run {run_id}: list them with `tether runs`"
        ))
    })?;
    if target.trigger == Trigger::Undo {
        return Err(refuse(format!(
            "run {run_id} is itself an undo; sync again to redo the work it took back"
        )));
    }
    if let Some(by) = target.undone_by {
        return Err(refuse(format!(
            "run {run_id} was already undone by run {by}"
        )));
    }
    let later: Vec<i64> = journal::runs(ws.conn(), Some(&target.link_name), usize::MAX)?
        .into_iter()
        .filter(|r| r.id > run_id && r.trigger != Trigger::Undo && r.undone_by.is_none())
        .filter(|r| changed_records(r) || r.status == RunStatus::Interrupted)
        .map(|r| r.id)
        .collect();
    if !later.is_empty() {
        let list: Vec<String> = later.iter().map(i64::to_string).collect();
        return Err(refuse(format!(
            "later runs of {} changed records since run {run_id}: undo them first (newest first: {})",
            target.link_name,
            list.join(", ")
        )));
    }
    Ok((lock, ws, target))
}

/// Undoes import `run_id` of the workspace at `path` (a run without a link), recording the
/// undo as a run of its own. Stops, writing nothing, when Salesforce changed what it wrote
/// since. A sync of a link is undone by `sync::engine::undo`, which also puts its rows back.
///
/// Blocks on SQLite between its requests (a workspace connection is held across them): call
/// it where blocking is allowed, as a CLI command does or the desktop service with `block_on`
/// on a blocking thread.
pub async fn undo_import(
    path: &Path,
    run_id: i64,
    client: &Client,
    options: UndoOptions,
) -> Result<RunSummary, RunError> {
    let (_lock, ws, target) = begin(path, run_id)?;
    if imports::import_of(ws.conn(), run_id)?.is_none() {
        return Err(refuse(format!(
            "run {run_id} is a sync of {}, not an import: undo it with `tether undo {run_id}`",
            target.link_name
        )));
    }
    let calls_before = client.requests_answered();
    undo_checked_import(&ws, &target, client, options, calls_before).await
}

/// Undoes import `target`, once [`begin`] has let it through.
pub(crate) async fn undo_checked_import(
    ws: &Workspace,
    target: &journal::RunRecord,
    client: &Client,
    options: UndoOptions,
    calls_before: u64,
) -> Result<RunSummary, RunError> {
    check_salesforce(ws, client, target.id, options).await?;
    reverse_import(ws, target, client, calls_before).await
}

/// Refuses, before anything is written, when Salesforce no longer holds what the run wrote,
/// unless `options` allow overwriting it.
pub(crate) async fn check_salesforce(
    ws: &Workspace,
    client: &Client,
    run_id: i64,
    options: UndoOptions,
) -> Result<(), RunError> {
    if options.overwrite_salesforce_edits {
        return Ok(());
    }
    let images = images::of_run(ws.conn(), run_id)?;
    match later_edits::find(client, run_id, &images).await? {
        Some(edits) => Err(RunError::LaterSalesforceEdits(edits)),
        None => Ok(()),
    }
}

/// Records how the undo of `run_id` ended, and marks the run undone when it all went back.
pub(crate) fn finish_undo<T>(
    conn: &Connection,
    run_id: i64,
    undo: i64,
    counts: &RunCounts,
    outcome: &Result<T, RunError>,
    note: Option<&str>,
) -> Result<(RunStatus, Option<String>), RunError> {
    let (status, mut message) = match outcome {
        Ok(_) if counts.failed == 0 => (RunStatus::Succeeded, None),
        Ok(_) => (
            RunStatus::Partial,
            Some(format!(
                "{} record(s) could not be put back: see `tether errors --run {undo}`",
                counts.failed
            )),
        ),
        Err(e) => (RunStatus::Failed, Some(e.to_string())),
    };
    if let Some(note) = note {
        message = Some(match message {
            Some(m) => format!("{m}; {note}"),
            None => note.to_string(),
        });
    }
    if status == RunStatus::Succeeded {
        journal::set_undone_by(conn, run_id, undo)?;
    }
    journal::finish_run(conn, undo, status, counts, message.as_deref())?;
    Ok((status, message))
}

/// Undoes a spreadsheet import: deletes the records it created (its rows first, then the
/// parents it created for them) and puts back the values of the records it updated.
async fn reverse_import(
    ws: &Workspace,
    target: &journal::RunRecord,
    client: &Client,
    calls_before: u64,
) -> Result<RunSummary, RunError> {
    let conn = ws.conn();
    let undo =
        journal::start_unlinked_run(conn, &target.link_name, Trigger::Undo, Some(target.id))?;
    let mut counts = RunCounts::default();
    let mut already_gone = 0;
    let outcome = undo_import_remote(
        conn,
        undo,
        client,
        target.id,
        &mut counts,
        &mut already_gone,
    )
    .await;
    counts.api_calls = client.requests_answered().saturating_sub(calls_before);
    let gone = deletes::gone_note(already_gone);
    let (status, message) = finish_undo(conn, target.id, undo, &counts, &outcome, gone.as_deref())?;
    outcome?;
    Ok(RunSummary {
        run_id: undo,
        link: target.link_name.clone(),
        status,
        counts,
        read_path: None,
        write_path: Some(WritePath::Collections),
        message,
        write_choice: None,
    })
}

async fn undo_import_remote(
    conn: &Connection,
    undo: i64,
    client: &Client,
    run_id: i64,
    counts: &mut RunCounts,
    already_gone: &mut u64,
) -> Result<(), RunError> {
    let images: Vec<RemoteImage> = images::of_run(conn, run_id)?
        .into_iter()
        .filter(|i| i.confirmed && i.sf_id.is_some())
        .collect();
    // Children before the parents created for them: the objects in reverse order of their
    // first write.
    let mut objects: Vec<&str> = Vec::new();
    for image in &images {
        if !objects.contains(&image.object.as_str()) {
            objects.push(&image.object);
        }
    }
    let options = CollectionOptions::default();
    for object in objects.iter().rev() {
        let created: Vec<&RemoteImage> = images
            .iter()
            .filter(|i| i.object == *object && i.op == RemoteOp::Create)
            .collect();
        *already_gone += deletes::delete_created(conn, undo, client, &created, counts).await?;
        let updated: Vec<&RemoteImage> = images
            .iter()
            .filter(|i| i.object == *object && i.op == RemoteOp::Update && i.before.is_some())
            .collect();
        if !updated.is_empty() {
            let bodies = before_bodies(&updated);
            let results = client.update_many(object, &bodies, options).await?;
            for (image, result) in updated.iter().zip(&results) {
                count(conn, undo, image, result, counts, |c| c.updated += 1)?;
            }
        }
    }
    Ok(())
}

/// Whether a later run may have changed what an undo would put back. An import that sent
/// nothing (every row unchanged or invalid) changed nothing.
fn changed_records(run: &journal::RunRecord) -> bool {
    if run.link_id.is_none() {
        run.counts.created + run.counts.updated + run.counts.deleted > 0
    } else {
        run.counts.processed > 0
    }
}

fn failed(
    conn: &Connection,
    undo: i64,
    image: &RemoteImage,
    result: &SaveResult,
) -> Result<(), RunError> {
    let error = result.errors.first();
    journal::record_error(
        conn,
        undo,
        &RecordFailure {
            side: journal::Side::Salesforce,
            sf_id: image.sf_id.clone(),
            row_key: image.row_key.clone(),
            code: error.map_or("UNKNOWN_ERROR".into(), |e| e.status_code.clone()),
            message: error.map_or("Salesforce refused the record".into(), |e| e.message.clone()),
            fields: error.map(|e| e.fields.clone()).unwrap_or_default(),
            payload: image
                .before
                .as_ref()
                .map(|b| Value::Object(b.clone().into_iter().collect())),
            hint: "Put the record back by hand from the payload shown, or fix the cause and undo again.".into(),
        },
    )?;
    Ok(())
}

/// Reverses the run's confirmed Salesforce writes. Returns (old id, new id) of records the
/// run deleted and the undo created again: Salesforce gives them new Ids.
pub(crate) async fn undo_remote(
    conn: &Connection,
    undo: i64,
    client: &Client,
    run_id: i64,
    counts: &mut RunCounts,
    already_gone: &mut u64,
) -> Result<Vec<(String, String)>, RunError> {
    let images: Vec<RemoteImage> = images::of_run(conn, run_id)?
        .into_iter()
        .filter(|i| i.confirmed)
        .rev()
        .collect();
    let options = CollectionOptions::default();
    let mut recreated = Vec::new();
    let created: Vec<&RemoteImage> = images
        .iter()
        .filter(|i| i.op == RemoteOp::Create && i.sf_id.is_some())
        .collect();
    *already_gone += deletes::delete_created(conn, undo, client, &created, counts).await?;
    let updated: Vec<&RemoteImage> = images
        .iter()
        .filter(|i| i.op == RemoteOp::Update && i.sf_id.is_some() && i.before.is_some())
        .collect();
    if !updated.is_empty() {
        let bodies = before_bodies(&updated);
        let object = &updated[0].object;
        let results = client.update_many(object, &bodies, options).await?;
        for (image, result) in updated.iter().zip(&results) {
            count(conn, undo, image, result, counts, |c| c.updated += 1)?;
        }
    }
    let deleted: Vec<&RemoteImage> = images
        .iter()
        .filter(|i| i.op == RemoteOp::Delete && i.before.is_some())
        .collect();
    if !deleted.is_empty() {
        let bodies: Vec<Map<String, Value>> = deleted
            .iter()
            .map(|i| record_body(i.before.as_ref().unwrap_or(&Default::default())))
            .collect();
        let results = client
            .create_many(&deleted[0].object, &bodies, options)
            .await?;
        for (image, result) in deleted.iter().zip(&results) {
            count(conn, undo, image, result, counts, |c| c.created += 1)?;
            if let (true, Some(old), Some(new)) = (result.success, &image.sf_id, &result.id) {
                recreated.push((old.clone(), new.clone()));
            }
        }
    }
    Ok(recreated)
}

/// Update bodies that put records back as their before-images hold them.
fn before_bodies(images: &[&RemoteImage]) -> Vec<Map<String, Value>> {
    images
        .iter()
        .map(|i| {
            let mut body = record_body(i.before.as_ref().unwrap_or(&Default::default()));
            body.insert(
                "Id".into(),
                Value::String(i.sf_id.clone().unwrap_or_default()),
            );
            body
        })
        .collect()
}

fn count(
    conn: &Connection,
    undo: i64,
    image: &RemoteImage,
    result: &SaveResult,
    counts: &mut RunCounts,
    bump: impl Fn(&mut RunCounts),
) -> Result<(), RunError> {
    counts.processed += 1;
    if result.success {
        bump(counts);
        Ok(())
    } else {
        counts.failed += 1;
        failed(conn, undo, image, result)
    }
}
