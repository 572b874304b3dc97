//! Undoing a sync of a link: Salesforce from the run's before-images (through
//! [`crate::run::undo`], which also undoes imports), the local table from the change log's
//! before-rows, and the link's bases and cursor from their images. An undo stops before
//! writing when rows the run wrote were edited since (and, in `run::undo`, when Salesforce
//! changed its records since).

use std::path::Path;

use rusqlite::{Connection, params};
use serde_json::Value;

use super::deleted::{self, sql_of};
use crate::run::push::WritePath;
use crate::run::undo::deletes::gone_note;
use crate::run::undo::{
    UndoOptions, begin, check_salesforce, finish_undo, undo_checked_import, undo_remote,
};
use crate::run::{RunError, RunSummary};
use crate::salesforce::Client;
use crate::sync::link::Link;
use crate::workspace::base;
use crate::workspace::capture::{self, quote_ident};
use crate::workspace::imports;
use crate::workspace::journal::{self, RunCounts, Trigger};

fn refuse(message: String) -> RunError {
    RunError::Undo(message)
}

/// Undoes run `run_id` of the workspace at `path` (a sync, or an import), recording the undo
/// as a run of its own. Stops, writing nothing, when what the run wrote was changed since on
/// either side.
///
/// Blocks on SQLite between its requests (a workspace connection is held across them): call
/// it where blocking is allowed, as a CLI command does or the desktop service with `block_on`
/// on a blocking thread.
pub async fn undo_run(path: &Path, run_id: i64, client: &Client) -> Result<RunSummary, RunError> {
    undo_run_with(path, run_id, client, UndoOptions::default()).await
}

/// [`undo_run`], with the choices of `options`.
pub async fn undo_run_with(
    path: &Path,
    run_id: i64,
    client: &Client,
    options: UndoOptions,
) -> Result<RunSummary, RunError> {
    let (_lock, mut ws, target) = begin(path, run_id)?;
    let calls_before = client.requests_answered();
    if imports::import_of(ws.conn(), run_id)?.is_some() {
        return undo_checked_import(&ws, &target, client, options, calls_before).await;
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
    let gone = gone_note(already_gone);
    let (status, message) =
        finish_undo(ws.conn(), run_id, undo, &counts, &outcome, gone.as_deref())?;
    Ok(RunSummary {
        run_id: undo,
        link: link.name,
        status,
        counts,
        read_path: None,
        write_path: Some(WritePath::Collections),
        message,
        write_choice: None,
    })
}

/// Keys of rows the run wrote that anyone but a sync changed afterwards (at most ten).
fn edited_since(conn: &Connection, run_id: i64) -> Result<Vec<String>, RunError> {
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

/// Puts back the local row whose delete the run carried to Salesforce (record `old`, created
/// again as `new`), pointing at the new record. Returns whether a row came back.
fn restore_deleted_row(
    conn: &Connection,
    link_id: i64,
    link: &Link,
    old: &str,
    new: &str,
) -> Result<bool, RunError> {
    let Some(row_key) = base::get(conn, link_id, old)?.and_then(|b| b.row_key) else {
        return Ok(false);
    };
    Ok(deleted::restore_row(conn, link, &row_key, new)?)
}

/// Removes the base of a row the run added, when the run kept no image of that record's
/// base: it had none before the run (see `execute`'s `base_of_new_row`). A base the run kept
/// an image of is put back from it afterwards.
fn forget_new_base(
    conn: &Connection,
    run_id: i64,
    link_id: i64,
    link: &Link,
    row_key: &str,
) -> Result<(), RunError> {
    conn.execute(
        &format!(
            "DELETE FROM tether_base
             WHERE link_id = ?1
               AND substr(sf_id, 1, 15) = (SELECT substr(CAST({id} AS TEXT), 1, 15)
                                           FROM {table} WHERE {key} = ?3)
               AND NOT EXISTS (SELECT 1 FROM tether_base_images AS i
                               WHERE i.run_id = ?2 AND i.link_id = ?1
                                 AND i.sf_id = tether_base.sf_id)",
            id = quote_ident(&link.id_column),
            table = quote_ident(&link.table),
            key = quote_ident(&link.key),
        ),
        params![link_id, run_id, row_key],
    )?;
    Ok(())
}

/// Reverses the run's local writes, newest first, and puts back its bases and cursor.
fn undo_local(
    conn: &mut Connection,
    undo: i64,
    run_id: i64,
    link_id: i64,
    link: &Link,
    recreated: &[(String, String)],
    counts: &mut RunCounts,
) -> Result<(), RunError> {
    let changes = capture::changes_of_run(conn, run_id)?;
    let tx = conn.transaction()?;
    capture::set_writer(&tx, Some(undo))?;
    for change in changes.iter().rev() {
        let table = quote_ident(&change.table);
        let key_column = quote_ident(&link.key);
        counts.processed += 1;
        match change.op.as_str() {
            "insert" => {
                if change.table == link.table {
                    forget_new_base(&tx, run_id, link_id, link, &change.row_key)?;
                }
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
    // Rows and bases moved back together; the next run reads them all rather than trust a
    // mark made before.
    crate::workspace::marks::forget(&tx, link_id)?;
    capture::set_writer(&tx, None)?;
    tx.commit()?;
    Ok(())
}
