//! A first mapping for a sheet nobody has mapped yet: columns matched to fields by name, label
//! and synonyms, columns naming a parent (`Account`, `Owner Email`) as lookups, a column of
//! ids as the upsert key, and the date and number formats the sample leaves no doubt about.
//! Everything it could not decide is said in a note, for the person to settle.

use std::collections::BTreeSet;

use super::fields::{FieldSpec, FieldType};
use super::mapping::{ColumnMapping, FormatKind, ImportMapping, KeyMapping, LookupMapping};
use super::parse::{DateFormat, NumberLocale, detect_date_format, detect_number_locale};
use crate::salesforce::ObjectDescribe;
use crate::sync::automatch::{FieldFacts, Purpose, auto_match, normalise};

/// A proposed mapping and what the person should check.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub mapping: ImportMapping,
    pub notes: Vec<String>,
    /// Columns nothing reads.
    pub unmapped: Vec<String>,
}

/// Proposes a mapping of `headers` to `describe`'s object, judging formats on `sample` rows.
pub fn propose(describe: &ObjectDescribe, headers: &[String], sample: &[Vec<String>]) -> Proposal {
    let specs: Vec<FieldSpec> = describe
        .fields
        .iter()
        .map(FieldSpec::from_describe)
        .collect();
    let mut mapping = ImportMapping::new(&describe.name);
    let mut notes = Vec::new();
    let mut used: BTreeSet<usize> = BTreeSet::new();

    // On a sheet of accounts, `Account` is each row's own name, not a parent.
    let own_name = normalise(&describe.name);
    if let Some(index) = headers.iter().position(|h| normalise(h) == own_name)
        && specs.iter().any(|s| s.name == "Name" && s.createable)
    {
        mapping
            .columns
            .push(ColumnMapping::new(&headers[index], "Name"));
        used.insert(index);
    }

    for (index, header) in headers.iter().enumerate() {
        if used.contains(&index) {
            continue;
        }
        if let Some(lookup) = lookup_for(header, describe, &specs)
            && !mapping.lookups.iter().any(|l| l.field == lookup.field)
        {
            notes.push(format!(
                "`{header}` finds the {} by {} for {}",
                lookup.object,
                lookup.match_on.join(" or "),
                lookup.field
            ));
            mapping.lookups.push(lookup);
            used.insert(index);
        }
    }

    let external: Vec<&FieldSpec> = specs
        .iter()
        .filter(|s| s.external_id && s.createable && matches!(s.kind, FieldType::Text { .. }))
        .collect();
    let facts: Vec<FieldFacts> = specs
        .iter()
        .filter(|s| s.createable && !matches!(s.kind, FieldType::Id))
        .map(|s| FieldFacts::new(&s.name, &s.label, false))
        .collect();
    let free: Vec<(usize, &String)> = headers
        .iter()
        .enumerate()
        .filter(|(i, _)| !used.contains(i))
        .collect();
    let names: Vec<&str> = free.iter().map(|(_, h)| h.as_str()).collect();
    for found in auto_match(&names, &facts, Purpose::Push) {
        let Some(&(index, _)) = free.iter().find(|(_, h)| **h == found.column) else {
            continue;
        };
        used.insert(index);
        if external.iter().any(|s| s.name == found.field) && mapping.key.is_none() {
            mapping.key = Some(KeyMapping {
                column: found.column.clone(),
                field: found.field.clone(),
            });
            notes.push(format!(
                "rows are upserted on {} from `{}`, so importing the sheet again updates them",
                found.field, found.column
            ));
        } else {
            mapping
                .columns
                .push(ColumnMapping::new(&found.column, &found.field));
        }
    }

    if mapping.key.is_none()
        && let [only] = external.as_slice()
        && let Some((index, header)) = headers
            .iter()
            .enumerate()
            .find(|(i, h)| !used.contains(i) && looks_like_an_id(h))
    {
        used.insert(index);
        mapping.key = Some(KeyMapping {
            column: header.clone(),
            field: only.name.clone(),
        });
        notes.push(format!(
            "rows are upserted on {} from `{header}` (its values look like ids); check this is the column that names each record once",
            only.name
        ));
    }
    if mapping.key.is_none() {
        notes.push("no column is an external id, so every import creates new records: choose a key to make importing again safe".into());
    }

    let column_values = |column: &str| -> Vec<&str> {
        let index = headers.iter().position(|h| h == column);
        sample
            .iter()
            .filter_map(|row| index.and_then(|i| row.get(i)).map(String::as_str))
            .collect()
    };
    let spec_of = |field: &str| specs.iter().find(|s| s.name == field);
    let detected = detect_formats(&specs, &mapping, headers, sample);
    if let Some(format) = detected.date {
        mapping.formats.date = format;
    }
    if let Some(locale) = detected.number {
        mapping.formats.number = locale;
    }
    notes.extend(detected.notes);
    for column in &mut mapping.columns {
        let Some(FieldType::Picklist { values, .. }) = spec_of(&column.field).map(|s| &s.kind)
        else {
            continue;
        };
        let mut seen: Vec<&str> = column_values(&column.column)
            .into_iter()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect();
        seen.sort_unstable();
        seen.dedup();
        for cell in seen {
            if values.iter().any(|v| v.eq_ignore_ascii_case(cell)) {
                continue;
            }
            let lower = cell.to_lowercase();
            let containing: Vec<&String> = values
                .iter()
                .filter(|v| {
                    v.to_lowercase()
                        .split(|c: char| !c.is_alphanumeric())
                        .any(|w| w == lower)
                })
                .collect();
            if let [only] = containing.as_slice() {
                column.values.insert(cell.to_string(), (*only).clone());
            }
        }
        if !column.values.is_empty() {
            let pairs: Vec<String> = column
                .values
                .iter()
                .map(|(a, b)| format!("{a} → {b}"))
                .collect();
            notes.push(format!(
                "`{}` values that are not {} values are mapped: {}; check them",
                column.column,
                column.field,
                pairs.join(", ")
            ));
        }
    }
    let unmapped = headers
        .iter()
        .enumerate()
        .filter(|(i, _)| !used.contains(i))
        .map(|(_, h)| h.clone())
        .collect();
    Proposal {
        mapping,
        notes,
        unmapped,
    }
}

