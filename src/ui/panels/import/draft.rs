//! The import mapping being edited and the rules of editing it by hand: what may be paired
//! with what, lookups for reference fields, the key, value maps and constants. No drawing.

use std::collections::BTreeMap;

use crate::desktop::{FieldInfo, FilePreview, ImportProposal};
use crate::import::mapping::{ColumnMapping, FormatKind, ImportMapping, KeyMapping, LookupMapping};
use crate::import::parse::{BlankMeans, DateFormat, NumberLocale};

/// A sheet column or a Salesforce field being dragged, or picked from the keyboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dragged {
    Column(String),
    Field(String),
}

/// A change to the mapping.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// Pairs a sheet column with a field: a lookup when the field is a reference.
    Map {
        column: String,
        field: String,
    },
    /// Removes what fills `field` from a column (a pair or a lookup).
    Unmap {
        field: String,
    },
    /// The column and external-id field rows are upserted on; no column means no key.
    SetKey {
        column: Option<String>,
        field: Option<String>,
    },
    SetLookupObject {
        field: String,
        object: String,
    },
    SetMatchOn {
        field: String,
        match_on: Vec<String>,
    },
    SetCreateMissing {
        field: String,
        create: bool,
    },
    SetLookupRequired {
        field: String,
        required: bool,
    },
    /// Opens or closes the value map of a pair.
    ToggleValues {
        field: String,
    },
    AddValue {
        field: String,
    },
    /// Row `index` of the value map of `field`: cell text → value stored.
    SetValue {
        field: String,
        index: usize,
        from: String,
        to: String,
    },
    RemoveValue {
        field: String,
        index: usize,
    },
    AddConstant {
        field: String,
    },
    SetConstant {
        field: String,
        value: String,
    },
    RemoveConstant {
        field: String,
    },
    SetDateFormat(DateFormat),
    SetNumberFormat(NumberLocale),
    /// The date format of one pair's column; none reads it as the sheet's.
    SetColumnDateFormat {
        field: String,
        format: Option<DateFormat>,
    },
    /// The number format of one pair's column; none reads it as the sheet's.
    SetColumnNumberFormat {
        field: String,
        locale: Option<NumberLocale>,
    },
    /// Whether an unrestricted picklist's column keeps values its list does not have.
    SetKeepUnlisted {
        field: String,
        keep: bool,
    },
    SetBlank(BlankMeans),
    SetTimeZone(String),
    /// Round numbers with more decimal places than their field keeps, instead of refusing them.
    SetRoundNumbers(bool),
    /// What a pair's blank cells become; blank text means they stay empty.
    SetDefault {
        field: String,
        default: String,
    },
}

/// Sample values kept per column, for the value-map prefill.
const SAMPLES_KEPT: usize = 50;

pub struct Draft {
    mapping: ImportMapping,
    pub headers: Vec<String>,
    pub fields: Vec<FieldInfo>,
    /// Distinct non-blank values of each column in the preview, in order of appearance.
    pub samples: BTreeMap<String, Vec<String>>,
    /// Value maps as edited, by field: rows with an empty side are left out when sent.
    pub values: BTreeMap<String, Vec<(String, String)>>,
    /// The field whose value map is open.
    pub open_values: Option<String>,
    /// Lookup cells the last check matched to no single record, by field, with the names of
    /// records they may mean: offered as spellings.
    pub unfound: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    pub picked: Option<Dragged>,
    /// Why the last pairing was refused, until the next one.
    pub refused: Option<String>,
    pub column_search: String,
    pub field_search: String,
}

impl Draft {
    pub fn new(proposal: &ImportProposal, preview: Option<&FilePreview>) -> Draft {
        let mut samples: BTreeMap<String, Vec<String>> = BTreeMap::new();
        if let Some(preview) = preview {
            for (i, header) in preview.headers.iter().enumerate() {
                let mut seen: Vec<String> = Vec::new();
                for row in &preview.rows {
                    let Some(cell) = row.cells.get(i).map(|c| c.trim()) else {
                        continue;
                    };
                    if !cell.is_empty() && !seen.iter().any(|s| s == cell) {
                        seen.push(cell.to_string());
                    }
                    if seen.len() >= SAMPLES_KEPT {
                        break;
                    }
                }
                samples.insert(header.clone(), seen);
            }
        }
        // Columns map values; lookups map spellings to the text looked up. Both by field.
        let mapping = &proposal.mapping;
        let columns = mapping.columns.iter().map(|c| (&c.field, &c.values));
        let lookups = mapping.lookups.iter().map(|l| (&l.field, &l.values));
        let values = columns
            .chain(lookups)
            .filter(|(_, values)| !values.is_empty())
            .map(|(field, values)| {
                let rows = values.iter().map(|(a, b)| (a.clone(), b.clone()));
                (field.clone(), rows.collect())
            })
            .collect();
        Draft {
            mapping: proposal.mapping.clone(),
            headers: proposal.headers.clone(),
            fields: proposal.fields.clone(),
            samples,
            values,
            open_values: None,
            unfound: BTreeMap::new(),
            picked: None,
            refused: None,
            column_search: String::new(),
            field_search: String::new(),
        }
    }

