//! Checking rows against the mapping and describe before anything is sent: pure. A mapping that
//! cannot work (a column that is not in the sheet, a required field nothing fills) is refused
//! before any row is read; each row then gets its values or the problems that stop it.

use std::collections::HashMap;

use serde_json::Value;

use super::Row;
use super::fields::{CellRules, FieldSpec, FieldType, parse_zone, read_cell};
use super::lookup::{LookupRule, normalise_for};
use super::mapping::ImportMapping;
use super::parse::{date_as_stored, datetime_as_stored};
use crate::salesforce::ObjectDescribe;
use crate::sync::plan::Values;

/// A mapping that cannot be used with this sheet and object; nothing is read or sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    #[error(
        "the mapping reads column `{column}`, which the sheet does not have (its columns: {headers}); rename the column in the mapping or the sheet"
    )]
    UnknownColumn { column: String, headers: String },
    #[error("{object} has no field `{field}`; check the spelling of the API name in the mapping")]
    UnknownField { object: String, field: String },
    #[error(
        "{field} cannot be written (read-only, formula or system field); remove it from the mapping"
    )]
    NotWritable { field: String },
    #[error("{field} is filled twice, by {first} and by {second}; keep one of them")]
    FilledTwice {
        field: String,
        first: String,
        second: String,
    },
    #[error(
        "{field} is not an external id of {object}, so rows cannot be upserted on it; choose an external-id field ({choices}), or import without a key"
    )]
    NotExternalId {
        object: String,
        field: String,
        choices: String,
    },
    #[error(
        "Salesforce requires {fields} to create {object} records, and nothing in the mapping fills {them}; map a column to {them} or give {them} a constant"
    )]
    RequiredUnfilled {
        object: String,
        fields: String,
        them: &'static str,
    },
    #[error(
        "{field} is not a lookup to {object}; a lookup column must fill a reference field to its object"
    )]
    NotAReference { field: String, object: String },
    #[error("the constant for {field} cannot be used: {reason}")]
    BadConstant { field: String, reason: String },
    #[error("`{text}` is not a time zone offset; write it like +01:00, -05:00 or Z")]
    BadTimeZone { text: String },
    #[error(
        "column `{column}` cannot keep values the list of {field} does not have: {reason}; map its values instead"
    )]
    CannotKeepUnlisted {
        column: String,
        field: String,
        reason: &'static str,
    },
}

/// What stops one row, with the column it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub column: Option<String>,
    pub message: String,
}

impl Problem {
    pub fn in_column(column: &str, message: impl Into<String>) -> Problem {
        Problem {
            column: Some(column.to_string()),
            message: message.into(),
        }
    }
}

/// One row read against the mapping: the values it would send, the lookup texts still to
/// resolve, and its problems so far.
#[derive(Debug, Clone, PartialEq)]
pub struct RowCheck {
    pub row: u64,
    pub key: Option<String>,
    pub values: Values,
    /// Per lookup of the mapping, the cell's normalised text (`None` when blank).
    pub lookups: Vec<Option<String>>,
    pub problems: Vec<Problem>,
    /// Dates and date/times as they will be stored, for the person to check.
    pub shown: Vec<String>,
}

struct ColumnRule {
    index: usize,
    column: String,
    field: FieldSpec,
    rules: CellRules,
}

/// A mapping bound to a sheet's headers and the object's describe.
pub struct Validator {
    pub object: String,
    key: Option<(usize, String, FieldSpec)>,
    columns: Vec<ColumnRule>,
    constants: Values,
    pub lookups: Vec<LookupRule>,
    lookup_index: Vec<usize>,
}

