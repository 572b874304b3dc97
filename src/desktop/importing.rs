//! The import wizard's work: a first mapping for a previewed sheet, the check (a dry run),
//! the load with progress and Cancel, undo, and mapping templates. Loads take their turn
//! behind the syncs, since both hold the workspace lock.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;

use super::mapping::field_info;
use super::service::Service;
use super::{Event, ImportProposal, ImportReport, ImportRequest, REPORT_ROWS, ReportRow};
use crate::import::auto::{propose, redetect_formats};
use crate::import::mapping::ImportMapping;
use crate::import::run::{
    ImportJob, ImportProgress, ImportRunError, ImportSummary, run_import, undo_import_run_with,
};
use crate::import::{ReadOptions, Rows};
use crate::run::RunError;
use crate::run::undo::UndoOptions;
use crate::workspace::imports;
use crate::workspace::journal::Trigger;
use tokio_util::sync::CancellationToken;

/// Rows of the sheet read to judge its date and number formats.
const SAMPLE_ROWS: usize = 200;

impl Service {
    pub(super) async fn propose_import(
        self: &Arc<Self>,
        path: PathBuf,
        sheet: Option<String>,
        connection: &str,
        object: &str,
    ) -> anyhow::Result<()> {
        let client = self.client(connection).await?;
        let describe = client.describe(object).await.with_context(|| {
            format!("Salesforce did not describe `{object}`; check the object's API name and that your user can read it")
        })?;
        let read_path = path.clone();
        let (headers, sample) = tokio::task::spawn_blocking(move || sample(&read_path, sheet))
            .await
            .context("reading the sheet stopped unexpectedly")??;
        let lookup_headers = headers.clone();
        let templates = self
            .workspace(move |ws| Ok(imports::templates_for(ws.conn(), &lookup_headers)?))
            .await?;
        let saved = templates.iter().find_map(|t| {
            let mapping: ImportMapping = serde_json::from_str(&t.mapping).ok()?;
            mapping
                .object
                .eq_ignore_ascii_case(object)
                .then(|| (t.name.clone(), mapping))
        });
        let (mapping, notes, template) = match saved {
            Some((name, mut mapping)) => {
                let mut notes = vec![format!(
                    "the mapping saved as `{name}` for these headers is used"
                )];
                notes.extend(redetect_formats(&describe, &mut mapping, &headers, &sample));
                (mapping, notes, Some(name))
            }
            None => {
                let proposal = propose(&describe, &headers, &sample);
                (proposal.mapping, proposal.notes, None)
            }
        };
        self.outbox
            .send(Event::ImportProposal(Box::new(ImportProposal {
                path,
                connection: connection.to_string(),
                headers,
                fields: describe.fields.iter().map(field_info).collect(),
                mapping,
                notes,
                template,
            })));
        Ok(())
    }

    pub(super) async fn check_import(
        self: &Arc<Self>,
        request: ImportRequest,
    ) -> anyhow::Result<()> {
        let client = self.client(&request.connection).await?;
        let mut job = self.job(&request)?;
        job.dry_run = true;
        let summary = self
            .run_job(client, job, CancellationToken::new(), None)
            .await?;
        let report = report_of(summary).await?;
        self.outbox.send(Event::ImportChecked(Box::new(report)));
        Ok(())
    }

    pub(super) async fn load_import(
        self: &Arc<Self>,
        request: ImportRequest,
    ) -> anyhow::Result<()> {
        let client = self.client(&request.connection).await?;
        let job = self.job(&request)?;
        let cancel = CancellationToken::new();
        {
            let mut importing = self.importing.lock().unwrap_or_else(|e| e.into_inner());
            if importing.is_some() {
                anyhow::bail!("an import is already running; wait for it to finish or cancel it");
            }
            *importing = Some(cancel.clone());
        }
        let _turn = self.sync_queue.lock().await;
        let outbox = self.outbox.clone();
        let progress = Arc::new(move |p: ImportProgress| {
            if let ImportProgress::Sending {
                decided,
                sent,
                to_send,
            } = p
            {
                outbox.send(Event::ImportProgress {
                    decided,
                    sent,
                    to_send,
                });
            }
        });
        let outcome = self.run_job(client, job, cancel, Some(progress)).await;
        *self.importing.lock().unwrap_or_else(|e| e.into_inner()) = None;
        let summary = outcome?;
        let report = report_of(summary).await?;
        self.outbox.send(Event::ImportFinished(Box::new(report)));
        Ok(())
    }

