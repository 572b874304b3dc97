//! `tether sync [LINK|--all]` and `tether undo RUN`: the engine from the command line, for
//! scheduled and scripted use.

use std::path::PathBuf;

use clap::Args;

use super::CliError;
use super::access::authorize;
use super::connect::runtime;
use super::query::client_for;
use super::workspace::WorkspaceArg;
use crate::access::Action;
use crate::run::{ReadPath, RunSummary};
use crate::sync::engine::{self, Progress, Records, RunOptions, RunScope};
use crate::workspace::journal::scope::failed_records;
use crate::workspace::journal::{RunStatus, Trigger};

#[derive(Debug, Clone, Args)]
pub struct SyncArgs {
    /// The link to run (see `tether link list`).
    #[arg(required_unless_present_any = ["all", "due"], conflicts_with_all = ["all", "due"])]
    pub link: Option<String>,
    /// Run every link, one after another.
    #[arg(long, conflicts_with = "due")]
    pub all: bool,
    /// Run the links whose schedule says they are due (for cron or a systemd timer; recorded
    /// as scheduled runs).
    #[arg(long)]
    pub due: bool,
    /// Record the runs as started by the schedule rather than by hand.
    #[arg(long)]
    pub scheduled: bool,
    /// Let the runs delete more than the mass-delete guard allows (over 20 records or rows on
    /// one side, and over 10 % of the link's records). Without it such a run stops before
    /// writing anything, names what it would delete, and is recorded as needing confirmation.
    #[arg(long)]
    pub allow_mass_delete: bool,
    /// Sync only the record whose row holds K in the link's local key column (repeatable): its
    /// Salesforce side is read by Id, and nothing else of the link is read or written.
    #[arg(long = "key", value_name = "K", requires = "link")]
    pub keys: Vec<String>,
    /// Sync only the records whose keys this file lists, one per line.
    #[arg(long, value_name = "FILE", requires = "link")]
    pub keys_from: Option<PathBuf>,
    /// Sync only the record with this Salesforce Id (repeatable).
    #[arg(long = "id", value_name = "ID", requires = "link")]
    pub ids: Vec<String>,
    /// Sync only the records whose last attempt failed (see `tether errors`).
    #[arg(long, requires = "link", conflicts_with_all = ["keys", "keys_from", "ids"])]
    pub failed: bool,
    /// Salesforce records a run plans and writes at a time when it reads more (for tests and
    /// tuning: the default bounds a run's memory).
    #[arg(long, value_name = "N", hide = true, default_value_t = crate::sync::engine::BATCH_RECORDS)]
    pub batch_records: usize,
    #[command(flatten)]
    pub workspace: WorkspaceArg,
}

impl SyncArgs {
    /// The records named by `--key`, `--keys-from` and `--id`; `None` for the whole link.
    fn named_records(&self) -> Result<Option<Records>, CliError> {
        let mut keys = self.keys.clone();
        if let Some(file) = &self.keys_from {
            let text = std::fs::read_to_string(file).map_err(|e| {
                CliError::Usage(format!(
                    "cannot read the keys in {}: {e}. Give a text file with one key per line",
                    file.display()
                ))
            })?;
            keys.extend(
                text.lines()
                    .map(|line| line.trim_end_matches('\r'))
                    .filter(|line| !line.trim().is_empty())
                    .map(str::to_string),
            );
            if keys.is_empty() {
                return Err(CliError::Usage(format!(
                    "{} lists no key: give one key per line",
                    file.display()
                )));
            }
        }
        let records = Records {
            keys,
            ids: self.ids.iter().map(|id| id.trim().to_string()).collect(),
        };
        Ok((!records.is_empty()).then_some(records))
    }
}

#[derive(Debug, Clone, Args)]
pub struct UndoArgs {
    /// The run to undo (see `tether runs`).
    pub run: i64,
    /// Undo even where records the run wrote were changed in Salesforce since (edited or
    /// deleted): their values from before the run are put back, and the records it created are
    /// deleted, over those changes. Without it, the undo stops before writing anything and
    /// names each such record and field.
    #[arg(long)]
    pub overwrite_salesforce_edits: bool,
    #[command(flatten)]
    pub workspace: WorkspaceArg,
}

