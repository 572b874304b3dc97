//! An import from start to end: read the sheet once to check it and collect its keys and
//! lookup names, ask Salesforce only what the check needs (describe, the parents, the records
//! the keys already name), then read it again to decide every row, and, unless it is a dry
//! run, send the rows and write the result files.

mod join;
mod order;
mod pass;
mod send;
mod survey;
mod unheard;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use super::ReadOptions;
use super::error::ImportError;
use super::mapping::ImportMapping;
use super::results::WriteError;
use super::validate::MappingError;
use crate::run::RunError;
use crate::salesforce::SalesforceError;
use crate::workspace::WorkspaceError;
use crate::workspace::journal::{RunStatus, Trigger};

pub use pass::run_import;
pub use survey::open as open_sheet;
pub use unheard::{confirm_unheard, undo_import_run, undo_import_run_with};

/// Distinct unresolved lookup texts kept per field in [`ImportSummary::unresolved`].
pub const UNRESOLVED_KEPT: usize = 200;

/// Rows from this many valid ones up go through a Bulk API 2.0 job; fewer through Collections.
pub const BULK_FROM: usize = 2_000;

/// What to import and how.
#[derive(Debug, Clone)]
pub struct ImportJob {
    pub file: PathBuf,
    /// The connection the rows go to, recorded so the import can be undone later.
    pub connection: String,
    pub read: ReadOptions,
    pub mapping: ImportMapping,
    /// Check and report only: nothing is written to Salesforce or the workspace.
    pub dry_run: bool,
    /// Only these rows are imported (a retry of the rows another import could not send).
    pub only_rows: Option<BTreeSet<u64>>,
    pub retry_of: Option<i64>,
    /// Where the report and result files go; beside the sheet when unset.
    pub out_dir: Option<PathBuf>,
    pub trigger: Trigger,
    pub bulk_from: usize,
    /// Result files in UTF-8 (with a byte-order mark) whatever the sheet's encoding.
    pub results_utf8: bool,
}

impl ImportJob {
    pub fn new(file: &Path, connection: &str, mapping: ImportMapping) -> ImportJob {
        ImportJob {
            file: file.to_path_buf(),
            connection: connection.to_string(),
            // Columns are mapped by name, so the first row is always the header.
            read: ReadOptions {
                has_header: Some(true),
                ..ReadOptions::default()
            },
            mapping,
            dry_run: false,
            only_rows: None,
            retry_of: None,
            out_dir: None,
            trigger: Trigger::Cli,
            bulk_from: BULK_FROM,
            results_utf8: false,
        }
    }

    fn out_dir(&self) -> PathBuf {
        self.out_dir.clone().unwrap_or_else(|| {
            self.file
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
        })
    }

    fn file_name(&self) -> String {
        self.file.file_name().map_or_else(
            || self.file.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    }
}

/// How far an import has got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportProgress {
    /// The first reading: rows checked so far.
    Checking { rows: u64 },
    /// Parents and existing records being looked up.
    LookingUp,
    /// The second reading: rows decided, and rows sent of those to send.
    Sending {
        decided: u64,
        sent: u64,
        to_send: u64,
    },
}

pub type ImportProgressSink = Arc<dyn Fn(ImportProgress) + Send + Sync>;

/// What an import did, or (in a dry run) would do.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub run_id: Option<i64>,
    pub dry_run: bool,
    pub status: Option<RunStatus>,
    pub rows: u64,
    pub valid: u64,
    pub invalid: u64,
    /// In a dry run: what would be created and updated.
    pub to_create: u64,
    pub to_update: u64,
    pub unchanged: u64,
    pub created: u64,
    pub updated: u64,
    pub failed: u64,
    pub not_sent: u64,
    /// Parent records created first (accounts the sheet names that did not exist).
    pub parents_created: u64,
    /// Parents a dry run would create.
    pub parents_to_create: u64,
    pub duplicated_keys: u64,
    /// Lookup cells no single record matched, by reference field, as written, with the names
    /// of records they may mean: at most [`UNRESOLVED_KEPT`] each, for the wizard to offer as
    /// spellings to map.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub unresolved: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    pub api_calls: u64,
    /// The per-row report (a dry run) or the annotated copy of the sheet (a load).
    pub report: Option<PathBuf>,
    pub success_file: Option<PathBuf>,
    pub error_file: Option<PathBuf>,
    pub message: Option<String>,
    /// What the person should know about the run's files, e.g. one written as UTF-8 because
    /// the sheet's encoding cannot hold a value in it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl ImportSummary {
    /// A finished result file's path, its note kept for the person.
    fn keep(&mut self, finished: super::results::Finished) -> PathBuf {
        self.notes.extend(finished.note);
        finished.path
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportRunError {
    #[error(transparent)]
    Read(#[from] ImportError),
    #[error("the mapping does not fit: {0}")]
    Mapping(#[from] MappingError),
    #[error(
        "{file} has no header row, so its columns cannot be mapped by name; add a first row naming each column"
    )]
    NoHeader { file: String },
    #[error("Salesforce: {0}")]
    Salesforce(#[from] SalesforceError),
    #[error(transparent)]
    Run(#[from] RunError),
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error("{0}")]
    Retry(String),
}
