//! An import killed while it sent rows leaves its last writes unconfirmed: recorded as intents,
//! but Salesforce's answer never stored. Before such an import is undone, the records its keys
//! name are looked up (through [`crate::run::unheard`], which the sync engine shares),
//! so that what it created goes too.

use std::path::Path;

use super::ImportRunError;
use crate::import::mapping::ImportMapping;
use crate::run::undo::{UndoOptions, undo_import};
use crate::run::unheard::{self, Unheard, find_by_key};
use crate::run::{RunSummary, SyncLock};
use crate::salesforce::Client;
use crate::workspace::Workspace;
use crate::workspace::images::{self, RemoteOp};
use crate::workspace::imports;
use crate::workspace::journal::{self, RunStatus};

/// Undoes import `run_id`: the writes it sent without hearing back are confirmed by key first.
/// Stops, writing nothing, when Salesforce changed records the import wrote since.
///
/// Blocks on SQLite between its requests (a workspace connection is held across them): call
/// it where blocking is allowed, as a CLI command does or the desktop service with `block_on`
/// on a blocking thread.
pub async fn undo_import_run(
    path: &Path,
    run_id: i64,
    client: &Client,
) -> Result<RunSummary, ImportRunError> {
    undo_import_run_with(path, run_id, client, UndoOptions::default()).await
}

/// [`undo_import_run`], with the choices of `options`.
pub async fn undo_import_run_with(
    path: &Path,
    run_id: i64,
    client: &Client,
    options: UndoOptions,
) -> Result<RunSummary, ImportRunError> {
    confirm_unheard(path, run_id, client).await?;
    Ok(undo_import(path, run_id, client, options).await?)
}

/// Confirms the writes an interrupted import sent without hearing back, by the rule of
/// [`unheard::find_by_key`]; returns how many. Any other run is left as it is.
///
/// Blocks on SQLite between its requests (a workspace connection is held across them): call
/// it where blocking is allowed, as a CLI command does or the desktop service with `block_on`
/// on a blocking thread.
#[tracing::instrument(name = "confirm", level = "debug", skip_all, fields(run_id))]
pub async fn confirm_unheard(
    path: &Path,
    run_id: i64,
    client: &Client,
) -> Result<usize, ImportRunError> {
    let _lock = SyncLock::acquire(path)?;
    let ws = Workspace::open(path)?;
    let conn = ws.conn();
    journal::mark_interrupted(conn)?;
    let interrupted =
        journal::run(conn, run_id)?.is_some_and(|run| run.status == RunStatus::Interrupted);
    let Some(import) = imports::import_of(conn, run_id)? else {
        return Ok(0);
    };
    if !interrupted {
        return Ok(0);
    }
    let mapping: ImportMapping = match serde_json::from_str(&import.mapping) {
        Ok(mapping) => mapping,
        Err(e) => {
            tracing::warn!(
                "the mapping of import {run_id} cannot be read ({e}); its unconfirmed writes are left out of the undo"
            );
            return Ok(0);
        }
    };
    // Without a key, a record cannot be told from any other.
    let Some(key) = mapping.key else {
        return Ok(0);
    };
    let unheard: Vec<Unheard> = images::of_run(conn, run_id)?
        .into_iter()
        .filter(|i| !i.confirmed && i.object == mapping.object)
        .filter_map(|i| {
            let update = match i.op {
                RemoteOp::Create => None,
                RemoteOp::Update => Some(i.after?),
                RemoteOp::Delete => return None,
            };
            Some(Unheard {
                image: i.id,
                key: i.row_key?,
                update,
            })
        })
        .collect();
    if unheard.is_empty() {
        return Ok(0);
    }
    let found = find_by_key(client, &mapping.object, &key.field, &unheard).await?;
    let confirmed = unheard::confirm(conn, &found)?;
    tracing::info!(
        "import {run_id}: {confirmed} of {} unconfirmed writes found by key",
        unheard.len()
    );
    Ok(confirmed)
}