/// What a run is doing, for a person watching a terminal; scripts get only the summary.
pub fn progress_line(progress: &Progress) -> String {
    match progress {
        Progress::Started { run_id } => format!("run {run_id} started"),
        Progress::Read { records, path } => {
            let via = match path {
                ReadPath::Rest => "REST",
                ReadPath::Bulk => "Bulk API 2.0",
            };
            format!("read {records} changed record(s) from Salesforce ({via})")
        }
        Progress::Planned {
            pulls,
            pushes,
            conflicts,
        } => format!(
            "planned: {pulls} to write locally, {pushes} to send to Salesforce, {conflicts} conflict(s)"
        ),
        Progress::Reading { done, total } => match total {
            Some(total) => format!("reading: {done} of {total} record(s)"),
            None => format!("reading: {done} record(s)"),
        },
        Progress::Planning { done, total } => format!("planning: {done} of {total} record(s)"),
        Progress::Writing { done, total } => {
            format!("writing locally: {done} of {total} record(s)")
        }
        Progress::Pushed { done, total } => format!("sent {done} of {total} to Salesforce"),
    }
}

pub fn summary_line(summary: &RunSummary) -> String {
    let c = &summary.counts;
    let mut line = format!(
        "run {} of {}: {} — {} processed, {} created, {} updated, {} deleted, {} failed, {} in conflict, {} API calls, {} without a key",
        summary.run_id,
        summary.link,
        summary.status.as_str(),
        c.processed,
        c.created,
        c.updated,
        c.deleted,
        c.failed,
        c.conflicts,
        c.api_calls,
        c.keyless
    );
    if let Some(message) = &summary.message {
        line.push_str(&format!("\n  {message}"));
    }
    if let Some(why) = &summary.write_choice {
        line.push_str(&format!("\n  write path: {why}"));
    }
    line
}

pub fn sync(args: SyncArgs) -> Result<(), CliError> {
    let path = args.workspace.path()?;
    let ws = args.workspace.open()?;
    let names: Vec<String> = match &args.link {
        Some(name) => vec![ws.link(name)?.link.name],
        None if args.due => due_links(&ws)?,
        None => ws.links()?.into_iter().map(|s| s.link.name).collect(),
    };
    if names.is_empty() && args.due {
        println!("No link is due.");
        return Ok(());
    }
    if names.is_empty() {
        return Err(CliError::Usage(
            "the workspace has no links yet: add one with `tether link template` or `tether link import`".into(),
        ));
    }
    let mut scope = match args.named_records()? {
        Some(records) => RunScope::Records(records),
        None => RunScope::Link,
    };
    if args.failed {
        let name = names.first().map(String::as_str).unwrap_or_default();
        let failed = failed_records(ws.conn(), name)?;
        if failed.is_empty() {
            println!("No record of {name} failed its last attempt: there is nothing to retry.");
            return Ok(());
        }
        scope = RunScope::Records(failed);
    }
    let targets: Vec<(String, String)> = names
        .iter()
        .map(|n| ws.link(n).map(|s| (s.link.connection, s.link.object)))
        .collect::<Result<_, _>>()?;
    drop(ws);
    let trigger = if args.scheduled || args.due {
        Trigger::Schedule
    } else {
        Trigger::Cli
    };
    runtime()?.block_on(async {
        let mut options = RunOptions::new(trigger);
        options.allow_mass_delete = args.allow_mass_delete;
        options.scope = scope;
        options.batch_records = args.batch_records;
        if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            options.progress = Some(std::sync::Arc::new(|p| {
                eprintln!("  {}", progress_line(&p))
            }));
        }
        let cancel = options.cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("stopping at the next safe point…");
                cancel.cancel();
            }
        });
        let mut all_ok = true;
        let mut waiting = Vec::new();
        let mut refused = Vec::new();
        for (name, (connection, object)) in names.iter().zip(&targets) {
            let client = match client_for(connection, &args.workspace.data).await {
                Ok(client) => client,
                Err(e) => {
                    // The org could not be reached at all: still a run, in the history.
                    let summary = engine::record_unstarted(
                        &path,
                        name,
                        trigger,
                        &options.scope,
                        &e.to_string(),
                    )
                        .map_err(|e| CliError::Sync(e.to_string()))?;
                    println!("{}", summary_line(&summary));
                    all_ok = false;
                    continue;
                }
            };
            if let Err(e) = authorize(&client, connection, Action::RunSyncs, Some(object)).await {
                refused.push(format!("`{name}`: {e}"));
                continue;
            }
            let summary = engine::sync_link(&path, name, &client, &options)
                .await
                .map_err(|e| CliError::Sync(e.to_string()))?;
            println!("{}", summary_line(&summary));
            if let Some(records) = options.scope.records() {
                println!("  only {}", records.label());
            }
            all_ok &= summary.status == RunStatus::Succeeded;
            if summary.status == RunStatus::NeedsConfirmation {
                waiting.push(format!(
                    "`tether sync {name} --allow-mass-delete` ({})",
                    summary.message.as_deref().unwrap_or_default()
                ));
            }
            if summary.status == RunStatus::Cancelled {
                break;
            }
        }
        if !refused.is_empty() {
            Err(CliError::Refused(format!(
                "not synced: {}",
                refused.join("; ")
            )))
        } else if !waiting.is_empty() {
            Err(CliError::Sync(format!(
                "stopped before deleting more than the guard allows; nothing was written. Once the deletes are meant, run {}",
                waiting.join("; and ")
            )))
        } else if all_ok {
            Ok(())
        } else {
            Err(CliError::Sync(
                "not every run succeeded: see `tether runs` and `tether errors`".into(),
            ))
        }
    })
}

