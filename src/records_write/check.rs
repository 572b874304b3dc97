//! Checking a record's edits against describe before anything is sent: each value typed as
//! text becomes the value Salesforce takes, or a problem that names the field and says what
//! to do. Pure, so each rule is tested on its own.

use serde_json::Value;

use crate::import::fields::{CellRules, FieldSpec, FieldType, read_cell};
use crate::import::mapping::Formats;
use crate::salesforce::{FieldDescribe, ObjectDescribe};
use crate::sync::plan::Values;

/// Why one edit cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditProblem {
    #[error(
        "{object} has no field `{field}`; check the API name (the record's fields are listed by `tether records get`)"
    )]
    UnknownField { object: String, field: String },
    #[error("{field} cannot be edited (read-only, formula or system field); leave it as it is")]
    NotUpdateable { field: String },
    #[error("{field} cannot be set on a new record (Salesforce fills it); leave it empty")]
    NotCreateable { field: String },
    #[error("{field} is required: Salesforce refuses the record without it; enter a value")]
    Required { field: String },
    #[error("`{value}` is not one of the values of {field}; choose one of: {allowed}")]
    NotInPicklist {
        field: String,
        value: String,
        allowed: String,
    },
    /// The value does not read as the field's type, or does not fit it (length, precision).
    #[error("{reason}")]
    Value { field: String, reason: String },
}

impl EditProblem {
    /// The API name of the field the problem is about, for the form to mark.
    pub fn field(&self) -> &str {
        match self {
            EditProblem::UnknownField { field, .. } => field,
            EditProblem::NotUpdateable { field }
            | EditProblem::NotCreateable { field }
            | EditProblem::Required { field }
            | EditProblem::NotInPicklist { field, .. }
            | EditProblem::Value { field, .. } => api_name(field),
        }
    }
}

/// `Account Name (Name)` → `Name`.
fn api_name(named: &str) -> &str {
    named
        .rsplit_once('(')
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .unwrap_or(named)
}

/// Whether the record is being created or edited: the rules differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    Create,
    Update,
}

/// The fields a new record's form shows: required ones first, then the other createable
/// ones, each group in describe order.
pub fn create_fields(describe: &ObjectDescribe) -> Vec<&FieldDescribe> {
    let createable = describe
        .fields
        .iter()
        .filter(|f| f.flag("createable") && !compound(f));
    let (mut required, other): (Vec<_>, Vec<_>) = createable.partition(|f| f.required_on_create());
    required.extend(other);
    required
}

fn compound(field: &FieldDescribe) -> bool {
    matches!(
        field.field_type.as_str(),
        "address" | "location" | "base64" | "complexvalue"
    )
}

/// Reads `text` as the value of field `name` for a write; a blank text empties the field
/// (`Value::Null`).
pub fn field_value(
    describe: &ObjectDescribe,
    name: &str,
    text: &str,
    write: Write,
) -> Result<Value, EditProblem> {
    let field = describe
        .fields
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| EditProblem::UnknownField {
            object: describe.name.clone(),
            field: name.to_string(),
        })?;
    let spec = FieldSpec::from_describe(field);
    let named = spec.named();
    match write {
        Write::Update if !field.updateable => {
            return Err(EditProblem::NotUpdateable { field: named });
        }
        Write::Create if !spec.createable => {
            return Err(EditProblem::NotCreateable { field: named });
        }
        _ => {}
    }
    let blank = text.trim().is_empty();
    // A checkbox is never empty: blank means unchecked.
    if blank && spec.kind == FieldType::Boolean {
        return Ok(Value::Bool(false));
    }
    if blank {
        let required = match write {
            Write::Create => spec.required,
            Write::Update => !field.nillable,
        };
        return if required {
            Err(EditProblem::Required { field: named })
        } else {
            Ok(Value::Null)
        };
    }
    if let FieldType::Picklist {
        values,
        multi,
        restricted: true,
    } = &spec.kind
    {
        let parts: Vec<&str> = if *multi {
            text.split(';').map(str::trim).collect()
        } else {
            vec![text.trim()]
        };
        if let Some(outside) = parts.iter().find(|p| !values.iter().any(|v| v == *p)) {
            return Err(EditProblem::NotInPicklist {
                field: named,
                value: outside.to_string(),
                allowed: values.join(", "),
            });
        }
    }
    let mut rules = CellRules::new(&Formats::default(), utc());
    rules.keep_unlisted = true;
    match read_cell(&spec, &rules, text) {
        Ok(Some(value)) => Ok(value),
        Ok(None) => Ok(Value::Null),
        Err(reason) => Err(EditProblem::Value {
            field: named,
            reason,
        }),
    }
}

fn utc() -> chrono::FixedOffset {
    use chrono::Offset;
    chrono::Utc.fix()
}

/// Checks every edit of a record; the values to send, or every problem found.
pub fn check_edits(
    describe: &ObjectDescribe,
    edits: &[(String, String)],
    write: Write,
) -> Result<Values, Vec<EditProblem>> {
    let mut values = Values::new();
    let mut problems = Vec::new();
    for (name, text) in edits {
        match field_value(describe, name, text, write) {
            Ok(value) => {
                let api = describe
                    .fields
                    .iter()
                    .find(|f| f.name.eq_ignore_ascii_case(name))
                    .map_or(name.clone(), |f| f.name.clone());
                values.insert(api, value);
            }
            Err(problem) => problems.push(problem),
        }
    }
    if write == Write::Create {
        for field in describe.fields.iter().filter(|f| f.required_on_create()) {
            let given = values.get(&field.name).is_some_and(|v| !v.is_null());
            let reported = problems.iter().any(|p| p.field() == field.name);
            if !given && !reported {
                problems.push(EditProblem::Required {
                    field: FieldSpec::from_describe(field).named(),
                });
            }
        }
    }
    if problems.is_empty() {
        // A create sends only what was filled in.
        if write == Write::Create {
            values.retain(|_, v| !v.is_null());
        }
        Ok(values)
    } else {
        Err(problems)
    }
}

/// A record's values as text for a form: what [`field_value`] reads back to the same value.
pub fn as_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
