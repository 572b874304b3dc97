//! The Tooling API's describes: the global list of its objects, and each object's fields,
//! for the three objects the sandbox org answers.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::records::{self, Record};
use super::{AppState, Org, api_version, not_found};
use crate::error::ApiResult;
use crate::http::auth::Session;

/// `(name, label, plural label, key prefix)` of the objects the Tooling API answers here.
const OBJECTS: &[(&str, &str, &str, Option<&str>)] = &[
    ("CustomField", "Custom Field", "Custom Fields", Some("00N")),
    (
        "EntityDefinition",
        "Entity Definition",
        "Entity Definitions",
        None,
    ),
    (
        "FieldDefinition",
        "Field Definition",
        "Field Definitions",
        None,
    ),
];

fn global_entry(object: &(&str, &str, &str, Option<&str>), v: &str) -> Value {
    let (name, label, plural, prefix) = *object;
    let creatable = name == "CustomField";
    let url = |tail: &str| format!("/services/data/{v}/tooling/sobjects/{name}{tail}");
    json!({
        "name": name,
        "label": label,
        "labelPlural": plural,
        "keyPrefix": prefix,
        "custom": false,
        "createable": creatable,
        "updateable": false,
        "deletable": creatable,
        "queryable": true,
        "retrieveable": true,
        "searchable": false,
        "layoutable": false,
        "urls": {
            "sobject": url(""),
            "describe": url("/describe"),
            "rowTemplate": url("/{ID}"),
        },
    })
}

pub async fn global(Path(v): Path<String>, _session: Session) -> ApiResult<Response> {
    api_version(&v)?;
    let sobjects: Vec<Value> = OBJECTS.iter().map(|o| global_entry(o, &v)).collect();
    Ok(
        axum::Json(json!({"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": sobjects}))
            .into_response(),
    )
}

pub async fn custom_field_info(Path(v): Path<String>, _session: Session) -> ApiResult<Response> {
    api_version(&v)?;
    Ok(
        axum::Json(json!({"objectDescribe": global_entry(&OBJECTS[0], &v), "recentItems": []}))
            .into_response(),
    )
}

fn field_type(value: &Value, name: &str) -> &'static str {
    match value {
        _ if name == "Id" => "id",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "int",
        Value::Object(_) if name == "Metadata" => "complexvalue",
        Value::Object(_) => "reference",
        _ if name.ends_with("Date") => "datetime",
        _ => "string",
    }
}

pub async fn object(
    State(state): State<AppState>,
    Path((v, name)): Path<(String, String)>,
    _session: Session,
) -> ApiResult<Response> {
    api_version(&v)?;
    Ok(object_describe(&state.org, &v, &name))
}

pub fn object_describe(org: &Org, v: &str, name: &str) -> Response {
    let Some(object) = OBJECTS.iter().find(|o| o.0.eq_ignore_ascii_case(name)) else {
        return not_found();
    };
    let template: Record = match object.0 {
        "CustomField" => records::CUSTOM_FIELD_COLUMNS
            .iter()
            .map(|key| {
                (
                    key.to_string(),
                    if *key == "Metadata" {
                        json!({})
                    } else {
                        Value::Null
                    },
                )
            })
            .collect(),
        "EntityDefinition" => records::entity_definitions(org, v)
            .into_iter()
            .next()
            .unwrap_or_default(),
        _ => records::field_definitions(org, v)
            .into_iter()
            .next()
            .unwrap_or_default(),
    };
    let fields: Vec<Value> = template
        .iter()
        .filter(|(k, _)| k.as_str() != "attributes")
        .map(|(name, value)| {
            json!({
                "name": name,
                "label": name,
                "type": field_type(value, name),
                "nillable": name != "Id",
                "createable": object.0 == "CustomField" && matches!(name.as_str(), "FullName" | "Metadata"),
                "updateable": object.0 == "CustomField" && name == "Metadata",
                "filterable": name != "Metadata",
                "custom": false,
            })
        })
        .collect();
    let mut describe = global_entry(object, v);
    describe["fields"] = Value::Array(fields);
    describe["childRelationships"] = json!([]);
    axum::Json(describe).into_response()
}
