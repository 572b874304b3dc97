//! Writing one record from the Records page (or `tether records`): edits checked against
//! describe before they are sent ([`check`]), each write a run of its own with the images an
//! undo needs ([`write`]), undone as every run is ([`undo`]), and the record read for display
//! ([`read`]). Knows nothing of the window.

pub mod check;
pub mod read;
pub mod undo;
pub mod write;

use crate::run::RunError;
use crate::salesforce::SalesforceError;
use crate::workspace::WorkspaceError;

pub use check::EditProblem;

/// What stops a write from the Records page.
#[derive(Debug, thiserror::Error)]
pub enum RecordsError {
    /// The edits do not fit describe: nothing was sent and no run was recorded.
    #[error("{}", problems_text(.0))]
    Invalid(Vec<EditProblem>),
    #[error("nothing to save: no field was changed")]
    Nothing,
    /// Salesforce refused the write; the run records it with the hint.
    #[error("Salesforce refused the write (run {run_id}, {code}): {message}. {hint}")]
    Refused {
        run_id: i64,
        code: String,
        message: String,
        fields: Vec<String>,
        hint: String,
    },
    #[error("Salesforce: {0}")]
    Salesforce(#[from] SalesforceError),
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error(transparent)]
    Run(#[from] RunError),
}

impl From<rusqlite::Error> for RecordsError {
    fn from(e: rusqlite::Error) -> Self {
        RecordsError::Workspace(WorkspaceError::Sqlite(e))
    }
}

fn problems_text(problems: &[EditProblem]) -> String {
    problems
        .iter()
        .map(EditProblem::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
