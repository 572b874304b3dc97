//! Undoing a run: Salesforce from the run's before-images, the local table from the change
//! log's before-rows, and the link's bases and cursor from their images. Runs are undone
//! newest first, so that an undo never overwrites a later run's work; and an undo stops
//! before writing when rows or records the run wrote were changed since, locally or in
//! Salesforce (`later_edits`).

mod deletes;

use std::path::Path;

use rusqlite::{Connection, params};
use serde_json::{Map, Value};

use super::deleted::{self, sql_of};
use super::later_edits;
use super::push::record_body;
use super::{RunSummary, SyncError, SyncLock};
use crate::salesforce::{Client, CollectionOptions, SaveResult};
use crate::sync::workspace::capture::{self, quote_ident};
use crate::sync::workspace::images::{self, RemoteImage, RemoteOp};
use crate::sync::workspace::imports;
use crate::sync::workspace::journal::{self, RecordFailure, RunCounts, RunStatus, Trigger};
use crate::sync::workspace::{Workspace, base};

fn refuse(message: String) -> SyncError {
    SyncError::Undo(message)
}

/// How far an undo may go.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UndoOptions {
    /// Put the before-images back even over records Salesforce changed since the run
    /// (otherwise the undo stops with [`SyncError::LaterSalesforceEdits`], writing nothing).
    pub overwrite_salesforce_edits: bool,
}

/// Undoes run `run_id` of the workspace at `path`, recording the undo as a run of its own.
/// Stops, writing nothing, when what the run wrote was changed since on either side.
pub async fn undo_run(path: &Path, run_id: i64, client: &Client) -> Result<RunSummary, SyncError> {
    undo_run_with(path, run_id, client, UndoOptions::default()).await
}

/// [`undo_run`], with the choices of `options`.
pub async fn undo_run_with(
    path: &Path,
    run_id: i64,
    client: &Client,
    options: UndoOptions,
) -> Result<RunSummary, SyncError> {
    let _lock = SyncLock::acquire(path)?;
    let mut ws = Workspace::open(path)?;
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
    let calls_before = client.requests_answered();
    if imports::import_of(ws.conn(), run_id)?.is_some() {
        check_salesforce(&ws, client, run_id, options).await?;
        return undo_import(&ws, &target, client, calls_before).await;
    }
    let stored = ws.link(&target.link_name)?;
    let link = stored.link.clone();
    let edited = edited_since(ws.conn(), run_id)?;
    if !edited.is_empty() {
        return Err(refuse(format!(
            "rows of `{}` that run {run_id} wrote were edited since (keys {}); undoing would overwrite those edits. Put them back by hand, or sync again",
            link.table,
            edited.join(", ")
        )));
    }
    check_salesforce(&ws, client, run_id, options).await?;
    let undo = journal::start_run(
        ws.conn(),
        stored.id,
        &link.name,
        Trigger::Undo,
        Some(run_id),
    )?;
    let mut counts = RunCounts::default();
    let mut already_gone = 0;
    let remote = undo_remote(
        ws.conn(),
        undo,
        client,
        run_id,
        &mut counts,
        &mut already_gone,
    )
    .await;
    let outcome = match remote {
        Ok(recreated) => undo_local(
            ws.conn_mut(),
            undo,
            run_id,
            stored.id,
            &link,
            &recreated,
            &mut counts,
        ),
        Err(e) => Err(e),
    };
    counts.api_calls = client.requests_answered().saturating_sub(calls_before);
    let gone = deletes::gone_note(already_gone);
    let (status, message) =
        finish_undo(ws.conn(), run_id, undo, &counts, &outcome, gone.as_deref())?;
    Ok(RunSummary {
        run_id: undo,
        link: link.name,
        status,
        counts,
        read_path: None,
        write_path: Some(super::WritePath::Collections),
        message,
    })
}

/// Refuses, before anything is written, when Salesforce no longer holds what the run wrote,
/// unless `options` allow overwriting it.
async fn check_salesforce(
    ws: &Workspace,
    client: &Client,
    run_id: i64,
    options: UndoOptions,
) -> Result<(), SyncError> {
    if options.overwrite_salesforce_edits {
        return Ok(());
    }
    let images = images::of_run(ws.conn(), run_id)?;
    match later_edits::find(client, run_id, &images).await? {
        Some(edits) => Err(SyncError::LaterSalesforceEdits(edits)),
        None => Ok(()),
    }
}

/// Records how the undo of `run_id` ended, and marks the run undone when it all went back.
fn finish_undo<T>(
    conn: &Connection,
    run_id: i64,
    undo: i64,
    counts: &RunCounts,
    outcome: &Result<T, SyncError>,
    note: Option<&str>,
) -> Result<(RunStatus, Option<String>), SyncError> {
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
async fn undo_import(
    ws: &Workspace,
    target: &journal::RunRecord,
    client: &Client,
    calls_before: u64,
) -> Result<RunSummary, SyncError> {
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
        write_path: Some(super::WritePath::Collections),
        message,
    })
}

