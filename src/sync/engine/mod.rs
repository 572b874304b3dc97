//! Running a link: read what changed on both sides, plan every record with the pure planner,
//! then carry the plan out, local writes first and Salesforce writes after.
//!
//! Crash safety comes from the order of commits. Local writes and base updates commit
//! together (a batch's at a time in a run read in batches, see `batches.rs`), and the pull
//! cursor with the last of them. Salesforce writes are logged as intents before they are sent, and
//! their bases move only once Salesforce confirms them. A run killed at any point leaves every
//! change either applied and agreed, or still visible as a difference from its base; the next
//! run finishes the work, and upserts on external ids never create a record twice.

mod batches;
mod changes;
mod deleted;
mod describes;
mod execute;
pub mod guard;
mod incremental;
pub mod local;
pub mod remote;
pub mod scope;
mod settle;
pub mod undo;
mod units;
pub mod values;

use std::path::Path;
use std::sync::Arc;

use crate::run::{ReadPath, RunError, RunSummary, SyncLock};
use crate::salesforce::{Client, SalesforceError};
use crate::sync::link::Link;
use crate::workspace::journal::{self, RunCounts, RunStatus, Trigger};
use crate::workspace::{Workspace, WorkspaceError, capture, marks};
use tokio_util::sync::CancellationToken;

pub use crate::workspace::journal::scope::Records;
pub use batches::BATCH_RECORDS;
pub use scope::RunScope;

/// What stops a sync: what stops any run, or a link that cannot run as it stands.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Run(#[from] RunError),
    #[error("the link `{link}` cannot run: {problem}. Run `tether link verify {link}` for the fix")]
    Link { link: String, problem: String },
    #[error("{0}")]
    MassDelete(guard::MassDelete),
    #[error("cannot sync those records of `{link}`: {unknown}", link = .0.link, unknown = .0)]
    UnknownRecords(Box<scope::Unknown>),
    #[error("{0}")]
    Expression(crate::sync::expression::ExpressionError),
}

impl From<WorkspaceError> for SyncError {
    fn from(e: WorkspaceError) -> Self {
        SyncError::Run(RunError::Workspace(e))
    }
}

impl From<SalesforceError> for SyncError {
    fn from(e: SalesforceError) -> Self {
        SyncError::Run(RunError::Salesforce(e))
    }
}

impl From<rusqlite::Error> for SyncError {
    fn from(e: rusqlite::Error) -> Self {
        SyncError::Run(RunError::from(e))
    }
}

/// What a run reports while it works.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    Started {
        run_id: i64,
    },
    /// Records read from Salesforce so far, of the query's `totalSize` or the Bulk job's
    /// count when known.
    Reading {
        done: u64,
        total: Option<u64>,
    },
    Read {
        records: u64,
        path: ReadPath,
    },
    /// Records planned so far, of those read.
    Planning {
        done: u64,
        total: u64,
    },
    Planned {
        pulls: u64,
        pushes: u64,
        conflicts: u64,
    },
    /// Records written to the local table so far, of those planned.
    Writing {
        done: u64,
        total: u64,
    },
    Pushed {
        done: u64,
        total: u64,
    },
}

/// How often, in records, a long loop reports how far it got.
pub const REPORT_EVERY: usize = 500;

/// Reports the records read so far, and the total when known.
pub type ReadSink<'a> = &'a (dyn Fn(u64, Option<u64>) + Send + Sync);

pub type ProgressSink = Arc<dyn Fn(Progress) + Send + Sync>;

#[derive(Clone)]
pub struct RunOptions {
    pub trigger: Trigger,
    pub cancel: CancellationToken,
    pub progress: Option<ProgressSink>,
    /// Lets the run delete more than the mass-delete guard allows (see [`guard`]).
    pub allow_mass_delete: bool,
    /// The whole link, or some of its records (see [`scope`]).
    pub scope: RunScope,
    /// Writes through this path whatever the link's thresholds choose (`tether bench`
    /// compares the paths on the same work).
    pub write_path: Option<crate::run::push::WritePath>,
    /// Salesforce's records a run plans and writes at a time when its changes are more:
    /// what bounds its memory (see `batches.rs`).
    pub batch_records: usize,
}

impl RunOptions {
    pub fn new(trigger: Trigger) -> Self {
        RunOptions {
            trigger,
            cancel: CancellationToken::new(),
            progress: None,
            allow_mass_delete: false,
            scope: RunScope::Link,
            write_path: None,
            batch_records: batches::BATCH_RECORDS,
        }
    }

    fn report(&self, progress: Progress) {
        if let Some(sink) = &self.progress {
            sink(progress);
        }
    }
}

