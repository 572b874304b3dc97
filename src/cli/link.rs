//! `tether link …`: list, show, export, import, verify, install from a template and delete
//! the links of a workspace.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use std::collections::BTreeMap;

use super::CliError;
use super::access::authorize_offline;
use super::connect::runtime;
use super::fields::{ConfirmArgs, set_up};
use super::query::client_for;
use super::workspace::WorkspaceArg;
use crate::access::Action;
use crate::salesforce::{Client, ObjectDescribe};
use crate::setup::{self, SetupPlan};
use crate::sync::link::{
    ConflictPolicy, DeletePolicy, Direction, Link, LocalSource, MatchKey, Schedule,
};
use crate::sync::link_file::{self, LinkFileError};
use crate::sync::templates;
use crate::sync::verify::{
    Severity, describes_for, has_errors, hidden_fields, unknown_object, verify_seeing,
};

/// Written into the audit log for changes made from the command line.
const ACTOR: &str = "cli";

#[derive(Debug, Clone, Args)]
pub struct LinkArgs {
    #[command(subcommand)]
    pub command: LinkCommand,
    #[command(flatten)]
    pub workspace: WorkspaceArg,
}

#[derive(Debug, Clone, Subcommand)]
pub enum LinkCommand {
    /// List the workspace's links.
    List,
    /// Show a link: its fields with directions and policies, filters and schedule.
    Show { name: String },
    /// Write links as a versioned JSON file (all links unless named).
    Export {
        names: Vec<String>,
        /// The file to write (default: standard output).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Read links from a file written by `tether link export`, replacing links of the same name.
    Import { file: PathBuf },
    /// Check a link against its Salesforce object and the local table; exits 1 on any error.
    Verify {
        name: String,
        /// First give the columns of a table Tether created (for a template or the demo) the
        /// types that hold their fields' values, keeping the rows.
        #[arg(long)]
        fix: bool,
        /// Create the custom fields the link names that the object lacks (shown first, and
        /// asked unless --yes), grant them to you, then verify again.
        #[arg(long)]
        create_missing: bool,
        #[command(flatten)]
        confirm: ConfirmArgs,
    },
    /// Install a shipped template (its tables and links); without a name, list the templates.
    Template {
        name: Option<String>,
        /// The connection the template's links sync with (see `tether connections`).
        #[arg(long, value_name = "NAME")]
        connection: Option<String>,
        /// Then create every custom field the template's links need that the org lacks, grant
        /// them to you, and verify each link.
        #[arg(long)]
        setup_salesforce: bool,
        #[command(flatten)]
        confirm: ConfirmArgs,
    },
    /// Forget a link with its sync state; its run history stays.
    Delete { name: String },
}

pub fn run(args: LinkArgs) -> Result<(), CliError> {
    match args.command {
        LinkCommand::List => list(&args.workspace),
        LinkCommand::Show { name } => {
            let ws = args.workspace.open()?;
            print!("{}", render(&ws.link(&name)?.link));
            Ok(())
        }
        LinkCommand::Export { names, output } => export(&args.workspace, &names, output),
        LinkCommand::Import { file } => import(&args.workspace, &file),
        LinkCommand::Verify {
            name,
            fix,
            create_missing,
            confirm,
        } => {
            let create = create_missing.then_some(&confirm);
            verify_link(&args.workspace, &name, fix, create)
        }
        LinkCommand::Template {
            name,
            connection,
            setup_salesforce,
            confirm,
        } => {
            let setup = setup_salesforce.then_some(&confirm);
            template(&args.workspace, name, connection, setup)
        }
        LinkCommand::Delete { name } => {
            let link = args.workspace.open()?.link(&name)?.link;
            authorize_offline(
                &args.workspace.data,
                &link.connection,
                Action::EditLinks,
                Some(&link.object),
            )?;
            args.workspace.open()?.delete_link(&name, ACTOR)?;
            println!("Deleted the link `{name}`.");
            Ok(())
        }
    }
}

fn list(workspace: &WorkspaceArg) -> Result<(), CliError> {
    let links = workspace.open()?.links()?;
    if links.is_empty() {
        println!(
            "No links yet. Install one with `tether link template NAME --connection C` (list them with `tether link template`), or `tether link import FILE`."
        );
        return Ok(());
    }
    let rows: Vec<[String; 6]> = links
        .iter()
        .map(|s| {
            let l = &s.link;
            [
                l.name.clone(),
                l.table.clone(),
                l.object.clone(),
                l.connection.clone(),
                l.fields.len().to_string(),
                schedule_text(&l.schedule),
            ]
        })
        .collect();
    let header = [
        "NAME",
        "TABLE",
        "OBJECT",
        "CONNECTION",
        "FIELDS",
        "SCHEDULE",
    ];
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].len())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[&str]| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    println!("{}", line(&header));
    for row in &rows {
        println!(
            "{}",
            line(&row.iter().map(String::as_str).collect::<Vec<_>>())
        );
    }
    Ok(())
}

