//! Standard objects with no recorded describe of their own: Task, Campaign, CampaignMember,
//! Product2, Pricebook2, PricebookEntry, OpportunityLineItem and RecordType.
//!
//! Their fields, types and relationships are those of Salesforce's object reference, listed in
//! `assets/salesforce/standard-objects.json`. Their describes are built from recorded ones so
//! that every key a client reads is there: Task starts from the recorded Event (the two share
//! their activity fields and relationships), the others from the recorded Account's object
//! keys and system fields, and every added field from a recorded field's keys.

use serde::Deserialize;
use serde_json::{Value, json};

use super::declared::{
    CustomFieldSpec, CustomObjectSpec, clone_global_entry, clone_object_describe, custom_field_json,
};
use super::{FieldType, Schema, SchemaError};

const STANDARD_OBJECTS: &str = include_str!("../../../../assets/salesforce/standard-objects.json");
/// The setup objects that hold who may see and change what: profiles, permission sets, their
/// assignments and their object and field permissions.
const SETUP_OBJECTS: &str = include_str!("setup-objects.json");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    objects: Vec<ObjectSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ObjectSpec {
    name: String,
    label: String,
    label_plural: String,
    key_prefix: String,
    /// A recorded object whose describe this one starts from (its fields included).
    #[serde(default)]
    from: Option<String>,
    /// Fields of `from` this object does not have.
    #[serde(default)]
    drop: Vec<String>,
    #[serde(default)]
    owner: bool,
    #[serde(default)]
    name_field: bool,
    #[serde(default)]
    name_read_only: bool,
    #[serde(default)]
    read_only: bool,
    fields: Vec<FieldSpec>,
    /// `[child object, lookup field, relationship name, cascade delete]`.
    #[serde(default)]
    children: Vec<(String, String, String, bool)>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct FieldSpec {
    name: String,
    label: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    length: Option<u32>,
    #[serde(default)]
    precision: Option<u32>,
    #[serde(default)]
    scale: Option<u32>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    unique: bool,
    #[serde(default)]
    external_id: bool,
    #[serde(default)]
    picklist: Vec<String>,
    #[serde(default)]
    default_pick: Option<String>,
    #[serde(default)]
    restricted: bool,
    #[serde(default)]
    reference_to: Vec<String>,
    #[serde(default)]
    relationship_name: Option<String>,
    #[serde(default)]
    read_only: bool,
    #[serde(default)]
    create_only: bool,
    #[serde(default)]
    cascade_delete: bool,
    #[serde(default)]
    custom: bool,
}

fn damaged(name: &str, what: impl Into<String>) -> SchemaError {
    SchemaError::Recorded(name.to_string(), what.into())
}

fn field_json(template: &Value, spec: &FieldSpec) -> Result<Value, SchemaError> {
    let kind = FieldType::parse(&spec.kind)
        .ok_or_else(|| damaged(&spec.name, format!("unknown field type {}", spec.kind)))?;
    let declared = CustomFieldSpec {
        name: spec.name.clone(),
        label: spec.label.clone(),
        kind: spec.kind.clone(),
        length: spec.length,
        precision: spec.precision,
        scale: spec.scale,
        required: spec.required,
        unique: spec.unique,
        external_id: spec.external_id,
        case_sensitive: false,
        picklist: spec.picklist.clone(),
        restricted: spec.restricted,
        reference_to: spec.reference_to.first().cloned(),
        relationship_name: spec.relationship_name.clone(),
        default_value: None,
        read_only: spec.read_only,
        inline_help_text: None,
        picklist_values: Vec::new(),
    };
    let mut f = custom_field_json(template, &declared, kind);
    f["custom"] = json!(spec.custom);
    f["referenceTo"] = json!(spec.reference_to);
    f["polymorphicForeignKey"] = json!(spec.reference_to.len() > 1);
    f["cascadeDelete"] = json!(spec.cascade_delete);
    if spec.cascade_delete {
        f["relationshipOrder"] = json!(0);
    }
    if spec.create_only {
        f["createable"] = json!(true);
        f["updateable"] = json!(false);
    }
    if spec.read_only && kind == FieldType::Boolean {
        f["defaultedOnCreate"] = json!(true);
    }
    if let Some(default) = &spec.default_pick {
        f["defaultedOnCreate"] = json!(true);
        if let Some(values) = f["picklistValues"].as_array_mut() {
            for v in values.iter_mut() {
                v["defaultValue"] = json!(v["value"] == *default);
            }
        }
    }
    Ok(f)
}

fn child_json(template: &Value, child: &(String, String, String, bool)) -> Value {
    let mut c = template.clone();
    c["childSObject"] = json!(child.0);
    c["field"] = json!(child.1);
    c["relationshipName"] = json!(child.2);
    c["cascadeDelete"] = json!(child.3);
    c
}

/// The describe and global entry of every object of the list, built on `schema`'s recorded ones.
pub(super) fn objects(
    schema: &Schema,
    global_entries: &[Value],
) -> Result<Vec<(Value, Value)>, SchemaError> {
    let mut file: File = serde_json::from_str(STANDARD_OBJECTS)?;
    let setup: File = serde_json::from_str(SETUP_OBJECTS)?;
    file.objects.extend(setup.objects);
    let account = schema
        .object("Account")
        .ok_or_else(|| damaged("Account", "no recorded describe"))?;
    let account_entry = global_entries
        .iter()
        .find(|e| e["name"] == "Account")
        .cloned()
        .unwrap_or(Value::Null);
    let field_template = account
        .describe
        .get("fields")
        .and_then(Value::as_array)
        .and_then(|a| a.iter().find(|f| f["name"] == "Name"))
        .cloned()
        .ok_or_else(|| damaged("Account", "no Name field"))?;
    let child_template = account.describe["childRelationships"]
        .get(0)
        .cloned()
        .ok_or_else(|| damaged("Account", "no child relationships"))?;
    let mut out = Vec::with_capacity(file.objects.len());
    for spec in &file.objects {
        let declared = CustomObjectSpec {
            name: spec.name.clone(),
            label: spec.label.clone(),
            label_plural: spec.label_plural.clone(),
            key_prefix: spec.key_prefix.clone(),
            custom: false,
            name_field: spec.name_field,
            read_only: spec.read_only,
            fields: Vec::new(),
        };
        let mut describe = clone_object_describe(account, &declared);
        // A standard object advertises the links of the recorded Account, under its own name.
        if let (Some(urls), Some(recorded)) = (
            describe["urls"].as_object_mut(),
            account.describe["urls"].as_object(),
        ) {
            for (key, url) in recorded {
                if let (false, Some(text)) = (urls.contains_key(key), url.as_str()) {
                    let own =
                        text.replace("/sobjects/Account", &format!("/sobjects/{}", spec.name));
                    urls.insert(key.clone(), json!(own));
                }
            }
        }
        let mut children = Vec::new();
        if let Some(from) = &spec.from {
            let base = schema
                .object(from)
                .ok_or_else(|| damaged(from, "no recorded describe"))?;
            let mut fields = base.describe["fields"].clone();
            if let Some(a) = fields.as_array_mut() {
                a.retain(|f| !spec.drop.iter().any(|d| f["name"] == d.as_str()));
                for f in a.iter_mut().filter(|f| f["name"] == "Id") {
                    f["label"] = json!(format!("{} ID", spec.label));
                }
            }
            describe["fields"] = fields;
            // The parent's own children, minus its self-relationships, which the list names.
            if let Some(a) = base.describe["childRelationships"].as_array() {
                children.extend(
                    a.iter()
                        .filter(|c| c["childSObject"] != from.as_str())
                        .cloned(),
                );
            }
        }
        let fields = describe["fields"]
            .as_array_mut()
            .ok_or_else(|| damaged(&spec.name, "no fields"))?;
        let owner = account.describe["fields"]
            .as_array()
            .and_then(|a| a.iter().find(|f| f["name"] == "OwnerId"))
            .cloned();
        if let (true, Some(owner)) = (spec.owner, owner) {
            fields.insert(1, owner);
        }
        for f in fields.iter_mut().filter(|f| f["name"] == "Name") {
            if spec.name_read_only {
                f["createable"] = json!(false);
                f["updateable"] = json!(false);
            }
        }
        for field in &spec.fields {
            fields.push(field_json(&field_template, field)?);
        }
        children.extend(spec.children.iter().map(|c| child_json(&child_template, c)));
        describe["childRelationships"] = Value::Array(children);
        if spec.from.is_some() {
            for key in [
                "recordTypeInfos",
                "namedLayoutInfos",
                "actionOverrides",
                "supportedScopes",
            ] {
                describe[key] = json!([]);
            }
        }
        let mut entry = global_entries
            .iter()
            .find(|e| e["name"] == spec.name.as_str())
            .cloned()
            .unwrap_or_else(|| clone_global_entry(&account_entry, &declared));
        entry["keyPrefix"] = json!(spec.key_prefix);
        if spec.read_only {
            for flag in ["createable", "updateable", "deletable", "undeletable"] {
                entry[flag] = json!(false);
            }
        }
        out.push((describe, entry));
    }
    Ok(out)
}