impl Validator {
    pub fn new(
        describe: &ObjectDescribe,
        mapping: &ImportMapping,
        headers: &[String],
    ) -> Result<Validator, MappingError> {
        let specs: HashMap<&str, FieldSpec> = describe
            .fields
            .iter()
            .map(|f| (f.name.as_str(), FieldSpec::from_describe(f)))
            .collect();
        let field = |name: &str| -> Result<FieldSpec, MappingError> {
            let spec = specs
                .get(name)
                .or_else(|| specs.values().find(|s| s.name.eq_ignore_ascii_case(name)))
                .cloned()
                .ok_or_else(|| MappingError::UnknownField {
                    object: describe.name.clone(),
                    field: name.to_string(),
                })?;
            if !spec.createable && !spec.updateable {
                return Err(MappingError::NotWritable {
                    field: spec.named(),
                });
            }
            Ok(spec)
        };
        let column = |name: &str| -> Result<usize, MappingError> {
            headers
                .iter()
                .position(|h| h.trim() == name.trim())
                .or_else(|| {
                    headers
                        .iter()
                        .position(|h| h.trim().eq_ignore_ascii_case(name.trim()))
                })
                .ok_or_else(|| MappingError::UnknownColumn {
                    column: name.to_string(),
                    headers: headers.join(", "),
                })
        };
        let zone =
            parse_zone(&mapping.formats.time_zone).ok_or_else(|| MappingError::BadTimeZone {
                text: mapping.formats.time_zone.clone(),
            })?;
        let mut filled_by: HashMap<String, String> = HashMap::new();
        let mut fill = |spec: &FieldSpec, by: String| -> Result<(), MappingError> {
            if let Some(first) = filled_by.insert(spec.name.clone(), by.clone()) {
                return Err(MappingError::FilledTwice {
                    field: spec.named(),
                    first,
                    second: by,
                });
            }
            Ok(())
        };

        let key = match &mapping.key {
            Some(key) => {
                let spec = field(&key.field)?;
                if !spec.external_id {
                    let choices: Vec<String> = specs
                        .values()
                        .filter(|s| s.external_id)
                        .map(|s| s.name.clone())
                        .collect();
                    return Err(MappingError::NotExternalId {
                        object: describe.name.clone(),
                        field: spec.named(),
                        choices: if choices.is_empty() {
                            "the object has none".into()
                        } else {
                            choices.join(", ")
                        },
                    });
                }
                fill(&spec, format!("the key column `{}`", key.column))?;
                Some((column(&key.column)?, key.column.clone(), spec))
            }
            None => None,
        };

        let mut columns = Vec::new();
        for mapped in &mapping.columns {
            let spec = field(&mapped.field)?;
            fill(&spec, format!("column `{}`", mapped.column))?;
            let mut rules = CellRules::new(&mapping.formats, zone);
            rules.date = mapped.date_format.unwrap_or(rules.date);
            rules.number = mapped.number_format.unwrap_or(rules.number);
            rules.values = mapped
                .values
                .iter()
                .map(|(from, to)| (from.trim().to_lowercase(), to.clone()))
                .collect();
            rules.default = mapped.default.clone();
            if mapped.keep_unlisted {
                let reason = match spec.kind {
                    FieldType::Picklist {
                        restricted: true, ..
                    } => Some("it is a restricted picklist, and Salesforce refuses them"),
                    FieldType::Picklist { .. } => None,
                    _ => Some("it is not a picklist"),
                };
                if let Some(reason) = reason {
                    return Err(MappingError::CannotKeepUnlisted {
                        column: mapped.column.clone(),
                        field: spec.named(),
                        reason,
                    });
                }
                rules.keep_unlisted = true;
            }
            columns.push(ColumnRule {
                index: column(&mapped.column)?,
                column: mapped.column.clone(),
                field: spec,
                rules,
            });
        }

        let mut constants = Values::new();
        for (name, text) in &mapping.constants {
            let spec = field(name)?;
            fill(&spec, "a constant".into())?;
            let rules = CellRules::new(&mapping.formats, zone);
            match read_cell(&spec, &rules, text) {
                Ok(Some(value)) => {
                    constants.insert(spec.name.clone(), value);
                }
                Ok(None) => {}
                Err(reason) => {
                    return Err(MappingError::BadConstant {
                        field: spec.named(),
                        reason,
                    });
                }
            }
        }

        let mut lookups = Vec::new();
        let mut lookup_index = Vec::new();
        for lookup in &mapping.lookups {
            let spec = field(&lookup.field)?;
            let points_there = matches!(spec.kind, FieldType::Id)
                && spec
                    .reference_to
                    .iter()
                    .any(|o| o.eq_ignore_ascii_case(&lookup.object));
            if !points_there {
                return Err(MappingError::NotAReference {
                    field: spec.named(),
                    object: lookup.object.clone(),
                });
            }
            fill(&spec, format!("the lookup column `{}`", lookup.column))?;
            lookup_index.push(column(&lookup.column)?);
            lookups.push(LookupRule::new(lookup, spec));
        }

        let mut unfilled: Vec<String> = specs
            .values()
            .filter(|s| s.required && !filled_by.contains_key(&s.name))
            .map(FieldSpec::named)
            .collect();
        unfilled.sort();
        if !unfilled.is_empty() {
            let them = if unfilled.len() == 1 { "it" } else { "them" };
            return Err(MappingError::RequiredUnfilled {
                object: describe.name.clone(),
                fields: unfilled.join(", "),
                them,
            });
        }
        Ok(Validator {
            object: describe.name.clone(),
            key,
            columns,
            constants,
            lookups,
            lookup_index,
        })
    }

    /// The external-id field rows are upserted on.
    pub fn key_field(&self) -> Option<&str> {
        self.key.as_ref().map(|(_, _, spec)| spec.name.as_str())
    }

    pub fn key_column(&self) -> Option<&str> {
        self.key.as_ref().map(|(_, column, _)| column.as_str())
    }