    pub(super) fn cancel_import(&self) -> anyhow::Result<()> {
        if let Some(cancel) = self
            .importing
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            cancel.cancel();
        }
        Ok(())
    }

    pub(super) async fn undo_import(
        self: &Arc<Self>,
        run_id: i64,
        overwrite_salesforce_edits: bool,
    ) -> anyhow::Result<()> {
        let record = self
            .workspace(move |ws| Ok(imports::import_of(ws.conn(), run_id)?))
            .await?
            .with_context(|| format!("run {run_id} is not an import"))?;
        self.authorize(&record.connection, crate::access::Action::Import, None)
            .await?;
        let client = self.client(&record.connection).await?;
        let _turn = self.sync_queue.lock().await;
        // The undo keeps a workspace connection across its requests, so it runs on a thread
        // of its own rather than as a task that may move between threads.
        let path = self.config.workspace.clone();
        let runtime = tokio::runtime::Handle::current();
        let reporter = client.clone();
        let options = UndoOptions {
            overwrite_salesforce_edits,
        };
        let outcome = tokio::task::spawn_blocking(move || {
            runtime.block_on(undo_import_run_with(&path, run_id, &client, options))
        })
        .await
        .context("the undo stopped unexpectedly")?;
        self.report_usage(&record.connection, &reporter);
        match outcome {
            Ok(summary) => {
                self.outbox.send(Event::ImportUndone(Box::new(summary)));
            }
            // Not a failure: a question for the person, who may undo anyway.
            Err(ImportRunError::Run(RunError::LaterSalesforceEdits(edits))) => {
                self.outbox
                    .send(Event::LaterSalesforceEdits(Box::new(edits)));
            }
            Err(e) => return Err(e.into()),
        }
        Ok(())
    }

    pub(super) async fn save_import_template(
        self: &Arc<Self>,
        name: String,
        headers: Vec<String>,
        mapping: ImportMapping,
    ) -> anyhow::Result<()> {
        let name = name.trim().to_string();
        if name.is_empty() {
            anyhow::bail!("give the template a name");
        }
        let text = serde_json::to_string(&mapping)?;
        let saved = name.clone();
        self.workspace(move |ws| {
            Ok(imports::save_template(
                ws.conn(),
                &saved,
                &mapping.object,
                &headers,
                &text,
            )?)
        })
        .await?;
        self.outbox.send(Event::ImportTemplateSaved { name });
        Ok(())
    }

    /// An import holds its workspace connection across requests, so it runs on a thread of
    /// its own rather than as a task that may move between threads.
    async fn run_job(
        &self,
        client: crate::salesforce::Client,
        job: ImportJob,
        cancel: CancellationToken,
        progress: Option<crate::import::run::ImportProgressSink>,
    ) -> anyhow::Result<ImportSummary> {
        let path = self.config.workspace.clone();
        let runtime = tokio::runtime::Handle::current();
        let (reporter, connection) = (client.clone(), job.connection.clone());
        let outcome = tokio::task::spawn_blocking(move || {
            runtime.block_on(run_import(&path, &client, &job, &cancel, progress))
        })
        .await
        .context("the import stopped unexpectedly")?;
        self.report_usage(&connection, &reporter);
        Ok(outcome?)
    }

    fn job(&self, request: &ImportRequest) -> anyhow::Result<ImportJob> {
        let mut job = ImportJob::new(&request.path, &request.connection, request.mapping.clone());
        job.read.sheet = request.sheet.clone();
        job.trigger = Trigger::Button;
        if let Some(run) = request.retry_of {
            let path = self.config.workspace.clone();
            let ws = crate::workspace::Workspace::open(&path)?;
            let rows = imports::rows_with(
                ws.conn(),
                run,
                &[imports::RowStatus::Failed, imports::RowStatus::NotSent],
            )?;
            if rows.is_empty() {
                anyhow::bail!("import run {run} has no failed or unsent rows to retry");
            }
            job.only_rows = Some(rows);
            job.retry_of = Some(run);
        }
        Ok(job)
    }
}

fn sample(path: &Path, sheet: Option<String>) -> anyhow::Result<(Vec<String>, Vec<Vec<String>>)> {
    let options = ReadOptions {
        sheet,
        has_header: Some(true),
        ..ReadOptions::default()
    };
    let mut rows = Rows::open(path, &options)?;
    let headers = rows.headers().map(<[String]>::to_vec).with_context(|| {
        format!(
            "{} has no header row: add one naming each column",
            path.display()
        )
    })?;
    let sample = rows
        .by_ref()
        .filter_map(Result::ok)
        .take(SAMPLE_ROWS)
        .map(|r| r.cells)
        .collect();
    Ok((headers, sample))
}

/// The summary with the report's rows that need attention first.
async fn report_of(summary: ImportSummary) -> anyhow::Result<ImportReport> {
    let Some(path) = summary.report.clone() else {
        return Ok(ImportReport {
            summary,
            rows: Vec::new(),
        });
    };
    let rows = tokio::task::spawn_blocking(move || read_report(&path))
        .await
        .context("reading the report stopped unexpectedly")??;
    Ok(ImportReport { summary, rows })
}

/// The last four columns of a result file are the row's outcome. Result files are written in
/// the sheet's own encoding and delimiter, so they are read back as any sheet is.
pub fn read_report(path: &Path) -> anyhow::Result<Vec<ReportRow>> {
    let options = ReadOptions {
        has_header: Some(true),
        max_rows: u64::MAX,
        ..ReadOptions::default()
    };
    let rows = crate::import::CsvRows::open(path, &options)
        .with_context(|| format!("cannot open the report {}", path.display()))?;
    let mut attention = Vec::new();
    let mut others = Vec::new();
    for item in rows {
        let record = match item {
            Ok(row) => row.cells,
            Err(e) if e.is_row_local() => continue,
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("the report {} cannot be read", path.display()));
            }
        };
        let n = record.len();
        if n < 4 {
            continue;
        }
        let cell = |i: usize| record.get(i).cloned().unwrap_or_default();
        let row = ReportRow {
            row: cell(n - 4).parse().unwrap_or(0),
            status: cell(n - 3),
            sf_id: Some(cell(n - 2)).filter(|s| !s.is_empty()),
            message: cell(n - 1),
        };
        let needs_attention = matches!(row.status.as_str(), "Invalid" | "Failed" | "Not sent");
        if needs_attention && attention.len() < REPORT_ROWS {
            attention.push(row);
        } else if !needs_attention && others.len() < REPORT_ROWS {
            others.push(row);
        }
    }
    others.truncate(REPORT_ROWS.saturating_sub(attention.len()));
    attention.extend(others);
    Ok(attention)
}
