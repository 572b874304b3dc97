//! Undoing a Records page run: the undo every run shares (`run::undo`), with its refusals: a
//! run already undone, later runs of the same record to undo first, or a record Salesforce
//! changed since.

use std::path::Path;

use crate::run::undo::{self, UndoOptions, deletes};
use crate::run::{RunError, RunSummary};
use crate::salesforce::Client;
use crate::workspace::journal::{self, RunCounts, Trigger};
use crate::workspace::record_writes;

/// Undoes Records page run `run_id` of the workspace at `path`, recording the undo as a run of
/// its own. A deleted record comes back with a new Id, which the undo's message gives.
///
/// Blocks on SQLite between its requests: call it where blocking is allowed.
pub async fn undo_record_run(
    path: &Path,
    run_id: i64,
    client: &Client,
    options: UndoOptions,
) -> Result<RunSummary, RunError> {
    let (_lock, ws, target) = undo::begin(path, run_id)?;
    let conn = ws.conn();
    if record_writes::of_run(conn, run_id)?.is_none() {
        return Err(RunError::Undo(format!(
            "run {run_id} is not a write from the Records page: undo it with `tether undo {run_id}`"
        )));
    }
    let calls_before = client.requests_answered();
    undo::check_salesforce(&ws, client, run_id, options).await?;
    let undo_id =
        journal::start_unlinked_run(conn, &target.link_name, Trigger::Undo, Some(run_id))?;
    let mut counts = RunCounts::default();
    let mut already_gone = 0;
    let outcome = undo::undo_remote(
        conn,
        undo_id,
        client,
        run_id,
        &mut counts,
        &mut already_gone,
    )
    .await;
    counts.api_calls = client.requests_answered().saturating_sub(calls_before);
    let mut notes: Vec<String> = deletes::gone_note(already_gone).into_iter().collect();
    if let Ok(recreated) = &outcome {
        for (old, new) in recreated {
            notes.push(format!(
                "the deleted record {old} was created again as {new}"
            ));
        }
    }
    let note = (!notes.is_empty()).then(|| notes.join("; "));
    let (status, message) =
        undo::finish_undo(conn, run_id, undo_id, &counts, &outcome, note.as_deref())?;
    outcome?;
    Ok(RunSummary {
        run_id: undo_id,
        link: target.link_name.clone(),
        status,
        counts,
        read_path: None,
        write_path: Some(crate::run::push::WritePath::Collections),
        message,
        write_choice: None,
    })
}