/// Other words people head a parent's column with, by relationship: the customer is the
/// Account, the rep the Owner.
const RELATIONSHIP_WORDS: &[(&str, &[&str])] = &[
    ("account", &["customer", "client", "company"]),
    (
        "owner",
        &[
            "rep",
            "salesrep",
            "representative",
            "salesperson",
            "accountmanager",
        ],
    ),
];

/// The sheet-wide formats a sample leaves no doubt about, and what it leaves in doubt.
struct Detected {
    date: Option<DateFormat>,
    number: Option<NumberLocale>,
    notes: Vec<String>,
}

/// Judges the date and number formats on the cells of the columns `mapping` reads into date
/// and number fields (those without a format of their own).
fn detect_formats(
    specs: &[FieldSpec],
    mapping: &ImportMapping,
    headers: &[String],
    sample: &[Vec<String>],
) -> Detected {
    let column_values = |column: &str| -> Vec<&str> {
        let index = headers.iter().position(|h| h == column);
        sample
            .iter()
            .filter_map(|row| index.and_then(|i| row.get(i)).map(String::as_str))
            .collect()
    };
    let mut date_values = Vec::new();
    let mut number_values = Vec::new();
    for column in &mapping.columns {
        match specs
            .iter()
            .find(|s| s.name == column.field)
            .map(|s| &s.kind)
        {
            Some(FieldType::Date | FieldType::DateTime) if column.date_format.is_none() => {
                date_values.extend(column_values(&column.column))
            }
            Some(FieldType::Number { .. }) if column.number_format.is_none() => {
                number_values.extend(column_values(&column.column))
            }
            _ => {}
        }
    }
    let mut found = Detected {
        date: None,
        number: None,
        notes: Vec::new(),
    };
    if !date_values.is_empty() {
        let detection = detect_date_format(&date_values);
        match detection.suggestion.as_deref() {
            Some([format, ..]) => found.date = Some(*format),
            _ => {
                let fits: Vec<String> = detection.fitting_all().iter().map(|f| f.label()).collect();
                found.notes.push(match detection.ambiguous.first() {
                    Some(example) => format!(
                        "dates like `{}` read differently as {}: choose the date format",
                        example.value,
                        fits.join(" or ")
                    ),
                    None => "the date format could not be told from the sample: choose it".into(),
                });
            }
        }
    }
    if !number_values.is_empty() {
        let detection = detect_number_locale(&number_values);
        match detection.suggestion.as_deref() {
            Some([locale, ..]) => found.number = Some(*locale),
            _ => found
                .notes
                .push("the number format could not be told from the sample: choose it".into()),
        }
    }
    found
}