fn schedule_text(schedule: &Schedule) -> String {
    match schedule {
        Schedule::Manual => "manual".into(),
        Schedule::Minutes { minutes } => format!("every {minutes} min"),
        Schedule::Day { at } => format!("daily at {at}"),
    }
}

fn policy_text(policy: ConflictPolicy) -> &'static str {
    match policy {
        ConflictPolicy::SalesforceWins => "Salesforce wins",
        ConflictPolicy::LocalWins => "local wins",
        ConflictPolicy::MostRecentWins => "most recent wins",
        ConflictPolicy::ManualReview => "manual review",
    }
}

/// A link as a person reads it.
pub fn render(link: &Link) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Link {} (connection {})", link.name, link.connection);
    let matched = match &link.match_on {
        MatchKey::SalesforceId if link.create_unmatched => format!(
            "by the Salesforce Id in `{}` (rows without one are created; the Id is written back)",
            link.id_column
        ),
        MatchKey::SalesforceId => format!(
            "by the Salesforce Id in `{}` (rows without one are not created: create_unmatched is off)",
            link.id_column
        ),
        MatchKey::ExternalId { field, column } => format!(
            "by the external id {field} = `{column}` (new rows are upserted; the Id is kept in `{}`)",
            link.id_column
        ),
    };
    let _ = writeln!(
        out,
        "  Table {} (key `{}`) <-> {}, matched {matched}",
        link.table, link.key, link.object
    );
    let deletes = match (link.deletes, &link.archive_column) {
        (DeletePolicy::Ignore, _) => "ignored".to_string(),
        (DeletePolicy::Propagate, _) => "propagated".to_string(),
        (DeletePolicy::MarkArchived, Some(column)) => format!("marked archived in `{column}`"),
        (DeletePolicy::MarkArchived, None) => "marked archived (no column set)".to_string(),
    };
    let _ = writeln!(out, "  Conflicts: {}", policy_text(link.policy));
    let _ = writeln!(out, "  Deletes: {deletes}");
    let _ = writeln!(out, "  Schedule: {}", schedule_text(&link.schedule));
    if let Some(filter) = &link.pull_filter {
        let _ = writeln!(out, "  Pull only: {filter}");
    }
    if let Some(filter) = &link.push_filter {
        let _ = writeln!(out, "  Push only rows where: {filter}");
    }
    let _ = writeln!(
        out,
        "  Bulk API above {} records pulled or {} rows pushed; each pull re-reads {} s",
        link.strategy.bulk_pull_above, link.strategy.bulk_push_above, link.strategy.overlap_seconds
    );
    let _ = writeln!(out, "  Fields:");
    let locals: Vec<String> = link
        .fields
        .iter()
        .map(|f| match &f.local {
            LocalSource::Column(c) => c.clone(),
            LocalSource::Expression(sql) => format!("= {}", one_line(sql)),
        })
        .collect();
    let width = locals.iter().map(|l| l.len().min(40)).max().unwrap_or(0);
    for (mapping, local) in link.fields.iter().zip(&locals) {
        let arrow = match mapping.direction {
            Direction::Pull => "<-  pull",
            Direction::Push => "->  push",
            Direction::Both => "<-> both",
        };
        let policy = match (mapping.direction, mapping.policy) {
            (_, Some(p)) => format!("  ({})", policy_text(p)),
            _ => String::new(),
        };
        if local.len() > width {
            // A long expression gets its own line so the arrows stay aligned.
            let _ = writeln!(out, "    {local}");
            let _ = writeln!(
                out,
                "    {:width$}  {arrow}  {}{policy}",
                "", mapping.remote
            );
        } else {
            let _ = writeln!(
                out,
                "    {local:width$}  {arrow}  {}{policy}",
                mapping.remote
            );
        }
    }
    out
}

