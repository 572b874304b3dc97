//! From a CSV header and its rows to the JSON records the store writes: field API names,
//! parent references by external id (`Account.External_Id__c`), and text converted per the
//! field's type.

use serde_json::{Map, Number, Value};

use super::job::Operation;
use crate::error::SfError;
use crate::schema::{FieldDef, FieldType, ObjectSchema, Schema};
use crate::values::{parse_date, parse_datetime};
use tether_decimal::parse_decimal;

/// A cell that sets a field to null, as in a real org's Bulk API.
pub const NULL_MARKER: &str = "#N/A";

#[derive(Debug, Clone)]
enum Column {
    Field(FieldDef),
    /// `Account.External_Id__c`: the lookup field (`AccountId`), the relationship name and
    /// the parent's external-id field.
    Parent {
        lookup: String,
        relationship: String,
        parent_field: String,
    },
}

/// How each column of an upload is written.
#[derive(Debug, Clone)]
pub struct ColumnPlan {
    columns: Vec<Column>,
    /// The `Id` column (update, delete, hardDelete; or upsert on `Id`).
    pub id_column: Option<usize>,
    /// The upsert key column.
    pub key_column: Option<usize>,
}

fn not_found(name: &str) -> String {
    format!("InvalidBatch : Field name not found : {name}")
}

impl ColumnPlan {
    /// Checks a header against the object; the error is the job's `errorMessage`.
    pub fn new(
        schema: &Schema,
        object: &ObjectSchema,
        header: &[String],
        operation: Operation,
        external_id_field: Option<&str>,
    ) -> Result<ColumnPlan, String> {
        let mut columns = Vec::with_capacity(header.len());
        let mut seen: Vec<String> = Vec::with_capacity(header.len());
        for (i, raw) in header.iter().enumerate() {
            let name = raw.trim();
            if name.is_empty() {
                return Err(format!(
                    "InvalidBatch : column {} of the header row has no name: name every column with a field API name",
                    i + 1
                ));
            }
            let folded = name.to_ascii_lowercase();
            if seen.contains(&folded) {
                return Err(format!(
                    "InvalidBatch : Duplicate field name: {name}: keep one column per field"
                ));
            }
            seen.push(folded);
            columns.push(Self::column(schema, object, name)?);
        }
        let position = |wanted: &str| {
            columns
                .iter()
                .position(|c| matches!(c, Column::Field(f) if f.name.eq_ignore_ascii_case(wanted)))
        };
        let id_column = position("Id");
        let key_column = external_id_field.and_then(position);
        let needs_id = matches!(
            operation,
            Operation::Update | Operation::Delete | Operation::HardDelete
        );
        if needs_id && id_column.is_none() {
            return Err(format!(
                "InvalidBatch : the Id column is required for {}: add a column named Id with the record ids",
                operation.as_str()
            ));
        }
        // An upsert on Id without an Id column inserts every row, as on a real org.
        if let (Operation::Upsert, Some(ext), None) = (operation, external_id_field, key_column)
            && !ext.eq_ignore_ascii_case("Id")
        {
            return Err(format!(
                "InvalidBatch : the {ext} column is required for an upsert on {ext}: add it to the header row"
            ));
        }
        Ok(ColumnPlan {
            columns,
            id_column,
            key_column,
        })
    }

    fn column(schema: &Schema, object: &ObjectSchema, name: &str) -> Result<Column, String> {
        if let Some(field) = object.field(name) {
            return Ok(Column::Field(field.clone()));
        }
        let Some((relationship, parent_field)) = name.split_once('.') else {
            return Err(not_found(name));
        };
        let lookup = object
            .relationship(relationship)
            .ok_or_else(|| not_found(name))?;
        let parent = lookup
            .reference_to
            .first()
            .and_then(|p| schema.object(p))
            .ok_or_else(|| not_found(name))?;
        let key = parent
            .field(parent_field)
            .filter(|f| f.external_id || f.id_lookup || f.kind == FieldType::Id)
            .ok_or_else(|| not_found(name))?;
        Ok(Column::Parent {
            lookup: lookup.name.clone(),
            relationship: lookup
                .relationship_name
                .clone()
                .unwrap_or_else(|| relationship.to_string()),
            parent_field: key.name.clone(),
        })
    }

    /// The canonical name of the key column, for error texts.
    pub fn key_name(&self) -> Option<&str> {
        match self.columns.get(self.key_column?)? {
            Column::Field(f) => Some(&f.name),
            Column::Parent { .. } => None,
        }
    }

