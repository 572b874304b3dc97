//! Undo from History: the same undo as `tether undo RUN`, with the same refusals, run in the
//! service and never on the window's thread.

use std::sync::Arc;

use anyhow::Context;

use super::service::Service;
use super::*;
use crate::import::run::ImportRunError;
use crate::run::RunError;
use crate::run::undo::UndoOptions;
use crate::workspace::{imports, journal, record_writes};

/// Which kind of run an undo takes back.
#[derive(Clone, Copy)]
enum Undone {
    Sync,
    Import,
    Record,
}

impl Service {
    pub(super) async fn undo_run(
        self: &Arc<Self>,
        run_id: i64,
        overwrite_salesforce_edits: bool,
    ) -> anyhow::Result<()> {
        // The org the run wrote to: an import's connection, or its link's.
        let (connection, undone) = self
            .workspace(move |ws| {
                let run = journal::run(ws.conn(), run_id)?
                    .with_context(|| format!("there is no run {run_id}: refresh History"))?;
                if let Some(record) = record_writes::of_run(ws.conn(), run_id)? {
                    return Ok((record.connection, Undone::Record));
                }
                Ok(match imports::import_of(ws.conn(), run_id)? {
                    Some(import) => (import.connection, Undone::Import),
                    None => (ws.link(&run.link_name)?.link.connection, Undone::Sync),
                })
            })
            .await?;
        self.authorize(&connection, crate::access::Action::RunSyncs, None)
            .await?;
        let client = self.client(&connection).await?;
        let _turn = self.sync_queue.lock().await;
        let path = self.config.workspace.clone();
        let runtime = tokio::runtime::Handle::current();
        let reporter = client.clone();
        let options = UndoOptions {
            overwrite_salesforce_edits,
        };
        // The undo keeps a workspace connection across its requests, so it runs on a thread
        // of its own rather than as a task that may move between threads.
        let outcome = tokio::task::spawn_blocking(move || {
            runtime.block_on(async {
                match undone {
                    Undone::Import => {
                        crate::import::run::undo_import_run_with(&path, run_id, &client, options)
                            .await
                            .map_err(|e| match e {
                                ImportRunError::Run(run) => run,
                                other => RunError::Undo(other.to_string()),
                            })
                    }
                    Undone::Record => {
                        crate::records_write::undo::undo_record_run(&path, run_id, &client, options)
                            .await
                    }
                    Undone::Sync => {
                        crate::sync::engine::undo::undo_run_with(&path, run_id, &client, options)
                            .await
                    }
                }
            })
        })
        .await
        .context("the undo stopped unexpectedly")?;
        self.report_usage(&connection, &reporter);
        match outcome {
            Ok(summary) => {
                self.outbox.send(Event::RunUndone(Box::new(summary)));
            }
            // Not a failure: a question for the person, who may undo anyway.
            Err(RunError::LaterSalesforceEdits(edits)) => {
                self.outbox
                    .send(Event::LaterSalesforceEdits(Box::new(edits)));
            }
            Err(e) => return Err(anyhow::anyhow!(e.to_string())),
        }
        Ok(())
    }
}