    /// The mapping as it will be sent, value maps included.
    pub fn mapping(&self) -> ImportMapping {
        let mut mapping = self.mapping.clone();
        for column in &mut mapping.columns {
            column.values = self.value_map(&column.field);
        }
        for lookup in &mut mapping.lookups {
            lookup.values = self.value_map(&lookup.field);
        }
        mapping
    }

    /// How many rows of `field`'s value map are filled on both sides.
    pub fn mapped_values(&self, field: &str) -> usize {
        self.value_map(field).len()
    }

    /// Names of the records the last check found near `written`, a lookup cell of `field`.
    pub fn near(&self, field: &str, written: &str) -> &[String] {
        self.unfound
            .get(field)
            .and_then(|texts| texts.get(written))
            .map_or(&[], Vec::as_slice)
    }

    /// The rows of `field`'s value map with both sides filled, trimmed.
    fn value_map(&self, field: &str) -> BTreeMap<String, String> {
        self.values
            .get(field)
            .into_iter()
            .flatten()
            .filter(|(from, to)| !from.trim().is_empty() && !to.trim().is_empty())
            .map(|(from, to)| (from.trim().to_string(), to.trim().to_string()))
            .collect()
    }

    /// The mapping without its edited value maps, for drawing.
    pub fn current(&self) -> &ImportMapping {
        &self.mapping
    }

    pub fn field(&self, name: &str) -> Option<&FieldInfo> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn label_of(&self, field: &str) -> String {
        self.field(field)
            .map_or_else(|| field.to_string(), |f| f.label.clone())
    }

    /// The first value of a column in the preview.
    pub fn sample(&self, column: &str) -> Option<&str> {
        self.samples
            .get(column)
            .and_then(|s| s.first())
            .map(String::as_str)
    }

    /// The column that fills `field`, and how: a pair, a lookup or the key.
    pub fn filler(&self, field: &str) -> Option<(String, &'static str)> {
        let m = &self.mapping;
        if let Some(key) = m.key.as_ref().filter(|k| k.field == field) {
            return Some((key.column.clone(), "key"));
        }
        if let Some(c) = m.columns.iter().find(|c| c.field == field) {
            return Some((c.column.clone(), "pair"));
        }
        m.lookups
            .iter()
            .find(|l| l.field == field)
            .map(|l| (l.column.clone(), "lookup"))
    }

    /// The field a column fills (as a pair, a lookup or the key).
    pub fn fills(&self, column: &str) -> Option<String> {
        let m = &self.mapping;
        m.columns
            .iter()
            .find(|c| c.column == column)
            .map(|c| c.field.clone())
            .or_else(|| {
                m.lookups
                    .iter()
                    .find(|l| l.column == column)
                    .map(|l| l.field.clone())
            })
            .or_else(|| {
                m.key
                    .as_ref()
                    .filter(|k| k.column == column)
                    .map(|k| k.field.clone())
            })
    }

    /// Why `column` may not fill `field`, in words for a tooltip.
    pub fn refusal(&self, column: &str, field: &FieldInfo) -> Option<String> {
        if field.read_only {
            return Some(format!(
                "{} is read-only in Salesforce, so an import cannot fill it",
                field.label
            ));
        }
        if field.field_type == "id" {
            return Some(format!(
                "{} is Salesforce's own record Id; choose a key with an external-id field instead",
                field.label
            ));
        }
        if matches!(
            field.field_type.as_str(),
            "address" | "location" | "complexvalue"
        ) {
            return Some(format!(
                "{} is a compound {} field: map its parts instead (e.g. BillingCity)",
                field.label, field.field_type
            ));
        }
        if let Some((from, how)) = self.filler(&field.name) {
            let what = if how == "key" {
                "the key"
            } else {
                "already filled"
            };
            return Some(format!(
                "{} is {what} from {from}: remove that first",
                field.label
            ));
        }
        if self.mapping.constants.contains_key(&field.name) {
            return Some(format!(
                "{} has a constant: remove the constant first",
                field.label
            ));
        }
        if let Some(other) = self.fills(column) {
            return Some(format!(
                "{column} already fills {}: remove that first",
                self.label_of(&other)
            ));
        }
        None
    }

