//! What happens to each row, decided before anything is sent: pure. A row checked on its own
//! ([`RowCheck`]) meets the lookups' answers, the keys seen elsewhere in the file and the
//! records that already exist, and becomes a [`Verdict`]: create, update, leave unchanged, or
//! the reasons it cannot go.

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use serde_json::Value;

use super::lookup::{LookupTable, Resolved};
use super::validate::{Problem, RowCheck, Validator};
use crate::run::unheard::same_value;
use crate::sync::plan::Values;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Create,
    Update {
        id: String,
    },
    /// The record already holds these values: nothing is sent.
    Unchanged {
        id: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub row: u64,
    pub key: Option<String>,
    /// `None` when the row has problems.
    pub action: Option<Action>,
    pub values: Values,
    pub problems: Vec<Problem>,
    /// What the reader should know although nothing is wrong (a parent to be created).
    pub notes: Vec<String>,
    /// Lookup cells no single record matched.
    pub unresolved: Vec<Unresolved>,
}

/// A lookup cell no single record matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    /// The reference field, e.g. `AccountId`.
    pub field: String,
    /// The cell as written.
    pub written: String,
    /// Names of the records it may mean, the closest first.
    pub near: Vec<String>,
}

impl Verdict {
    pub fn invalid(row: u64, key: Option<String>, problems: Vec<Problem>) -> Verdict {
        Verdict {
            row,
            key,
            action: None,
            values: Values::new(),
            problems,
            notes: Vec::new(),
            unresolved: Vec::new(),
        }
    }