    /// The record body of one row: empty cells leave the field unchanged, `#N/A` sets it to
    /// null. Columns in `skip` (the id on an update) are left out. All conversion errors of
    /// the row are reported together.
    pub fn record(
        &self,
        cells: &[String],
        skip: Option<usize>,
    ) -> Result<Map<String, Value>, Vec<SfError>> {
        let mut out = Map::new();
        let mut errors = Vec::new();
        for (i, (column, cell)) in self.columns.iter().zip(cells).enumerate() {
            if Some(i) == skip || cell.is_empty() {
                continue;
            }
            let null = cell == NULL_MARKER;
            match column {
                Column::Field(field) if null => {
                    out.insert(field.name.clone(), Value::Null);
                }
                Column::Field(field) => match convert(field, cell) {
                    Ok(v) => {
                        out.insert(field.name.clone(), v);
                    }
                    Err(e) => errors.push(e),
                },
                Column::Parent { lookup, .. } if null => {
                    out.insert(lookup.clone(), Value::Null);
                }
                Column::Parent {
                    relationship,
                    parent_field,
                    ..
                } => {
                    let mut key = Map::new();
                    key.insert(parent_field.clone(), Value::String(cell.clone()));
                    out.insert(relationship.clone(), Value::Object(key));
                }
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }
}

fn wrong_type(field: &FieldDef, text: &str) -> SfError {
    SfError::new(
        "INVALID_TYPE_ON_FIELD_IN_RECORD",
        format!("{}: value not of required type: {text}", field.label),
    )
    .with_fields([field.name.clone()])
}

/// Text of a CSV cell → the JSON value the store expects for `field`.
pub fn convert(field: &FieldDef, text: &str) -> Result<Value, SfError> {
    use FieldType::*;
    let t = text.trim();
    match field.kind {
        Boolean => match t.to_ascii_lowercase().as_str() {
            "true" | "1" => Ok(Value::Bool(true)),
            "false" | "0" => Ok(Value::Bool(false)),
            _ => Err(wrong_type(field, text)),
        },
        Int | Long => match t.parse::<i64>() {
            Ok(n) => Ok(Value::Number(n.into())),
            Err(_) => match t.parse::<f64>() {
                Ok(x) if x.is_finite() && x.fract() == 0.0 && x.abs() < 9.0e18 => {
                    Ok(Value::Number((x as i64).into()))
                }
                _ => Err(wrong_type(field, text)),
            },
        },
        // Read as the exact decimal written: a double would drop digits of an 18-digit value.
        Currency | Double | Percent => parse_decimal(t)
            .and_then(|d| d.to_string().parse::<Number>().ok())
            .map(Value::Number)
            .ok_or_else(|| wrong_type(field, text)),
        Date => parse_date(t)
            .map(|_| Value::String(t.to_string()))
            .ok_or_else(|| wrong_type(field, text)),
        DateTime => {
            if parse_datetime(t).is_some() {
                Ok(Value::String(t.to_string()))
            } else if parse_date(t).is_some() {
                // A bare date means midnight UTC, as a real org reads it.
                Ok(Value::String(format!("{t}T00:00:00Z")))
            } else {
                Err(wrong_type(field, text))
            }
        }
        _ => Ok(Value::String(text.to_string())),
    }
}

/// A row error in result-file form: `CODE:message:Field1,Field2 --`.
pub fn render_errors(errors: &[SfError]) -> String {
    errors
        .iter()
        .map(|e| {
            let fields = e.fields.join(",");
            let gap = if fields.is_empty() { "" } else { " " };
            format!("{}:{}:{fields}{gap}--", e.code, e.message)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Schema {
        Schema::standard().unwrap()
    }

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn cells(values: &[&str]) -> Vec<String> {
        values.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn cells_convert_per_field_type() {
        let schema = schema();
        let cases: &[(&str, &str, &str, Value)] = &[
            ("Lead", "V4_Deprioritize__c", "1", json!(true)),
            ("Lead", "V4_Deprioritize__c", "FALSE", json!(false)),
            ("Account", "NumberOfEmployees", "12", json!(12)),
            ("Account", "NumberOfEmployees", "12.0", json!(12)),
            ("Opportunity", "Amount", "1200.5", json!(1200.5)),
            (
                "Opportunity",
                "CloseDate",
                "2024-03-04",
                json!("2024-03-04"),
            ),
            (
                "Lead",
                "Lead_Scored_At__c",
                "2024-01-31T10:00:00Z",
                json!("2024-01-31T10:00:00Z"),
            ),
            (
                "Lead",
                "Lead_Scored_At__c",
                "2024-01-31",
                json!("2024-01-31T00:00:00Z"),
            ),
            ("Account", "Name", " Acme, Inc. ", json!(" Acme, Inc. ")),
        ];
        for (object, name, text, want) in cases {
            let field = schema.object(object).unwrap().field(name).unwrap();
            assert_eq!(
                &convert(field, text).unwrap(),
                want,
                "{object}.{name} <- {text}"
            );
        }
    }

    #[test]
    fn unconvertible_cells_name_the_field() {
        let schema = schema();
        let cases: &[(&str, &str, &str)] = &[
            ("Lead", "V4_Deprioritize__c", "yes"),
            ("Account", "NumberOfEmployees", "1.5"),
            ("Opportunity", "Amount", "lots"),
            ("Opportunity", "CloseDate", "03/04/2024"),
            ("Lead", "Lead_Scored_At__c", "noon"),
        ];
        for (object, name, text) in cases {
            let field = schema.object(object).unwrap().field(name).unwrap();
            let e = convert(field, text).unwrap_err();
            assert_eq!(e.code, "INVALID_TYPE_ON_FIELD_IN_RECORD");
            assert_eq!(e.fields, std::slice::from_ref(&field.name));
            assert!(e.message.ends_with(text), "{}", e.message);
        }
    }

    #[test]
    fn empty_leaves_unchanged_and_na_sets_null() {
        let schema = schema();
        let contact = schema.object("Contact").unwrap();
        let plan = ColumnPlan::new(
            &schema,
            contact,
            &header(&["Id", "LastName", "Email", "Account.External_Id__c"]),
            Operation::Update,
            None,
        )
        .unwrap();
        let record = plan
            .record(&cells(&["003x", "Doe", "", "#N/A"]), plan.id_column)
            .unwrap();
        assert_eq!(
            Value::Object(record),
            json!({ "LastName": "Doe", "AccountId": null })
        );
        let record = plan
            .record(
                &cells(&["003x", "#N/A", "a@b.example", "ACME-1"]),
                plan.id_column,
            )
            .unwrap();
        assert_eq!(
            Value::Object(record),
            json!({ "LastName": null, "Email": "a@b.example", "Account": { "External_Id__c": "ACME-1" } })
        );
    }

    #[test]
    fn bad_headers_fail_the_job_with_a_clear_message() {
        let schema = schema();
        let account = schema.object("Account").unwrap();
        let cases: &[(&[&str], Operation, Option<&str>, &str)] = &[
            (
                &["Name", "Foo"],
                Operation::Insert,
                None,
                "Field name not found : Foo",
            ),
            (
                &["Name", ""],
                Operation::Insert,
                None,
                "column 2 of the header row has no name",
            ),
            (
                &["Name", "name"],
                Operation::Insert,
                None,
                "Duplicate field name: name",
            ),
            (
                &["Name"],
                Operation::Update,
                None,
                "the Id column is required for update",
            ),
            (
                &["Name"],
                Operation::HardDelete,
                None,
                "the Id column is required for hardDelete",
            ),
            (
                &["Name"],
                Operation::Upsert,
                Some("External_Id__c"),
                "External_Id__c column is required",
            ),
            (
                &["Parent.Nope__c"],
                Operation::Insert,
                None,
                "Field name not found : Parent.Nope__c",
            ),
        ];
        for (names, op, ext, want) in cases {
            let err = ColumnPlan::new(&schema, account, &header(names), *op, *ext).unwrap_err();
            assert!(
                err.starts_with("InvalidBatch : ") && err.contains(want),
                "{names:?}: {err}"
            );
        }
        let plan = ColumnPlan::new(
            &schema,
            account,
            &header(&["name", "external_id__c"]),
            Operation::Upsert,
            Some("External_Id__c"),
        )
        .unwrap();
        assert_eq!(
            (plan.key_column, plan.key_name()),
            (Some(1), Some("External_Id__c"))
        );
    }

    #[test]
    fn errors_render_like_result_files() {
        let e = vec![
            SfError::new(
                "REQUIRED_FIELD_MISSING",
                "Required fields are missing: [Name]",
            )
            .with_fields(["Name"]),
        ];
        assert_eq!(
            render_errors(&e),
            "REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --"
        );
        assert_eq!(
            render_errors(&[SfError::new("ENTITY_IS_DELETED", "entity is deleted")]),
            "ENTITY_IS_DELETED:entity is deleted:--"
        );
    }
}
