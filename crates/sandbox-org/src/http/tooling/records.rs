//! The Tooling API's records, made from the org's schema as it is now: CustomField (the
//! custom fields, declared or added), EntityDefinition (the objects) and FieldDefinition
//! (every field of every object, whoever may read it: it is Setup data).

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::Org;
use crate::error::{ApiError, SfError};
use crate::ids;
use crate::schema::metadata::metadata_json;
use crate::schema::{FieldDef, FieldType, ObjectSchema};
use crate::store::AddedField;

pub type Record = Map<String, Value>;

/// Serials of ids derived from names start here, above any serial the org mints in order.
const DERIVED_SERIAL_BASE: u64 = 1 << 40;

/// The same id for the same name on every start: FNV-1a over the name.
fn derived_id(prefix: &str, name: &str) -> String {
    let mut hash: u64 = 0xcbf29ce484222325;
    for byte in name.to_ascii_lowercase().bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x100000001b3);
    }
    ids::mint(prefix, DERIVED_SERIAL_BASE + hash % DERIVED_SERIAL_BASE)
}

/// What other records call an object: its name when standard, its CustomObject id when custom.
pub fn entity_id(object: &ObjectSchema) -> String {
    if object.name.ends_with("__c") {
        derived_id("01I", &object.name)
    } else {
        object.name.clone()
    }
}

fn attributes(kind: &str, id: &str, v: &str) -> Value {
    json!({"type": kind, "url": format!("/services/data/{v}/tooling/sobjects/{kind}/{id}")})
}

