//! The field explorer's data: every field of an object as describe gives it to the signed-in
//! user, with the user's field-level access, plus the fields Setup lists that describe hides
//! from the user.

use std::sync::Arc;

use anyhow::Context;
use serde_json::Value;

use super::service::Service;
use super::*;
use crate::salesforce::{FieldDefinition, FieldDescribe, ObjectDescribe};

/// What the signed-in user may do with a field, by field-level security.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FieldAccess {
    /// The org has the field, but no permission set of the user grants read on it.
    Hidden,
    Read,
    Edit,
}

impl FieldAccess {
    pub fn text(self) -> &'static str {
        match self {
            FieldAccess::Hidden => "hidden from you",
            FieldAccess::Read => "read",
            FieldAccess::Edit => "read, edit",
        }
    }
}

/// One picklist value, active or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PicklistValue {
    pub value: String,
    pub active: bool,
}

/// One field as the explorer lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExploredField {
    pub name: String,
    pub label: String,
    /// Describe's type (`string`, `double`, …); Setup's for a hidden field.
    pub field_type: String,
    pub length: Option<u32>,
    pub precision: Option<u32>,
    pub scale: Option<u32>,
    pub picklist_values: Vec<PicklistValue>,
    pub required: bool,
    pub external_id: bool,
    pub unique: bool,
    pub formula: Option<String>,
    pub help_text: Option<String>,
    pub access: FieldAccess,
}

impl ExploredField {
    /// Whether the field matches what was typed in the search box: any of its words, without
    /// case.
    pub fn matches(&self, search: &str) -> bool {
        let search = search.trim().to_lowercase();
        if search.is_empty() {
            return true;
        }
        [
            self.name.as_str(),
            self.label.as_str(),
            self.field_type.as_str(),
            self.help_text.as_deref().unwrap_or_default(),
            self.access.text(),
        ]
        .iter()
        .any(|text| text.to_lowercase().contains(&search))
            || self
                .picklist_values
                .iter()
                .any(|v| v.value.to_lowercase().contains(&search))
    }
}

fn text_of(field: &FieldDescribe, key: &str) -> Option<String> {
    field
        .other
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn number_of(field: &FieldDescribe, key: &str) -> Option<u32> {
    field
        .other
        .get(key)
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n > 0)
}