/// Runs one link of the workspace at `path` against `client`'s org.
///
/// A run that starts is always recorded. Its failures (Salesforce down, a cancelled run)
/// come back as a summary with that status; `Err` means the run could not start.
///
/// Blocks on SQLite between its requests (a workspace connection is held across them): call
/// it where blocking is allowed, as a CLI command does or the desktop service with `block_on`
/// on a blocking thread.
#[tracing::instrument(name = "sync", level = "debug", skip_all, fields(link = %link_name, object = tracing::field::Empty, run_id = tracing::field::Empty))]
pub async fn sync_link(
    path: &Path,
    link_name: &str,
    client: &Client,
    options: &RunOptions,
) -> Result<RunSummary, SyncError> {
    let _lock = SyncLock::acquire(path)?;
    let mut ws = Workspace::open(path)?;
    journal::mark_interrupted(ws.conn())?;
    let stored = ws.link(link_name)?;
    let capture_intact = capture::install(ws.conn(), &stored.link.table, &stored.link.key)?;
    if let Some(records) = options.scope.records() {
        scope::check(ws.conn(), &stored.link, records)?;
    }
    let run_id = journal::start_run(ws.conn(), stored.id, link_name, options.trigger, None)?;
    tracing::Span::current()
        .record("run_id", run_id)
        .record("object", tracing::field::display(&stored.link.object));
    if let Some(records) = options.scope.records() {
        journal::scope::set_scope(ws.conn(), run_id, records)?;
    }
    options.report(Progress::Started { run_id });
    let calls_before = client.requests_answered();
    let keyless_note = keyless_note(&stored.link, run_id);
    let link_id = stored.id;
    let definition = execute::definition(&stored.link);
    let mut run = execute::Run::new(run_id, stored, client, options);
    run.capture_intact = capture_intact;
    let outcome = run.execute(&mut ws).await;
    let mut counts = run.counts;
    counts.api_calls = client.requests_answered().saturating_sub(calls_before);
    let (status, message) = match &outcome {
        Ok(()) if counts.failed > 0 => {
            let failed = format!(
                "{} record(s) failed: see `tether errors --run {run_id}`",
                counts.failed
            );
            let message = match keyless_note(counts.keyless) {
                Some(note) => format!("{failed}. {note}"),
                None => failed,
            };
            (RunStatus::Partial, Some(message))
        }
        Ok(()) => (RunStatus::Succeeded, keyless_note(counts.keyless)),
        Err(SyncError::Run(RunError::Cancelled)) => {
            (RunStatus::Cancelled, Some(RunError::Cancelled.to_string()))
        }
        Err(SyncError::MassDelete(guard)) => {
            (RunStatus::NeedsConfirmation, Some(guard.to_string()))
        }
        Err(e) => (RunStatus::Failed, Some(e.to_string())),
    };
    if matches!(status, RunStatus::Succeeded | RunStatus::Partial) {
        // Every record a finished run did not fail has synced: its open error is resolved.
        // A run of some records resolves only theirs.
        journal::resolve_errors(ws.conn(), link_name, run_id, run.covered_records.as_deref())?;
        // What it read is settled: the next run of the link reads what changed after.
        if let (RunScope::Link, Some(mark)) = (&options.scope, &run.local_mark) {
            marks::put(ws.conn(), link_id, &definition, mark)?;
        }
    }
    // The History detail says why the push took its path, after what the run has to say.
    let detail = match (&message, &run.write_choice) {
        (Some(m), Some(why)) => Some(format!("{m}\nWrite path: {why}")),
        (None, Some(why)) => Some(format!("Write path: {why}")),
        (m, None) => m.clone(),
    };
    journal::finish_run(ws.conn(), run_id, status, &counts, detail.as_deref())?;
    tracing::debug!(
        ?status,
        created = counts.created,
        updated = counts.updated,
        deleted = counts.deleted,
        failed = counts.failed,
        conflicts = counts.conflicts,
        api_calls = counts.api_calls,
        "finished"
    );
    Ok(RunSummary {
        run_id,
        link: link_name.to_string(),
        status,
        counts,
        read_path: run.read_path,
        write_path: run.write_path,
        message,
        write_choice: run.write_choice,
    })
}

/// What a run says about the rows it left unsynced for want of a key: how many, and how to
/// sync them. They are not failures: the run succeeds, and the rows are listed with its errors.
fn keyless_note(link: &Link, run_id: i64) -> impl Fn(u64) -> Option<String> + use<> {
    let (table, key) = (link.table.clone(), link.key.clone());
    move |rows| {
        let (rows_text, verb) = match rows {
            0 => return None,
            1 => ("1 row".to_string(), "has"),
            n => (format!("{n} rows"), "have"),
        };
        Some(format!(
            "{rows_text} of `{table}` {verb} no value in `{key}` and {} not synced: give each a value in `{key}`, then sync again (see `tether errors --run {run_id}`)",
            if rows == 1 { "was" } else { "were" }
        ))
    }
}

/// Records a run that could not start (the org did not answer, the connection is missing or
/// its session cannot be renewed), so that the history shows every attempt.
pub fn record_unstarted(
    path: &Path,
    link_name: &str,
    trigger: Trigger,
    scope: &RunScope,
    reason: &str,
) -> Result<RunSummary, SyncError> {
    let ws = Workspace::open(path)?;
    let stored = ws.link(link_name)?;
    let run_id = journal::start_run(ws.conn(), stored.id, link_name, trigger, None)?;
    if let Some(records) = scope.records() {
        journal::scope::set_scope(ws.conn(), run_id, records)?;
    }
    let message = format!("the run could not start, and nothing was read or written: {reason}");
    let counts = RunCounts::default();
    journal::finish_run(
        ws.conn(),
        run_id,
        RunStatus::Failed,
        &counts,
        Some(&message),
    )?;
    Ok(RunSummary {
        run_id,
        link: link_name.to_string(),
        status: RunStatus::Failed,
        counts,
        read_path: None,
        write_path: None,
        message: Some(message),
        write_choice: None,
    })
}