fn record(pairs: Vec<(&str, Value)>) -> Record {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn developer_name(api_name: &str) -> &str {
    api_name.strip_suffix("__c").unwrap_or(api_name)
}

fn storage_failure(e: SfError) -> ApiError {
    ApiError::from_errors(axum::http::StatusCode::INTERNAL_SERVER_ERROR, vec![e])
}

/// The keys of a CustomField record, in the order it is answered.
pub const CUSTOM_FIELD_COLUMNS: &[&str] = &[
    "attributes",
    "Id",
    "DeveloperName",
    "TableEnumOrId",
    "NamespacePrefix",
    "ManageableState",
    "Description",
    "InlineHelpText",
    "Length",
    "Precision",
    "Scale",
    "CreatedDate",
    "LastModifiedDate",
    "FullName",
    "Metadata",
];

/// Every custom field of the org, in object then field order.
pub fn custom_fields(org: &Org, v: &str) -> Result<Vec<Record>, ApiError> {
    let added: HashMap<(String, String), AddedField> = org
        .store
        .added_fields()
        .map_err(storage_failure)?
        .into_iter()
        .map(|f| {
            (
                (f.object.to_ascii_lowercase(), f.name.to_ascii_lowercase()),
                f,
            )
        })
        .collect();
    let schema = org.schema();
    let mut out = Vec::new();
    for object in schema.objects() {
        for field in object
            .fields
            .iter()
            .filter(|f| f.custom && f.name.ends_with("__c"))
        {
            let full_name = format!("{}.{}", object.name, field.name);
            let key = (
                object.name.to_ascii_lowercase(),
                field.name.to_ascii_lowercase(),
            );
            let stored = added.get(&key);
            let id = stored
                .map(|f| f.id.clone())
                .unwrap_or_else(|| derived_id(crate::store::CUSTOM_FIELD_PREFIX, &full_name));
            let created = stored
                .map(|f| crate::store::stamp(f.created_ms))
                .unwrap_or(Value::Null);
            let field_metadata = metadata_json(field, stored.map(|f| &f.metadata));
            out.push(record(vec![
                ("attributes", attributes("CustomField", &id, v)),
                ("Id", json!(id)),
                ("DeveloperName", json!(developer_name(&field.name))),
                ("TableEnumOrId", json!(entity_id(object))),
                ("NamespacePrefix", Value::Null),
                ("ManageableState", json!("unmanaged")),
                ("Description", field_metadata["description"].clone()),
                ("InlineHelpText", field_metadata["inlineHelpText"].clone()),
                ("Length", json!(field.length)),
                ("Precision", json!(field.precision)),
                ("Scale", json!(field.scale)),
                ("CreatedDate", created.clone()),
                ("LastModifiedDate", created),
                ("FullName", json!(full_name)),
                ("Metadata", field_metadata),
            ]));
        }
    }
    Ok(out)
}

pub fn entity_definitions(org: &Org, v: &str) -> Vec<Record> {
    org.schema()
        .objects()
        .map(|object| {
            let durable = entity_id(object);
            record(vec![
                ("attributes", attributes("EntityDefinition", &durable, v)),
                ("Id", json!(format!("000000000000000AAA"))),
                ("DurableId", json!(durable)),
                ("QualifiedApiName", json!(object.name)),
                ("DeveloperName", json!(developer_name(&object.name))),
                ("Label", json!(object.label)),
                ("KeyPrefix", json!(object.key_prefix)),
                ("NamespacePrefix", Value::Null),
                ("IsCustomizable", json!(object.createable || object.custom)),
                ("IsQueryable", json!(object.queryable)),
            ])
        })
        .collect()
}

/// Setup's name of a field's type: `Text(80)`, `Number(3, 2)`, `Lookup(Account)`.
fn data_type(field: &FieldDef) -> String {
    use FieldType::*;
    let number = |name: &str, precision: u32, scale: u32| {
        format!("{name}({}, {scale})", precision.saturating_sub(scale))
    };
    match field.kind {
        Id => "Lookup()".to_string(),
        Reference => format!("Lookup({})", field.reference_to.join(",")),
        String => format!("Text({})", field.length),
        EncryptedString => format!("Text (Encrypted)({})", field.length),
        Textarea if field.length > 255 => format!("Long Text Area({})", field.length),
        Textarea => format!("Text Area({})", field.length),
        Double => number("Number", field.precision, field.scale),
        Int | Long => format!("Number({}, 0)", field.digits.max(field.precision)),
        Currency => number("Currency", field.precision, field.scale),
        Percent => number("Percent", field.precision, field.scale),
        Boolean => "Checkbox".to_string(),
        Date => "Date".to_string(),
        DateTime => "Date/Time".to_string(),
        Time => "Time".to_string(),
        Email => "Email".to_string(),
        Phone => "Phone".to_string(),
        Url => format!("URL({})", field.length),
        Picklist | Combobox => "Picklist".to_string(),
        Multipicklist => "Picklist (Multi-Select)".to_string(),
        Address => "Address".to_string(),
        Location => "Geolocation".to_string(),
        Base64 => "File".to_string(),
        AnyType => "Any".to_string(),
    }
}

pub fn field_definitions(org: &Org, v: &str) -> Vec<Record> {
    let schema = org.schema();
    let mut out = Vec::new();
    for object in schema.objects() {
        let entity = entity_id(object);
        for field in &object.fields {
            let durable = format!("{entity}.{}", field.name);
            out.push(record(vec![
                ("attributes", attributes("FieldDefinition", &durable, v)),
                ("Id", json!(format!("000000000000000AAA"))),
                ("DurableId", json!(durable)),
                ("QualifiedApiName", json!(field.name)),
                ("DeveloperName", json!(developer_name(&field.name))),
                ("Label", json!(field.label)),
                ("DataType", json!(data_type(field))),
                ("Length", json!(field.length)),
                ("Precision", json!(field.precision)),
                ("Scale", json!(field.scale)),
                ("IsNillable", json!(field.nillable)),
                ("IsCalculated", json!(field.calculated)),
                ("IsNameField", json!(field.name_field)),
                ("NamespacePrefix", Value::Null),
                ("EntityDefinitionId", json!(entity)),
                (
                    "EntityDefinition",
                    json!({
                        "attributes": attributes("EntityDefinition", &entity, v),
                        "QualifiedApiName": object.name,
                        "DurableId": entity,
                        "DeveloperName": developer_name(&object.name),
                        "Label": object.label,
                        "KeyPrefix": object.key_prefix,
                    }),
                ),
            ]));
        }
    }
    out
}
