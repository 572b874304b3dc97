//! `tether runs`, `tether errors` and `tether conflicts`: what the sync engine did, what
//! failed, and the fields waiting for a person's decision.

use std::collections::HashMap;

use chrono::Local;
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;
use serde_json::Value;

use super::access::authorize_offline;
use super::{CliError, WorkspaceArg};
use crate::access::Action;
use crate::workspace::conflicts::{self, ConflictRecord, Keep};
use crate::workspace::journal::{self, ErrorRecord, RunRecord, RunStatus, row_name};
use crate::workspace::{Workspace, WorkspaceError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for reading.
    Table,
    /// A JSON array for scripts.
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct RunsArgs {
    /// Only the runs of this link.
    #[arg(long, value_name = "NAME")]
    pub link: Option<String>,
    /// How many of the latest runs to show.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limit: usize,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub workspace: WorkspaceArg,
}

#[derive(Debug, Clone, Args)]
pub struct ErrorsArgs {
    /// Only the errors of this run (see `tether runs`).
    #[arg(long, value_name = "N")]
    pub run: Option<i64>,
    /// How many errors to show.
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub limit: usize,
    /// `json` includes the payload that was sent for each record.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub workspace: WorkspaceArg,
}

#[derive(Debug, Clone, Args)]
pub struct ConflictsArgs {
    #[command(subcommand)]
    pub action: Option<ConflictsAction>,
    /// Only the conflicts of this link.
    #[arg(long, value_name = "NAME")]
    pub link: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub workspace: WorkspaceArg,
}

#[derive(Debug, Clone, Subcommand)]
pub enum ConflictsAction {
    /// Decide a conflict; the next sync of its link writes the kept value to the other side.
    Resolve(ResolveArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ResolveArgs {
    /// The conflict's id (see `tether conflicts`).
    pub id: i64,
    /// The side whose value to keep; for a record one side deleted and the other edited,
    /// `delete` or `record` (or the side whose state to keep).
    #[arg(long, value_enum)]
    pub keep: KeepSide,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeepSide {
    Local,
    Salesforce,
    /// Carry the delete over to the side that still has the record.
    Delete,
    /// Bring the record back on the side that deleted it.
    Record,
}

pub fn runs(args: RunsArgs) -> Result<(), CliError> {
    let ws = args.workspace.open()?;
    let runs = journal::runs(ws.conn(), args.link.as_deref(), args.limit)?;
    if args.format == Format::Json {
        return print_json(&runs);
    }
    if runs.is_empty() {
        match &args.link {
            Some(link) => println!("No runs of `{link}` yet: run `tether sync {link}`."),
            None => println!("No runs yet: run `tether sync LINK`."),
        }
        return Ok(());
    }
    print!("{}", runs_table(&runs));
    let explained: Vec<&RunRecord> = runs
        .iter()
        .filter(|r| r.status != RunStatus::Succeeded && r.message.is_some())
        .collect();
    if !explained.is_empty() {
        println!();
    }
    for run in explained {
        println!(
            "run {}: {}",
            run.id,
            run.message.as_deref().unwrap_or_default()
        );
    }
    Ok(())
}

fn runs_table(runs: &[RunRecord]) -> String {
    let mut table = Table::new(&[
        ("ID", Align::Right),
        ("LINK", Align::Left),
        ("RECORDS", Align::Left),
        ("TRIGGER", Align::Left),
        ("STATUS", Align::Left),
        ("STARTED", Align::Left),
        ("DURATION", Align::Right),
        ("PROCESSED", Align::Right),
        ("CREATED", Align::Right),
        ("UPDATED", Align::Right),
        ("DELETED", Align::Right),
        ("FAILED", Align::Right),
        ("CONFLICTS", Align::Right),
        ("API CALLS", Align::Right),
        ("NO KEY", Align::Right),
    ]);
    for run in runs {
        let c = &run.counts;
        table.row(vec![
            run.id.to_string(),
            run.link_name.clone(),
            run.scope.clone().unwrap_or_else(|| "all".to_string()),
            run.trigger.as_str().to_string(),
            status_text(run),
            run.started_at
                .with_timezone(&Local)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
            duration_text(run),
            c.processed.to_string(),
            c.created.to_string(),
            c.updated.to_string(),
            deleted_text(c),
            c.failed.to_string(),
            c.conflicts.to_string(),
            c.api_calls.to_string(),
            c.keyless.to_string(),
        ]);
    }
    table.render()
}

/// Deletes carried out, and those a stopped run waits to have confirmed.
fn deleted_text(counts: &journal::RunCounts) -> String {
    match counts.deletes_waiting {
        0 => counts.deleted.to_string(),
        waiting => format!("{} ({waiting} waiting)", counts.deleted),
    }
}

fn status_text(run: &RunRecord) -> String {
    match (run.undone_by, run.undo_of) {
        (Some(undo), _) => format!("{} (undone by {undo})", run.status.as_str()),
        (None, Some(of)) => format!("{} (undoes {of})", run.status.as_str()),
        (None, None) => run.status.as_str().to_string(),
    }
}

fn duration_text(run: &RunRecord) -> String {
    let Some(duration) = run.duration() else {
        return match run.status {
            RunStatus::Running => "running".into(),
            _ => "-".into(),
        };
    };
    let millis = duration.num_milliseconds().max(0);
    let seconds = millis / 1000;
    match seconds {
        0..60 => format!("{:.1}s", millis as f64 / 1000.0),
        60..3600 => format!("{}m {:02}s", seconds / 60, seconds % 60),
        _ => format!("{}h {:02}m", seconds / 3600, (seconds % 3600) / 60),
    }
}

pub fn errors(args: ErrorsArgs) -> Result<(), CliError> {
    let ws = args.workspace.open()?;
    if let Some(run) = args.run
        && journal::run(ws.conn(), run)?.is_none()
    {
        return Err(WorkspaceError::NoSuchRun(run).into());
    }
    let errors = journal::errors(ws.conn(), args.run, args.limit)?;
    if args.format == Format::Json {
        return print_json(&errors);
    }
    if errors.is_empty() {
        match args.run {
            Some(run) => println!("Run {run} recorded no errors."),
            None => println!("No errors recorded: every record of every run went through."),
        }
        return Ok(());
    }
    print!("{}", errors_table(&errors));
    println!();
    println!("The payload sent for each record is in `--format json`.");
    Ok(())
}

fn errors_table(errors: &[ErrorRecord]) -> String {
    let mut table = Table::new(&[
        ("RUN", Align::Right),
        ("SIDE", Align::Left),
        ("CODE", Align::Left),
        ("RECORD", Align::Left),
        ("FIELDS", Align::Left),
        ("MESSAGE", Align::Left),
        ("HINT", Align::Left),
    ]);
    for e in errors {
        table.row(vec![
            e.run_id.to_string(),
            e.side.as_str().to_string(),
            e.code.clone(),
            record_text(e.sf_id.as_deref(), e.row_key.as_deref()),
            e.fields.join(", "),
            e.message.clone(),
            e.hint.clone(),
        ]);
    }
    table.render()
}

fn record_text(sf_id: Option<&str>, row_key: Option<&str>) -> String {
    match (sf_id, row_key) {
        (Some(id), Some(key)) => format!("{id} ({})", row_name(key)),
        (Some(id), None) => id.to_string(),
        (None, Some(key)) => row_name(key),
        (None, None) => "-".to_string(),
    }
}

pub fn conflicts(args: ConflictsArgs) -> Result<(), CliError> {
    // `--workspace` is global, so it is read here whether it comes before or after `resolve`.
    if let Some(ConflictsAction::Resolve(resolve)) = args.action {
        return resolve_conflict(&args.workspace, resolve);
    }
    let ws = args.workspace.open()?;
    let link_id = match &args.link {
        Some(name) => Some(ws.link(name)?.id),
        None => None,
    };
    let open = conflicts::open(ws.conn(), link_id)?;
    let names = link_names(&ws)?;
    let name_of = |c: &ConflictRecord| names.get(&c.link_id).cloned().unwrap_or_default();
    if args.format == Format::Json {
        let listed: Vec<ListedConflict<'_>> = open
            .iter()
            .map(|c| ListedConflict {
                link: name_of(c),
                conflict: c,
            })
            .collect();
        return print_json(&listed);
    }
    if open.is_empty() {
        println!("No open conflicts: nothing is waiting for a decision.");
        return Ok(());
    }
    let mut table = Table::new(&[
        ("ID", Align::Right),
        ("LINK", Align::Left),
        ("RECORD", Align::Left),
        ("FIELD", Align::Left),
        ("BASE", Align::Left),
        ("LOCAL", Align::Left),
        ("SALESFORCE", Align::Left),
        ("DETECTED", Align::Left),
    ]);
    for c in &open {
        table.row(vec![
            c.id.to_string(),
            name_of(c),
            record_text(Some(&c.sf_id), c.row_key.as_deref()),
            c.field.clone(),
            value_text(c.base.as_ref()),
            side_text(c, Keep::Local),
            side_text(c, Keep::Salesforce),
            c.detected_at
                .with_timezone(&Local)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
        ]);
    }
    print!("{}", table.render());
    println!();
    println!("Decide one with `tether conflicts resolve ID --keep local|salesforce`");
    println!("(for a deleted record: `--keep delete|record`).");
    Ok(())
}

#[derive(Serialize)]
struct ListedConflict<'a> {
    link: String,
    #[serde(flatten)]
    conflict: &'a ConflictRecord,
}

fn resolve_conflict(workspace: &WorkspaceArg, args: ResolveArgs) -> Result<(), CliError> {
    let ws = workspace.open()?;
    let conflict =
        conflicts::get(ws.conn(), args.id)?.ok_or(WorkspaceError::NoSuchConflict(args.id))?;
    if let Some(stored) = ws.links()?.into_iter().find(|l| l.id == conflict.link_id) {
        authorize_offline(
            &workspace.data,
            &stored.link.connection,
            Action::ResolveConflicts,
            Some(&stored.link.object),
        )?;
    }
    let deleter = conflict.deleted_side();
    let keep = match (args.keep, deleter) {
        (KeepSide::Local, _) => Keep::Local,
        (KeepSide::Salesforce, _) => Keep::Salesforce,
        (KeepSide::Delete, Some(side)) => side,
        (KeepSide::Record, Some(side)) => other(side),
        (KeepSide::Delete | KeepSide::Record, None) => {
            return Err(CliError::Usage(format!(
                "conflict {} is about the field {}, not a deleted record: use --keep local or --keep salesforce",
                conflict.id, conflict.field
            )));
        }
    };
    let resolved = conflicts::resolve(ws.conn(), args.id, keep, "cli")?;
    let link = link_names(&ws)?
        .remove(&resolved.link_id)
        .unwrap_or_else(|| "LINK".into());
    let record = record_text(Some(&resolved.sf_id), resolved.row_key.as_deref());
    let place = |side: Keep| match side {
        Keep::Local => "the local table",
        Keep::Salesforce => "Salesforce",
    };
    match deleter {
        Some(side) if side == keep => {
            println!(
                "Conflict {} resolved: keeping the delete of {record}.",
                resolved.id
            );
            println!(
                "The next `tether sync {link}` deletes it from {}.",
                place(other(side))
            );
        }
        Some(side) => {
            println!("Conflict {} resolved: keeping {record}.", resolved.id);
            println!(
                "The next `tether sync {link}` brings it back to {}.",
                place(side)
            );
        }
        None => {
            let (kept, value) = match keep {
                Keep::Local => ("local", resolved.local.as_ref()),
                Keep::Salesforce => ("Salesforce", resolved.remote.as_ref()),
            };
            println!(
                "Conflict {} resolved: keeping the {kept} value {} of {} on {record}.",
                resolved.id,
                value_text(value),
                resolved.field,
            );
            println!(
                "The next `tether sync {link}` writes it to {}.",
                place(other(keep))
            );
        }
    }
    Ok(())
}

fn other(side: Keep) -> Keep {
    match side {
        Keep::Local => Keep::Salesforce,
        Keep::Salesforce => Keep::Local,
    }
}

/// Link names by id, read without parsing the definitions so that one unreadable link does
/// not hide the others' conflicts.
fn link_names(ws: &Workspace) -> Result<HashMap<i64, String>, CliError> {
    let mut stmt = ws
        .conn()
        .prepare("SELECT id, name FROM tether_links")
        .map_err(WorkspaceError::from)?;
    let names = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .and_then(|rows| rows.collect::<rusqlite::Result<HashMap<_, _>>>())
        .map_err(WorkspaceError::from)?;
    Ok(names)
}

/// A value as JSON, so that `""`, `null` and no value at all read differently.
/// "(deleted)" for the side that deleted the record, else the side's value.
fn side_text(conflict: &ConflictRecord, side: Keep) -> String {
    if conflict.deleted_side() == Some(side) {
        return "(deleted)".to_string();
    }
    value_text(match side {
        Keep::Local => conflict.local.as_ref(),
        Keep::Salesforce => conflict.remote.as_ref(),
    })
}

fn value_text(value: Option<&Value>) -> String {
    match value {
        None => "(none)".to_string(),
        Some(v) => v.to_string(),
    }
}

fn print_json<T: Serialize>(value: &T) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::Usage(format!("cannot write JSON: {e}")))?;
    println!("{text}");
    Ok(())
}

#[derive(Clone, Copy)]
enum Align {
    Left,
    Right,
}

/// Columns padded to their widest cell, two spaces apart.
struct Table {
    headers: Vec<(String, Align)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(headers: &[(&str, Align)]) -> Table {
        Table {
            headers: headers.iter().map(|(h, a)| (h.to_string(), *a)).collect(),
            rows: Vec::new(),
        }
    }

    fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    fn render(&self) -> String {
        let width = |i: usize| {
            self.rows
                .iter()
                .filter_map(|r| r.get(i))
                .chain(std::iter::once(&self.headers[i].0))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..self.headers.len()).map(width).collect();
        let headers: Vec<String> = self.headers.iter().map(|(h, _)| h.clone()).collect();
        let mut out = String::new();
        for cells in std::iter::once(&headers).chain(&self.rows) {
            let line: Vec<String> = cells
                .iter()
                .zip(&widths)
                .zip(&self.headers)
                .map(|((cell, &w), (_, align))| match align {
                    Align::Left => format!("{cell:<w$}"),
                    Align::Right => format!("{cell:>w$}"),
                })
                .collect();
            out.push_str(line.join("  ").trim_end());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_columns_line_up() {
        let mut table = Table::new(&[("ID", Align::Right), ("NAME", Align::Left)]);
        table.row(vec!["7".into(), "customers".into()]);
        table.row(vec!["123".into(), "é".into()]);
        assert_eq!(
            table.render(),
            " ID  NAME\n  7  customers\n123  é\n",
            "numbers to the right, text to the left, no trailing spaces"
        );
    }

    #[test]
    fn durations_read_at_a_glance() {
        use crate::workspace::journal::{RunCounts, Trigger};
        let start = chrono::Utc::now();
        let cases = [
            (RunStatus::Running, None, "running"),
            (RunStatus::Interrupted, None, "-"),
            (RunStatus::Succeeded, Some(1_500), "1.5s"),
            (RunStatus::Succeeded, Some(123_000), "2m 03s"),
            (RunStatus::Partial, Some(3_780_000), "1h 03m"),
        ];
        for (status, millis, shown) in cases {
            let run = RunRecord {
                id: 1,
                link_id: None,
                link_name: "customers".into(),
                trigger: Trigger::Cli,
                status,
                started_at: start,
                ended_at: millis.map(|m| start + chrono::Duration::milliseconds(m)),
                counts: RunCounts::default(),
                message: None,
                undo_of: None,
                undone_by: None,
                scope: None,
            };
            assert_eq!(duration_text(&run), shown);
        }
    }

    #[test]
    fn values_show_null_empty_and_missing_apart() {
        let cases = [
            (None, "(none)"),
            (Some(Value::Null), "null"),
            (Some(Value::String(String::new())), "\"\""),
            (Some(serde_json::json!(4.5)), "4.5"),
        ];
        for (value, shown) in cases {
            assert_eq!(value_text(value.as_ref()), shown);
        }
    }
}
