//! A custom field to create, as a person edits it and as the Tooling API's `CustomField`
//! `Metadata` takes it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// The field types Tether creates, named as the Metadata API names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FieldType {
    Text,
    TextArea,
    LongTextArea,
    Number,
    Currency,
    Percent,
    Checkbox,
    Date,
    DateTime,
    Email,
    Phone,
    Url,
    Picklist,
    MultiselectPicklist,
}

impl FieldType {
    pub const ALL: [FieldType; 14] = [
        FieldType::Text,
        FieldType::TextArea,
        FieldType::LongTextArea,
        FieldType::Number,
        FieldType::Currency,
        FieldType::Percent,
        FieldType::Checkbox,
        FieldType::Date,
        FieldType::DateTime,
        FieldType::Email,
        FieldType::Phone,
        FieldType::Url,
        FieldType::Picklist,
        FieldType::MultiselectPicklist,
    ];

    /// The Metadata API's name, as in `"type":"Number"`.
    pub fn name(self) -> &'static str {
        match self {
            FieldType::Text => "Text",
            FieldType::TextArea => "TextArea",
            FieldType::LongTextArea => "LongTextArea",
            FieldType::Number => "Number",
            FieldType::Currency => "Currency",
            FieldType::Percent => "Percent",
            FieldType::Checkbox => "Checkbox",
            FieldType::Date => "Date",
            FieldType::DateTime => "DateTime",
            FieldType::Email => "Email",
            FieldType::Phone => "Phone",
            FieldType::Url => "Url",
            FieldType::Picklist => "Picklist",
            FieldType::MultiselectPicklist => "MultiselectPicklist",
        }
    }

    pub fn has_length(self) -> bool {
        matches!(self, FieldType::Text | FieldType::LongTextArea)
    }

    pub fn has_digits(self) -> bool {
        matches!(
            self,
            FieldType::Number | FieldType::Currency | FieldType::Percent
        )
    }

    pub fn has_values(self) -> bool {
        matches!(self, FieldType::Picklist | FieldType::MultiselectPicklist)
    }

    /// Salesforce lets only these be an external id or unique.
    pub fn may_be_key(self) -> bool {
        matches!(self, FieldType::Text | FieldType::Number | FieldType::Email)
    }
}

/// Salesforce's bounds on a custom field's shape.
pub const MAX_TEXT_LENGTH: u32 = 255;
pub const LONG_TEXT_LENGTHS: std::ops::RangeInclusive<u32> = 256..=131_072;
pub const MAX_PRECISION: u32 = 18;
const MAX_NAME_LENGTH: usize = 40;
const MAX_LABEL_LENGTH: usize = 40;

/// One custom field: what the Create missing fields dialog edits and a `--spec` file lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FieldSpec {
    /// The API name, ending in `__c` (`Health_Score__c`).
    pub api_name: String,
    pub label: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// Characters, for Text (1..=255) and LongTextArea (256..=131072).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u32>,
    /// Digits in all, for Number, Currency and Percent (1..=18).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<u32>,
    /// Digits after the point (at most the precision).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<u32>,
    #[serde(default)]
    pub external_id: bool,
    #[serde(default)]
    pub unique: bool,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub picklist_values: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub help_text: String,
}

/// Why a field cannot be created as specified; each names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    #[error(
        "`{0}` is not a custom field's API name: use letters, digits and single underscores, starting with a letter, at most 40 characters before `__c`, ending in `__c` (e.g. Health_Score__c)"
    )]
    ApiName(String),
    #[error("`{0}` needs a label of 1 to 40 characters")]
    Label(String),
    #[error("`{field}` ({kind}) needs a length of {range}; give `length`")]
    Length {
        field: String,
        kind: &'static str,
        range: String,
    },
    #[error(
        "`{field}` needs a precision of 1 to 18 digits in all (it has {precision:?}); give `precision`"
    )]
    Precision {
        field: String,
        precision: Option<u32>,
    },
    #[error(
        "`{field}` has a scale of {scale}, more than its precision of {precision}: lower the scale or raise the precision"
    )]
    Scale {
        field: String,
        scale: u32,
        precision: u32,
    },
    #[error("`{0}` is a picklist without values: give at least one in `picklistValues`")]
    NoValues(String),
    #[error("`{field}` lists the picklist value `{value}` twice: keep one")]
    DuplicateValue { field: String, value: String },
    #[error("`{field}` cannot be an external id or unique as a {kind}: use Text, Number or Email")]
    Key { field: String, kind: &'static str },
    #[error("`{field}` is a {kind}, which has no {what}: remove `{what}`")]
    Unused {
        field: String,
        kind: &'static str,
        what: &'static str,
    },
    #[error("`{0}` cannot be required as a Checkbox: a checkbox is always true or false")]
    RequiredCheckbox(String),
}

