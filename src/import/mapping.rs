//! How a sheet's columns become a Salesforce record: which column fills which field, how its
//! cells are read (date format, number locale, what a blank checkbox means), value maps,
//! constants, lookups of parent records, and the external id that makes a re-run an update.
//!
//! Saved as JSON (`--mapping M.json`) and as templates offered again for the same headers.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::parse::{ALL_DATE_FORMATS, BlankMeans, DateFormat, NumberLocale};

/// The JSON Schema of the mapping file, as shipped in `assets/` (`tether import --print-schema`).
pub const SCHEMA: &str = include_str!("../../assets/import-mapping.schema.json");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportMapping {
    /// The Salesforce object the rows become, e.g. `Opportunity`.
    pub object: String,
    /// The external id the rows are upserted on. Without one, every load creates records, so
    /// running it twice creates them twice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<KeyMapping>,
    #[serde(default)]
    pub columns: Vec<ColumnMapping>,
    /// Field → value given to every row, read like a cell of that field.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub constants: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lookups: Vec<LookupMapping>,
    #[serde(default)]
    pub formats: Formats,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyMapping {
    pub column: String,
    /// An external-id field of the object, e.g. `Legacy_Opportunity_Id__c`.
    pub field: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnMapping {
    pub column: String,
    pub field: String,
    /// Cell text → value to store, matched ignoring case and surrounding spaces. Cells not
    /// listed keep their text.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, String>,
    /// What a blank cell becomes; blank cells stay empty when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// This column's date format, when it differs from the sheet's.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "date_format_text"
    )]
    pub date_format: Option<DateFormat>,
    /// This column's number format, when it differs from the sheet's.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "locale_text")]
    pub number_format: Option<NumberLocale>,
    /// For an unrestricted picklist: values its list does not have are sent as written
    /// (Salesforce keeps them as inactive values) instead of making the row invalid.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub keep_unlisted: bool,
}

impl ColumnMapping {
    pub fn new(column: &str, field: &str) -> ColumnMapping {
        ColumnMapping {
            column: column.to_string(),
            field: field.to_string(),
            values: BTreeMap::new(),
            default: None,
            date_format: None,
            number_format: None,
            keep_unlisted: false,
        }
    }
}

/// A column naming a parent record (an Account by name, an Owner by name or email) that fills
/// a reference field with the record's Id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LookupMapping {
    pub column: String,
    /// The reference field, e.g. `AccountId` or `OwnerId`.
    pub field: String,
    /// The parent object, e.g. `Account` or `User`.
    pub object: String,
    /// Fields of the parent compared with the cell, e.g. `["Name"]`, `["External_Id__c"]` or
    /// `["Name", "Email"]` (a cell with `@` is compared with the email).
    pub match_on: Vec<String>,
    /// Parents no record matches are created first (from the cell, as their `Name`).
    #[serde(default)]
    pub create_missing: bool,
    /// A blank cell makes the row invalid.
    #[serde(default)]
    pub required: bool,
    /// Cell text → the text to look up, for spellings no rule can guess.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, String>,
}

impl LookupMapping {
    /// A lookup of `object` records whose `match_on` fields hold the cell, filling `field`;
    /// none are created, and a blank cell is allowed.
    pub fn new(column: &str, field: &str, object: &str, match_on: &[&str]) -> LookupMapping {
        LookupMapping {
            column: column.to_string(),
            field: field.to_string(),
            object: object.to_string(),
            match_on: match_on.iter().map(|m| m.to_string()).collect(),
            create_missing: false,
            required: false,
            values: BTreeMap::new(),
        }
    }
}

/// How cells are read unless a column says otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Formats {
    #[serde(with = "date_format_text::required")]
    pub date: DateFormat,
    #[serde(with = "locale_text::required")]
    pub number: NumberLocale,
    /// What a blank checkbox cell means.
    #[serde(with = "blank_text")]
    pub blank_checkbox: BlankMeans,
    /// The offset a date/time written without one is read in, e.g. `+01:00`; `Z` for UTC.
    #[serde(default = "utc")]
    pub time_zone: String,
    /// Round numbers with more decimal places than the field keeps, instead of refusing them.
    #[serde(default)]
    pub round_numbers: bool,
    /// The formats a person chose. The others were detected from a sheet, and a template
    /// detects them again on each file it is used for.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub set_by_hand: BTreeSet<FormatKind>,
}

/// A sheet-wide format a person can choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FormatKind {
    Date,
    Number,
}

fn utc() -> String {
    "Z".to_string()
}

impl Default for Formats {
    fn default() -> Self {
        Formats {
            date: DateFormat::Iso8601,
            number: NumberLocale::English,
            blank_checkbox: BlankMeans::NoValue,
            time_zone: utc(),
            round_numbers: false,
            set_by_hand: BTreeSet::new(),
        }
    }
}

impl ImportMapping {
    pub fn new(object: &str) -> ImportMapping {
        ImportMapping {
            object: object.to_string(),
            key: None,
            columns: Vec::new(),
            constants: BTreeMap::new(),
            lookups: Vec::new(),
            formats: Formats::default(),
        }
    }

    /// Every column the mapping reads.
    pub fn columns_read(&self) -> impl Iterator<Item = &str> {
        self.key
            .iter()
            .map(|k| k.column.as_str())
            .chain(self.columns.iter().map(|c| c.column.as_str()))
            .chain(self.lookups.iter().map(|l| l.column.as_str()))
    }
}