async fn undo_import_remote(
    conn: &Connection,
    undo: i64,
    client: &Client,
    run_id: i64,
    counts: &mut RunCounts,
    already_gone: &mut u64,
) -> Result<(), SyncError> {
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

/// Keys of rows the run wrote that anyone but a sync changed afterwards (at most ten).
fn edited_since(conn: &Connection, run_id: i64) -> Result<Vec<String>, SyncError> {
    let mut stmt = conn.prepare(
        "SELECT DISTINCT later.row_key FROM tether_changes AS later
         JOIN tether_changes AS mine
           ON mine.run_id = ?1 AND mine.table_name = later.table_name
          AND mine.row_key = later.row_key AND later.seq > mine.seq
         WHERE later.run_id IS NULL
         ORDER BY later.row_key LIMIT 10",
    )?;
    let keys = stmt
        .query_map([run_id], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(keys)
}

fn failed(
    conn: &Connection,
    undo: i64,
    image: &RemoteImage,
    result: &SaveResult,
) -> Result<(), SyncError> {
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
async fn undo_remote(
    conn: &Connection,
    undo: i64,
    client: &Client,
    run_id: i64,
    counts: &mut RunCounts,
    already_gone: &mut u64,
) -> Result<Vec<(String, String)>, SyncError> {
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
) -> Result<(), SyncError> {
    counts.processed += 1;
    if result.success {
        bump(counts);
        Ok(())
    } else {
        counts.failed += 1;
        failed(conn, undo, image, result)
    }
}

/// Puts back the local row whose delete the run carried to Salesforce (record `old`, created
/// again as `new`), pointing at the new record. Returns whether a row came back.
fn restore_deleted_row(
    conn: &Connection,
    link_id: i64,
    link: &crate::sync::link::Link,
    old: &str,
    new: &str,
) -> Result<bool, SyncError> {
    let Some(row_key) = base::get(conn, link_id, old)?.and_then(|b| b.row_key) else {
        return Ok(false);
    };
    Ok(deleted::restore_row(conn, link, &row_key, new)?)
}

/// Reverses the run's local writes, newest first, and puts back its bases and cursor.
fn undo_local(
    conn: &mut Connection,
    undo: i64,
    run_id: i64,
    link_id: i64,
    link: &crate::sync::link::Link,
    recreated: &[(String, String)],
    counts: &mut RunCounts,
) -> Result<(), SyncError> {
    let changes = capture::changes_of_run(conn, run_id)?;
    let tx = conn.transaction()?;
    capture::set_writer(&tx, Some(undo))?;
    for change in changes.iter().rev() {
        let table = quote_ident(&change.table);
        let key_column = quote_ident(&link.key);
        counts.processed += 1;
        match change.op.as_str() {
            "insert" => {
                tx.execute(
                    &format!("DELETE FROM {table} WHERE {key_column} = ?1"),
                    [&change.row_key],
                )?;
                counts.deleted += 1;
            }
            "update" => {
                let Some(before) = &change.before else {
                    continue;
                };
                let columns: Vec<&String> = if change.columns.is_empty() {
                    before.keys().collect()
                } else {
                    change.columns.iter().collect()
                };
                let sets: Vec<String> = columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| format!("{} = ?{}", quote_ident(c), i + 2))
                    .collect();
                let mut values = vec![super::values::to_sql(&Value::String(
                    change.row_key.clone(),
                ))];
                values.extend(
                    columns
                        .iter()
                        .map(|c| sql_of(before.get(*c).unwrap_or(&Value::Null))),
                );
                tx.execute(
                    &format!(
                        "UPDATE {table} SET {} WHERE {key_column} = ?1",
                        sets.join(", ")
                    ),
                    rusqlite::params_from_iter(values),
                )?;
                counts.updated += 1;
            }
            "delete" => {
                let Some(before) = &change.before else {
                    continue;
                };
                let names: Vec<String> = before.keys().map(|c| quote_ident(c)).collect();
                let marks: Vec<String> = (1..=before.len()).map(|i| format!("?{i}")).collect();
                tx.execute(
                    &format!(
                        "INSERT INTO {table} ({}) VALUES ({})",
                        names.join(", "),
                        marks.join(", ")
                    ),
                    rusqlite::params_from_iter(before.values().map(sql_of)),
                )?;
                counts.created += 1;
            }
            _ => {}
        }
    }
    base::restore_run(&tx, run_id, link_id)?;
    for (old, new) in recreated {
        if restore_deleted_row(&tx, link_id, link, old, new)? {
            counts.created += 1;
        }
        tx.execute(
            &format!(
                "UPDATE {} SET {col} = ?2 WHERE {col} = ?1",
                quote_ident(&link.table),
                col = quote_ident(&link.id_column)
            ),
            params![old, new],
        )?;
        if let Some(mut moved) = base::get(&tx, link_id, old)? {
            base::remove(&tx, link_id, old)?;
            moved.sf_id = new.clone();
            base::put(&tx, link_id, &moved)?;
        }
    }
    tx.execute(
        "UPDATE tether_cursors SET pulled_through =
             (SELECT pulled_through FROM tether_cursor_images WHERE run_id = ?1 AND link_id = ?2)
         WHERE link_id = ?2
           AND EXISTS (SELECT 1 FROM tether_cursor_images WHERE run_id = ?1 AND link_id = ?2)",
        params![run_id, link_id],
    )?;
    capture::set_writer(&tx, None)?;
    tx.commit()?;
    Ok(())
}