/// `Health_Score__c` → "Health Score".
pub fn label_from_api_name(api_name: &str) -> String {
    let base = api_name.strip_suffix("__c").unwrap_or(api_name);
    let label = base
        .split('_')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    label.chars().take(MAX_LABEL_LENGTH).collect()
}

fn api_name_ok(name: &str) -> bool {
    let Some(base) = name.strip_suffix("__c") else {
        return false;
    };
    base.len() <= MAX_NAME_LENGTH
        && base.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && base.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !base.contains("__")
        && !base.ends_with('_')
}

impl FieldSpec {
    /// A spec with nothing but a name, label and type; the rest is filled by the caller.
    pub fn new(api_name: &str, field_type: FieldType) -> FieldSpec {
        FieldSpec {
            api_name: api_name.to_string(),
            label: label_from_api_name(api_name),
            field_type,
            length: None,
            precision: None,
            scale: None,
            external_id: false,
            unique: false,
            required: false,
            picklist_values: Vec::new(),
            description: String::new(),
            help_text: String::new(),
        }
    }

    pub fn text(api_name: &str, length: u32) -> FieldSpec {
        FieldSpec {
            length: Some(length),
            ..FieldSpec::new(api_name, FieldType::Text)
        }
    }

    pub fn number(api_name: &str, field_type: FieldType, precision: u32, scale: u32) -> FieldSpec {
        FieldSpec {
            precision: Some(precision),
            scale: Some(scale),
            ..FieldSpec::new(api_name, field_type)
        }
    }

    pub fn picklist(api_name: &str, values: &[&str]) -> FieldSpec {
        FieldSpec {
            picklist_values: values.iter().map(|v| v.to_string()).collect(),
            ..FieldSpec::new(api_name, FieldType::Picklist)
        }
    }

    /// Marks the field an external id, unique: what a link matches records on.
    pub fn key(mut self) -> FieldSpec {
        self.external_id = true;
        self.unique = true;
        self
    }

    pub fn described(mut self, description: &str) -> FieldSpec {
        self.description = description.to_string();
        self
    }

    /// The picklist's values as sent: trimmed, blank entries left out.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.picklist_values
            .iter()
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// Every reason Salesforce would refuse the field, checked before anything is sent.
    pub fn check(&self) -> Result<(), SpecError> {
        let field = || self.api_name.clone();
        let kind = self.field_type.name();
        if !api_name_ok(&self.api_name) {
            return Err(SpecError::ApiName(field()));
        }
        let label = self.label.trim();
        if label.is_empty() || label.chars().count() > MAX_LABEL_LENGTH {
            return Err(SpecError::Label(field()));
        }
        let unused = |what| SpecError::Unused {
            field: field(),
            kind,
            what,
        };
        let lengths = match self.field_type {
            FieldType::Text => Some(1..=MAX_TEXT_LENGTH),
            FieldType::LongTextArea => Some(LONG_TEXT_LENGTHS),
            _ => None,
        };
        match lengths {
            Some(range) if !self.length.is_some_and(|l| range.contains(&l)) => {
                return Err(SpecError::Length {
                    field: field(),
                    kind,
                    range: format!("{} to {}", range.start(), range.end()),
                });
            }
            Some(_) => {}
            None if self.length.is_some() => return Err(unused("length")),
            None => {}
        }
        if self.field_type.has_digits() {
            let precision = match self.precision {
                Some(p) if (1..=MAX_PRECISION).contains(&p) => p,
                other => {
                    return Err(SpecError::Precision {
                        field: field(),
                        precision: other,
                    });
                }
            };
            let scale = self.scale.unwrap_or(0);
            if scale > precision {
                return Err(SpecError::Scale {
                    field: field(),
                    scale,
                    precision,
                });
            }
        } else if self.precision.is_some() {
            return Err(unused("precision"));
        } else if self.scale.is_some() {
            return Err(unused("scale"));
        }
        if self.field_type.has_values() {
            if self.values().next().is_none() {
                return Err(SpecError::NoValues(field()));
            }
            let mut seen = std::collections::BTreeSet::new();
            for value in self.values() {
                if !seen.insert(value.trim().to_lowercase()) {
                    return Err(SpecError::DuplicateValue {
                        field: field(),
                        value: value.to_string(),
                    });
                }
            }
        } else if !self.picklist_values.is_empty() {
            return Err(unused("picklistValues"));
        }
        if (self.external_id || self.unique) && !self.field_type.may_be_key() {
            return Err(SpecError::Key {
                field: field(),
                kind,
            });
        }
        if self.required && self.field_type == FieldType::Checkbox {
            return Err(SpecError::RequiredCheckbox(field()));
        }
        Ok(())
    }