    /// Problems as one sentence list for a report cell.
    pub fn reasons(&self) -> String {
        self.problems
            .iter()
            .map(|p| match &p.column {
                Some(column) => format!("{column}: {}", p.message),
                None => p.message.clone(),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// A record the key already names in Salesforce, with its values of the fields the import
/// writes.
pub use crate::run::unheard::Existing;

/// Keys seen in the file, kept as hashes so a million rows cost a few megabytes. Keys compare
/// without case, as Salesforce compares external ids.
#[derive(Debug, Default)]
pub struct KeyCounts {
    first_row: HashMap<u64, u64>,
    repeated: HashMap<u64, Vec<u64>>,
}

impl KeyCounts {
    fn hash(key: &str) -> u64 {
        let mut hasher = DefaultHasher::new();
        key.to_lowercase().hash(&mut hasher);
        hasher.finish()
    }

    pub fn add(&mut self, key: &str, row: u64) {
        let hash = Self::hash(key);
        match self.first_row.get(&hash) {
            None => {
                self.first_row.insert(hash, row);
            }
            Some(&first) => self
                .repeated
                .entry(hash)
                .or_insert_with(|| vec![first])
                .push(row),
        }
    }

    /// Every row holding `key`, when more than one does.
    pub fn rows_with(&self, key: &str) -> Option<&[u64]> {
        self.repeated.get(&Self::hash(key)).map(Vec::as_slice)
    }

    pub fn duplicated_keys(&self) -> usize {
        self.repeated.len()
    }
}

/// Everything learned about the file and the org before the rows are decided.
pub struct Context<'a> {
    pub validator: &'a Validator,
    pub tables: &'a [LookupTable],
    pub keys: &'a KeyCounts,
    /// Existing records by lower-cased key.
    pub existing: &'a HashMap<String, Existing>,
}

/// Decides one row. `lookup_texts` are the row's lookup cells as written, for messages.
pub fn decide(check: RowCheck, lookup_texts: &[String], context: &Context<'_>) -> Verdict {
    let RowCheck {
        row,
        key,
        mut values,
        lookups,
        mut problems,
        shown,
    } = check;
    let mut notes = shown;
    let mut unresolved = Vec::new();
    for (i, normalised) in lookups.iter().enumerate() {
        let (Some(normalised), Some(rule), Some(table)) = (
            normalised,
            context.validator.lookups.get(i),
            context.tables.get(i),
        ) else {
            continue;
        };
        let written = lookup_texts.get(i).map_or("", String::as_str);
        match table.resolve(normalised) {
            Resolved::Found(parent) => {
                values.insert(rule.field.name.clone(), Value::String(parent.id.clone()));
            }
            Resolved::WillCreate(name) => {
                notes.push(format!("{} `{name}` will be created", rule.object));
            }
            Resolved::Ambiguous(parents) => {
                unresolved.push(Unresolved {
                    field: rule.field.name.clone(),
                    written: written.to_string(),
                    near: parents.iter().map(|p| p.name.clone()).collect(),
                });
                let list: Vec<String> = parents
                    .iter()
                    .take(5)
                    .map(|p| format!("{} ({})", p.name, p.id))
                    .collect();
                problems.push(Problem::in_column(
                    &rule.column,
                    format!(
                        "`{written}` matches {} {} records: {}; write the name in full, or map this spelling to one of them in the lookup's value map",
                        parents.len(),
                        rule.object,
                        list.join(", ")
                    ),
                ));
            }
            Resolved::FromRow { id: Some(id), .. } => {
                values.insert(rule.field.name.clone(), Value::String(id.to_string()));
            }
            Resolved::FromRow { row, id: None } => {
                notes.push(format!(
                    "{} `{written}` is created by row {row} first",
                    rule.object
                ));
            }
            Resolved::RowNotImported(parent) => {
                problems.push(Problem::in_column(
                    &rule.column,
                    format!(
                        "its parent `{written}` is row {parent} of this sheet, which was not imported; fix row {parent}, then import the file again"
                    ),
                ));
            }
            Resolved::RowsAmbiguous(rows) => {
                let list: Vec<String> = rows.iter().map(u64::to_string).collect();
                problems.push(Problem::in_column(
                    &rule.column,
                    format!(
                        "`{written}` is the name of rows {} of this sheet; give each {} its own name, or name the parent by another field",
                        list.join(", "),
                        rule.object
                    ),
                ));
            }
            Resolved::CannotCreate(reason) => {
                problems.push(Problem::in_column(&rule.column, reason));
            }
            Resolved::Missing => {
                let near: Vec<String> = table
                    .near(normalised)
                    .iter()
                    .map(|p| p.name.clone())
                    .collect();
                problems.push(Problem::in_column(
                    &rule.column,
                    rule.missing(written, &near),
                ));
                unresolved.push(Unresolved {
                    field: rule.field.name.clone(),
                    written: written.to_string(),
                    near,
                });
            }
        }
    }
    if let Some(key) = &key
        && let Some(rows) = context.keys.rows_with(key)
    {
        let others: Vec<String> = rows
            .iter()
            .filter(|r| **r != row)
            .map(u64::to_string)
            .collect();
        let column = context.validator.key_column().unwrap_or("key");
        problems.push(Problem::in_column(
            column,
            format!(
                "the key `{key}` is also on row {}; keep one row per record (none of these rows is imported until then)",
                others.join(", ")
            ),
        ));
    }
    if !problems.is_empty() {
        return Verdict {
            unresolved,
            ..Verdict::invalid(row, key, problems)
        };
    }
    let existing = key
        .as_ref()
        .and_then(|k| context.existing.get(&k.to_lowercase()));
    let action = match existing {
        None => Action::Create,
        Some(record) => {
            let unchanged = values.iter().all(|(field, value)| {
                record
                    .values
                    .get(field)
                    .is_some_and(|current| same_value(current, value))
            });
            if unchanged {
                Action::Unchanged {
                    id: record.id.clone(),
                }
            } else {
                Action::Update {
                    id: record.id.clone(),
                }
            }
        }
    };
    Verdict {
        row,
        key,
        action: Some(action),
        values,
        problems,
        notes,
        unresolved,
    }
}

#[cfg(test)]
mod tests;
