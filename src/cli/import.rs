//! `tether import FILE`: a spreadsheet checked against the org, reported row by row, and sent
//! only once confirmed (`--yes`, or a yes at the prompt).

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, ValueEnum};

use super::CliError;
use super::access::authorize;
use super::connect::{DataDirArg, open_db, runtime};
use super::query::client_for;
use super::workspace::WorkspaceArg;
use crate::access::Action;
use crate::connect::ConnectError;
use crate::import::auto::{propose, redetect_formats};
use crate::import::mapping::ImportMapping;
use crate::import::run::{ImportJob, ImportProgress, ImportRunError, ImportSummary, run_import};
use crate::import::sniff::TextEncoding;
use crate::import::{ReadOptions, Rows};
use crate::numbers::group_thousands;
use crate::salesforce::Client;
use crate::sync::verify::unknown_object;
use crate::workspace::imports::{self, RowStatus};
use crate::workspace::journal::RunStatus;
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Text,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// The sheet: .csv, .tsv or .xlsx.
    #[arg(required_unless_present_any = ["retry", "templates", "print_schema"])]
    pub file: Option<PathBuf>,
    /// The Salesforce object the rows become, e.g. Opportunity (taken from --mapping when
    /// it names one).
    #[arg(long)]
    pub object: Option<String>,
    /// The mapping (JSON). Without it, a template saved for the same headers is used, or a
    /// mapping is proposed from the names of the columns.
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// Check every row and write the report; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Send without asking (for scripts).
    #[arg(long)]
    pub yes: bool,
    /// The connected org (see `tether connections`); needed when there is more than one.
    #[arg(long)]
    pub connection: Option<String>,
    /// Send again the rows that an import could not send (failed or cancelled), with its
    /// file and mapping.
    #[arg(long, value_name = "RUN", conflicts_with_all = ["mapping", "object"])]
    pub retry: Option<i64>,
    /// Where the report and the result files go (default: beside the sheet).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The sheet of a workbook (default: the first).
    #[arg(long)]
    pub sheet: Option<String>,
    /// The file's encoding, when the guess is wrong: utf-8, utf-16le, utf-16be or
    /// windows-1252; utf-8+windows-1252 reads a UTF-8 file's stray bytes as Windows-1252.
    #[arg(long)]
    pub encoding: Option<String>,
    /// Write the report and result files in UTF-8 (with a byte-order mark) rather than in the
    /// sheet's own encoding.
    #[arg(long)]
    pub results_utf8: bool,
    /// Refuse a sheet with more data rows than this, before anything is sent.
    #[arg(long, value_name = "N", default_value_t = crate::import::DEFAULT_MAX_ROWS)]
    pub max_rows: u64,
    /// Write the mapping used to this file, to edit and pass back with --mapping.
    #[arg(long, value_name = "FILE")]
    pub save_mapping: Option<PathBuf>,
    /// Keep the mapping used as a template, offered for the next sheet with these headers.
    #[arg(long, value_name = "NAME")]
    pub save_template: Option<String>,
    /// List the saved templates and stop.
    #[arg(long)]
    pub templates: bool,
    /// Print the JSON Schema of the mapping file (--mapping, --save-mapping) and stop.
    #[arg(long)]
    pub print_schema: bool,
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub format: Output,
    #[command(flatten)]
    pub workspace: WorkspaceArg,
}

