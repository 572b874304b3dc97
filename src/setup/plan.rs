//! The plan a person reads and edits before anything changes in the org: each field with what
//! will be done to it.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::spec::{FieldSpec, SpecError};
use crate::salesforce::{Client, SalesforceError};

/// The permission set Tether creates (or reuses) to grant access to the fields it creates.
pub const PERMISSION_SET: &str = "Tether_Sync";
pub const PERMISSION_SET_LABEL: &str = "Tether Sync";
pub const PERMISSION_SET_DESCRIPTION: &str = "Access to the fields Tether created for its links. Assigned by Tether; profiles are left as they are.";

/// What is done to a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldAction {
    /// The org does not have it: created, then granted.
    Create,
    /// The org has it but hides it from the user (field-level security): granted only.
    Grant,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedField {
    pub object: String,
    pub spec: FieldSpec,
    pub action: FieldAction,
}

impl PlannedField {
    /// `Account.Health_Score__c`: the Tooling API's `FullName`, and FieldPermissions' `Field`.
    pub fn full_name(&self) -> String {
        format!("{}.{}", self.object, self.spec.api_name)
    }
}

/// Everything one setup creates or grants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetupPlan {
    pub fields: Vec<PlannedField>,
}

impl SetupPlan {
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The objects touched, in order.
    pub fn objects(&self) -> Vec<String> {
        let mut seen = BTreeSet::new();
        self.fields
            .iter()
            .filter(|f| seen.insert(f.object.clone()))
            .map(|f| f.object.clone())
            .collect()
    }

    /// Every spec's check, and no field twice.
    pub fn check(&self) -> Result<(), SpecError> {
        let mut seen = BTreeSet::new();
        for field in &self.fields {
            field.spec.check()?;
            if !seen.insert(field.full_name().to_ascii_lowercase()) {
                return Err(SpecError::ApiName(format!(
                    "{} (listed twice)",
                    field.full_name()
                )));
            }
        }
        Ok(())
    }

    /// Drops the fields the user already sees, and marks those the org has but hides from the
    /// user (listed by `FieldDefinition`, absent from describe) to be granted, not created.
    pub async fn settle(mut self, client: &Client) -> Result<SetupPlan, SalesforceError> {
        for object in self.objects() {
            client.forget_describe(&object);
            let describe = client.describe(&object).await?;
            self.fields.retain(|f| {
                f.object != object
                    || !describe
                        .fields
                        .iter()
                        .any(|d| d.name.eq_ignore_ascii_case(&f.spec.api_name))
            });
            if !self.fields.iter().any(|f| f.object == object) {
                continue;
            }
            let definitions = client.field_definitions(&object).await?;
            for field in self.fields.iter_mut().filter(|f| f.object == object) {
                let exists = definitions.iter().any(|d| {
                    d.qualified_api_name
                        .eq_ignore_ascii_case(&field.spec.api_name)
                });
                field.action = if exists {
                    FieldAction::Grant
                } else {
                    FieldAction::Create
                };
            }
        }
        Ok(self)
    }

    /// The plan as the CLI prints it.
    pub fn render(&self) -> String {
        if self.is_empty() {
            return "Nothing to create: the org has every field.\n".into();
        }
        let mut out = String::new();
        for object in self.objects() {
            let _ = writeln!(out, "{object}:");
            for field in self.fields.iter().filter(|f| f.object == object) {
                let what = match field.action {
                    FieldAction::Create => "create",
                    FieldAction::Grant => "grant (exists, hidden from you)",
                };
                let _ = writeln!(out, "  {what:>6}  {}", field.spec.summary());
                if !field.spec.description.is_empty() {
                    let _ = writeln!(out, "          {}", field.spec.description);
                }
            }
        }
        let _ = writeln!(
            out,
            "Then: permission set {PERMISSION_SET} (\"{PERMISSION_SET_LABEL}\") created or reused, granted read and edit on these fields, and assigned to you."
        );
        out
    }
}
