//! A record read for display: its fields by label in the layout's sections, parents by name,
//! and its related lists (child subqueries), in one query after the describes.

use std::collections::BTreeMap;

use futures_util::TryStreamExt;
use serde_json::Value;

use super::check::{as_text, create_fields};
use crate::salesforce::{Client, FieldDescribe, ObjectDescribe, SalesforceError, soql_text};

/// A parent a reference field points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parent {
    pub object: String,
    pub id: String,
    pub name: String,
}

/// One field as the record view shows and edits it.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldShown {
    pub name: String,
    pub label: String,
    pub field_type: String,
    /// The value as text, as the edit box starts.
    pub text: String,
    pub updateable: bool,
    pub createable: bool,
    /// Salesforce refuses the record without it.
    pub required: bool,
    /// Active picklist values, in describe order (empty when not a picklist).
    pub picklist: Vec<String>,
    pub parent: Option<Parent>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub heading: String,
    pub fields: Vec<FieldShown>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelatedRow {
    pub id: String,
    pub cells: Vec<String>,
}

/// A related list: children of the record through one relationship.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelatedList {
    pub label: String,
    pub object: String,
    /// Column labels.
    pub columns: Vec<String>,
    pub rows: Vec<RelatedRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecordPage {
    pub object: String,
    pub id: String,
    /// The record's name (its object's name field), or its Id when it has none.
    pub name: String,
    pub sections: Vec<Section>,
    pub related: Vec<RelatedList>,
}

impl RecordPage {
    pub fn fields(&self) -> impl Iterator<Item = &FieldShown> {
        self.sections.iter().flat_map(|s| s.fields.iter())
    }
}

/// The object's name field (`Name`, `CaseNumber`, …).
pub fn name_field(describe: &ObjectDescribe) -> Option<&str> {
    describe
        .fields
        .iter()
        .find(|f| f.flag("nameField"))
        .map(|f| f.name.as_str())
}

fn shown(field: &FieldDescribe, value: Option<&Value>) -> FieldShown {
    FieldShown {
        name: field.name.clone(),
        label: field.label.clone(),
        field_type: field.field_type.clone(),
        text: value.map(as_text).unwrap_or_default(),
        updateable: field.updateable,
        createable: field.flag("createable"),
        required: field.required_on_create(),
        picklist: field.active_picklist_values(),
        parent: None,
    }
}

/// The fields of a new record's form: required ones first.
pub async fn new_record_form(
    client: &Client,
    object: &str,
) -> Result<Vec<FieldShown>, SalesforceError> {
    let describe = client.describe(object).await?;
    Ok(create_fields(&describe)
        .into_iter()
        .map(|f| shown(f, None))
        .collect())
}

/// A layout's related list: relationship, child object, label, (column, label), rows shown.
type RelatedSpec = (String, String, String, Vec<(String, String)>, u64);

