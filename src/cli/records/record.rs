//! `tether records get|update|create|delete`: the Records page's record view and its writes
//! from a terminal, through the same library code, each write a run (trigger `records`) that
//! `tether undo RUN` takes back.

use clap::Args;

use crate::access::Action;
use crate::cli::CliError;
use crate::cli::access::authorize;
use crate::cli::connect::runtime;
use crate::cli::query::client_for;
use crate::cli::workspace::WorkspaceArg;
use crate::records_write::write::{self, Target, Written};
use crate::records_write::{RecordsError, read};

#[derive(Debug, Clone, Args)]
pub struct RecordArgs {
    /// The connection (see `tether connections`).
    #[arg(long)]
    pub connection: String,
    /// The object's API name, e.g. Account.
    #[arg(long)]
    pub object: String,
    /// The record's Id (all but create).
    #[arg(long)]
    pub id: Option<String>,
    /// A field's new value, as `Field=Value`; repeat for each field.
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    pub set: Vec<String>,
    #[command(flatten)]
    pub workspace: WorkspaceArg,
}

impl RecordArgs {
    fn id(&self, action: &str) -> Result<&str, CliError> {
        self.id.as_deref().ok_or_else(|| {
            CliError::Usage(format!(
                "`tether records {action}` needs the record: give it with --id"
            ))
        })
    }

    fn edits(&self) -> Result<Vec<(String, String)>, CliError> {
        self.set
            .iter()
            .map(|pair| {
                pair.split_once('=')
                    .map(|(f, v)| (f.trim().to_string(), v.to_string()))
                    .ok_or_else(|| {
                        CliError::Usage(format!(
                            "`--set {pair}` has no `=`: write it as --set Field=Value"
                        ))
                    })
            })
            .collect()
    }
}

/// Runs `tether records get|update|create|delete` (`action`) on one record.
pub fn one_record(action: &str, a: &RecordArgs) -> Result<(), CliError> {
    let path = a.workspace.path()?;
    let target = Target {
        connection: &a.connection,
        object: &a.object,
    };
    runtime()?.block_on(async {
        let client = client_for(&a.connection, &a.workspace.data).await?;
        if action != "get" {
            authorize(
                &client,
                &a.connection,
                Action::WriteRecords,
                Some(&a.object),
            )
            .await?;
        }
        let written = match action {
            "get" => {
                let page = read::read_record(&client, &a.object, a.id(action)?)
                    .await
                    .map_err(|e| CliError::Salesforce(e.to_string()))?;
                print_page(&page);
                return Ok(());
            }
            "update" => write::update(&path, &client, target, a.id(action)?, &a.edits()?).await,
            "create" => write::create(&path, &client, target, &a.edits()?).await,
            _ => write::delete(&path, &client, target, a.id(action)?).await,
        };
        answered(written)
    })
}

fn answered(written: Result<Written, RecordsError>) -> Result<(), CliError> {
    match written {
        Ok(written) => {
            println!("{}", written.answer);
            Ok(())
        }
        Err(RecordsError::Invalid(problems)) => Err(CliError::Usage(format!(
            "nothing was sent: {}",
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        ))),
        Err(e) => Err(CliError::Sync(e.to_string())),
    }
}

fn print_page(page: &read::RecordPage) {
    println!("{} {} ({})", page.object, page.name, page.id);
    for section in &page.sections {
        println!();
        println!("{}", section.heading);
        for field in &section.fields {
            let value = match &field.parent {
                Some(parent) => format!("{} ({} {})", parent.name, parent.object, parent.id),
                None => field.text.clone(),
            };
            println!("  {}: {value}", field.label);
        }
    }
    for list in &page.related {
        println!();
        println!("{} ({})", list.label, list.rows.len());
        for row in &list.rows {
            println!("  {}  {}", row.id, row.cells.join("  "));
        }
    }
}