/// A template used on a new file: the formats it detected are detected again on this file,
/// those a person chose are kept. Every difference is said, for the person to see before the
/// check.
pub fn redetect_formats(
    describe: &ObjectDescribe,
    mapping: &mut ImportMapping,
    headers: &[String],
    sample: &[Vec<String>],
) -> Vec<String> {
    let specs: Vec<FieldSpec> = describe
        .fields
        .iter()
        .map(FieldSpec::from_describe)
        .collect();
    let detected = detect_formats(&specs, mapping, headers, sample);
    let mut notes = Vec::new();
    let by_hand = mapping.formats.set_by_hand.clone();
    if let Some(format) = detected.date
        && format != mapping.formats.date
    {
        let (now, then) = (format.label(), mapping.formats.date.label());
        if by_hand.contains(&FormatKind::Date) {
            notes.push(format!(
                "dates in this file look like {now}, but the template reads them as {then}, as chosen by hand: check the date format before the check"
            ));
        } else {
            notes.push(format!(
                "dates in this file read as {now}, not {then} as when the template was saved: {now} is used"
            ));
            mapping.formats.date = format;
        }
    }
    if let Some(locale) = detected.number
        && locale != mapping.formats.number
    {
        let (now, then) = (locale.name(), mapping.formats.number.name());
        if by_hand.contains(&FormatKind::Number) {
            notes.push(format!(
                "numbers in this file look {now}, but the template reads them as {then}, as chosen by hand: check the number format before the check"
            ));
        } else {
            notes.push(format!(
                "numbers in this file read as {now}, not {then} as when the template was saved: {now} is used"
            ));
            mapping.formats.number = locale;
        }
    }
    notes.extend(detected.notes);
    notes
}

fn looks_like_an_id(header: &str) -> bool {
    let n = normalise(header);
    header.contains('#')
        || n.ends_with("id")
        || n == "ref"
        || n == "reference"
        || n.ends_with("number")
}