pub fn import(args: ImportArgs) -> Result<(), CliError> {
    if args.print_schema {
        print!("{}", crate::import::mapping::SCHEMA);
        return Ok(());
    }
    let path = args.workspace.path()?;
    let ws = args.workspace.open()?;
    if args.templates {
        for t in imports::templates(ws.conn())? {
            println!(
                "{}\t{}\t{}\t{}",
                t.name,
                t.object,
                t.saved_at,
                t.headers.join(", ")
            );
        }
        return Ok(());
    }
    let mut job = match args.retry {
        Some(run) => retry_job(&ws, run)?,
        None => {
            let file = args
                .file
                .clone()
                .ok_or_else(|| CliError::Usage("name the sheet to import".into()))?;
            ImportJob::new(&file, "", ImportMapping::new(""))
        }
    };
    job.read = read_options(&args)?;
    job.out_dir = args.out.clone();
    job.dry_run = args.dry_run;
    job.results_utf8 = args.results_utf8;
    if args.retry.is_none() {
        job.connection = match &args.connection {
            Some(name) => name.clone(),
            None => only_connection(&args.workspace.data)?,
        };
    }
    drop(ws);
    runtime()?.block_on(async {
        let client = client_for(&job.connection, &args.workspace.data).await?;
        if args.retry.is_none() {
            job.mapping = choose_mapping(&args, &path, &job.file, &client).await?;
        }
        if !job.dry_run {
            authorize(
                &client,
                &job.connection,
                Action::Import,
                Some(&job.mapping.object),
            )
            .await?;
        }
        if let Some(file) = &args.save_mapping {
            let text = serde_json::to_string_pretty(&job.mapping).unwrap_or_default();
            std::fs::write(file, text + "\n").map_err(|e| {
                CliError::Usage(format!(
                    "cannot write the mapping to {}: {e}",
                    file.display()
                ))
            })?;
            eprintln!(
                "The mapping is in {}; edit it and pass it back with --mapping.",
                file.display()
            );
        }
        let cancel = CancellationToken::new();
        let stop = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("stopping after the rows being sent…");
                stop.cancel();
            }
        });
        let progress: Option<crate::import::run::ImportProgressSink> = std::io::stderr()
            .is_terminal()
            .then(|| Arc::new(|p: ImportProgress| eprintln!("  {}", progress_line(&p))) as _);
        if !job.dry_run && !args.yes {
            let mut check = job.clone();
            check.dry_run = true;
            let summary = run(&path, &client, &check, &cancel, progress.clone()).await?;
            print_summary(&summary, args.format);
            if summary.valid == 0 {
                return Err(CliError::Sync(
                    "no row can be imported: fix the rows in the report and try again".into(),
                ));
            }
            if !confirm(&summary)? {
                eprintln!("Nothing was sent.");
                return Ok(());
            }
        }
        let summary = run(&path, &client, &job, &cancel, progress).await?;
        print_summary(&summary, args.format);
        if let Some(name) = &args.save_template {
            let (_, headers) =
                crate::import::run::open_sheet(&job).map_err(|e| CliError::Sync(e.to_string()))?;
            let ws = args.workspace.open()?;
            let mapping = serde_json::to_string(&job.mapping).unwrap_or_default();
            imports::save_template(ws.conn(), name, &job.mapping.object, &headers, &mapping)?;
            eprintln!("Saved the mapping as template `{name}`.");
        }
        match summary.status {
            None | Some(RunStatus::Succeeded) => Ok(()),
            Some(_) => Err(CliError::Sync(
                summary
                    .message
                    .unwrap_or_else(|| "the import did not finish".into()),
            )),
        }
    })
}

async fn run(
    workspace: &Path,
    client: &Client,
    job: &ImportJob,
    cancel: &CancellationToken,
    progress: Option<crate::import::run::ImportProgressSink>,
) -> Result<ImportSummary, CliError> {
    run_import(workspace, client, job, cancel, progress)
        .await
        .map_err(|e| match e {
            ImportRunError::Mapping(e) => CliError::Usage(format!("the mapping does not fit: {e}")),
            other => CliError::Sync(other.to_string()),
        })
}

fn read_options(args: &ImportArgs) -> Result<ReadOptions, CliError> {
    let mut read = ReadOptions {
        sheet: args.sheet.clone(),
        has_header: Some(true),
        max_rows: args.max_rows,
        ..ReadOptions::default()
    };
    if let Some(name) = &args.encoding {
        read.encoding = Some(TextEncoding::parse(name).ok_or_else(|| {
            CliError::Usage(format!(
                "`{name}` is not an encoding Tether reads; use utf-8, utf-16le, utf-16be, windows-1252 or utf-8+windows-1252"
            ))
        })?);
    }
    Ok(read)
}