    /// Every field the import writes, for reading existing records' values.
    pub fn written_fields(&self) -> Vec<String> {
        self.columns
            .iter()
            .map(|c| c.field.name.clone())
            .chain(self.constants.keys().cloned())
            .chain(self.lookups.iter().map(|l| l.field.name.clone()))
            .collect()
    }

    /// Checks one row on its own; lookups, duplicate keys and existing records come later.
    pub fn check(&self, row: &Row) -> RowCheck {
        let cell = |index: usize| row.cells.get(index).map_or("", String::as_str);
        let mut problems = Vec::new();
        let mut values = self.constants.clone();
        let key = self.key.as_ref().and_then(|(index, column, spec)| {
            let key = cell(*index).trim();
            if key.is_empty() {
                problems.push(Problem::in_column(
                    column,
                    format!("the key `{column}` is blank; each row needs its own {} so that running the import again updates it instead of creating it twice", spec.named()),
                ));
                return None;
            }
            let max = match spec.kind {
                FieldType::Text { max_len } => max_len,
                _ => usize::MAX,
            };
            if key.chars().count() > max {
                problems.push(Problem::in_column(
                    column,
                    format!("the key is longer than the {max} characters {} holds", spec.named()),
                ));
            }
            Some(key.to_string())
        });
        let mut shown = Vec::new();
        for rule in &self.columns {
            match read_cell(&rule.field, &rule.rules, cell(rule.index)) {
                Ok(Some(value)) => {
                    if let Some(stored) = as_stored(&rule.field, &rule.rules, &value) {
                        shown.push(format!("{}: {stored}", rule.field.named()));
                    }
                    values.insert(rule.field.name.clone(), value);
                }
                Ok(None) if rule.field.required => problems.push(Problem::in_column(
                    &rule.column,
                    format!(
                        "{} is blank, and Salesforce requires it; fill it in, or give the column a default",
                        rule.field.named()
                    ),
                )),
                Ok(None) => {}
                Err(message) => problems.push(Problem::in_column(&rule.column, message)),
            }
        }
        let mut lookups = Vec::with_capacity(self.lookups.len());
        for (rule, index) in self.lookups.iter().zip(&self.lookup_index) {
            let text = rule.effective(cell(*index));
            if text.is_empty() {
                if rule.required || rule.field.required {
                    problems.push(Problem::in_column(
                        &rule.column,
                        format!(
                            "{} is blank; this import needs a {} for every row",
                            rule.column, rule.object
                        ),
                    ));
                }
                lookups.push(None);
            } else {
                lookups.push(Some(normalise_for(rule, &text)));
            }
        }
        RowCheck {
            row: row.number,
            key,
            values,
            lookups,
            problems,
            shown,
        }
    }

    /// The raw cell of a lookup, as written (after its value map), for messages and creation.
    pub fn lookup_text(&self, lookup: usize, row: &Row) -> String {
        let index = self.lookup_index[lookup];
        self.lookups[lookup].effective(row.cells.get(index).map_or("", String::as_str))
    }
}

/// A date as the record page will show it (it has no time zone), or a date/time in the zone
/// the sheet was read in, with the instant sent.
fn as_stored(field: &FieldSpec, rules: &CellRules, value: &Value) -> Option<String> {
    let text = value.as_str()?;
    match field.kind {
        FieldType::Date => {
            let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
            Some(format!(
                "{} (a day, the same in every time zone)",
                date_as_stored(date).shown
            ))
        }
        FieldType::DateTime => {
            let moment = chrono::DateTime::parse_from_rfc3339(text).ok()?;
            let stored = datetime_as_stored(moment, rules.zone);
            Some(format!("{}, sent as {}", stored.shown, stored.api_value))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use chrono::FixedOffset;
    use serde_json::json;

    use super::*;
    use crate::import::mapping::Formats;

    fn field(kind: FieldType) -> FieldSpec {
        FieldSpec {
            name: "When__c".into(),
            label: "When".into(),
            kind,
            required: false,
            createable: true,
            updateable: true,
            external_id: false,
            reference_to: Vec::new(),
        }
    }

    #[test]
    fn dates_are_shown_as_stored_with_their_time_zone() {
        let rules = CellRules::new(
            &Formats::default(),
            FixedOffset::east_opt(2 * 3600).unwrap(),
        );
        assert_eq!(
            as_stored(&field(FieldType::Date), &rules, &json!("2024-04-03")).as_deref(),
            Some("Wed 3 Apr 2024 (a day, the same in every time zone)")
        );
        assert_eq!(
            as_stored(
                &field(FieldType::DateTime),
                &rules,
                &json!("2024-04-03T22:30:00.000Z")
            )
            .as_deref(),
            Some("Thu 4 Apr 2024 00:30 UTC+02:00, sent as 2024-04-03T22:30:00.000Z")
        );
        assert_eq!(
            as_stored(&field(FieldType::Text { max_len: 9 }), &rules, &json!("x")),
            None
        );
    }
}