    /// The Tooling API's `Metadata` for this field.
    pub fn metadata(&self) -> Value {
        let mut m = Map::new();
        m.insert("label".into(), json!(self.label.trim()));
        m.insert("type".into(), json!(self.field_type.name()));
        m.insert("externalId".into(), json!(self.external_id));
        m.insert("unique".into(), json!(self.unique));
        m.insert("required".into(), json!(self.required));
        if !self.description.is_empty() {
            m.insert("description".into(), json!(self.description));
        }
        if !self.help_text.is_empty() {
            m.insert("inlineHelpText".into(), json!(self.help_text));
        }
        match self.field_type {
            FieldType::Text => {
                m.insert("length".into(), json!(self.length));
            }
            FieldType::LongTextArea => {
                m.insert("length".into(), json!(self.length));
                m.insert("visibleLines".into(), json!(3));
            }
            FieldType::Number | FieldType::Currency | FieldType::Percent => {
                m.insert("precision".into(), json!(self.precision));
                m.insert("scale".into(), json!(self.scale.unwrap_or(0)));
            }
            FieldType::Checkbox => {
                m.insert("defaultValue".into(), json!("false"));
            }
            FieldType::Picklist | FieldType::MultiselectPicklist => {
                let values: Vec<Value> = self
                    .values()
                    .map(|v| json!({ "fullName": v, "label": v, "default": false }))
                    .collect();
                m.insert(
                    "valueSet".into(),
                    json!({
                        "restricted": true,
                        "valueSetDefinition": { "sorted": false, "value": values },
                    }),
                );
                if self.field_type == FieldType::MultiselectPicklist {
                    m.insert("visibleLines".into(), json!(4));
                }
            }
            FieldType::TextArea
            | FieldType::Date
            | FieldType::DateTime
            | FieldType::Email
            | FieldType::Phone
            | FieldType::Url => {}
        }
        Value::Object(m)
    }

    /// A short line: `Health Score (Health_Score__c): Number(5, 2)`.
    pub fn summary(&self) -> String {
        let shape = match self.field_type {
            t if t.has_length() => format!("{}({})", t.name(), self.length.unwrap_or(0)),
            t if t.has_digits() => format!(
                "{}({}, {})",
                t.name(),
                self.precision.unwrap_or(0),
                self.scale.unwrap_or(0)
            ),
            t if t.has_values() => format!(
                "{} [{}]",
                t.name(),
                self.values().collect::<Vec<_>>().join(", ")
            ),
            t => t.name().to_string(),
        };
        let mut flags = Vec::new();
        if self.external_id {
            flags.push("external id");
        }
        if self.unique {
            flags.push("unique");
        }
        if self.required {
            flags.push("required");
        }
        let flags = if flags.is_empty() {
            String::new()
        } else {
            format!(", {}", flags.join(", "))
        };
        format!("{} ({}): {shape}{flags}", self.label, self.api_name)
    }
}

/// Reads a `--spec` file: a JSON list of field specs, each checked.
pub fn parse_specs(text: &str) -> Result<Vec<FieldSpec>, String> {
    let specs: Vec<FieldSpec> = serde_json::from_str(text).map_err(|e| {
        format!(
            "the spec file is not a JSON list of fields ({e}): see `tether fields create --help`"
        )
    })?;
    if specs.is_empty() {
        return Err("the spec file lists no field: add at least one".into());
    }
    for spec in &specs {
        spec.check().map_err(|e| e.to_string())?;
    }
    Ok(specs)
}