    pub fn apply(&mut self, edit: Edit) {
        match edit {
            Edit::Map { column, field } => self.map(column, field),
            Edit::Unmap { field } => {
                self.mapping.columns.retain(|c| c.field != field);
                self.mapping.lookups.retain(|l| l.field != field);
                self.values.remove(&field);
                if self.open_values.as_ref() == Some(&field) {
                    self.open_values = None;
                }
            }
            Edit::SetKey { column, field } => self.set_key(column, field),
            Edit::SetLookupObject { field, object } => {
                if let Some(l) = self.lookup_mut(&field) {
                    l.object = object;
                }
            }
            Edit::SetMatchOn { field, match_on } => {
                if let Some(l) = self.lookup_mut(&field) {
                    l.match_on = match_on;
                }
            }
            Edit::SetCreateMissing { field, create } => {
                if let Some(l) = self.lookup_mut(&field) {
                    l.create_missing = create;
                }
            }
            Edit::SetLookupRequired { field, required } => {
                if let Some(l) = self.lookup_mut(&field) {
                    l.required = required;
                }
            }
            Edit::ToggleValues { field } => {
                if self.open_values.as_ref() == Some(&field) {
                    self.open_values = None;
                } else {
                    self.prefill_values(&field);
                    self.open_values = Some(field);
                }
            }
            Edit::AddValue { field } => {
                self.values
                    .entry(field)
                    .or_default()
                    .push(Default::default());
            }
            Edit::SetValue {
                field,
                index,
                from,
                to,
            } => {
                if let Some(row) = self.values.get_mut(&field).and_then(|r| r.get_mut(index)) {
                    *row = (from, to);
                }
            }
            Edit::RemoveValue { field, index } => {
                if let Some(rows) = self.values.get_mut(&field)
                    && index < rows.len()
                {
                    rows.remove(index);
                }
            }
            Edit::AddConstant { field } => {
                if self.filler(&field).is_none() {
                    self.mapping.constants.entry(field).or_default();
                }
            }
            Edit::SetConstant { field, value } => {
                if let Some(slot) = self.mapping.constants.get_mut(&field) {
                    *slot = value;
                }
            }
            Edit::RemoveConstant { field } => {
                self.mapping.constants.remove(&field);
            }
            // A format the person picks is kept by a template; a detected one is not.
            Edit::SetDateFormat(format) => {
                self.mapping.formats.date = format;
                self.mapping.formats.set_by_hand.insert(FormatKind::Date);
            }
            Edit::SetNumberFormat(locale) => {
                self.mapping.formats.number = locale;
                self.mapping.formats.set_by_hand.insert(FormatKind::Number);
            }
            Edit::SetColumnDateFormat { field, format } => {
                if let Some(column) = self.column_mut(&field) {
                    column.date_format = format;
                }
            }
            Edit::SetColumnNumberFormat { field, locale } => {
                if let Some(column) = self.column_mut(&field) {
                    column.number_format = locale;
                }
            }
            Edit::SetKeepUnlisted { field, keep } => {
                if let Some(column) = self.column_mut(&field) {
                    column.keep_unlisted = keep;
                }
            }
            Edit::SetBlank(blank) => self.mapping.formats.blank_checkbox = blank,
            Edit::SetTimeZone(zone) => self.mapping.formats.time_zone = zone,
            Edit::SetRoundNumbers(round) => self.mapping.formats.round_numbers = round,
            Edit::SetDefault { field, default } => {
                if let Some(column) = self.column_mut(&field) {
                    column.default = (!default.trim().is_empty()).then_some(default);
                }
            }
        }
    }

    fn column_mut(&mut self, field: &str) -> Option<&mut ColumnMapping> {
        self.mapping.columns.iter_mut().find(|c| c.field == field)
    }

