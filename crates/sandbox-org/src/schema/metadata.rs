//! A custom field as the Tooling and Metadata APIs describe it (`FullName` `Account.X__c` and a
//! `Metadata` object with `type`, `length`, `precision`...), checked as Salesforce checks it
//! and made into the schema file's [`CustomFieldSpec`].

use serde_json::{Value, json};

use super::{CustomFieldSpec, FieldDef, FieldType, PicklistValue};
use crate::error::SfError;

/// Longest developer name of a custom field, without its `__c`.
pub const MAX_DEVELOPER_NAME: usize = 40;
const INTEGRITY: &str = "FIELD_INTEGRITY_EXCEPTION";

/// `Account.Health_Score__c` split into its object and field API names.
pub fn split_full_name(full_name: &str) -> Result<(&str, &str), SfError> {
    let (object, field) = full_name.split_once('.').ok_or_else(|| {
        SfError::new(
            INTEGRITY,
            format!(
                "FullName {full_name:?} must name the object and the field, as Account.Health_Score__c"
            ),
        )
        .with_fields(["FullName"])
    })?;
    let developer_name = field.strip_suffix("__c").unwrap_or("");
    if !is_developer_name(developer_name) {
        return Err(SfError::new(
            INTEGRITY,
            "The Field Name field can only contain underscores and alphanumeric characters. It must be unique, begin with a letter, not include spaces, not end with an underscore, and not contain two consecutive underscores. A custom field's API name ends with __c.",
        )
        .with_fields(["FullName"]));
    }
    if developer_name.len() > MAX_DEVELOPER_NAME {
        return Err(SfError::new(
            "STRING_TOO_LONG",
            format!(
                "Field Name: data value too large: {developer_name} (max length={MAX_DEVELOPER_NAME})"
            ),
        )
        .with_fields(["FullName"]));
    }
    Ok((object, field))
}

fn is_developer_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        && !name.ends_with('_')
        && !name.contains("__")
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The Metadata `type`s a custom field may have, with the describe type each becomes.
const TYPES: &[(&str, FieldType)] = &[
    ("Text", FieldType::String),
    ("TextArea", FieldType::Textarea),
    ("LongTextArea", FieldType::Textarea),
    ("Number", FieldType::Double),
    ("Currency", FieldType::Currency),
    ("Percent", FieldType::Percent),
    ("Checkbox", FieldType::Boolean),
    ("Date", FieldType::Date),
    ("DateTime", FieldType::DateTime),
    ("Email", FieldType::Email),
    ("Phone", FieldType::Phone),
    ("Url", FieldType::Url),
    ("Picklist", FieldType::Picklist),
    ("MultiselectPicklist", FieldType::Multipicklist),
];

fn integrity(field: &str, message: impl Into<String>) -> SfError {
    SfError::new(INTEGRITY, message).with_fields([field])
}

fn number(metadata: &Value, key: &str) -> Result<Option<i64>, SfError> {
    match &metadata[key] {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| integrity(key, format!("{key}: {n} is not a whole number"))),
        Value::String(s) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| integrity(key, format!("{key}: {s:?} is not a whole number"))),
        other => Err(integrity(key, format!("{key}: {other} is not a number"))),
    }
}