fn one_line(sql: &str) -> String {
    sql.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn file_error(e: LinkFileError) -> CliError {
    match e {
        LinkFileError::Workspace(e) => CliError::Workspace(e),
        other => CliError::Usage(other.to_string()),
    }
}

fn export(
    workspace: &WorkspaceArg,
    names: &[String],
    output: Option<PathBuf>,
) -> Result<(), CliError> {
    let ws = workspace.open()?;
    let links: Vec<Link> = if names.is_empty() {
        ws.links()?.into_iter().map(|s| s.link).collect()
    } else {
        names
            .iter()
            .map(|n| ws.link(n).map(|s| s.link))
            .collect::<Result<_, _>>()?
    };
    let text = link_file::export(&links);
    match output {
        None => print!("{text}"),
        Some(path) => {
            std::fs::write(&path, text).map_err(|e| {
                CliError::Usage(format!(
                    "cannot write {}: {e}. Choose another --output",
                    path.display()
                ))
            })?;
            eprintln!("Exported {} link(s) to {}.", links.len(), path.display());
        }
    }
    Ok(())
}

fn import(workspace: &WorkspaceArg, file: &PathBuf) -> Result<(), CliError> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        CliError::Usage(format!(
            "cannot read {}: {e}. Check the path",
            file.display()
        ))
    })?;
    for link in link_file::parse(&text).map_err(file_error)? {
        authorize_offline(
            &workspace.data,
            &link.connection,
            Action::EditLinks,
            Some(&link.object),
        )?;
    }
    let mut ws = workspace.open()?;
    let names = link_file::import(&mut ws, &text, ACTOR).map_err(file_error)?;
    println!("Imported {} link(s): {}.", names.len(), names.join(", "));
    println!("Check each against its org with `tether link verify NAME`.");
    Ok(())
}

fn verify_link(
    workspace: &WorkspaceArg,
    name: &str,
    fix: bool,
    create_missing: Option<&ConfirmArgs>,
) -> Result<(), CliError> {
    let mut ws = workspace.open()?;
    let link = ws.link(name)?.link;
    let runtime = runtime()?;
    let client = runtime.block_on(client_for(&link.connection, &workspace.data))?;
    let (mut describe, mut parents) = runtime.block_on(describe_link(&client, &link))?;
    if fix {
        let fixed = crate::sync::verify::fix::fix(ws.conn_mut(), &link, &describe)
            .map_err(|e| CliError::LinkProblems(format!("the link `{name}`: {e}")))?;
        for column in &fixed {
            println!(
                "Declared `{}` of `{}` as {} (was {}), rows kept.",
                column.column, link.table, column.use_type, column.declared
            );
        }
        if fixed.is_empty() {
            println!("No column of `{}` needed a new type.", link.table);
        }
    }
    if let Some(confirm) = create_missing {
        let plan = SetupPlan {
            fields: setup::missing_fields(&link, &describe, &parents, ws.conn()),
        };
        if runtime.block_on(set_up(&client, plan, confirm))? {
            (describe, parents) = runtime.block_on(describe_link(&client, &link))?;
        }
    }
    let hidden = runtime.block_on(hidden_fields(&client, &link, &describe));
    let problems = verify_seeing(&link, &describe, &parents, ws.conn(), &hidden);
    print!("{}", render_problems(name, &problems));
    if create_missing.is_none() && problems.iter().any(setup::fixes) {
        println!(
            "Create the missing custom fields (shown first) with `tether link verify {name} --create-missing`."
        );
    }
    if has_errors(&problems) {
        return Err(CliError::LinkProblems(format!(
            "the link `{name}` has errors: fix them and verify again"
        )));
    }
    Ok(())
}

async fn describe_link(
    client: &Client,
    link: &Link,
) -> Result<(ObjectDescribe, BTreeMap<String, ObjectDescribe>), CliError> {
    match describes_for(client, link).await {
        Ok(described) => Ok(described),
        Err(e) => Err(match unknown_object(client, &link.object).await {
            Some(unknown) => CliError::Usage(format!(
                "the link `{}`: {unknown}; fix its object and verify again",
                link.name
            )),
            None => CliError::Salesforce(e.to_string()),
        }),
    }
}

