//! The second reading: rows read again a pass at a time and decided a chunk at a time, then
//! reported (a dry run) or sent (`send.rs`), and every row's outcome written to the workspace
//! and the result files by its row number.

use std::collections::HashMap;
use std::path::Path;

use super::order::Order;
use super::survey::{self, Survey, wanted};
use super::{
    ImportJob, ImportProgress, ImportProgressSink, ImportRunError, ImportSummary, UNRESOLVED_KEPT,
};
use crate::import::Row;
use crate::import::lookup::LookupTable;
use crate::import::results::{ResultFile, ResultStyle, beside};
use crate::import::validate::{Problem, RowCheck, Validator};
use crate::import::verdict::{Action, Context, Existing, Verdict, decide};
use crate::run::SyncLock;
use crate::run::unheard::records_by_key;
use crate::salesforce::Client;
use crate::workspace::Workspace;
use crate::workspace::imports::{self, RowOutcome, RowStatus};
use crate::workspace::journal::{self, RunCounts, RunStatus};
use tokio_util::sync::CancellationToken;

/// Rows decided and sent together: a chunk's outcomes are committed before the next is read.
const COLLECTIONS_CHUNK: usize = 2_000;
const BULK_CHUNK: usize = 10_000;
/// Cell text of one chunk: rows of a workbook can be large, and a chunk is held whole.
const CHUNK_BYTES: usize = 64 << 20;

/// Checks the sheet and, unless `job.dry_run`, imports it into `client`'s org, recording the
/// import as a run of the workspace at `workspace`.
///
/// A dry run costs the describe, the lookup queries and the queries for existing keys, and
/// writes nothing but its report. `Err` means nothing was sent: the sheet or the mapping is
/// unusable, or Salesforce could not be asked.
///
/// Blocks on SQLite between its requests (a workspace connection is held across them): call
/// it where blocking is allowed, as a CLI command does or the desktop service with `block_on`
/// on a blocking thread.
#[tracing::instrument(name = "import", level = "debug", skip_all, fields(object = %job.mapping.object, connection = %job.connection, dry_run = job.dry_run, run_id = tracing::field::Empty))]
pub async fn run_import(
    workspace: &Path,
    client: &Client,
    job: &ImportJob,
    cancel: &CancellationToken,
    progress: Option<ImportProgressSink>,
) -> Result<ImportSummary, ImportRunError> {
    let calls_before = client.requests_answered();
    let describe = client.describe(&job.mapping.object).await?;
    let (sheet, headers) = survey::open(job)?;
    let style = ResultStyle::for_sheet(sheet.dialect(), job.results_utf8);
    drop(sheet);
    let validator = Validator::new(&describe, &job.mapping, &headers)?;
    let survey = survey::survey(job, &validator, progress.as_ref())?;
    if let Some(progress) = &progress {
        progress(ImportProgress::LookingUp);
    }
    let tables = survey::lookup_parents(client, &validator, &survey).await?;
    let (order, cycles) = survey::order(&validator, &survey, &tables);
    tracing::debug!(
        clean_rows = survey.clean_rows,
        duplicated_keys = survey.keys.duplicated_keys(),
        parents_to_create = tables.iter().map(|t| t.to_create.len()).sum::<usize>(),
        passes = order.passes,
        cycles = cycles.len(),
        "planned"
    );
    let out_dir = job.out_dir();
    let mut pass = Pass {
        job,
        client,
        validator: &validator,
        survey: &survey,
        tables,
        cancel,
        progress,
        summary: ImportSummary {
            dry_run: job.dry_run,
            duplicated_keys: survey.keys.duplicated_keys() as u64,
            ..ImportSummary::default()
        },
        load: None,
        order,
        cycles,
        pass: 0,
    };
    let headers = survey.result_headers();
    if job.dry_run {
        let mut report = ResultFile::create(
            &beside(&job.file, &out_dir, "tether-check"),
            &headers,
            style,
        )?;
        pass.summary.parents_to_create = pass.tables.iter().map(|t| t.to_create.len() as u64).sum();
        pass.go(&mut Files::Report(&mut report)).await?;
        pass.summary.report = Some(pass.summary.keep(report.finish()?));
        pass.summary.api_calls = client.requests_answered().saturating_sub(calls_before);
        return Ok(pass.summary);
    }

    let _lock = SyncLock::acquire(workspace)?;
    let ws = Workspace::open(workspace)?;
    journal::mark_interrupted(ws.conn())?;
    let mapping = serde_json::to_string(&job.mapping).unwrap_or_default();
    let run = imports::start(
        ws.conn(),
        &imports::NewImport {
            file: &job.file.display().to_string(),
            file_name: &job.file_name(),
            connection: &job.connection,
            object: &job.mapping.object,
            mapping: &mapping,
            trigger: job.trigger,
            retry_of: job.retry_of,
        },
    )?;
    tracing::Span::current().record("run_id", run);
    pass.summary.run_id = Some(run);
    pass.load = Some(Load {
        ws,
        run,
        bulk: survey.clean_rows as usize >= job.bulk_from,
        stopped: None,
        counts: RunCounts::default(),
    });
    let suffix = |what: &str| format!("tether-{run}-{what}");
    let file = |what: &str| beside(&job.file, &out_dir, &suffix(what));
    let mut annotated = ResultFile::create(&file("annotated"), &headers, style)?;
    let mut success = ResultFile::create(&file("success"), &headers, style)?;
    let mut errors = ResultFile::create(&file("errors"), &headers, style)?;
    let outcome = async {
        pass.create_parents().await?;
        pass.go(&mut Files::Results {
            annotated: &mut annotated,
            success: &mut success,
            errors: &mut errors,
        })
        .await
    }
    .await;
    pass.summary.report = Some(pass.summary.keep(annotated.finish()?));
    pass.summary.success_file = Some(pass.summary.keep(success.finish()?));
    pass.summary.error_file = Some(pass.summary.keep(errors.finish()?));
    let Some(mut load) = pass.load.take() else {
        return Ok(pass.summary);
    };
    load.counts.api_calls = client.requests_answered().saturating_sub(calls_before);
    let summary = &mut pass.summary;
    let (status, message) = match (&outcome, &load.stopped) {
        (Err(e), _) => (RunStatus::Failed, Some(format!("The import stopped: {e}"))),
        (Ok(()), Some(reason)) => (RunStatus::Failed, Some(reason.clone())),
        (Ok(()), None) if cancel.is_cancelled() => (
            RunStatus::Cancelled,
            Some(format!(
                "Cancelled: {} row(s) were not sent. Retry them with `tether import --retry {run}`.",
                summary.not_sent
            )),
        ),
        (Ok(()), None) if summary.failed + summary.invalid > 0 => {
            (RunStatus::Partial, Some(partial_advice(summary, run)))
        }
        (Ok(()), None) => (RunStatus::Succeeded, None),
    };
    imports::set_row_counts(load.ws.conn(), run, summary.rows, summary.invalid)?;
    journal::finish_run(
        load.ws.conn(),
        run,
        status,
        &load.counts,
        message.as_deref(),
    )?;
    summary.status = Some(status);
    summary.message = message;
    summary.api_calls = load.counts.api_calls;
    outcome?;
    Ok(pass.summary)
}