/// A value map lookup: ignoring case and surrounding spaces.
pub fn mapped_value<'a>(values: &'a BTreeMap<String, String>, cell: &str) -> Option<&'a str> {
    if values.is_empty() {
        return None;
    }
    let wanted = cell.trim();
    values
        .iter()
        .find(|(from, _)| {
            from.trim().eq_ignore_ascii_case(wanted)
                || from.trim().to_lowercase() == wanted.to_lowercase()
        })
        .map(|(_, to)| to.as_str())
}

/// Reads a date format from its label (`MM/DD/YYYY`, `ISO 8601`, `Excel serial number`).
pub fn date_format_from_label(label: &str) -> Option<DateFormat> {
    let wanted = label.trim();
    ALL_DATE_FORMATS
        .into_iter()
        .find(|f| f.label().eq_ignore_ascii_case(wanted))
}

pub fn locale_from_name(name: &str) -> Option<NumberLocale> {
    NumberLocale::ALL
        .into_iter()
        .find(|l| l.name().eq_ignore_ascii_case(name.trim()))
}

pub fn blank_label(blank: BlankMeans) -> &'static str {
    match blank {
        BlankMeans::False => "false",
        BlankMeans::True => "true",
        BlankMeans::NoValue => "no value",
        BlankMeans::Refuse => "refuse",
    }
}

fn blank_from_label(label: &str) -> Option<BlankMeans> {
    [
        BlankMeans::False,
        BlankMeans::True,
        BlankMeans::NoValue,
        BlankMeans::Refuse,
    ]
    .into_iter()
    .find(|b| blank_label(*b).eq_ignore_ascii_case(label.trim()))
}

fn choices<T>(all: impl IntoIterator<Item = T>, show: impl Fn(T) -> String) -> String {
    all.into_iter().map(show).collect::<Vec<_>>().join(", ")
}

mod date_format_text {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::{ALL_DATE_FORMATS, DateFormat, choices, date_format_from_label};

    pub fn serialize<S: Serializer>(value: &Option<DateFormat>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(format) => s.serialize_str(&format.label()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateFormat>, D::Error> {
        let text = Option::<String>::deserialize(d)?;
        text.map(|t| parse(&t)).transpose()
    }

    fn parse<E: serde::de::Error>(text: &str) -> Result<DateFormat, E> {
        date_format_from_label(text).ok_or_else(|| {
            E::custom(format!(
                "`{text}` is not a date format; use one of {}",
                choices(ALL_DATE_FORMATS, |f| f.label())
            ))
        })
    }

    pub mod required {
        use serde::{Deserialize, Deserializer, Serializer};

        use super::DateFormat;

        pub fn serialize<S: Serializer>(value: &DateFormat, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(&value.label())
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateFormat, D::Error> {
            super::parse(&String::deserialize(d)?)
        }
    }
}

mod locale_text {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::{NumberLocale, choices, locale_from_name};

    pub fn serialize<S: Serializer>(value: &Option<NumberLocale>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(locale) => s.serialize_str(locale.name()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NumberLocale>, D::Error> {
        let text = Option::<String>::deserialize(d)?;
        text.map(|t| parse(&t)).transpose()
    }

    fn parse<E: serde::de::Error>(text: &str) -> Result<NumberLocale, E> {
        locale_from_name(text).ok_or_else(|| {
            E::custom(format!(
                "`{text}` is not a number format; use one of {}",
                choices(NumberLocale::ALL, |l| format!(
                    "{} ({})",
                    l.name(),
                    l.example()
                ))
            ))
        })
    }

    pub mod required {
        use serde::{Deserialize, Deserializer, Serializer};

        use super::NumberLocale;

        pub fn serialize<S: Serializer>(value: &NumberLocale, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(value.name())
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NumberLocale, D::Error> {
            super::parse(&String::deserialize(d)?)
        }
    }
}

mod blank_text {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::{BlankMeans, blank_from_label, blank_label};

    pub fn serialize<S: Serializer>(value: &BlankMeans, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(blank_label(*value))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BlankMeans, D::Error> {
        let text = String::deserialize(d)?;
        blank_from_label(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{text}` is not what a blank checkbox can mean; use false, true, no value or refuse"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::parse::{DateOrder, DateSeparator};

    #[test]
    fn a_mapping_round_trips_through_json_with_formats_as_people_write_them() {
        let mut mapping = ImportMapping::new("Opportunity");
        mapping.formats.date = DateFormat::Ordered {
            order: DateOrder::MonthDayYear,
            separator: DateSeparator::Slash,
        };
        mapping.formats.number = NumberLocale::German;
        let mut amount = ColumnMapping::new("Amount", "Amount");
        amount.number_format = Some(NumberLocale::English);
        mapping.columns.push(amount);
        let text = serde_json::to_string_pretty(&mapping).unwrap();
        assert!(text.contains("\"MM/DD/YYYY\""), "{text}");
        assert!(text.contains("\"German\""), "{text}");
        let back: ImportMapping = serde_json::from_str(&text).unwrap();
        assert_eq!(back, mapping);
    }

    #[test]
    fn an_unknown_date_format_names_the_choices() {
        let text = r#"{"object":"Opportunity","formats":{"date":"MM-DD-YY","number":"English","blank_checkbox":"false"}}"#;
        let err = serde_json::from_str::<ImportMapping>(text)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`MM-DD-YY` is not a date format"), "{err}");
        assert!(err.contains("DD/MM/YYYY"), "{err}");
    }

    #[test]
    fn value_maps_ignore_case_and_spaces() {
        let values: BTreeMap<String, String> =
            [("Won".to_string(), "Closed Won".to_string())].into();
        assert_eq!(mapped_value(&values, " WON "), Some("Closed Won"));
        assert_eq!(mapped_value(&values, "Wonn"), None);
    }
}