/// Layout sections as (heading, field names), compound fields as their parts.
fn layout_sections(
    layout: &Value,
    describe: &ObjectDescribe,
    labels: &mut BTreeMap<String, String>,
) -> Vec<(String, Vec<String>)> {
    let sections = layout["detailLayoutSections"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut out = Vec::new();
    for section in &sections {
        let mut names = Vec::new();
        for row in section["layoutRows"].as_array().into_iter().flatten() {
            for item in row["layoutItems"].as_array().into_iter().flatten() {
                for component in item["layoutComponents"].as_array().into_iter().flatten() {
                    if component["type"] != "Field" {
                        continue;
                    }
                    let parts = component["components"].as_array();
                    // A single field goes by the layout's label ("Account Owner"); the parts
                    // of a compound one by their own.
                    let fields: Vec<(&str, Option<&str>)> = match parts {
                        Some(parts) => parts
                            .iter()
                            .filter_map(|p| Some((p["value"].as_str()?, None)))
                            .collect(),
                        None => component["value"]
                            .as_str()
                            .map(|n| (n, item["label"].as_str().filter(|l| !l.is_empty())))
                            .into_iter()
                            .collect(),
                    };
                    for (name, label) in fields {
                        if describe.fields.iter().any(|f| f.name == name) {
                            names.push(name.to_string());
                            if let Some(label) = label {
                                labels.insert(name.to_string(), label.to_string());
                            }
                        }
                    }
                }
            }
        }
        if !names.is_empty() {
            let heading = section["heading"].as_str().unwrap_or_default().to_string();
            out.push((heading, names));
        }
    }
    if out.is_empty() {
        // No layout: every field that is not compound, in describe order.
        let names = describe
            .fields
            .iter()
            .filter(|f| !matches!(f.field_type.as_str(), "address" | "location"))
            .map(|f| f.name.clone())
            .collect();
        out.push((format!("{} Information", describe.name), names));
    }
    out
}

/// Reads record `id` of `object` for the record view.
pub async fn read_record(
    client: &Client,
    object: &str,
    id: &str,
) -> Result<RecordPage, SalesforceError> {
    let describe = client.describe(object).await?;
    let layouts = client.describe_layouts(object).await?;
    let layout = layouts["layouts"].get(0).cloned().unwrap_or(Value::Null);
    let mut labels = BTreeMap::new();
    let sections = layout_sections(&layout, &describe, &mut labels);
    let by_name: BTreeMap<&str, &FieldDescribe> = describe
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f))
        .collect();

    let mut select: Vec<String> = vec!["Id".into()];
    let own_name = name_field(&describe).map(str::to_string);
    if let Some(name) = &own_name {
        select.push(name.clone());
    }
    // Reference field → (relationship, parent object, parent's name field).
    let mut parents: BTreeMap<String, (String, String, String)> = BTreeMap::new();
    for (_, names) in &sections {
        for name in names {
            if !select.contains(name) {
                select.push(name.clone());
            }
            let Some(field) = by_name.get(name.as_str()) else {
                continue;
            };
            let Some(relationship) = field.other.get("relationshipName").and_then(Value::as_str)
            else {
                continue;
            };
            let Some(first) = field.reference_to.first() else {
                continue;
            };
            let parent_name = if field.reference_to.len() > 1 {
                "Name".to_string()
            } else {
                match client.describe(first).await {
                    Ok(parent) => match name_field(&parent) {
                        Some(n) => n.to_string(),
                        None => continue,
                    },
                    Err(_) => continue,
                }
            };
            select.push(format!("{relationship}.{parent_name}"));
            parents.insert(
                name.clone(),
                (relationship.to_string(), first.clone(), parent_name),
            );
        }
    }
    let related_specs: Vec<RelatedSpec> = layout["relatedLists"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|list| {
            let relationship = list["name"].as_str()?.to_string();
            let child = list["sobject"].as_str()?.to_string();
            let label = list["label"].as_str().unwrap_or(&relationship).to_string();
            let columns: Vec<(String, String)> = list["columns"]
                .as_array()?
                .iter()
                .filter_map(|c| {
                    let name = c["fieldApiName"].as_str().or(c["name"].as_str())?;
                    soql_text::is_field_path(name).then(|| {
                        (
                            name.to_string(),
                            c["label"].as_str().unwrap_or(name).to_string(),
                        )
                    })
                })
                .collect();
            let limit = list["limitRows"].as_u64().unwrap_or(5).clamp(1, 50);
            Some((relationship, child, label, columns, limit))
        })
        .collect();
    for (relationship, _, _, columns, limit) in &related_specs {
        let mut fields: Vec<&str> = vec!["Id"];
        fields.extend(
            columns
                .iter()
                .map(|(n, _)| n.as_str())
                .filter(|n| *n != "Id"),
        );
        select.push(format!(
            "(SELECT {} FROM {relationship} LIMIT {limit})",
            fields.join(", ")
        ));
    }
    let soql = format!(
        "SELECT {} FROM {object} WHERE Id = {}",
        select.join(", "),
        soql_text::quote(id)
    );
    let pages: Vec<_> = client.query::<Value>(&soql, None).try_collect().await?;
    let record = pages
        .into_iter()
        .flat_map(|p| p.records)
        .next()
        .ok_or_else(|| SalesforceError::Api {
            status: reqwest::StatusCode::NOT_FOUND,
            code: "NOT_FOUND".into(),
            message: format!("{object} {id} does not exist or was deleted; go back to the list"),
            fields: Vec::new(),
        })?;

    let sections = sections
        .into_iter()
        .map(|(heading, names)| Section {
            heading,
            fields: names
                .iter()
                .filter_map(|n| by_name.get(n.as_str()))
                .map(|field| {
                    let mut shown = shown(field, record.get(&field.name));
                    if let Some(label) = labels.get(&field.name) {
                        shown.label = label.clone();
                    }
                    if let Some((relationship, object, name)) = parents.get(&field.name)
                        && !shown.text.is_empty()
                    {
                        let parent_name = record[relationship.as_str()][name.as_str()]
                            .as_str()
                            .unwrap_or(&shown.text)
                            .to_string();
                        shown.parent = Some(Parent {
                            object: object.clone(),
                            id: shown.text.clone(),
                            name: parent_name,
                        });
                    }
                    shown
                })
                .collect(),
        })
        .collect();
    let related = related_specs
        .into_iter()
        .map(|(relationship, child, label, columns, _)| RelatedList {
            label,
            object: child,
            columns: columns.iter().map(|(_, l)| l.clone()).collect(),
            rows: record[relationship.as_str()]["records"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|row| RelatedRow {
                    id: row["Id"].as_str().unwrap_or_default().to_string(),
                    cells: columns
                        .iter()
                        .map(|(n, _)| as_text(&row[n.as_str()]))
                        .collect(),
                })
                .collect(),
        })
        .collect();
    let name = own_name
        .and_then(|n| record[n.as_str()].as_str().map(str::to_string))
        .unwrap_or_else(|| id.to_string());
    Ok(RecordPage {
        object: describe.name.clone(),
        id: record["Id"].as_str().unwrap_or(id).to_string(),
        name,
        sections,
        related,
    })
}