    fn map(&mut self, column: String, field: String) {
        self.picked = None;
        let Some(info) = self.field(&field).cloned() else {
            return;
        };
        if let Some(why) = self.refusal(&column, &info) {
            self.refused = Some(why);
            return;
        }
        self.refused = None;
        if info.field_type == "reference" {
            let object = info
                .reference_to
                .first()
                .cloned()
                .unwrap_or_else(|| parent_object(&info.name));
            let match_on = default_match_on(&object);
            self.mapping.lookups.push(LookupMapping {
                column,
                field,
                object,
                match_on,
                create_missing: false,
                required: false,
                values: BTreeMap::new(),
            });
        } else {
            self.mapping
                .columns
                .push(ColumnMapping::new(&column, &field));
        }
    }

    fn set_key(&mut self, column: Option<String>, field: Option<String>) {
        let Some(column) = column.filter(|c| !c.is_empty()) else {
            self.mapping.key = None;
            return;
        };
        let field = field
            .or_else(|| self.mapping.key.as_ref().map(|k| k.field.clone()))
            .or_else(|| self.external_ids().first().map(|f| f.name.clone()));
        let Some(field) = field else {
            self.refused = Some(format!(
                "{} has no external-id field, so rows cannot be upserted on a key",
                self.mapping.object
            ));
            return;
        };
        // The key fills its field and reads its column: nothing else may.
        self.mapping
            .columns
            .retain(|c| c.field != field && c.column != column);
        self.mapping
            .lookups
            .retain(|l| l.field != field && l.column != column);
        self.mapping.constants.remove(&field);
        self.mapping.key = Some(KeyMapping { column, field });
    }

    /// Fields rows can be upserted on.
    pub fn external_ids(&self) -> Vec<&FieldInfo> {
        self.fields
            .iter()
            .filter(|f| f.external_id && !f.read_only)
            .collect()
    }

    fn lookup_mut(&mut self, field: &str) -> Option<&mut LookupMapping> {
        self.mapping.lookups.iter_mut().find(|l| l.field == field)
    }

    /// Offers what the map is likely wanted for: a lookup's cells the last check found no
    /// record for, or a picklist column's samples its list does not allow.
    fn prefill_values(&mut self, field: &str) {
        let offered: Vec<String> = if self.mapping.lookups.iter().any(|l| l.field == field) {
            self.unfound
                .get(field)
                .into_iter()
                .flat_map(|texts| texts.keys().cloned())
                .collect()
        } else {
            self.samples_not_listed(field)
        };
        let rows = self.values.entry(field.to_string()).or_default();
        for text in offered {
            let lower = text.to_lowercase();
            if !rows.iter().any(|(from, _)| from.to_lowercase() == lower) {
                rows.push((text, String::new()));
            }
        }
    }

    /// The samples of the column filling a picklist `field` that its list does not allow.
    fn samples_not_listed(&self, field: &str) -> Vec<String> {
        let Some(info) = self.field(field).filter(|f| !f.picklist_values.is_empty()) else {
            return Vec::new();
        };
        let Some(column) = self.mapping.columns.iter().find(|c| c.field == field) else {
            return Vec::new();
        };
        let allowed: Vec<String> = info
            .picklist_values
            .iter()
            .map(|v| v.to_lowercase())
            .collect();
        self.samples
            .get(&column.column)
            .into_iter()
            .flatten()
            .filter(|sample| !allowed.contains(&sample.to_lowercase()))
            .cloned()
            .collect()
    }
}

/// The object a reference field most likely points to: `OwnerId` to a User, `AccountId` to an
/// Account, `Partner__c` to `Partner__c`. The person can change it.
pub fn parent_object(field: &str) -> String {
    match field {
        "OwnerId" | "CreatedById" | "LastModifiedById" => "User".to_string(),
        _ => match field.strip_suffix("Id") {
            Some(stem) if !stem.is_empty() && !field.ends_with("__c") => stem.to_string(),
            _ => field.to_string(),
        },
    }
}

/// How parents are found unless the person says otherwise: users by name or email.
pub fn default_match_on(object: &str) -> Vec<String> {
    if object.eq_ignore_ascii_case("User") {
        vec!["Name".to_string(), "Email".to_string()]
    } else {
        vec!["Name".to_string()]
    }
}

/// The ways a parent can be matched, as (label, fields).
pub fn match_choices(object: &str) -> Vec<(&'static str, Vec<String>)> {
    let name = vec!["Name".to_string()];
    if object.eq_ignore_ascii_case("User") {
        vec![
            ("Name or email", default_match_on(object)),
            ("Name", name),
            ("Email", vec!["Email".to_string()]),
        ]
    } else {
        vec![("Name", name)]
    }
}

#[cfg(test)]
mod tests;