fn flag(metadata: &Value, key: &str) -> bool {
    match &metadata[key] {
        Value::Bool(b) => *b,
        Value::String(s) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

fn text(metadata: &Value, key: &str) -> Option<String> {
    metadata[key]
        .as_str()
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string)
}

fn in_range(key: &str, label: &str, value: i64, low: i64, high: i64) -> Result<u32, SfError> {
    if (low..=high).contains(&value) {
        Ok(value as u32)
    } else {
        Err(integrity(
            key,
            format!("{label}: the value must be between {low} and {high}, not {value}"),
        ))
    }
}

/// The picklist values of `valueSet.valueSetDefinition.value`: `fullName`, `label`, `default`.
fn picklist_values(metadata: &Value) -> Result<Vec<PicklistValue>, SfError> {
    let values = metadata["valueSet"]["valueSetDefinition"]["value"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut out: Vec<PicklistValue> = Vec::new();
    for value in &values {
        let name = value["fullName"]
            .as_str()
            .or_else(|| value["label"].as_str())
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                integrity(
                    "valueSet",
                    "Picklist values need a fullName: the value stored",
                )
            })?;
        if out.iter().any(|p| p.value.eq_ignore_ascii_case(name)) {
            return Err(SfError::new(
                "DUPLICATE_VALUE",
                format!(
                    "Duplicate picklist value: {name}. Each value of a picklist must be unique"
                ),
            )
            .with_fields(["valueSet"]));
        }
        out.push(PicklistValue {
            value: name.to_string(),
            label: value["label"].as_str().unwrap_or(name).to_string(),
            active: true,
            default: flag(value, "default"),
        });
    }
    if out.is_empty() {
        return Err(integrity(
            "valueSet",
            "Picklist fields need at least one value: list them in valueSet.valueSetDefinition.value",
        ));
    }
    Ok(out)
}

/// Checks `metadata` for a new field `field` and makes it a schema declaration.
pub fn field_spec(field: &str, metadata: &Value) -> Result<CustomFieldSpec, SfError> {
    let Some(type_name) = metadata["type"].as_str() else {
        return Err(
            SfError::new("REQUIRED_FIELD_MISSING", "Required field is missing: type")
                .with_fields(["type"]),
        );
    };
    let Some((type_name, kind)) = TYPES.iter().find(|(name, _)| *name == type_name) else {
        return Err(SfError::new(
            "INVALID_TYPE",
            format!(
                "'{type_name}' is not a valid value for the enum 'FieldType'. Use one of {}",
                TYPES.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
            ),
        )
        .with_fields(["type"]));
    };
    let label = text(metadata, "label").ok_or_else(|| {
        SfError::new("REQUIRED_FIELD_MISSING", "Required field is missing: label")
            .with_fields(["label"])
    })?;
    let mut spec = CustomFieldSpec {
        name: field.to_string(),
        label,
        kind: kind.as_str().to_string(),
        required: flag(metadata, "required"),
        unique: flag(metadata, "unique"),
        external_id: flag(metadata, "externalId"),
        inline_help_text: text(metadata, "inlineHelpText"),
        ..CustomFieldSpec::default()
    };
    let length = number(metadata, "length")?;
    match *type_name {
        "Text" => {
            let length = length.ok_or_else(|| {
                integrity(
                    "length",
                    "Length: a Text field needs a length from 1 to 255",
                )
            })?;
            spec.length = Some(in_range("length", "Length", length, 1, 255)?);
        }
        "TextArea" => spec.length = Some(255),
        "LongTextArea" => {
            let length = length.unwrap_or(32768);
            spec.length = Some(in_range("length", "Length", length, 256, 131072)?);
            if let Some(lines) = number(metadata, "visibleLines")? {
                in_range("visibleLines", "Visible Lines", lines, 2, 50)?;
            }
        }
        "Number" | "Currency" | "Percent" => {
            let precision = number(metadata, "precision")?.ok_or_else(|| {
                integrity(
                    "precision",
                    format!("Precision: a {type_name} field needs a precision from 1 to 18"),
                )
            })?;
            let precision = in_range("precision", "Precision", precision, 1, 18)?;
            let scale = number(metadata, "scale")?.unwrap_or(0);
            let scale = in_range("scale", "Decimal Places", scale, 0, precision as i64)?;
            spec.precision = Some(precision);
            spec.scale = Some(scale);
        }
        "Checkbox" => {
            let default = match &metadata["defaultValue"] {
                Value::Bool(b) => *b,
                Value::String(s) if s.eq_ignore_ascii_case("true") => true,
                Value::String(s) if s.eq_ignore_ascii_case("false") => false,
                Value::Null => false,
                other => {
                    return Err(integrity(
                        "defaultValue",
                        format!(
                            "Default Value: a Checkbox field defaults to true or false, not {other}"
                        ),
                    ));
                }
            };
            spec.default_value = Some(json!(default));
        }
        "Picklist" => {
            spec.picklist_values = picklist_values(metadata)?;
            spec.restricted = metadata["valueSet"]["restricted"]
                .as_bool()
                .unwrap_or(false);
        }
        "MultiselectPicklist" => {
            spec.picklist_values = picklist_values(metadata)?;
            spec.restricted = metadata["valueSet"]["restricted"]
                .as_bool()
                .unwrap_or(false);
            spec.length = Some(4099);
            if let Some(lines) = number(metadata, "visibleLines")? {
                in_range("visibleLines", "Visible Lines", lines, 3, 10)?;
            }
        }
        _ => {}
    }
    spec.picklist = spec
        .picklist_values
        .iter()
        .map(|p| p.value.clone())
        .collect();
    if spec.external_id && !matches!(*type_name, "Text" | "Number" | "Email") {
        return Err(integrity(
            "externalId",
            format!(
                "External ID: a {type_name} field cannot be an external id; use a Text, Number or Email field"
            ),
        ));
    }
    Ok(spec)
}