fn retry_job(ws: &crate::workspace::Workspace, run: i64) -> Result<ImportJob, CliError> {
    let record = imports::import_of(ws.conn(), run)?.ok_or_else(|| {
        CliError::Usage(format!(
            "run {run} is not an import: list them with `tether runs`"
        ))
    })?;
    let mapping: ImportMapping = serde_json::from_str(&record.mapping).map_err(|e| {
        CliError::Usage(format!(
            "the mapping kept with run {run} cannot be read: {e}"
        ))
    })?;
    let unfinished = crate::workspace::journal::run(ws.conn(), run)?
        .is_some_and(|r| matches!(r.status, RunStatus::Interrupted | RunStatus::Running));
    if unfinished {
        return Err(CliError::Usage(format!(
            "run {run} did not finish, so which of its rows reached Salesforce is not known row by row; import the file again: rows already there are updated or left unchanged, never created twice"
        )));
    }
    let rows = imports::rows_with(ws.conn(), run, &[RowStatus::Failed, RowStatus::NotSent])?;
    if rows.is_empty() {
        return Err(CliError::Usage(format!(
            "run {run} has no failed or unsent rows to retry; to import fixed rows, import the file again"
        )));
    }
    let mut job = ImportJob::new(Path::new(&record.file), &record.connection, mapping);
    job.only_rows = Some(rows);
    job.retry_of = Some(run);
    Ok(job)
}