/// What will work for the rows not imported: a retry sends again only the rows Salesforce
/// refused, so rows that failed the check are fixed and the file imported again.
fn partial_advice(summary: &ImportSummary, run: i64) -> String {
    let mut advice = Vec::new();
    if summary.invalid > 0 {
        advice.push(format!(
            "{} row(s) failed the check: fix them (the errors file says why) and import the file again; rows already imported are updated, not created twice.",
            summary.invalid
        ));
    }
    if summary.failed > 0 {
        advice.push(format!(
            "{} row(s) Salesforce refused: retry them with `tether import --retry {run}` (the errors file gives Salesforce's reason for each).",
            summary.failed
        ));
    }
    advice.join(" ")
}

/// Where decided rows are written.
pub(super) enum Files<'f> {
    Report(&'f mut ResultFile),
    Results {
        annotated: &'f mut ResultFile,
        success: &'f mut ResultFile,
        errors: &'f mut ResultFile,
    },
}

pub(super) struct Load {
    pub(super) ws: Workspace,
    pub(super) run: i64,
    pub(super) bulk: bool,
    /// Why sending stopped early (Salesforce failed a whole call).
    pub(super) stopped: Option<String>,
    pub(super) counts: RunCounts,
}

pub(super) struct Pass<'a> {
    pub(super) job: &'a ImportJob,
    pub(super) client: &'a Client,
    pub(super) validator: &'a Validator,
    pub(super) survey: &'a Survey,
    pub(super) tables: Vec<LookupTable>,
    pub(super) cancel: &'a CancellationToken,
    pub(super) progress: Option<ImportProgressSink>,
    pub(super) summary: ImportSummary,
    pub(super) load: Option<Load>,
    pub(super) order: Order,
    /// Rows refused for naming each other as parents in a cycle.
    pub(super) cycles: HashMap<u64, Problem>,
    /// The pass being read: rows making parents come before the rows naming them.
    pub(super) pass: u32,
}

/// One row as read: its cells (when it could be read), its own check (or the verdict that it
/// could not be read), and its lookup cells as written.
type ReadRow = (Option<Vec<String>>, Result<RowCheck, Verdict>, Vec<String>);

