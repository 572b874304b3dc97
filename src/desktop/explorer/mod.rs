//! The SOQL explorer's work: running a query, its plan, its history and saved queries, export.

mod library;
mod run;

use std::path::PathBuf;
use std::sync::Arc;

use super::service::Service;
use crate::explore::complete::ObjectInfo;
use crate::explore::table::Cell;
use crate::salesforce::QueryPlans;
use crate::workspace::queries::{HistoryEntry, SavedQuery};

/// What the SOQL explorer asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryRequest {
    /// The org's objects, for completion after FROM.
    Objects {
        connection: String,
    },
    /// One object's fields and child relationships, for completion.
    Describe {
        connection: String,
        object: String,
    },
    /// Runs `soql`; the answer comes as `Columns`, then `Rows` a page at a time, then `Done`.
    Run {
        connection: String,
        soql: String,
        run: u64,
    },
    /// The org's plans for `soql` (`explain`).
    Explain {
        connection: String,
        soql: String,
    },
    /// Runs `soql` again into `path` (`.xlsx` or CSV).
    Export {
        connection: String,
        soql: String,
        path: PathBuf,
    },
    /// The history of runs and the saved queries.
    Library,
    /// Saves `soql` under `name` (replacing the query of that name).
    Save {
        name: String,
        soql: String,
    },
    DeleteSaved {
        name: String,
    },
}

/// What the service tells the SOQL explorer.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryEvent {
    Objects {
        connection: String,
        objects: Vec<String>,
    },
    Described {
        connection: String,
        info: ObjectInfo,
    },
    Columns {
        run: u64,
        headers: Vec<String>,
    },
    Rows {
        run: u64,
        rows: Vec<Vec<Cell>>,
        /// Records read so far, and the org's total.
        records: u64,
        total: u64,
    },
    Done {
        run: u64,
        records: u64,
        total: u64,
    },
    /// The org refused the statement: its error code and message.
    Refused {
        run: Option<u64>,
        soql: String,
        code: String,
        message: String,
    },
    Plans {
        soql: String,
        plans: QueryPlans,
    },
    Exported {
        path: PathBuf,
        rows: usize,
    },
    Library {
        history: Vec<HistoryEntry>,
        saved: Vec<SavedQuery>,
    },
}

impl QueryRequest {
    /// The connection whose org the request is for; none for the kept history and saves.
    pub fn connection(&self) -> Option<&str> {
        match self {
            QueryRequest::Objects { connection }
            | QueryRequest::Describe { connection, .. }
            | QueryRequest::Run { connection, .. }
            | QueryRequest::Explain { connection, .. }
            | QueryRequest::Export { connection, .. } => Some(connection),
            QueryRequest::Library
            | QueryRequest::Save { .. }
            | QueryRequest::DeleteSaved { .. } => None,
        }
    }
}

impl Service {
    pub(super) async fn query(self: &Arc<Self>, request: QueryRequest) -> anyhow::Result<()> {
        let connection = request.connection().map(str::to_string);
        let outcome = self.query_for(request).await;
        if let Some(connection) = connection {
            self.report_usage_of(&connection);
        }
        outcome
    }

    async fn query_for(self: &Arc<Self>, request: QueryRequest) -> anyhow::Result<()> {
        match request {
            QueryRequest::Objects { connection } => self.query_objects(&connection).await,
            QueryRequest::Describe { connection, object } => {
                self.query_describe(&connection, &object).await
            }
            QueryRequest::Run {
                connection,
                soql,
                run,
            } => self.query_run(&connection, &soql, run).await,
            QueryRequest::Explain { connection, soql } => {
                self.query_explain(&connection, &soql).await
            }
            QueryRequest::Export {
                connection,
                soql,
                path,
            } => self.query_export(&connection, &soql, &path).await,
            QueryRequest::Library => self.query_library().await,
            QueryRequest::Save { name, soql } => self.query_save(name, soql).await,
            QueryRequest::DeleteSaved { name } => self.query_delete_saved(name).await,
        }
    }
}
