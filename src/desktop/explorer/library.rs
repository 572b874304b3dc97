//! The explorer's history of runs and its saved queries, kept in the workspace.

use std::sync::Arc;

use super::QueryEvent;
use crate::desktop::Event;
use crate::desktop::service::Service;
use crate::workspace::queries;

/// Runs the explorer lists.
const HISTORY_SHOWN: usize = 50;

impl Service {
    /// Adds a run to the history, then sends the history again. A workspace that cannot be
    /// written does not fail the query the person is reading: it is logged.
    pub(super) async fn remember_run(
        self: &Arc<Self>,
        connection: &str,
        soql: &str,
        outcome: Result<u64, String>,
    ) {
        let (connection, soql) = (connection.to_string(), soql.to_string());
        let written = self
            .workspace(move |ws| {
                let outcome = outcome.as_ref().map(|n| *n).map_err(String::as_str);
                Ok(queries::record_run(ws.conn(), &connection, &soql, outcome)?)
            })
            .await;
        match written {
            Ok(()) => {
                if let Err(e) = self.query_library().await {
                    tracing::warn!("the query history could not be read: {e:#}");
                }
            }
            Err(e) => tracing::warn!("the query history could not be written: {e:#}"),
        }
    }

    pub(super) async fn query_library(self: &Arc<Self>) -> anyhow::Result<()> {
        let (history, saved) = self
            .workspace(|ws| {
                Ok((
                    queries::history(ws.conn(), HISTORY_SHOWN)?,
                    queries::saved(ws.conn())?,
                ))
            })
            .await?;
        self.outbox
            .send(Event::Query(QueryEvent::Library { history, saved }));
        Ok(())
    }

    pub(super) async fn query_save(
        self: &Arc<Self>,
        name: String,
        soql: String,
    ) -> anyhow::Result<()> {
        if name.trim().is_empty() {
            anyhow::bail!("Give the query a name to save it under");
        }
        self.workspace(move |ws| Ok(queries::save(ws.conn(), &name, &soql)?))
            .await?;
        self.query_library().await
    }

    pub(super) async fn query_delete_saved(self: &Arc<Self>, name: String) -> anyhow::Result<()> {
        self.workspace(move |ws| Ok(queries::delete_saved(ws.conn(), &name)?))
            .await?;
        self.query_library().await
    }
}
