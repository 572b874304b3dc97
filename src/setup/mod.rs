//! Setting Salesforce up for a link: the custom fields it needs that the org lacks, specs
//! derived from the local table (or the template's), a plan the person edits, and its
//! execution through the Tooling API with a permission set that grants the fields. Or, for a
//! user who may not customise the org, a package to hand to one who may. Nothing here draws: the
//! CLI and the window both drive it.

mod derive;
mod execute;
mod package;
mod plan;
mod spec;
mod template_fields;
#[cfg(test)]
mod tests;

pub use derive::{Source, case_results, derive_spec, missing_fields};
pub use execute::{SetupError, Step, WAIT_LIMIT, execute, may_customize, wait_until_visible};
pub use package::{PACKAGE_API_VERSION, package_files, package_zip, setup_steps};
pub use plan::{FieldAction, PERMISSION_SET, PERMISSION_SET_LABEL, PlannedField, SetupPlan};
pub use spec::{FieldSpec, FieldType, SpecError, label_from_api_name, parse_specs};

/// True when creating (or granting) a field fixes `problem`: a custom field the org lacks, or
/// has but hides from the user.
pub fn fixes(problem: &crate::sync::verify::Problem) -> bool {
    let missing = problem.message.contains("has no field")
        || problem
            .message
            .contains("is hidden from you by field-level security");
    missing && problem.field.as_deref().is_some_and(|f| f.ends_with("__c"))
}

/// Every custom field the template's links need, to be settled against the org (which drops
/// those it has).
pub fn template_plan(template: &str) -> SetupPlan {
    SetupPlan {
        fields: template_fields::fields(template)
            .into_iter()
            .map(|(object, spec)| PlannedField {
                object: object.to_string(),
                spec,
                action: FieldAction::Create,
            })
            .collect(),
    }
}

/// The plan of a `--spec` file's fields on `object`.
pub fn object_plan(object: &str, specs: Vec<FieldSpec>) -> SetupPlan {
    SetupPlan {
        fields: specs
            .into_iter()
            .map(|spec| PlannedField {
                object: object.to_string(),
                spec,
                action: FieldAction::Create,
            })
            .collect(),
    }
}