fn due_links(ws: &crate::workspace::Workspace) -> Result<Vec<String>, CliError> {
    let due = crate::sync::due::due(ws, chrono::Local::now())?;
    if let Some((link, e)) = due.unreadable.first() {
        return Err(CliError::Usage(format!("link `{link}`: {e}")));
    }
    for link in &due.waiting_for_confirmation {
        println!(
            "`{link}` is not run: its last scheduled run stopped before deleting records. Review them in `tether runs`, then run `tether sync {link} --allow-mass-delete` or fix the data."
        );
    }
    Ok(due.links)
}

pub fn undo(args: UndoArgs) -> Result<(), CliError> {
    let path = args.workspace.path()?;
    let ws = args.workspace.open()?;
    let run = crate::workspace::journal::run(ws.conn(), args.run)?.ok_or_else(|| {
        CliError::Usage(format!("no run {}: list them with `tether runs`", args.run))
    })?;
    let import = crate::workspace::imports::import_of(ws.conn(), args.run)?;
    let record = crate::workspace::record_writes::of_run(ws.conn(), args.run)?;
    let connection = match (&import, &record) {
        (Some(import), _) => import.connection.clone(),
        (None, Some(record)) => record.connection.clone(),
        (None, None) => ws.link(&run.link_name)?.link.connection,
    };
    drop(ws);
    let options = crate::run::undo::UndoOptions {
        overwrite_salesforce_edits: args.overwrite_salesforce_edits,
    };
    runtime()?.block_on(async {
        let client = client_for(&connection, &args.workspace.data).await?;
        let action = match import {
            Some(_) => Action::Import,
            None => Action::RunSyncs,
        };
        authorize(&client, &connection, action, None).await?;
        let undone = match (import, record) {
            (Some(_), _) => {
                crate::import::run::undo_import_run_with(&path, args.run, &client, options)
                    .await
                    .map_err(|e| e.to_string())
            }
            (None, Some(_)) => {
                crate::records_write::undo::undo_record_run(&path, args.run, &client, options)
                    .await
                    .map_err(|e| e.to_string())
            }
            (None, None) => engine::undo::undo_run_with(&path, args.run, &client, options)
                .await
                .map_err(|e| e.to_string()),
        };
        let summary = undone.map_err(CliError::Sync)?;
        println!("{}", summary_line(&summary));
        if summary.status == RunStatus::Succeeded {
            Ok(())
        } else {
            Err(CliError::Sync(
                "the undo did not finish: see `tether errors --run` for it".into(),
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_reads_as_a_sentence() {
        let cases = [
            (Progress::Started { run_id: 7 }, "run 7 started"),
            (
                Progress::Read {
                    records: 12,
                    path: ReadPath::Bulk,
                },
                "read 12 changed record(s) from Salesforce (Bulk API 2.0)",
            ),
            (
                Progress::Planned {
                    pulls: 3,
                    pushes: 2,
                    conflicts: 1,
                },
                "planned: 3 to write locally, 2 to send to Salesforce, 1 conflict(s)",
            ),
            (
                Progress::Pushed {
                    done: 1000,
                    total: 2500,
                },
                "sent 1000 of 2500 to Salesforce",
            ),
        ];
        for (progress, want) in cases {
            assert_eq!(progress_line(&progress), want);
        }
    }
}