/// A describe field with the user's access: edit when it may be created or updated.
pub fn explored(field: &FieldDescribe) -> ExploredField {
    let createable = field.flag("createable");
    let picklist_values = field
        .other
        .get("picklistValues")
        .and_then(Value::as_array)
        .map(|values| {
            values
                .iter()
                .filter_map(|v| {
                    Some(PicklistValue {
                        value: v.get("value")?.as_str()?.to_string(),
                        active: v.get("active").and_then(Value::as_bool).unwrap_or(true),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    ExploredField {
        name: field.name.clone(),
        label: field.shown_label(),
        field_type: field.field_type.clone(),
        length: (field.length > 0).then_some(field.length),
        precision: number_of(field, "precision"),
        scale: number_of(field, "scale"),
        picklist_values,
        required: field.required_on_create(),
        external_id: field.external_id,
        unique: field.flag("unique"),
        formula: text_of(field, "calculatedFormula"),
        help_text: text_of(field, "inlineHelpText"),
        access: if field.updateable || createable {
            FieldAccess::Edit
        } else {
            FieldAccess::Read
        },
    }
}

/// Every field of `describe`, then those Setup lists that describe leaves out (hidden from
/// the user), sorted by label.
pub fn explored_fields(
    describe: &ObjectDescribe,
    definitions: &[FieldDefinition],
) -> Vec<ExploredField> {
    let mut fields: Vec<ExploredField> = describe.fields.iter().map(explored).collect();
    for definition in definitions {
        let name = &definition.qualified_api_name;
        if fields.iter().any(|f| f.name.eq_ignore_ascii_case(name)) {
            continue;
        }
        fields.push(ExploredField {
            name: name.clone(),
            label: definition.label.clone().unwrap_or_else(|| name.clone()),
            field_type: definition.data_type.clone().unwrap_or_default(),
            length: definition.length.filter(|n| *n > 0),
            precision: None,
            scale: None,
            picklist_values: Vec::new(),
            required: false,
            external_id: false,
            unique: false,
            formula: None,
            help_text: None,
            access: FieldAccess::Hidden,
        });
    }
    fields.sort_by(|a, b| {
        a.label
            .to_lowercase()
            .cmp(&b.label.to_lowercase())
            .then_with(|| a.name.cmp(&b.name))
    });
    fields
}

impl Service {
    pub(super) async fn explore_fields(
        self: &Arc<Self>,
        connection: &str,
        object: &str,
    ) -> anyhow::Result<()> {
        let client = self.client(connection).await?;
        let describe = client.describe(object).await.with_context(|| {
            format!("Salesforce did not describe `{object}`; check the object's API name and that you can read it")
        })?;
        // Setup's list needs the View Setup permission; without it the explorer shows what
        // describe gives, and cannot name hidden fields.
        let definitions = client
            .field_definitions(object)
            .await
            .inspect_err(|e| tracing::debug!("Setup's field list of {object}: {e}"))
            .unwrap_or_default();
        self.outbox.send(Event::FieldCatalog {
            connection: connection.to_string(),
            object: object.to_string(),
            fields: explored_fields(&describe, &definitions),
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn describe() -> ObjectDescribe {
        serde_json::from_value(json!({
            "name": "Account",
            "fields": [
                {"name": "Name", "type": "string", "label": "Account Name", "length": 255,
                 "nillable": false, "updateable": true, "createable": true},
                {"name": "Health_Score__c", "type": "double", "label": "Health Score",
                 "nillable": true, "updateable": false, "createable": false,
                 "precision": 5, "scale": 2, "inlineHelpText": "0 to 100"},
                {"name": "Tier__c", "type": "picklist", "label": "Tier", "nillable": true,
                 "updateable": true, "createable": true, "unique": false,
                 "picklistValues": [{"value": "Gold", "active": true},
                                    {"value": "Tin", "active": false}]},
                {"name": "Score_Band__c", "type": "string", "label": "Score Band",
                 "nillable": true, "calculated": true,
                 "calculatedFormula": "IF(Health_Score__c > 50, 'high', 'low')"}
            ]
        }))
        .unwrap()
    }

    fn definition(name: &str, label: &str) -> FieldDefinition {
        FieldDefinition {
            qualified_api_name: name.into(),
            label: Some(label.into()),
            data_type: Some("Text(80)".into()),
            length: Some(80),
        }
    }

    #[test]
    fn fields_carry_their_facts_and_the_users_access() {
        let definitions = [
            definition("Name", "Account Name"),
            definition("Secret_Margin__c", "Secret Margin"),
        ];
        let fields = explored_fields(&describe(), &definitions);
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Name",
                "Health_Score__c",
                "Score_Band__c",
                "Secret_Margin__c",
                "Tier__c"
            ]
        );
        let by = |name: &str| fields.iter().find(|f| f.name == name).unwrap();
        assert!(by("Name").required);
        assert_eq!(by("Name").access, FieldAccess::Edit);
        let score = by("Health_Score__c");
        assert_eq!(score.access, FieldAccess::Read);
        assert_eq!((score.precision, score.scale), (Some(5), Some(2)));
        assert_eq!(score.help_text.as_deref(), Some("0 to 100"));
        assert_eq!(
            by("Tier__c").picklist_values,
            [
                PicklistValue {
                    value: "Gold".into(),
                    active: true
                },
                PicklistValue {
                    value: "Tin".into(),
                    active: false
                }
            ]
        );
        assert!(
            by("Score_Band__c")
                .formula
                .as_deref()
                .unwrap()
                .starts_with("IF(")
        );
        assert_eq!(by("Secret_Margin__c").access, FieldAccess::Hidden);
    }

    #[test]
    fn search_finds_names_labels_types_values_and_access() {
        let fields = explored_fields(&describe(), &[definition("Secret_Margin__c", "Margin")]);
        let found = |search: &str| -> Vec<String> {
            fields
                .iter()
                .filter(|f| f.matches(search))
                .map(|f| f.name.clone())
                .collect()
        };
        assert_eq!(found("health"), ["Health_Score__c"]);
        assert_eq!(found("TIN"), ["Tier__c"]);
        assert_eq!(found("hidden"), ["Secret_Margin__c"]);
        assert_eq!(found("  ").len(), fields.len());
    }
}
