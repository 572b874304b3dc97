//! `tether fields create`, and the setup that `tether link verify --create-missing` and
//! `tether link template --setup-salesforce` share: show the plan, check the permission,
//! ask, create, grant, wait.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::CliError;
use super::connect::runtime;
use super::query::client_for;
use super::workspace::WorkspaceArg;
use crate::salesforce::Client;
use crate::setup::{self, SetupError, SetupPlan};

#[derive(Debug, Clone, Args)]
pub struct FieldsArgs {
    #[command(subcommand)]
    pub command: FieldsCommand,
    #[command(flatten)]
    pub workspace: WorkspaceArg,
}

#[derive(Debug, Clone, Subcommand)]
pub enum FieldsCommand {
    /// Create custom fields on an object from a spec file (a JSON list such as
    /// `[{"apiName":"Health_Score__c","label":"Health Score","type":"Number","precision":5,"scale":2}]`),
    /// grant them through the permission set Tether_Sync and assign it to you.
    Create {
        /// The connection whose org gets the fields (see `tether connections`).
        #[arg(long, value_name = "NAME")]
        connection: String,
        /// The object's API name, e.g. `Account`.
        #[arg(long, value_name = "OBJECT")]
        object: String,
        /// The JSON list of fields: apiName, label, type (Text, TextArea, LongTextArea, Number,
        /// Currency, Percent, Checkbox, Date, DateTime, Email, Phone, Url, Picklist,
        /// MultiselectPicklist), length, precision, scale, externalId, unique, required,
        /// picklistValues, description, helpText.
        #[arg(long, value_name = "FILE")]
        spec: PathBuf,
        #[command(flatten)]
        confirm: ConfirmArgs,
    },
}

/// How a setup is confirmed, and where its package goes when the user may not carry it out.
#[derive(Debug, Clone, Args)]
pub struct ConfirmArgs {
    /// Create without asking (needed without a terminal).
    #[arg(long)]
    pub yes: bool,
    /// Where to write the package for an admin when you may not customise the org
    /// (default: tether-setup.zip in the current folder).
    #[arg(long, value_name = "FILE")]
    pub package: Option<PathBuf>,
    /// Create nothing: write the plan as spec files to edit (FILE for one object, FILE with
    /// the object's name added for several), then create them with `tether fields create`.
    #[arg(long, value_name = "FILE")]
    pub save_plan: Option<PathBuf>,
}

pub fn run(args: FieldsArgs) -> Result<(), CliError> {
    match args.command {
        FieldsCommand::Create {
            connection,
            object,
            spec,
            confirm,
        } => {
            let text = std::fs::read_to_string(&spec).map_err(|e| {
                CliError::Usage(format!(
                    "cannot read {}: {e}. Check the path",
                    spec.display()
                ))
            })?;
            let specs = setup::parse_specs(&text)
                .map_err(|e| CliError::Usage(format!("{}: {e}", spec.display())))?;
            let plan = setup::object_plan(&object, specs);
            runtime()?.block_on(async {
                let client = client_for(&connection, &args.workspace.data).await?;
                set_up(&client, plan, &confirm).await.map(drop)
            })
        }
    }
}

fn salesforce(e: impl std::fmt::Display) -> CliError {
    CliError::Salesforce(e.to_string())
}

/// Settles the plan against the org, shows it, checks the permission (writing the package for
/// an admin when it is missing), asks unless `--yes`, then carries it out, printing each step.
/// False when there was nothing to do.
pub(super) async fn set_up(
    client: &Client,
    plan: SetupPlan,
    confirm: &ConfirmArgs,
) -> Result<bool, CliError> {
    let plan = plan.settle(client).await.map_err(salesforce)?;
    if plan.is_empty() {
        println!("Nothing to create: the org has every field and shows it to you.");
        return Ok(false);
    }
    print!("{}", plan.render());
    if let Some(path) = &confirm.save_plan {
        save_plan(&plan, path)?;
        return Ok(false);
    }
    plan.check().map_err(|e| {
        CliError::Usage(format!(
            "{e}. Save the plan with --save-plan FILE, correct it there, and create it with `tether fields create`"
        ))
    })?;
    if !setup::may_customize(client).await.map_err(salesforce)? {
        let path = confirm
            .package
            .clone()
            .unwrap_or_else(|| PathBuf::from("tether-setup.zip"));
        write_package(&plan, &path)?;
        println!("\nSetup steps for an admin:\n{}", setup::setup_steps(&plan));
        return Err(CliError::Refused(format!(
            "{}. The package is in {} and the same steps are printed above",
            SetupError::NotPermitted,
            path.display()
        )));
    }
    if !confirm.yes && !ask("Create these fields and grant them to you?")? {
        println!("Nothing was created.");
        return Ok(false);
    }
    setup::execute(client, &plan, |step| println!("  ✓ {step}"))
        .await
        .map_err(|e| CliError::Sync(e.to_string()))?;
    Ok(true)
}

/// Writes each object's fields as a spec file `tether fields create` reads.
fn save_plan(plan: &SetupPlan, path: &Path) -> Result<(), CliError> {
    let objects = plan.objects();
    for object in &objects {
        let file = if objects.len() == 1 {
            path.to_path_buf()
        } else {
            let stem = path.file_stem().unwrap_or_default().to_string_lossy();
            path.with_file_name(format!("{stem}.{object}.json"))
        };
        let specs: Vec<_> = plan
            .fields
            .iter()
            .filter(|f| &f.object == object)
            .map(|f| &f.spec)
            .collect();
        let text = serde_json::to_string_pretty(&specs).unwrap_or_default();
        std::fs::write(&file, text + "\n").map_err(|e| {
            CliError::Usage(format!(
                "cannot write the plan to {}: {e}. Choose another --save-plan",
                file.display()
            ))
        })?;
        println!(
            "Saved the fields of {object} to {}: edit them, then `tether fields create --connection NAME --object {object} --spec {}`.",
            file.display(),
            file.display()
        );
    }
    Ok(())
}

fn write_package(plan: &SetupPlan, path: &Path) -> Result<(), CliError> {
    setup::package_zip(plan)
        .and_then(|bytes| std::fs::write(path, bytes))
        .map_err(|e| {
            CliError::Usage(format!(
                "cannot write the package to {}: {e}. Choose another --package",
                path.display()
            ))
        })
}

/// Asks on the terminal; without one, refuses and says to add `--yes`.
fn ask(question: &str) -> Result<bool, CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Usage(
            "nothing was created: there is no terminal to ask on. Read the plan above, then run again with --yes to create it".into(),
        ));
    }
    eprint!("{question} [y/N] ");
    std::io::stderr().flush().ok();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| {
            CliError::Usage(format!(
                "cannot read the answer ({e}); run again with --yes"
            ))
        })?;
    Ok(matches!(answer.trim().to_lowercase().as_str(), "y" | "yes"))
}