/// One row of a chunk: its cells (when it could be read) and what was decided.
pub(super) struct Decided {
    pub(super) cells: Option<Vec<String>>,
    pub(super) verdict: Verdict,
}

impl Pass<'_> {
    fn report(&self, event: ImportProgress) {
        if let Some(progress) = &self.progress {
            progress(event);
        }
    }

    /// Decides and writes every row: in one reading of the sheet, or one per pass when its
    /// rows make one another's parents (parents first).
    async fn go(&mut self, files: &mut Files<'_>) -> Result<(), ImportRunError> {
        let mut sent = 0u64;
        for pass in 0..self.order.passes {
            self.pass = pass;
            self.go_pass(files, &mut sent).await?;
        }
        Ok(())
    }

    #[tracing::instrument(name = "pass", level = "debug", skip_all, fields(pass = self.pass))]
    async fn go_pass(
        &mut self,
        files: &mut Files<'_>,
        sent: &mut u64,
    ) -> Result<(), ImportRunError> {
        let (rows, _) = survey::open(self.job)?;
        let mut rows = rows.into_iter();
        let size = match &self.load {
            Some(load) if load.bulk => BULK_CHUNK,
            _ => COLLECTIONS_CHUNK,
        };
        let to_send = self.survey.clean_rows;
        loop {
            let mut chunk: Vec<ReadRow> = Vec::with_capacity(size);
            let mut chunk_bytes = 0;
            for item in rows.by_ref() {
                let read = match item {
                    Ok(row) => self.read_row(row, None),
                    Err(e) if e.is_row_local() => match survey::ragged(e) {
                        Ok((row, problem)) => self.read_row(row, Some(problem)),
                        Err(e) => {
                            let row = e.row().unwrap_or(0);
                            let problem = Problem {
                                column: None,
                                message: e.to_string(),
                            };
                            (self.pass == 0 && wanted(&self.job.only_rows, row)).then(|| {
                                (
                                    None,
                                    Err(Verdict::invalid(row, None, vec![problem])),
                                    Vec::new(),
                                )
                            })
                        }
                    },
                    Err(e) => return Err(e.into()),
                };
                if let Some((Some(cells), _, _)) = &read {
                    chunk_bytes += cells.iter().map(String::len).sum::<usize>();
                }
                chunk.extend(read);
                if chunk.len() >= size || chunk_bytes >= CHUNK_BYTES {
                    break;
                }
            }
            if chunk.is_empty() {
                return Ok(());
            }
            let existing = self.existing_for(&chunk).await?;
            let context = Context {
                validator: self.validator,
                tables: &self.tables,
                keys: &self.survey.keys,
                existing: &existing,
            };
            let decided: Vec<Decided> = chunk
                .into_iter()
                .map(|(cells, check, texts)| Decided {
                    cells,
                    verdict: match check {
                        Ok(check) => decide(check, &texts, &context),
                        Err(verdict) => verdict,
                    },
                })
                .collect();
            self.note_unresolved(&decided);
            tracing::debug!(
                rows = decided.len(),
                invalid = decided
                    .iter()
                    .filter(|d| d.verdict.action.is_none())
                    .count(),
                create = decided
                    .iter()
                    .filter(|d| matches!(d.verdict.action, Some(Action::Create)))
                    .count(),
                update = decided
                    .iter()
                    .filter(|d| matches!(d.verdict.action, Some(Action::Update { .. })))
                    .count(),
                "rows checked"
            );
            match files {
                Files::Report(report) => {
                    self.write_report(report, &decided)?;
                    for d in &decided {
                        match &d.verdict.action {
                            Some(Action::Create) => self.made(d.verdict.row, None),
                            Some(Action::Update { id } | Action::Unchanged { id }) => {
                                self.made(d.verdict.row, Some(id))
                            }
                            None => {}
                        }
                    }
                }
                Files::Results {
                    annotated,
                    success,
                    errors,
                } => {
                    let outcomes = self.send(&decided, &existing).await?;
                    for o in &outcomes {
                        match (o.status, &o.sf_id) {
                            (
                                RowStatus::Created | RowStatus::Updated | RowStatus::Unchanged,
                                Some(id),
                            ) => self.made(o.row, Some(id)),
                            // Sending stopped: rows naming this one are not sent either, and
                            // stay for a retry rather than being refused.
                            (RowStatus::NotSent, _) => self.made(o.row, None),
                            _ => {}
                        }
                    }
                    *sent += outcomes
                        .iter()
                        .filter(|o| {
                            matches!(
                                o.status,
                                RowStatus::Created | RowStatus::Updated | RowStatus::Failed
                            )
                        })
                        .count() as u64;
                    self.write_results(&decided, &outcomes, annotated, success, errors)?;
                }
            }
            self.summary.rows += decided.len() as u64;
            self.report(ImportProgress::Sending {
                decided: self.summary.rows,
                sent: *sent,
                to_send,
            });
        }
    }

    /// Row `row` went through (as record `id`; `None` in a dry run): the rows of later
    /// passes that name it as their parent find it.
    fn made(&mut self, row: u64, id: Option<&str>) {
        for table in self.tables.iter_mut().filter(|t| !t.sheet.is_empty()) {
            table.sheet_done.insert(row, id.map(String::from));
        }
    }

    /// A row of this import, checked on its own; `problem` is one the reader found.
    fn read_row(&self, row: Row, problem: Option<Problem>) -> Option<ReadRow> {
        if !wanted(&self.job.only_rows, row.number) || self.order.pass_of(row.number) != self.pass {
            return None;
        }
        let texts = (0..self.validator.lookups.len())
            .map(|i| self.validator.lookup_text(i, &row))
            .collect();
        let mut check = self.validator.check(&row);
        check.problems.splice(0..0, problem);
        check.problems.extend(self.cycles.get(&row.number).cloned());
        Some((Some(row.cells), Ok(check), texts))
    }

    #[tracing::instrument(name = "check", level = "debug", skip_all, fields(rows = chunk.len()))]
    async fn existing_for(
        &self,
        chunk: &[ReadRow],
    ) -> Result<HashMap<String, Existing>, ImportRunError> {
        let Some(key_field) = self.validator.key_field() else {
            return Ok(HashMap::new());
        };
        let keys: Vec<String> = chunk
            .iter()
            .filter_map(|(_, check, _)| check.as_ref().ok()?.key.clone())
            .collect();
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        Ok(records_by_key(
            self.client,
            &self.validator.object,
            key_field,
            &self.validator.written_fields(),
            &keys,
        )
        .await?)
    }

    fn write_report(
        &mut self,
        report: &mut ResultFile,
        decided: &[Decided],
    ) -> Result<(), ImportRunError> {
        let width = self.survey.headers.len() + self.survey.extra_cells;
        for Decided { cells, verdict } in decided {
            let (status, id) = match &verdict.action {
                Some(Action::Create) => {
                    self.summary.to_create += 1;
                    ("Will create", None)
                }
                Some(Action::Update { id }) => {
                    self.summary.to_update += 1;
                    ("Will update", Some(id.as_str()))
                }
                Some(Action::Unchanged { id }) => {
                    self.summary.unchanged += 1;
                    ("Unchanged", Some(id.as_str()))
                }
                None => {
                    self.summary.invalid += 1;
                    ("Invalid", None)
                }
            };
            if verdict.action.is_some() {
                self.summary.valid += 1;
            }
            let message = if verdict.problems.is_empty() {
                verdict.notes.join("; ")
            } else {
                verdict.reasons()
            };
            report.write(width, cells.as_deref(), verdict.row, status, id, &message)?;
        }
        Ok(())
    }

    fn note_unresolved(&mut self, decided: &[Decided]) {
        for unresolved in decided.iter().flat_map(|d| &d.verdict.unresolved) {
            let texts = self
                .summary
                .unresolved
                .entry(unresolved.field.clone())
                .or_default();
            if texts.len() < UNRESOLVED_KEPT {
                texts.insert(unresolved.written.clone(), unresolved.near.clone());
            }
        }
    }

    fn write_results(
        &mut self,
        decided: &[Decided],
        outcomes: &[RowOutcome],
        annotated: &mut ResultFile,
        success: &mut ResultFile,
        errors: &mut ResultFile,
    ) -> Result<(), ImportRunError> {
        let width = self.survey.headers.len() + self.survey.extra_cells;
        for (d, o) in decided.iter().zip(outcomes) {
            let message = o.message.clone().unwrap_or_default();
            let cells = d.cells.as_deref();
            annotated.write(
                width,
                cells,
                o.row,
                o.status.label(),
                o.sf_id.as_deref(),
                &message,
            )?;
            let (count, succeeded) = match o.status {
                RowStatus::Created => (&mut self.summary.created, true),
                RowStatus::Updated => (&mut self.summary.updated, true),
                RowStatus::Unchanged => (&mut self.summary.unchanged, true),
                RowStatus::Failed => (&mut self.summary.failed, false),
                RowStatus::Invalid => (&mut self.summary.invalid, false),
                RowStatus::NotSent => (&mut self.summary.not_sent, false),
            };
            *count += 1;
            let target = if succeeded {
                &mut *success
            } else {
                &mut *errors
            };
            if d.verdict.action.is_some() {
                self.summary.valid += 1;
            }
            target.write(
                width,
                cells,
                o.row,
                o.status.label(),
                o.sf_id.as_deref(),
                &message,
            )?;
        }
        Ok(())
    }
}