fn only_connection(data: &DataDirArg) -> Result<String, CliError> {
    let list = open_db(data)?.list().map_err(ConnectError::from)?;
    match list.as_slice() {
        [one] => Ok(one.name.clone()),
        [] => Err(CliError::Usage(
            "no org is connected: connect one with `tether connect`".into(),
        )),
        many => Err(CliError::Usage(format!(
            "choose the org with --connection: {}",
            many.iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The mapping from --mapping, a template saved for these headers, or a proposal.
async fn choose_mapping(
    args: &ImportArgs,
    workspace: &Path,
    file: &Path,
    client: &Client,
) -> Result<ImportMapping, CliError> {
    if let Some(path) = &args.mapping {
        let text = std::fs::read_to_string(path).map_err(|e| {
            CliError::Usage(format!("cannot read the mapping {}: {e}", path.display()))
        })?;
        let mut mapping: ImportMapping = serde_json::from_str(&text).map_err(|e| {
            CliError::Usage(format!(
                "the mapping {} cannot be read: {e}",
                path.display()
            ))
        })?;
        match &args.object {
            Some(object) if mapping.object.is_empty() => mapping.object = object.clone(),
            Some(object) if !mapping.object.eq_ignore_ascii_case(object) => {
                return Err(CliError::Usage(format!(
                    "the mapping is for {}, not {object}: drop --object or use a mapping for {object}",
                    mapping.object
                )));
            }
            _ => {}
        }
        return Ok(mapping);
    }
    let mut rows =
        Rows::open(file, &read_options(args)?).map_err(|e| CliError::Sync(e.to_string()))?;
    let headers = rows.headers().map(<[String]>::to_vec).ok_or_else(|| {
        CliError::Usage(format!(
            "{} has no header row: add one naming each column",
            file.display()
        ))
    })?;
    let ws = crate::workspace::Workspace::open(workspace)?;
    let templates = imports::templates_for(ws.conn(), &headers)?;
    let matching = templates.iter().find(|t| {
        args.object
            .as_ref()
            .is_none_or(|o| t.object.eq_ignore_ascii_case(o))
    });
    if let Some(template) = matching
        && let Ok(mut mapping) = serde_json::from_str::<ImportMapping>(&template.mapping)
    {
        eprintln!(
            "Using the mapping template `{}` saved for these headers.",
            template.name
        );
        let describe = client
            .describe(&mapping.object)
            .await
            .map_err(|e| CliError::Salesforce(e.to_string()))?;
        let sample: Vec<Vec<String>> = rows
            .by_ref()
            .filter_map(Result::ok)
            .take(200)
            .map(|r| r.cells)
            .collect();
        for note in redetect_formats(&describe, &mut mapping, &headers, &sample) {
            eprintln!("  {note}");
        }
        return Ok(mapping);
    }
    let object = args.object.clone().ok_or_else(|| {
        CliError::Usage("name the object the rows become with --object (e.g. --object Opportunity), or pass --mapping".into())
    })?;
    let describe = match client.describe(&object).await {
        Ok(describe) => describe,
        Err(e) => {
            return Err(match unknown_object(client, &object).await {
                Some(unknown) => CliError::Usage(format!("--object {object}: {unknown}")),
                None => CliError::Salesforce(e.to_string()),
            });
        }
    };
    let sample: Vec<Vec<String>> = rows
        .by_ref()
        .filter_map(Result::ok)
        .take(200)
        .map(|r| r.cells)
        .collect();
    let proposal = propose(&describe, &headers, &sample);
    eprintln!("No mapping was given, so one was proposed from the column names:");
    if let Some(key) = &proposal.mapping.key {
        eprintln!("  key: `{}` → {}", key.column, key.field);
    }
    for c in &proposal.mapping.columns {
        eprintln!("  `{}` → {}", c.column, c.field);
    }
    for l in &proposal.mapping.lookups {
        eprintln!(
            "  `{}` → {} (finds the {} by {})",
            l.column,
            l.field,
            l.object,
            l.match_on.join(" or ")
        );
    }
    for note in &proposal.notes {
        eprintln!("  note: {note}");
    }
    if !proposal.unmapped.is_empty() {
        eprintln!("  not imported: {}", proposal.unmapped.join(", "));
    }
    eprintln!("  To change it: --save-mapping M.json, edit, then --mapping M.json.");
    Ok(proposal.mapping)
}

fn confirm(summary: &ImportSummary) -> Result<bool, CliError> {
    eprint!(
        "Send {} row(s) to Salesforce ({} to create, {} to update)? [y/N] ",
        group_thousands(summary.to_create + summary.to_update),
        group_thousands(summary.to_create),
        group_thousands(summary.to_update)
    );
    std::io::stderr().flush().ok();
    // The answer comes from the terminal or a pipe (`echo y | tether import …`); with nothing
    // to read, no answer is not a no: the user is told how to confirm instead.
    let no_answer = |why: String| {
        eprintln!();
        CliError::Usage(format!(
            "nothing was sent: {why}. Read the report, then run again with --yes to send the rows"
        ))
    };
    let mut answer = String::new();
    match std::io::stdin().lock().read_line(&mut answer) {
        Ok(0) => Err(no_answer(
            "no answer could be read from standard input".into(),
        )),
        Ok(_) => Ok(matches!(answer.trim().to_lowercase().as_str(), "y" | "yes")),
        Err(e) => Err(no_answer(format!("cannot read the answer ({e})"))),
    }
}

pub fn progress_line(progress: &ImportProgress) -> String {
    match progress {
        ImportProgress::Checking { rows } => format!("checked {} rows", group_thousands(*rows)),
        ImportProgress::LookingUp => "looking up parents and existing records".into(),
        ImportProgress::Sending {
            decided,
            sent,
            to_send,
        } => format!(
            "{} rows decided, {} of about {} sent",
            group_thousands(*decided),
            group_thousands(*sent),
            group_thousands(*to_send)
        ),
    }
}

fn print_summary(summary: &ImportSummary, format: Output) {
    if format == Output::Json {
        println!(
            "{}",
            serde_json::to_string_pretty(summary).unwrap_or_default()
        );
        return;
    }
    let n = |v: u64| group_thousands(v);
    if summary.dry_run {
        println!(
            "Checked {} rows: {} valid ({} to create, {} to update, {} unchanged), {} invalid.",
            n(summary.rows),
            n(summary.valid),
            n(summary.to_create),
            n(summary.to_update),
            n(summary.unchanged),
            n(summary.invalid)
        );
        if summary.parents_to_create > 0 {
            println!(
                "{} missing parent record(s) would be created first.",
                n(summary.parents_to_create)
            );
        }
    } else {
        let status = summary.status.map_or("finished", RunStatus::as_str);
        println!(
            "Import run {} {status}: {} created, {} updated, {} unchanged, {} failed, {} invalid, {} not sent.",
            summary.run_id.unwrap_or_default(),
            n(summary.created),
            n(summary.updated),
            n(summary.unchanged),
            n(summary.failed),
            n(summary.invalid),
            n(summary.not_sent)
        );
        if summary.parents_created > 0 {
            println!(
                "{} parent record(s) were created first.",
                n(summary.parents_created)
            );
        }
    }
    for note in &summary.notes {
        println!("{note}.");
    }
    if summary.duplicated_keys > 0 {
        println!(
            "{} key(s) are on more than one row; those rows were left out.",
            n(summary.duplicated_keys)
        );
    }
    for (field, texts) in &summary.unresolved {
        let shown: Vec<String> = texts
            .iter()
            .take(10)
            .map(|(written, near)| match near.as_slice() {
                [] => format!("`{written}`"),
                near => format!("`{written}` ({}?)", near.join(" or ")),
            })
            .collect();
        let more = match texts.len() - shown.len() {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        println!(
            "{field}: no single record matches {}{more}. Write them as the records are named, or map each spelling in the lookup's \"values\" in the mapping.",
            shown.join(", ")
        );
    }
    let show = |label: &str, path: &Option<PathBuf>| {
        if let Some(path) = path {
            println!("{label}: {}", path.display());
        }
    };
    show(
        if summary.dry_run {
            "Report"
        } else {
            "Annotated copy"
        },
        &summary.report,
    );
    show("Successes", &summary.success_file);
    show("Errors", &summary.error_file);
    if let Some(message) = &summary.message {
        println!("{message}");
    }
    if let Some(run) = summary.run_id
        && summary.created + summary.updated + summary.parents_created > 0
    {
        println!("Undo it with `tether undo {run}`.");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::Workspace;
    use crate::workspace::imports::{NewImport, RowOutcome};
    use crate::workspace::journal::{self, RunCounts, Trigger};

    fn started(ws: &Workspace) -> i64 {
        let mapping = serde_json::to_string(&ImportMapping::new("Opportunity")).unwrap();
        imports::start(
            ws.conn(),
            &NewImport {
                file: "/tmp/deals.csv",
                file_name: "deals.csv",
                connection: "sandbox",
                object: "Opportunity",
                mapping: &mapping,
                trigger: Trigger::Cli,
                retry_of: None,
            },
        )
        .unwrap()
    }

    fn failed_row(row: u64) -> RowOutcome {
        RowOutcome {
            row,
            key: Some(format!("K-{row}")),
            status: RowStatus::Failed,
            sf_id: None,
            message: Some("UNABLE_TO_LOCK_ROW".into()),
        }
    }

    #[test]
    fn a_retry_sends_the_failed_rows_of_a_finished_import_only() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::open(&dir.path().join("workspace.db")).unwrap();

        let finished = started(&ws);
        imports::record_rows(ws.conn(), finished, &[failed_row(3)]).unwrap();
        journal::finish_run(
            ws.conn(),
            finished,
            RunStatus::Partial,
            &RunCounts::default(),
            None,
        )
        .unwrap();
        let job = retry_job(&ws, finished).unwrap();
        assert_eq!(job.only_rows, Some([3].into()));
        assert_eq!(job.retry_of, Some(finished));

        // A run that never finished stored no outcome for the rows it was sending.
        let killed = started(&ws);
        imports::record_rows(ws.conn(), killed, &[failed_row(3)]).unwrap();
        let refused = retry_job(&ws, killed).unwrap_err().to_string();
        assert!(refused.contains("did not finish"), "{refused}");
        assert!(refused.contains("import the file again"), "{refused}");
    }
}
