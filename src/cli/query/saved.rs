//! `tether query CONNECTION @NAME`, `--save NAME` and `tether queries`: the saved queries and
//! the history the SOQL page keeps in the workspace, from the command line.

use clap::Args;

use super::super::{CliError, WorkspaceArg};
use super::QueryArgs;
use crate::workspace::queries;

#[derive(Debug, Clone, Args)]
pub struct QueriesArgs {
    /// The queries run lately (newest first) instead of the saved ones.
    #[arg(long)]
    pub history: bool,
    /// How many runs of the history to list.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    #[command(flatten)]
    pub workspace: WorkspaceArg,
}

/// The statement saved as `name`.
pub(super) fn statement(workspace: &WorkspaceArg, name: &str) -> Result<String, CliError> {
    let ws = workspace.open()?;
    let saved = queries::saved_named(ws.conn(), name).map_err(CliError::Workspace)?;
    saved.map(|s| s.soql).ok_or_else(|| {
        CliError::Usage(format!(
            "no saved query named `{name}`: list them with `tether queries`, or save one with `tether query CONNECTION \"SOQL\" --save {name}`"
        ))
    })
}

/// Adds the run to the history, and saves it when asked and it succeeded. The results are
/// already out: a workspace that cannot be written is a warning, not a failure.
pub(super) fn remember(args: &QueryArgs, outcome: &Result<u64, CliError>) {
    let code = match outcome {
        Ok(total) => Ok(*total),
        Err(CliError::Salesforce(message)) => Err(error_code(message)),
        // Nothing reached the org (no connection, a closed pipe, a file not written).
        Err(_) => return,
    };
    let written = args.workspace.open().and_then(|ws| {
        queries::record_run(
            ws.conn(),
            &args.name,
            &args.soql,
            code.as_ref().map(|n| *n).map_err(String::as_str),
        )
        .map_err(CliError::Workspace)?;
        if let (Some(name), Ok(_)) = (&args.save, &code) {
            queries::save(ws.conn(), name, &args.soql).map_err(CliError::Workspace)?;
            eprintln!(
                "Saved as `{name}`: run it again with `tether query {} @{name}`",
                args.name
            );
        }
        Ok(())
    });
    if let Err(e) = written {
        tracing::warn!("the query was not added to the history: {e}");
    }
}

/// `INVALID_FIELD` out of "Salesforce refused the request (400 Bad Request, INVALID_FIELD): …".
fn error_code(message: &str) -> String {
    message
        .split_once(", ")
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(code, _)| code.to_string())
        .filter(|code| !code.is_empty() && !code.contains(' '))
        .unwrap_or_else(|| "FAILED".to_string())
}

pub fn queries(args: QueriesArgs) -> Result<(), CliError> {
    let ws = args.workspace.open()?;
    if args.history {
        let runs = queries::history(ws.conn(), args.limit).map_err(CliError::Workspace)?;
        if runs.is_empty() {
            println!("No queries run yet: `tether query CONNECTION \"SOQL\"` adds to the history");
        }
        for run in runs {
            let outcome = match (&run.error, run.records) {
                (Some(code), _) => code.clone(),
                (None, Some(n)) => format!("{n} records"),
                (None, None) => String::new(),
            };
            println!(
                "{}\t{}\t{}\t{}",
                run.ran_at,
                run.connection,
                outcome,
                one_line(&run.soql)
            );
        }
        return Ok(());
    }
    let saved = queries::saved(ws.conn()).map_err(CliError::Workspace)?;
    if saved.is_empty() {
        println!("No saved queries: save one with `tether query CONNECTION \"SOQL\" --save NAME`");
    }
    for query in saved {
        println!("{}\t{}", query.name, one_line(&query.soql));
    }
    Ok(())
}

fn one_line(soql: &str) -> String {
    soql.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn error_codes_are_read_from_refusals() {
        assert_eq!(
            super::error_code(
                "Salesforce refused the request (400 Bad Request, INVALID_FIELD): No such column"
            ),
            "INVALID_FIELD"
        );
        assert_eq!(super::error_code("Could not reach the org"), "FAILED");
    }
}