/// Problems grouped by severity, errors first.
pub fn render_problems(name: &str, problems: &[crate::sync::verify::Problem]) -> String {
    if problems.is_empty() {
        return format!("The link `{name}` is ready: no problems found.\n");
    }
    let mut out = String::new();
    for (severity, heading) in [(Severity::Error, "Errors"), (Severity::Warning, "Warnings")] {
        let group: Vec<_> = problems.iter().filter(|p| p.severity == severity).collect();
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{heading} ({}):", group.len());
        for p in group {
            let field = p
                .field
                .as_deref()
                .map(|f| format!("{f}: "))
                .unwrap_or_default();
            let _ = writeln!(out, "  - {field}{}", p.message);
            let _ = writeln!(out, "    fix: {}", p.fix);
        }
    }
    out
}

fn template(
    workspace: &WorkspaceArg,
    name: Option<String>,
    connection: Option<String>,
    setup_salesforce: Option<&ConfirmArgs>,
) -> Result<(), CliError> {
    let Some(name) = name else {
        println!("Templates (install with `tether link template NAME --connection C`):");
        for t in templates::all() {
            println!("  {:18}  {}: {}", t.name, t.title, t.description);
        }
        return Ok(());
    };
    let template = templates::find(&name).ok_or_else(|| {
        let known: Vec<&str> = templates::all().iter().map(|t| t.name).collect();
        CliError::Usage(format!(
            "no template named `{name}`: choose one of {}",
            known.join(", ")
        ))
    })?;
    let connection = connection.ok_or_else(|| {
        CliError::Usage(format!(
            "give the connection to sync with: `tether link template {name} --connection NAME` (see `tether connections`)"
        ))
    })?;
    let object = (template.links)(&connection)
        .first()
        .map(|link| link.object.clone());
    authorize_offline(
        &workspace.data,
        &connection,
        Action::EditTemplates,
        object.as_deref(),
    )?;
    let mut ws = workspace.open()?;
    let names = templates::install(&mut ws, &template, &connection)?;
    println!(
        "Installed {}: link(s) {} in {}.",
        template.title,
        names.join(", "),
        ws.path().display()
    );
    let Some(confirm) = setup_salesforce else {
        if let Some(first) = names.first() {
            println!("Next: `tether link verify {first}`, then `tether sync {first}`.");
        }
        return Ok(());
    };
    let runtime = runtime()?;
    let client = runtime.block_on(client_for(&connection, &workspace.data))?;
    runtime.block_on(set_up(
        &client,
        setup::template_plan(template.name),
        confirm,
    ))?;
    let mut failed = Vec::new();
    for name in &names {
        let link = ws.link(name)?.link;
        let (describe, parents) = runtime.block_on(describe_link(&client, &link))?;
        let hidden = runtime.block_on(hidden_fields(&client, &link, &describe));
        let problems = verify_seeing(&link, &describe, &parents, ws.conn(), &hidden);
        print!("{}", render_problems(name, &problems));
        if has_errors(&problems) {
            failed.push(name.clone());
        }
    }
    if !failed.is_empty() {
        return Err(CliError::LinkProblems(format!(
            "the link(s) {} have errors: fix them and verify again",
            failed.join(", ")
        )));
    }
    if let Some(first) = names.first() {
        println!("Next: `tether sync {first}`.");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::verify::Problem;

    #[test]
    fn show_names_every_field_with_its_direction_and_policy() {
        let mut link =
            (templates::find("customer-health").expect("shipped").links)("prod").remove(0);
        link.fields[0].policy = Some(ConflictPolicy::ManualReview);
        let text = render(&link);
        for expected in [
            "Link customer-health (connection prod)",
            "Table customers (key `customer_id`) <-> Account",
            "Deletes: marked archived in `archived`",
            "Schedule: manual",
            "name",
            "<-  pull  Name  (manual review)",
            "->  push  Health_Score__c",
            "= (SELECT trend FROM customer_health_trend",
            "rows without one are not created: create_unmatched is off",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
    }

    #[test]
    fn problems_are_grouped_errors_first() {
        let problem = |severity, message: &str| Problem {
            severity,
            field: Some("Name".into()),
            message: message.into(),
            fix: "do it".into(),
        };
        let text = render_problems(
            "x",
            &[
                problem(Severity::Warning, "w1"),
                problem(Severity::Error, "e1"),
            ],
        );
        let errors = text.find("Errors (1):").expect("errors heading");
        let warnings = text.find("Warnings (1):").expect("warnings heading");
        assert!(errors < warnings, "{text}");
        assert!(text.contains("  - Name: e1\n    fix: do it"), "{text}");
        assert!(render_problems("x", &[]).contains("no problems found"));
    }
}