/// A lookup when the header names a parent relationship: `Account`, `Account Name`,
/// `Owner`, `Owner Email`.
fn lookup_for(
    header: &str,
    describe: &ObjectDescribe,
    specs: &[FieldSpec],
) -> Option<LookupMapping> {
    let n = normalise(header);
    for field in &describe.fields {
        let Some(spec) = specs.iter().find(|s| s.name == field.name) else {
            continue;
        };
        if !matches!(spec.kind, FieldType::Id) || !spec.createable {
            continue;
        }
        let Some(object) = field.reference_to.first() else {
            continue;
        };
        let relationship = field
            .other
            .get("relationshipName")
            .and_then(serde_json::Value::as_str)
            .map(normalise)
            .unwrap_or_default();
        if relationship.is_empty() {
            continue;
        }
        let words = RELATIONSHIP_WORDS
            .iter()
            .find(|(r, _)| *r == relationship)
            .map_or(&[][..], |(_, words)| *words);
        let named = |word: &str| n == word || n == format!("{word}name");
        let by_email = std::iter::once(relationship.as_str())
            .chain(words.iter().copied())
            .any(|w| n == format!("{w}email"));
        let by_name = named(&relationship) || words.iter().any(|w| named(w));
        if !(by_email || by_name) {
            continue;
        }
        let people = object == "User" || object == "Contact";
        let match_on = if people {
            vec!["Name".to_string(), "Email".to_string()]
        } else {
            vec!["Name".to_string()]
        };
        return Some(LookupMapping {
            column: header.to_string(),
            field: field.name.clone(),
            object: object.clone(),
            match_on,
            create_missing: false,
            required: !spec.reference_to.is_empty() && spec.required,
            values: Default::default(),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::parse::{DateFormat, DateOrder, DateSeparator, NumberLocale};

    fn opportunity() -> ObjectDescribe {
        let mut describe: serde_json::Value = serde_json::from_str(include_str!(
            "../../assets/salesforce/describe/Opportunity.json"
        ))
        .unwrap();
        describe["fields"].as_array_mut().unwrap().push(serde_json::json!({
            "name": "Legacy_Opportunity_Id__c", "label": "Legacy Opportunity Id", "type": "string",
            "length": 80, "nillable": true, "createable": true, "updateable": true, "externalId": true
        }));
        serde_json::from_value(describe).unwrap()
    }

    #[test]
    fn a_messy_opportunity_sheet_gets_a_usable_first_mapping() {
        let headers: Vec<String> = [
            "Opp #",
            "Deal Name",
            "Account",
            "Stage",
            "Amount",
            "Close Date",
            "Owner Email",
            "Product",
        ]
        .map(String::from)
        .to_vec();
        let sample: Vec<Vec<String>> = [
            [
                "OPP-1",
                "A",
                "Acme",
                "Won",
                "$1,200.50",
                "03/04/2024",
                "a@x.example",
                "Widget",
            ],
            [
                "OPP-2",
                "B",
                "Acme",
                "Lost",
                "$950",
                "12/31/2023",
                "b@x.example",
                "Gadget",
            ],
        ]
        .iter()
        .map(|r| r.map(String::from).to_vec())
        .collect();
        let proposal = propose(&opportunity(), &headers, &sample);
        let m = &proposal.mapping;
        assert_eq!(
            m.key
                .as_ref()
                .map(|k| (k.column.as_str(), k.field.as_str())),
            Some(("Opp #", "Legacy_Opportunity_Id__c"))
        );
        let pairs: Vec<(&str, &str)> = m
            .columns
            .iter()
            .map(|c| (c.column.as_str(), c.field.as_str()))
            .collect();
        assert_eq!(
            pairs,
            vec![
                ("Deal Name", "Name"),
                ("Stage", "StageName"),
                ("Amount", "Amount"),
                ("Close Date", "CloseDate")
            ]
        );
        let lookups: Vec<(&str, &str, &str)> = m
            .lookups
            .iter()
            .map(|l| (l.column.as_str(), l.field.as_str(), l.object.as_str()))
            .collect();
        assert_eq!(
            lookups,
            vec![
                ("Account", "AccountId", "Account"),
                ("Owner Email", "OwnerId", "User")
            ]
        );
        assert_eq!(
            m.formats.date,
            DateFormat::Ordered {
                order: DateOrder::MonthDayYear,
                separator: DateSeparator::Slash
            }
        );
        assert_eq!(m.formats.number, NumberLocale::English);
        assert_eq!(proposal.unmapped, vec!["Product".to_string()]);
        let stage = &m.columns[1].values;
        assert_eq!(stage.get("Won").map(String::as_str), Some("Closed Won"));
        assert_eq!(stage.get("Lost").map(String::as_str), Some("Closed Lost"));
    }

    #[test]
    fn ambiguous_dates_are_left_to_the_person() {
        let headers: Vec<String> = ["Close Date"].map(String::from).to_vec();
        let sample = vec![
            vec!["03/04/2024".to_string()],
            vec!["05/06/2024".to_string()],
        ];
        let proposal = propose(&opportunity(), &headers, &sample);
        assert!(
            proposal
                .notes
                .iter()
                .any(|n| n.contains("`03/04/2024` read differently")),
            "{:?}",
            proposal.notes
        );
    }

    #[test]
    fn a_template_detects_its_detected_formats_again_and_keeps_those_set_by_hand() {
        let headers: Vec<String> = ["Deal Name", "Amount", "Close Date"]
            .map(String::from)
            .to_vec();
        let europe: Vec<Vec<String>> =
            [["A", "1.200,50", "31.12.2023"], ["B", "7,00", "03.04.2024"]]
                .iter()
                .map(|r| r.map(String::from).to_vec())
                .collect();
        let mut template = ImportMapping::new("Opportunity");
        template.columns = vec![
            ColumnMapping::new("Deal Name", "Name"),
            ColumnMapping::new("Amount", "Amount"),
            ColumnMapping::new("Close Date", "CloseDate"),
        ];
        template.formats.date = DateFormat::Ordered {
            order: DateOrder::MonthDayYear,
            separator: DateSeparator::Slash,
        };
        let mut detected = template.clone();
        let notes = redetect_formats(&opportunity(), &mut detected, &headers, &europe);
        assert_eq!(detected.formats.date.label(), "DD.MM.YYYY");
        assert_eq!(detected.formats.number, NumberLocale::German);
        assert_eq!(notes.len(), 2, "{notes:?}");

        let mut by_hand = template;
        by_hand.formats.set_by_hand.insert(FormatKind::Date);
        let notes = redetect_formats(&opportunity(), &mut by_hand, &headers, &europe);
        assert_eq!(by_hand.formats.date.label(), "MM/DD/YYYY");
        assert_eq!(by_hand.formats.number, NumberLocale::German);
        assert_eq!(
            notes[0],
            "dates in this file look like DD.MM.YYYY, but the template reads them as MM/DD/YYYY, as chosen by hand: check the date format before the check"
        );
    }
}
