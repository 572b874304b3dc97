//! The workspace file every sync command works on.

use std::path::PathBuf;

use clap::Args;

use super::CliError;
use super::connect::{DataDirArg, data_dir};
use crate::workspace::{Workspace, WorkspaceError};

#[derive(Debug, Clone, Args)]
pub struct WorkspaceArg {
    /// The workspace: the SQLite file with the local tables and the links
    /// (default: workspace.sqlite in the data directory).
    #[arg(long, value_name = "FILE", env = "TETHER_WORKSPACE", global = true)]
    pub workspace: Option<PathBuf>,
    #[command(flatten)]
    pub data: DataDirArg,
}

impl WorkspaceArg {
    pub fn path(&self) -> Result<PathBuf, CliError> {
        match &self.workspace {
            Some(path) => Ok(path.clone()),
            None => Ok(data_dir(&self.data)?.join("workspace.sqlite")),
        }
    }

    pub fn open(&self) -> Result<Workspace, CliError> {
        let path = self.path()?;
        Workspace::open(&path).map_err(CliError::from)
    }
}

impl From<WorkspaceError> for CliError {
    fn from(e: WorkspaceError) -> Self {
        CliError::Workspace(e)
    }
}