/// The Metadata of a field the way the Tooling API answers it: every key the create accepts,
/// `null` when unset. `stored` is what the field was created with, when the Tooling API
/// created it.
pub fn metadata_json(field: &FieldDef, stored: Option<&Value>) -> Value {
    let type_name = match (field.kind, field.length) {
        (FieldType::String, _) => "Text",
        (FieldType::Textarea, length) if length > 255 => "LongTextArea",
        (FieldType::Textarea, _) => "TextArea",
        (FieldType::Double | FieldType::Int | FieldType::Long, _) => "Number",
        (FieldType::Currency, _) => "Currency",
        (FieldType::Percent, _) => "Percent",
        (FieldType::Boolean, _) => "Checkbox",
        (FieldType::Date, _) => "Date",
        (FieldType::DateTime, _) => "DateTime",
        (FieldType::Email, _) => "Email",
        (FieldType::Phone, _) => "Phone",
        (FieldType::Url, _) => "Url",
        (FieldType::Picklist | FieldType::Combobox, _) => "Picklist",
        (FieldType::Multipicklist, _) => "MultiselectPicklist",
        (FieldType::Reference, _) => "Lookup",
        _ => "Text",
    };
    let stored = stored.cloned().unwrap_or(Value::Null);
    let some = |n: u32| (n > 0).then_some(n);
    let value_set = (!field.picklist.is_empty()).then(|| {
        json!({
            "restricted": field.restricted_picklist,
            "valueSetDefinition": {
                "sorted": false,
                "value": field.picklist.iter().map(|p| json!({
                    "fullName": p.value,
                    "label": p.label,
                    "default": p.default,
                })).collect::<Vec<_>>(),
            },
        })
    });
    let default_value = match &field.default_value {
        Some(Value::Bool(b)) => json!(b.to_string()),
        Some(other) => other.clone(),
        None => Value::Null,
    };
    let or_stored = |key: &str, value: Value| {
        if stored[key].is_null() {
            value
        } else {
            stored[key].clone()
        }
    };
    json!({
        "label": field.label,
        "type": type_name,
        "length": match field.kind {
            FieldType::String | FieldType::Textarea => json!(some(field.length)),
            _ => Value::Null,
        },
        "precision": json!(field.kind.is_number().then_some(field.precision)),
        "scale": json!(field.kind.is_number().then_some(field.scale)),
        "visibleLines": stored["visibleLines"].clone(),
        "valueSet": or_stored("valueSet", json!(value_set)),
        "defaultValue": default_value,
        "externalId": field.external_id,
        "unique": field.unique,
        "required": !field.nillable && field.kind != FieldType::Boolean,
        "description": stored["description"].clone(),
        "inlineHelpText": stored["inlineHelpText"].clone(),
        "referenceTo": field.reference_to.first(),
        "relationshipName": field.relationship_name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn developer_names_follow_salesforce_rules() {
        for good in ["Account.Health_Score__c", "Lead.X1__c", "Account.A_b_C__c"] {
            assert!(split_full_name(good).is_ok(), "{good}");
        }
        for bad in [
            "Account.Health__Score__c",
            "Account._Score__c",
            "Account.1Score__c",
            "Account.Score___c",
            "Account.Score",
            "Account.Health Score__c",
            "Health_Score__c",
        ] {
            let code = split_full_name(bad).unwrap_err().code;
            assert_eq!(code, INTEGRITY, "{bad}");
        }
        let long = format!("Account.{}__c", "A".repeat(41));
        assert_eq!(split_full_name(&long).unwrap_err().code, "STRING_TOO_LONG");
        let longest = format!("Account.{}__c", "A".repeat(40));
        assert!(split_full_name(&longest).is_ok());
    }

    #[test]
    fn metadata_is_checked_as_salesforce_checks_it() {
        let cases: &[(Value, Option<&str>)] = &[
            (json!({"label":"T","type":"Text","length":255}), None),
            (
                json!({"label":"T","type":"Text","length":256}),
                Some(INTEGRITY),
            ),
            (
                json!({"label":"T","type":"Text","length":0}),
                Some(INTEGRITY),
            ),
            (json!({"label":"T","type":"Text"}), Some(INTEGRITY)),
            (
                json!({"label":"T","type":"LongTextArea","length":256,"visibleLines":3}),
                None,
            ),
            (
                json!({"label":"T","type":"LongTextArea","length":255}),
                Some(INTEGRITY),
            ),
            (
                json!({"label":"T","type":"LongTextArea","length":131073}),
                Some(INTEGRITY),
            ),
            (
                json!({"label":"N","type":"Number","precision":18,"scale":18}),
                None,
            ),
            (
                json!({"label":"N","type":"Number","precision":19,"scale":0}),
                Some(INTEGRITY),
            ),
            (
                json!({"label":"N","type":"Number","precision":0}),
                Some(INTEGRITY),
            ),
            (
                json!({"label":"N","type":"Currency","precision":5,"scale":6}),
                Some(INTEGRITY),
            ),
            (json!({"label":"N","type":"Percent"}), Some(INTEGRITY)),
            (
                json!({"label":"C","type":"Checkbox","defaultValue":"false"}),
                None,
            ),
            (json!({"label":"P","type":"Picklist"}), Some(INTEGRITY)),
            (
                json!({"label":"P","type":"Picklist","valueSet":{"valueSetDefinition":{"value":[{"fullName":"A"},{"fullName":"a"}]}}}),
                Some("DUPLICATE_VALUE"),
            ),
            (
                json!({"label":"P","type":"MultiselectPicklist","visibleLines":4,"valueSet":{"valueSetDefinition":{"value":[{"fullName":"A"}]}}}),
                None,
            ),
            (json!({"label":"B","type":"Blob"}), Some("INVALID_TYPE")),
            (json!({"label":"B"}), Some("REQUIRED_FIELD_MISSING")),
            (json!({"type":"Date"}), Some("REQUIRED_FIELD_MISSING")),
            (
                json!({"label":"D","type":"Date","externalId":true}),
                Some(INTEGRITY),
            ),
        ];
        for (metadata, expected) in cases {
            let got = field_spec("X__c", metadata).err().map(|e| e.code);
            assert_eq!(got.as_deref(), *expected, "{metadata}");
        }
    }

    #[test]
    fn a_field_becomes_the_describe_type_of_its_metadata_type() {
        let spec = field_spec(
            "Score__c",
            &json!({"label":"Score","type":"Number","precision":5,"scale":2,"externalId":true}),
        )
        .unwrap();
        assert_eq!(
            (
                spec.kind.as_str(),
                spec.precision,
                spec.scale,
                spec.external_id
            ),
            ("double", Some(5), Some(2), true)
        );
    }
}
