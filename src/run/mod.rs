//! What every run that writes to Salesforce shares, a sync of a link or an import of a sheet
//! (a run without a link): the workspace lock, cancelling, writing through Collections or
//! Bulk, finding what a write sent without an answer made, and undoing a run.
//!
//! A run holds its workspace connection across its requests, so its async functions block on
//! SQLite between awaits: they are run where blocking is allowed (a CLI command; the desktop
//! service's blocking threads with `block_on`), never on a task that shares its thread.

mod cancel;
pub mod composite_push;
pub mod later_edits;
mod lock;
pub mod poll;
pub mod push;
pub mod undo;
pub mod unheard;
pub mod window;
pub mod write_cost;

use std::path::PathBuf;

use crate::salesforce::SalesforceError;
use crate::workspace::WorkspaceError;
use crate::workspace::journal::{RunCounts, RunStatus};

pub use cancel::stop_if_cancelled;
pub use lock::{LockHolder, SyncLock};

/// What stops a run, whatever started it.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error("Salesforce: {0}")]
    Salesforce(#[from] SalesforceError),
    #[error("the run was cancelled; the next run picks up where it stopped")]
    Cancelled,
    #[error(
        "another sync is running on this workspace ({0}); wait for it to finish, or run `tether runs` to see it"
    )]
    Busy(PathBuf),
    #[error(
        "the Bulk API job {job} ended {state}: {message}. Retry the sync; if it fails again, see the job in Setup > Bulk Data Load Jobs"
    )]
    BulkJob {
        job: String,
        state: String,
        message: String,
    },
    #[error("Salesforce sent a CSV Tether cannot read ({0}); retry the sync")]
    BadCsv(String),
    #[error("cannot undo: {0}")]
    Undo(String),
    #[error("cannot undo: {0}")]
    LaterSalesforceEdits(later_edits::LaterEdits),
    #[error("cannot lock the workspace for syncing: {0}")]
    Lock(std::io::Error),
}

impl From<rusqlite::Error> for RunError {
    fn from(e: rusqlite::Error) -> Self {
        RunError::Workspace(WorkspaceError::Sqlite(e))
    }
}

/// Which API read the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadPath {
    Rest,
    Bulk,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    pub run_id: i64,
    pub link: String,
    pub status: RunStatus,
    pub counts: RunCounts,
    pub read_path: Option<ReadPath>,
    pub write_path: Option<push::WritePath>,
    pub message: Option<String>,
    /// Why the push went by its write path: each path's calls and expected time.
    pub write_choice: Option<String>,
}
